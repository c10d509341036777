"""Shared fixtures: a real headless Chromium (Debian's), remark.js as an oracle, sample projects,
and this repository's course, built once for the whole session."""
from __future__ import annotations

import functools
import http.server
import os
import shutil
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SAMPLES = Path(__file__).resolve().parent / "samples"
# Debian's chromium here and in .ci/run; GitHub's Ubuntu runners ship google-chrome instead.
CHROMIUM = (os.environ.get("LECTURE_CHROMIUM") or shutil.which("chromium")
            or shutil.which("google-chrome") or "/usr/bin/chromium")
# As root and with no network but the registries, Chromium needs these to start quietly.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-quic", "--disable-default-apps"]


# Fixtures that cost tens of seconds (the course's figures and notebooks; TensorFlow in every
# sample deck's worker; a wheel, a venv and the README's commands): under pytest-xdist, every test
# that uses one runs in the same worker, so each is made once, not once per worker.
SHARED_FIXTURES = {"built_course": "built-course", "checked": "check-samples", "dist": "package"}


@pytest.hookimpl(tryfirst=True)  # before xdist's own hook, which reads the marks to group
def pytest_collection_modifyitems(items) -> None:
    for item in items:
        groups = [group for name, group in SHARED_FIXTURES.items() if name in item.fixturenames]
        if groups:
            item.add_marker(pytest.mark.xdist_group(groups[0]))


@pytest.fixture(scope="session")
def browser():
    # Never skip: a missing browser must turn CI red, not hide the browser tests.
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: install Debian's chromium "
                    "(apt-get install chromium) or set LECTURE_CHROMIUM", pytrace=False)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="session")
def remark_oracle(browser):
    """A function that runs remark.js itself on a deck source and returns what it made of it."""
    page = browser.new_page()
    page.set_content("<!DOCTYPE html><html><body></body></html>")
    page.add_script_tag(path=str(REPO / "node_modules/remark-slide/out/remark.min.js"))
    script = (Path(__file__).parent / "remark_oracle.js").read_text()
    yield functools.partial(page.evaluate, script)
    page.close()


def make_project(root: Path, decks: dict[str, str], files: dict[str, bytes | str] | None = None,
                 config: str = "") -> Path:
    """A course repository with the given decks in slides/ and other files anywhere."""
    (root / "slides").mkdir(parents=True, exist_ok=True)
    (root / "pyproject.toml").write_text(f'[tool.lecture]\ntitle = "Test course"\n{config}')
    for name, text in decks.items():
        (root / "slides" / name).write_text(text, encoding="utf-8")
    for name, data in (files or {}).items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data.encode() if isinstance(data, str) else data)
    return root


def copy_course(root: Path) -> Path:
    """This repository's course (decks, figure scripts, configuration) in a scratch directory."""
    shutil.copytree(REPO / "slides", root / "slides")
    shutil.copytree(REPO / "figures_src", root / "figures_src",
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(REPO / "notebooks", root / "notebooks")
    shutil.copy(REPO / "requirements.lock", root / "requirements.lock")
    shutil.copy(REPO / "pyproject.toml", root / "pyproject.toml")
    return root


@dataclass(frozen=True)
class BuiltCourse:
    root: Path  # a copy of this repository's course, with build/ made by `lecture build`
    problems: tuple[str, ...]  # what the build reported, `path:line: severity: message` each


@pytest.fixture(scope="session")
def built_course(tmp_path_factory) -> BuiltCourse:
    """This repository's course built from cold once, figures, notebooks and decks, for every test
    that reads what `lecture build` makes of it.

    Running the course's figure scripts and notebooks is most of the suite's time, so it happens
    here and nowhere else (the reproducibility test's second clean run aside). Read it, never
    change it: a test that edits a course starts from `copy_built_course`.
    """
    from lecture_tool.commands.build import build
    from lecture_tool.config import load_config

    root = copy_course(tmp_path_factory.mktemp("built-course"))
    result = build(load_config(root))
    return BuiltCourse(root, tuple(d.format(root) for d in result.diagnostics))


def copy_built_course(course: BuiltCourse, root: Path) -> Path:
    """The built course copied with its build/ and build/.cache, for a test that changes it: the
    caches come along, so only what the test changes runs again."""
    shutil.copytree(course.root, root, symlinks=True)
    return root


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def serve():
    """Serve a directory over HTTP on 127.0.0.1 and return its base URL."""
    servers = []

    def start(directory: Path) -> str:
        handler = functools.partial(_QuietHandler, directory=str(directory))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


class Process:
    """A process known by its pid and its start time: a pid the system hands to another process
    later is not taken for it (`running` of a reused pid is False)."""

    def __init__(self, pid: int):
        self.pid = pid
        self.started = self._stat()[19] if self._stat() else None

    def _stat(self) -> list[str] | None:
        try:
            return Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return None

    def running(self) -> bool:
        """Alive, and the same process: a zombie (killed, not yet reaped) runs no more."""
        stat = self._stat()
        return stat is not None and stat[19] == self.started and stat[0] not in ("Z", "X")


def run_without_playwright(project: Path, *args: str) -> subprocess.CompletedProcess:
    """`lecture -C project ARGS` in a Python where Playwright cannot be imported, as on an
    installation without the [pdf] extra."""
    hide = ("import sys\n"
            "class Hide:\n"
            "    def find_spec(self, name, path=None, target=None):\n"
            "        if name.split('.')[0] == 'playwright':\n"
            "            raise ModuleNotFoundError(name)\n"
            "sys.meta_path.insert(0, Hide())\n"
            "from lecture_tool.cli import main\n"
            f"main(['-C', {str(project)!r}, *{list(args)!r}])\n")
    return subprocess.run([sys.executable, "-c", hide], capture_output=True, text=True, timeout=120)
