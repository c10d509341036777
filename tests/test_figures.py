"""The figure stage: discovery, cache, parallel isolated runs, failures, reproducibility."""
import ast
import filecmp
import subprocess
import sys
from pathlib import Path

from PIL import Image

import lecture_tool.processes
from lecture_tool.commands.build import build
from lecture_tool.config import load_config
from lecture_tool.jobs.figures import discover, make_figures
from lecture_tool.jobs.notebooks import make_notebooks

from conftest import REPO, copy_built_course, copy_course, make_project

# Small scripts that need no plotting library: each writes text files and appends to runs.log.
HELPER = "SUFFIX = '!'\n"
SCRIPT = """import sys
from pathlib import Path
import shared

OUTPUTS = [{outputs}]
INPUTS = [{inputs}]

out = Path(sys.argv[sys.argv.index("--out") + 1])
with open("runs.log", "a") as log:
    log.write("{name}\\n")
{body}
for name in OUTPUTS:
    (out / name).write_text("{name} made this" + shared.SUFFIX)
"""


def script(name, outputs, body="", inputs="", uses_helper=True):
    text = SCRIPT.format(name=name, outputs=", ".join(repr(o) for o in outputs), inputs=inputs,
                         body=body)
    return text if uses_helper else text.replace("import shared\n", "").replace(" + shared.SUFFIX", "")


def figure_project(tmp_path, **scripts):
    files = {f"figures_src/{name}.py": text for name, text in scripts.items()}
    files["figures_src/shared.py"] = HELPER
    files["data/table.csv"] = "1,2\n"
    return make_project(tmp_path, {"deck.md": "# A\n![The letter a](images/a.txt)"}, files=files)


def runs(project) -> list[str]:
    log = project / "runs.log"
    runs_so_far = log.read_text().split() if log.exists() else []
    log.unlink(missing_ok=True)
    return sorted(runs_so_far)


def test_discovery_reads_declarations_and_helpers(tmp_path):
    project = figure_project(tmp_path, a=script("a", ["a.txt"]),
                             b=script("b", ["b1.txt", "b2.txt"], uses_helper=False))
    scripts, problems = discover(load_config(project))
    assert problems == []
    assert [(s.name, s.outputs, [h.name for h in s.helpers]) for s in scripts] == [
        ("a", ("a.txt",), ["shared.py"]), ("b", ("b1.txt", "b2.txt"), [])]


def test_cache_reruns_only_what_changed(tmp_path):
    project = figure_project(tmp_path, a=script("a", ["a.txt"]),
                             b=script("b", ["b.txt"], uses_helper=False),
                             c=script("c", ["c.txt"], inputs="'data/table.csv'", uses_helper=False))
    config = load_config(project)
    first = make_figures(config)
    assert first.diagnostics == [] and runs(project) == ["a", "b", "c"]
    assert (project / "build/images/a.txt").read_text() == "a made this!"
    assert make_figures(config).ran == [] and runs(project) == []
    (project / "figures_src/shared.py").write_text("SUFFIX = '?'\n")  # a helper: only a depends on it
    assert make_figures(config).ran == ["a"] and runs(project) == ["a"]
    (project / "data/table.csv").write_text("3,4\n")  # a declared input of c
    assert make_figures(config).ran == ["c"]
    (project / "build/images/b.txt").unlink()  # a lost output is made again
    assert make_figures(config).ran == ["b"]
    assert sorted(make_figures(config, force=True).ran) == ["a", "b", "c"]
    assert make_figures(config, ["b"], force=True).ran == ["b"]


def test_a_failing_script_is_reported_at_its_line_and_keeps_its_old_output(tmp_path):
    project = figure_project(tmp_path, a=script("a", ["a.txt"]), b=script("b", ["b.txt"]))
    config = load_config(project)
    make_figures(config)
    good = (project / "build/images/b.txt").read_bytes()
    broken = script("b", ["b.txt"], body="(out / 'b.txt').write_text('half')\nx = 1 / 0")
    (project / "figures_src/b.py").write_text(broken)
    (project / "figures_src/shared.py").write_text("SUFFIX = '?'\n")
    result = make_figures(config)
    line = broken.splitlines().index("x = 1 / 0") + 1
    assert [d.format(project) for d in result.diagnostics] == [
        f"figures_src/b.py:{line}: error: ZeroDivisionError: division by zero"]
    assert (project / "build/images/b.txt").read_bytes() == good  # not "half"
    assert (project / "build/images/a.txt").read_text() == "a made this?"  # the other still ran
    assert not list((project / "build/.cache").glob("b.*"))  # no scratch left behind
    assert make_figures(config).ran == ["b"]  # a failure is not cached


