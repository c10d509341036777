"""Accessibility, WCAG 2.1 AA: `lecture check --a11y` (axe-core in real Chromium, every slide),
and the contrast of the stylesheet computed at build time."""
import json
import os
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from xml.etree import ElementTree

import pytest

from conftest import CHROMIUM, REPO, make_project, run_without_playwright

from lecture_tool.accessibility.audit import AuditedPage, audit_pages
from lecture_tool.accessibility.contrast import contrast_ratio
from lecture_tool.accessibility.css import parse_colour, parse_stylesheet, resolve_vars
from lecture_tool.accessibility.selectors import Element, matches, parse_selector
from lecture_tool.assets import find_axe
from lecture_tool.config import load_config
from lecture_tool.deck import read_deck

LECTURE = [sys.executable, "-m", "lecture_tool"]

# Slide 2 breaks two rules of WCAG 2.1 AA, as raw HTML a deck may hold: an image with no text
# (1.1.1) and pale text (1.4.3). Slide 3's code line is longer than the slide.
BROKEN = """# An accessible slide

Plain words.

---

# Two problems

<img src="dot.png">

<span style="color: #bbbbbb">Pale words</span>

---

# Long code

```python
message = "a line of code so long that the block scrolls sideways: " + "and on and on and on" * 3
# a comment
```

---

# A step

--

And more.
"""
FIXED = (BROKEN.replace('<img src="dot.png">', '<img src="dot.png" alt="A red dot">')
         .replace("#bbbbbb", "#555555"))
# A 1x1 PNG.
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c63f8cfc0f01f0005000201a5f0f5a10000000049454e44ae426082")


def lecture(project: Path, *args: str) -> subprocess.CompletedProcess:
    environment = {**os.environ, "LECTURE_CHROMIUM": CHROMIUM}
    return subprocess.run([*LECTURE, "-C", str(project), *args], capture_output=True, text=True,
                          env=environment, timeout=600)


def line_of(text: str, needle: str) -> int:
    return text[:text.index(needle)].count("\n") + 1


def test_a_deck_made_to_break_axe_fails_at_the_lines_of_its_slides(tmp_path):
    project = make_project(tmp_path, {"deck.md": BROKEN}, {"slides/dot.png": PNG})
    report = tmp_path / "report.xml"
    result = lecture(project, "check", "--a11y", "--junit-xml", str(report))
    assert result.returncode == 1, result.stderr
    errors = [line for line in result.stderr.splitlines() if ": error: " in line]
    # The image at its own line; the pale text at its slide's first line.
    image, pale = line_of(BROKEN, '<img src="dot.png">'), line_of(BROKEN, "# Two problems")
    assert len(errors) == 2, result.stderr
    assert errors[0].startswith(f"slides/deck.md:{pale}: error: color-contrast (serious, axe-core): ")
    assert "#bbbbbb" in errors[0] and "on slide #2" in errors[0]
    assert errors[1].startswith(f"slides/deck.md:{image}: error: image-alt (critical, axe-core): "
                                "Images must have alternative text: <img src=\"dot.png\"> on slide #2")
    assert "audited 5 slides on 2 pages" in result.stderr
    # In the JUnit report, as failures of the deck's own suite, one case per slide and page.
    suites = {suite.get("name"): suite for suite in ElementTree.parse(report).getroot()}
    deck = suites["slides/deck.md"]
    failed = {case.get("name"): case.find("failure").get("message")
              for case in deck if case.find("failure") is not None}
    assert list(failed) == [f"slides/deck.md:{pale} a11y slide 2"]
    assert "image-alt" in failed[f"slides/deck.md:{pale} a11y slide 2"]
    assert "color-contrast" in failed[f"slides/deck.md:{pale} a11y slide 2"]
    assert {case.get("name") for case in deck} >= {"slides/deck.md:1 a11y page",
                                                    "slides/deck.md:1 a11y slide 1"}
    assert suites["decks"].get("failures") == "0"  # said once, by the slide's case

    (project / "slides/deck.md").write_text(FIXED)
    result = lecture(project, "check", "--a11y")
    assert result.returncode == 0, result.stderr
    assert "0 errors, 0 warnings" in result.stderr


