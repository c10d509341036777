"""The deck page's tools in real Chromium, from disk: the overview (`o`), search (`/`) and the
copy button of code blocks, each by keyboard, and axe-core with the dialogs open."""
import pytest
from click.testing import CliRunner

from lecture_tool.cli import main
from lecture_tool.deck import parse_deck
from lecture_tool.deck.annotations import Block, deck_checks, runnable_text

from conftest import REPO, make_project

DECK = """# One

Intro words

???

A word only the presenter sees: marmalade

---

# Two

Nothing to find here

---

# Three

<!-- check: setup
import math
-->
```python
x = math.sqrt(16)
*y = x + 1
print(y)
```

---

# Session

```python
>>> a = 2
>>> for i in range(3):
...     a += i
>>> a
5
```

--

A later step mentions the zebra
"""
MARKED_BLOCK = "x = math.sqrt(16)\ny = x + 1\nprint(y)"
SESSION_INPUT = "a = 2\nfor i in range(3):\n    a += i\na\n"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def build(project) -> None:
    result = CliRunner().invoke(main, ["-C", str(project), "build"], catch_exceptions=False)
    assert result.exit_code == 0, result.output


@pytest.fixture(scope="module")
def deck_page(tmp_path_factory):
    project = make_project(tmp_path_factory.mktemp("tools"), {"deck.md": DECK})
    build(project)
    return f"file://{project}/build/deck.html"


@pytest.fixture
def page(browser, deck_page):
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    opened = context.new_page()
    errors = []
    opened.on("pageerror", lambda error: errors.append(str(error)))
    opened.goto(deck_page)
    opened.wait_for_function("window.slideshow !== undefined")
    yield opened
    assert errors == []
    context.close()


def shown(page) -> int:
    """The slide shown, as the URL counts it (#N)."""
    return page.evaluate("slideshow.getCurrentSlideIndex()") + 1


def focused(page) -> str:
    """What the focused element says: a tile's caption (its picture is for the eye only)."""
    return page.evaluate("(e => (e.querySelector('.lecture-tile-caption') || e).textContent)"
                         "(document.activeElement)")


def test_the_overview_opens_by_key_moves_by_arrows_and_shows_the_slide_on_enter(page):
    page.keyboard.press("o")
    dialog = page.locator("#lecture-overview")
    assert dialog.is_visible()
    assert dialog.get_attribute("role") == "dialog" and dialog.get_attribute("aria-modal") == "true"
    assert page.evaluate("document.getElementById(document.getElementById('lecture-overview')"
                         ".getAttribute('aria-labelledby')).textContent") == "All slides"
    # One tile a step group: the session's two steps are one tile, its complete slide.
    assert page.locator(".lecture-tile-caption").all_inner_texts() == [
        "Slide 1: One", "Slide 2: Two", "Slide 3: Three", "Slide 5: Session"]
    assert focused(page) == "Slide 1: One"  # the slide shown
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    assert focused(page) == "Slide 3: Three"
    page.keyboard.press("Enter")
    assert shown(page) == 3 and page.url.endswith("#3")
    assert not dialog.is_visible()
    page.keyboard.press("o")
    page.keyboard.press("End")
    page.keyboard.press("ArrowLeft")
    assert focused(page) == "Slide 3: Three"  # the slide shown is where it opens
    page.keyboard.press("End")
    page.keyboard.press("Enter")
    assert shown(page) == 5


def test_the_overview_opens_by_button_and_escape_gives_the_focus_back(page):
    button = page.locator(".lecture-tools button", has_text="Overview")
    bar_opacity = "getComputedStyle(document.querySelector('.lecture-tools')).opacity"
    assert page.evaluate(bar_opacity) == "1"
    # The bar goes while the mouse rests, and is back with the keyboard's focus.
    page.wait_for_function(f"{bar_opacity} === '0'", timeout=6000)
    button.focus()
    assert page.evaluate(bar_opacity) == "1"
    page.keyboard.press("Enter")
    assert page.locator("#lecture-overview").is_visible()
    assert shown(page) == 1  # Enter pressed the button, and did not turn the slide
    page.keyboard.press("Escape")
    assert not page.locator("#lecture-overview").is_visible()
    assert page.evaluate("document.activeElement.textContent") == "Overview"
    assert shown(page) == 1
    button.click()
    page.locator(".lecture-tile", has_text="Slide 2: Two").click()
    assert shown(page) == 2
    page.keyboard.press("Space")  # the page has the focus: Space turns the slide
    assert shown(page) == 3


def test_search_by_keyboard_finds_a_word_on_a_later_slide_and_jumps_there(page):
    page.keyboard.press("/")
    assert page.locator("#lecture-search").is_visible()
    page.keyboard.type("ZEBRA")
    options = page.locator("#lecture-search [role=option]")
    assert options.all_inner_texts() == ["Slide 5: Session\n… += i >>> a 5 A later step mentions the zebra"]
    assert page.locator("#lecture-search mark").inner_text() == "zebra"
    page.keyboard.press("Enter")
    assert shown(page) == 5  # the step where the word first appears
    assert not page.locator("#lecture-search").is_visible()
    # Again from there: the next match after the slide shown, and the arrows choose another.
    page.keyboard.press("Home")
    page.keyboard.press("/")
    page.keyboard.press("Control+a")
    page.keyboard.type("e")  # on every slide
    selected = page.locator("#lecture-search [aria-selected=true]")
    assert selected.inner_text().startswith("Slide 2: Two")
    page.keyboard.press("ArrowDown")
    assert selected.inner_text().startswith("Slide 3: Three")
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowUp")
    assert selected.inner_text().startswith("Slide 1: One")
    page.keyboard.press("Escape")
    assert shown(page) == 1
    # `/` and Enter, again and again: from match to match through the deck.
    for expected in (2, 3, 4, 1):
        page.keyboard.press("/")
        page.keyboard.press("Enter")
        assert shown(page) == expected


