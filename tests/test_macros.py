"""A course's own remark macros (`templates/macros.js`): the build reads the names the file
defines, and a deck may use them; the pages load the file before remark starts, so a slide
shows what the macro returns; any other name is still an error at its line, and `lecture
check`, `lecture outline` and `lecture build` say the same."""
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from lecture_tool.cli import main
from lecture_tool.deck import parse_deck
from lecture_tool.macros import BUILT_IN, Macros, assigned_names

from conftest import REPO, make_project

COL_ROW = """// Two cells side by side, as the course's old page defined them.
remark.macros.col_row = function (left, right) {
  return '<div class="col-row"><span class="col">' + left + '</span>' +
         '<span class="col">' + right + '</span></div>';
};
"""
DECK = "# One\n\n![:col_row a, b]\n\n---\n\n# Two\n\nPlain.\n\n---\n\n# Three\n\n![:col_row x, y]\n"


def lecture(project: Path, *args: str):
    return CliRunner().invoke(main, ["-C", str(project), *args], catch_exceptions=False)


def error_lines(output: str) -> list[str]:
    return [line for line in output.splitlines() if ": error: " in line or ": warning: " in line]


SCRIPTS = {
    "by dot": ("remark.macros.col_row = function (a, b) { return a + b; };", {"col_row"}),
    "by key": ("remark.macros['two-words'] = f;\nremark.macros[\"dq\"] = g;\nremark.macros[`bt`] = h;",
               {"two-words", "dq", "bt"}),
    "through window": ("window.remark.macros.w = f;", {"w"}),
    "if not there yet": ("remark.macros.once ||= f;", {"once"}),
    "Object.assign": ("Object.assign(remark.macros, {\n  a: function () {},\n"
                      "  b(x) { return {p: 1, q: 2}; },\n  'c-d': f,\n  e,\n  ...others,\n"
                      "  [computed]: 1,\n}, {g: 1});", {"a", "b", "c-d", "e", "g"}),
    "not in comments or strings": ("// remark.macros.old = f;\n/* remark.macros.older = f; */\n"
                                   "var s = 'remark.macros.said = 1';\n"
                                   "var t = `remark.macros.tpl = ${s}`;", set()),
    "quotes in a regular expression": (
        "remark.macros.esc = function () { return this.replace(/\"/g, '&quot;').replace(/'/g, ''); };\n"
        "var half = width / 2; // a division, then a quote: '\nremark.macros.after = f;", {"esc", "after"}),
    "a comparison is no definition": ("if (remark.macros.x === undefined) {}", set()),
    "another object": ("Object.assign(other, {z: 1});", set()),
}


@pytest.mark.parametrize("script", SCRIPTS)
def test_the_names_a_script_assigns(script):
    text, expected = SCRIPTS[script]
    assert assigned_names(text) == expected


def test_a_macro_the_page_does_not_define_is_an_error_at_its_line():
    deck = "# A\n\n![:col_row a, b]\n\n![:zoom 2](b.png) ![:col_rows c]\n"
    known = Macros(BUILT_IN | {"col_row"}, "theme/macros.js")
    assert [d.format() for d in parse_deck(deck, Path("slides/x.md"), known).diagnostics] == [
        "slides/x.md:5: error: macro 'zoom' is not defined (known: col_row, hello, scale): remark "
        "stops and shows no slide at all; define it in theme/macros.js",
        "slides/x.md:5: error: macro 'col_rows' is not defined (known: col_row, hello, scale): "
        "remark stops and shows no slide at all; did you mean 'col_row'? Or define it in "
        "theme/macros.js"]
    # Without the course's macros, its own are as unknown as any.
    assert [d.line for d in parse_deck(deck, Path("slides/x.md")).diagnostics] == [3, 5, 5]


def test_build_check_and_outline_agree_on_the_courses_macros(tmp_path):
    project = make_project(tmp_path, {"good.md": DECK, "bad.md": "# Bad\n\n![:zoom 2]\n"},
                           {"templates/macros.js": COL_ROW})
    said = ("slides/bad.md:3: error: macro 'zoom' is not defined (known: col_row, hello, scale): "
            "remark stops and shows no slide at all; define it in templates/macros.js")
    built = lecture(project, "build")
    assert built.exit_code == 1 and error_lines(built.output) == [said]
    assert (project / "build/assets/macros.js").read_text() == COL_ROW
    page = (project / "build/good.html").read_text()
    # Loaded after remark (whose `remark.macros` it adds to), before lecture.js starts remark.
    order = [page.index(f"assets/{name}") for name in ("remark.min.js", "macros.js", "lecture.js")]
    assert order == sorted(order)
    checked = lecture(project, "check")
    assert checked.exit_code == 1 and error_lines(checked.output) == [said]
    good = lecture(project, "outline", "good", "--json")
    assert good.exit_code == 0 and json.loads(good.output)["slide_count"] == 3
    bad = lecture(project, "outline", "bad")
    assert bad.exit_code == 1 and said in bad.output


