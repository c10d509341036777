"""A deck's annotations: the strokes a lecturer drew on its slides, in `slides/<stem>.annotations.json`.

    {"format": 1,
     "slides": {"3f2a…": {"strokes": [{"tool": "pen", "color": "#d62728", "width": 0.004,
                                      "points": [[0.12, 0.40], [0.13, 0.41]]}],
                         "board": {"strokes": […]}}}}

A slide's key is a hash of its source text as the deck model splits it (its `--` steps up to
it, property lines included, presenter notes and layouts left out), so an inserted slide does
not shift the strokes, and an edited slide keeps them only while it is the same slide. Two
slides with the same text are told apart by their order (`<hash>~2`). Points and widths are
fractions of the slide's width and height, so any window size draws them alike; `board`, when
present, is the slide's blank board and the strokes drawn on it. Entries of slides that no
longer exist stay in the file (the edit may be undone) and are not shown.
"""
from __future__ import annotations

import hashlib
import json
import math
import re
from pathlib import Path

from .layout import annotations_file

FORMAT = 1
TOOLS = ("pen", "highlighter")
MAX_BYTES = 8_000_000  # a whole lecture of handwriting is well under 1 MB
MAX_POINTS = 20_000  # points of one stroke
_COLOR = re.compile(r"#[0-9a-fA-F]{6}\Z")
_KEY = re.compile(r"[0-9a-f]{16}(?:~[0-9]+)?\Z")
_STEM = re.compile(r"[^/\\\x00]+\Z")


class AnnotationError(ValueError):
    """A file or a body that is not annotations; `line` where the JSON itself is broken."""

    def __init__(self, message: str, line: int = 1):
        super().__init__(message)
        self.line = line


def slide_keys(step_texts: list[tuple[bool, str]]) -> list[str]:
    """Each slide's key, from (whether it continues the slide before with `--`, its own source
    text) in the deck's order."""
    keys, seen, group = [], {}, []
    for continued, text in step_texts:
        group = [*group, text] if continued else [text]
        digest = hashlib.sha256("\n--\n".join(group).encode("utf-8")).hexdigest()[:16]
        seen[digest] = seen.get(digest, 0) + 1
        keys.append(digest if seen[digest] == 1 else f"{digest}~{seen[digest]}")
    return keys


def parse(data: bytes) -> dict:
    """The annotations in `data`, checked: {key: {"strokes": [...], "board": {...} | None}}."""
    if len(data) > MAX_BYTES:
        raise AnnotationError(f"{len(data):,} bytes: more than the {MAX_BYTES:,} an annotations file may have")
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise AnnotationError(f"not UTF-8: byte 0x{data[exc.start]:02x} cannot be decoded") from exc
    except json.JSONDecodeError as exc:
        raise AnnotationError(f"not JSON: {exc.msg} (column {exc.colno})", exc.lineno) from exc
    if not isinstance(document, dict):
        raise AnnotationError('not annotations: expected an object {"format": 1, "slides": {...}}')
    if document.get("format") != FORMAT:
        raise AnnotationError(f"format {document.get('format')!r} is not one this version reads "
                              f"(format {FORMAT})")
    slides = document.get("slides", {})
    if not isinstance(slides, dict):
        raise AnnotationError('"slides" must be an object: slide key → its strokes')
    found = {}
    for key, entry in slides.items():
        if not _KEY.match(key):
            raise AnnotationError(f'slides["{key}"]: not a slide key (16 hexadecimal digits, '
                                  "then ~N for a repeated slide)")
        found[key] = _entry(entry, f'slides["{key}"]')
    return found


def _entry(entry: object, where: str) -> dict:
    if not isinstance(entry, dict):
        raise AnnotationError(f'{where}: expected an object {{"strokes": [...], "board": ...}}')
    strokes = _strokes(entry.get("strokes", []), f"{where}.strokes")
    board = entry.get("board")
    if board is not None:
        if not isinstance(board, dict):
            raise AnnotationError(f'{where}.board: expected null or an object {{"strokes": [...]}}')
        board = {"strokes": _strokes(board.get("strokes", []), f"{where}.board.strokes")}
    return {"strokes": strokes, "board": board}


