"""What the pages give assistive technology that remark's page lacks (issue 22, WCAG 2.1 AA): one
announcement a slide change, one slide in the accessibility tree, single-key shortcuts that can
be turned off or moved, the language and a title on every page, and a deck's text version."""
import json
import re
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from lecture_tool.commands.build import build
from lecture_tool.config import load_config
from lecture_tool.deck import read_deck
from lecture_tool.deck.model import last_steps

from conftest import make_project

DECK = """title: Access deck

# One

First slide, with ![a red square](square.png)

???

Say hello first.

---

# Two $x^2$

Second slide

--

More of it

## A part

#### A detail

---

No heading on this one.

---

# Four

Last.
"""


def built(tmp_path: Path, config: str = "", decks: dict | None = None, files: dict | None = None) -> Path:
    project = make_project(tmp_path, decks or {"deck.md": DECK},
                           {"slides/square.png": b"\x89PNG\r\n\x1a\n", **(files or {})}, config=config)
    result = build(load_config(project))
    assert not [d for d in result.diagnostics if d.severity == "error"], result.diagnostics
    return project


def open_deck(browser, project: Path, name: str = "deck.html"):
    page = browser.new_page(viewport={"width": 1280, "height": 720})
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"file://{project}/build/{name}")
    page.wait_for_function("window.slideshow !== undefined && document.getElementById('lecture-announcer')")
    return page, errors


# Counts every change to the live region's text from now on.
COUNT_ANNOUNCEMENTS = """() => {
  window.announcements = [];
  const region = document.getElementById('lecture-announcer');
  new MutationObserver(() => window.announcements.push(region.textContent))
    .observe(region, {childList: true, characterData: true, subtree: true});
}"""
HIDDEN = """() => Array.from(document.querySelectorAll('.remark-slides-area > .remark-slide-container'),
  (slide) => slide.getAttribute('aria-hidden') === 'true' && slide.hasAttribute('inert'))"""


def announcements(page) -> list[str]:
    page.wait_for_timeout(50)  # the observer's records arrive in a microtask
    return page.evaluate("window.announcements")


def test_a_slide_change_is_announced_once_with_its_number_and_title(tmp_path, browser):
    page, errors = open_deck(browser, built(tmp_path))
    region = page.locator("#lecture-announcer")
    assert region.get_attribute("role") == "status" and region.get_attribute("aria-live") == "polite"
    assert region.text_content() == "Slide 1 of 5: One"  # there to read, not announced at load
    page.evaluate(COUNT_ANNOUNCEMENTS)
    page.keyboard.press("ArrowRight")
    assert announcements(page) == ["Slide 2 of 5: Two x2"]  # a formula said once, as MathML
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    assert announcements(page)[1:] == ["Slide 3 of 5: Two x2", "Slide 4 of 5"]
    page.keyboard.press("End")
    page.keyboard.press("End")  # no change, no announcement
    assert announcements(page)[3:] == ["Slide 5 of 5: Four"]

    page.keyboard.press("p")  # presenter mode: the same, once a change
    assert page.evaluate("document.body.classList.contains('remark-presenter-mode')")
    page.keyboard.press("ArrowLeft")
    assert announcements(page)[4:] == ["Slide 4 of 5"]
    assert errors == []
    page.close()