def test_hangs_crashes_and_missing_outputs(tmp_path, monkeypatch):
    monkeypatch.setattr(lecture_tool.processes, "load_factor", lambda: 1.0)  # an idle machine
    project = figure_project(
        tmp_path,
        hang=script("hang", ["h.txt"], body="import time\ntime.sleep(60)"),
        crash=script("crash", ["c.txt"], body="import os, signal\nos.kill(os.getpid(), signal.SIGSEGV)"),
        lazy="import sys\nfrom pathlib import Path\n\n\nOUTPUTS = ['l.txt', 'never.txt']\n"
             "(Path(sys.argv[-1]) / 'l.txt').write_text('only this one')\n",
        fine=script("fine", ["f.txt"]))
    (project / "pyproject.toml").write_text("[tool.lecture]\nfigure_timeout = 2\n")
    result = make_figures(load_config(project))
    messages = {d.path.name: (d.line, d.message) for d in result.diagnostics}
    assert messages["hang.py"] == (1, "timed out after 2 s and was stopped")
    assert messages["crash.py"][1].startswith("killed by SIGSEGV")
    assert messages["lazy.py"] == (5, "declared but not written: never.txt")
    assert "fine.py" not in messages and (project / "build/images/f.txt").exists()


def test_a_timeout_says_the_seconds_the_script_really_had(tmp_path, monkeypatch):
    # On a busy machine a timeout is stretched by its load: the message must name what the
    # script was given, not the configured seconds it did not stop at.
    monkeypatch.setattr(lecture_tool.processes, "load_factor", lambda: 2.5)
    project = figure_project(tmp_path, hang=script("hang", ["h.txt"], body="import time\ntime.sleep(60)"))
    (project / "pyproject.toml").write_text("[tool.lecture]\nfigure_timeout = 0.6\n")
    result = make_figures(load_config(project))
    assert [(d.path.name, d.message) for d in result.diagnostics] == [
        ("hang.py", "timed out after 1.5 s (0.6 s as configured, stretched by the machine's load) "
                    "and was stopped")]


def test_build_runs_figures_first_and_a_no_op_build_runs_none(tmp_path):
    project = figure_project(tmp_path, a=script("a", ["a.txt"]))
    config = load_config(project)
    first = build(config)
    assert first.diagnostics == []  # images/a.txt is declared, so the deck's reference is good
    assert runs(project) == ["a"]
    assert build(config).written == [] and runs(project) == []


def test_a_built_course_moved_elsewhere_makes_nothing_again(built_course, tmp_path):
    # As a course cloned with its build/, or CI restoring build/.cache into another checkout:
    # the caches hold no absolute path, so no figure script and no notebook runs again.
    config = load_config(copy_built_course(built_course, tmp_path / "moved"))
    assert make_figures(config).ran == []
    assert make_notebooks(config).ran == []
    again = build(config)
    assert again.diagnostics == [] and again.written == []


def test_discovery_problems(tmp_path):
    project = figure_project(tmp_path, a=script("a", ["a.txt"]), b=script("b", ["a.txt"]),
                             c="OUTPUTS = ['../escape.png']\n", d="def broken(:\n")
    _, problems = discover(load_config(project))
    assert sorted((p.path.name, p.line, p.message.split(":")[0]) for p in problems) == [
        ("b.py", 5, "a.txt is also made by a.py"),
        ("c.py", 1, "OUTPUTS must be a non-empty list of file names (no directories)"),
        ("d.py", 1, "syntax error")]


def test_scripts_run_on_their_own(built_course, tmp_path):
    out = tmp_path / "out"
    subprocess.run([sys.executable, str(REPO / "figures_src/softmax.py"), "--out", str(out)],
                   check=True, capture_output=True)
    # What it declares and nothing else, the very bytes `lecture build` made.
    assert [p.name for p in out.iterdir()] == ["softmax.png"]
    built = built_course.root / "build/images/softmax.png"
    assert (out / "softmax.png").read_bytes() == built.read_bytes()


