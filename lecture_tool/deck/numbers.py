"""Numbers a slide states, and the claims and inline values that tie them to code, figures and
notebooks (README: "Numbers on slides").

A stated number holds for a computed one at the precision it is written with (`0.93` holds for
0.925 to 0.935, `93 %` for 0.925 to 0.935 too), or within an explicit tolerance (`0.93 ± 0.02`,
`93 % ± 2`: two percentage points; `120 ± 5 %`: five per cent of 120).

On a slide:

    <!-- check: figure("adversarial").right_p = 90 % -->      a figure's recorded value
    <!-- check: notebook("linear-regression").slope = 2.0 ± 0.1 -->
    <!-- value: figure("adversarial").right_p:.0% -->90 %<!-- /value -->
                                   the build shows the recorded value, formatted; remark without
                                   lecture shows the text between the comments
    <!-- check: not-computed -->   the numbers of this slide come from elsewhere (a paper)
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from ..diagnostics import ERROR, WARNING, Diagnostic
from ..values import REFERENCE, Reference, Values, parse_reference
from .model import Deck, Slide

_SIGN = "[-+\u2212]?"
_DIGITS = r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|\.\d+"
_UNIT = r"[kKMBG]\b|(?i:thousand|million|billion)\b"
_SCALE = {None: 1, "k": 10**3, "K": 10**3, "M": 10**6, "B": 10**9, "G": 10**9,
          "thousand": 10**3, "million": 10**6, "billion": 10**9}
_STATED = re.compile(
    rf"^(?P<shown>(?P<sign>{_SIGN})\s*(?P<digits>{_DIGITS})\s*(?P<unit>{_UNIT})?\s*(?P<percent>%)?)"
    rf"\s*(?:(?:±|\+/-|\+-)\s*(?P<tolerance>{_DIGITS})\s*(?P<relative>%)?)?\s*$")
_QUOTED = re.compile(r'^"(?P<text>[^"\n]*)"$')

ANNOTATION = re.compile(r"<!--[ \t]*check:[ \t]*(?P<body>.*?)-->", re.S)
RECORDED_CLAIM = re.compile(rf"^(?P<reference>{REFERENCE.pattern})\s*=\s*(?P<stated>\S.*?)\s*$", re.S)
NOT_COMPUTED = "not-computed"
# `<!-- value: figure("x").key:.0% -->90 %<!-- /value -->`, on one line.
INLINE_VALUE = re.compile(r"<!--[ \t]*value:[ \t]*(?P<reference>[^\n]*?)[ \t]*-->"
                          r"(?P<fallback>[^\n]*?)<!--[ \t]*/value[ \t]*-->")
_FORMAT = re.compile(rf"^(?P<reference>{REFERENCE.pattern})\s*(?::(?P<format>[^\n]*))?$")


@dataclass(frozen=True)
class Stated:
    """A number as the slide states it: `shown` is what the slide must show ("93 %")."""
    shown: str
    value: Decimal | None  # None: a quoted text, compared as it is
    tolerance: Decimal
    text: str | None = None

    def holds(self, actual: object) -> bool:
        if self.value is None:
            return str(actual) == self.text
        if isinstance(actual, bool) or not isinstance(actual, (int, float)):
            return False
        return abs(Decimal(repr(actual)) - self.value) <= self.tolerance

    def slide_pattern(self) -> re.Pattern:
        """The stated number as the slide may show it: `93 %` also as `93%`, a minus also as −."""
        if self.value is None:
            return re.compile(re.escape(self.text))
        parts = [re.escape(part) for part in re.findall(r"[\d,.]+|[A-Za-z]+|%", self.shown)]
        sign = r"[-\u2212] ?" if self.shown.lstrip().startswith(("-", "\u2212")) else ""
        # Spaces within a line only: a number does not run on across a line break.
        return re.compile(rf"(?<![\w.,]){sign}" + "[ \t]*".join(parts) + r"(?![\w]|\.\d)")


def parse_stated(text: str) -> Stated | None:
    """`0.93`, `93 %`, `93%`, `1,797`, `4.2 million`, `-0.5`, `0.93 ± 0.02`, `93 % ± 2`,
    `"nine"`; None if it is none of them."""
    quoted = _QUOTED.match(text.strip())
    if quoted:
        return Stated(text.strip(), None, Decimal(0), quoted.group("text"))
    match = _STATED.match(text)
    if not match:
        return None
    try:
        digits = Decimal(match.group("digits").replace(",", ""))
    except InvalidOperation:
        return None
    unit = match.group("unit")
    scale = Decimal(_SCALE[unit if unit is None or len(unit) == 1 else unit.lower()])
    if match.group("percent"):
        scale /= 100
    value = digits * scale * (-1 if match.group("sign") in ("-", "\u2212") else 1)
    precision = Decimal(1).scaleb(digits.as_tuple().exponent) * scale / 2
    tolerance = precision
    if match.group("tolerance"):
        given = Decimal(match.group("tolerance").replace(",", ""))
        if match.group("relative") and not match.group("percent"):
            tolerance = abs(value) * given / 100  # `120 ± 5 %`: five per cent of it
        else:
            tolerance = given * (Decimal("0.01") if match.group("percent") else scale)
    return Stated(" ".join(match.group("shown").split()), value, tolerance)


def stated_line(text: str, shown: re.Pattern, first_line: int, annotation_line: int) -> int | None:
    """The line where the slide shows a stated number (`shown` finds it), outside annotations,
    nearest the annotation: on its line, else the closest above it, else the first below."""
    visible = ANNOTATION.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), text)
    lines = [first_line + visible.count("\n", 0, m.start()) for m in shown.finditer(visible)]
    if not lines:
        return None
    above = [n for n in lines if n <= annotation_line]
    return max(above) if above else min(lines)


@dataclass(frozen=True)
class RecordedClaim:
    """`<!-- check: figure("x").key = 90 % -->`: checked by the build, against recorded values."""
    line: int  # where the slide shows the number (or the annotation's, when it does not)
    reference: Reference
    stated: Stated
    shown: bool  # whether the slide shows the stated number


@dataclass(frozen=True)
class InlineValue:
    """`<!-- value: figure("x").key:.0% -->90 %<!-- /value -->` in a deck's source."""
    line: int
    start: int  # offsets of the whole form in the deck's source
    end: int
    reference: Reference | None  # None: it names nothing that can be read
    format: str
    fallback: str
    written: str  # the reference as written, for messages


