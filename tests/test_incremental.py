"""A build redoes only what changed: an unchanged deck is not parsed or rendered again, but its
problems are still reported, and whatever its page depends on (templates, settings, the files
the output will hold) makes it new again. A build after which nothing changed at all parses
nothing and runs nothing, and says what the last one said; any change to what it reads or
writes (a deck, a template, pyproject.toml, a figure script, its helper or data, a notebook, a
file beside the decks, an output) is built."""
import os

import nbformat
import pytest
from click.testing import CliRunner
from nbformat.v4 import new_code_cell, new_notebook

import lecture_tool.commands.build_steps
import lecture_tool.deck
from lecture_tool.cli import main

from conftest import make_project


def build(project, *args):
    result = CliRunner().invoke(main, ["-C", str(project), "build", *args], catch_exceptions=False)
    return result.output.splitlines()


def test_unchanged_decks_are_reused_and_their_problems_still_said(tmp_path):
    project = make_project(tmp_path, {"a.md": "# A\n\n![A picture not drawn yet](missing.png)\n",
                                      "b.md": "# B\n"})
    first = build(project)
    page = project / "build/a.html"
    written_at = page.stat().st_mtime_ns
    again = build(project)
    warning = ("slides/a.md:3: warning: image 'missing.png' not found: no slides/missing.png to "
               "copy and no build step makes build/missing.png")
    assert warning in first and warning in again
    assert again[-1].startswith("Built 2 decks (2 slides)") and "0 files written" in again[-1]
    assert page.stat().st_mtime_ns == written_at
    # The image appears: what the output holds changed, so the deck is looked at again.
    (project / "slides/missing.png").write_bytes(b"png")
    assert [line for line in build(project) if ": warning: " in line] == []


def test_a_template_or_a_setting_makes_every_page_new(tmp_path):
    project = make_project(tmp_path, {"a.md": "# A\n", "b.md": "# B\n"})
    build(project)
    (project / "templates").mkdir()
    (project / "templates/deck.html").write_text(
        '{% extends "base.html" %}{% block body %}<body data-course="custom"></body>{% endblock %}')
    build(project)
    assert all('data-course="custom"' in (project / f"build/{n}.html").read_text() for n in "ab")
    (project / "pyproject.toml").write_text('[tool.lecture]\ntitle = "Renamed"\n[tool.lecture.remark]\nratio = "4:3"\n')
    (project / "templates/deck.html").unlink()
    build(project)
    assert all('"ratio": "4:3"' in (project / f"build/{n}.html").read_text() for n in "ab")


@pytest.fixture
def parsed(monkeypatch):
    """The decks the builds parse, in order."""
    seen = []
    read_deck = lecture_tool.deck.read_deck

    def spy(path, *args, **kwargs):
        seen.append(path.name)
        return read_deck(path, *args, **kwargs)
    # Where the build reads decks: the steps past the no-op shortcut.
    monkeypatch.setattr(lecture_tool.commands.build_steps, "read_deck", spy)
    return seen


def test_a_no_op_build_parses_nothing_and_says_the_last_builds_warnings(tmp_path, parsed):
    project = make_project(tmp_path, {"a.md": "# A\n\n![A picture not drawn yet](missing.png)\n",
                                      "b.md": "# B\n"})
    first = build(project)
    assert sorted(parsed) == ["a.md", "b.md"]
    parsed.clear()
    for _ in range(2):
        again = build(project)
        assert parsed == []
        assert [line for line in again if ": warning: " in line] == \
            [line for line in first if ": warning: " in line] != []
        assert again[-1].startswith("Built 2 decks (2 slides) into build/") and \
            again[-1].endswith("0 files written, 0 errors, 1 warning.")
    result = CliRunner().invoke(main, ["-C", str(project), "build", "--strict"])
    assert result.exit_code == 1 and "Failing because of --strict." in result.output
    assert parsed == []


def deck_image_and_template(root, body: str):
    """A course of one deck that shows one image, with its own deck template."""
    return make_project(root, {"a.md": "# A\n\n![A picture of x](images/x.png)\n"},
                        files={"slides/images/x.png": b"png", "templates/deck.html":
                               '{% extends "base.html" %}{% block body %}<body>' + body +
                               '</body>{% endblock %}'})


def test_touching_files_without_changing_them_keeps_the_build_a_no_op(tmp_path, parsed):
    project = deck_image_and_template(tmp_path, "{{ deck.title }}")
    build(project)
    parsed.clear()
    for path in ("slides/a.md", "slides/images/x.png", "templates/deck.html", "pyproject.toml",
                 "build/a.html", "build/index.html"):
        os.utime(project / path)
    for _ in range(2):
        assert "0 files written, 0 errors, 0 warnings." in build(project)[-1]
        assert parsed == []


