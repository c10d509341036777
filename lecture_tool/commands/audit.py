"""`lecture check --a11y`: the built pages audited by axe-core (accessibility/audit.py), each
violation said at the deck's line of the slide it is on, and one JUnit case per slide and page.

The pipeline: Playwright and axe-core are there (else one message saying how to get them), the
decks' pages brought up to date as `lecture pdf` does it (pages.py; the course page with them),
then every slide of every deck that built without errors, the page around them and, when the
whole course is checked, the course page, audited in one browser.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from ..accessibility.audit import AuditedPage, Violation, audit_pages
from ..assets import find_axe
from ..checking.decks import CaseResult
from ..chromium import require_playwright
from ..config import Config
from ..deck import Deck
from ..diagnostics import ERROR, Collector, Diagnostic, display_path
from ..errors import LectureError
from ..layout import COURSE_PAGE, page_path
from .pages import fresh_pages

CASE = "a11y"  # the JUnit cases of the audit are named "a11y slide 3", "a11y page"


@dataclass
class _Target:
    audited: AuditedPage
    source: Path  # where its problems are said
    deck: Deck | None  # None: the course page


def audit(config: Config, decks: list[Deck], whole_course: bool, note: Collector,
          progress: Callable[[str], None]) -> list[CaseResult]:
    """Audit the decks' pages (and the course page, with `whole_course`); every violation is
    noted as an error, and each slide and page is a JUnit case."""
    require_playwright("lecture check --a11y", "runs axe-core")
    axe = find_axe(config.node_modules)
    if axe is None:
        raise LectureError("error: axe-core not found: an installed lecture-tool carries it, so "
                           "reinstall it; in the tool's own checkout, run `npm ci`")
    paths = [deck.path for deck in decks]
    course_page = config.output_dir / COURSE_PAGE
    _, broken = fresh_pages(config, paths, note, lambda line: progress(f"a11y: {line}"),
                            also_stale=whole_course and not course_page.is_file())
    targets = [_Target(AuditedPage(page_path(config, deck.path), len(deck.slides)), deck.path, deck)
               for deck in decks if deck.path not in broken and deck.slides]
    if whole_course and course_page.is_file():
        template = config.templates_dir / "index.html"
        targets.append(_Target(AuditedPage(course_page, None),
                               template if template.is_file() else course_page, None))
    if not targets:
        return []
    progress(f"a11y: auditing {len(targets)} page{'s' if len(targets) != 1 else ''} with axe-core")
    audit_pages([target.audited for target in targets], axe)
    cases = []
    for target in targets:
        cases += _report(config, target, note)
    return cases


def _report(config: Config, target: _Target, note: Collector) -> list[CaseResult]:
    """The target's violations as diagnostics, and its cases: each slide, the page around."""
    name = display_path(target.source, config.root)
    if target.audited.problem:
        message = f"not audited: {target.audited.problem}"
        note(Diagnostic(target.source, 1, ERROR, message))
        return [CaseResult(name, 1, f"{CASE} page", failure=message)]
    by_case: dict[int | None, list[str]] = {}
    said: set[tuple] = set()
    for violation in target.audited.violations:
        line = _line(target.deck, violation)
        message = _message(violation)
        by_case.setdefault(violation.slide, []).append(message)
        # A `--` step shows what the steps before it showed: their problems once.
        group = _step_group(target.deck, violation.slide)
        if (group, violation.rule, tuple(n.html for n in violation.nodes)) not in said:
            said.add((group, violation.rule, tuple(n.html for n in violation.nodes)))
            note(Diagnostic(target.source, line, ERROR, message))
    share = target.audited.seconds / ((target.audited.slides or 0) + 1)
    cases = [CaseResult(name, 1, f"{CASE} page", failure="\n".join(by_case.get(None, [])) or None,
                        seconds=share)]
    for slide in (target.deck.slides if target.deck else []):
        failures = by_case.get(slide.index + 1)
        cases.append(CaseResult(name, slide.line, f"{CASE} slide {slide.index + 1}",
                                failure="\n".join(failures) if failures else None, seconds=share))
    return cases


def _step_group(deck: Deck | None, number: int | None) -> int | None:
    """The first slide (0-based) of the `--` step group slide `number` belongs to."""
    if deck is None or number is None:
        return None
    index = number - 1
    while index > 0 and deck.slides[index].continued:
        index -= 1
    return index


def _line(deck: Deck | None, violation: Violation) -> int:
    """The slide's line; where the slide (or a step before it) names the element's image or
    link, that line."""
    if deck is None or violation.slide is None:
        return 1
    slide = deck.slides[violation.slide - 1]
    first = deck.slides[_step_group(deck, violation.slide)]
    lines = deck.source.splitlines()[first.start_line - 1:slide.end_line]
    for node in violation.nodes[:1]:
        for address in _addresses(node.html):
            for offset, text in enumerate(lines):
                if address in text:
                    return first.start_line + offset
    return slide.line


def _addresses(html: str) -> list[str]:
    return [found for found in re.findall(r'\b(?:src|href)="([^"]+)"', html) if found]


def _message(violation: Violation) -> str:
    where = f"slide #{violation.slide}" if violation.slide else "the page"
    text = f"{violation.rule} ({violation.impact}, axe-core): {violation.help}"
    if violation.nodes:
        node = violation.nodes[0]
        snippet = node.html if len(node.html) <= 120 else node.html[:117] + "..."
        more = f" and {violation.count - 1} more" if violation.count > 1 else ""
        text += f": {snippet}{more} on {where} at {_short(node.target)}: {node.message}"
    else:
        text += f" on {where}"
    return text


def _short(target: str) -> str:
    """axe's selector without remark's frame around every slide (`.remark-visible > … >
    .remark-slide-content > `): what is left is the slide's own."""
    parts = target.split(" > ")
    inside = [i for i, part in enumerate(parts) if part.startswith(".remark-slide-content")]
    return " > ".join(parts[inside[0] + 1:]) if inside and inside[0] + 1 < len(parts) else target