def test_the_page_lets_the_keyboard_scroll_a_wide_code_block(browser, tmp_path):
    """What axe's scrollable-region-focusable asks, done: the block takes focus, and there the
    right arrow scrolls it instead of changing slides."""
    project = make_project(tmp_path, {"deck.md": BROKEN}, {"slides/dot.png": PNG})
    assert lecture(project, "build").returncode == 0
    page = browser.new_page(viewport={"width": 1280, "height": 720})
    page.goto(f"file://{project}/build/deck.html")
    page.wait_for_function("window.slideshow !== undefined")
    page.evaluate("slideshow.gotoSlide(3)")
    block = ".remark-visible pre > code.remark-code"
    page.focus(block)
    page.keyboard.press("ArrowRight")
    assert page.evaluate("slideshow.getCurrentSlideIndex()") == 2
    # The browser scrolls smoothly: some frames later.
    page.wait_for_function(f"document.querySelector('{block}').scrollLeft > 0", timeout=5000)
    page.keyboard.press("ArrowDown")  # the other keys still change slides
    assert page.evaluate("slideshow.getCurrentSlideIndex()") == 3
    page.close()


def test_without_playwright_the_audit_names_the_extra(tmp_path):
    project = make_project(tmp_path, {"deck.md": "# One\n"})
    result = run_without_playwright(project, "check", "--a11y")
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1] == (
        "error: lecture check --a11y runs axe-core in Chromium through Playwright, which is not "
        "installed: pip install 'lecture-tool[pdf]'")


def test_lecture_3_and_its_course_page_have_no_violations(built_course, monkeypatch):
    config = load_config(built_course.root)
    deck = read_deck(config.deck_named("lecture3-neural-networks"))
    pages = [AuditedPage(built_course.root / "build/lecture3-neural-networks.html", len(deck.slides)),
             AuditedPage(built_course.root / "build/index.html", None)]
    monkeypatch.setenv("LECTURE_CHROMIUM", CHROMIUM)
    # In a thread of its own: another test of this worker may have left the synchronous
    # Playwright's event loop running in the main thread, where asyncio.run() refuses to start.
    with ThreadPoolExecutor(1) as thread:
        thread.submit(audit_pages, pages, find_axe(config.node_modules)).result()
    assert [page.problem for page in pages] == [None, None]
    found = [(page.page.name, v.slide, v.rule, v.nodes[0].html) for page in pages for v in page.violations]
    assert found == []


def test_axe_core_is_pinned_by_the_lock_file():
    lock = json.loads((REPO / "package-lock.json").read_text())
    pinned = lock["packages"]["node_modules/axe-core"]["version"]
    assert json.loads((REPO / "package.json").read_text())["dependencies"]["axe-core"] == pinned
    assert json.loads((REPO / "node_modules/axe-core/package.json").read_text())["version"] == pinned


# The contrast of the stylesheet, at build time.

def build(project: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*LECTURE, "-C", str(project), "build", *args], capture_output=True,
                          text=True, timeout=300)


def test_the_packaged_theme_has_enough_contrast(tmp_path):
    project = make_project(tmp_path, {"deck.md": "# One\n\n```python\nx = 1  # one\n```\n"})
    result = build(project, "--strict")
    assert result.returncode == 0, result.stderr
    assert "contrast" not in result.stderr and "0 warnings" in result.stderr


def test_a_courses_low_contrast_class_is_a_warning_at_its_line(tmp_path):
    theme = (REPO / "lecture_tool/templates/lecture.css").read_text()
    own = theme + (".pale { color: #aaaaaa; }\n"
                   "{% for n in range(2) %}\n.note{{ n }} { color: hsl(0, 0%, 80%); }\n{% endfor %}\n"
                   ".boxed { background: #fdd; color: #c00; }\n")  # 4.5:1 and more: no warning
    project = make_project(tmp_path, {"deck.md": "# One\n\n.pale[Pale]\n"},
                           {"templates/lecture.css": own})
    result = build(project)
    assert result.returncode == 0, result.stderr
    warnings = [line for line in result.stderr.splitlines() if ": warning: " in line]
    pale, loop = line_of(own, ".pale"), line_of(own, ".note{{ n }}")
    assert warnings == [
        f"templates/lecture.css:{pale}: warning: contrast of .pale: #aaaaaa on #ffffff is 2.32:1, "
        "below the 3:1 that WCAG 2.1 AA asks of large text: darken it or lighten what is behind "
        "it, or the other way round",
        f"templates/lecture.css:{loop}: warning: contrast of .note0, .note1: #cccccc on #ffffff is "
        "1.60:1, below the 3:1 that WCAG 2.1 AA asks of large text: darken it or lighten what is "
        "behind it, or the other way round"]
    assert build(project, "--strict").returncode == 1
    # A no-op build says them again.
    again = build(project)
    assert [line for line in again.stderr.splitlines() if ": warning: " in line] == warnings


