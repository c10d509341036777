"""`lecture serve --follow`: the presenter's window drives, every other window follows; the
relay of the presenter's messages; the annotations endpoint. In real Chromium."""
import http.client
import json
import re
import threading
from pathlib import Path

import pytest

from conftest import make_project
from test_serve import Served, served  # noqa: F401 - the fixture, shared

# Slide 2 has two `--` steps: remark shows them as slides 2, 3 and 4 (indices 1 to 3).
STEPPED = "# One\n---\n# Two\n\nfirst\n--\n\nsecond\n--\n\nthird\n---\n# Three\n---\n# Four\n"
INDEX = "window.slideshow && slideshow.getCurrentSlideIndex()"


@pytest.fixture
def follow(tmp_path, served):
    """A follow-mode server (on loopback: the test's room), and its presenter link."""
    project = make_project(tmp_path, {"deck.md": STEPPED})
    server = served(project, "--follow", "--host", "127.0.0.1")
    line = server.wait_for_log(r"presenter \(keep this link to yourself\): http://")
    link = re.search(r"(http://\S+)", line).group(1)
    assert link.startswith(server.url + "?presenter=")
    return server, link.replace(server.url, server.url + "deck.html")


def _open(browser, url: str):
    """A window of its own (its own sessionStorage: another person's browser)."""
    context = browser.new_context(viewport={"width": 1024, "height": 576})
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(url)
    page.wait_for_function("window.slideshow && window.lectureLive")
    page.wait_for_timeout(300)  # the event stream is open
    return page, errors


def _post(server: Served, path: str, body: dict, token: str | None) -> int:
    connection = http.client.HTTPConnection(server.host, server.port, timeout=10)
    headers = {"Content-Type": "application/json", "Host": f"127.0.0.1:{server.port}"}
    if token is not None:
        headers["X-Lecture-Token"] = token
    connection.request("POST", path, json.dumps(body), headers)
    status = connection.getresponse().status
    connection.close()
    return status


def test_a_follower_follows_the_presenters_slides_and_steps_and_cannot_drive(follow, browser):
    server, link = follow
    presenter, presenter_errors = _open(browser, link)
    assert "presenter=" not in presenter.url  # the token left the address bar
    assert presenter.evaluate("lectureLive.role") == "presenter"
    assert presenter.evaluate("lectureLive.canSave") is True
    follower, follower_errors = _open(browser, server.url + "deck.html")
    assert follower.evaluate("[lectureLive.role, lectureLive.canSave]") == ["follower", False]

    for index in (1, 2, 3, 4):  # a slide, two `--` steps of it, the next slide
        presenter.keyboard.press("ArrowRight")
        presenter.wait_for_function(f"{INDEX} === {index}")
        follower.wait_for_function(f"{INDEX} === {index}", timeout=5_000)
    presenter.keyboard.press("ArrowLeft")
    follower.wait_for_function(f"{INDEX} === 3", timeout=5_000)

    # The follower browses away: it moves alone, and the presenter stays where it is.
    follower.keyboard.press("ArrowLeft")
    follower.keyboard.press("ArrowLeft")
    follower.wait_for_function(f"{INDEX} === 1")
    assert follower.is_visible("#lecture-back-to-live")
    presenter.wait_for_timeout(500)
    assert presenter.evaluate("slideshow.getCurrentSlideIndex()") == 3
    # Away, it is not pulled along; "Back to live", by keyboard, snaps it back.
    presenter.keyboard.press("ArrowRight")
    presenter.wait_for_function(f"{INDEX} === 4")
    follower.wait_for_timeout(500)
    assert follower.evaluate("slideshow.getCurrentSlideIndex()") == 1
    follower.keyboard.press("Tab")
    assert follower.evaluate("document.activeElement.id") == "lecture-back-to-live"
    follower.keyboard.press("Enter")
    follower.wait_for_function(f"{INDEX} === 4", timeout=5_000)
    assert not follower.is_visible("#lecture-back-to-live")
    presenter.keyboard.press("ArrowLeft")  # and it follows again
    follower.wait_for_function(f"{INDEX} === 3", timeout=5_000)

    # The follower's own request to drive, with no token or another, is refused.
    drive = "(token) => fetch('/__lecture__/position', {method: 'POST', headers: token ? " \
            "{'X-Lecture-Token': token} : {}, body: JSON.stringify({page: 'deck.html', index: 0})})" \
            ".then((r) => r.status)"
    assert follower.evaluate(drive, None) == 403
    assert follower.evaluate(drive, "not-the-token") == 403
    follower.wait_for_timeout(300)
    assert presenter.evaluate("slideshow.getCurrentSlideIndex()") == 3
    assert follower.evaluate("slideshow.getCurrentSlideIndex()") == 3
    # The follower's page was never handed the token.
    token = link.split("presenter=")[1]
    assert token not in follower.content()
    assert token.encode() not in server.get("/__lecture__/live.js")[1]
    assert presenter_errors == [] and follower_errors == []


