"""`lecture serve`: live reload in a real browser, path safety, atomicity, ports, Ctrl-C."""
import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from conftest import Process, make_project

LECTURE = [sys.executable, "-m", "lecture_tool"]
DECK = "# One\n---\n# Two\n---\n# Three\n---\n# Four\n---\n# Five\n\nOriginal text.\n---\n# Six\n"
COUNTER_SCRIPT = """import sys
from pathlib import Path

OUTPUTS = ["counter.txt"]
with open("runs.log", "a") as log:
    log.write("ran\\n")
(Path(sys.argv[sys.argv.index("--out") + 1]) / "counter.txt").write_text("made")
"""


class Served:
    """`lecture serve` running as a user runs it, in its own process."""

    def __init__(self, project: Path, *args: str):
        self.process = subprocess.Popen(
            [*LECTURE, "-C", str(project), "serve", "--port", "0", *args],
            stderr=subprocess.PIPE, text=True, cwd=project)
        self.lines: list[str] = []
        self.url = None
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()
        deadline = time.monotonic() + 60
        while self.url is None:
            assert time.monotonic() < deadline, self.lines
            assert self.process.poll() is None, self.lines
            time.sleep(0.02)
        self.host, self.port = urlsplit(self.url).hostname, urlsplit(self.url).port

    def _read(self) -> None:
        for line in self.process.stderr:
            self.lines.append(line.rstrip("\n"))
            match = re.search(r"serving \S+ at (http://\S+)", line)
            if match:
                self.url = match.group(1)

    def get(self, raw_path: str) -> tuple[int, bytes]:
        connection = http.client.HTTPConnection(self.host, self.port, timeout=10)
        connection.request("GET", raw_path)  # sent as it is: no client-side normalisation
        response = connection.getresponse()
        body = response.read()
        connection.close()
        return response.status, body

    def wait_for_log(self, pattern: str, timeout: float = 30) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in self.lines:
                if re.search(pattern, line):
                    return line
            time.sleep(0.02)
        raise AssertionError(f"no log line matches {pattern!r}: {self.lines}")

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
        code = self.process.wait(timeout=20)
        self.reader.join(timeout=5)
        self.process.stderr.close()
        return code


@pytest.fixture
def served():
    running = []

    def start(project: Path, *args: str) -> Served:
        server = Served(project, *args)
        running.append(server)
        return server

    yield start
    for server in running:
        assert server.stop() == 0, server.lines


def source_of(page: bytes) -> str:
    match = re.search(rb'<script type="application/json" id="lecture-source">(.*?)</script>', page, re.S)
    return json.loads(match.group(1))


def test_only_files_under_the_output_are_served(tmp_path, served):
    project = make_project(tmp_path, {"deck.md": DECK}, files={"secret.txt": "top secret"})
    (project / "build").mkdir(exist_ok=True)
    server = served(project)
    os.symlink(project / "secret.txt", project / "build" / "leak.txt")
    os.symlink(project, project / "build" / "whole-project")
    assert server.get("/")[0] == 200 and server.get("/deck.html")[0] == 200
    for path in ("/../secret.txt", "/%2e%2e/secret.txt", "/..%2fsecret.txt", "/%2E%2E%2Fsecret.txt",
                 "/assets/../../secret.txt", "//etc/passwd", "/leak.txt", "/whole-project/secret.txt",
                 "/.cache/figures.json", "/deck.html%00", "/..\\secret.txt"):
        status, body = server.get(path)
        assert status == 404, path
        assert b"top secret" not in body


def test_a_markdown_edit_updates_the_page_and_runs_no_figure_script(tmp_path, served):
    project = make_project(tmp_path, {"deck.md": DECK},
                           files={"figures_src/counter.py": COUNTER_SCRIPT})
    server = served(project)
    assert (project / "runs.log").read_text() == "ran\n"
    deck = project / "slides/deck.md"
    deck.write_text(DECK.replace("Original text.", "Edited text."))
    server.wait_for_log(r"slides/deck.md changed: rebuilt in")
    assert "Edited text." in source_of(server.get("/deck.html")[1])
    assert (project / "runs.log").read_text() == "ran\n"  # the Markdown edit ran no figure
    (project / "figures_src/counter.py").write_text(COUNTER_SCRIPT + "\n# changed\n")
    server.wait_for_log(r"figures_src/counter.py changed: rebuilt in")
    assert (project / "runs.log").read_text() == "ran\nran\n"


