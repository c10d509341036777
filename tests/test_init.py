"""`lecture init`: a complete course in a new directory, and never a file overwritten."""
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from click.testing import CliRunner

from lecture_tool.cli import main

SCAFFOLD = {"pyproject.toml", "requirements.txt", ".gitignore", ".github/workflows/lecture.yml",
            ".pre-commit-config.yaml",
            "slides/intro.md", "figures_src/logistic.py", "notebooks/first-steps.ipynb"}


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def files_under(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_init_makes_every_file_and_names_the_install_command(tmp_path):
    result = run("init", tmp_path / "ml-course", "--title", 'Machine "Learning" 101')
    assert result.exit_code == 0, result.output
    made = files_under(tmp_path / "ml-course")
    assert set(made) == SCAFFOLD
    assert b'title = "Machine \\"Learning\\" 101"' in made["pyproject.toml"]
    assert made["slides/intro.md"].decode().startswith(
        'class: center, middle, title-slide\ntitle: Machine "Learning" 101\n')
    assert all(f"created  {name}" in result.output for name in SCAFFOLD)


def test_init_names_only_the_extras_missing_here(tmp_path, monkeypatch):
    import lecture_tool.commands.init as init

    monkeypatch.setattr(init, "missing_extras", lambda extras: [])
    complete = run("init", tmp_path / "a")
    assert "pip install" not in complete.output
    assert complete.output.rstrip().endswith(f"Next: cd {tmp_path / 'a'} && lecture build && lecture serve")
    monkeypatch.setattr(init, "missing_extras", lambda extras: [e for e in extras if e != "figures"])
    partial = run("init", tmp_path / "b")
    assert ("Its example needs extras this Python lacks ([keras] for its Keras code block, "
            "[notebooks] for its notebook); install them first:\n\n    pip install 'lecture-tool[keras,notebooks]'"
            f"\n\nthen: cd {tmp_path / 'b'} && lecture build") in partial.output


def test_missing_extras_are_found_without_importing(monkeypatch):
    from lecture_tool import extras

    monkeypatch.setattr(extras, "missing_modules", lambda *modules: [m for m in modules if m == "nbclient"])
    assert extras.missing_extras(["figures", "keras", "notebooks"]) == ["notebooks"]


def test_title_defaults_to_the_directory_name(tmp_path):
    assert run("init", tmp_path / "deep_learning-2027").exit_code == 0
    assert b'title = "Deep learning 2027"' in (tmp_path / "deep_learning-2027/pyproject.toml").read_bytes()


def test_a_fresh_git_checkout_counts_as_empty(tmp_path):
    (tmp_path / ".git").mkdir()
    assert run("init", tmp_path).exit_code == 0
    assert SCAFFOLD <= set(files_under(tmp_path))


def test_non_empty_directory_is_refused_and_left_as_it_was(tmp_path):
    (tmp_path / "slides").mkdir()
    (tmp_path / "slides/intro.md").write_text("# My own deck\n")
    (tmp_path / "notes.txt").write_text("mine")
    before = files_under(tmp_path)
    result = run("init", tmp_path)
    assert result.exit_code == 1
    assert "the directory is not empty (notes.txt, slides)" in result.output
    assert "lecture init --merge" in result.output and "leave alone slides/intro.md" in result.output
    assert files_under(tmp_path) == before


def test_merge_adds_what_is_missing_and_overwrites_nothing(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "mine"\n')
    (tmp_path / "slides").mkdir()
    (tmp_path / "slides/intro.md").write_text("# My own deck\n")
    result = run("init", "--merge", tmp_path)
    assert result.exit_code == 0, result.output
    assert "exists   pyproject.toml (left alone)" in result.output
    assert "exists   slides/intro.md (left alone)" in result.output
    assert "has no [tool.lecture] table" in result.output
    assert (tmp_path / "pyproject.toml").read_text() == '[project]\nname = "mine"\n'
    assert (tmp_path / "slides/intro.md").read_text() == "# My own deck\n"
    assert SCAFFOLD <= set(files_under(tmp_path))


def test_init_into_a_file_is_an_error(tmp_path):
    target = tmp_path / "course"
    target.write_text("not a directory")
    result = run("init", target)
    assert result.exit_code == 1
    assert f"{target}: error: it is a file" in result.output
    assert target.read_text() == "not a directory"


def test_init_into_a_read_only_directory_is_an_error_and_writes_nothing():
    # Not under pytest's tmp_path: its parent is private to root, and this runs as nobody.
    target = Path(tempfile.mkdtemp(prefix="lecture-read-only-"))
    target.chmod(0o555)
    command = [sys.executable, "-m", "lecture_tool", "init", str(target)]
    if os.geteuid() == 0:  # root writes anywhere: run as nobody, for whom the directory is read-only
        command = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", *command]
    result = subprocess.run(command, capture_output=True, text=True, cwd="/")
    assert result.returncode == 1, result.stderr
    assert "error: cannot write the course there: Permission denied" in result.stderr
    assert "Traceback" not in result.stderr
    assert list(target.iterdir()) == []
    target.rmdir()


def test_scaffold_ignores_the_check_report_and_never_stops_a_deployment(tmp_path):
    import yaml

    assert run("init", tmp_path).exit_code == 0
    assert "check-report.xml" in (tmp_path / ".gitignore").read_text().splitlines()
    # The report CI writes, ignored by git as it is written.
    workflow = yaml.safe_load((tmp_path / ".github/workflows/lecture.yml").read_text())
    assert "--junit-xml check-report.xml" in str(workflow["jobs"]["build"]["steps"])
    assert "concurrency" not in workflow  # a workflow-wide group would cancel a deploy too
    assert workflow["jobs"]["deploy"]["concurrency"] == {"group": "pages", "cancel-in-progress": False}
    assert workflow["jobs"]["build"]["concurrency"]["cancel-in-progress"] is True


def test_a_pytorch_course_checks_as_it_is(tmp_path):
    result = run("init", tmp_path / "torch-course", "--framework", "torch")
    assert result.exit_code == 0, result.output
    made = files_under(tmp_path / "torch-course")
    assert set(made) == SCAFFOLD
    assert b"lecture-tool[figures,torch,notebooks]" in made["requirements.txt"]
    assert b"PyTorch code blocks" in made["requirements.txt"] and b"keras" not in made["requirements.txt"]
    assert b"import torch" in made["figures_src/logistic.py"]
    assert b"import torch" in made["notebooks/first-steps.ipynb"]
    assert b"nn.Linear(28 * 28, 10)" in made["slides/intro.md"]
    checked = run("-C", tmp_path / "torch-course", "check", "--no-cache")
    assert checked.exit_code == 0, checked.output
    # The notebook ran too (on PyTorch), and the block and its claim passed.
    assert "first-steps.ipynb ok" in checked.output
    assert "Checked 1 code blocks and 1 claims" in checked.output and " 0 errors" in checked.output
