"""`lecture serve`: build, serve the output directory, rebuild on change, reload the browsers.

As mkdocs' livereload does it: a watcher notices changes and a build loop (debounced) rebuilds
only what they touch. Every build that changes something advances an epoch; browsers follow the
epoch through server-sent events and update in place, on the slide they were showing. A deck that
fails keeps its last good page, and its problems show in an overlay until it is fixed.
"""
from __future__ import annotations

import errno
import http.server
import json
import os
import socket
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable
from urllib.parse import unquote, urlsplit

from . import processes
from .config import Config
from .diagnostics import display_path
from .sources import files_under

EVENTS = "/__lecture__/events"
LIVE_SCRIPT = "/__lecture__/live.js"
@dataclass
class LiveState:
    """What the browsers follow: an epoch, which pages changed, and each page's problems."""
    epoch: int = 0
    pages: list[str] = field(default_factory=list)
    full: bool = False
    diagnostics: dict[str, list[str]] = field(default_factory=dict)
    stopping: bool = False
    condition: threading.Condition = field(default_factory=threading.Condition)

    def publish(self, pages: list[str], full: bool, diagnostics: dict[str, list[str]]) -> None:
        with self.condition:
            self.epoch += 1
            self.pages, self.full = sorted(pages), full
            self.diagnostics.update(diagnostics)
            self.condition.notify_all()

    def message(self) -> str:
        return json.dumps({"epoch": self.epoch, "pages": self.pages, "full": self.full,
                           "diagnostics": self.diagnostics})


class Watcher:
    """The course's files (the same ones a build counts) and its pyproject.toml: what they are
    now (`snapshot`), and a way to sleep until one of them may have changed (`wait`)."""

    def __init__(self, config: Callable[[], Config], poll: float = 0.025):
        self.config = config  # the current configuration: it can change while serving
        self.poll = poll
        self.events: _OsEvents | None = None
        if os.environ.get("LECTURE_WATCH") != "poll":
            try:
                self.events = _OsEvents()
            except ImportError:
                pass  # no watchfiles: polling, which costs CPU in proportion to the files

    def directories(self) -> list[Path]:
        config = self.config()
        found = [config.slides_dir, config.figures_dir, config.templates_dir, config.notebooks_dir]
        return [d for d in dict.fromkeys(found) if d.is_dir()]

    def snapshot(self) -> dict[Path, tuple[int, int]]:
        config = self.config()
        found = {}
        files = [f for root in self.directories() for f in files_under(root, skip=(config.output_dir,))]
        for path in (*files, config.pyproject):
            try:
                stat = path.stat()
            except OSError:
                continue  # gone between the listing and now, or never there
            found[path] = (stat.st_mtime_ns, stat.st_size)
        return found

    def wait(self, timeout: float) -> bool:
        """Sleep until something may have changed (True), or `timeout` passes (False)."""
        if self.events is None:
            time.sleep(self.poll)
            return True
        self.events.follow(self.directories(), self.config().root)
        return self.events.wait(timeout)

    def settle(self, found: dict[Path, tuple[int, int]], quiet: float) -> dict[Path, tuple[int, int]]:
        """The files once a burst of saves (temp file, rename, chmod) is over. OS events come
        only after watchfiles saw a quiet step (`STEP_MS`), so a burst was over before its event
        came; one that came since is looked at too. Polling looks again every `quiet` seconds
        until two looks agree."""
        if self.events is not None and not self.events.settling():
            while self.events.pending():
                found = self.snapshot()
            return found
        while True:
            time.sleep(quiet)
            again = self.snapshot()
            if again == found:
                return found
            found = again

    def close(self) -> None:
        if self.events is not None:
            self.events.close()


# watchfiles hands a change over once a step of this many ms passed with no other: the
# debounce of a burst of saves, and most of the delay between a save and its rebuild.
STEP_MS = 20


