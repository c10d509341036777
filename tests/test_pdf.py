"""`lecture pdf` in real Chromium: pages as remark counts them, the deck's ratio, text that stays
text, a GIF's last frame, notes, the cache, and what happens with no browser or a broken deck."""
import io
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader

from conftest import CHROMIUM, make_project, run_without_playwright

LECTURE = [sys.executable, "-m", "lecture_tool"]

DECK = r"""title: PDF test deck
class: center, middle

# PDF test deck

Printed by `lecture pdf`

---

# Math slide

The loss is $L = \frac{1}{n}\sum_i (y_i - \hat y_i)^2$ and

$$ y = W x + b $$

???

Remember to mention the sunshine data.

---

# Steps

First point

--

Second point

--

Third point

---

# Code and links

```python
def double(x):
    return x * 2
```

See [the example](https://example.org/page).

---

# Animated

.center[![](anim.gif)]

???

The animation ends red.
"""

SECOND = """# Second deck

Only one slide.
"""


def gif(colours: list[tuple[int, int, int]]) -> bytes:
    """An animated GIF that shows each colour in turn, whole frames."""
    frames = [Image.new("RGB", (120, 80), colour) for colour in colours]
    out = io.BytesIO()
    frames[0].save(out, format="GIF", save_all=True, append_images=frames[1:], duration=200, loop=0)
    return out.getvalue()


def lecture(project: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: install Debian's chromium "
                    "(apt-get install chromium) or set LECTURE_CHROMIUM", pytrace=False)
    environment = {**os.environ, "LECTURE_CHROMIUM": CHROMIUM, **(env or {})}
    return subprocess.run([*LECTURE, "-C", str(project), *args], capture_output=True, text=True,
                          env=environment, timeout=300)


def outline(deck: Path) -> dict:
    result = subprocess.run([*LECTURE, "outline", str(deck), "--json"], capture_output=True,
                            text=True, check=True)
    return json.loads(result.stdout)


def page_texts(pdf: Path) -> list[str]:
    return [page.extract_text() for page in PdfReader(pdf).pages]


def page_sizes(pdf: Path) -> list[tuple[float, float]]:
    return [(float(page.mediabox.width), float(page.mediabox.height)) for page in PdfReader(pdf).pages]


TEX = re.compile(r"\$[^$\n]+\$")


@pytest.fixture(scope="module")
def printed(tmp_path_factory):
    """A course of two decks, printed once: slides, handout and notes."""
    project = make_project(tmp_path_factory.mktemp("pdf"), {"deck.md": DECK, "second.md": SECOND},
                           {"slides/anim.gif": gif([(255, 255, 255), (0, 0, 255), (255, 0, 0)])})
    result = lecture(project, "pdf", "--handout", "--notes")
    assert result.returncode == 0, result.stderr
    return project, result


def test_one_page_per_slide_as_remark_counts_them_with_titles_and_no_tex(printed):
    project, _ = printed
    expected = outline(project / "slides/deck.md")
    texts = page_texts(project / "build/pdf/deck.pdf")
    assert len(texts) == expected["slide_count"] == 7  # the `--` steps are pages of their own
    for text, slide in zip(texts, expected["slides"]):
        assert slide["title"] in text
        assert f"{slide['number']} / 7" in text  # numbered as remark numbers them
        assert not TEX.search(text), text
    assert "First point" in texts[2] and "Second point" not in texts[2]
    assert "def double(x):" in texts[5]  # code stays text
    assert "Remember to mention" not in "".join(texts)
    assert len(page_texts(project / "build/pdf/second.pdf")) == 1  # both decks, in one run


def test_the_pages_tools_are_not_printed(printed):
    project, _ = printed
    texts = "\n".join(page_texts(project / "build/pdf/deck.pdf"))
    assert "def double(x):" in texts
    for word in ("Copy", "Overview", "Search"):  # the copy button, the tool bar
        assert word not in texts


def test_pages_have_the_decks_ratio_and_no_margin(printed):
    project, _ = printed
    for name in ("deck.pdf", "deck-handout.pdf", "second.pdf"):
        sizes = page_sizes(project / "build/pdf" / name)
        assert sizes and all(size == (960.0, 540.0) for size in sizes), (name, sizes)  # 16:9


def test_handout_keeps_the_complete_slide_of_each_step_group(printed):
    project, _ = printed
    slides = outline(project / "slides/deck.md")["slides"]
    groups = sum(1 for slide in slides if not slide["continued"])
    texts = page_texts(project / "build/pdf/deck-handout.pdf")
    assert len(texts) == groups == 5
    assert all(point in texts[2] for point in ("First point", "Second point", "Third point"))
    assert [t.split("\n")[0] for t in texts] == \
        ["PDF test deck", "Math slide", "Steps", "Code and links", "Animated"]