def test_no_request_sees_half_a_page_during_rebuilds(tmp_path, served):
    project = make_project(tmp_path, {"deck.md": DECK})
    server = served(project)
    deck = project / "slides/deck.md"
    versions = {DECK}
    failures, responses = [], []
    stop = threading.Event()

    def hammer() -> None:
        for _ in range(400):  # bounded, on 127.0.0.1 only
            if stop.is_set():
                return
            status, body = server.get("/deck.html")
            responses.append(body)
            if status != 200 or not body.rstrip().endswith(b"</html>"):
                failures.append(body[-80:])

    threads = [threading.Thread(target=hammer) for _ in range(4)]
    for thread in threads:
        thread.start()
    # At least 15 edits, and on until the readers have had 50 answers: a page waits for the
    # rebuild under way, and on a loaded machine each takes longer (bounded: a minute).
    edit, deadline = 0, time.monotonic() + 60
    while edit < 15 or (len(responses) <= 50 and time.monotonic() < deadline):
        text = DECK.replace("Original text.", f"Edit {edit}. " + "padding " * 400 * (edit % 3))
        versions.add(text)
        deck.write_text(text)
        time.sleep(0.12)
        edit += 1
    stop.set()
    for thread in threads:
        thread.join()
    assert failures == []
    assert len(responses) > 50
    assert all(source_of(body) in versions for body in responses)
    assert len({source_of(body) for body in responses}) > 3  # rebuilds did happen meanwhile


def test_port_in_use_moves_to_the_next_and_says_so(tmp_path, served):
    project = make_project(tmp_path, {"deck.md": DECK})
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        server = Served(project, "--port", str(port))
        try:
            assert server.port != port
            server.wait_for_log(rf"port {port} is in use; serving on port {server.port} instead")
        finally:
            assert server.stop() == 0, server.lines


def test_other_hosts_are_warned_about(tmp_path, served):
    project = make_project(tmp_path, {"deck.md": DECK})
    server = Served(project, "--host", "0.0.0.0")
    try:
        server.wait_for_log("warning: anyone on this network can read these slides")
        assert server.get("/deck.html")[0] == 200
    finally:
        assert server.stop() == 0, server.lines


def test_ctrl_c_stops_cleanly_with_no_child_left(tmp_path):
    sleeper = COUNTER_SCRIPT.replace('OUTPUTS = ["counter.txt"]', 'OUTPUTS = ["counter.txt"]\n'
                                     'import os, time\nPath("pid").write_text(str(os.getpid()))\n'
                                     'if Path("slow").exists():\n    time.sleep(120)')
    project = make_project(tmp_path, {"deck.md": DECK}, files={"figures_src/counter.py": sleeper})
    server = Served(project)
    (project / "pid").unlink()  # written by the first, quick run
    (project / "slow").write_text("")
    (project / "figures_src/counter.py").write_text(sleeper + "\n# edited\n")
    server.wait_for_log(r"figures: running 1 script")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not (project / "pid").exists():
        time.sleep(0.05)
    time.sleep(0.5)
    script = Process(int((project / "pid").read_text()))
    assert script.running()  # the figure script is running now
    assert server.stop() == 0, server.lines
    assert not script.running()


def test_browser_updates_in_place_shows_and_clears_problems(tmp_path, served, browser):
    project = make_project(tmp_path, {"deck.md": DECK})
    server = served(project)
    page = browser.new_page(viewport={"width": 1280, "height": 720})
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(server.url + "deck.html#5")
    page.wait_for_function("window.slideshow && window.slideshow.getCurrentSlideIndex() === 4")
    visible = "document.querySelector('.remark-visible .remark-slide-content').textContent"
    assert "Original text." in page.evaluate(visible)
    deck = project / "slides/deck.md"

    deck.write_text(DECK.replace("Original text.", "Edited while teaching."))
    page.wait_for_function(f"{visible}.includes('Edited while teaching.')", timeout=10_000)
    assert page.evaluate("slideshow.getCurrentSlideIndex()") == 4  # still on slide 5
    assert page.url.endswith("#5")

    deck.write_text(DECK.replace("Original text.", "Broken:\n\n```python\nx = 1\n"))
    page.wait_for_selector("#lecture-problems", timeout=10_000)
    assert "slides/deck.md:13: error: code fence '```python' is never closed" in \
        page.inner_text("#lecture-problems")
    assert "Edited while teaching." in page.evaluate(visible)  # the last good slides stay
    server.wait_for_log("kept the last good deck.html")

    deck.write_text(DECK.replace("Original text.", "Fixed."))
    page.wait_for_function(f"{visible}.includes('Fixed.')", timeout=10_000)
    page.wait_for_selector("#lecture-problems", state="detached", timeout=10_000)
    assert page.evaluate("slideshow.getCurrentSlideIndex()") == 4
    assert errors == []
    page.close()