def test_a_deck_replaced_at_the_same_size_and_time_is_built(tmp_path):
    """As `rsync -t` or `tar x` leave a file: other content, same size, same modification time."""
    project = make_project(tmp_path, {"a.md": "# Aaa\n"})
    build(project)
    deck = project / "slides/a.md"
    before = deck.stat()
    deck.write_text("# Bbb\n")
    os.utime(deck, ns=(before.st_atime_ns, before.st_mtime_ns))
    build(project)
    assert "Bbb" in (project / "build/a.html").read_text()


CHANGES = {
    "a template override, at the same size": (
        lambda p: (p / "templates/deck.html").write_text(
            (p / "templates/deck.html").read_text().replace("first", "again")),
        lambda p: "<body>again A</body>" in (p / "build/a.html").read_text()),
    "pyproject.toml": (
        lambda p: (p / "pyproject.toml").write_text('[tool.lecture]\ntitle = "Renamed course"\n'),
        lambda p: "Renamed course" in (p / "build/index.html").read_text()),
    "a file beside the decks": (
        lambda p: (p / "slides/images/x.png").write_bytes(b"new picture"),
        lambda p: (p / "build/images/x.png").read_bytes() == b"new picture"),
    "a new deck": (
        lambda p: (p / "slides/b.md").write_text("# Bee\n"),
        lambda p: "Bee" in (p / "build/index.html").read_text()
        and (p / "build/b.html").is_file()),
    "a deck removed": (
        lambda p: (p / "slides/a.md").rename(p / "slides/a.md.orig"),
        lambda p: "a.html" not in (p / "build/index.html").read_text()),
    "a page deleted": (
        lambda p: (p / "build/a.html").unlink(),
        lambda p: "<body>first A</body>" in (p / "build/a.html").read_text()),
    "a page edited by hand": (
        lambda p: (p / "build/a.html").write_text("vandalised"),
        lambda p: "<body>first A</body>" in (p / "build/a.html").read_text()),
    "the stylesheet deleted": (
        lambda p: (p / "build/assets/lecture.css").unlink(),
        lambda p: (p / "build/assets/lecture.css").is_file()),
    "a copied file deleted": (
        lambda p: (p / "build/images/x.png").unlink(),
        lambda p: (p / "build/images/x.png").read_bytes() == b"png"),
}


@pytest.mark.parametrize("change", CHANGES)
def test_a_change_after_a_no_op_build_is_built(tmp_path, change):
    project = deck_image_and_template(tmp_path, "first {{ deck.title }}")
    build(project)
    build(project)  # the no-op build, whose shortcut must not hide the change
    make, seen = CHANGES[change]
    make(project)
    build(project)
    assert seen(project)
    assert "0 files written" in build(project)[-1]


def test_another_installed_package_makes_every_deck_new(tmp_path, parsed, monkeypatch):
    project = make_project(tmp_path, {"a.md": "# A\n", "b.md": "# B\n"})
    build(project)
    parsed.clear()
    import lecture_tool.cache

    installed = lecture_tool.cache.environment()
    monkeypatch.setattr(lecture_tool.cache, "environment", lambda: (*installed, "keras-9.0.dist-info"))
    build(project)
    assert sorted(parsed) == ["a.md", "b.md"]


FIGURE = """import sys
from pathlib import Path
import shared

OUTPUTS = ["made.txt"]
INPUTS = ["data/table.csv"]

out = Path(sys.argv[sys.argv.index("--out") + 1])
with open("runs.log", "a") as log:
    log.write("ran\\n")
(out / "made.txt").write_text(shared.PREFIX + Path("data/table.csv").read_text())
"""


def runs(project) -> int:
    log = project / "runs.log"
    return len(log.read_text().split()) if log.exists() else 0


