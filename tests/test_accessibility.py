"""Accessibility at the source line (deck/accessibility.py): each rule fails on a deck made to break
it, at the line that breaks it, and passes once the deck is fixed; the build and the check both
report them, `--strict` fails on them; a figure script's ALT reaches the page."""
import io
import json
import re
from pathlib import Path

from click.testing import CliRunner
from PIL import Image

from lecture_tool.alt_text import FigureAlt
from lecture_tool.cli import main as cli
from lecture_tool.deck import parse_deck
from lecture_tool.deck.accessibility import ImageFacts, accessibility_problems
from lecture_tool.gif import animation

from conftest import make_project

DECK = Path("slides/deck.md")


def problems(text: str, facts: ImageFacts = ImageFacts()) -> list[str]:
    """`line: message` of each problem the rules find in a deck."""
    return [f"{d.line}: {d.message}" for d in accessibility_problems(parse_deck(text, DECK), facts)]


def rules(text: str, facts: ImageFacts = ImageFacts()) -> list[tuple[int, str]]:
    """(line, rule) of each problem."""
    return [(d.line, re.search(r"\(a11y: ([\w-]+)\)$", d.message).group(1))
            for d in accessibility_problems(parse_deck(text, DECK), facts)]


def gif(seconds_a_frame: float, frames: int = 2, loop: int | None = 0) -> bytes:
    images = [Image.new("RGB", (4, 4), (60 * frame, 0, 0)) for frame in range(frames)]
    buffer = io.BytesIO()
    extra = {} if loop is None else {"loop": loop}
    images[0].save(buffer, format="GIF", save_all=True, append_images=images[1:],
                   duration=int(seconds_a_frame * 1000), **extra)
    return buffer.getvalue()


def run(project: Path, *arguments: str):
    return CliRunner().invoke(cli, ["-C", str(project), *arguments], catch_exceptions=False)


# Images --------------------------------------------------------------------------------------

def test_every_kind_of_image_needs_alternative_text_that_says_what_it_shows():
    deck = "\n".join([
        "# Images",                                   # 1
        "![](a.png)",                                 # 2: none
        "![plot.png](plot.png)",                      # 3: the file's name
        "![figure_3](x.png)",                         # 4: a kind, and a number
        "![loss curve](loss_curve.svg)",              # 5: the file's stem, in words
        "![image](x.png) ![IMG](y.png) ![Picture 2](z.png)",  # 6: three of a kind
        "![decorative](d.png)",                       # 7: read aloud as a word
        '<img src="h.png">',                          # 8: no alt attribute
        '<img src="h.png" alt="h.png">',              # 9
        "![:scale 50%](m.png)",                       # 10: lecture's macro, no text
        "![][pic]",                                   # 11: by reference, empty
        "",
        "[pic]: r.png",
    ])
    assert rules(deck) == [(line, "image-alt") for line in (2, 3, 4, 5, 6, 6, 6, 7, 8, 9, 10, 11)]
    assert problems("# A\n\n![](a.png)") == [
        "3: image 'a.png' has no alternative text: say what it shows between the brackets, "
        "![what it shows](a.png), or if it is decorative write <img src=\"a.png\" alt=\"\"> (a11y: image-alt)"]
    fixed = "\n".join([
        "# Images",
        "![Training loss falls from 2.3 to 0.1](a.png)",
        '<img src="h.png" alt="">',                   # HTML's marker: decorative
        '<img src="h.png" alt>',
        '<IMG SRC="h.png" ALT="A cat on a mat">',
        "![:scale 50%, A cat, then a dog](m.png)",
        '![:scale 50%, ""](m.png)',                   # the macro's decorative marker
        "![A dog][pic]",
        "",
        "[pic]: r.png",
    ])
    assert problems(fixed) == []


def test_what_remark_does_not_show_as_an_image_is_not_checked():
    deck = ("# Code\n\n`![](inline.png)`\n\n```\n![](fenced.png)\n<img src=\"f.png\">\n```\n\n"
            "    ![](indented.png)\n\n<!-- ![](commented.png) -->\n\n!\\[](escaped.png)\n\n"
            "---\nexclude: true\n\n# Gone\n\n![](excluded.png)\n\n---\n\n# Notes\n\n???\n\n![](notes.png)\n")
    assert problems(deck) == []