def test_notes_pdf_holds_each_slide_and_its_notes(printed):
    project, _ = printed
    pdf = project / "build/pdf/deck-notes.pdf"
    texts = page_texts(pdf)
    assert len(texts) == 7
    assert "Math slide" in texts[1] and "Remember to mention the sunshine data." in texts[1]
    assert "The animation ends red." in texts[6]
    width, height = page_sizes(pdf)[0]
    assert width == 960.0 and height > 540.0  # the slide, and the notes under it


def outline_titles(pdf: Path) -> list:
    """The PDF's outline: (title, page index) at the top level, a list for the entries under one."""
    reader = PdfReader(pdf)

    def entries(items) -> list:
        return [entries(item) if isinstance(item, list) else
                (item.title, reader.get_destination_page_number(item)) for item in items]
    return entries(reader.outline)


def test_pdfs_are_tagged_with_the_title_language_and_an_outline_of_slide_titles(printed):
    project, _ = printed
    slides = outline(project / "slides/deck.md")["slides"]
    for name in ("deck.pdf", "deck-handout.pdf", "deck-notes.pdf"):
        reader = PdfReader(project / "build/pdf" / name)
        catalog = reader.trailer["/Root"]
        assert "/StructTreeRoot" in catalog and catalog["/MarkInfo"]["/Marked"], name
        assert catalog["/Lang"] == "en"
        assert reader.metadata["/Title"] == "PDF test deck · Test course"
    # One entry a page, its slide's title, in order: each slide's title is its page's heading.
    assert outline_titles(project / "build/pdf/deck.pdf") == [
        (slide["title"], page) for page, slide in enumerate(slides)]
    assert outline_titles(project / "build/pdf/deck-handout.pdf") == [
        ("PDF test deck", 0), ("Math slide", 1), ("Steps", 2), ("Code and links", 3), ("Animated", 4)]


def test_a_slides_own_headings_are_below_its_title_in_the_outline(tmp_path):
    project = make_project(tmp_path, {"deck.md": "# First\n\n### Detail\n\n---\n\n## Second\n\n#### Part\n"
                                                 "\n##### Deeper\n\n---\n\nNo heading\n\n---\n\n# Last\n"},
                           config='language = "de-CH"\n')
    assert lecture(project, "pdf").returncode == 0
    assert outline_titles(project / "build/pdf/deck.pdf") == [
        ("First", 0), [("Detail", 0)], ("Second", 1), [("Part", 1), [("Deeper", 1)]], ("Last", 3)]
    assert PdfReader(project / "build/pdf/deck.pdf").trailer["/Root"]["/Lang"] == "de-CH"


