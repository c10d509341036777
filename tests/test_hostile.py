"""Hostile input: decks, files and configurations built to break the tool. Each class of them
gets a path:line message (or is handled), never a traceback, and costs time linear in its size."""
from __future__ import annotations

import gc
import os
import random
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import unquote

import pytest
from click.testing import CliRunner

from lecture_tool.cli import main
from lecture_tool.deck import parse_deck
from lecture_tool.deck.accessibility import accessibility_problems
from lecture_tool.deck.references import check_references
from lecture_tool.deck.regions import find_math
from lecture_tool.render.source import prepare_source

from conftest import Process, make_project

# One-line decks of each construct that was once quadratic or recursive, by the text repeated.
PATHOLOGICAL = {
    "unclosed math with braces": "${",
    "unclosed content classes": ".a[",
    "dollars and spaces": "$ ",
    "images in one paragraph": "![](x.png) ",
    "backslashes": "\\",
    "brackets": "[",
    "emphasis": "*",
    "links in one paragraph": "[a](b.html) ",
    "inline code": "`a` ",
    "html": "<img src=a.png>",
    "tags cut off": "<a b=c ",
    "links without words": "<a href=x>here ",
    "headings that skip": "# a\n### b\n",
    "background styles": "<p style='background: url(x.png) background:'>",
}


def cpu_seconds(*texts: str, repeat: int = 5) -> list[float]:
    """For each deck, the least CPU time (not wall time: the machine is shared) of parsing,
    preparing and checking it (its references and its accessibility), of a few runs; the decks
    take turns, so that a busy spell of the machine weighs on each alike."""
    best = [float("inf")] * len(texts)
    for _ in range(repeat):
        for n, text in enumerate(texts):
            gc.collect()  # not the garbage of the run before: what this run costs
            start = time.process_time()
            deck = parse_deck(text, Path("slides/deck.md"))
            prepare_source(deck)
            check_references(deck, set(), "build", "slides")
            accessibility_problems(deck)
            best[n] = min(best[n], time.process_time() - start)
    return best


@pytest.mark.parametrize("name", PATHOLOGICAL)
def test_time_grows_linearly_with_the_deck(name):
    piece = PATHOLOGICAL[name]
    decks = (f"# T\n\n{piece * (size // len(piece))}\n" for size in (12_500, 50_000))
    small, large = cpu_seconds(*decks)
    ratio = large / max(small, 1e-3)
    # Four times the text: linear is 4×, quadratic 16×. 8× leaves a shared machine's noise
    # twice the room (a loaded 2-core box once made a linear step 1.6 times slower than it is),
    # and a quadratic step none.
    assert ratio <= 8.0, f"{name}: 50 KB took {ratio:.1f}× the time of 12.5 KB"


def test_content_classes_nested_a_thousand_deep(tmp_path):
    depth = 1000
    project = make_project(tmp_path, {"deck.md": "# Deep\n\n" + ".a[" * depth + "x" + "]" * depth + "\n"})
    result = CliRunner().invoke(main, ["-C", str(project), "build"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    deck = parse_deck((project / "slides/deck.md").read_text())
    assert sum(t.kind == "content_start" for t in deck.tokens) == depth
    assert (project / "build/deck.html").is_file()


def _find_math_as_it_was(text: str) -> list[tuple[int, int, bool]]:
    """The first, quadratic find_math: what a formula is must not change with its speed."""
    def escaped(at: int) -> bool:
        return (len(text[:at]) - len(text[:at].rstrip("\\"))) % 2 == 1

    def closing(start: int, delimiter: str) -> int:
        depth, i = 0, start
        while i < len(text):
            if text[i] == "\\":
                i += 2
                continue
            depth += {"{": 1, "}": -1}.get(text[i], 0)
            if text[i] not in "{}" and depth <= 0 and text.startswith(delimiter, i):
                return i
            i += 1
        return -1

    spans, i = [], 0
    while (i := text.find("$", i)) >= 0:
        if escaped(i):
            i += 1
            continue
        delimiter = "$$" if text.startswith("$$", i) else "$"
        close = closing(i + len(delimiter), delimiter)
        if close < 0 or re.search(r"\n[ \t]*\n", text[i:close]):
            # auto-render leaves the rest of the paragraph as text
            blank = re.compile(r"\n[ \t]*\n").search(text, i)
            if blank is None:
                break
            i = blank.end() - 1
            continue
        spans.append((i, close + len(delimiter), delimiter == "$$"))
        i = close + len(delimiter)
    return spans


def test_linear_find_math_finds_what_the_quadratic_one_found():
    rng = random.Random(3)
    alphabet = ["$", "$", "$$", "{", "}", "\\", "a", " ", "\n", "\n\n", " \t\n"]
    for _ in range(20_000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 16)))
        assert find_math(text) == _find_math_as_it_was(text), repr(text)


