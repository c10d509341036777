"""Notebooks a deck mentions by name (`linear-regression.ipynb` in its text): the page links
each to the executed notebook's page, and a mention of a notebook the course lacks is a warning.
"""
from __future__ import annotations

import re

from ..config import Config
from ..diagnostics import WARNING, Diagnostic, display_path
from ..layout import notebook_page
from .model import Deck

# A bare mention of a notebook on a slide, as in "* linear-regression.ipynb"; never a piece of a
# URL or a path (`a%20networks.ipynb`, `q?f=nets.ipynb`, `file:nets.ipynb`, `nets.ipynb/`).
MENTION = re.compile(r"(?<![\w/.\[(`%=:?&#~+-])([A-Za-z0-9][\w-]*)\.ipynb\b(?![\])\w/])")


def link_mentions(text: str, notebooks: set[str]) -> str:
    """Turn bare mentions of known notebooks into links to their rendered pages."""
    return MENTION.sub(lambda m: f"[{m.group(0)}]({notebook_page(m.group(1))})"
                       if m.group(1) in notebooks else m.group(0), text)


def mentions_of(deck: Deck) -> list[str]:
    """The notebooks a deck mentions in its text (not in code), in order, once each."""
    names = []
    for token in deck.tokens:
        if token.kind == "text":
            names += [m.group(1) for m in MENTION.finditer(token.text) if m.group(1) not in names]
    return names


def mention_problems(deck: Deck, notebooks: frozenset[str], config: Config) -> list[Diagnostic]:
    """A warning for each mention of a notebook that the course does not have."""
    where = display_path(config.notebooks_dir, config.root)
    return [Diagnostic(deck.path, deck.line_of(token.start + match.start()), WARNING,
                       f"mentions {match.group(0)}, but there is no {where}/{match.group(0)} to link to")
            for token in deck.tokens if token.kind == "text"
            for match in MENTION.finditer(token.text) if match.group(1) not in notebooks]