def recorded_claims(deck: Deck) -> tuple[list[RecordedClaim], list[Diagnostic]]:
    """The claims of recorded values on every slide, and the problems of those that cannot be read."""
    claims, problems = [], []
    for slide in deck.slides:
        for match in ANNOTATION.finditer(slide.body):
            body = match.group("body").strip()
            if not body.startswith(("figure(", "notebook(")):
                continue
            line = slide.start_line + slide.body.count("\n", 0, match.start())
            found = RECORDED_CLAIM.match(body)
            stated = parse_stated(found.group("stated")) if found else None
            reference = parse_reference(found.group("reference")) if found else None
            if stated is None or reference is None:
                problems.append(Diagnostic(deck.path, line, ERROR, (
                    'a claim of a recorded value is written <!-- check: figure("SCRIPT").NAME = 90 % -->'
                    ' or notebook("NOTEBOOK").NAME = 0.93 ± 0.02 (a number as the slide shows it: '
                    '0.93, 93 %, 1,797, -0.5; a tolerance after ±; "text" in quotes)')))
                continue
            where = stated_line(slide.body, stated.slide_pattern(), slide.start_line, line)
            claims.append(RecordedClaim(where or line, reference, stated, where is not None))
    return claims, problems


def inline_value(match: re.Match, line: int = 0) -> InlineValue:
    """An INLINE_VALUE match, read."""
    written = match.group("reference").strip()
    parsed = _FORMAT.match(written)
    reference = parse_reference(parsed.group("reference")) if parsed else None
    return InlineValue(line, match.start(), match.end(), reference,
                       (parsed.group("format") or "").strip() if parsed else "",
                       match.group("fallback"), written)


def inline_values(deck: Deck) -> list[InlineValue]:
    return [inline_value(match, deck.line_of(match.start()))
            for match in INLINE_VALUE.finditer(deck.source)]


def recorded_references(deck: Deck) -> set[Reference]:
    """Every recorded value the deck claims or shows."""
    claims, _ = recorded_claims(deck)
    return {claim.reference for claim in claims} | {inline.reference for inline in inline_values(deck)
                                                    if inline.reference is not None}


def formatted(value: object, spec: str) -> str:
    """A recorded value as a slide shows it: Python's format spec (`.0%`, `,`, `.2f`)."""
    return format(value, spec)