def build(project: Path, *args: str, env: dict | None = None):
    result = CliRunner().invoke(main, ["-C", str(project), "build", *args], env=env)
    # An exit code, never an exception: the command line says what is wrong in one line.
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert "Traceback" not in result.output
    return result


def test_odd_files_beside_the_decks_do_not_stop_the_build(tmp_path):
    project = make_project(tmp_path, {"deck.md": "# A\n"})
    slides = project / "slides"
    (slides / "dangling.png").symlink_to(project / "nowhere.png")
    (slides / "loop-a.md").symlink_to(slides / "loop-b.md")
    (slides / "loop-b.md").symlink_to(slides / "loop-a.md")
    os.mkfifo(slides / "pipe.md")
    os.mkfifo(slides / "pipe.txt")
    result = build(project)
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (project / "build").iterdir() if p.is_file()) == [
        "deck-text.html", "deck.annotations.js", "deck.html", "index.html"]


def test_nothing_the_build_makes_is_copied_over_and_nothing_copied_over_it(tmp_path):
    project = make_project(tmp_path, {"intro.md": "# Intro\n", "index.md": "# Index\n"}, files={
        "slides/intro.html": "<p>hand-written</p>", "slides/assets/remark.min.js": "alert(1)",
        "elsewhere/intro.md": "# Another intro\n"})
    result = build(project, "slides/intro.md", "slides/index.md", "elsewhere/intro.md")
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert ("slides/index.md:1: error: not built: its page would be build/index.html, which is "
            "the course page; rename the deck") in lines
    assert ("elsewhere/intro.md:1: error: not built: its page would be build/intro.html, which is "
            "the page of slides/intro.md; rename the deck") in lines
    assert ("slides/intro.html:1: error: not copied: build/intro.html is the page of "
            "slides/intro.md; rename this file") in lines
    assert ("slides/assets/remark.min.js:1: error: not copied: build/assets/remark.min.js is "
            "remark.min.js, which the pages load; rename this file") in lines
    assert "# Intro" in (project / "build/intro.html").read_text()
    assert (project / "build/assets/remark.min.js").read_text() != "alert(1)"
    assert "Test course" in (project / "build/index.html").read_text()
    # The sources are as they were.
    assert (project / "slides/intro.html").read_text() == "<p>hand-written</p>"


def test_an_output_that_cannot_be_written_is_one_message_per_file(tmp_path):
    project = make_project(tmp_path, {"deck.md": "# A\n", "other.md": "# B\n"})
    (project / "build").write_text("not a directory")
    result = build(project)
    assert result.exit_code == 1
    assert "build:1: error: is a file, but the site is built into this directory" in result.output
    (project / "build").unlink()
    (project / "build/deck.html").mkdir(parents=True)
    (project / "build/assets").write_text("not a directory")
    result = build(project)
    assert result.exit_code == 1
    assert "build/deck.html:1: error: cannot write it: Is a directory" in result.output
    assert "build/assets/remark.min.js:1: error: cannot write it: Not a directory" in result.output
    assert (project / "build/other.html").is_file()  # the rest is still built


