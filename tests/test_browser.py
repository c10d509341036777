"""Built decks in real headless Chromium, from disk and over HTTP, with no network."""
import json
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from click.testing import CliRunner

from lecture_tool.cli import main

from conftest import make_project


def build_project(project: Path) -> list[str]:
    result = CliRunner().invoke(main, ["-C", str(project), "build"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output.splitlines()


def outline(deck: Path) -> dict:
    result = CliRunner().invoke(main, ["outline", str(deck), "--json"], catch_exceptions=False)
    return json.loads(result.output)


class Visit:
    """A page opened in Chromium with everything it asked for and complained about recorded."""

    def __init__(self, browser, url: str, viewport=(1280, 720)):
        self.page = browser.new_page(viewport={"width": viewport[0], "height": viewport[1]})
        self.requests, self.failed, self.console_errors = [], [], []
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("requestfailed", lambda r: self.failed.append(r.url))
        self.page.on("response", lambda r: r.status >= 400 and self.failed.append(r.url))
        self.page.on("console", lambda m: m.type == "error" and self.console_errors.append(m.text))
        self.page.on("pageerror", lambda e: self.console_errors.append(f"page error: {e}"))
        self.page.goto(url)
        self.page.wait_for_function("window.slideshow !== undefined")
        self.page.wait_for_load_state("load")

    def evaluate(self, script, arg=None):
        return self.page.evaluate(script, arg)

    def slide_html(self, index: int) -> str:
        return self.evaluate("(i) => document.querySelectorAll('.remark-slide-content')[i].innerHTML",
                             index)

    def slide_text(self, index: int) -> str:
        return self.evaluate("(i) => document.querySelectorAll('.remark-slide-content')[i].textContent",
                             index)


def formulas_in(markdown: str) -> int:
    """How many `$…$` and `$$…$$` a deck has outside code (the lecture deck escapes no `$`)."""
    prose = re.sub(r"^```.*?^```", "", markdown, flags=re.S | re.M)
    prose = re.sub(r"`[^`\n]*`", "", prose)
    return len(re.findall(r"\$\$.+?\$\$|\$.+?\$", prose, flags=re.S))


def local_only(urls: list[str]) -> list[str]:
    return [u for u in urls if not (u.startswith("file://") or u.startswith("http://127.0.0.1:")
                                    or u.startswith("data:"))]


@pytest.fixture(scope="module")
def course(built_course):
    """The session's built course, and the images its build named as missing."""
    missing = {m.group(1) for m in map(re.compile(r"warning: image '([^']+)' not found").search,
                                       built_course.problems) if m}
    return built_course.root, missing


@pytest.mark.parametrize("over", ["file", "http"])
def test_lecture_deck_renders_as_remark_counts_it(browser, course, serve, over):
    project, missing_images = course
    deck = project / "slides/lecture3-neural-networks.md"
    expected = outline(deck)
    url = (f"file://{project}/build/{deck.stem}.html" if over == "file"
           else f"{serve(project / 'build')}/{deck.stem}.html")
    visit = Visit(browser, url)
    assert visit.evaluate("slideshow.getSlideCount()") == expected["slide_count"] == 66
    # Slide by slide, remark's own heading is the title `lecture outline` gives.
    titles = visit.evaluate("""() => slideshow.getSlides().map((s, i) => {
        const h = document.querySelectorAll('.remark-slide-content')[i].querySelector('h1, h2, h3');
        return h ? h.textContent.trim() : ''; })""")
    assert titles == [s["title"] for s in expected["slides"]]
    # Every formula of the deck reaches the page, and each one remark shows (a `--` step shows
    # those before it again) is rendered by KaTeX once, on its slide.
    source = visit.evaluate("JSON.parse(document.getElementById('lecture-source').textContent)")
    assert source.count('class="lecture-math') == formulas_in(deck.read_text(encoding="utf-8"))
    per_slide = visit.evaluate("""() => slideshow.getSlides().map(
        slide => JSON.stringify(slide.content).split('lecture-math').length - 1)""")
    rendered = visit.evaluate("""() => Array.from(
        document.querySelectorAll('.remark-slides-area .remark-slide-content'),
        slide => slide.querySelectorAll('.katex').length)""")
    assert rendered == per_slide
    assert visit.evaluate("document.querySelectorAll('.katex-error').length") == 0
    assert visit.evaluate("document.querySelectorAll('span.lecture-math:not(:has(.katex))').length") == 0
    # No formula is left as raw `$…$` text, in lists, columns or anywhere else outside code.
    raw_dollars = visit.evaluate("""() => Array.from(document.querySelectorAll('.remark-slide-content'),
        (slide, i) => { const copy = slide.cloneNode(true);
                        copy.querySelectorAll('pre, code, .katex').forEach(n => n.remove());
                        return copy.textContent.includes('$') ? i + 1 : 0; }).filter(Boolean)""")
    assert raw_dollars == []
    # Notes are present exactly where the deck has `???`.
    notes = visit.evaluate("""() => Array.from(
        document.querySelectorAll('.remark-slides-area .remark-slide-notes'),
                                  n => n.textContent.trim())""")
    assert [bool(n) for n in notes] == [s["notes"] for s in expected["slides"]]
    assert local_only(visit.requests) == []
    # The only failures are the images the build named as missing, one by one.
    failed = {unquote(urlsplit(u).path).split("/build/", 1)[-1].lstrip("/") for u in visit.failed}
    if over == "http":
        failed = {unquote(urlsplit(u).path).lstrip("/") for u in visit.failed}
    assert failed == missing_images
    # Every image the build did not name as missing is there: the generated figures among them.
    images = visit.evaluate("""() => Array.from(document.querySelectorAll('.remark-slide-content img'),
                               i => [i.getAttribute('src'), i.complete && i.naturalWidth > 0])""")
    loaded = {src for src, ok in images if ok}
    assert {src for src, _ in images} - loaded == missing_images
    assert {"images/softmax.png", "images/numerical_no_padding_no_strides.gif",
            "images/pooling.png", "images/sunshine-temperature.png"} <= loaded
    assert all("Failed to load resource" in e for e in visit.console_errors), visit.console_errors
    assert len(visit.console_errors) == len(visit.failed)
    visit.page.close()


FITS = """(i) => {
  const slide = document.querySelectorAll('.remark-slide-content')[i];
  const frame = slide.closest('.remark-slide-scaler').getBoundingClientRect();
  const outside = [];
  for (const el of slide.querySelectorAll('*')) {
    if (el.closest('.remark-slide-number, .katex-mathml')) continue;
    const r = el.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) continue;
    if (r.bottom > frame.bottom + 1 || r.right > frame.right + 1 ||
        r.top < frame.top - 1 || r.left < frame.left - 1) outside.push(el.tagName + ' ' + el.className);
  }
  return outside;
}"""


# What a student in the back row sees of one slide at the current size: boxes that do not fit,
# the size code is shown at, and each image with the scale it is shown at. Sizes are screen
# pixels: the computed size times remark's scale (1.06 at 1280x720).
LEGIBILITY = """(i) => {
  const slide = document.querySelectorAll('.remark-slide-content')[i];
  const scaler = slide.closest('.remark-slide-scaler');
  const frame = scaler.getBoundingClientRect();
  const scale = frame.width / scaler.offsetWidth;
  const name = el => el.tagName.toLowerCase() + (typeof el.className === 'string' && el.className.trim()
      ? '.' + el.className.trim().split(/\\s+/).join('.') : '');
  const overflow = [];
  const content = slide.getBoundingClientRect();
  if (content.height > frame.height + 1)
    overflow.push(`its content is ${Math.round(content.height)} px tall, the slide ${Math.round(frame.height)} px`);
  for (const el of slide.querySelectorAll('*')) {
    if (el.closest('.katex, .remark-slide-number')) continue;
    const style = getComputedStyle(el);
    if (['inline', 'none', 'contents'].includes(style.display)) continue;
    const r = el.getBoundingClientRect();
    if (r.height > frame.height + 1)
      overflow.push(`${name(el)} is ${Math.round(r.height)} px tall, the slide ${Math.round(frame.height)} px`);
    // A box that clips (overflow other than visible) hides what does not fit in it.
    if (style.overflowX === 'visible' && style.overflowY === 'visible') continue;
    const below = (el.scrollHeight - el.clientHeight) * scale, right = (el.scrollWidth - el.clientWidth) * scale;
    if (el.clientHeight > 0 && below > 1) overflow.push(`${name(el)} hides ${Math.round(below)} px of its content below`);
    if (el.clientWidth > 0 && right > 1) overflow.push(`${name(el)} hides ${Math.round(right)} px of its content on the right`);
  }
  const code = Array.from(slide.querySelectorAll('.remark-code, .remark-inline-code'), el => [
    el.classList.contains('remark-inline-code') ? 'inline code' : 'code block',
    el.textContent.trim().split('\\n')[0].slice(0, 40), parseFloat(getComputedStyle(el).fontSize) * scale]);
  const images = Array.from(slide.querySelectorAll('img'), img =>
    [img.src, img.getBoundingClientRect().width, img.naturalWidth]);
  return {overflow, code, images};
}"""

SMALLEST_TEXT = "lecture:smallest-text-px"


def smallest_text_px(image: Path) -> float | None:
    """The height of the smallest text in an image, in the image's own pixels (SVG: user units),
    as the figure scripts record it (figure_style): a PNG's tEXt chunk, a GIF's comment, an SVG
    comment near the top. None for an image that carries no such mark (one without text)."""
    from PIL import Image

    if image.suffix.lower() == ".svg":
        found = re.search(r"<!--\s*lecture:smallest-text-px=([0-9.]+)\s*-->",
                          image.read_text(encoding="utf-8", errors="replace")[:4096])
        return float(found.group(1)) if found else None
    with Image.open(image) as opened:
        if image.suffix.lower() == ".png":
            value = opened.text.get(SMALLEST_TEXT)
        else:
            comment = opened.info.get("comment", b"")
            comment = comment.decode("utf-8", "replace") if isinstance(comment, bytes) else comment
            found = re.search(r"lecture:smallest-text-px=([0-9.]+)", comment)
            value = found.group(1) if found else None
    return float(value) if value is not None else None


def svg_width(image: Path) -> float:
    """The width an SVG's own coordinates span: its width attribute when in pixels, else its
    viewBox (matplotlib writes the width in points and the viewBox in user units)."""
    head = image.read_text(encoding="utf-8", errors="replace")[:4096]
    tag = re.search(r"<svg\b[^>]*>", head).group(0)
    width = re.search(r"""\swidth\s*=\s*["']\s*([0-9.]+)\s*(px)?\s*["']""", tag)
    if width:
        return float(width.group(1))
    box = re.search(r"""viewBox\s*=\s*["']\s*[-0-9.]+[\s,]+[-0-9.]+[\s,]+([0-9.]+)""", tag)
    return float(box.group(1))


def figure_outputs(project: Path) -> set[str]:
    """Every image the course's figure scripts declare, as the pages name it (images/x.png)."""
    from lecture_tool.config import load_config
    from lecture_tool.jobs.figures import discover

    config = load_config(project)
    return {f"{config.figures_subdir}/{name}" for script in discover(config)[0] for name in script.outputs}


@pytest.mark.parametrize("viewport", [(1280, 720), (1024, 768)])
def test_every_slide_fits_loads_its_images_and_renders_its_math(browser, built_course, viewport):
    # As `lecture build --strict` sees it: every figure the deck shows is made by figures_src/.
    assert built_course.problems == ()
    project = built_course.root
    build_dir = project / "build"
    visit = Visit(browser, f"file://{build_dir}/lecture3-neural-networks.html", viewport)
    legibility = viewport == (1280, 720)  # the size a lecture hall's projector shows
    problems, measured, marks = [], set(), {}
    for index in range(visit.evaluate("slideshow.getSlideCount()")):
        number = index + 1
        visit.evaluate("(n) => slideshow.gotoSlide(n)", number)
        outside = visit.evaluate(FITS, index)
        broken = visit.evaluate("""(i) => Array.from(document.querySelectorAll('.remark-slide-content')[i]
            .querySelectorAll('img'), img => img.complete && img.naturalWidth > 0 ? null : img.src)
            .filter(Boolean)""", index)
        math_errors = visit.evaluate("(i) => document.querySelectorAll('.remark-slide-content')[i]"
                                     ".querySelectorAll('.katex-error').length", index)
        problems += [f"slide {number}: {what} is outside the slide" for what in outside[:3]]
        problems += [f"slide {number}: image {src} did not load" for src in broken]
        problems += [f"slide {number}: {math_errors} formulas KaTeX could not render"] if math_errors else []
        if not legibility:
            continue
        seen = visit.evaluate(LEGIBILITY, index)
        problems += [f"slide {number}: {what}" for what in seen["overflow"]]
        problems += [f"slide {number}: {kind} '{text}' is {size:.1f} px, under 18 px"
                     for kind, text, size in seen["code"] if size < 18 - 0.01]
        for src, shown_width, natural_width in seen["images"]:
            image = Path(unquote(urlsplit(src).path))
            name = image.relative_to(build_dir).as_posix()
            if name not in marks:
                marks[name] = smallest_text_px(image)
            if marks[name] is None or shown_width == 0:
                continue
            measured.add(name)
            stored_width = svg_width(image) if image.suffix.lower() == ".svg" else natural_width
            text = marks[name] * shown_width / stored_width
            if text < 16 - 0.01:
                problems.append(f"slide {number}: the smallest text of {name} shows at {text:.1f} px, "
                                f"under 16 px ({marks[name]:g} px in the image, shown at "
                                f"{shown_width / stored_width:.2f}x)")
    assert problems == [], f"{len(problems)} problems:\n" + "\n".join(problems)
    assert visit.console_errors == []
    if legibility:
        # Every figure with text was measured on a slide: the figure scripts mark their text,
        # and no marked figure goes unseen.
        declared = figure_outputs(project)
        marked = {name for name in declared if smallest_text_px(build_dir / name) is not None}
        assert marked, "no figure carries lecture:smallest-text-px: figure_style marks none"
        assert measured == marked, (f"marked but not shown: {sorted(marked - measured)}; "
                                    f"shown but not declared by a figure script: {sorted(measured - marked)}")
    visit.page.close()


def test_highlighted_lines_math_and_columns(browser, course):
    project, _ = course
    visit = Visit(browser, f"file://{project}/build/lecture3-neural-networks.html")
    as_code = next(i for i, s in enumerate(outline(project / "slides/lecture3-neural-networks.md")
                                           ["slides"]) if s["title"] == "As Code")
    highlighted = visit.evaluate("""(i) => Array.from(document.querySelectorAll('.remark-slide-content')[i]
        .querySelectorAll('.remark-code-line-highlighted'), l => l.textContent)""", as_code)
    assert [line.split("(")[0].strip() for line in highlighted] == [
        "x = Conv2D", "x = MaxPool2D", "x = Conv2D", "x = MaxPool2D"]
    assert "*x" not in visit.slide_text(as_code)
    visit.page.close()


TRICKY = r"""# Exact text

Closing tags: `</textarea>` and `</script>` and an entity &amp;amp; stay as typed.

Braces {{ }} and `</script>` in code.

Math: $a*b*c$ and $x_i^2$ and $\\{0, 1\\}$ and $f\(x\)$.

$$\sum_{i=1}^{n} x_i * y_i * z_i$$

---

# Second

```python
print("</textarea>", "&amp;", "$a*b*c$")
```
"""


def test_tricky_text_survives_exactly(browser, tmp_path):
    project = make_project(tmp_path, {"tricky.md": TRICKY})
    build_project(project)
    visit = Visit(browser, f"file://{project}/build/tricky.html")
    assert visit.evaluate("slideshow.getSlideCount()") == 2
    text = visit.slide_text(0)
    # (Markdown lets raw HTML through, so a bare `</script>` would be a tag: in code it is text.)
    assert "Closing tags: </textarea> and </script> and an entity &amp; stay as typed." in text
    assert "Braces {{ }} and </script> in code." in text
    tex = visit.evaluate("""() => Array.from(document.querySelectorAll(
        '.remark-slide-content .katex annotation'), a => a.textContent)""")
    assert tex == ["a*b*c", "x_i^2", r"\{0, 1\}", "f(x)", r"\sum_{i=1}^{n} x_i * y_i * z_i"]
    assert visit.evaluate("document.querySelectorAll('.katex-error').length") == 0
    assert visit.evaluate("document.querySelectorAll('.remark-slide-content em').length") == 0
    assert visit.evaluate("document.querySelectorAll('.katex-display').length") == 1
    assert 'print("</textarea>", "&amp;", "$a*b*c$")' in visit.slide_text(1)
    assert visit.console_errors == []
    assert local_only(visit.requests) == []
    visit.page.close()


def test_presenter_mode_clone_and_navigation(browser, tmp_path):
    project = make_project(tmp_path, {"deck.md": "# One\n???\nSpeaker notes here\n---\n# Two\n---\n# Three"})
    build_project(project)
    visit = Visit(browser, f"file://{project}/build/deck.html")
    page = visit.page
    page.keyboard.press("ArrowRight")
    assert page.evaluate("slideshow.getCurrentSlideIndex()") == 1
    assert page.url.endswith("#2")
    page.keyboard.press("p")
    assert page.evaluate("document.body.classList.contains('remark-presenter-mode')")
    page.keyboard.press("ArrowLeft")
    assert "Speaker notes here" in page.inner_text(".remark-notes")
    with page.expect_popup() as popup_info:
        page.keyboard.press("c")
    clone = popup_info.value
    clone.wait_for_function("window.slideshow !== undefined")
    assert clone.evaluate("slideshow.getSlideCount()") == 3
    assert visit.console_errors == []
    clone.close()
    page.close()
