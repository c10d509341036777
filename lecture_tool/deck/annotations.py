"""Find what `lecture check` runs and verifies in a deck: code blocks, annotations, claims.

Annotations are HTML comments, invisible on the slide (the build also removes them):

    <!-- check: skip (why) -->            the next code block is not run
    <!-- check: raises ValueError -->     the next code block must raise (that exception)
    <!-- check: values -->                the next code block needs real weights
    <!-- check: setup                     hidden lines run before the next code block
    import numpy as np
    -->
    <!-- check: output -->                what the next code block prints is the code block after it
    <!-- check: params(z) = 922M -->      the slide states 922M; it is the parameter count of z,
                                          after the slide's blocks (`= 922M here`: where it stands)
    <!-- check: trainable(m) = 2,241 -->  the same for trainable (non_trainable) parameters
    <!-- check: value(acc) = 93 % -->     the value of an expression, after the slide's blocks,
                                          at the stated precision or within `± tolerance`
    <!-- check: shape(x) = (None, 10) --> <!-- check: len(layers) = 5 -->
    <!-- check: not-computed -->          this slide's numbers come from elsewhere (a paper)

Claims of values that figures and notebooks record (`figure("x").name = 90 %`) are numbers.py's:
the build checks them, with no code run.

Code comments of the form `# shape of x is: (None, 640 x 480 x 3)` are checked as they stand;
comments that begin like one but do not read like one are warned about.

Not every code block on a slide is code to run. A `>>>` session runs example by example, and
what each example prints must be what the session shows. A traceback, or an untagged block that
is not Python and does not look like it, is output shown as code: it is not run.
"""
from __future__ import annotations

import ast
import difflib
import doctest
import re
import textwrap
from dataclasses import dataclass, field, replace
from decimal import Decimal

from markdown_it import MarkdownIt

from ..diagnostics import ERROR, WARNING, Diagnostic
from ..shapes import stated_shape
from .model import Deck, Slide
from .numbers import ANNOTATION, NOT_COMPUTED, RECORDED_CLAIM, parse_stated, stated_line, uncovered_numbers

COUNT_KINDS = ("params", "trainable", "non_trainable")
VALUE_KINDS = ("value", "shape", "len")
CLAIM_KINDS = COUNT_KINDS + VALUE_KINDS
_CLAIM = re.compile(r"^(?P<kind>params|trainable|non_trainable|value|shape|len)\((?P<expr>.+)\)\s*=\s*"
                    r"(?P<stated>\S.*?)(?:\s+(?P<here>here))?\s*$", re.S)
_SHAPE_COMMENT = re.compile(r"#\s*shape of\s+(?P<name>[A-Za-z_][\w.]*)\s+is\s*:?\s*(?P<shape>\(.*\)|torch\.Size\(\[.*\]\))\s*$")
# A comment that begins like a shape comment: if the one above does not read it, say so.
_NEAR_SHAPE_COMMENT = re.compile(r"#\s*shape\s+of\b\s*(?P<name>[A-Za-z_][\w.]*)?"
                                 r"(?:[^(\[]*(?P<shape>[(\[][^)\]]*[)\]]))?", re.I)
_NUMBER = r"\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?"
_UNIT = r"[kKMBG]|(?i:thousand|million|billion)"
# A count as a claim states it: no sign, no percent, no tolerance (numbers.py reads its value).
_COUNT = re.compile(rf"^(?:{_NUMBER})\s*(?:{_UNIT})?$")
# A count stated in prose: "304 parameters", "138M params", "4.2 million weights", "2,241
# trainable parameters"; or a bare "922M" near code.
_PROSE_PARAMS = re.compile(
    rf"(?<![\w.])(?P<count>(?:{_NUMBER})(?:\s*(?:{_UNIT}))?)\s*"
    r"(?P<kind>(?i:non[- ]?trainable\s+|trainable\s+)?)(?i:param(?:eter)?s|weights)\b")