class _OsEvents:
    """File system events from the OS (inotify, FSEvents, ...) through watchfiles: idle, the
    watcher costs nothing, however many files the course has."""

    def __init__(self) -> None:
        import watchfiles

        self._watch = watchfiles.watch
        self.changed = threading.Event()
        self.watching: tuple = ()
        self.stop = threading.Event()
        self.settling_until = 0.0
        self.failed = False

    def follow(self, directories: list[Path], root: Path) -> None:
        """Watch these directories (and the course root for pyproject.toml), if not already."""
        wanted = (tuple(directories), root)
        if wanted == self.watching:
            return
        self.close()
        self.stop, self.watching = threading.Event(), wanted
        for paths, recursive in ((directories, True), ([root], False)):
            if paths:
                threading.Thread(target=self._run, args=(paths, recursive, self.stop), daemon=True).start()
        # The OS watches are set up in those threads; until they surely are, look as polling does.
        self.settling_until = time.monotonic() + 1.0

    def _run(self, paths: list[Path], recursive: bool, stop: threading.Event) -> None:
        try:
            for _ in self._watch(*paths, recursive=recursive, stop_event=stop, debounce=20, step=STEP_MS,
                                 watch_filter=None, raise_interrupt=False):
                self.changed.set()
        except Exception:  # noqa: BLE001 - e.g. the OS's watch limit: fall back to looking often
            self.failed = True  # events that say nothing: settle as polling does
            while not stop.wait(0.025):
                self.changed.set()

    def wait(self, timeout: float) -> bool:
        if self.settling():
            time.sleep(0.025)
            return True
        if self.changed.wait(timeout):
            self.changed.clear()
            return True
        return False

    def settling(self) -> bool:
        """Whether the OS watches may not be set up (yet): changes are then looked for as
        polling does."""
        return self.failed or time.monotonic() < self.settling_until

    def pending(self) -> bool:
        """Whether a change came since the last `wait`: the next look sees it."""
        if self.changed.is_set():
            self.changed.clear()
            return True
        return False

    def close(self) -> None:
        self.stop.set()
        self.watching = ()


def changed_paths(before: dict, after: dict) -> set[Path]:
    return {p for p in before.keys() | after.keys() if before.get(p) != after.get(p)}


class Rebuilder:
    """Decides what a set of changed files needs, runs it, and tells the browsers."""

    def __init__(self, config: Config, state: LiveState, log: Callable[[str], None],
                 run_checks: bool):
        self.config, self.state, self.log, self.run_checks = config, state, log, run_checks
        self.check_thread: threading.Thread | None = None
        self.check_lock, self.check_pending = threading.Lock(), set()
        # One snippet worker per deck, kept between edits: a check after an edit goes on in a
        # worker that has Keras imported already (snippet_client.DeckRun), not a fresh one.
        self.check_workers: dict = {}

    def full(self) -> None:
        self._build(None, figures=True, why="built the course", full=True, notebooks=True)
        if self.run_checks:
            self._check(self.config.decks())  # and the snippet workers are warm for the first edit

    def changed(self, paths: set[Path]) -> None:
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

    def reload(self) -> None:
        """Read pyproject.toml again; with errors, say them and keep serving the last good one."""
        from .config import ConfigError, load_config

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
        from .build import build

        reported = []
        result = build(self.config, decks, report=reported.append, progress=self.log,
                       figures=figures, notebooks=notebooks, keep_last_good=True)
        pages = [p.relative_to(self.config.output_dir).as_posix() for p in result.written
                 if p.suffix == ".html"]
        for diagnostic in reported:
            self.log(diagnostic.format(self.config.root))
        problems = {page: [d.format(self.config.root) for d in found]
                    for page, found in result.by_page.items()}
        failed = [page for page, found in result.by_page.items()
                  if any(d.severity == "error" for d in found)]
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
        from .check import check

        while True:
            with self.check_lock:
                decks = sorted(self.check_pending)
                self.check_pending.clear()
                if not decks:
                    self.check_thread = None
                    return
            result = check(self.config, decks, workers=self.check_workers)
            by_page: dict[str, list[str]] = {deck.stem + ".html": [] for deck in decks}
            for diagnostic in result.diagnostics:
                self.log(diagnostic.format(self.config.root))
                by_page.setdefault(Path(diagnostic.path).stem + ".html", []).append(
                    diagnostic.format(self.config.root))
            self.log(f"checked {', '.join(d.name for d in decks)} in {result.seconds:.2f} s")
            self.state.publish([], False, by_page)


def watch_loop(watcher: Watcher, rebuilder: Rebuilder, state: LiveState,
               before: dict[Path, tuple[int, int]], quiet: float = 0.05) -> None:
    """Rebuild what changes, from `before`, the files as they were when serving began."""
    while not state.stopping:
        if not watcher.wait(timeout=0.5):
            continue
        after = watcher.snapshot()
        if after == before:
            continue
        after = watcher.settle(after, quiet)
        paths, before = changed_paths(before, after), after
        try:
            rebuilder.changed(paths)
        except Exception as exc:  # noqa: BLE001 - the server must outlive any bad input
            rebuilder.log(f"error: the rebuild failed: {type(exc).__name__}: {exc}")
    watcher.close()


def resolve(root: Path, url_path: str) -> Path | None:
    """The file under `root` that a URL path names, or None: nothing outside root, ever."""
    path = unquote(url_path)
    if "\0" in path or "\\" in path:
        return None
    parts = [p for p in path.split("/") if p not in ("", ".")]
    if any(p.startswith(".") for p in parts):
        return None  # `..`, and hidden files at any depth: build/.cache/ is no one's business
    candidate = root.joinpath(*parts) if parts else root
    try:
        real = candidate.resolve(strict=True)
    except (FileNotFoundError, RuntimeError, OSError):
        return None
    real_root = root.resolve()
    if real != real_root and real_root not in real.parents:
        return None  # a symlink that leads outside
    if any(p.startswith(".") for p in real.relative_to(real_root).parts):
        return None  # or to a hidden file inside
    if real.is_dir():
        real = real / "index.html"
        if not real.is_file():
            return None
    return real