def test_images_in_content_classes_and_steps_are_found_at_their_lines():
    deck = "# A\n\n.left-column[\n.center[![](a.png)]\n]\n\n--\n\n.width-50[![](b.png)]\n"
    assert rules(deck) == [(4, "image-alt"), (9, "image-alt")]


def test_a_figure_without_a_slides_text_takes_its_scripts_and_is_reported_there_without_one():
    alts = {"images/loss.png": FigureAlt("Loss falls from 2.3 to 0.1", Path("figures_src/loss.py"), 7),
            "images/bare.png": FigureAlt(None, Path("figures_src/bare.py"), 4),
            "images/plain.png": FigureAlt("", Path("figures_src/plain.py"), 5)}
    facts = ImageFacts(figure_alts=alts)
    deck = "# A\n\n![](images/loss.png)\n\n![](images/bare.png)\n\n![](images/bare.png)\n\n![](images/plain.png)\n"
    found = accessibility_problems(parse_deck(deck, DECK), facts, Path("."))
    assert [d.format() for d in found] == [
        "figures_src/bare.py:4: warning: bare.png has no alternative text, and slides/deck.md:5 (and 1 "
        'more) shows it without its own: add it to ALT = {"bare.png": "what the figure shows"} beside '
        "OUTPUTS, or give the image its text on the slide (a11y: image-alt)"]
    # The slide's own text is the slide's: a figure with none shown with words is fine.
    assert problems("# A\n\n![Loss per epoch](images/bare.png)\n", facts) == []


def test_backgrounds_say_what_they_show_or_that_they_are_decorative():
    deck = ("background-image: url(sky.jpg)\n\n# Sky\n\n---\n\n# Styled\n\n"
            '<div style="height: 3em; background: url(\'wall.png\') no-repeat">Text</div>\n')
    assert rules(deck) == [(1, "background-alt"), (9, "background-alt")]
    fixed = ("background-image: url(sky.jpg)\nbackground-alt: Clouds over the lecture hall at dawn\n\n"
             "# Sky\n\n--\n\nA step inherits the background: reported once, where it is written.\n\n"
             "---\nbackground-image: url(pattern.png)\nbackground-alt: decorative\n\n# Pattern\n\n---\n\n"
             '# Styled\n\n<div style="background-image: url(wall.png)" aria-hidden="true"></div>\n'
             '<span role="img" aria-label="A brick wall" style="background-image: url(wall.png)"></span>\n')
    assert problems(fixed) == []
    layout = ("layout: true\nbackground-image: url(logo.png)\n\n---\n\n# One\n\n---\n\n# Two\n")
    assert rules(layout) == [(2, "background-alt")]


def test_every_slide_has_a_heading_a_name_or_a_title():
    deck = "\n".join([
        "# Titled",          # 1
        "",                  # 2
        "--",                # 3: a step continues its slide
        "more",              # 4
        "---",               # 5
        "Just text",         # 6: no heading
        "",                  # 7
        "--",                # 8: its step is not reported again
        "more text",         # 9
        "---",               # 10
        "layout: true",      # 11: a layout is not a slide
        "",                  # 12
        "footer",            # 13
        "",                  # 14
        "---",               # 15
        "name: agenda",      # 16: named
        "Agenda",            # 17
        "---",               # 18
        "class: title-slide",  # 19: the title layout's title
        "title: The course",   # 20
        "---",               # 21
        "exclude: true",     # 22
        "gone",              # 23
        "---",               # 24
        '<h2 class="x">An HTML heading</h2>',  # 25
        "---",               # 26
        "Setext heading",    # 27
        "===",               # 28
        "---",               # 29
        "```",               # 30
        "# a comment in code",  # 31
        "```",               # 32
    ])
    assert rules(deck) == [(6, "slide-title"), (30, "slide-title")]