_PROSE_COUNT = re.compile(r"(?<![\w.,])(\d+(?:\.\d+)?\s?[kMB])(?![\w])")
PYTHON_TAGS = {"python", "py", "python3", "pycon"}
TRACEBACK = "Traceback (most recent call last):"
# A line that reads as a Python statement: it begins with a keyword that starts one, a
# decorator, an assignment or a call. Output rarely does (`Epoch 1/10`, `[[1 2 3]`, `Total
# params: 55`); see `_shows_output`.
_PYTHON_LINE = re.compile(
    r"^\s*(?:(?:def|class|import|from|for|while|if|elif|else|try|except|finally|with|return"
    r"|raise|yield|assert|del|pass|break|continue|global|nonlocal|async|await|lambda|print)\b"
    r"|@[A-Za-z_]"
    r"|[A-Za-z_][\w.]*(?:\[[^\]]*\])?\s*(?:[-+*/%&|^@]|//|\*\*|<<|>>)?=(?!=)"
    r"|[A-Za-z_][\w.]*\s*\()")


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
    fence_line: int = 0  # where the code block begins (its fence): `--add-skips` writes above it
    output: str | None = None  # what it must print, as the slide shows it (None: not checked)
    output_line: int = 0  # deck line where the slide shows that output
    echo: bool = False  # a `>>>` example: an expression's value is printed, as at the prompt


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
    kind: str = "params"  # or trainable, non_trainable: which weights are counted


@dataclass(frozen=True)
class ValueClaim:
    """`value(EXPR) = 0.93`, `shape(EXPR) = (None, 10)`, `len(EXPR) = 5`: checked in the worker,
    after the slide's blocks."""
    line: int  # where the slide states it (or the annotation, when it does not)
    expression: str
    stated: str  # as the claim writes it, tolerance included
    kind: str  # value, shape or len
    shown: bool = True  # whether the slide shows the stated number


@dataclass
class DeckChecks:
    """Everything to run and verify for one deck, in deck order."""
    steps: list[Block | ParamsClaim | ValueClaim] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)


def parse_count(stated: str) -> tuple[Decimal, Decimal] | None:
    """("922M") -> (922000000, 1000000): the value and the precision it is stated with.
    ("4.2 million") -> (4200000, 100000)."""
    parsed = parse_stated(stated) if _COUNT.match(stated.strip()) else None
    return None if parsed is None else (parsed.value, parsed.tolerance * 2)


def count_matches(actual: int, stated: str) -> bool:
    """Does `actual` round to `stated` at the precision it is written with?"""
    parsed = parse_stated(stated) if _COUNT.match(stated.strip()) else None
    return parsed is not None and parsed.holds(actual)


def strip_annotations(source: str) -> str:
    """The deck source without `<!-- check: … -->` comments (what the slides show is unchanged)."""
    return ANNOTATION.sub("", source)


def deck_checks(deck: Deck, highlight_language: str = "", highlight_lines: bool = True,
                figure_values: dict[str, tuple[str, list[str]]] | None = None) -> DeckChecks:
    """`figure_values`: the images (as the slides name them) of the figure scripts that record
    values, with the script and the names it records: a slide that shows one has its
    percentages and decimals tied to it, or warned about."""
    markdown = MarkdownIt("commonmark", {"html": True})
    checks = DeckChecks()
    untagged_is_python = highlight_language.lower() in PYTHON_TAGS
    # A slide's own source only: a `--` step's earlier part (and a layout) already ran with its slide.
    for slide in deck.slides:
        _slide_checks(deck, slide, markdown, untagged_is_python, highlight_lines, checks,
                      figure_values or {})
    return checks