def test_a_highlight_style_that_falls_short_is_said_at_its_setting(tmp_path):
    project = make_project(tmp_path, {"deck.md": "# One\n"},
                           config='\n[tool.lecture.remark]\nhighlightStyle = "github-gist"\n')
    result = build(project)
    setting = line_of((project / "pyproject.toml").read_text(), "highlightStyle")
    comment = [line for line in result.stderr.splitlines() if ".hljs-comment, .hljs-meta in code" in line]
    assert comment == [
        f"pyproject.toml:{setting}: warning: contrast of .hljs-comment, .hljs-meta in code "
        "(highlightStyle github-gist): #969896 on #ffffff is 2.90:1, below the 4.5:1 that WCAG "
        "2.1 AA asks of text: choose another highlightStyle, or set the token's colour in "
        "templates/lecture.css"]


def test_wcag_contrast_of_known_pairs():
    white, black = parse_colour("white"), parse_colour("#000")
    assert contrast_ratio(white, black) == pytest.approx(21.0)
    assert contrast_ratio(parse_colour("#777"), white) == pytest.approx(4.48, abs=0.01)
    assert contrast_ratio(parse_colour("rgb(0 0 255)"), white) == pytest.approx(8.59, abs=0.01)
    assert parse_colour("hsl(120deg 100% 25%)")[:3] == pytest.approx((0, 127.5, 0))
    assert parse_colour("rgba(255, 0, 0, 50%)") == (255, 0, 0, 0.5)
    assert parse_colour("#ff000080")[3] == pytest.approx(128 / 255)
    assert parse_colour("rebeccapurple") == (102, 51, 153, 1.0)
    assert parse_colour("color-mix(in srgb, red, blue)") is None


def test_css_reader_keeps_lines_and_reads_variables():
    rules = parse_stylesheet("/* a\ncomment */\n:root { --fg: var(--base, #123); }\n"
                             "@media screen {\n  .a, .b > c { color: var(--fg) !important; }\n}\n"
                             "@font-face { font-family: x; }\na::after { content: \"}\"; }\n")
    assert [(rule.selectors, rule.line) for rule in rules] == [
        ((":root",), 3), ((".a", ".b > c"), 5), (("a::after",), 8)]
    colour = rules[1].declarations[0]
    assert (colour.name, colour.value, colour.important, colour.line) == ("color", "var(--fg)", True, 5)
    assert resolve_vars("var(--fg)", {"--fg": "var(--base, #123)"}) == "#123"
    assert resolve_vars("var(--nothing)", {}) is None


def test_selectors_match_as_the_browser_does():
    code = (Element("div", frozenset({"remark-slide-content", "hljs-github"})), Element("pre"),
            Element("code", frozenset({"remark-code", "hljs"})))
    assert matches(parse_selector(".hljs-github .hljs"), code)
    assert matches(parse_selector(".remark-slide-content > pre .remark-code"), code)
    assert not matches(parse_selector(".remark-slide-content > .hljs"), code)
    assert not matches(parse_selector(".hljs-monokai .hljs"), code)
    assert matches(parse_selector('[class*="slide-content"] code:not(.x)'), code)
    visited = (Element("body"), Element("a", states=frozenset({"visited"})))
    assert matches(parse_selector("a:visited"), visited) and not matches(parse_selector("a:link"), visited)
    after = (*code[:1], Element("div", frozenset({"remark-slide-content"}), pseudo="after"))
    assert matches(parse_selector(".remark-slide-content::after"), after)
    assert not matches(parse_selector(".remark-slide-content"), after)


def test_the_course_page_is_audited_by_the_first_shard_only(tmp_path):
    project = make_project(tmp_path, {"one.md": "# One\n", "two.md": "# Two\n"})
    pages = []
    for shard in ("1/2", "2/2"):
        result = lecture(project, "check", "--a11y", "--shard", shard)
        assert result.returncode == 0, result.stderr
        pages.append(re.search(r"audited \d+ slides? on (\d+) pages?", result.stderr).group(1))
    assert pages == ["2", "1"]  # its deck's page and the course page; its deck's page