def test_a_late_follower_starts_where_the_presenter_is_and_a_wrong_link_only_follows(follow, browser):
    server, link = follow
    presenter, _ = _open(browser, link + "#3")
    presenter.wait_for_function(f"{INDEX} === 2")
    follower, _ = _open(browser, server.url + "deck.html")
    follower.wait_for_function(f"{INDEX} === 2", timeout=5_000)
    impostor, _ = _open(browser, server.url + "deck.html?presenter=guessed")
    assert impostor.evaluate("lectureLive.role") == "presenter"  # until the server says no
    impostor.keyboard.press("ArrowRight")
    impostor.wait_for_selector("#lecture-follow-notice", timeout=5_000)
    assert "refused" in impostor.inner_text("#lecture-follow-notice")
    follower.wait_for_timeout(500)
    assert follower.evaluate("slideshow.getCurrentSlideIndex()") == 2
    token = link.split("presenter=")[1]
    for given in (None, "", "guessed", token[:-1]):
        assert _post(server, "/__lecture__/position", {"page": "deck.html", "index": 0}, given) == 403
    assert _post(server, "/__lecture__/position", {"page": "deck.html", "index": 0}, token) == 204
    assert _post(server, "/__lecture__/position", {"page": "deck.html", "index": "x"}, token) == 400


def test_a_broadcast_arrives_in_the_other_windows_as_an_event(follow, browser):
    server, link = follow
    presenter, _ = _open(browser, link)
    follower, _ = _open(browser, server.url + "deck.html")
    listen = "() => { window.got = []; addEventListener('lecture:broadcast', (e) => got.push(e.detail)); }"
    follower.evaluate(listen)
    presenter.evaluate(listen)
    follower.evaluate("lectureLive.broadcast({type: 'stroke', from: 'the follower'})")  # a no-op
    strokes = [[i, i * 2] for i in range(15_000)]  # about 190 KB of JSON: a drawn slide
    presenter.evaluate("(points) => lectureLive.broadcast({type: 'stroke', slide: 2, points: points})",
                       strokes)
    follower.wait_for_function("window.got.length === 1", timeout=5_000)
    message = follower.evaluate("window.got[0]")
    assert message["type"] == "stroke" and message["slide"] == 2 and message["points"] == strokes
    follower.wait_for_timeout(300)
    assert follower.evaluate("window.got.length") == 1  # the follower's own was never sent
    assert presenter.evaluate("window.got") == []  # nor is the presenter's own sent back to it


def test_plain_serve_is_local_no_one_drives_and_nothing_is_shown(tmp_path, served, browser):
    project = make_project(tmp_path, {"deck.md": STEPPED})
    server = served(project)
    page, errors = _open(browser, server.url + "deck.html")
    assert page.evaluate("[lectureLive.role, lectureLive.canSave]") == ["local", True]
    assert page.query_selector("#lecture-back-to-live") is None
    token = re.search(rb'"token": "([^"]+)"', server.get("/__lecture__/live.js")[1]).group(1).decode()
    assert _post(server, "/__lecture__/position", {"page": "deck.html", "index": 1}, token) == 403
    page.keyboard.press("ArrowRight")
    page.wait_for_function(f"{INDEX} === 1")
    assert errors == []


class Saver:
    """A stand-in for the annotations' writer: records what it is given, refuses 'bad'."""

    def __init__(self):
        self.saved: list[tuple[str, bytes]] = []

    def __call__(self, stem: str, body: bytes) -> None:
        if body == b"bad":
            raise ValueError("not annotations: bad")
        self.saved.append((stem, body))


@pytest.fixture
def annotating(tmp_path):
    """The server alone (in this process), for a course whose decks are `deck` and `other`."""
    from lecture_tool.commands.build import build
    from lecture_tool.config import load_config
    from lecture_tool.serving.events import LiveState
    from lecture_tool.serving.server import Room, bind, new_token

    project = make_project(tmp_path, {"deck.md": STEPPED, "other.md": "# Other\n"})
    config = load_config(project)
    build(config)
    saver, state = Saver(), LiveState()
    room = Room(token=new_token(), save_annotations=saver, decks=lambda: [d.stem for d in config.decks()])
    server = bind("127.0.0.1", 0, config.output_dir, state, log=lambda line: None, room=room)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server, saver, room.token
    state.stop()
    thread.join(timeout=10)
    server.server_close()


