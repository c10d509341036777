"""The live server: serves the output directory to the lecturer's browsers, and only to them,
with the event stream they follow and the script that follows it. It knows nothing of builds:
`LiveState` says what changed and whether a build is writing pages.
"""
from __future__ import annotations

import errno
import http.server
import ipaddress
import mimetypes
import selectors
import socket
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Callable
from urllib.parse import unquote, urlsplit

from ..errors import LectureError
from .events import LiveState

EVENTS = "/__lecture__/events"
LIVE_SCRIPT = "/__lecture__/live.js"


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
        if file is not None and file.suffix == ".html":
            self.server.state.wait_for_build()
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
        self.server, self.selector, self.lock = server, selectors.DefaultSelector(), threading.Lock()
        self.closed = False
        threading.Thread(target=self._run, daemon=True, name="lecture-serve-accept").start()

    def add(self, request, client_address) -> None:
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


def url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def inject(page: bytes) -> bytes:
    tag = f'<script src="{LIVE_SCRIPT}"></script>'.encode()
    at = page.rfind(b"</body>")
    return page[:at] + tag + page[at:] if at >= 0 else page + tag


def live_script() -> bytes:
    return (Path(__file__).resolve().parent / "live.js").read_bytes()


def bind(host: str, port: int, root: Path, state: LiveState, tries: int = 20,
         log: Callable[[str], None] = print) -> LiveServer:
    """A server on `port`, or the next free one (said out loud)."""
    for candidate in range(port, port + tries):
        try:
            server = LiveServer((host, candidate), root, state, log)
        except socket.gaierror as exc:
            raise LectureError(f"error: cannot serve on {host!r}: {exc.strerror}") from exc
        except OSError as exc:
            if exc.errno != errno.EADDRINUSE:
                raise LectureError(f"error: cannot serve on {url_host(host)}:{candidate}: "
                                   f"{exc.strerror}") from exc
            continue
        if candidate != port:
            log(f"port {port} is in use; serving on port {candidate} instead")
        return server
    raise LectureError(f"ports {port} to {port + tries - 1} are all in use: choose one with --port")
