"""What counts as alternative text for an image, shared by the two places it is written: a deck
(`deck/accessibility.py`) and a figure script's `ALT` (`jobs/figures.py`).

Empty alternative text says "decorative" (HTML's `alt=""`); whether a deck may leave it empty is
the deck rules' business. Text that is there must say what the image shows: a file name, an
address or a word such as "image" or "figure 3" says nothing a screen reader user can use, and
the reader would have read the file name anyway.
"""
from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

# Words that name the kind of thing rather than what it shows, alone or followed by a number.
GENERIC = frozenset({
    "image", "img", "picture", "pic", "photo", "photograph", "figure", "fig", "graphic",
    "diagram", "chart", "plot", "graph", "screenshot", "icon", "logo", "illustration",
    "untitled", "placeholder", "alt", "alt text", "image of", "picture of"})
_FILE_NAME = re.compile(r"[^\s/\\]+\.(?:png|jpe?g|gif|svg|webp|avif|bmp|tiff?|ico|pdf)", re.I)
ADDRESS = re.compile(r"(?:https?|ftp)://\S+|www\.\S+", re.I)
_WORDS = re.compile(r"[^\W_]+")
_NUMBER_AFTER = re.compile(r"[\s._#-]*\d+$")


@dataclass(frozen=True)
class FigureAlt:
    """What a figure script declares about one of its outputs' alternative text."""
    text: str | None  # its `ALT` entry; "" declares the figure decorative; None: no entry
    script: Path
    line: int  # where to add it: the line of ALT, else of OUTPUTS


def alt_text_problem(alt: str, src: str) -> str | None:
    """Why `alt`, which is not empty, does not describe the image at `src`; None when it may.
    Only what a machine can tell: whether the words are true is the author's to judge."""
    text = " ".join(alt.split())
    name = posixpath.basename(unquote(urlsplit(src).path)) if src else ""
    stem = name.rsplit(".", 1)[0]
    if name and (text.lower() == name.lower() or _words(text) == _words(stem)):
        return f"'{text}' is the file's name"
    if _FILE_NAME.fullmatch(text):
        return f"'{text}' is a file name"
    if ADDRESS.fullmatch(text):
        return f"'{text}' is an address"
    bare = _NUMBER_AFTER.sub("", text).strip(" .:-").lower()
    if bare == "decorative":
        return "'decorative' is read aloud as a word: a decorative image has empty alternative text"
    if bare in GENERIC:
        return f"'{text}' names the kind of image, not what it shows"
    return None


def _words(text: str) -> list[str]:
    return [word.lower() for word in _WORDS.findall(text)]