def test_an_update_in_place_keeps_one_slide_for_screen_readers_and_announces_nothing(tmp_path, served, browser):
    project = make_project(tmp_path, {"deck.md": DECK})
    server = served(project)
    page = browser.new_page(viewport={"width": 1280, "height": 720})
    page.goto(server.url + "deck.html#5")
    page.wait_for_function("window.slideshow && window.slideshow.getCurrentSlideIndex() === 4")
    page.evaluate("""() => {
      window.announced = [];
      const region = document.getElementById('lecture-announcer');
      new MutationObserver(() => window.announced.push(region.textContent))
        .observe(region, {childList: true, characterData: true, subtree: true});
    }""")
    hidden = """() => Array.from(document.querySelectorAll('.remark-slides-area > .remark-slide-container'),
      (slide) => slide.getAttribute('aria-hidden') === 'true' && slide.hasAttribute('inert'))"""
    (project / "slides/deck.md").write_text(DECK.replace("Original text.", "Edited while teaching."))
    page.wait_for_function("document.querySelector('.remark-visible .remark-slide-content')"
                           ".textContent.includes('Edited while teaching.')", timeout=10_000)
    page.wait_for_timeout(100)
    assert page.evaluate(hidden) == [True, True, True, True, False, True]  # the new slide elements
    assert page.evaluate("window.announced") == []  # the same slide: nothing to say
    page.keyboard.press("ArrowRight")
    page.wait_for_timeout(100)
    assert page.evaluate("window.announced") == ["Slide 6 of 6: Six"]
    assert page.evaluate(hidden) == [True, True, True, True, True, False]
    page.close()


def test_presenter_and_cloned_windows_follow_the_edit(tmp_path, served, browser):
    deck_text = "# One\n???\nnote one\n---\n# Two\n\nOriginal\n???\nnote two\n---\n# Three\n"
    project = make_project(tmp_path, {"d.md": deck_text})
    server = served(project)
    page = browser.new_page(viewport={"width": 1280, "height": 720})
    page.goto(server.url + "d.html#2")
    page.wait_for_function("window.slideshow !== undefined")
    page.keyboard.press("p")
    with page.expect_popup() as popup:
        page.keyboard.press("c")
    clone = popup.value
    clone.wait_for_function("window.slideshow !== undefined")
    page.wait_for_timeout(300)
    (project / "slides/d.md").write_text(deck_text.replace("Original", "Changed")
                                         .replace("note two", "note two, changed"))
    visible = "document.querySelector('.remark-visible .remark-slide-content').textContent"
    for window in (page, clone):
        window.wait_for_function(f"{visible}.includes('Changed')", timeout=10_000)
    page.wait_for_function("document.querySelector('.remark-notes').textContent"
                           ".includes('note two, changed')", timeout=10_000)
    assert page.evaluate("document.body.classList.contains('remark-presenter-mode')")
    clone.close()
    page.close()


NOTEBOOK = ('{"cells": [], "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3",'
            ' "language": "python"}}, "nbformat": 4, "nbformat_minor": 5}')