def declared_outputs(figures_src: Path) -> set[str]:
    """The files the course's figure scripts say they make: their `OUTPUTS = [...]` lists."""
    declared = set()
    for path in figures_src.glob("*.py"):
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            names = [getattr(target, "id", None) for target in getattr(node, "targets", ())]
            if names == ["OUTPUTS"]:
                declared |= set(ast.literal_eval(node.value))
    return declared


def test_course_figures_are_reproducible_and_gifs_are_well_formed(built_course, tmp_path):
    # The suite's one second clean run of the course's figure scripts: reproducibility needs two.
    again = copy_course(tmp_path / "again")
    assert make_figures(load_config(again)).diagnostics == []
    first, second = built_course.root / "build/images", again / "build/images"
    declared = sorted(declared_outputs(REPO / "figures_src"))
    assert sorted(p.name for p in first.iterdir()) == declared  # every declared file, nothing else
    assert sorted(p.name for p in second.iterdir()) == declared
    match, mismatch, errors = filecmp.cmpfiles(first, second, declared, shallow=False)
    assert (match, mismatch, errors) == (declared, [], [])
    for name, positions in (("numerical_no_padding_no_strides.gif", 9),
                            ("no_padding_strides.gif", 4), ("same_padding_no_strides.gif", 25)):
        with Image.open(first / name) as gif:
            assert gif.n_frames == positions, name  # one frame per output position
            assert gif.info["loop"] == 0 and gif.mode == "P"
            for frame in range(gif.n_frames):  # each one long enough to follow
                gif.seek(frame)
                assert gif.info["duration"] >= 400, (name, frame)
        assert (first / name).stat().st_size < 200_000
    with Image.open(first / "softmax.png") as png:
        assert "Software" not in png.info  # no version string in the file


def test_saved_images_record_their_smallest_text(tmp_path):
    import re

    import pytest

    from lecture_tool import figure_style as style

    def figure(text: bool):
        fig, axis = style.figure(0.3, 1.5)
        axis.axis("off")  # its tick labels are not drawn, so they must not count
        axis.plot([0, 1], [0, 1])
        if text:
            axis.text(0.5, 0.5, "small", fontsize=12)
            axis.text(0.5, 0.2, "large", fontsize=20)
            axis.text(0.5, 0.8, "hidden", fontsize=5, visible=False)
        return fig

    def png_value(path):
        with Image.open(path) as png:
            return png.text.get(style.SMALLEST_TEXT_KEY)

    def gif_value(path):
        with Image.open(path) as gif:
            comment = gif.info.get("comment", b"").decode()
        return comment.removeprefix(style.SMALLEST_TEXT_KEY + "=") if comment else None

    def svg_value(path):
        second_line = path.read_text(encoding="utf-8").splitlines()[1]
        found = re.fullmatch(r"<!-- lecture:smallest-text-px=([0-9.]+) -->", second_line)
        return found and found.group(1)

    for text in (True, False):
        style.save_png(figure(text), tmp_path / f"{text}.png")
        style.save_png(figure(text), tmp_path / f"{text}-lowdpi.png", hidpi=False)
        style.save_svg(figure(text), tmp_path / f"{text}.svg")
        frames = [style.frame(figure(text)) for _ in range(2)]
        style.save_gif(frames, tmp_path / f"{text}.gif", [500, 500])

    expected = {"True.png": 12 * style.DPI * style.HIDPI / 72, "True-lowdpi.png": 12 * style.DPI / 72,
                "True.gif": 12 * style.DPI / 72, "True.svg": 12 * 100 / 72}
    read = {".png": png_value, ".gif": gif_value, ".svg": svg_value}
    for name, value in expected.items():
        assert float(read[name[-4:]](tmp_path / name)) == pytest.approx(value, abs=0.05), name
    for name in ("False.png", "False-lowdpi.png", "False.gif", "False.svg"):
        assert read[name[-4:]](tmp_path / name) is None, name
    # Natural size of the SVG: 100 px per inch, as the recorded value assumes.
    svg = (tmp_path / "True.svg").read_text(encoding="utf-8")
    assert f'width="{0.3 * style.CONTENT_WIDTH_IN * 100:g}px" height="150px"' in svg
    with Image.open(tmp_path / "True.png") as png:  # still a valid PNG, at the stored resolution
        assert png.size == (round(0.3 * style.CONTENT_WIDTH_IN * 200), 300)
        png.load()
    # Byte for byte the same again.
    style.save_png(figure(True), tmp_path / "again.png")
    assert (tmp_path / "again.png").read_bytes() == (tmp_path / "True.png").read_bytes()