def test_no_heading_level_is_skipped_within_a_slide():
    deck = "\n".join([
        "# Top",             # 1
        "",                  # 2
        "### Too deep",      # 3
        "---",               # 4
        "# A",               # 5
        "## B",              # 6
        "### C",             # 7
        "# D",               # 8: going up is fine
        "---",               # 9
        "# Steps",           # 10
        "",                  # 11
        "--",                # 12
        "#### Deeper in a step",  # 13: reported once, in the step that writes it
        "",                  # 14
        "--",                # 15
        "and more",          # 16
        "---",               # 17
        "<h1>HTML</h1>",     # 18
        "<h4>skips</h4>",    # 19
        "---",               # 20
        ".left-column[",     # 21
        "## Left",           # 22
        "]",                 # 23
        ".right-column[",    # 24
        "#### Right",        # 25
        "]",                 # 26
    ])
    assert rules(deck) == [(3, "heading-order"), (13, "heading-order"), (19, "heading-order"),
                           (25, "heading-order")]
    assert problems("# Top\n\n### Too deep\n") == [
        "3: heading level 3 ('Too deep') follows level 1 ('Top'): a screen reader user takes the "
        "levels in between to be missing; make it level 2 (a11y: heading-order)"]


def test_link_text_says_where_it_goes():
    long_address = "https://github.com/m2dsupsdlclass/lectures-labs"  # 47 characters
    deck = "\n".join([
        "# Links",                                               # 1
        "Read the notes [here](notes.html).",                    # 2
        "[Click here](https://example.org/) or [more...](x.html)",  # 3: two
        f"From {long_address}",                                  # 4: a bare address
        f"From <{long_address}>",                                # 5: an autolink
        f"[{long_address}]({long_address})",                     # 6
        '<a href="notes.html">this</a>',                         # 7
        '<a href="notes.html"></a>',                             # 8: no text at all
        "[**Link**](x.html)",                                    # 9
    ])
    assert rules(deck) == [(2, "link-text"), (3, "link-text"), (3, "link-text"), (4, "link-text"),
                           (5, "link-text"), (6, "link-text"), (7, "link-text"), (8, "link-text"),
                           (9, "link-text")]
    fixed = "\n".join([
        "# Links",
        "Read [the lecture notes](notes.html), or https://arxiv.org/abs/1802.08195 (short enough).",
        f"From [lectures-labs on GitHub]({long_address})",
        '<a href="notes.html" aria-label="the lecture notes">here</a>',
        '<a href="notes.html"><img src="n.png" alt="the lecture notes"></a>',
        "[![The lecture notes](n.png)](notes.html)",
        "`[here](x.html)`",
    ])
    assert problems(fixed) == []


def test_videos_have_captions_and_never_play_unstoppably():
    deck = ('# Video\n\n<video src="clip.mp4" controls></video>\n\n'
            '<video src="loop.mp4" autoplay muted loop>\n<track kind="captions" src="loop.vtt">\n</video>\n')
    assert rules(deck) == [(3, "video-captions"), (5, "animation-pause")]
    fixed = ('# Video\n\n<video src="clip.mp4" controls>\n  <track kind="subtitles" src="clip.vtt" '
             'srclang="en">\n</video>\n')
    assert problems(fixed) == []


def test_an_animated_gif_longer_than_five_seconds_must_be_pausable():
    seconds = {"forever.gif": float("inf"), "long.gif": 12.0, "short.gif": 3.0}
    deck = ("# GIFs\n\n![A window sliding](forever.gif)\n\n![A window sliding](long.gif)\n\n"
            "![A blink](short.gif)\n\n---\nbackground-image: url(forever.gif)\nbackground-alt: decorative\n\n# Behind\n")
    # The packaged page puts a pause button on every .gif image: a background has none.
    assert rules(deck, ImageFacts(gif_seconds=seconds)) == [(10, "animation-pause")]
    without_button = ImageFacts(gif_seconds=seconds, page_pauses_gifs=False)
    assert rules(deck, without_button) == [(3, "animation-pause"), (5, "animation-pause"),
                                           (10, "animation-pause")]
    assert problems("# A\n\n![A window sliding](long.gif)\n", without_button) == [
        "3: animated GIF 'long.gif' runs 12.0 s: and this course's page script (templates/lecture.js) "
        "offers no way to pause it: keep the packaged script's GIF pause button (its addGifPauseButtons), "
        "or make the GIF stop within 5 s (a11y: animation-pause)"]