def _strokes(strokes: object, where: str) -> list[dict]:
    if not isinstance(strokes, list):
        raise AnnotationError(f"{where}: expected a list of strokes")
    return [_stroke(stroke, f"{where}[{n}]") for n, stroke in enumerate(strokes)]


def _stroke(stroke: object, where: str) -> dict:
    if not isinstance(stroke, dict):
        raise AnnotationError(f"{where}: expected an object with tool, color, width and points")
    tool, color, width, points = (stroke.get(name) for name in ("tool", "color", "width", "points"))
    if tool not in TOOLS:
        raise AnnotationError(f"{where}.tool: {tool!r} is not one of {', '.join(TOOLS)}")
    if not isinstance(color, str) or not _COLOR.match(color):
        raise AnnotationError(f"{where}.color: {color!r} is not a colour #rrggbb")
    if not _number(width) or not 0 < width <= 0.25:
        raise AnnotationError(f"{where}.width: {width!r} is not a fraction of the slide's width "
                              "(above 0, at most 0.25)")
    if not isinstance(points, list) or not 1 <= len(points) <= MAX_POINTS:
        raise AnnotationError(f"{where}.points: expected a list of 1 to {MAX_POINTS:,} points [x, y]")
    for n, point in enumerate(points):
        if not (isinstance(point, list) and len(point) == 2 and all(_number(v) and -1 <= v <= 2 for v in point)):
            raise AnnotationError(f"{where}.points[{n}]: {point!r} is not a point [x, y] in fractions "
                                  "of the slide (0 to 1)")
    return {"tool": tool, "color": color.lower(), "width": float(width),
            "points": [[round(float(x), 5), round(float(y), 5)] for x, y in points]}


def _number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def is_empty(entry: dict) -> bool:
    return not entry["strokes"] and entry["board"] is None


def dumps(slides: dict) -> bytes:
    """The file's text: one stroke a line, keys sorted, so that a change is a readable diff."""
    lines = ['{"format": %d,' % FORMAT, ' "slides": {']
    keys = sorted(slides)
    for number, key in enumerate(keys):
        entry = slides[key]
        parts = [f'  "{key}": {{"strokes": {_stroke_lines(entry["strokes"], "    ")}']
        if entry["board"] is not None:
            parts.append(f',\n   "board": {{"strokes": {_stroke_lines(entry["board"]["strokes"], "     ")}}}')
        lines.append("".join(parts) + "}" + ("," if number < len(keys) - 1 else ""))
    lines.append(" }}")
    return ("\n".join(lines) + "\n").encode("utf-8")


def _stroke_lines(strokes: list[dict], indent: str) -> str:
    if not strokes:
        return "[]"
    return "[\n" + ",\n".join(indent + json.dumps(stroke, separators=(", ", ": ")) for stroke in strokes) + "]"


def load(path: Path) -> dict:
    """A deck's annotations; none when it has no file. Raises AnnotationError."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise AnnotationError(f"cannot read it: {exc.strerror or exc}") from exc
    return parse(data)


def save(slides_dir: Path, stem: str, body: bytes) -> None:
    """Take a page's annotations (the file's format) into `slides/<stem>.annotations.json`.

    The body's slides replace the file's entries of the same keys, an empty entry (no strokes,
    no board) removes one, and every other entry stays: the page of an edited deck knows
    nothing of the slides it no longer has. Raises ValueError with a message for a body that is
    not annotations, or a deck that does not exist."""
    # Here, as in the build: tempfile and shutil are imports a page that only reads need not pay.
    from .outputs import write_if_changed

    if not _STEM.match(stem) or stem in (".", "..") or not (slides_dir / f"{stem}.md").is_file():
        raise ValueError(f"no deck {stem!r} in {slides_dir.name}/ to annotate")
    incoming = parse(body)
    path = annotations_file(slides_dir, stem)
    try:
        kept = load(path)
    except AnnotationError as exc:
        # Not overwritten: it may hold strokes of slides this page does not have.
        raise ValueError(f"{slides_dir.name}/{path.name}:{exc.line}: {exc}; fix it or move it "
                         "away, then save again") from exc
    for key, entry in incoming.items():
        if is_empty(entry):
            kept.pop(key, None)
        else:
            kept[key] = entry
    write_if_changed(path, dumps(kept))