def test_only_the_slide_shown_is_in_the_accessibility_tree(tmp_path, browser):
    page, errors = open_deck(browser, built(tmp_path))
    assert page.evaluate(HIDDEN) == [False, True, True, True, True]
    page.keyboard.press("ArrowRight")
    assert page.evaluate(HIDDEN) == [True, False, True, True, True]
    page.goto(page.url.split("#")[0] + "#5")
    page.wait_for_function("slideshow.getCurrentSlideIndex() === 4")
    assert page.evaluate(HIDDEN) == [True, True, True, True, False]
    # What a screen reader finds: the slide shown, not the one that fades out behind it.
    snapshot = page.locator("body").aria_snapshot()
    assert "Four" in snapshot and "First slide" not in snapshot and "More of it" not in snapshot

    page.keyboard.press("Home")
    page.keyboard.press("p")  # the presenter's preview of the next slide is there to be read
    preview = page.locator(".remark-preview-area")
    assert preview.get_attribute("aria-label") == "Next slide"
    assert page.evaluate("""() => Array.from(document.querySelectorAll('.remark-preview-area .remark-slide-container'),
                            (slide) => slide.hasAttribute('aria-hidden') || slide.hasAttribute('inert'))""") == [False]
    assert "Second slide" in preview.aria_snapshot()
    assert page.evaluate(HIDDEN) == [False, True, True, True, True]
    assert errors == []
    page.close()


def test_formulas_reach_screen_readers_as_mathml(tmp_path, browser):
    page, errors = open_deck(browser, built(tmp_path))
    page.keyboard.press("ArrowRight")
    mathml = page.locator(".remark-visible .katex-mathml").first
    assert mathml.evaluate("(element) => getComputedStyle(element).display") != "none"
    assert mathml.evaluate("(element) => element.closest('[aria-hidden=\"true\"]')") is None
    assert "math: x 2" in page.locator(".remark-visible").aria_snapshot()
    assert errors == []
    page.close()


def test_the_clone_window_announces_and_hides_as_the_presenter_moves(tmp_path, browser):
    page, errors = open_deck(browser, built(tmp_path))
    with page.expect_popup() as popup:
        page.keyboard.press("c")
    clone = popup.value
    clone.wait_for_function("window.slideshow !== undefined && document.getElementById('lecture-announcer')")
    clone.evaluate(COUNT_ANNOUNCEMENTS)
    page.keyboard.press("ArrowRight")
    clone.wait_for_function("slideshow.getCurrentSlideIndex() === 1")
    assert announcements(clone) == ["Slide 2 of 5: Two x2"]
    assert clone.evaluate(HIDDEN) == [True, False, True, True, True]
    assert errors == []
    clone.close()
    page.close()


def test_single_key_shortcuts_can_be_off_and_turned_on_again(tmp_path, browser):
    page, errors = open_deck(browser, built(tmp_path, config="shortcuts = false\n"))
    presenter = "document.body.classList.contains('remark-presenter-mode')"
    page.keyboard.press("p")
    page.keyboard.press("c")
    page.keyboard.press("b")
    page.keyboard.type("3")
    page.keyboard.press("Enter")
    page.wait_for_timeout(200)
    assert not page.evaluate(presenter) and len(page.context.pages) == 1  # no clone opened
    assert not page.evaluate("document.body.classList.contains('remark-blackout-mode')")
    assert page.evaluate("slideshow.getCurrentSlideIndex()") == 0
    page.keyboard.press("ArrowRight")  # keys that type no character still work
    assert page.evaluate("slideshow.getCurrentSlideIndex()") == 1

    # The visible switch: the second stop of the keyboard, after the text version's link.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Text version"
    page.keyboard.press("Tab")
    button = page.locator(".lecture-page-controls button")
    assert page.evaluate("document.activeElement.className") == "" and button.is_visible()
    assert button.get_attribute("aria-pressed") == "false"
    page.keyboard.press("Space")  # the button's, not remark's "next slide"
    assert button.get_attribute("aria-pressed") == "true"
    assert page.evaluate("slideshow.getCurrentSlideIndex()") == 1
    page.keyboard.press("p")
    assert page.evaluate(presenter)
    page.keyboard.press("Alt+Shift+K")  # the switch's own key, which has modifiers
    assert button.get_attribute("aria-pressed") == "false"
    assert page.locator("#lecture-announcer").text_content() == "Single-key shortcuts off"
    page.keyboard.press("p")
    assert page.evaluate(presenter)  # still on: the key did nothing
    assert page.evaluate("slideshow.getCurrentSlideIndex()") == 1  # nor did `K`, "previous slide"
    assert errors == []
    page.close()