def _slide_checks(deck: Deck, slide: Slide, markdown, untagged_is_python: bool,
                  highlight_lines: bool, checks: DeckChecks,
                  figure_values: dict[str, tuple[str, list[str]]]) -> None:
    text = slide.body
    first_line = slide.start_line
    code_spans = []
    events = []  # (line, kind, payload) in slide order
    for match in ANNOTATION.finditer(text):
        events.append((first_line + text.count("\n", 0, match.start()), "annotation",
                       match.group("body")))
    for token in markdown.parse(text):
        if token.type in ("fence", "code_block") and token.map:
            code_spans.append(token.map)
            language = _language(token)
            start = token.map[0] + (1 if token.type == "fence" else 0)
            events.append((first_line + start, "code",
                           (first_line + token.map[0], language, token.content)))
    events.sort(key=lambda event: (event[0], event[1] != "annotation"))

    pending: dict = {}  # what annotations say about the next block to run
    claims = []  # checked after the slide's blocks: the slide shows what they made
    shown_by_next: tuple[Block, int] | None = None  # a block whose output the next block shows
    for line, kind, payload in events:
        if kind == "annotation":
            claim = _annotation(payload, line, deck, slide, text, pending, checks)
            if claim:
                claim, here = claim
                (checks.steps if here else claims).append(claim)
            continue
        fence_line, language, content = payload
        source = _remark_code(content, highlight_lines)
        if shown_by_next:
            # The slide shows what the block before prints: compared, never run.
            checks.steps.append(replace(shown_by_next[0], output=source, output_line=line))
            shown_by_next = None
            continue
        explicit = language in PYTHON_TAGS
        if not (explicit or (not language and untagged_is_python)):
            continue
        role = _role(source, explicit)
        if role == "output":
            continue
        wants_output = pending.pop("output", None)
        if role == "session":
            if wants_output is not None:
                checks.diagnostics.append(Diagnostic(deck.path, wants_output, ERROR,
                                                     "check: output is for a block whose output "
                                                     "the next block shows; a >>> session shows "
                                                     "its own"))
            try:
                checks.steps.extend(_session(source, line, fence_line, pending))
            except ValueError as exc:  # doctest's own words: "... lacks blank after >>>: ..."
                checks.diagnostics.append(Diagnostic(deck.path, line, ERROR,
                                                     f"cannot read this >>> session: {exc}"))
        else:
            block = Block(line=line, source=source, fence_line=fence_line, **pending,
                          shapes=_shape_comments(deck, source, line, pending, checks))
            if wants_output is None:
                checks.steps.append(block)
            else:
                shown_by_next = (block, wants_output)
        pending = {}
    if shown_by_next:
        block, annotation_line = shown_by_next
        checks.steps.append(block)
        checks.diagnostics.append(Diagnostic(
            deck.path, annotation_line, ERROR, "check: output needs what the block prints shown in "
            "a code block after it on this slide"))
    if pending:
        checks.diagnostics.append(Diagnostic(deck.path, slide.line, WARNING,
                                             "a check annotation here has no Python code block "
                                             "after it on this slide"))
    checks.steps.extend(claims)
    claimed = _claimed(text)
    _unchecked_counts(deck, slide, text, code_spans, claimed, checks)
    _unchecked_numbers(deck, slide, text, code_spans, claimed, figure_values, checks)


def _unchecked_numbers(deck: Deck, slide: Slide, text: str, code_spans: list, claimed: set[str],
                       figure_values: dict[str, tuple[str, list[str]]], checks: DeckChecks) -> None:
    """A warning for each percentage and decimal that nothing ties to the slide's code or figure."""
    figures = {script: names for image, (script, names) in figure_values.items() if image in text}
    in_code = {n for start, end in code_spans for n in range(start, end)}
    for line, shown, tie in uncovered_numbers(slide, text, in_code, claimed, figures,
                                              bool(code_spans) or _previous_slide_has_code(deck, slide)):
        checks.diagnostics.append(Diagnostic(deck.path, line, WARNING, (
            f"'{shown}' is a number that nothing checks: tie it with {tie}, show a recorded value "
            f"with <!-- value: ... -->, or mark the slide <!-- check: {NOT_COMPUTED} --> if its "
            "numbers come from elsewhere")))


def _claimed(text: str) -> set[str]:
    """The numbers the slide's claims state, without spaces or tolerances ("93%", "1,797")."""
    claimed = set()
    for annotation in ANNOTATION.finditer(text):
        body = annotation.group("body").strip()
        match = _CLAIM.match(body) or RECORDED_CLAIM.match(body)
        if match:
            stated = parse_stated(match.group("stated"))
            shown = stated.shown if stated else match.group("stated")
            claimed.add(re.sub(r"\s", "", shown))
    return claimed