def _put(port: int, stem: str, body: bytes, token: str | None) -> tuple[int, str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    headers = {"X-Lecture-Token": token} if token is not None else {}
    connection.request("PUT", f"/__lecture__/annotations/{stem}", body, headers)
    response = connection.getresponse()
    answer = response.read().decode()
    connection.close()
    return response.status, answer


def test_annotations_are_saved_through_the_given_function_from_the_page(annotating, browser):
    server, saver, token = annotating
    port = server.server_address[1]
    page, errors = _open(browser, f"http://127.0.0.1:{port}/deck.html")
    assert page.evaluate("lectureLive.canSave") is True
    page.evaluate("lectureLive.saveAnnotations('deck', '{\"slides\": {}}')")
    assert saver.saved == [("deck", b'{"slides": {}}')]
    refused = page.evaluate("lectureLive.saveAnnotations('deck', 'bad').then(() => 'saved', (e) => e.message)")
    assert refused == "400: not annotations: bad"
    assert errors == []


def test_the_annotations_endpoint_refuses_bad_stems_tokens_and_sizes(annotating):
    server, saver, token = annotating
    port = server.server_address[1]
    assert _put(port, "other", b"{}", token)[0] == 204
    for stem in ("nodeck", "deck.html", "..%2Fdeck", "sub%2Fdeck", ".deck", "deck%00", "%2e%2e"):
        assert _put(port, stem, b"{}", token)[0] == 404, stem
    for given in (None, "", "wrong"):
        assert _put(port, "deck", b"{}", given)[0] == 403
    assert _put(port, "deck", b"bad", token) == (400, "400: not annotations: bad\n")
    assert _put(port, "deck", b"x" * (2 * 1024 * 1024 + 1), token)[0] == 413
    assert saver.saved == [("other", b"{}")]


def test_lecture_serve_refuses_what_is_not_annotations_and_keeps_the_file(tmp_path, served):
    project = make_project(tmp_path, {"deck.md": STEPPED})
    kept = b'{"format": 1, "slides": {}}\n'
    (project / "slides/deck.annotations.json").write_bytes(kept)
    server = served(project)
    token = re.search(rb'"token": "([^"]+)"', server.get("/__lecture__/live.js")[1]).group(1).decode()
    status, answer = _put(server.port, "deck", b'{"slides": {}}', token)
    assert status == 400 and "format" in answer
    assert _put(server.port, "nodeck", b'{"format": 1, "slides": {}}', token)[0] == 404
    assert (project / "slides/deck.annotations.json").read_bytes() == kept
    assert not (project / "slides/nodeck.annotations.json").exists()


def test_strokes_saved_from_a_served_page_reach_the_deck_and_new_windows_without_a_rebuild(
        tmp_path, served, browser):
    project = make_project(tmp_path, {"deck.md": STEPPED})
    server = served(project)
    page, errors = _open(browser, server.url + "deck.html")
    assert page.evaluate("[lectureLive.role, lectureLive.canSave]") == ["local", True]
    key = page.evaluate("lectureAnnotate.keys[0]")
    stroke = {"tool": "pen", "color": "#d62728", "width": 0.01, "points": [[0.1, 0.2], [0.5, 0.6]]}
    body = json.dumps({"format": 1, "slides": {key: {"strokes": [stroke], "board": None}}})
    builds = len([line for line in server.lines if "built" in line])
    page.evaluate("body => lectureLive.saveAnnotations('deck', body)", body)

    saved = json.loads((project / "slides/deck.annotations.json").read_text())
    assert saved["slides"][key]["strokes"][0]["color"] == "#d62728"
    # A window opened now gets the stroke with its page, though no build ran for the save.
    script = (project / "build/deck.annotations.js").read_text()
    assert "#d62728" in script and key in script
    fresh, fresh_errors = _open(browser, server.url + "deck.html")
    assert fresh.evaluate(f"JSON.stringify(window.lectureAnnotations.slides['{key}'])").count("#d62728") == 1
    page.wait_for_timeout(1500)  # the watcher has seen the file by now
    assert len([line for line in server.lines if "built" in line]) == builds
    assert errors == [] and fresh_errors == []
