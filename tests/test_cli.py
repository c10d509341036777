"""The command line as a lecturer uses it: exit codes, messages, outline, start-up cost."""
import json
import subprocess
import sys

from click.testing import CliRunner

from lecture_tool import __version__
from lecture_tool.cli import main

from conftest import SAMPLES, make_project


def run(*args, cwd=None):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def imported_by(args: list[str], modules: set[str]) -> tuple[list[str], subprocess.CompletedProcess]:
    """Which of `modules` (top-level names, or lecture_tool's own modules) `lecture ARGS` imports,
    run in a fresh interpreter; and what it printed."""
    probe = ("import sys\nfrom lecture_tool.cli import main\n"
             f"try:\n    main({args!r})\nexcept SystemExit:\n    pass\n"
             f"print(sorted({modules!r} & {{m if m.startswith('lecture_tool') else m.split('.')[0] "
             "for m in sys.modules}))\n")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return eval(out.stdout.strip().splitlines()[-1]), out


def test_help_imports_nothing_heavy():
    imported, out = imported_by(["--help"], {"tensorflow", "keras", "matplotlib", "nbconvert",
                                             "nbclient", "jinja2", "markdown_it", "numpy",
                                             "torch", "jax"})
    assert "build" in out.stdout and "outline" in out.stdout
    assert imported == []


def test_outline_imports_neither_markdown_it_nor_jinja2():
    # Titles come from remark's own Markdown (marked, ported), not from markdown-it.
    imported, out = imported_by(["outline", str(SAMPLES / "content.md")], {"jinja2", "markdown_it"})
    assert "Columns" in out.stdout and imported == []


def test_version():
    result = run("--version")
    assert result.exit_code == 0 and __version__ in result.output


def test_outline_json_lists_slides_as_remark_numbers_them():
    result = run("outline", SAMPLES / "layout.md", "--json")
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert data["slide_count"] == 5
    assert data["slides"][2] == {"number": 2, "index": 3, "line": 13, "title": "Not counted",
                                 "continued": False, "name": "", "class": "base", "notes": False}
    assert [s["continued"] for s in data["slides"]] == [False, True, False, False, False]


def test_outline_table_and_error_exit(tmp_path):
    result = run("outline", SAMPLES / "notes.md")
    assert result.exit_code == 0
    assert "Speaker  [notes]" in result.output and "-- Next  [notes]" in result.output
    broken = tmp_path / "broken.md"
    broken.write_text("# A\n```\nnever closed\n")
    result = run("outline", broken)
    assert result.exit_code == 1
    assert f"{broken}:2: error: code fence" in result.output


def test_an_unclosed_fence_where_remark_shows_nothing_is_a_warning(tmp_path):
    excluded = tmp_path / "excluded.md"
    excluded.write_text("# A\n---\nexclude: true\n\n```python\nnever closed\n---\n# B\n")
    result = run("outline", excluded)
    assert result.exit_code == 0, result.output
    assert (f"{excluded}:5: warning: code fence '```python' is never closed, in a slide with "
            "`exclude: true`: remark never shows that slide") in result.output
    assert "   2    2     8     B" in result.output
    project = make_project(tmp_path / "course", {"deck.md": excluded.read_text()})
    result = run("-C", project, "build", "--strict")
    assert result.exit_code == 1 and "slides/deck.md:5: warning: code fence" in result.output
    assert run("-C", project, "build").exit_code == 0


def test_usage_errors_exit_2(tmp_path):
    assert run("outline", tmp_path / "missing.md").exit_code == 2
    assert run("build", "--no-such-option").exit_code == 2


def test_build_exit_codes_and_messages(tmp_path):
    project = make_project(tmp_path, {"deck.md": "# A\n\n![](images/missing.png)\n"})
    result = run("-C", project, "build")
    assert result.exit_code == 0
    assert ("slides/deck.md:3: warning: image 'images/missing.png' not found: no "
            "slides/images/missing.png to copy and no build step makes build/images/missing.png"
            ) in result.output
    result = run("-C", project, "build", "--strict")
    assert result.exit_code == 1 and "--strict" in result.output
    (project / "slides/deck.md").write_text("# A\n\n![](../../etc/passwd)\n")
    result = run("-C", project, "build")
    assert result.exit_code == 1
    assert "slides/deck.md:3: error: image '../../etc/passwd' points outside build/" in result.output


