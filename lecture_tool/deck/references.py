"""Find the images and links a deck refers to, with their lines, and check they will exist.

markdown-it-py parses the Markdown because its tokens carry line maps (the `markdown` package's
do not); remark's own structure (slides, content classes) comes from `deck.py`.
"""
from __future__ import annotations

import itertools
import posixpath
import re
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from markdown_it import MarkdownIt

from .model import Deck
from ..diagnostics import ERROR, WARNING, Diagnostic

_HTML_TAG = re.compile(r"<(img|a|source|video|audio|iframe)\b([^>]*)", re.I)
_HTML_ATTRIBUTE = re.compile(r"""\b(src|href|poster)\s*=\s*["']([^"']*)["']""", re.I)
# remark's `background-image: url(...)` slide property, as a leading line or an HTML comment.
BACKGROUND_IMAGE = re.compile(r"""^(?:<!--\s*)?background-image:\s*url\(\s*["']?([^"')]+?)["']?\s*\)""", re.M)
# Markdown inside an HTML block: remark still converts it when it sits in a content class.
_MARKDOWN_URL = re.compile(r"(!?)\[[^\[\]\n]*\]\(\s*<?([^)\s>]+)>?(?:\s+[\"'(][^)]*)?\)")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_markdown = MarkdownIt("commonmark", {"html": True})


@dataclass(frozen=True)
class Reference:
    line: int
    kind: str  # "image", "media" (video, audio), "page" (iframe) or "link"
    url: str


def find_references(deck: Deck) -> list[Reference]:
    found: list[Reference] = []
    for slide in (*deck.layouts, *deck.slides):
        found += _references_in(slide.body, slide.start_line)
        found += [Reference(slide.start_line + slide.body.count("\n", 0, m.start()), "background image",
                            m.group(1)) for m in BACKGROUND_IMAGE.finditer(slide.body)]
        if slide.notes_line is not None:
            found += _references_in(slide.notes, slide.notes_line + 1)
    return sorted(set(found), key=lambda r: (r.line, r.url))


# What any reference needs: `](` (links, images), `][`/`]:` (reference links) or an HTML tag.
_MAY_REFER = re.compile(r"\]\s*[(\[:]|<[A-Za-z]")


def _references_in(markdown: str, first_line: int) -> list[Reference]:
    if not _MAY_REFER.search(markdown):
        return []  # most slides: no Markdown to parse for references at all
    lines = markdown.split("\n")
    found = []
    for token in _markdown.parse(markdown):
        if token.map is None:
            continue
        candidates = []
        if token.type == "html_block":
            candidates += _html_references(token.content)
            candidates += [("image" if m.group(1) else "link", m.group(2))
                           for m in _MARKDOWN_URL.finditer(token.content)]
        for child in token.children or ():
            if child.type == "image":
                candidates.append(("image", str(child.attrGet("src") or "")))
            elif child.type == "link_open":
                candidates.append(("link", str(child.attrGet("href") or "")))
            elif child.type == "html_inline":
                candidates += _html_references(child.content)
        line = token.map[0]
        for kind, url in candidates:
            line = _line_within(lines, token.map, url, line)
            found.append(Reference(first_line + line, kind, url))
    return found


def _html_references(html: str) -> list[tuple[str, str]]:
    """(kind, url) of every src, href and poster of the tags that load or link a file."""
    return [(_html_kind(tag.group(1), attribute.group(1)), attribute.group(2))
            for tag in _HTML_TAG.finditer(html) for attribute in _HTML_ATTRIBUTE.finditer(tag.group(2))]


def _html_kind(tag: str, attribute: str) -> str:
    if attribute.lower() == "poster":
        return "image"
    return {"a": "link", "img": "image", "iframe": "page"}.get(tag.lower(), "media")


def _line_within(lines: list[str], span: list[int], url: str, after: int) -> int:
    """The line of `span` that holds `url`. A token's references come in the order they are
    written, so the search starts at the line of the one before (`after`): ten thousand images
    in one paragraph cost one pass over it, not ten thousand."""
    if span[1] - span[0] <= 1:
        return span[0]
    raw = unquote(url)
    for number in itertools.chain(range(after, span[1]), range(span[0], after)):
        if url in lines[number] or raw in lines[number]:
            return number
    return span[0]


def is_local(url: str) -> bool:
    return bool(url) and not (_SCHEME.match(url) or url.startswith(("#", "//")))


def check_references(deck: Deck, available: set[str], output_name: str, slides_name: str,
                     references: list[Reference] | None = None) -> list[Diagnostic]:
    """Every local reference (those given, else the deck's `find_references`) must name a file
    the output directory will hold: `available` holds the output-relative paths that the build
    copies or a stage declares. A page lies at the top of the output, as its deck in slides/.
    """
    problems = []
    for ref in find_references(deck) if references is None else references:
        if not is_local(ref.url):
            continue
        path = unquote(urlsplit(ref.url).path)
        if not path:
            continue
        if path.startswith("/"):
            problems.append(Diagnostic(deck.path, ref.line, ERROR,
                                       f"{ref.kind} '{ref.url}' is an absolute path: it breaks when "
                                       "the deck is opened from disk; write it relative to the deck"))
            continue
        target = posixpath.normpath(path)
        if target == ".." or target.startswith("../"):
            problems.append(Diagnostic(deck.path, ref.line, ERROR,
                                       f"{ref.kind} '{ref.url}' points outside {output_name}/: "
                                       "a built course can only show files inside it"))
        elif target not in available and not _is_directory_of(target, available):
            problems.append(Diagnostic(deck.path, ref.line, WARNING,
                                       f"{ref.kind} '{ref.url}' not found: no {slides_name}/{target} "
                                       f"to copy and no build step makes {output_name}/{target}",
                                       missing=target))
    return problems


def _is_directory_of(target: str, available: set[str]) -> bool:
    prefix = target.rstrip("/") + "/"
    return any(path.startswith(prefix) for path in available)
