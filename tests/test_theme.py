"""The look a lecturer gets without writing CSS: the title layout, the default theme, the course
page; built decks opened in Chromium and measured as a student would see them."""
from pathlib import Path

from click.testing import CliRunner

from lecture_tool.cli import main

from conftest import REPO, make_project

# A 1x1 PNG: a logo the page can load.
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c63f8cfc0f01f0005000201a5f0f5a10000000049454e44ae426082")

TITLED = """class: title-slide
title: Lecture 3: Neural [Networks]
subtitle: From least squares to <convnets>
author: Ada Lovelace
institution: Analytical Engine Society
date: 30 November 2026
logo: logo.png

Slides and notebooks: see the course page.

---

# Code from the back row

.smaller[
```python
model = Sequential([Dense(10, activation="softmax")])
```

Inline `model.fit(x, y)` too.
]

.footnote[A footnote with `code` in it.]

---

# Third

[a link](https://example.org)

---

# Fourth
"""


def build(project: Path, *args: str):
    return CliRunner().invoke(main, ["-C", str(project), "build", *args], catch_exceptions=False)


def open_deck(browser, path: Path, viewport=(1280, 720)):
    page = browser.new_page(viewport={"width": viewport[0], "height": viewport[1]})
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.goto(f"file://{path}")
    page.wait_for_function("window.slideshow !== undefined")
    page.wait_for_load_state("load")
    return page, errors


def slide(page, index: int) -> str:
    """Selector of the index-th slide (0-based)."""
    page.evaluate("(n) => slideshow.gotoSlide(n)", index + 1)
    return f".remark-slides-area .remark-slide-container:nth-child({index + 1}) .remark-slide-content"


def displayed_px(page, selector: str) -> list[float]:
    """Font size of each element as the screen shows it: remark scales the whole slide."""
    return page.evaluate("""(selector) => Array.from(document.querySelectorAll(selector), el => {
        const scaler = el.closest('.remark-slide-scaler');
        const scale = scaler.getBoundingClientRect().width / scaler.offsetWidth;
        return parseFloat(getComputedStyle(el).fontSize) * scale; })""", selector)


def test_title_slide_shows_its_properties_and_its_own_content(browser, tmp_path):
    project = make_project(tmp_path, {"deck.md": TITLED}, files={"slides/logo.png": PNG})
    result = build(project, "--strict")
    assert result.exit_code == 0, result.output
    assert (project / "build/logo.png").read_bytes() == PNG
    page, errors = open_deck(browser, project / "build/deck.html")
    title = slide(page, 0)
    block = page.inner_text(f"{title} .lecture-title-block")
    assert block.split("\n") == ["Lecture 3: Neural [Networks]", "From least squares to <convnets>",
                                 "Ada Lovelace", "Analytical Engine Society", "30 November 2026"]
    assert "Slides and notebooks: see the course page." in page.inner_text(title)
    logo = page.evaluate(f"""() => {{ const img = document.querySelector('{title} img.lecture-title-logo');
        return [img.complete && img.naturalWidth, img.getBoundingClientRect().height]; }}""")
    assert logo[0] == 1 and logo[1] > 20
    # The title reads as the largest text of the deck, and the slide's number is not shown.
    sizes = dict(zip(["title", "subtitle", "author"], [
        displayed_px(page, f"{title} .lecture-{part}")[0] for part in ("title", "subtitle", "author")]))
    assert sizes["title"] > 1.4 * sizes["subtitle"] > 1.4 * 0.9 * sizes["author"]
    assert sizes["author"] >= 26
    assert page.is_hidden(f"{title} .remark-slide-number")
    # The page's title is the deck's, and the outline counts the slides it counted before.
    assert page.title().startswith("Lecture 3: Neural [Networks] · ")
    assert page.evaluate("slideshow.getSlideCount()") == 4
    assert errors == []
    page.close()