def test_github_annotations(tmp_path, monkeypatch):
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    project = make_project(tmp_path, {"deck.md": "# A\n\n![](nope.png)\n"})
    result = run("-C", project, "build")
    assert "::warning file=slides/deck.md,line=3::image 'nope.png' not found" in result.output


def test_decks_by_name_and_relative_to_dash_c(tmp_path, monkeypatch):
    project = make_project(tmp_path / "course", {"intro.md": "# Hello\n", "part-2.md": "# Two\n"})
    monkeypatch.chdir(tmp_path)  # elsewhere: paths after -C are read from the course, as git -C does
    for name in ("intro", "intro.md", "slides/intro.md"):
        result = run("-C", project, "outline", name)
        assert result.exit_code == 0, result.output
        assert result.output.startswith("slides/intro.md: Hello (1 slides)")
    result = run("-C", project, "build", "part-2")
    assert result.exit_code == 0 and (project / "build/part-2.html").is_file()
    assert not (project / "build/intro.html").exists()
    result = run("-C", project, "outline", "nope")
    assert result.exit_code == 2
    assert "no deck 'nope': no such file, and slides/ has no nope.md (its decks: intro, part-2)" in result.output


def test_a_no_op_build_imports_nothing_heavy(tmp_path):
    project = make_project(tmp_path, {"deck.md": "# A\n\n$x^2$\n"})
    assert run("-C", project, "build").exit_code == 0
    imported, out = imported_by(["-C", str(project), "build"], {
        "jinja2", "markdown_it", "quickjs", "lecture_tool.render", "lecture_tool.deck", "subprocess",
        "concurrent", "lecture_tool.commands.build_steps", "lecture_tool.jobs", "lecture_tool.printing"})
    assert "Built 1 deck (1 slides)" in out.stderr and "0 files written" in out.stderr
    assert imported == []


def deck_missing_images() -> str:
    """a.png named 5 times, b0.png 3, b1.png 2; then a fence never closed (an error, at the end).
    Each slide has a heading and each image its text, so that only the files are missing."""
    slides = "".join(f"![a plot](images/a.png)\n# A\n---\n\n![a plot](images/b{i % 2}.png)\n# B\n---\n\n"
                     for i in range(5))
    return "# Pictures\n\n" + slides + "# Code\n```python\nx = 1\n"


def test_missing_files_one_line_each_after_the_errors(tmp_path):
    project = make_project(tmp_path, {"pictures.md": deck_missing_images()})
    result = CliRunner().invoke(main, ["-C", str(project), "build"])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    error = next(i for i, line in enumerate(lines) if ": error: code fence" in line)
    grouped = [line for line in lines if "not found" in line]
    assert len(grouped) == 3 and all(lines.index(line) > error for line in grouped)
    assert grouped[0].startswith("slides/pictures.md:3: warning: image 'images/a.png' not found: ")
    assert grouped[0].endswith("(5 uses; also lines 11, 19, 27 and 1 more; -v lists each)")
    assert grouped[1].startswith("slides/pictures.md:7: warning: image 'images/b0.png'")
    assert grouped[1].endswith("(3 uses; also lines 23, 39; -v lists each)")
    assert grouped[2].endswith("(2 uses; also line 31; -v lists each)")
    assert lines[-1].endswith(" written, 1 error, 10 warnings (10 of them about 3 missing files).")


def test_verbose_lists_every_missing_file_warning(tmp_path):
    project = make_project(tmp_path, {"pictures.md": deck_missing_images()})
    result = CliRunner().invoke(main, ["-C", str(project), "build", "-v"])
    missing = [line for line in result.output.splitlines() if "not found" in line]
    assert len(missing) == 10 and not [line for line in missing if "uses;" in line]
    assert missing[0].startswith("slides/pictures.md:3: ")


def test_check_sums_up_errors_before_warnings(tmp_path):
    deck = "# Pictures\n\n![a plot](images/a.png)\n\n![a plot](images/a.png)\n\n```python\n1 / 0\n```\n"
    project = make_project(tmp_path, {"pictures.md": deck})
    result = CliRunner().invoke(main, ["-C", str(project), "check"])
    assert result.exit_code == 1
    assert "slides/pictures.md:8: error: ZeroDivisionError" in result.output
    assert "(2 uses; also line 5; -v lists each)" in result.output
    assert result.output.splitlines()[-1].endswith(
        "1 error, 2 warnings (2 of them about 1 missing file).")
