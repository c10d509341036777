"""Numbers on slides: claims of values, shapes and lengths checked by `lecture check`; values that
figure scripts and notebooks record, claimed and shown by `lecture build`; percentages and
decimals that nothing ties to the code or a figure, warned about."""
import json
import re
from decimal import Decimal

import nbformat
import pytest
from click.testing import CliRunner

from lecture_tool.cli import main
from lecture_tool.deck import read_deck
from lecture_tool.deck.numbers import formatted, inline_values, parse_stated, recorded_claims
from lecture_tool.values import read_all

from conftest import copy_built_course, make_project

COIN = """import numpy as np
from lecture_tool import figure_style as style

OUTPUTS = ["coin.png"]
ALT = {"coin.png": "Two bars of almost the same height, one a little over one half, one a little under"}
HEADS = 0.502


def make(out):
    style.record("heads", HEADS)
    style.record("flips", 1000)
    style.record("probabilities", np.array([0.25, 0.75]))
    style.record("name", "coin")
    fig, axis = style.figure(0.4, 2)
    axis.bar([0, 1], [HEADS, 1 - HEADS])
    style.save_png(fig, out / "coin.png")


if __name__ == "__main__":
    style.run(make, OUTPUTS)
"""


def lecture(project, *args):
    return CliRunner().invoke(main, ["-C", str(project), *args], catch_exceptions=False)


def problems(result) -> list[str]:
    return [line for line in result.output.splitlines() if ": error: " in line or ": warning: " in line]


@pytest.mark.parametrize("stated, inside, outside", [
    ("0.93", ["0.925", "0.935", "0.93"], ["0.9351", "0.924", "0.94"]),
    ("93 %", ["0.925", "0.93", "0.935"], ["0.94", "0.92", "93"]),
    ("93%", ["0.93"], ["0.94"]),
    ("0.93 ± 0.02", ["0.91", "0.95"], ["0.9501", "0.909"]),
    ("93 % ± 2", ["0.91", "0.95"], ["0.96", "0.90"]),
    ("120 ± 5 %", ["114", "126"], ["113.9", "126.1"]),
    ("1,797", ["1797"], ["1798", "1796"]),
    ("4.2 million", ["4150000", "4249999"], ["4250001", "4100000"]),
    ("\u22120.5", ["-0.5", "-0.54"], ["0.5", "-0.56"]),
    ("9", ["9"], ["8", "10"]),
])
def test_a_stated_number_holds_at_its_precision_or_tolerance(stated, inside, outside):
    parsed = parse_stated(stated)
    assert [parsed.holds(float(Decimal(x))) for x in inside] == [True] * len(inside)
    assert [parsed.holds(float(Decimal(x))) for x in outside] == [False] * len(outside)


def test_a_quoted_text_and_what_is_no_number():
    assert parse_stated('"nine"').holds("nine") and not parse_stated('"nine"').holds("Nine")
    assert not parse_stated("93 %").holds("0.93") and not parse_stated("1").holds(True)
    assert [parse_stated(text) for text in ("ninety", "93 %%", "0.9.3", "", "± 2")] == [None] * 5


CLAIMS = """# Code

```python
import numpy as np
x = np.zeros((2, 7))
layers = ["a", "b", "c"]
acc = 0.9312
```
<!-- check: {claim} -->
We state {shown} here.
"""