def test_title_block_survives_steps_and_plain_remark_ignores_it(browser, remark_oracle, tmp_path):
    deck = "class: center, title-slide\ntitle: Only a title\ndate: today\n--\nA second step\n---\n# Next\n"
    project = make_project(tmp_path, {"deck.md": deck})
    assert build(project).exit_code == 0
    page, errors = open_deck(browser, project / "build/deck.html")
    assert page.evaluate("slideshow.getSlideCount()") == 3
    for index in (0, 1):  # a `--` step shows what the slide before it showed
        assert page.inner_text(f"{slide(page, index)} .lecture-title") == "Only a title"
    assert "A second step" in page.inner_text(slide(page, 1))
    assert page.query_selector(f"{slide(page, 2)} .lecture-title-block") is None
    # The deck file is plain remark, and the block changes none of the slides remark reads in it.
    source = page.evaluate("JSON.parse(document.getElementById('lecture-source').textContent)")
    plain, ours = remark_oracle(deck), remark_oracle(source)
    assert plain["count"] == ours["count"] == 3
    assert ([(s["cls"], s["continued"], s["title"]) for s in plain["slides"]]
            == [(s["cls"], s["continued"], s["title"]) for s in ours["slides"]])
    assert errors == []
    page.close()


def test_a_title_slide_with_its_own_heading_is_titled_by_it(browser, tmp_path):
    deck = ("class: title-slide\ntitle: Deck name\nauthor: Ada Lovelace\ndate: today\n\n"
            "# Written by hand\n\nSome words\n???\nnotes\n---\n# Next\n")
    project = make_project(tmp_path, {"deck.md": deck})
    assert build(project).exit_code == 0
    page, errors = open_deck(browser, project / "build/deck.html")
    # The heading stays the title, shown once; the byline follows the slide's own words.
    assert page.inner_text(slide(page, 0)).split("\n")[:5] == [
        "Written by hand", "", "Some words", "", "Ada Lovelace"]
    assert "Deck name" not in page.inner_text(slide(page, 0))
    assert page.title().startswith("Deck name · ")
    assert page.inner_text(".remark-slides-area .remark-slide-notes") == "notes"
    assert errors == []
    page.close()


def test_missing_logo_is_reported_at_its_line(tmp_path):
    project = make_project(tmp_path, {"deck.md": TITLED.replace("logo: logo.png", "logo: images/crest.svg")
                                      + "---\nclass: title-slide\ntitle: End\nlogo: ../outside.png\n"})
    result = build(project)
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if "logo" in line]
    assert lines == [  # the error first: missing files are said last (reporting.py)
        "slides/deck.md:37: error: logo '../outside.png' points outside build/: a built course can "
        "only show files inside it",
        "slides/deck.md:7: warning: logo 'images/crest.svg' not found: no slides/images/crest.svg "
        "to copy and no build step makes build/images/crest.svg"]


def test_code_and_small_print_read_from_the_back_row(browser, tmp_path):
    project = make_project(tmp_path, {"deck.md": TITLED}, files={"slides/logo.png": PNG})
    assert build(project).exit_code == 0
    page, _ = open_deck(browser, project / "build/deck.html")
    code = slide(page, 1)
    # In `.smaller`, code blocks and inline code still show at 18 px or more at 1280x720.
    block = displayed_px(page, f"{code} pre .remark-code")
    inline = displayed_px(page, f"{code} .remark-inline-code")
    assert len(block) == 1 and len(inline) == 2
    assert min(block + inline) >= 18
    footnote = displayed_px(page, f"{code} .footnote")
    assert 16 <= footnote[0] < displayed_px(page, f"{code} p")[0]
    # Links look like links, in the theme's colour rather than the browser's default blue.
    link = page.evaluate(f"""() => {{ const a = document.querySelector('{slide(page, 2)} a');
        const style = getComputedStyle(a); return [style.color, style.textDecorationLine]; }}""")
    assert link[0] not in ("rgb(0, 0, 238)", "rgb(0, 0, 0)") and link[1] == "underline"
    page.close()


def progress(page) -> list[float]:
    """The share of each slide's width its progress bar covers, slide by slide as shown."""
    shares = []
    for index in range(page.evaluate("slideshow.getSlideCount()")):
        shares.append(page.evaluate("""(selector) => {
            const content = document.querySelector(selector);
            const bar = getComputedStyle(content, '::after');
            const scaler = content.closest('.remark-slide-scaler');
            return Math.round(parseFloat(bar.width) / scaler.offsetWidth * 100) / 100; }""",
            slide(page, index)))
    return shares