def test_a_marker_silences_the_rules_it_names_on_its_line_and_the_next():
    deck = "\n".join([
        "# A",                                                   # 1
        "",                                                      # 2
        "<!-- a11y: ignore image-alt -->",                       # 3
        "![](logo.png)",                                         # 4: silenced
        "",                                                      # 5
        "![](other.png)",                                        # 6: two lines below: not
        "",                                                      # 7
        "[here](x.html) <!-- a11y: ignore link-text, image-alt -->",  # 8: silenced, on its line
        "",                                                      # 9
        "<!-- a11y: ignore heading-order -->",                   # 10
        "![](third.png)",                                        # 11: another rule's marker
        "",                                                      # 12
        "<!-- a11y: ignore alt-text -->",                        # 13: no such rule
    ])
    found = problems(deck)
    assert [line.split(": ")[0] for line in found] == ["13", "6", "11"]
    assert found[0] == ("13: 'alt-text' is not an accessibility rule; the rules are image-alt, "
                        "background-alt, slide-title, heading-order, link-text, video-captions, "
                        "animation-pause")
    # At a slide's top the marker is a property to remark, and still a marker.
    assert problems("# A\n\n---\n<!-- a11y: ignore slide-title -->\n\nA slide shown for its picture\n") == []


# GIFs ----------------------------------------------------------------------------------------

def test_gif_running_times_as_browsers_play_them():
    forever = animation(gif(0.9, frames=3, loop=0))
    assert (forever.frames, forever.once, forever.seconds) == (3, 2.7, float("inf"))
    twice = animation(gif(1.5, frames=2, loop=1))  # repeats once: plays twice
    assert twice.seconds == 6.0
    once = animation(gif(1.0, frames=3, loop=None))  # no NETSCAPE2.0 extension: plays once
    assert once.seconds == 3.0
    fast = animation(gif(0.0, frames=4, loop=None))  # a delay of 0 plays as 0.1 s
    assert fast.once == 0.4
    assert animation(gif(1.0, frames=1)) is None  # one frame: a still
    assert animation(b"\x89PNG\r\n\x1a\n") is None
    data = gif(1.0, frames=3, loop=0)
    assert animation(data[:len(data) - 1]).frames == 3  # no trailer: every frame is whole
    assert animation(data[:40]) is None


# Through the commands --------------------------------------------------------------------------

def test_build_warns_check_reports_and_strict_fails(tmp_path):
    deck = "# Broken\n\n![](a.png)\n\n[here](https://example.org/)\n\n---\n\nNo heading\n"
    project = make_project(tmp_path, {"deck.md": deck}, files={"slides/a.png": b"png"})
    expected = [(3, "image-alt"), (5, "link-text"), (9, "slide-title")]

    def found(output: str) -> list[tuple[int, str]]:
        return [(int(m.group(1)), m.group(2)) for m in
                re.finditer(r"^slides/deck\.md:(\d+): warning: .*\(a11y: ([\w-]+)\)$", output, re.M)]

    built = run(project, "build")
    assert built.exit_code == 0 and found(built.output) == expected
    strict = run(project, "build", "--strict")
    assert strict.exit_code == 1 and found(strict.output) == expected
    checked = run(project, "check")
    assert found(checked.output) == expected
    assert run(project, "check", "--strict").exit_code == 1
    (project / "slides/deck.md").write_text(
        "# Fixed\n\n![A cat on a mat](a.png)\n\n[the example site](https://example.org/)\n\n"
        "---\n\n# A heading\n")
    assert run(project, "build", "--strict").exit_code == 0
    assert run(project, "check", "--strict").exit_code == 0


# Figure scripts: ALT, read statically ------------------------------------------------------------

PNG = Image.new("RGB", (8, 4), "white")
FIGURE = """import sys
from pathlib import Path

OUTPUTS = ["plot.png", "other.png"]
{alt}

out = Path(sys.argv[sys.argv.index("--out") + 1])
with open("runs.log", "a") as log:
    log.write("plot\\n")
for name in OUTPUTS:
    (out / name).write_bytes(bytes.fromhex("{png}"))
"""


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    PNG.save(buffer, format="PNG")
    return buffer.getvalue()


def figure_script(alt: str = "") -> str:
    return FIGURE.format(alt=alt, png=png_bytes().hex())


def embedded_source(project: Path) -> str:
    page = (project / "build/deck.html").read_text()
    return json.loads(re.search(r'id="lecture-source">(.*?)</script>', page, re.S).group(1))


