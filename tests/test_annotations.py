"""Annotations: strokes drawn in the presenter view, shown in the clone, saved beside the deck,
kept across rebuilds and other slides' edits, printed by `lecture pdf --annotated`."""
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from PIL import Image
from pypdf import PdfReader

from lecture_tool import annotations
from lecture_tool.cli import main

from conftest import REPO, make_project

DECK = "# One\n\nfirst\n---\n# Two\n\nsecond\n---\n# Three\n"
GREEN, BLUE = "#00a000", "#0000ff"


def run(project: Path, *args: str):
    return CliRunner().invoke(main, ["-C", str(project), *args], catch_exceptions=False)


def keys_of(project: Path, stem: str = "deck") -> list[str]:
    page = (project / "build" / f"{stem}.html").read_text()
    found = re.search(r'id="lecture-annotation-keys">(.*?)</script>', page).group(1)
    return json.loads(found)["keys"]


def stroke(color: str = GREEN, points=((0.1, 0.5), (0.5, 0.55), (0.9, 0.5)), width: float = 0.02) -> dict:
    return {"tool": "pen", "color": color, "width": width, "points": [list(p) for p in points]}


def body(slides: dict) -> bytes:
    return json.dumps({"format": 1, "slides": slides}).encode()


# --- the format and save() --------------------------------------------------------------------

def test_save_writes_the_file_keeps_other_slides_and_removes_emptied_ones(tmp_path):
    slides = tmp_path / "slides"
    slides.mkdir()
    (slides / "deck.md").write_text(DECK)
    one, two = "0123456789abcdef", "fedcba9876543210"
    annotations.save(slides, "deck", body({one: {"strokes": [stroke()]}, two: {"strokes": [stroke(BLUE)]}}))
    saved = json.loads((slides / "deck.annotations.json").read_text())
    assert saved["format"] == 1 and set(saved["slides"]) == {one, two}
    assert saved["slides"][one]["strokes"][0]["color"] == GREEN
    # A page that knows only slide `one` clears it: `two` (a slide it no longer has) stays.
    annotations.save(slides, "deck", body({one: {"strokes": [], "board": None}}))
    assert set(json.loads((slides / "deck.annotations.json").read_text())["slides"]) == {two}
    annotations.save(slides, "deck", body({one: {"strokes": [], "board": {"strokes": []}}}))
    assert json.loads((slides / "deck.annotations.json").read_text())["slides"][one]["board"] == {"strokes": []}
    assert sorted(path.name for path in slides.iterdir()) == ["deck.annotations.json", "deck.md"]  # no temp left


@pytest.mark.parametrize("data, message", [
    (b"{", "not JSON"),
    (b'{"format": 2, "slides": {}}', "format 2"),
    (b'{"format": 1, "slides": {"x": {}}}', "not a slide key"),
    (body({"0123456789abcdef": {"strokes": [stroke() | {"tool": "spray"}]}}), "tool: 'spray'"),
    (body({"0123456789abcdef": {"strokes": [stroke("red")]}}), "not a colour"),
    (body({"0123456789abcdef": {"strokes": [stroke(width=3)]}}), "width: 3"),
    (body({"0123456789abcdef": {"strokes": [stroke(points=[(0.1, "a")])]}}), "points[0]"),
])
def test_save_refuses_what_is_not_annotations_and_leaves_the_file(tmp_path, data, message):
    slides = tmp_path / "slides"
    slides.mkdir()
    (slides / "deck.md").write_text(DECK)
    (slides / "deck.annotations.json").write_text('{"format": 1, "slides": {}}\n')
    with pytest.raises(ValueError, match=re.escape(message)):
        annotations.save(slides, "deck", data)
    assert (slides / "deck.annotations.json").read_text() == '{"format": 1, "slides": {}}\n'


@pytest.mark.parametrize("stem", ["nodeck", "../deck", "a/b", ""])
def test_save_names_only_a_deck_of_the_course(tmp_path, stem):
    slides = tmp_path / "slides"
    slides.mkdir()
    (slides / "deck.md").write_text(DECK)
    with pytest.raises(ValueError, match="no deck"):
        annotations.save(slides, stem, body({}))
    assert not list(tmp_path.rglob("*.annotations.json"))


def test_slide_keys_follow_content_not_position():
    before = annotations.slide_keys([(False, "# One"), (False, "# Two"), (True, "more")])
    after = annotations.slide_keys([(False, "# New"), (False, "# One"), (False, "# Two"), (True, "more")])
    assert after[1:] == before
    assert annotations.slide_keys([(False, "# One, edited"), (False, "# Two")])[1] == before[1]
    assert annotations.slide_keys([(False, "# One, edited")])[0] != before[0]
    # The same text twice is two slides.
    twice = annotations.slide_keys([(False, "---"), (False, "---")])
    assert twice[0] != twice[1] and twice[1].startswith(twice[0])