def test_a_deck_name_near_the_file_system_limit(tmp_path):
    name = "é" * 110 + ".md"  # 223 bytes; its page 225, its temporary files must fit too
    project = make_project(tmp_path, {name: "# Long\n"})
    result = build(project)
    assert result.exit_code == 0, result.output
    assert (project / "build" / ("é" * 110 + ".html")).is_file()


def test_a_template_that_includes_itself(tmp_path):
    project = make_project(tmp_path, {"deck.md": "# A\n"},
                           files={"templates/deck.html": "{% include 'deck.html' %}"})
    result = build(project)
    assert result.exit_code == 1
    assert "templates/deck.html:1: error: template deck.html includes or extends itself" in result.output


def test_annotations_cannot_be_forged_and_messages_stay_on_one_line(tmp_path):
    name = "a,line=9\n::add-mask::secret.md"
    project = make_project(tmp_path, {name: "# A\n\n![](missing.png)\n"})
    result = build(project, env={"GITHUB_ACTIONS": "true"})
    lines = result.output.splitlines()
    assert not [line for line in lines if line.startswith("::add-mask::")]
    annotation = next(line for line in lines if line.startswith("::warning"))
    assert annotation.startswith("::warning file=slides/a%2Cline=9%0A%3A%3Aadd-mask%3A%3Asecret.md,line=3::")
    # The warning itself comes after its annotation: missing files are said last (reporting.py).
    assert [line for line in lines if line.startswith(
        r"slides/a,line=9\n::add-mask::secret.md:3: warning: image 'missing.png' not found")]


def test_course_page_links_are_addresses_of_the_pages(tmp_path):
    names = ["javascript:alert(1)", "a#b", "q?x", "%41", "plain"]
    project = make_project(tmp_path, {f"{n}.md": f"# {n}\n" for n in names})
    assert build(project).exit_code == 0
    index = (project / "build/index.html").read_text()
    hrefs = re.findall(r'<li><a href="([^"]+)">', index)
    assert len(hrefs) == len(names)
    for href in hrefs:
        assert ":" not in href and "#" not in href and "?" not in href
        assert (project / "build" / unquote(href)).is_file()


SLOW_FIGURE = """import os, sys, time
from pathlib import Path

OUTPUTS = ["slow.txt"]
Path("pid").write_text(str(os.getpid()))
time.sleep(120)
"""