def test_the_courses_macros_reach_the_page_and_an_edit_to_them_reloads_it(tmp_path, served, browser):
    greet = ("remark.macros.greet = function (who) {\n"
             "  return '<b class=\"greeting\">Hello, ' + who + '</b>';\n};\n")
    project = make_project(tmp_path, {"deck.md": "# One\n\n![:greet class]\n\n---\n\n# Two\n"},
                           files={"templates/macros.js": greet})
    server = served(project)
    page = browser.new_page(viewport={"width": 1280, "height": 720})
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(server.url + "deck.html")
    page.wait_for_function("window.slideshow !== undefined")
    shown = "document.querySelector('.remark-slides-area .greeting').textContent"
    assert page.evaluate(shown) == "Hello, class"
    assert page.evaluate("slideshow.getSlideCount()") == 2
    # The page itself does not change, the script it loads does: the browser loads it again.
    with page.expect_navigation(timeout=15_000):
        (project / "templates/macros.js").write_text(greet.replace("Hello", "Welcome"))
    page.wait_for_function("window.slideshow !== undefined")
    assert page.evaluate(shown) == "Welcome, class"
    server.wait_for_log(r"templates/macros.js changed: rebuilt in")
    assert errors == []
    page.close()

def test_configured_directories_are_watched_and_editor_files_are_not(tmp_path, served):
    project = make_project(tmp_path, {"deck.md": DECK}, config='notebooks = "nb"\n',
                           files={"nb/first.ipynb": NOTEBOOK})
    server = served(project)
    for name in ("#deck.md#", ".#deck.md", "deck.md~", ".deck.md.swp", "4913"):
        (project / "slides" / name).write_text("an editor's file")
    (project / "nb/first.ipynb").write_text(NOTEBOOK.replace('"cells": []', '"cells": [ ]'))
    line = server.wait_for_log(r"changed: rebuilt in")
    # The notebook edit is seen, as the only change: no editor file triggered anything.
    assert line.startswith("nb/first.ipynb changed: rebuilt in"), server.lines
    assert not [f for f in (project / "build").iterdir() if f.name.endswith(("#", "~", ".swp", "4913"))]


def test_a_pyproject_edit_is_read_again_and_a_bad_one_is_refused(tmp_path, served):
    project = make_project(tmp_path, {"deck.md": DECK})
    server = served(project)
    pyproject = project / "pyproject.toml"
    pyproject.write_text('[tool.lecture]\ntitle = "Renamed course"\n')
    server.wait_for_log(r"pyproject.toml changed: rebuilt in")
    assert b"Renamed course" in server.get("/index.html")[1]
    pyproject.write_text('[tool.lecture]\ntitle = "Renamed course"\nfigure_timeout = "abc"\n')
    server.wait_for_log(r'pyproject.toml:3: error: \[tool.lecture\] figure_timeout must be a '
                        r'number of seconds, not "abc"')
    server.wait_for_log(r"still serving with the configuration before it")
    assert server.get("/deck.html")[0] == 200


def _raw_get(port: int, path: str, host: str, address: str = "127.0.0.1") -> int:
    connection = http.client.HTTPConnection(address, port, timeout=10)
    connection.putrequest("GET", path, skip_host=True)
    connection.putheader("Host", host)
    connection.endheaders()
    status = connection.getresponse().status
    connection.close()
    return status


def test_only_loopback_names_are_answered_on_loopback(tmp_path, served):
    project = make_project(tmp_path, {"deck.md": DECK})
    server = served(project)
    for host in (f"127.0.0.1:{server.port}", f"localhost:{server.port}", "localhost"):
        assert _raw_get(server.port, "/deck.html", host) == 200, host
    # DNS rebinding: a page of evil.example whose name now points at 127.0.0.1.
    for host in (f"evil.example:{server.port}", "evil.example", "", f"127.0.0.1.evil.example:{server.port}"):
        assert _raw_get(server.port, "/deck.html", host) == 403, host


def test_hidden_files_are_never_served_at_any_depth(tmp_path, served):
    project = make_project(tmp_path, {"deck.md": DECK}, files={"slides/images/a.png": b"png"})
    server = served(project)
    (project / "build/images/.secret").write_text("hidden")
    (project / "build/images/visible.txt").symlink_to(project / "build/.cache")
    for path in ("/images/.secret", "/images/visible.txt/figures.json", "/.cache/check.json",
                 "/images/%2esecret"):
        assert server.get(path)[0] == 404, path
    assert server.get("/images/a.png")[0] == 200