def test_presenter_notes_are_searched_only_in_the_presenter_view(page):
    page.keyboard.press("/")
    page.keyboard.type("marmalade")
    assert page.locator("#lecture-search [role=option]").count() == 0
    assert page.locator(".lecture-search-status").inner_text() == "No slide holds this."
    page.keyboard.press("Escape")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("p")
    assert page.evaluate("document.body.classList.contains('remark-presenter-mode')")
    page.keyboard.press("/")
    page.keyboard.press("Control+a")
    page.keyboard.type("marmalade")
    assert page.locator("#lecture-search [role=option]").all_inner_texts() == [
        "Slide 1: One (in the notes)\nA word only the presenter sees: marmalade"]
    page.keyboard.press("Enter")
    assert shown(page) == 1


def test_the_keys_are_single_key_shortcuts_that_can_be_moved(browser, tmp_path):
    project = make_project(tmp_path, {"deck.md": DECK}, config='[tool.lecture.keys]\no = "alt+o"\n"/" = false\n')
    build(project)
    page = browser.new_page()
    page.goto(f"file://{project}/build/deck.html")
    page.wait_for_function("window.slideshow !== undefined")
    page.keyboard.press("o")
    page.keyboard.press("/")
    assert not page.locator(".lecture-dialog").first.is_visible()
    assert page.locator(".lecture-tools button", has_text="Search").get_attribute("aria-keyshortcuts") is None
    page.keyboard.press("Alt+o")
    assert page.locator("#lecture-overview").is_visible()
    assert page.locator(".lecture-tools button", has_text="Overview").get_attribute("aria-keyshortcuts") == "Alt+O"
    page.close()


def checked_text(block_line_first: int) -> str:
    """What `lecture check` runs of the block that begins at that line of DECK."""
    steps = [step for step in deck_checks(parse_deck(DECK), "", True).steps if isinstance(step, Block)]
    return "".join(step.source for step in steps if step.fence_line == block_line_first)


def test_copy_by_keyboard_puts_exactly_what_runs_on_the_clipboard(page):
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    button = page.locator(".remark-visible .lecture-copy-code")
    assert button.get_attribute("aria-label") == "Copy code"
    for _ in range(8):  # the skip link, the shortcuts button, the tool bar, the code block, ...
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('lecture-copy-code')"):
            break
    assert page.evaluate("document.activeElement.getAttribute('aria-label')") == "Copy code"
    assert page.evaluate("getComputedStyle(document.activeElement).opacity") == "1"  # shown with the focus
    page.keyboard.press("Enter")
    page.wait_for_function("document.getElementById('lecture-announcer').textContent === 'Copied'")
    copied = page.evaluate("navigator.clipboard.readText()")
    # No `*` marker, no hidden setup: what the check runs of it.
    assert copied == MARKED_BLOCK == checked_text(DECK.splitlines().index("```python") + 1)
    assert shown(page) == 3  # Enter copied, and did not turn the slide
    page.keyboard.press("ArrowRight")
    page.locator(".remark-visible .lecture-copy-code").focus()
    page.keyboard.press(" ")
    page.wait_for_function("navigator.clipboard.readText().then(t => t.startsWith('a = 2'))")
    copied = page.evaluate("navigator.clipboard.readText()")
    session_fence = [n for n, line in enumerate(DECK.splitlines(), 1) if line == "```python"][1]
    assert copied == SESSION_INPUT == checked_text(session_fence)  # no prompts, no output
    assert shown(page) == 4


def test_without_the_clipboard_api_copy_falls_back_and_says_so(browser, deck_page):
    page = browser.new_page()  # no clipboard permission: the page copies through a text area
    page.goto(deck_page + "#3")
    page.wait_for_function("window.slideshow !== undefined")
    page.evaluate("Object.defineProperty(navigator, 'clipboard', {value: undefined})")
    page.evaluate("document.execCommand = () => false")  # a browser that refuses that too
    page.locator(".remark-visible .lecture-copy-code").focus()
    page.keyboard.press("Enter")
    assert "press Ctrl+C" in page.inner_text("#lecture-announcer")
    assert page.evaluate("getSelection().toString()").startswith("x = math.sqrt(16)")
    page.close()


def test_a_session_copies_its_input_lines_only():
    session = ">>> def f(x):\n...     return x\n>>> f(2)\n2\n"
    assert runnable_text(session, "python", False) == "def f(x):\n    return x\nf(2)\n"
    assert runnable_text(session, "text", False) == session.rstrip("\n")  # not run: as shown
    assert runnable_text("*a = 1\nb = 2", "", True) == "a = 1\nb = 2"  # remark's line marker


def test_axe_finds_nothing_with_the_overview_or_search_open(page):
    page.add_script_tag(path=str(REPO / "node_modules/axe-core/axe.min.js"))
    audit = ("() => axe.run(document, {runOnly: {type: 'tag', values: %s}})"
             ".then(r => r.violations.map(v => v.id + ': ' + v.nodes.map(n => n.html).join(' | ')))" % AXE_TAGS)
    page.keyboard.press("o")
    assert page.evaluate(audit) == []
    page.keyboard.press("Escape")
    page.keyboard.press("/")
    page.keyboard.type("e")
    assert page.evaluate(audit) == []