def test_a_gif_prints_its_last_frame(printed):
    project, _ = printed
    page = PdfReader(project / "build/pdf/deck.pdf").pages[6]
    images = [image.image.convert("RGB") for image in page.images]
    assert images, "the GIF slide's page has no image"
    picture = max(images, key=lambda image: image.width * image.height)
    red, green, blue = picture.getpixel((picture.width // 2, picture.height // 2))
    assert red > 200 and green < 60 and blue < 60, (red, green, blue)  # the last frame, red


def test_links_stay_clickable(printed):
    project, _ = printed
    page = PdfReader(project / "build/pdf/deck.pdf").pages[5]
    uris = [annotation.get_object()["/A"]["/URI"] for annotation in page.get("/Annots", [])]
    assert "https://example.org/page" in uris


def test_an_unchanged_course_is_not_printed_again(printed):
    project, _ = printed
    pdfs = sorted((project / "build/pdf").glob("*.pdf"))
    before = {p: p.stat().st_mtime_ns for p in pdfs}
    page = (project / "build/deck.html").read_bytes()
    assert b"lecture-print" not in page  # the print rules live in the headless tab only
    result = lecture(project, "pdf", "--handout", "--notes")
    assert result.returncode == 0, result.stderr
    assert "Printed 0 PDFs" in result.stderr and "pdf: build/pdf" not in result.stderr
    assert {p: p.stat().st_mtime_ns for p in pdfs} == before

    # A touched setting rebuilds the pages once (they come out the same, so nothing is printed),
    # and not at every run after it.
    later = time.time() + 5
    os.utime(project / "pyproject.toml", (later, later))
    result = lecture(project, "pdf")
    assert "building deck.md, second.md first" in result.stderr and "Printed 0 PDFs" in result.stderr
    result = lecture(project, "pdf")
    assert "building" not in result.stderr and "Printed 0 PDFs" in result.stderr
    assert {p: p.stat().st_mtime_ns for p in pdfs} == before
    assert (project / "build/deck.html").read_bytes() == page

    from lecture_tool.config import load_config
    from lecture_tool.commands.pdf import make_pdfs

    config = load_config(project)
    # CPU time, not wall-clock time: a loaded CI machine must not fail it.
    best = min(_timed(lambda: make_pdfs(config, modes=("slides", "handout", "notes")))
               for _ in range(3))
    assert best <= 0.3, f"a cached run took {best:.2f} s of CPU"


def _timed(run) -> float:
    started = time.process_time()
    result = run()
    assert not result.printed and len(result.cached) == 6
    return time.process_time() - started


def test_a_changed_image_prints_its_deck_again(tmp_path):
    project = make_project(tmp_path, {"deck.md": "# Picture\n\n![](dot.gif)\n"},
                           {"slides/dot.gif": gif([(0, 0, 255)])})
    assert lecture(project, "pdf").returncode == 0
    pdf = project / "build/pdf/deck.pdf"
    before = pdf.read_bytes()
    (project / "slides/dot.gif").write_bytes(gif([(0, 255, 0)]))
    result = lecture(project, "pdf")
    assert result.returncode == 0 and "Printed 1 PDF " in result.stderr, result.stderr
    assert pdf.read_bytes() != before


def test_a_4_3_deck_prints_4_3_pages(tmp_path):
    project = make_project(tmp_path, {"old.md": "# Square-ish\n\nText\n\n---\n\n# Two\n"},
                           config='[tool.lecture.remark]\nratio = "4:3"\n')
    result = lecture(project, "pdf")
    assert result.returncode == 0, result.stderr
    assert page_sizes(project / "build/pdf/old.pdf") == [(960.0, 720.0)] * 2


def test_no_browser_is_one_clear_message(tmp_path):
    project = make_project(tmp_path, {"deck.md": "# One\n"})
    empty = tmp_path / "empty-path"
    empty.mkdir()
    result = lecture(project, "pdf", env={"LECTURE_CHROMIUM": str(tmp_path / "no-chromium"),
                                          "PATH": str(empty)})
    assert result.returncode == 1
    assert "LECTURE_CHROMIUM" in result.stderr and "Traceback" not in result.stderr

    environment = {k: v for k, v in os.environ.items() if k != "LECTURE_CHROMIUM"}
    environment |= {"PATH": str(empty), "PLAYWRIGHT_BROWSERS_PATH": str(tmp_path / "none")}
    result = subprocess.run([*LECTURE, "-C", str(project), "pdf"], capture_output=True, text=True,
                            env=environment, timeout=120)
    assert result.returncode == 1
    message = result.stderr.strip().splitlines()[-1]
    assert "no Chromium" in message and "apt-get install chromium" in message
    assert "python -m playwright install chromium" in message
    assert "Traceback" not in result.stderr
    assert not (project / "build/pdf/deck.pdf").exists()


def test_without_playwright_the_message_names_the_extra(tmp_path):
    project = make_project(tmp_path, {"deck.md": "# One\n"})
    result = run_without_playwright(project, "pdf")
    assert result.returncode == 1
    assert "pip install 'lecture-tool[pdf]'" in result.stderr and "Traceback" not in result.stderr


def test_a_deck_that_does_not_parse_makes_no_pdf_and_a_broken_one_keeps_its_last(tmp_path):
    project = make_project(tmp_path, {"good.md": "# Good\n\nText\n"},
                           {"slides/latin1.md": "# Caf\xe9\n".encode("latin-1")})
    result = lecture(project, "pdf")
    assert result.returncode == 1
    assert "slides/latin1.md:1: error: not UTF-8" in result.stderr
    assert not (project / "build/pdf/latin1.pdf").exists()
    good = project / "build/pdf/good.pdf"
    assert page_texts(good)[0].startswith("Good")  # the other deck is printed all the same

    (project / "slides/latin1.md").unlink()
    before = good.read_bytes()
    (project / "slides/good.md").write_text("# Good\n\n```python\nunclosed = True\n\n---\n\n# Gone\n")
    result = lecture(project, "pdf")
    assert result.returncode == 1
    assert "slides/good.md:3: error:" in result.stderr
    assert good.read_bytes() == before  # its last good PDF stays


def test_a_missing_image_still_makes_the_pdf_and_says_so(tmp_path):
    project = make_project(tmp_path, {"deck.md": "# Picture\n\n![](images/nope.png)\n\n---\n\n# Next\n"})
    result = lecture(project, "pdf")
    assert result.returncode == 0, result.stderr
    assert "slides/deck.md:3: warning: image 'images/nope.png' not found" in result.stderr
    assert len(page_texts(project / "build/pdf/deck.pdf")) == 2


def test_a_deck_that_uses_the_courses_macros_is_printed_with_them(tmp_path):
    macros = ("remark.macros.shout = function (word) {\n"
              "  return '<strong>' + word.toUpperCase() + '</strong>';\n};\n")
    project = make_project(tmp_path, {"deck.md": "# Loud\n\n![:shout quiet]\n\n---\n\n# Two\n"},
                           {"templates/macros.js": macros})
    result = lecture(project, "pdf")
    assert result.returncode == 0, result.stderr
    texts = page_texts(project / "build/pdf/deck.pdf")
    assert len(texts) == 2 and "QUIET" in texts[0]