class Handler(http.server.BaseHTTPRequestHandler):
    server: "LiveServer"
    protocol_version = "HTTP/1.1"
    timeout = 10  # seconds a connection may stay silent (the event stream speaks every 10 s)

    def log_message(self, *args) -> None:  # quiet: the terminal is for builds and problems
        pass

    def do_GET(self) -> None:  # noqa: N802 - the http.server API
        self._serve(body=True)

    def do_HEAD(self) -> None:  # noqa: N802
        self._serve(body=False)

    def _serve(self, body: bool) -> None:
        if not self.server.host_allowed(self.headers.get("Host")):
            return self._send(403, "text/plain; charset=utf-8",
                              b"403: this server answers requests for localhost only\n", body)
        path = urlsplit(self.path).path
        if path == EVENTS:
            return self._events()
        if path == LIVE_SCRIPT:
            return self._send(200, "text/javascript; charset=utf-8", live_script(), body)
        file = resolve(self.server.root, path)
        if file is None:
            return self._send(404, "text/plain; charset=utf-8", b"404 not found\n", body)
        data = file.read_bytes()  # outputs are replaced by rename: this is one whole version
        content_type = self.server.content_type(file)
        if file.suffix == ".html":
            data = inject(data)
        self._send(200, content_type, data, body)

    def _send(self, status: int, content_type: str, data: bytes, body: bool) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if body:
            self.wfile.write(data)

    def _events(self) -> None:
        state = self.server.state
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        seen = -1
        try:
            while not state.stopping:
                with state.condition:
                    state.condition.wait_for(lambda: state.epoch != seen or state.stopping, timeout=10)
                    message, epoch = state.message(), state.epoch
                if epoch != seen:
                    self.wfile.write(f"event: state\ndata: {message}\n\n".encode())
                    seen = epoch
                else:
                    self.wfile.write(b": still here\n\n")
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError, OSError):
            pass


class LiveServer(http.server.ThreadingHTTPServer):
    """Serves the output directory to the lecturer's browsers, and only to them.

    A connection waits in a selector, costing no thread, until it sends something; only then
    does a worker of a bounded pool take it, and a silent one is closed after `Handler.timeout`.
    So a thousand connections that never send a request hold no thread and delay no one.
    Bound to a loopback address, it answers only requests addressed to a loopback name, so a
    web page cannot reach it through DNS rebinding.
    """
    daemon_threads = True
    workers = 64
    # socketserver's default backlog of 5 drops the SYNs of a burst (a page's assets, several
    # windows), and each dropped one costs the browser a second or more before it retries.
    request_queue_size = socket.SOMAXCONN

    def __init__(self, address, root: Path, state: LiveState, log: Callable[[str], None] = print):
        self.root, self.state, self.log = root, state, log
        import ipaddress
        import mimetypes
        from concurrent.futures import ThreadPoolExecutor

        self._types = mimetypes.MimeTypes()
        self._types.add_type("image/svg+xml", ".svg")
        self._types.add_type("font/woff2", ".woff2")
        self.address_family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        self.pool = ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="lecture-serve")
        self.waiting = _Silent(self)
        try:
            loopback = address[0] == "localhost" or ipaddress.ip_address(address[0]).is_loopback
        except ValueError:
            loopback = False
        self.allowed_hosts = ({"localhost", "127.0.0.1", "::1", address[0].lower()} if loopback
                              else None)
        super().__init__(address, Handler)

    def process_request(self, request, client_address) -> None:
        request.settimeout(Handler.timeout)
        self.waiting.add(request, client_address)

    def spoke(self, request, client_address) -> None:
        self.pool.submit(self.process_request_thread, request, client_address)

    def server_close(self) -> None:
        self.waiting.close()
        super().server_close()
        self.pool.shutdown(wait=False, cancel_futures=True)

    def handle_error(self, request, client_address) -> None:
        import sys

        error = sys.exc_info()[1]
        if isinstance(error, (ConnectionError, TimeoutError)):
            return  # a browser that went away, or a connection that never said anything
        self.log(f"error: a request failed: {type(error).__name__}: {error}")

    def host_allowed(self, host_header: str | None) -> bool:
        if self.allowed_hosts is None:
            return True
        host = (host_header or "").strip().lower()
        name = host[1:host.index("]")] if host.startswith("[") and "]" in host else host.rsplit(":", 1)[0]
        return name in self.allowed_hosts

    def content_type(self, file: Path) -> str:
        kind = self._types.guess_type(file.name)[0] or "application/octet-stream"
        return kind + ("; charset=utf-8" if kind.startswith("text/") or kind.endswith("javascript")
                       else "")