def test_a_script_declares_alt_text_and_the_page_uses_it(tmp_path):
    deck = ("# Figures\n\n![](images/plot.png)\n\n<img src=\"images/plot.png\" style=\"height: 2em\">\n\n"
            "![:scale 40%](images/plot.png)\n\n![Its own words](images/other.png)\n")
    text = "Loss falls from 2.3 to 0.1 over 20 epochs [1, 20], `x` & {{y}}"
    alt = f'ALT = {{"plot.png": "{text}",\n       "other.png": "Something else"}}'
    project = make_project(tmp_path, {"deck.md": deck}, files={"figures_src/plot.py": figure_script(alt)})
    result = run(project, "build", "--strict")
    assert result.exit_code == 0, result.output
    source = embedded_source(project)
    escaped = ("Loss falls from 2.3 to 0.1 over 20 epochs &#91;1, 20&#93;, &#96;x&#96; &amp; "
               "&#123;&#123;y&#125;&#125;")
    assert f"![{escaped}](images/plot.png)" in source
    assert f'<img alt="{escaped}" src="images/plot.png"' in source
    assert f"![:scale 40%, {escaped.replace(',', '&#44;')}](images/plot.png)" in source
    assert "![Its own words](images/other.png)" in source  # the slide's own text stays
    assert (project / "slides/deck.md").read_text() == deck  # the deck file is never changed
    # Words are not pixels: an edit of ALT does not run the script again.
    script = project / "figures_src/plot.py"
    (project / "runs.log").unlink()
    script.write_text(script.read_text().replace("over 20 epochs", "in 20 epochs"))
    assert run(project, "build").exit_code == 0
    assert not (project / "runs.log").exists()
    assert "in 20 epochs" in embedded_source(project)


def test_a_figure_shown_without_text_and_declared_without_any_is_reported_at_the_script(tmp_path):
    deck = "# Figures\n\n![](images/plot.png)\n\n![](images/other.png)\n"
    project = make_project(tmp_path, {"deck.md": deck},
                           files={"figures_src/plot.py": figure_script('ALT = {"plot.png": "A line"}')})
    result = run(project, "build")
    lines = [line for line in result.output.splitlines() if ": warning: " in line]
    assert lines == [
        "figures_src/plot.py:5: warning: other.png has no alternative text, and slides/deck.md:5 shows "
        'it without its own: add it to ALT = {"other.png": "what the figure shows"} beside OUTPUTS, or '
        "give the image its text on the slide (a11y: image-alt)"]
    no_alt = make_project(tmp_path / "b", {"deck.md": deck}, files={"figures_src/plot.py": figure_script()})
    assert [line.split(": warning: ")[0] for line in run(no_alt, "build").output.splitlines()
            if ": warning: " in line] == ["figures_src/plot.py:4", "figures_src/plot.py:4"]
    marked = make_project(tmp_path / "c", {"deck.md": "# F\n\n<!-- a11y: ignore image-alt -->\n"
                                                     "![](images/plot.png)\n"},
                          files={"figures_src/plot.py": figure_script()})
    assert ": warning: " not in run(marked, "build").output


def test_alt_declarations_that_say_nothing_are_reported_at_their_line(tmp_path):
    alt = ('ALT = {\n    "plot.png": "plot",\n    "gone.png": "A figure no longer made",\n'
           '    "other.png": f"{1 + 1} bars",\n}')
    project = make_project(tmp_path, {"deck.md": "# A\n"}, files={"figures_src/plot.py": figure_script(alt)})
    lines = [line for line in run(project, "build").output.splitlines() if ": warning: " in line]
    assert lines == [
        "figures_src/plot.py:6: warning: the alternative text of plot.png: 'plot' is the file's name; "
        "say what the figure shows (a11y: image-alt)",
        "figures_src/plot.py:7: warning: ALT names 'gone.png', which OUTPUTS does not declare (it "
        "declares plot.png, other.png)",
        'figures_src/plot.py:8: warning: ALT is read from the source, not run: write each entry out as '
        'text, ALT = {"name.png": "what the figure shows"}']