def test_a_course_without_macros_has_pages_that_load_none(tmp_path):
    project = make_project(tmp_path, {"deck.md": "# A\n\n![:scale 50%](a.png)\n"}, {"slides/a.png": b"png"})
    assert lecture(project, "build").exit_code == 0
    assert "macros.js" not in (project / "build/deck.html").read_text()
    assert not (project / "build/assets/macros.js").exists()


def test_a_macros_file_the_build_reads_no_name_from_is_a_warning_at_its_path(tmp_path):
    # Defined through a variable: the page has it, the build cannot tell. (And a course's
    # templates directory may have another name.)
    project = make_project(tmp_path, {"deck.md": "# A\n\n![:col_row a, b]\n"},
                           {"theme/macros.js": "var macros = remark.macros;\nmacros.col_row = f;\n"},
                           config='templates = "theme"\n')
    result = lecture(project, "build")
    assert result.exit_code == 1
    assert error_lines(result.output) == [
        "theme/macros.js:1: warning: the build finds no macro defined here, so no deck may use "
        "one: define each as remark.macros.NAME = function (...) { ... }, remark.macros['NAME'] = "
        "..., or in Object.assign(remark.macros, {...})",
        "slides/deck.md:3: error: macro 'col_row' is not defined (known: hello, scale): remark "
        "stops and shows no slide at all; define it in theme/macros.js"]


def test_editing_the_macros_file_rebuilds_and_an_unchanged_build_stays_a_no_op(tmp_path):
    project = make_project(tmp_path, {"deck.md": DECK}, {"templates/macros.js": COL_ROW})
    macros = project / "templates/macros.js"
    first = lecture(project, "build")
    assert first.exit_code == 0 and error_lines(first.output) == []
    assert "0 files written, 0 errors" in lecture(project, "build").output.splitlines()[-1]

    macros.write_text(COL_ROW.replace("col_row", "columns"))
    renamed = lecture(project, "build")
    assert [line.split(": error: ")[0] for line in error_lines(renamed.output)] == \
        ["slides/deck.md:3", "slides/deck.md:15"]
    assert "remark.macros.columns" in (project / "build/assets/macros.js").read_text()
    again = lecture(project, "build")  # nothing changed: the same errors, nothing written
    assert error_lines(again.output) == error_lines(renamed.output)
    assert "0 files written, 2 errors" in again.output.splitlines()[-1]

    macros.write_text(COL_ROW)
    fixed = lecture(project, "build")
    assert fixed.exit_code == 0 and error_lines(fixed.output) == []
    assert (project / "build/assets/macros.js").read_text() == COL_ROW
    assert "0 files written, 0 errors" in lecture(project, "build").output.splitlines()[-1]


OWN_SCALE = COL_ROW + """remark.macros.scale = function (width) {
  return '<span class="own-scale">' + width + '</span>';
};
"""


@pytest.mark.parametrize("over", ["file", "http"])
def test_the_slide_shows_what_the_courses_macro_returns(tmp_path, browser, serve, over):
    deck = DECK + "\n---\n\n# Four\n\n![:scale 40%](a.png)\n"
    project = make_project(tmp_path, {"deck.md": deck}, {"templates/macros.js": OWN_SCALE,
                                                         "slides/a.png": b"png"})
    built = lecture(project, "build")
    assert built.exit_code == 0 and error_lines(built.output) == [], built.output
    outline = json.loads(lecture(project, "outline", "deck", "--json").output)
    url = (f"file://{project}/build/deck.html" if over == "file"
           else f"{serve(project / 'build')}/deck.html")
    page = browser.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(url)
    page.wait_for_function("window.slideshow !== undefined")
    assert page.evaluate("slideshow.getSlideCount()") == outline["slide_count"] == 4
    cells = page.evaluate("""() => Array.from(
        document.querySelectorAll('.remark-slides-area .remark-slide-content'),
        slide => Array.from(slide.querySelectorAll('.col-row .col'), cell => cell.textContent))""")
    assert cells == [["a", "b"], [], ["x", "y"], []]
    # The course's `scale` is the one its slides get: lecture.js's own gives way to it.
    assert page.evaluate("document.querySelector('.own-scale').textContent") == "40%"
    ours = page.evaluate("document.querySelector('.remark-slides-area .col-row').outerHTML")
    assert errors == []
    page.close()

    # remark itself, with the same file loaded before it starts, makes the same slide.
    plain = browser.new_page()
    plain.set_content("<!DOCTYPE html><html><body></body></html>")
    plain.add_script_tag(path=str(REPO / "node_modules/remark-slide/out/remark.min.js"))
    plain.add_script_tag(content=OWN_SCALE)
    theirs = plain.evaluate("""(source) => { remark.create({source: source});
        return document.querySelector('.remark-slides-area .col-row').outerHTML; }""", deck)
    assert ours == theirs
    plain.close()