def test_silent_connections_hold_no_thread_and_delay_no_request(tmp_path, served):
    project = make_project(tmp_path, {"deck.md": DECK})
    server = served(project)
    # A burst of connections is accepted at once (a backlog of 5 made the kernel drop SYNs, and
    # each drop cost its client a second before it tried again).
    started = time.monotonic()
    silent = [socket.create_connection(("127.0.0.1", server.port)) for _ in range(300)]
    try:
        assert server.get("/deck.html")[0] == 200
        # Dropped SYNs cost 1 s and more each (the old backlog: 17 s); a loaded machine, not 5 s.
        assert time.monotonic() - started < 5
        threads = int(re.search(r"Threads:\s+(\d+)", Path(f"/proc/{server.process.pid}/status").read_text()).group(1))
        assert threads < 80, threads
    finally:
        for connection in silent:
            connection.close()
    # A browser that drops a download half-way is no traceback, and the server goes on.
    (project / "build/big.bin").write_bytes(b"x" * 20_000_000)
    dropped = socket.create_connection(("127.0.0.1", server.port))
    dropped.sendall(f"GET /big.bin HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n\r\n".encode())
    dropped.recv(100)
    dropped.close()
    assert server.get("/deck.html")[0] == 200
    time.sleep(0.5)
    assert not [line for line in server.lines if "Traceback" in line or "Error" in line], server.lines


def test_ipv6_loopback_and_a_host_that_does_not_resolve(tmp_path, served):
    project = make_project(tmp_path, {"deck.md": DECK})
    server = served(project, "--host", "::1")
    assert server.url.startswith("http://[::1]:")
    assert _raw_get(server.port, "/deck.html", f"[::1]:{server.port}", address="::1") == 200
    result = subprocess.run([*LECTURE, "-C", str(project), "serve", "--host", "no.such.host.invalid"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert result.stderr.splitlines()[-1] == "error: cannot serve on 'no.such.host.invalid': Name or service not known"


CHECKED_DECK = ("# Model\n\n```python\nmodel = Sequential([Input(shape=(4,)), Dense(3)])\n```\n\n"
                "It has 15 parameters.\n<!-- check: params(model) = 15 -->\n")


def test_serve_check_reports_a_wrong_claim_after_an_edit(tmp_path, served):
    project = make_project(tmp_path, {"deck.md": CHECKED_DECK},
                           config='[tool.lecture.remark]\nhighlightLanguage = "python"\n')
    server = served(project, "--check")
    server.wait_for_log(r"checked deck\.md in", timeout=120)  # at start: the worker is warm now
    (project / "slides/deck.md").write_text(CHECKED_DECK.replace("15", "16"))
    server.wait_for_log(r"slides/deck\.md:7: error: Sequential model '\w+' has 15 parameters, "
                        r"slide says 16", timeout=60)


def test_a_deck_read_while_it_was_being_saved_is_built_again_before_anyone_sees_it(tmp_path, monkeypatch):
    # An editor that saves in place truncates the file, then writes it: a rebuild that reads
    # in between reads half a deck. Here the save lands just after the build read the deck.
    import lecture_tool.commands.serve as serve_command
    from lecture_tool.config import load_config
    from lecture_tool.serving.events import LiveState

    project = make_project(tmp_path, {"deck.md": DECK})
    deck = project / "slides/deck.md"
    config = load_config(project)
    rebuilder = serve_command.Rebuilder(config, LiveState(), lambda line: None, run_checks=False)
    rebuilder.full()
    real_build, saved = serve_command.build, DECK.replace("Original text.", "Saved text.")
    calls = []

    def build_during_a_save(*args, **kwargs):
        calls.append(args[1])
        if len(calls) == 1:
            deck.write_text("")  # truncated: what the build reads
            result = real_build(*args, **kwargs)
            deck.write_text(saved)  # and written, once the build has read it
            return result
        return real_build(*args, **kwargs)

    monkeypatch.setattr(serve_command, "build", build_during_a_save)
    with rebuilder.state.condition:
        epoch = rebuilder.state.epoch
    rebuilder.changed({deck})
    assert len(calls) == 2  # built again at once, within the same rebuild
    assert source_of((project / "build/deck.html").read_bytes()) == saved
    assert rebuilder.state.epoch == epoch + 1  # one publication, of the whole deck
