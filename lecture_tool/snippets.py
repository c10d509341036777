"""Find what `lecture check` runs and verifies in a deck: code blocks, annotations, claims.

Annotations are HTML comments, invisible on the slide (the build also removes them):

    <!-- check: skip (why) -->            the next code block is not run
    <!-- check: raises ValueError -->     the next code block must raise (that exception)
    <!-- check: values -->                the next code block needs real weights
    <!-- check: setup                     hidden lines run before the next code block
    import numpy as np
    -->
    <!-- check: params(z) = 922M -->      the slide states 922M; it is the parameter count of z

Code comments of the form `# shape of x is: (None, 640 x 480 x 3)` are checked as they stand.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from .deck import Deck, Slide
from .diagnostics import ERROR, WARNING, Diagnostic

ANNOTATION = re.compile(r"<!--[ \t]*check:[ \t]*(?P<body>.*?)-->", re.S)
_PARAMS_CLAIM = re.compile(r"^params\((?P<expr>.+)\)\s*=\s*(?P<stated>\S.*?)\s*$", re.S)
_SHAPE_COMMENT = re.compile(r"#\s*shape of\s+(?P<name>[A-Za-z_][\w.]*)\s+is\s*:?\s*(?P<shape>\(.*\))\s*$")
_COUNT = re.compile(r"^(?P<number>\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)\s*(?P<unit>[kKMBG])?$")
_UNITS = {None: 1, "k": 10**3, "K": 10**3, "M": 10**6, "B": 10**9, "G": 10**9}
# A count stated in prose: "304 parameters", "138M params", or a bare "922M" near code.
_PROSE_PARAMS = re.compile(r"(?<![\w.])(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)\s*([kKMBG])?\s*(?:trainable\s+)?param(?:eter)?s\b")
_PROSE_COUNT = re.compile(r"(?<![\w.,])(\d+(?:\.\d+)?\s?[kMB])(?![\w])")
PYTHON_TAGS = {"python", "py", "python3", "pycon"}


@dataclass(frozen=True)
class Block:
    """A code block to run: its source with remark's `*` markers removed, and where it is."""
    line: int  # deck line of the block's first code line
    source: str
    mode: str = "auto"  # auto, values, or deferred
    setup: str = ""  # hidden setup lines
    setup_line: int = 0
    skip: str | None = None  # the reason, when skipped
    raises: str | None = None  # expected exception name ("" for any)
    shapes: tuple["ShapeClaim", ...] = ()


@dataclass(frozen=True)
class ShapeClaim:
    line: int
    name: str
    stated: str  # as written, e.g. "(None, 640 x 480 x 3)"


@dataclass(frozen=True)
class ParamsClaim:
    line: int  # where the slide states the number (or the annotation, if not found)
    expression: str
    stated: str


@dataclass
class DeckChecks:
    """Everything to run and verify for one deck, in deck order."""
    steps: list[Block | ParamsClaim] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)


def parse_count(stated: str) -> tuple[Decimal, Decimal] | None:
    """("922M") -> (922000000, 1000000): the value and the precision it is stated with."""
    match = _COUNT.match(stated.strip())
    if not match:
        return None
    number = match.group("number").replace(",", "")
    unit = _UNITS[match.group("unit")]
    try:
        value = Decimal(number)
    except InvalidOperation:
        return None
    quantum = Decimal(1).scaleb(value.as_tuple().exponent) * unit
    return value * unit, quantum


def count_matches(actual: int, stated: str) -> bool:
    """Does `actual` round to `stated` at the precision it is written with?"""
    parsed = parse_count(stated)
    if parsed is None:
        return False
    value, quantum = parsed
    return abs(Decimal(actual) - value) * 2 <= quantum


def strip_annotations(source: str) -> str:
    """The deck source without `<!-- check: … -->` comments (what the slides show is unchanged)."""
    return ANNOTATION.sub("", source)


def deck_checks(deck: Deck, highlight_language: str = "", highlight_lines: bool = True) -> DeckChecks:
    from markdown_it import MarkdownIt

    markdown = MarkdownIt("commonmark", {"html": True})
    checks = DeckChecks()
    untagged_is_python = highlight_language.lower() in PYTHON_TAGS
    # A slide's own source only: a `--` step's earlier part (and a layout) already ran with its slide.
    for slide in deck.slides:
        _slide_checks(deck, slide, markdown, untagged_is_python, highlight_lines, checks)
    return checks