def test_a_figure_script_its_helper_and_its_data_are_inputs(tmp_path):
    project = make_project(tmp_path, {"a.md": "# A\n\n![What the script made](images/made.txt)\n"},
                           files={
        "figures_src/made.py": FIGURE, "figures_src/shared.py": "PREFIX = 'one '\n",
        "data/table.csv": "1,2\n"})
    made = project / "build/images/made.txt"
    build(project)
    build(project)
    assert runs(project) == 1 and made.read_text() == "one 1,2\n"
    steps = [
        (lambda: (project / "figures_src/shared.py").write_text("PREFIX = 'two '\n"), "two 1,2\n"),
        (lambda: (project / "data/table.csv").write_text("3,4\n"), "two 3,4\n"),
        (lambda: (project / "figures_src/made.py").write_text(FIGURE.replace("ran", "again")),
         "two 3,4\n"),
        (made.unlink, "two 3,4\n"),
        (lambda: made.write_text("edited by hand"), "two 3,4\n"),
    ]
    for number, (change, expected) in enumerate(steps, start=2):
        change()
        build(project)
        build(project)
        assert (runs(project), made.read_text()) == (number, expected)


def test_a_failing_figure_script_runs_again_on_every_build(tmp_path):
    project = make_project(tmp_path, {"a.md": "# A\n"}, files={
        "figures_src/made.py": FIGURE.replace("(out /", "raise SystemExit(3)\n(out /"),
        "figures_src/shared.py": "PREFIX = ''\n", "data/table.csv": ""})
    for expected in (1, 2):
        assert "1 error" in build(project)[-1]
        assert runs(project) == expected


def notebook(code: str) -> str:
    nb = new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [new_code_cell(code)]
    return nbformat.writes(nb)


def test_a_notebook_and_the_module_beside_it_are_inputs(tmp_path):
    project = make_project(tmp_path, {"a.md": "# A\n\n* calc.ipynb\n"}, files={
        "notebooks/calc.ipynb": notebook("import helper\nprint('value', helper.VALUE * 2)"),
        "notebooks/helper.py": "VALUE = 20\n"})
    page = project / "build/notebooks/calc.html"
    assert any("notebooks: running 1 notebook" in line for line in build(project))
    assert not any(line.startswith("notebooks:") for line in build(project))
    assert "value 40" in page.read_text()
    (project / "notebooks/helper.py").write_text("VALUE = 21\n")
    build(project)
    assert "value 42" in page.read_text()
    (project / "notebooks/calc.ipynb").write_text(
        notebook("import helper\nprint('value', helper.VALUE * 3)"))
    build(project)
    assert "value 63" in page.read_text()
    page.write_text("edited by hand")
    build(project)
    assert "value 63" in page.read_text()


def test_a_one_deck_rebuild_sees_what_the_figure_scripts_declare_now(tmp_path):
    """As `lecture serve` rebuilds after a Markdown edit (no figure runs): the outputs the
    scripts declare are those of the scripts as they are, however often it is asked."""
    from lecture_tool.commands.build import build as run_build
    from lecture_tool.config import load_config

    script = "OUTPUTS = ['{name}']\nfrom pathlib import Path\nimport sys\n" \
             "(Path(sys.argv[-1]) / '{name}').write_text('x')\n"
    project = make_project(tmp_path, {"a.md": "# A\n\n![What script b makes](images/b.txt)\n"},
                           files={"figures_src/fig.py": script.format(name="a.txt")})
    config, deck, figure = load_config(project), project / "slides/a.md", project / "figures_src/fig.py"
    an_hour_ago = os.stat(figure).st_mtime_ns - 3600 * 10**9
    os.utime(figure, ns=(an_hour_ago, an_hour_ago))  # old enough for its signature to be trusted

    def problems():
        result = run_build(config, [deck], figures=False, notebooks=False, keep_last_good=True)
        return [d.message for d in result.diagnostics]
    assert len(problems()) == 1 and problems()[0].startswith("image 'images/b.txt' not found")
    figure.write_text(script.format(name="b.txt"))
    os.utime(figure, ns=(an_hour_ago + 10**9, an_hour_ago + 10**9))
    assert problems() == []


def test_a_course_whose_deck_has_an_error_still_gets_its_no_op_build(tmp_path, parsed):
    # A deck's own errors follow from its inputs: said again, not found again.
    project = make_project(tmp_path, {"a.md": "# A\n\n```python\nx = 1\n", "b.md": "# B\n"})
    runner = CliRunner()
    first = runner.invoke(main, ["-C", str(project), "build"], catch_exceptions=False)
    errors = [line for line in first.output.splitlines() if ": error: " in line]
    assert first.exit_code == 1 and len(errors) == 1 and errors[0].startswith("slides/a.md:3: error: ")
    parsed.clear()
    again = runner.invoke(main, ["-C", str(project), "build"], catch_exceptions=False)
    assert parsed == []  # no deck parsed: the manifest answered
    assert again.exit_code == 1
    assert [line for line in again.output.splitlines() if ": error: " in line] == errors
