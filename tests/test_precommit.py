"""pre-commit: the hooks this repository offers (.pre-commit-hooks.yaml) and the configuration
`lecture init` writes, run by pre-commit itself on a new course, offline (`repo: local`)."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from lecture_tool.commands.init import init_course

from conftest import REPO

GIT_ENV = {"GIT_AUTHOR_NAME": "Lecturer", "GIT_AUTHOR_EMAIL": "lecturer@example.org",
           "GIT_COMMITTER_NAME": "Lecturer", "GIT_COMMITTER_EMAIL": "lecturer@example.org",
           "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}


def pre_commit(*args: str, cwd: Path, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pre_commit", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def course_env(tmp_path_factory) -> tuple[Path, dict]:
    """A course from `lecture init`, committed, and the environment pre-commit runs in:
    `lecture` on PATH is this checkout's, as a course's venv would have it."""
    root = tmp_path_factory.mktemp("precommit")
    bin_dir = root / "bin"
    bin_dir.mkdir()
    (bin_dir / "lecture").write_text(f'#!/bin/sh\nexec "{sys.executable}" -m lecture_tool "$@"\n')
    (bin_dir / "lecture").chmod(0o755)
    python_path = os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))
    env = {**os.environ, **GIT_ENV, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
           "PYTHONPATH": python_path, "PRE_COMMIT_HOME": str(root / "pre-commit-cache")}
    course = root / "course"
    init_course(course, "Hooked")
    for command in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-q", "-m", "A course"]):
        subprocess.run(["git", *command], cwd=course, env=env, check=True)
    return course, env


def test_repository_hooks_are_a_valid_manifest():
    result = pre_commit("validate-manifest", str(REPO / ".pre-commit-hooks.yaml"), cwd=REPO,
                        env=os.environ.copy())
    assert result.returncode == 0, result.stdout + result.stderr
    hooks = {hook["id"]: hook for hook in yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())}
    assert set(hooks) == {"lecture-check", "lecture-build"}
    for hook in hooks.values():
        assert hook["language"] == "python" and hook["pass_filenames"] is False
        assert hook["entry"].endswith(" --strict")


def test_scaffold_runs_the_repository_hooks_locally(course_env):
    """The scaffold's hooks are the manifest's, with `language: system` (the course's lecture)."""
    course, _ = course_env
    offered = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
    (local,) = yaml.safe_load((course / ".pre-commit-config.yaml").read_text())["repos"]
    assert local["repo"] == "local"
    assert [{**hook, "language": "python"} for hook in local["hooks"]] == \
        [{k: v for k, v in hook.items() if k != "description"} for hook in offered]


def test_pre_commit_checks_and_builds_a_new_course(course_env):
    course, env = course_env
    assert pre_commit("validate-config", ".pre-commit-config.yaml", cwd=course, env=env).returncode == 0
    result = pre_commit("run", "--all-files", cwd=course, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "lecture check" in result.stdout and "lecture build" in result.stdout
    assert result.stdout.count("Passed") == 2, result.stdout
    assert (course / "build/intro.html").is_file()


def test_pre_commit_fails_on_a_broken_deck_and_names_the_line(course_env):
    course, env = course_env
    deck = course / "slides/intro.md"
    text = deck.read_text()
    deck.write_text(text + "\n---\n\n![](images/nowhere.png)\n")
    try:
        subprocess.run(["git", "add", "slides/intro.md"], cwd=course, env=env, check=True)
        result = pre_commit("run", "lecture-build", cwd=course, env=env)
    finally:
        deck.write_text(text)
        subprocess.run(["git", "add", "slides/intro.md"], cwd=course, env=env, check=True)
    assert result.returncode == 1, result.stdout
    line = len(text.splitlines()) + 4
    assert f"slides/intro.md:{line}: warning: image 'images/nowhere.png' not found" in result.stdout
    assert "Failing because of --strict." in result.stdout


def test_hooks_run_only_for_course_files(course_env):
    course, env = course_env
    (course / "NOTES.txt").write_text("not part of the course\n")
    subprocess.run(["git", "add", "NOTES.txt"], cwd=course, env=env, check=True)
    result = pre_commit("run", cwd=course, env=env)  # the staged files only
    assert result.returncode == 0, result.stdout
    assert result.stdout.count("(no files to check)Skipped") == 2, result.stdout