class _Silent:
    """Connections that have sent nothing yet, watched by one thread until they speak (then a
    worker serves them) or their time is up (then they are closed)."""

    def __init__(self, server: LiveServer):
        import selectors

        self.server, self.selector, self.lock = server, selectors.DefaultSelector(), threading.Lock()
        self.closed = False
        threading.Thread(target=self._run, daemon=True, name="lecture-serve-accept").start()

    def add(self, request, client_address) -> None:
        import selectors

        with self.lock:
            if self.closed:
                return self.server.shutdown_request(request)
            deadline = time.monotonic() + Handler.timeout
            self.selector.register(request, selectors.EVENT_READ, (client_address, deadline))

    def _run(self) -> None:
        while not self.closed:
            ready = self.selector.select(timeout=0.5)
            with self.lock:
                if self.closed:
                    return
                now, spoke = time.monotonic(), {key.fileobj for key, _ in ready}
                for key in list(self.selector.get_map().values()):
                    address, deadline = key.data
                    if key.fileobj in spoke or deadline < now:
                        self.selector.unregister(key.fileobj)
                        if key.fileobj in spoke:
                            self.server.spoke(key.fileobj, address)
                        else:
                            self.server.shutdown_request(key.fileobj)

    def close(self) -> None:
        with self.lock:
            self.closed = True
            for key in list(self.selector.get_map().values()):
                self.server.shutdown_request(key.fileobj)
            self.selector.close()


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def inject(page: bytes) -> bytes:
    tag = f'<script src="{LIVE_SCRIPT}"></script>'.encode()
    at = page.rfind(b"</body>")
    return page[:at] + tag + page[at:] if at >= 0 else page + tag


def live_script() -> bytes:
    return (Path(__file__).parent / "templates" / "live.js").read_bytes()


def bind(host: str, port: int, root: Path, state: LiveState, tries: int = 20,
         log: Callable[[str], None] = print) -> LiveServer:
    """A server on `port`, or the next free one (said out loud)."""
    from .errors import LectureError

    for candidate in range(port, port + tries):
        try:
            server = LiveServer((host, candidate), root, state, log)
        except socket.gaierror as exc:
            raise LectureError(f"error: cannot serve on {host!r}: {exc.strerror}") from exc
        except OSError as exc:
            if exc.errno != errno.EADDRINUSE:
                raise LectureError(f"error: cannot serve on {_url_host(host)}:{candidate}: "
                                   f"{exc.strerror}") from exc
            continue
        if candidate != port:
            log(f"port {port} is in use; serving on port {candidate} instead")
        return server
    raise LectureError(f"ports {port} to {port + tries - 1} are all in use: choose one with --port")


def serve(config: Config, host: str = "127.0.0.1", port: int = 8000, open_browser: bool = False,
          deck: Path | None = None, run_checks: bool = False,
          log: Callable[[str], None] = print, ready: Callable[[str], None] | None = None) -> None:
    """Build, then serve and rebuild until interrupted (Ctrl-C)."""
    state = LiveState()
    rebuilder = Rebuilder(config, state, log, run_checks)
    server = thread = None
    try:
        rebuilder.full()
        server = bind(host, port, config.output_dir, state, log=log)
        # Watch from before the address is said: an edit made the moment it shows is seen.
        watcher = Watcher(lambda: rebuilder.config)
        thread = threading.Thread(target=watch_loop, daemon=True,
                                  args=(watcher, rebuilder, state, watcher.snapshot()))
        thread.start()
        shown = {"0.0.0.0": "127.0.0.1", "::": "::1"}.get(host, host)
        page = (deck.stem + ".html") if deck else ""
        url = f"http://{_url_host(shown)}:{server.server_address[1]}/{page}"
        log(f"serving {display_path(config.output_dir, config.root)}/ at {url}  (Ctrl-C stops)")
        if host in ("0.0.0.0", "::"):
            log(f"on this network: http://{socket.gethostname()}:{server.server_address[1]}/{page} "
                "(or this computer's address)")
            log("warning: anyone on this network can read these slides")
        if open_browser:
            import webbrowser

            webbrowser.open(url)
        if ready:
            ready(url)
        server.serve_forever(poll_interval=0.1)
    except KeyboardInterrupt:
        log("stopping")
    finally:
        with state.condition:
            state.stopping = True
            state.condition.notify_all()
        rebuilder.close()
        processes.stop_all()  # figure scripts and snippet workers run in sessions of their own
        if server is not None:
            server.server_close()
        # Ctrl-C can land inside thread.start(), before the watcher has even begun.
        if thread is not None and thread.is_alive():
            thread.join(timeout=2)