def _role(source: str, explicit: bool) -> str:
    """What a Python (or untagged) code block is: "code" to run, a `>>>` "session", or "output"
    shown as code: a traceback, or an untagged block that neither parses as Python nor has a
    line that reads like a statement of it (a tagged block is Python: its syntax error is
    reported)."""
    lines = [line for line in source.split("\n") if line.strip()]
    if not lines:
        return "code"
    if lines[0].lstrip().startswith(">>>"):
        return "session"
    if lines[0].strip() == TRACEBACK:
        return "output"
    if explicit:
        return "code"
    try:
        ast.parse(source)
        return "code"
    except SyntaxError:
        return "code" if any(_PYTHON_LINE.match(line) for line in lines) else "output"


def _examples(source: str) -> list[doctest.Example]:
    """A `>>>` session's examples as doctest reads them (ValueError: it cannot)."""
    return doctest.DocTestParser().get_examples(source)


def _session(source: str, first_line: int, fence_line: int, pending: dict) -> list[Block]:
    """A `>>>` session as doctest reads it: one block per example, whose output must be what
    the session shows after it. An example shown raising (a traceback) must raise that."""
    blocks = []
    for number, example in enumerate(_examples(source)):
        line = first_line + example.lineno
        raises = None
        if example.exc_msg is not None:
            raises = example.exc_msg.split(":")[0].strip().rsplit(".", 1)[-1]
        # The annotations above the session: a skip or a mode holds for every example.
        own = pending if number == 0 else {k: v for k, v in pending.items() if k in ("skip", "mode")}
        want = example.want.replace("<BLANKLINE>", "")  # doctest's mark for an empty line
        blocks.append(Block(line=line, source=example.source, fence_line=fence_line, echo=True,
                            output=None if raises is not None else want,
                            output_line=line + example.source.count("\n"),
                            **{"raises": raises, **own}))
    return blocks


def _shape_comments(deck: Deck, source: str, first_line: int, pending: dict,
                    checks: DeckChecks) -> tuple[ShapeClaim, ...]:
    """The block's shape comments; one that begins like a shape comment but is not read as one
    is a warning, so that it is not silently left unchecked."""
    shapes = []
    for number, code_line in enumerate(source.split("\n")):
        if match := _SHAPE_COMMENT.search(code_line):
            shapes.append(ShapeClaim(first_line + number, match.group("name"), match.group("shape")))
        elif (near := _NEAR_SHAPE_COMMENT.search(code_line)) and pending.get("skip") is None:
            inner = near.group("shape")[1:-1] if near.group("shape") else "None, 13"
            example = f"# shape of {near.group('name') or 'x'} is: ({inner})"
            checks.diagnostics.append(Diagnostic(
                deck.path, first_line + number, WARNING,
                f"this shape comment is not checked: write it as '{example}' (lower-case "
                "'shape of NAME is:', the shape in parentheses, nothing after it)"))
    return tuple(shapes)


def _annotation(body: str, line: int, deck: Deck, slide: Slide, text: str, pending: dict,
                checks: DeckChecks) -> tuple[ParamsClaim | ValueClaim, bool] | None:
    """Read one annotation into `pending` (for the next block); a claim is returned, with
    whether it is to be checked where it stands (`here`)."""
    body = body.strip()
    first, _, tail = body.partition("\n")
    word, _, argument = first.strip().partition(" ")
    argument = argument.strip()
    problem = None
    claim = None
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
    elif word == "output":
        pending["output"] = line
    elif word.startswith(tuple(kind + "(" for kind in COUNT_KINDS)):
        match = _CLAIM.match(body)
        if not match or parse_count(match.group("stated")) is None:
            kind = word.partition("(")[0]
            problem = (f"a parameter claim is written <!-- check: {kind}(EXPRESSION) = 922M --> "
                       "(a count such as 304, 138,357,544, 922M, 1.2k or 4.2 million; "
                       "'= 922M here' to check it where it stands)")
        else:
            stated = match.group("stated")
            spaced = r"\s+".join(re.escape(part) for part in stated.split())
            where = stated_line(text, re.compile(r"(?<![\w.,])" + spaced + r"(?![\w])"),
                                slide.start_line, line)
            if where is None:
                problem = (f"the claim says the slide states '{stated}', but the slide does not "
                           "(was the number on the slide changed?)")
            else:
                claim = (ParamsClaim(where, match.group("expr").strip(), stated,
                                     match.group("kind")), bool(match.group("here")))
    elif word.startswith(tuple(kind + "(" for kind in VALUE_KINDS)):
        claim, problem = _value_claim(body, word, text, slide, line)
    elif word.startswith(("figure(", "notebook(")) or word == NOT_COMPUTED:
        pass  # recorded values are the build's to check (numbers.py); not-computed is read there
    else:
        problem = (f"unknown check annotation '{word}': use skip, raises, values, deferred, setup, "
                   "output, params(...) = N (trainable(...), non_trainable(...)), value(...) = X, "
                   "shape(...) = (...), len(...) = N, figure(\"...\").NAME = X, "
                   f"notebook(\"...\").NAME = X or {NOT_COMPUTED}")
    if problem:
        checks.diagnostics.append(Diagnostic(deck.path, line, ERROR, problem))
    return claim