def test_single_key_shortcuts_can_be_moved(tmp_path, browser):
    project = built(tmp_path, config='[tool.lecture.keys]\np = "Alt+P"\nc = false\nj = "shift+c"\n')
    page, errors = open_deck(browser, project)
    presenter = "document.body.classList.contains('remark-presenter-mode')"
    page.keyboard.press("p")
    page.keyboard.press("c")
    page.wait_for_timeout(200)
    assert not page.evaluate(presenter) and len(page.context.pages) == 1
    page.keyboard.press("Alt+P")
    assert page.evaluate(presenter)
    page.keyboard.press("Shift+C")  # `j`, "next slide", moved there; the `C` it types opens nothing
    page.wait_for_timeout(200)
    assert page.evaluate("slideshow.getCurrentSlideIndex()") == 1 and len(page.context.pages) == 1
    page.keyboard.press("j")
    assert page.evaluate("slideshow.getCurrentSlideIndex()") == 1
    page.keyboard.press("k")  # the others are as remark has them
    assert page.evaluate("slideshow.getCurrentSlideIndex()") == 0
    assert errors == []
    page.close()


def headings_and_images(page) -> tuple[list[tuple[int, str]], list[str]]:
    """The headings (level, name) and the images (name) a screen reader finds in a page's
    <main>, in order (Chromium's accessibility tree, as Playwright writes it)."""
    tree = page.locator("main").aria_snapshot()
    headings = [(int(level), name) for name, level in
                re.findall(r'heading "([^"]*)" \[level=(\d)\]', tree)]
    return headings, re.findall(r'img "([^"]*)"', tree)


def test_the_text_version_holds_every_slide_once_with_its_notes(tmp_path, browser):
    project = built(tmp_path)
    text = (project / "build/deck-text.html").read_text()
    assert text.index("First slide") < text.index("Say hello first.") < text.index("Second slide")
    assert text.count("Second slide") == 1 and "More of it" in text  # each step group once, complete
    assert '<html lang="en">' in text and "<title>Access deck (text version) · Test course</title>" in text
    assert '<math xmlns="http://www.w3.org/1998/Math/MathML">' in text  # KaTeX at build time
    # Each section links to its slide: a step group's last step.
    assert '<a href="deck.html#3">Slide 3</a>' in text and 'href="deck.html#2"' not in text
    index = (project / "build/index.html").read_text()
    assert '<a class="deck-text" href="deck-text.html">text version</a>' in index

    page, errors = open_deck(browser, project)
    link = page.locator("a.lecture-skip-link")
    assert link.text_content() == "Text version" and link.bounding_box()["width"] <= 1
    page.keyboard.press("Tab")
    assert link.bounding_box()["width"] > 1  # the page's first stop, shown when focused
    page.keyboard.press("Enter")
    page.wait_for_url("**/deck-text.html")
    headings, images = headings_and_images(page)
    # The deck's title, each slide's title, then a slide's own headings under it, none skipped
    # (`##` and `####` become h3 and h4), and its notes.
    assert headings == [(1, "Access deck"), (2, "One"), (3, "Notes"), (2, "Two"), (3, "A part"),
                        (4, "A detail"), (2, "Slide 4"), (2, "Four")]
    assert images == ["a red square"]
    assert page.evaluate("document.querySelector('h2 math') !== null")  # the title's formula, MathML
    assert page.evaluate("document.querySelectorAll('.katex-error').length") == 0
    assert errors == []
    page.close()


