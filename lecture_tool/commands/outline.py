"""`lecture outline`: the slides of a deck as remark numbers them, with their source lines."""
from __future__ import annotations

import json
from pathlib import Path

from ..deck import DeckError, read_deck
from ..diagnostics import Diagnostic, display_path


def outline(deck_path: Path, root: Path | None, as_json: bool) -> tuple[str | None, list[Diagnostic]]:
    """The outline as text (a table, or JSON; None for a deck that cannot be read) and the
    deck's problems."""
    try:
        deck = read_deck(deck_path)
    except DeckError as exc:
        return None, [exc.diagnostic]
    slides = [{"number": s.number, "index": s.index + 1, "line": s.line, "title": s.title,
               "continued": s.continued, "name": s.name, "class": s.css_class,
               "notes": s.has_notes} for s in deck.slides]
    shown = display_path(deck_path, root)
    if as_json:
        return json.dumps({"deck": shown, "title": deck.title, "slide_count": len(slides),
                           "slides": slides}, indent=2), deck.diagnostics
    lines = [f"{shown}: {deck.title} ({len(slides)} slides)", f"{'#':>4} {'no.':>4} {'line':>5}  {'':2} title"]
    for s in slides:
        flags = "--" if s["continued"] else "  "
        extra = "".join([f"  [name: {s['name']}]" if s["name"] else "",
                         f"  [class: {s['class']}]" if s["class"] else "",
                         "  [notes]" if s["notes"] else ""])
        lines.append(f"{s['index']:>4} {s['number']:>4} {s['line']:>5}  {flags} {s['title']}{extra}")
    return "\n".join(lines), deck.diagnostics