# --- the build --------------------------------------------------------------------------------

def test_a_broken_annotations_file_is_an_error_and_the_deck_still_builds(tmp_path):
    project = make_project(tmp_path, {"deck.md": DECK},
                           {"slides/deck.annotations.json": '{"format": 1,\n "slides": [}'})
    result = run(project, "build")
    assert result.exit_code == 1
    assert re.search(r"slides/deck\.annotations\.json:2: error: not JSON: .*built without their strokes",
                     result.output)
    assert (project / "build" / "deck.html").is_file()
    assert (project / "build" / "deck.annotations.js").read_text() == \
        'window.lectureAnnotations = {"format": 1, "slides": {}};\n'
    assert not (project / "build" / "deck.annotations.json").exists()  # not copied as a file


def test_changed_annotations_rebuild_no_page(tmp_path):
    project = make_project(tmp_path, {"deck.md": DECK})
    assert run(project, "build").exit_code == 0
    page = project / "build" / "deck.html"
    made = page.stat().st_mtime_ns
    key = keys_of(project)[1]
    annotations.save(project / "slides", "deck", body({key: {"strokes": [stroke()]}}))
    result = run(project, "build")
    assert result.exit_code == 0 and "1 file written" in result.output
    assert page.stat().st_mtime_ns == made
    assert key in (project / "build" / "deck.annotations.js").read_text()


# --- in the browser ---------------------------------------------------------------------------

# What `lecture serve` gives a served page (window.lectureLive), standing in for it until the
# server does: it records what the page broadcasts and saves.
LIVE_STUB = """
window.lectureSaved = [];
window.lectureBroadcasts = [];
window.lectureLive = {role: 'presenter', canSave: true, broadcast(m) { window.lectureBroadcasts.push(m); },
  saveAnnotations(stem, text) { window.lectureSaved.push([stem, text]); return Promise.resolve(); }};
"""


def ink_paths(page, index: int) -> list[dict]:
    return page.evaluate("""(i) => Array.from(document.querySelectorAll(
        '.remark-slides-area > .remark-slide-container')[i].querySelectorAll('svg.lecture-ink path'))
        .map((p) => ({stroke: p.getAttribute('stroke'), d: p.getAttribute('d')}))""", index)


def draw_line(page) -> None:
    box = page.locator(".remark-slides-area .remark-visible svg.lecture-ink").bounding_box()
    page.mouse.move(box["x"] + box["width"] * 0.2, box["y"] + box["height"] * 0.5)
    page.mouse.down()
    for step in range(1, 11):
        page.mouse.move(box["x"] + box["width"] * (0.2 + step * 0.05), box["y"] + box["height"] * 0.5)
    page.mouse.up()


