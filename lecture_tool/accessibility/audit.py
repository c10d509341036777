"""Built pages audited by axe-core in headless Chromium, against WCAG 2.1 AA (the rules axe
tags wcag2a, wcag2aa, wcag21a and wcag21aa): `lecture check --a11y`.

remark shows one slide at a time, and what is not shown is not on screen, so a deck's page is
audited as a student meets it: opened from disk, the page around the slides once (the document
itself: its language, its title, remark's help and notes), then each slide in turn, shown by
`slideshow.gotoSlide(n)` (what `#n` in the address does) and audited alone. A page without
slides (the course page) is audited whole. axe-core is added to the audit's own tab, never to
the page, as printing adds its stylesheet.

One tab per page, a few side by side. A deck's slides stay in its one tab: opening the page and
reading axe-core again in a second tab cost more than it saved (lecture 3: 7.2 s in one tab, 8
to 12 s in two or three, on two busy cores). This module audits the pages there are; it does
not know how they are made.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..chromium import find_browser, headless_chromium, in_tabs

HERE = Path(__file__).resolve().parent
TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")
LOAD_TIMEOUT_MS = 120_000  # a 1,000-slide deck loads in a few seconds; this is for a stuck page


@dataclass(frozen=True)
class Node:
    target: str  # axe's CSS selector of the element
    html: str  # the element's opening tag, as axe quotes it
    message: str  # what is wrong with it: the first check that failed


@dataclass(frozen=True)
class Violation:
    slide: int | None  # remark's slide number (`#n`); None: the page around the slides, or a
    # page without slides
    rule: str  # axe's rule id: "image-alt"
    impact: str  # "minor", "moderate", "serious", "critical"
    help: str  # axe's one-line description of the rule
    count: int  # elements that break it
    nodes: tuple[Node, ...]  # the first few


@dataclass
class AuditedPage:
    """A built page to audit, and what the audit found on it."""
    page: Path
    slides: int | None  # how many slides the deck has (the page must show as many); None: no slides
    violations: list[Violation] = field(default_factory=list)
    problem: str | None = None  # why it could not be audited
    seconds: float = 0.0


def audit_pages(pages: list[AuditedPage], axe_script: Path) -> None:
    """Audit every page (filling its `violations`, or its `problem`), in one browser."""
    import asyncio

    asyncio.run(_audit_all(pages, axe_script.read_text(encoding="utf-8"), find_browser()))


async def _audit_all(pages: list[AuditedPage], axe: str, executable: str | None) -> None:
    import time

    async with headless_chromium(executable, "audit") as browser:
        async def audit_one(audited: AuditedPage) -> None:
            started = time.perf_counter()
            try:
                audited.violations = await _audit_page(browser, audited, axe)
            finally:
                audited.seconds = time.perf_counter() - started

        # The longest first, so that a long deck does not start last.
        await in_tabs(sorted(pages, key=lambda audited: -(audited.slides or 0)), audit_one)


async def _audit_page(browser, audited: AuditedPage, axe: str) -> list[Violation]:
    # The slide's size as a 1280x720 screen shows it, as `lecture pdf` prints it.
    page = await browser.new_page(viewport={"width": 1280, "height": 720})
    try:
        await page.goto(audited.page.resolve().as_uri(), wait_until="load", timeout=LOAD_TIMEOUT_MS)
        if audited.slides is not None:
            await page.wait_for_function("() => window.slideshow !== undefined", timeout=LOAD_TIMEOUT_MS)
            shown = await page.evaluate("() => slideshow.getSlideCount()")
            if shown != audited.slides:
                audited.problem = (f"the page shows {shown} slides and the deck has "
                                   f"{audited.slides}: rebuild it (lecture build)")
                return []
        await page.add_script_tag(content=axe)
        found = await page.evaluate(_script(), {"slides": list(range(1, (audited.slides or 0) + 1)),
                                                "tags": list(TAGS)})
    finally:
        await page.close()
    violations = [Violation(item["slide"], item["rule"], item["impact"], item["help"], item["count"],
                            tuple(Node(node["target"], _one_line(node["html"]), node["message"])
                                  for node in item["nodes"]))
                  for item in found]
    return sorted(violations, key=lambda v: (v.slide or 0, v.rule))


def _one_line(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


@functools.cache
def _script() -> str:
    """audit.js, kept beside this module as a file of its own (one function expression)."""
    text = (HERE / "audit.js").read_text(encoding="utf-8")
    # Playwright tells a function from an expression by how the text begins: not by a comment.
    return "\n".join(line for line in text.splitlines() if not line.startswith("//"))