@pytest.mark.parametrize("claim, shown, expected", [
    ("value(acc) = 93 %", "93 %", None),
    ("value(acc) = 93 %", "93%", None),
    ("value(acc) = 0.93 ± 0.002", "0.93", None),
    ("shape(x) = (2, 7)", "a shape of (2, 7)", None),
    ("len(layers) = 3", "3 layers", None),
    ("value(acc) = 0.94", "0.94", "acc is 0.9312, the slide says 0.94"),
    ("value(acc) = 94 %", "94 %", "acc is 0.9312, the slide says 94 %"),
    ("value(acc) = 0.95 ± 0.01", "0.95", "acc is 0.9312, the slide says 0.95 ± 0.01"),
    ("value(acc) = 93 % ± 0.1", "93 %", "acc is 0.9312, the slide says 93 % ± 0.1"),
    ("shape(x) = (2, 8)", "a shape of (2, 8)", "shape(x) is (2, 7), the slide says (2, 8)"),
    ("len(layers) = 5", "5 layers", "len(layers) is 3, the slide says 5"),
    ("value(accuracy) = 93 %", "93 %",
     "cannot evaluate accuracy: NameError: name 'accuracy' is not defined"),
])
def test_value_shape_and_len_claims(tmp_path, claim, shown, expected):
    project = make_project(tmp_path, {"deck.md": CLAIMS.format(claim=claim, shown=shown)},
                           config='[tool.lecture.check]\nprelude = ""\n')
    result = lecture(project, "check", "--no-notebooks")
    # At the line that states the number: the error, and no "nothing checks it" warning.
    assert problems(result) == ([] if expected is None else [f"slides/deck.md:10: error: {expected}"])
    assert result.exit_code == (1 if expected else 0)


def test_a_claim_whose_number_the_slide_does_not_show_says_what_the_code_gives(tmp_path):
    project = make_project(tmp_path, {"deck.md": CLAIMS.format(claim="value(acc) = 0.931", shown="93 %")},
                           config='[tool.lecture.check]\nprelude = ""\n')
    assert ("slides/deck.md:9: error: the claim says the slide states '0.931', but the slide does not; "
            "acc is 0.9312") in problems(lecture(project, "check", "--no-notebooks"))


def test_a_claim_that_cannot_be_read_says_how_to_write_one(tmp_path):
    project = make_project(tmp_path, {"deck.md": CLAIMS.format(claim="value(acc) = about 93",
                                                               shown="about 93")},
                           config='[tool.lecture.check]\nprelude = ""\n')
    assert problems(lecture(project, "check", "--no-notebooks")) == [
        "slides/deck.md:9: error: a claim is written <!-- check: value(EXPRESSION) = 0.93 --> (a number "
        "as the slide shows it: 0.93, 93 %, 1,797, -0.5; a tolerance after ±, 0.93 ± 0.02 or 93 % ± 2; "
        '"text" in quotes; a shape as (None, 10))']


def coin_course(tmp_path, deck: str):
    return make_project(tmp_path, {"deck.md": deck}, files={"figures_src/coin.py": COIN},
                        config='[tool.lecture.check]\nprelude = ""\n')


RECORDED = """# Coins

![](images/coin.png)

<!-- check: figure("coin").heads = 50 % -->
Heads came up 50 % of the time in 1,000 flips, the last with p = 0.75.
<!-- check: figure("coin").flips = 1,000 -->
<!-- check: figure("coin").probabilities[1] = 0.75 -->
<!-- check: figure("coin").name = "coin" --> (the "coin" figure)
"""


def test_recorded_values_are_checked_by_the_build_and_a_changed_figure_fails_at_the_slide_line(tmp_path):
    project = coin_course(tmp_path, RECORDED)
    result = lecture(project, "build")
    assert result.exit_code == 0 and problems(result) == []
    recorded = json.loads((project / "build/.cache/values/figure/coin.json").read_text())
    assert recorded == {"flips": 1000, "heads": 0.502, "name": "coin", "probabilities": [0.25, 0.75]}
    # Kept with the figure: the next build is a no-op, which says the same (nothing).
    again = lecture(project, "build")
    assert again.exit_code == 0 and "0 files written" in again.output and problems(again) == []
    # The figure tells another story: the slide's words no longer hold, and the build says where.
    script = project / "figures_src/coin.py"
    script.write_text(COIN.replace("HEADS = 0.502", "HEADS = 0.512"))
    result = lecture(project, "build")
    assert result.exit_code == 1
    assert problems(result) == ['slides/deck.md:6: error: figure("coin").heads is 0.512, the slide says 50 %']
    # lecture check says the same, and runs no figure script that is up to date.
    assert problems(lecture(project, "check", "--no-notebooks")) == problems(result)