def _value_claim(body: str, word: str, text: str, slide: Slide,
                 line: int) -> tuple[tuple[ValueClaim, bool] | None, str | None]:
    """A value, shape or len claim and whether it is checked where it stands, or the problem."""
    match = _CLAIM.match(body)
    kind = word.partition("(")[0]
    if match and kind == "shape":
        try:
            stated_shape(match.group("stated"))
        except ValueError as exc:
            return None, str(exc)
        spaced = r"\s*".join(re.escape(part) for part in re.sub(r"\s", "", match.group("stated")))
        pattern = re.compile(spaced)
    else:
        stated = parse_stated(match.group("stated")) if match else None
        if stated is None:
            return None, (f"a claim is written <!-- check: {kind}(EXPRESSION) = 0.93 --> (a number as "
                          "the slide shows it: 0.93, 93 %, 1,797, -0.5; a tolerance after ±, "
                          "0.93 ± 0.02 or 93 % ± 2; \"text\" in quotes; a shape as (None, 10))")
        pattern = stated.slide_pattern()
    where = stated_line(text, pattern, slide.start_line, line)
    return (ValueClaim(where or line, match.group("expr").strip(), match.group("stated").strip(),
                       match.group("kind"), where is not None), bool(match.group("here"))), None


def _unchecked_counts(deck: Deck, slide: Slide, text: str, code_spans: list, claimed: set[str],
                      checks: DeckChecks) -> None:
    visible = ANNOTATION.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), text).split("\n")
    in_code = {n for start, end in code_spans for n in range(start, end)}
    has_code = bool(code_spans) or _previous_slide_has_code(deck, slide)
    for number, line in enumerate(visible):
        if number in in_code:
            continue
        found = {}  # one warning per count on a line: its text, the count, the claim to write
        for match in _PROSE_PARAMS.finditer(line):
            kind = re.sub(r"[- ]?trainable\s*", "_trainable", match.group("kind").lower()).strip("_")
            count = " ".join(match.group("count").split())
            found.setdefault(count.replace(" ", ""), (match.group(0), count, kind or "params"))
        if has_code:
            for match in _PROSE_COUNT.finditer(line):
                found.setdefault(match.group(1).replace(" ", ""), (match.group(1), match.group(1),
                                                                   "params"))
        for key, (shown, count, kind) in found.items():
            if key not in claimed:
                checks.diagnostics.append(Diagnostic(
                    deck.path, slide.start_line + number, WARNING,
                    f"'{shown}' is a parameter count that nothing checks: tie it to the code with "
                    f"<!-- check: {kind}(EXPRESSION) = {count} -->"))


def _language(token) -> str:
    """A fenced block's language as highlight.js (and so the check) reads its info string."""
    return token.info.strip().split()[0].lower() if token.info.strip() else ""