def test_the_figure_text_reaches_the_page_in_chromium_and_gifs_get_a_pause_button(browser, tmp_path):
    text = "Loss falls from 2.3 to 0.1 over 20 epochs [1, 20], `x` & {{y}} <b>"
    deck = ("# Figures\n\n![](images/plot.png)\n\n<img src=\"images/plot.png\" style=\"height: 2em\">\n\n"
            "![:scale 40%](images/plot.png)\n\n---\nbackground-image: url(plot.png)\n"
            "background-alt: A white rectangle\n\n# Behind\n\n---\n\n# Moving\n\n![A blinking square](blink.gif)\n")
    alt = f'ALT = {{"plot.png": {text!r}, "other.png": "Something else"}}'
    project = make_project(tmp_path, {"deck.md": deck},
                           files={"figures_src/plot.py": figure_script(alt), "slides/plot.png": png_bytes(),
                                  "slides/blink.gif": gif(2.0, frames=3, loop=0)})
    result = run(project, "build", "--strict")
    assert result.exit_code == 0, result.output
    page = browser.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"file://{project}/build/deck.html")
    page.wait_for_function("window.slideshow !== undefined")
    page.wait_for_load_state("load")
    alts = page.evaluate("""() => Array.from(document.querySelectorAll('.remark-slide-content')[0]
        .querySelectorAll('img'), img => img.getAttribute('alt'))""")
    assert alts == [text, text, text]
    assert page.evaluate("""() => document.querySelectorAll('.remark-slide-content')[1]
        .querySelector('.lecture-background-alt').getAttribute('aria-label')""") == "A white rectangle"
    page.evaluate("slideshow.gotoSlide(3)")
    button = page.locator(".remark-visible .lecture-gif-pause")
    assert button.get_attribute("aria-label") == "Pause the animation"
    button.focus()
    page.keyboard.press("Enter")
    assert button.get_attribute("aria-label") == "Play the animation"
    assert page.evaluate("slideshow.getCurrentSlideIndex()") == 2  # the key paused; it did not turn the slide
    still = page.evaluate("""() => { const still = document.querySelector('.remark-visible .lecture-gif-still');
        return [still.width, still.getAttribute('aria-label')]; }""")
    assert still == [4, "A blinking square"]
    button.click()
    assert page.locator(".remark-visible .lecture-gif-still").count() == 0
    assert errors == []
    page.close()


def test_a_page_script_without_the_pause_button_makes_long_gifs_a_problem(tmp_path):
    project = make_project(tmp_path, {"deck.md": "# Moving\n\n![A blinking square](blink.gif)\n"},
                           files={"slides/blink.gif": gif(2.0, frames=3, loop=0),
                                  "templates/lecture.js": "/* the course's own page script */\n"})
    lines = [line for line in run(project, "check").output.splitlines() if ": warning: " in line]
    assert lines == ["slides/deck.md:3: warning: animated GIF 'blink.gif' runs for ever: and this course's "
                     "page script (templates/lecture.js) offers no way to pause it: keep the packaged "
                     "script's GIF pause button (its addGifPauseButtons), or make the GIF stop within "
                     "5 s (a11y: animation-pause)"]


# The course of this repository, and the one `lecture init` makes --------------------------------

def test_lecture_3_builds_with_no_accessibility_problem_and_every_image_has_words(built_course):
    assert [p for p in built_course.problems if "(a11y:" in p] == []
    source = embedded_source_of(built_course.root / "build/lecture3-neural-networks.html")
    assert re.findall(r"!\[\]\(", source) == []  # every Markdown image has text on the page
    assert re.findall(r"<img (?![^>]*\balt=)[^>]*>", source) == []


def embedded_source_of(page: Path) -> str:
    return json.loads(re.search(r'id="lecture-source">(.*?)</script>', page.read_text(), re.S).group(1))


def test_the_course_lecture_init_makes_has_no_accessibility_problem(tmp_path):
    from lecture_tool.commands.image_facts import image_facts
    from lecture_tool.commands.init import init_course
    from lecture_tool.config import load_config
    from lecture_tool.deck import read_deck
    from lecture_tool.jobs.figures import declared_outputs, discover
    from lecture_tool.layout import output_targets

    init_course(tmp_path / "course", "A course")
    config = load_config(tmp_path / "course")
    scripts, script_problems = discover(config)
    assert script_problems == [] and scripts[0].alt
    available = output_targets(config, config.decks(), declared_outputs(config, scripts))
    facts = image_facts(config, scripts, available)
    for path in config.decks():
        assert accessibility_problems(read_deck(path), facts, config.root) == []
    # The example deck's figure shows no text of its own: the script's is what the page gets.
    assert facts.figure_alts["images/logistic.png"].text.startswith("The logistic function")