def test_the_text_version_of_the_lecture_has_every_slide_title_in_order(built_course, browser):
    slides = read_deck(built_course.root / "slides/lecture3-neural-networks.md").slides
    page = browser.new_page()
    page.goto(f"file://{built_course.root}/build/lecture3-neural-networks-text.html")
    headings, _ = headings_and_images(page)
    complete = last_steps(slides)
    assert len(complete) == 58  # of 66 slides: the `--` steps are folded
    assert [name for level, name in headings if level == 2] == [
        slide.title or f"Slide {slide.index + 1}" for slide in complete]
    assert headings[0] == (1, "Lecture 3: Neural Networks")
    assert page.evaluate("document.querySelectorAll('.katex-error').length") == 0
    page.close()


def test_the_text_version_is_part_of_the_no_op_build(tmp_path):
    project = built(tmp_path)
    config = load_config(project)
    text = project / "build/deck-text.html"
    before = text.stat().st_mtime_ns
    assert build(config).written == []
    assert text.stat().st_mtime_ns == before
    text.unlink()  # an output gone: the build makes it again
    assert build(config).written == [text]
    (project / "slides/deck.md").write_text(DECK.replace("Say hello first.", "Say goodbye."))
    again = build(config).written
    assert text in again and "Say goodbye." in text.read_text()


def test_the_text_version_keeps_a_scaled_images_text(tmp_path):
    """`![:scale 50%, TEXT](src)`: the words after the width are the image's text, on the slide
    and in the text version; `""` says it is decorative."""
    deck = ("# Pictures\n\n![:scale 50%, A cat on a mat, asleep](cat.png)\n\n"
            '![:scale 20%, ""](line.png)\n')
    project = make_project(tmp_path, {"deck.md": deck}, {"slides/cat.png": b"", "slides/line.png": b""})
    build(load_config(project))
    text = (project / "build/deck-text.html").read_text()
    assert '<img src="cat.png" alt="A cat on a mat, asleep"' in text
    assert '<img src="line.png" alt=""' in text


def test_a_deck_named_like_another_decks_text_version_is_not_built(tmp_path):
    project = make_project(tmp_path, {"a.md": "# A\n", "a-text.md": "# Not A's text\n"})
    result = build(load_config(project))
    assert [d.format(project) for d in result.diagnostics] == [
        "slides/a.md:1: error: not built: its text version would be build/a-text.html, which is "
        "the page of slides/a-text.md; rename the deck"]


def test_pages_say_their_language_and_title(tmp_path):
    project = built(tmp_path, config='language = "de"\n', decks={
        "deck.md": DECK, "french.md": "lang: fr\n\n# Bonjour\n", "odd.md": "lang: not a tag!\n\n# Odd\n"})
    out = project / "build"
    assert '<html lang="de">' in (out / "deck.html").read_text()
    assert "<title>Access deck · Test course</title>" in (out / "deck.html").read_text()
    assert '<html lang="fr">' in (out / "french.html").read_text()
    assert '<html lang="fr">' in (out / "french-text.html").read_text()
    assert '<html lang="de">' in (out / "odd.html").read_text()  # not a language: the course's
    index = (out / "index.html").read_text()
    assert '<html lang="de">' in index and "<title>Test course</title>" in index


def test_a_notebook_page_says_its_language_and_title(tmp_path):
    notebook = new_notebook()
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    notebook.cells = [new_code_cell("x = 1"), new_markdown_cell("Intro.\n\n## Fitting a *line* \n\nText"),
                      new_markdown_cell("# Later")]
    project = make_project(tmp_path, {"deck.md": "# A\n"}, config='language = "en-GB"\n',
                           files={"notebooks/fit.ipynb": nbformat.writes(notebook)})
    from lecture_tool.jobs.notebooks import make_notebooks

    result = make_notebooks(load_config(project))
    assert result.diagnostics == []
    page = (project / "build/notebooks/fit.html").read_text()
    assert '<html lang="en-GB">' in page
    assert "<title>Fitting a *line*</title>" in page
    saved = json.loads((project / "build/notebooks/fit.ipynb").read_text())
    assert "title" not in saved["metadata"]  # the executed copy is the notebook as written