def test_pen_strokes_show_in_the_clone_and_are_saved_and_kept(browser, tmp_path):
    project = make_project(tmp_path, {"deck.md": DECK})
    assert run(project, "build").exit_code == 0
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    context.add_init_script(LIVE_STUB)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto((project / "build" / "deck.html").as_uri() + "#2")
    page.wait_for_function("window.lectureAnnotate !== undefined")
    with page.expect_popup() as opened:
        page.keyboard.press("c")
    clone = opened.value
    clone.wait_for_function("window.lectureAnnotate !== undefined")
    page.bring_to_front()
    page.keyboard.press("p")
    # The toolbar, by keyboard: focus the pen and press it with Space (the slide stays).
    page.focus(".lecture-annotate-pen")
    page.keyboard.press("Space")
    assert page.get_attribute(".lecture-annotate-pen", "aria-pressed") == "true"
    assert page.evaluate("slideshow.getCurrentSlideIndex()") == 1
    draw_line(page)
    assert [p["stroke"] for p in ink_paths(page, 1)] == ["#d62728"]
    clone.wait_for_function("""() => document.querySelectorAll(
        '.remark-slides-area > .remark-slide-container')[1].querySelectorAll('svg.lecture-ink path').length === 1""")
    assert ink_paths(clone, 1) == ink_paths(clone, 1) and ink_paths(clone, 1)[0]["stroke"] == "#d62728"
    assert ink_paths(clone, 0) == [] and ink_paths(clone, 2) == []
    page.wait_for_function("window.lectureSaved.length > 0")
    page.wait_for_function("document.querySelector('.lecture-annotate-status').textContent === 'Saved'")
    stem, text = page.evaluate("window.lectureSaved[window.lectureSaved.length - 1]")
    assert stem == "deck"
    # What the server does with it (annotations.save); then a rebuild shows it from disk.
    annotations.save(project / "slides", "deck", text.encode())
    key = keys_of(project)[1]
    saved = json.loads((project / "slides" / "deck.annotations.json").read_text())["slides"]
    assert list(saved) == [key]
    points = saved[key]["strokes"][0]["points"]
    assert len(points) > 5 and all(abs(y - 0.5) < 0.02 for _, y in points)
    assert points[0][0] < 0.25 and points[-1][0] > 0.65
    # A follower's page gets what the presenter broadcast as `lecture:broadcast` events.
    sent = page.evaluate("window.lectureBroadcasts")
    assert sent and sent[-1]["key"] == key
    follower = context.new_page()
    follower.add_init_script("window.lectureLive = {role: 'follower', canSave: false, broadcast() {}};")
    follower.goto((project / "build" / "deck.html").as_uri() + "#2")
    follower.wait_for_function("window.lectureAnnotate !== undefined")
    assert ink_paths(follower, 1) == []  # its page was built before the stroke was saved
    follower.evaluate("(m) => window.dispatchEvent(new CustomEvent('lecture:broadcast', {detail: m}))", sent[-1])
    assert [p["stroke"] for p in ink_paths(follower, 1)] == ["#d62728"]
    context.close()
    assert errors == []

    assert run(project, "build").exit_code == 0
    visit = browser.new_page(viewport={"width": 900, "height": 700})
    visit.goto((project / "build" / "deck.html").as_uri())
    visit.wait_for_function("window.lectureAnnotate !== undefined")
    assert [p["stroke"] for p in ink_paths(visit, 1)] == ["#d62728"]
    assert ink_paths(visit, 0) == []
    # An inserted slide before it: the strokes stay on "Two", now the third slide.
    (project / "slides" / "deck.md").write_text("# New\n---\n" + DECK)
    assert run(project, "build").exit_code == 0
    visit.reload()
    visit.wait_for_function("window.lectureAnnotate !== undefined")
    assert [len(ink_paths(visit, i)) for i in range(4)] == [0, 0, 1, 0]
    # "Two" edited: another slide, with no strokes; they stay in the file (the edit may be undone).
    (project / "slides" / "deck.md").write_text("# New\n---\n" + DECK.replace("second", "second, edited"))
    assert run(project, "build").exit_code == 0
    visit.reload()
    visit.wait_for_function("window.lectureAnnotate !== undefined")
    assert [len(ink_paths(visit, i)) for i in range(4)] == [0, 0, 0, 0]
    assert key in json.loads((project / "slides" / "deck.annotations.json").read_text())["slides"]
    # The edit undone: the same slide again, with its strokes.
    (project / "slides" / "deck.md").write_text(DECK)
    assert run(project, "build").exit_code == 0
    visit.reload()
    visit.wait_for_function("window.lectureAnnotate !== undefined")
    assert [len(ink_paths(visit, i)) for i in range(3)] == [0, 1, 0]
    visit.close()


def test_without_the_server_the_toolbar_says_strokes_are_not_saved(browser, tmp_path):
    project = make_project(tmp_path, {"deck.md": DECK})
    assert run(project, "build").exit_code == 0
    page = browser.new_page(viewport={"width": 1280, "height": 720})
    page.goto((project / "build" / "deck.html").as_uri())
    page.wait_for_function("window.lectureAnnotate !== undefined")
    assert not page.is_visible(".lecture-annotate-toolbar")  # the audience's view has none
    page.keyboard.press("p")
    assert page.is_visible(".lecture-annotate-toolbar")
    assert "not saved" in page.inner_text(".lecture-annotate-status")
    assert "lecture serve" in page.inner_text(".lecture-annotate-status")
    # Pen, highlighter (seen through), eraser, clear; then a blank board over the slide.
    page.click(".lecture-annotate-pen")
    draw_line(page)
    page.click(".lecture-annotate-highlighter")
    draw_line(page)
    assert page.get_attribute(".lecture-annotate-pen", "aria-pressed") == "false"
    shown = page.evaluate("""() => Array.from(document.querySelectorAll('.remark-visible svg.lecture-ink path'))
        .map((p) => [p.getAttribute('stroke'), p.getAttribute('stroke-opacity')])""")
    assert shown == [["#d62728", None], ["#ffd500", "0.4"]]
    page.click(".lecture-annotate-eraser")
    draw_line(page)
    assert ink_paths(page, 0) == []
    page.click(".lecture-annotate-pen")
    draw_line(page)
    page.click(".lecture-annotate-clear")
    assert ink_paths(page, 0) == []
    page.click(".lecture-annotate-board")
    assert page.get_attribute(".lecture-annotate-board", "aria-pressed") == "true"
    assert page.evaluate("document.querySelector('.remark-visible svg.lecture-ink rect') !== null")
    # The toolbar against WCAG 2.1 AA (names, contrast, roles), as `lecture check --a11y` audits.
    page.add_script_tag(path=str(REPO / "node_modules/axe-core/axe.min.js"))
    found = page.evaluate("""() => axe.run('.lecture-annotate-toolbar', {runOnly: {type: 'tag',
        values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}}).then((r) => r.violations.map((v) => v.id))""")
    assert found == []
    page.close()


