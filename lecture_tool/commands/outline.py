"""`lecture outline`: the slides of a deck as remark numbers them, with their source lines."""
from __future__ import annotations

import json
from pathlib import Path

from ..config import Config
from ..deck import DeckError, read_deck
from ..diagnostics import Diagnostic, display_path
from ..layout import macros_source
from ..macros import course_macros


def outline(deck_path: Path, config: Config, root: Path | None,
            as_json: bool) -> tuple[str | None, list[Diagnostic]]:
    """The outline as text (a table, or JSON; None for a deck that cannot be read) and the
    deck's problems, with the course's macros known as `lecture build` knows them. `root`:
    what paths are shown relative to (None: the working directory)."""
    macros, problems = course_macros(macros_source(config), config.root)
    try:
        deck = read_deck(deck_path, macros=macros)
    except DeckError as exc:
        return None, [*problems, exc.diagnostic]
    slides = [{"number": s.number, "index": s.index + 1, "line": s.line, "title": s.title,
               "continued": s.continued, "name": s.name, "class": s.css_class,
               "notes": s.has_notes} for s in deck.slides]
    shown = display_path(deck_path, root)
    if as_json:
        return json.dumps({"deck": shown, "title": deck.title, "slide_count": len(slides),
                           "slides": slides}, indent=2), problems + deck.diagnostics
    lines = [f"{shown}: {deck.title} ({len(slides)} slides)", f"{'#':>4} {'no.':>4} {'line':>5}  {'':2} title"]
    for s in slides:
        flags = "--" if s["continued"] else "  "
        extra = "".join([f"  [name: {s['name']}]" if s["name"] else "",
                         f"  [class: {s['class']}]" if s["class"] else "",
                         "  [notes]" if s["notes"] else ""])
        lines.append(f"{s['index']:>4} {s['number']:>4} {s['line']:>5}  {flags} {s['title']}{extra}")
    return "\n".join(lines), problems + deck.diagnostics