@pytest.mark.parametrize("claim, expected", [
    ('figure("coin").heads = 51 %', 'figure("coin").heads is 0.502, the slide says 51 %'),
    ('figure("coin").flips = 1,001', 'figure("coin").flips is 1000, the slide says 1,001'),
    ('figure("coin").tails = 51 %', "figure 'coin' recorded no 'tails' (it recorded: flips, heads, "
                                    "name, probabilities)"),
    ('figure("coins").heads = 51 %', 'figure("coins").heads names no recorded values: the figure '
                                     "script figures_src/coins.py records none, or does not exist "
                                     "(those that record some: coin)"),
    ('figure("coin").probabilities[2] = 51 %', "figure 'coin': probabilities has no item [2]"),
    ('notebook("fit").slope = 51 %', 'notebook("fit").slope names no recorded values: the notebook '
                                     "notebooks/fit.ipynb records none, or does not exist (those "
                                     "that record some: none)"),
])
def test_a_wrong_or_unknown_recorded_value_is_an_error_at_the_slide_line(tmp_path, claim, expected):
    project = coin_course(tmp_path, f"# Coins\n\n![](images/coin.png)\n\n<!-- check: {claim} -->\n"
                                    "Heads: 51 % of 1,001.\n")
    result = lecture(project, "build")
    assert result.exit_code == 1 and problems(result) == [f"slides/deck.md:6: error: {expected}"]


SHOWN = """# Coins

![](images/coin.png)

Heads came up <!-- value: figure("coin").heads:.1% -->50.2%<!-- /value --> of the time,
in <!-- value: figure("coin").flips:, -->1,000<!-- /value --> flips.
"""


def test_an_inline_value_is_shown_formatted_in_chromium_and_the_deck_is_unchanged(tmp_path, browser):
    project = coin_course(tmp_path, SHOWN.replace("50.2%", "about half"))
    before = (project / "slides/deck.md").read_bytes()
    result = lecture(project, "build")
    # The deck's own text (what remark shows without lecture) is not what the page shows.
    assert problems(result) == [
        "slides/deck.md:5: warning: the page shows 50.2% here, and the deck's own text says "
        "'about half' (what remark shows without lecture): write 50.2%"]
    assert (project / "slides/deck.md").read_bytes() == before
    page = browser.new_page()
    page.goto((project / "build/deck.html").as_uri())
    page.wait_for_function("window.slideshow !== undefined")
    text = page.evaluate("document.querySelector('.remark-visible .remark-slide-content').textContent")
    page.close()
    assert "Heads came up 50.2% of the time,\nin 1,000 flips." in text
    # The same figure recording another value: the page follows it.
    (project / "figures_src/coin.py").write_text(COIN.replace("HEADS = 0.502", "HEADS = 0.6"))
    lecture(project, "build")
    assert "60.0%" in (project / "build/deck.html").read_text()


def test_an_inline_value_that_names_nothing_is_an_error_and_keeps_its_text(tmp_path):
    project = coin_course(tmp_path, "# Coins\n\n![](images/coin.png)\n\n"
                                    'Heads: <!-- value: figure("coin").head:.0% -->half<!-- /value -->.\n'
                                    'Flips: <!-- value: figure(coin).flips -->many<!-- /value -->.\n'
                                    'Name: <!-- value: figure("coin").name:.2f -->coin<!-- /value -->.\n')
    result = lecture(project, "build")
    assert result.exit_code == 1 and problems(result) == [
        "slides/deck.md:5: error: figure 'coin' recorded no 'head' (it recorded: flips, heads, name, "
        "probabilities)",
        "slides/deck.md:6: error: cannot read the value 'figure(coin).flips': write <!-- value: "
        "figure(\"SCRIPT\").NAME:FORMAT -->TEXT<!-- /value -->, FORMAT as Python's (.0%, .2f, ,)",
        "slides/deck.md:7: error: cannot show figure(\"coin\").name ('coin') as '.2f': Unknown "
        "format code 'f' for object of type 'str'"]
    source = (project / "build/deck.html").read_text()
    assert "Heads: half." in source and "Flips: many." in source