def _wait_for(path: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        assert time.monotonic() < deadline, f"{path} never appeared"
        time.sleep(0.05)
    time.sleep(0.3)


@pytest.mark.parametrize("command, signum", [("build", signal.SIGTERM), ("serve", signal.SIGHUP),
                                             ("figures", signal.SIGTERM)])
def test_sigterm_and_sighup_clean_up_like_ctrl_c(tmp_path, command, signum):
    project = make_project(tmp_path, {"deck.md": "# A\n"}, files={"figures_src/slow.py": SLOW_FIGURE})
    process = subprocess.Popen([sys.executable, "-m", "lecture_tool", "-C", str(project), command],
                               stderr=subprocess.PIPE, text=True)
    _wait_for(project / "pid")
    figure = Process(int((project / "pid").read_text()))
    assert figure.running()  # the figure script runs now
    process.send_signal(signum)
    output = process.communicate(timeout=60)[1]
    assert "Traceback" not in output, output
    assert process.returncode == (0 if command == "serve" else 128 + signum), output
    assert not figure.running()
    scratch = [p for p in (project / "build/.cache").iterdir() if p.is_dir() and p.name.startswith("slow.")]
    assert scratch == []


def test_a_script_that_exits_while_its_child_holds_stdout_has_ended(tmp_path):
    script = ('import subprocess, sys\nfrom pathlib import Path\nOUTPUTS = ["made.txt"]\n'
              'subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])\n'
              '(Path(sys.argv[sys.argv.index("--out") + 1]) / "made.txt").write_text("made")\n')
    project = make_project(tmp_path, {"deck.md": "# A\n"}, files={"figures_src/forks.py": script},
                           config="figure_timeout = 50\n")
    started = time.monotonic()
    result = CliRunner().invoke(main, ["-C", str(project), "figures"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    # Waiting for the child would take its 60 s (or the 50 s timeout, and fail): a margin that
    # a loaded machine keeps, for a run of a second or two.
    assert time.monotonic() - started < 40
    assert (project / "build/images/made.txt").read_text() == "made"


def test_a_helper_module_in_latin_1_with_a_coding_line(tmp_path):
    helper = "# -*- coding: latin-1 -*-\nNAME = 'caf\xe9'\n".encode("latin-1")
    script = ('import sys\nfrom pathlib import Path\nimport helper\nOUTPUTS = ["name.txt"]\n'
              '(Path(sys.argv[sys.argv.index("--out") + 1]) / "name.txt").write_text(helper.NAME)\n')
    project = make_project(tmp_path, {"deck.md": "# A\n"},
                           files={"figures_src/helper.py": helper, "figures_src/named.py": script})
    result = CliRunner().invoke(main, ["-C", str(project), "figures"])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert result.exit_code == 0, result.output
    assert (project / "build/images/name.txt").read_text() == "café"


SLOW_BLOCK = "# Slow\n\n```python\nimport os, time\nopen('pid', 'w').write(str(os.getpid()))\ntime.sleep(120)\n```\n"
SLOW_NOTEBOOK = ('{"cells": [{"cell_type": "code", "execution_count": null, "id": "slow", "metadata": {},'
                 ' "outputs": [], "source": "import os, time\\nopen(\\"../pid\\", \\"w\\").write(str(os.getpid()))'
                 '\\ntime.sleep(120)"}], "metadata": {"kernelspec": {"name": "python3", "display_name": '
                 '"Python 3", "language": "python"}}, "nbformat": 4, "nbformat_minor": 5}')


@pytest.mark.parametrize("command", ["check", "notebooks"])
def test_sigterm_stops_snippet_workers_and_kernels(tmp_path, command):
    project = make_project(tmp_path, {"deck.md": SLOW_BLOCK}, files={"notebooks/slow.ipynb": SLOW_NOTEBOOK},
                           config="[tool.lecture.check]\ntimeout = 200\n")
    process = subprocess.Popen([sys.executable, "-m", "lecture_tool", "-C", str(project), command,
                                *(["--no-notebooks"] if command == "check" else [])],
                               stderr=subprocess.PIPE, text=True)
    _wait_for(project / "pid", timeout=120)
    runner = Process(int((project / "pid").read_text()))  # the snippet worker, or the notebook's kernel
    assert runner.running()
    process.send_signal(signal.SIGTERM)
    output = process.communicate(timeout=60)[1]
    assert "Traceback" not in output, output
    assert process.returncode == 128 + signal.SIGTERM, output
    # A kernel runs in a session of its own (jupyter_client), so the runner's group is not its;
    # it watches its parent (JPY_PARENT_PID) and ends within seconds of it.
    deadline = time.monotonic() + 10
    while runner.running():
        assert time.monotonic() < deadline, f"{command}: process {runner.pid} outlived lecture"
        time.sleep(0.1)


def test_an_output_directory_that_cannot_be_written():
    # As root everything is writable: build as nobody a course nobody may write in.
    import shutil
    import tempfile

    course = Path(tempfile.mkdtemp(prefix="lecture-read-only-course-"))
    try:
        make_project(course, {"deck.md": "# A\n"})
        for path in (course, *course.rglob("*")):
            path.chmod(0o755 if path.is_dir() else 0o644)
        command = [sys.executable, "-m", "lecture_tool", "-C", str(course), "build"]
        if os.geteuid() == 0:
            command = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", *command]
        result = subprocess.run(command, capture_output=True, text=True, cwd="/")
        assert result.returncode == 1
        assert result.stderr.strip().splitlines() == [f"{course}/build: error: Permission denied"]
    finally:
        shutil.rmtree(course)