def runnable_text(content: str, language: str, untagged_is_python: bool,
                  highlight_lines: bool = True) -> str:
    """What `lecture check` runs of a code block (`content`: the block as written), and what a
    reader who copies it gets: remark's `*` markers gone, and of a `>>>` session only the
    examples' input lines, without their prompts. A block's hidden setup is an annotation
    before it, never part of it. A block that is not run (another language, output shown as
    code) is copied as remark shows it."""
    source = _remark_code(content, highlight_lines)
    explicit = language in PYTHON_TAGS
    if (explicit or (not language and untagged_is_python)) and _role(source, explicit) == "session":
        try:
            return "".join(example.source for example in _examples(source))
        except ValueError:  # the check reports it; the reader gets the block as shown
            return source
    return source


def copied_code(deck: Deck, highlight_language: str = "", highlight_lines: bool = True) -> list[list[str]]:
    """For each slide as remark shows it, `runnable_text` of each of its code blocks, in order.
    A `--` step shows the blocks of the steps before it again, and so lists them again."""
    markdown = MarkdownIt("commonmark", {"html": True})
    untagged_is_python = highlight_language.lower() in PYTHON_TAGS
    slides = []
    for slide in deck.slides:
        blocks = []
        # Most slides have no code: not worth a Markdown parse (an indented block has 4 spaces).
        if "```" in slide.content or "~~~" in slide.content or "    " in slide.content:
            blocks = [runnable_text(token.content, _language(token), untagged_is_python, highlight_lines)
                      for token in markdown.parse(slide.content) if token.type in ("fence", "code_block")]
        slides.append(blocks)
    return slides


def _previous_slide_has_code(deck: Deck, slide: Slide) -> bool:
    if slide.index == 0:
        return False
    return "```" in deck.slides[slide.index - 1].body


def _remark_code(content: str, highlight_lines: bool) -> str:
    """The code as it runs: remark's `*` line markers removed, common indentation removed."""
    lines = content.rstrip("\n").split("\n")
    if highlight_lines:
        # remark: line.replace(/^\*( )?/, '$1$1'); a marked line shows without its star.
        lines = [re.sub(r"^\*( )?", lambda m: (m.group(1) or "") * 2, line) for line in lines]
    return textwrap.dedent("\n".join(lines))


# Comparing what a block prints with what the slide shows (`<!-- check: output -->`, and the
# output of a `>>>` example).
_BOX_DRAWING = re.compile("[\u2500-\u257f]")  # the borders of model.summary()'s table
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def output_lines(text: str) -> list[tuple[int, str]]:
    """The lines that are compared, with their index in `text`: box-drawing characters count as
    spaces, runs of spaces as one, space at either end and blank lines (so a table border) not
    at all. So a summary printed in a narrower terminal, with narrower columns, still matches."""
    lines = _BOX_DRAWING.sub(" ", _ANSI.sub("", text)).split("\n")
    return [(number, " ".join(line.split())) for number, line in enumerate(lines) if line.strip()]


def output_difference(printed: str, shown: str) -> tuple[int, str] | None:
    """Where and how `printed` differs from `shown` (the shown line's index and a message),
    or None when it matches. `...` in `shown` matches any text, across lines too, as doctest's
    ELLIPSIS does."""
    expected = output_lines(shown)
    actual = "\n".join(text for _, text in output_lines(printed))

    def pattern(lines: list[tuple[int, str]]) -> str:
        return "\n".join(".*?".join(re.escape(part) for part in text.split("..."))
                         for _, text in lines)

    if re.fullmatch(pattern(expected), actual, re.S):
        return None
    # The first shown line that no reading of the ones before it lets match, and the printed
    # line most like it of those after the match (after a `...`, it need not be the next one).
    matched_to = 0
    for count in range(1, len(expected) + 1):
        found = re.match(pattern(expected[:count]) + r"(?=\n|\Z)", actual, re.S)
        if not found:
            number, text = expected[count - 1]
            rest = [line for line in actual[matched_to:].split("\n") if line]
            closest = difflib.get_close_matches(text, rest, n=1, cutoff=0) if rest else []
            return number, (f"the slide shows '{text}', the block printed "
                            + (f"'{closest[0]}'" if closest else "nothing more"))
        matched_to = found.end()
    extra = actual[matched_to:].lstrip("\n").split("\n")[0]
    return (expected[-1][0] if expected else 0), (f"the block printed more than the slide shows: "
                                                  f"'{extra}'")