def _slide_checks(deck: Deck, slide: Slide, markdown, untagged_is_python: bool,
                  highlight_lines: bool, checks: DeckChecks) -> None:
    text = slide.body
    first_line = slide.start_line
    lines = text.split("\n")
    tokens = markdown.parse(text)
    code_spans = []
    pending: dict = {}
    events = []  # (line, kind, payload) in slide order
    for match in ANNOTATION.finditer(text):
        events.append((first_line + text.count("\n", 0, match.start()), "annotation",
                       match.group("body")))
    for token in tokens:
        if token.type in ("fence", "code_block") and token.map:
            code_spans.append(token.map)
            language = token.info.strip().split()[0].lower() if token.info.strip() else ""
            if language in PYTHON_TAGS or (not language and untagged_is_python):
                start = token.map[0] + (1 if token.type == "fence" else 0)
                events.append((first_line + start, "code", token.content))
    events.sort(key=lambda event: (event[0], event[1] != "annotation"))

    for line, kind, payload in events:
        if kind == "annotation":
            _annotation(payload, line, deck, slide, text, code_spans, pending, checks)
            continue
        source = _remark_code(payload, highlight_lines)
        shapes = tuple(ShapeClaim(line + i, m.group("name"), m.group("shape"))
                       for i, code_line in enumerate(source.split("\n"))
                       if (m := _SHAPE_COMMENT.search(code_line)))
        checks.steps.append(Block(line=line, source=source, shapes=shapes, **pending))
        pending = {}
    if pending:
        checks.diagnostics.append(Diagnostic(deck.path, slide.line, WARNING,
                                             "a check annotation here has no Python code block "
                                             "after it on this slide"))
    _unchecked_counts(deck, slide, text, lines, code_spans, checks)


def _annotation(body: str, line: int, deck: Deck, slide: Slide, text: str,
                code_spans: list, pending: dict, checks: DeckChecks) -> None:
    body = body.strip()
    first, _, tail = body.partition("\n")
    word, _, argument = first.strip().partition(" ")
    argument = argument.strip()
    problem = None
    if word == "skip":
        reason = argument.strip("() ")
        if not reason:
            problem = "check: skip needs a reason: <!-- check: skip (why it cannot run) -->"
        pending["skip"] = reason or "no reason given"
    elif word == "raises":
        pending["raises"] = argument
    elif word in ("values", "deferred"):
        pending["mode"] = word
    elif word == "setup":
        pending["setup"] = (argument + "\n" if argument else "") + tail
        pending["setup_line"] = line + (0 if argument else 1)
    elif word.startswith("params("):
        match = _PARAMS_CLAIM.match(body)
        if not match or parse_count(match.group("stated")) is None:
            problem = ("a parameter claim is written <!-- check: params(EXPRESSION) = 922M --> "
                       "(a count such as 304, 138,357,544, 922M or 1.2k)")
        else:
            stated = match.group("stated")
            where = _stated_line(text, stated, slide.start_line, line)
            if where is None:
                problem = (f"the claim says the slide states '{stated}', but the slide does not "
                           "(was the number on the slide changed?)")
            else:
                checks.steps.append(ParamsClaim(where, match.group("expr").strip(), stated))
    else:
        problem = (f"unknown check annotation '{word}': use skip, raises, values, deferred, setup "
                   "or params(...) = N")
    if problem:
        checks.diagnostics.append(Diagnostic(deck.path, line, ERROR, problem))


def _stated_line(text: str, stated: str, first_line: int, annotation_line: int) -> int | None:
    """The line where the slide states `stated` (outside annotations) nearest the annotation:
    on its line, else the closest above it, else the first below."""
    visible = ANNOTATION.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), text)
    pattern = re.compile(r"(?<![\w.,])" + re.escape(stated) + r"(?![\w])")
    lines = [first_line + visible.count("\n", 0, m.start()) for m in pattern.finditer(visible)]
    if not lines:
        return None
    above = [n for n in lines if n <= annotation_line]
    return max(above) if above else min(lines)


def _unchecked_counts(deck: Deck, slide: Slide, text: str, lines: list[str], code_spans: list,
                      checks: DeckChecks) -> None:
    claimed = {re.sub(r"\s", "", m.group("body").split("=", 1)[-1])
               for m in ANNOTATION.finditer(text) if m.group("body").strip().startswith("params(")}
    visible = ANNOTATION.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), text).split("\n")
    in_code = {n for start, end in code_spans for n in range(start, end)}
    has_code = bool(code_spans) or _previous_slide_has_code(deck, slide)
    for number, line in enumerate(visible):
        if number in in_code:
            continue
        found = [m.group(0) for m in _PROSE_PARAMS.finditer(line)]
        if has_code:
            found += [m.group(1) for m in _PROSE_COUNT.finditer(line)]
        for stated in found:
            number_text = _PROSE_PARAMS.match(stated)
            key = re.sub(r"\s", "", (number_text.group(1) + (number_text.group(2) or ""))
                         if number_text else stated)
            if key not in claimed:
                checks.diagnostics.append(Diagnostic(
                    deck.path, slide.start_line + number, WARNING,
                    f"'{stated}' is a parameter count that nothing checks: tie it to the code with "
                    f"<!-- check: params(EXPRESSION) = {key} -->"))


def _previous_slide_has_code(deck: Deck, slide: Slide) -> bool:
    if slide.index == 0:
        return False
    return "```" in deck.slides[slide.index - 1].body


def _remark_code(content: str, highlight_lines: bool) -> str:
    """The code as it runs: remark's `*` line markers removed, common indentation removed."""
    import textwrap

    lines = content.rstrip("\n").split("\n")
    if highlight_lines:
        # remark: line.replace(/^\*( )?/, '$1$1'); a marked line shows without its star.
        lines = [re.sub(r"^\*( )?", lambda m: (m.group(1) or "") * 2, line) for line in lines]
    return textwrap.dedent("\n".join(lines))
