"""`lecture serve`: build, serve the output directory, rebuild what a change touches, and tell
the browsers.

The serving stage watches and serves; this command decides what a change means (`Rebuilder`):
a Markdown edit re-renders that deck only, a figure script or notebook runs its job, a template
or a file beside the decks rebuilds the course, pyproject.toml is read again. Every build that
changes something advances the epoch the browsers follow; a deck that fails keeps its last good
page, and its problems show in an overlay until it is fixed.
"""
from __future__ import annotations

import socket
import threading
import webbrowser
from pathlib import Path
from typing import Callable

from .. import annotations, processes
from ..config import Config, ConfigError, load_config
from ..diagnostics import ERROR, display_path
from ..layout import annotations_file, annotations_script_name, page_name
from ..outputs import write_if_changed
from ..serving.events import LiveState
from ..serving.server import Room, bind, new_token, url_host
from ..serving.watcher import Watched, Watcher, watch_loop
from .build import build
from .build_steps import annotations_script
from .build_result import source_hash
from .check import check

# How often a rebuild is done again at once because a deck changed while it was read (an
# editor that truncates and then writes); the watcher sees any later change anyway.
REREADS = 5


def watched(config: Config) -> Watched:
    """The course's own files, and its pyproject.toml."""
    return Watched([config.slides_dir, config.figures_dir, config.templates_dir, config.notebooks_dir],
                   [config.pyproject], config.output_dir, config.root)


class Rebuilder:
    """Decides what a set of changed files needs, runs it, and tells the browsers."""

    def __init__(self, config: Config, state: LiveState, log: Callable[[str], None],
                 run_checks: bool):
        self.config, self.state, self.log, self.run_checks = config, state, log, run_checks
        self.check_thread: threading.Thread | None = None
        self.check_lock, self.check_pending = threading.Lock(), set()
        # One snippet worker per deck, kept between edits: a check after an edit goes on in a
        # worker that has Keras imported already (checking.client.DeckRun), not a fresh one.
        self.check_workers: dict = {}
        # What this server last wrote into each annotations file: the watcher then sees its own
        # save, which needs no build (the pages drew the strokes themselves).
        self.annotations_lock, self.saved_annotations = threading.Lock(), {}

    def save_annotations(self, stem: str, body: bytes) -> None:
        """A lecturer's page saves its strokes: into slides/<stem>.annotations.json and, at once,
        the script pages load, so a window opened next shows them. One save at a time: each
        merges into the file the one before it wrote."""
        slides_dir = self.config.slides_dir
        source = annotations_file(slides_dir, stem)
        with self.annotations_lock:
            annotations.save(slides_dir, stem, body)
            self.saved_annotations[source] = source.read_bytes()
            write_if_changed(self.config.output_dir / annotations_script_name(slides_dir / f"{stem}.md"),
                             annotations_script(annotations.load(source)))

    def full(self) -> None:
        self._build(None, figures=True, why="built the course", full=True, notebooks=True)
        if self.run_checks:
            self._check(self.config.decks())  # and the snippet workers are warm for the first edit

    def changed(self, paths: set[Path]) -> None:
        paths = {path for path in paths if not self._saved_here(path)}
        if not paths:
            return
        if self.config.pyproject in paths:
            self.reload()
            return
        config = self.config
        decks = sorted(p for p in paths if p.suffix == ".md" and p.parent == config.slides_dir
                       and p.exists())
        others = paths - set(decks)
        under = lambda p, d: d in p.parents  # noqa: E731
        names = ", ".join(sorted(display_path(p, config.root) for p in paths))
        figures = any(under(p, config.figures_dir) for p in others)
        notebooks = any(under(p, config.notebooks_dir) for p in others)
        if any(under(p, config.templates_dir) for p in others) or any(
                p.suffix == ".md" and p.parent == config.slides_dir for p in others):
            self._build(None, figures=True, why=f"{names} changed", full=True, notebooks=True)
        elif others:  # figure scripts, notebooks, images and other files beside the decks
            self._build(None, figures=figures, why=f"{names} changed", full=True,
                        notebooks=notebooks)
        elif decks:
            # A Markdown edit re-renders that deck: no figure, snippet or notebook work.
            self._build(decks, figures=False, why=f"{names} changed", full=False)

    def _saved_here(self, path: Path) -> bool:
        with self.annotations_lock:
            saved = self.saved_annotations.get(path)
        try:
            return saved is not None and path.read_bytes() == saved
        except OSError:
            return False

    def reload(self) -> None:
        """Read pyproject.toml again; with errors, say them and keep serving the last good one."""
        try:
            config = load_config(self.config.root)
        except ConfigError as exc:
            for diagnostic in exc.diagnostics:
                self.log(diagnostic.format(self.config.root))
            self.log("pyproject.toml has errors: still serving with the configuration before it")
            self.state.publish([], False, {"index.html": [d.format(self.config.root)
                                                          for d in exc.diagnostics]})
            return
        for warning in config.warnings:
            self.log(warning.format(config.root))
        if config.output_dir != self.config.output_dir:
            self.log(f"the output directory is now {display_path(config.output_dir, config.root)}/: "
                     "restart lecture serve to serve it")
        self.config = config
        self.state.publish([], False, {"index.html": []})
        self._build(None, figures=True, why="pyproject.toml changed", full=True, notebooks=True)

    def close(self) -> None:
        for run in self.check_workers.values():
            run.close()
        self.check_workers.clear()

    def _build(self, decks: list[Path] | None, figures: bool, why: str, full: bool,
               notebooks: bool = False) -> None:
        reported = []
        with self.state.building():  # page requests wait: none sees a page about to be replaced
            result = build(self.config, decks, report=reported.append, progress=self.log,
                           figures=figures, notebooks=notebooks, keep_last_good=True)
            for _ in range(REREADS):
                torn = _changed_since_read(result.sources)
                if not torn:
                    break
                # Read while it was being saved: its page is not the deck. Built again before
                # any request is let through; what was said of it is said again.
                reported[:] = [d for d in reported if Path(d.path) not in torn]
                again = build(self.config, torn, report=reported.append, progress=self.log,
                              figures=False, notebooks=False, keep_last_good=True)
                result.written += again.written
                result.by_page.update(again.by_page)
                result.sources.update(again.sources)
                result.seconds += again.seconds
        pages = [p.relative_to(self.config.output_dir).as_posix() for p in result.written
                 if p.suffix == ".html"]
        for diagnostic in reported:
            self.log(diagnostic.format(self.config.root))
        problems = {page: [d.format(self.config.root) for d in found]
                    for page, found in result.by_page.items()}
        failed = [page for page, found in result.by_page.items()
                  if any(d.severity == ERROR for d in found)]
        status = f"; kept the last good {', '.join(failed)}" if failed else ""
        self.log(f"{why}: rebuilt in {result.seconds:.2f} s "
                 f"({len(result.written)} file{'s' if len(result.written) != 1 else ''} written"
                 f"{status})")
        # Any change of files, or of problems, moves the epoch: browsers update or show problems.
        self.state.publish(pages, full and bool(result.written), problems)
        if self.run_checks and decks:
            self._check(decks)

    def _check(self, decks: list[Path]) -> None:
        """Check these decks beside the build loop (snippets take seconds); decks edited while
        a check runs are checked right after it, not forgotten."""
        with self.check_lock:
            self.check_pending.update(decks)
            if self.check_thread is None:
                self.check_thread = threading.Thread(target=self._check_loop, daemon=True)
                self.check_thread.start()

    def _check_loop(self) -> None:
        while True:
            with self.check_lock:
                decks = sorted(self.check_pending)
                self.check_pending.clear()
                if not decks:
                    self.check_thread = None
                    return
            result = check(self.config, decks, workers=self.check_workers)
            by_page: dict[str, list[str]] = {page_name(deck): [] for deck in decks}
            for diagnostic in result.diagnostics:
                self.log(diagnostic.format(self.config.root))
                by_page.setdefault(page_name(Path(diagnostic.path)), []).append(
                    diagnostic.format(self.config.root))
            self.log(f"checked {', '.join(d.name for d in decks)} in {result.seconds:.2f} s")
            self.state.publish([], False, by_page)