def test_progress_bar_shows_the_position_in_the_deck_and_survives_a_reload(browser, tmp_path):
    project = make_project(tmp_path, {"deck.md": TITLED})
    assert build(project).exit_code == 0
    page, _ = open_deck(browser, project / "build/deck.html")
    assert progress(page) == [0.25, 0.5, 0.75, 1.0]
    # Drawn by its top border (a background would stop axe-core from checking the slide's text).
    height = page.evaluate("""() => { const bar = getComputedStyle(
        document.querySelector('.remark-slide-content'), '::after');
        return parseFloat(bar.height) + parseFloat(bar.borderTopWidth); }""")
    assert 2 <= height <= 8
    # As `lecture serve` updates a page in place: the new deck's slides get their bars.
    page.evaluate("slideshow.gotoSlide(1)")
    page.evaluate("slideshow.loadFromString('# One\\n---\\n# Two')")
    page.wait_for_function("document.querySelectorAll('.remark-slides-area .remark-slide-content').length == 2")
    assert progress(page) == [0.5, 1.0]
    page.close()


def test_a_courses_own_stylesheet_still_wins(browser, tmp_path):
    project = make_project(tmp_path, {"deck.md": TITLED}, files={
        "templates/lecture.css": ".remark-slide-content { font-size: 40px; color: rgb(200, 0, 0); }\n"})
    assert build(project).exit_code == 0
    page, _ = open_deck(browser, project / "build/deck.html")
    color = page.evaluate("getComputedStyle(document.querySelector('.remark-slide-content')).color")
    assert color == "rgb(200, 0, 0)"
    page.close()


NOTEBOOK = ('{"cells": [{"cell_type": "code", "execution_count": null, "id": "a", "metadata": {},'
            ' "outputs": [], "source": ["print(6 * 7)"]}], "metadata": {"kernelspec": {"name": "python3",'
            ' "display_name": "Python 3", "language": "python"}}, "nbformat": 4, "nbformat_minor": 5}')


def test_course_page_says_what_the_course_is_and_links_what_it_names(browser, tmp_path):
    project = make_project(
        tmp_path, {"a-intro.md": "title: Introduction\n\n# Hello\n\nSee first-steps.ipynb\n---\n# Two",
                   "b-more.md": "# More\n"},
        files={"notebooks/first-steps.ipynb": NOTEBOOK},
        config='description = "Neural networks from scratch."\nauthor = "Ada Lovelace"\n'
               'institution = "Analytical Engine Society"\nterm = "Autumn 2026"\n')
    result = build(project)
    assert result.exit_code == 0, result.output
    page = browser.new_page(viewport={"width": 1280, "height": 720})
    page.goto(f"file://{project}/build/index.html")
    text = page.inner_text("body")
    assert [line for line in text.split("\n") if line][:3] == ["Test course", "Ada Lovelace · Analytical Engine Society · Autumn 2026",
                                    "Neural networks from scratch."]
    assert "slides/" not in text and ".md" not in text
    links = page.evaluate("""() => Array.from(document.querySelectorAll('a'), a => [
        a.textContent.trim(), a.getAttribute('href'), parseFloat(getComputedStyle(a).fontSize),
        getComputedStyle(a).color])""")
    assert [(label, href) for label, href, _, _ in links] == [
        ("Introduction", "a-intro.html"), ("text version", "a-intro-text.html"),
        ("first-steps", "notebooks/first-steps.html"), ("first-steps.ipynb", "notebooks/first-steps.ipynb"),
        ("More", "b-more.html"), ("text version", "b-more-text.html")]
    # Every link leads to a file the build wrote, and what a label ends in is what it opens.
    for label, href, _, _ in links:
        assert (project / "build" / href).is_file(), href
        assert not label.endswith(".ipynb") or href.endswith(".ipynb")
    # A lecture is the largest item of its entry; nothing is the browser's default blue.
    sizes = {label: size for label, _, size, _ in links}
    assert sizes["Introduction"] > sizes["first-steps"] == sizes["first-steps.ipynb"] >= 14
    assert all(color != "rgb(0, 0, 238)" for _, _, _, color in links)
    assert "2 slides · text version" in text and "1 slide · text version" in text
    page.close()