def check_recorded(deck: Deck, values: Values) -> list[Diagnostic]:
    """Every claim of a recorded value holds, and every inline value names one that can be
    shown: errors at their lines. An inline value whose text for plain remark no longer says
    what the build shows is a warning (the .md read on its own would say something else)."""
    claims, problems = recorded_claims(deck)
    for claim in claims:
        actual, missing = claim.reference.look_up(values)
        if missing:
            problems.append(Diagnostic(deck.path, claim.line, ERROR, missing))
        elif not claim.shown:
            problems.append(Diagnostic(deck.path, claim.line, ERROR,
                                       f"the claim says the slide states '{claim.stated.shown}', but "
                                       f"the slide does not; {claim.reference} is {shown_value(actual)}"))
        elif not claim.stated.holds(actual):
            problems.append(Diagnostic(deck.path, claim.line, ERROR,
                                       f"{claim.reference} is {shown_value(actual)}, the slide says "
                                       f"{claim.stated.shown}"))
    for inline in inline_values(deck):
        problems += _inline_problems(deck, inline, values)
    return sorted(problems, key=lambda d: d.line)


def _inline_problems(deck: Deck, inline: InlineValue, values: Values) -> list[Diagnostic]:
    if inline.reference is None:
        return [Diagnostic(deck.path, inline.line, ERROR,
                           f"cannot read the value '{inline.written}': write "
                           '<!-- value: figure("SCRIPT").NAME:FORMAT -->TEXT<!-- /value -->, FORMAT '
                           "as Python's (.0%, .2f, ,)")]
    actual, missing = inline.reference.look_up(values)
    if missing:
        return [Diagnostic(deck.path, inline.line, ERROR, missing)]
    try:
        shown = formatted(actual, inline.format)
    except (ValueError, TypeError) as exc:
        return [Diagnostic(deck.path, inline.line, ERROR,
                           f"cannot show {inline.reference} ({shown_value(actual)}) as '{inline.format}': {exc}")]
    if " ".join(inline.fallback.split()) != shown:
        return [Diagnostic(deck.path, inline.line, WARNING,
                           f"the page shows {shown} here, and the deck's own text says "
                           f"'{inline.fallback}' (what remark shows without lecture): write {shown}")]
    return []


def shown_value(value: object) -> str:
    """A computed value in a message: six significant digits, a text quoted."""
    return f"{value:.6g}" if isinstance(value, float) else repr(value) if isinstance(value, str) else str(value)


# Numbers in the prose that nothing ties to the code or a figure: percentages and decimals.
# A decimal followed by a unit (`4.2 million`, `1.2k`) is a count: the parameter-count rule's.
_PROSE_NUMBER = re.compile(r"(?<![\w.,/#=-])[-\u2212]?(?:\d+(?:\.\d+)?\s?%|\d+\.\d+)(?![\w%]|\.\d)"
                           rf"(?!\s?(?:{_UNIT}))")
_URL = re.compile(r"\b(?:https?|ftp)://\S+|\bwww\.\S+|\barxiv:\S+", re.I)
_INLINE_CODE = re.compile(r"`[^`\n]*`")
_MATH = re.compile(r"\$\$.*?\$\$|\$[^$\n]*\$", re.S)


def uncovered_numbers(slide: Slide, text: str, code_lines: set[int], claimed: set[str],
                      figures: dict[str, list[str]], has_code: bool) -> list[tuple[int, str, str]]:
    """(line, number, the claim that would tie it) for each percentage and decimal in the prose of
    a slide that shows code or a figure that records values (`figures`: script -> the names it
    records), unless the slide says `not-computed` or a claim or inline value covers it."""
    if not (has_code or figures) or any(
            m.group("body").strip() == NOT_COMPUTED for m in ANNOTATION.finditer(text)):
        return []
    blank = lambda m: re.sub(r"[^\n]", " ", m.group(0))  # noqa: E731 - keeps the lines
    visible = text
    for pattern in (ANNOTATION, INLINE_VALUE, _URL, _INLINE_CODE, _MATH):
        visible = pattern.sub(blank, visible)
    found = []
    for number, line in enumerate(visible.split("\n")):
        if number in code_lines:
            continue
        for match in _PROSE_NUMBER.finditer(line):
            shown = " ".join(match.group(0).split())
            if re.sub(r"\s", "", shown) in claimed:
                continue
            if figures:
                script, names = next(iter(figures.items()))
                tie = (f'<!-- check: figure("{script}").NAME = {shown} --> (it records: '
                       f"{', '.join(names)})")
            else:
                tie = f"<!-- check: value(EXPRESSION) = {shown} -->"
            found.append((slide.start_line + number, shown, tie))
    return found