def test_a_notebook_records_values_in_a_plain_dict(tmp_path):
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    notebook.cells = [nbformat.v4.new_code_cell("import numpy as np\nlecture_values = {}\n"
                                                "slope = np.float64(2.04)\n"
                                                "lecture_values['slope'] = slope\nslope")]
    project = make_project(tmp_path, {"deck.md": '# Fit\n\n<!-- check: notebook("fit").slope = 2.0 ± 0.1 -->\n'
                                                 "The slope is 2.0.\n"},
                           files={"notebooks/fit.ipynb": nbformat.writes(notebook)})
    result = lecture(project, "build")
    assert result.exit_code == 0, result.output
    assert json.loads((project / "build/.cache/values/notebook/fit.json").read_text()) == {"slope": 2.04}
    executed = nbformat.read(project / "build/notebooks/fit.ipynb", as_version=4)
    assert len(executed.cells) == 1  # the cell that read the values is not in the notebook


def test_numbers_that_nothing_ties_are_warned_about_unless_the_slide_says_not_computed(tmp_path):
    deck = ("# Coins\n\n![](images/coin.png)\n\nAbout 51 % were heads, https://example.org/1.5 says.\n\n"
            "---\n\n# No code, no figure\n\nAbout 12.5 % of it.\n\n"
            "---\n\n# Code\n\n```python\nacc = 0.9312\n```\n\nAccuracy 0.93, `0.5` in code, $0.5$ in math.\n\n"
            "---\n\n# A paper\n\n<!-- check: not-computed -->\n```python\nx = 1\n```\n\n"
            "They reached 99.2 % (Smith 2020).\n")
    project = coin_course(tmp_path, deck)
    assert problems(lecture(project, "check", "--no-notebooks")) == [
        "slides/deck.md:5: warning: '51 %' is a number that nothing checks: tie it with "
        '<!-- check: figure("coin").NAME = 51 % --> (it records: flips, heads, name, probabilities), '
        "show a recorded value with <!-- value: ... -->, or mark the slide <!-- check: not-computed "
        "--> if its numbers come from elsewhere",
        "slides/deck.md:21: warning: '0.93' is a number that nothing checks: tie it with "
        "<!-- check: value(EXPRESSION) = 0.93 -->, show a recorded value with <!-- value: ... -->, "
        "or mark the slide <!-- check: not-computed --> if its numbers come from elsewhere"]


def test_an_adversarial_figure_with_another_story_never_contradicts_lecture_3(built_course, tmp_path):
    # As another CPU once did: the figure shows another digit, another probability. The slides'
    # words must follow (computed) or the build must fail at their line (checked): never both
    # stories at once.
    course = copy_built_course(built_course, tmp_path / "course")
    script = course / "figures_src/adversarial.py"
    source, count = re.subn(r"^QUIZ_DIGIT = 4\b", "QUIZ_DIGIT = 7", script.read_text(), flags=re.M)
    assert count == 1
    script.write_text(source)
    result = lecture(course, "build")
    recorded = json.loads((course / "build/.cache/values/figure/adversarial.json").read_text())
    assert recorded["quiz_digit"] == 7 and recorded["left_digit"] == 7
    deck = read_deck(course / "slides/lecture3-neural-networks.md")
    values = read_all(course / "build/.cache/values")
    page = (course / "build/lecture3-neural-networks.html").read_text()
    shown = json.loads(re.search(r'id="lecture-source">(.*?)</script>', page, re.S).group(1))
    inline = [value for value in inline_values(deck) if value.reference.name == "adversarial"]
    assert len(inline) >= 5
    for value in inline:  # computed: the page says what the figure now shows
        assert formatted(value.reference.look_up(values)[0], value.format) in shown
    assert "you still see a\n7, our digits network is" in shown
    errors = [line for line in result.output.splitlines() if ": error: " in line]
    claims, _ = recorded_claims(deck)
    for claim in claims:  # checked: a claim that no longer holds fails at its line
        if not claim.stated.holds(claim.reference.look_up(values)[0]):
            assert any(line.startswith(f"slides/lecture3-neural-networks.md:{claim.line}: error: ")
                       for line in errors), (claim, errors)
    assert result.exit_code == (1 if errors else 0)