# --- lecture pdf --annotated ------------------------------------------------------------------

def drawing_operators(page) -> str:
    """A PDF page's content, with that of the forms it draws (Chromium puts a page's drawing in
    form XObjects), in order."""
    def walk(content: bytes, resources) -> str:
        text = content.decode("latin-1")
        forms = resources.get("/XObject", {}) if resources else {}
        parts = [text]
        for name in re.findall(r"/(\S+) Do", text):
            form = forms.get("/" + name)
            if form is not None and form.get_object().get("/Subtype") == "/Form":
                form = form.get_object()
                parts.append(walk(form.get_data(), form.get("/Resources")))
        return "\n".join(parts)
    return walk(page.get_contents().get_data(), page.get("/Resources"))


def test_annotated_pdf_draws_the_strokes_as_paths_with_boards_after_their_slide(tmp_path):
    if not shutil.which("pdftoppm"):
        pytest.fail("pdftoppm not found: apt-get install poppler-utils", pytrace=False)
    project = make_project(tmp_path, {"deck.md": DECK})
    assert run(project, "build").exit_code == 0
    key = keys_of(project)[1]
    annotations.save(project / "slides", "deck", body(
        {key: {"strokes": [stroke(GREEN)], "board": {"strokes": [stroke(BLUE, ((0.2, 0.2), (0.8, 0.8)))]}}}))
    # In a process of its own, as a user runs it: printing runs an event loop, which this
    # process's browser (Playwright's synchronous API) holds already.
    result = subprocess.run([sys.executable, "-m", "lecture_tool", "-C", str(project), "pdf", "--annotated"],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    annotated = project / "build" / "pdf" / "deck-annotated.pdf"
    plain = project / "build" / "pdf" / "deck.pdf"
    assert len(PdfReader(annotated).pages) == 4 and len(PdfReader(plain).pages) == 3

    def colours(pdf: Path, page: int) -> set:
        subprocess.run(["pdftoppm", "-r", "40", "-png", "-f", str(page), "-l", str(page), "-singlefile",
                        str(pdf), str(tmp_path / "page")], check=True)
        with Image.open(tmp_path / "page.png") as image:
            rgb = image.convert("RGB")
            return {rgb.getpixel((x, y)) for x in range(rgb.width) for y in range(rgb.height)}

    assert (0, 160, 0) in colours(annotated, 2)  # the stroke, on "Two"
    board = colours(annotated, 3)
    assert (0, 0, 255) in board and (0, 160, 0) not in board  # its board, a page of its own
    assert (0, 160, 0) not in colours(plain, 2)  # the plain PDF has no strokes
    # A vector path: the page's content strokes a path in that colour, not an image of one.
    content = drawing_operators(PdfReader(annotated).pages[1])
    green = re.search(r"(?:^|\s)0 0?\.62\d* 0 RG\s(.*?)(?:\sRG\s|$)", content, re.S)
    assert green and re.search(r"\d l\s", green.group(1)) and re.search(r"(?:^|\s)S(?:\s|$)", green.group(1))
    course_page = (project / "build" / "index.html").read_text()
    assert 'href="pdf/deck-annotated.pdf"' in course_page
    # A build later still links it.
    assert run(project, "build").exit_code == 0
    assert 'href="pdf/deck-annotated.pdf"' in (project / "build" / "index.html").read_text()


def test_strokes_over_a_slide_do_not_hide_it_from_the_accessibility_audit(tmp_path):
    from test_a11y import BROKEN, PNG

    project = make_project(tmp_path, {"deck.md": BROKEN}, {"slides/dot.png": PNG})
    run(project, "build")
    # Thick black strokes across every slide, over the pale text the audit must still find.
    zigzag = [[x, y / 10] for y in range(1, 10, 2) for x in (0, 1)]
    annotations.save(project / "slides", "deck", body(
        {key: {"strokes": [stroke("#000000", zigzag, 0.2)]} for key in keys_of(project)}))
    result = subprocess.run([sys.executable, "-m", "lecture_tool", "-C", str(project), "check", "--a11y"],
                            capture_output=True, text=True, timeout=300)
    errors = [line for line in result.stderr.splitlines() if ": error: " in line]
    assert [line.split(": error: ")[1].split(" ")[0] for line in errors] == ["color-contrast", "image-alt"]