def serve(config: Config, host: str = "127.0.0.1", port: int = 8000, open_browser: bool = False,
          deck: Path | None = None, run_checks: bool = False, follow: bool = False,
          save_annotations: Callable[[str, bytes], None] | None = None,
          log: Callable[[str], None] = print, ready: Callable[[str], None] | None = None) -> None:
    """Build, then serve and rebuild until interrupted (Ctrl-C).

    With `follow`, the window opened from the presenter link drives every other window of the
    deck. `save_annotations(stem, body)` is called for the annotations a lecturer's page saves.
    """
    state = LiveState()
    rebuilder = Rebuilder(config, state, log, run_checks)
    server = thread = None
    room = Room(follow=follow, token=new_token(),
                save_annotations=save_annotations or rebuilder.save_annotations,
                decks=lambda: [d.stem for d in rebuilder.config.decks()])
    try:
        rebuilder.full()
        server = bind(host, port, config.output_dir, state, log=log, room=room)
        # Watch from before the address is said: an edit made the moment it shows is seen.
        watcher = Watcher(lambda: watched(rebuilder.config))
        thread = threading.Thread(target=watch_loop, daemon=True,
                                  args=(watcher, rebuilder.changed, state, watcher.snapshot(), log))
        thread.start()
        url = _announce(config, host, server.server_address[1], deck, room, log)
        if open_browser:
            webbrowser.open(url + (f"?presenter={room.token}" if follow else ""))
        if ready:
            ready(url)
        server.serve_forever()
    except KeyboardInterrupt:
        log("stopping")
    finally:
        state.stop()
        rebuilder.close()
        processes.stop_all()  # figure scripts and snippet workers run in sessions of their own
        if server is not None:
            server.server_close()
        # Ctrl-C can land inside thread.start(), before the watcher has even begun.
        if thread is not None and thread.is_alive():
            thread.join(timeout=2)


def _announce(config: Config, host: str, port: int, deck: Path | None, room: Room,
              log: Callable[[str], None]) -> str:
    """Say where the slides are (and, in follow mode, the presenter's link); the local URL."""
    shown = {"0.0.0.0": "127.0.0.1", "::": "::1"}.get(host, host)
    page = page_name(deck) if deck else ""
    url = f"http://{url_host(shown)}:{port}/{page}"
    log(f"serving {display_path(config.output_dir, config.root)}/ at {url}  (Ctrl-C stops)")
    room_url = url
    if host in ("0.0.0.0", "::"):
        room_url = f"http://{socket.gethostname()}:{port}/{page}"
        log(f"on this network: {room_url} (or this computer's address)")
        log("warning: anyone on this network can read these slides")
    if room.follow:
        log(f"follow mode: every window of a deck follows the presenter's; followers open {room_url}")
        log(f"presenter (keep this link to yourself): {url}?presenter={room.token}")
    return url


def _changed_since_read(sources: dict[Path, str]) -> list[Path]:
    """The decks whose content is no longer what their build read."""
    changed = []
    for path, read in sources.items():
        try:
            now = source_hash(path.read_bytes())
        except OSError:
            continue  # gone: the watcher sees that
        if now != read:
            changed.append(path)
    return changed
