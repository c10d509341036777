"""The live server: serves the output directory to the lecturer's browsers (and, in follow mode,
to the room), with the event stream they follow and the script that follows it. It knows
nothing of builds: `LiveState` says what changed and whether a build is writing pages; nor of
annotations: the serve command hands it a function that saves them.

It is one event loop (aiohttp): an open event stream or a connection that says nothing costs a
coroutine or a socket, never a thread, so a room of followers and a thousand silent
connections delay no request.
"""
from __future__ import annotations

import asyncio
import errno
import hmac
import ipaddress
import json
import logging
import mimetypes
import secrets
import signal
import socket
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable
from urllib.parse import unquote, urlsplit

from aiohttp import web

from ..errors import LectureError
from .events import BUILD_WAIT_SECONDS, LiveState
from .streams import Streams

EVENTS = "/__lecture__/events"
LIVE_SCRIPT = "/__lecture__/live.js"
POSITION = "/__lecture__/position"
BROADCAST = "/__lecture__/broadcast"
ANNOTATIONS = "/__lecture__/annotations/"
TOKEN_HEADER = "X-Lecture-Token"

# A connection that has not sent a whole request header by then is closed (aiohttp's keep-alive
# timer runs from the connection's first moment), and so is an idle one; an event stream
# speaks every KEEPALIVE seconds, well within it.
HEADER_SECONDS = 10.0
KEEPALIVE = 10.0
BODY_SECONDS = 10.0  # to send a request's body, once its header is in
BROADCAST_LIMIT = 256 * 1024  # a message of the presenter's, e.g. a slide's strokes
ANNOTATIONS_LIMIT = 2 * 1024 * 1024
# Files larger than this are read in a worker thread, not in the loop, which would stall.
READ_IN_LOOP = 1024 * 1024


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


@dataclass(frozen=True)
class Room:
    """Who may do what. `token` authenticates the presenter's window (follow mode) or the
    lecturer's own pages (loopback, no follow mode, where it is handed to the page itself).
    `save_annotations(stem, body)` raises ValueError for what it refuses; `decks()` names the
    decks of the course, the only stems it is given."""
    follow: bool = False
    token: str = ""
    save_annotations: Callable[[str, bytes], None] | None = None
    decks: Callable[[], Iterable[str]] = tuple


class LiveServer:
    """Serves the output directory, bound to a socket already listening.

    Bound to a loopback address, it answers only requests addressed to a loopback name, so a
    web page cannot reach it through DNS rebinding.
    """

    def __init__(self, sock: socket.socket, host: str, root: Path, state: LiveState, room: Room,
                 log: Callable[[str], None] = print):
        self.sock, self.root, self.state, self.room, self.log = sock, root, state, room, log
        self.server_address = sock.getsockname()
        self.streams = Streams()
        self.loop: asyncio.AbstractEventLoop | None = None
        self.changed: asyncio.Future | None = None  # resolved at the next news of the state
        self.runner: web.AppRunner | None = None
        self.epoch_sent = -1
        self.serving = False  # the loop runs until stopped (not a clean-up's run_until_complete)
        self._types = mimetypes.MimeTypes()
        self._types.add_type("image/svg+xml", ".svg")
        self._types.add_type("font/woff2", ".woff2")
        self.allowed_hosts = {"localhost", "127.0.0.1", "::1", host.lower()} if _loopback(host) else None
        self.local = self.allowed_hosts is not None and not room.follow
        state.listeners.append(self._news)

    # -- running ---------------------------------------------------------------------------
    def serve_forever(self) -> None:
        """Serve until interrupted (KeyboardInterrupt, raised by a signal, ends it)."""
        for name in ("aiohttp.server", "aiohttp.access", "aiohttp.web", "asyncio"):
            logging.getLogger(name).setLevel(logging.CRITICAL)  # failures are said our way
        _more_files()
        self.loop = asyncio.new_event_loop()
        asyncio.set_event_loop(self.loop)
        self.changed = self.loop.create_future()
        app = web.Application(client_max_size=ANNOTATIONS_LIMIT + 1024)
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self.runner = web.AppRunner(app, handle_signals=False, access_log=None,
                                    keepalive_timeout=HEADER_SECONDS, shutdown_timeout=1.0)
        self.loop.run_until_complete(self.runner.setup())
        self.loop.run_until_complete(web.SockSite(self.runner, self.sock, backlog=socket.SOMAXCONN).start())
        self._news()
        try:
            self._run_until_signalled()
        finally:
            self.server_close()

    def _run_until_signalled(self) -> None:
        """Run the loop until Ctrl-C, SIGTERM or SIGHUP, then raise what the handler that was
        there would have raised (KeyboardInterrupt, or the command line's own), outside the loop:
        raised inside, it would land in whichever request's task was running."""
        caught: list[int] = []
        main = threading.current_thread() is threading.main_thread()  # else: a test's thread
        signals = [signal.SIGINT, signal.SIGTERM, signal.SIGHUP] if main else []
        before = {signum: signal.getsignal(signum) for signum in signals}

        def stop(signum: int) -> None:
            caught.append(signum)
            self.loop.stop()

        for signum in signals:
            self.loop.add_signal_handler(signum, stop, signum)
        self.serving = True
        try:
            self.loop.run_forever()
        finally:
            self.serving = False
            for signum in signals:
                self.loop.remove_signal_handler(signum)
                signal.signal(signum, before[signum])
        if caught:
            handler = before[caught[0]]
            if callable(handler):
                handler(caught[0], None)
            raise KeyboardInterrupt

    def server_close(self) -> None:
        """Close every connection, then the loop; in the loop's own thread (as serve_forever
        ends), or after it."""
        loop = self.loop
        if loop is None or loop.is_closed() or loop.is_running():
            self.sock.close()
            return
        self.streams.end()
        try:
            if self.runner is not None:
                loop.run_until_complete(asyncio.wait_for(self.runner.cleanup(), 3))
        except (asyncio.TimeoutError, RuntimeError, OSError):
            pass  # stopping anyway
        finally:
            self.sock.close()
            loop.close()

    def _news(self) -> None:
        """From any thread: the state changed (an epoch, a build begun or done, stopping)."""
        loop = self.loop
        if loop is None:
            return
        try:
            loop.call_soon_threadsafe(self._on_news)
        except RuntimeError:
            pass  # the loop is closed: the server has stopped

    def _on_news(self) -> None:
        if self.state.stopping and self.serving:
            self.loop.stop()  # stopped from another thread (a test, or the command's own end)
        changed, self.changed = self.changed, self.loop.create_future()
        if changed is not None and not changed.done():
            changed.set_result(None)
        with self.state.condition:
            epoch, message = self.state.epoch, self.state.message()
        if epoch != self.epoch_sent:
            self.epoch_sent = epoch
            self.streams.send("state", message)

    async def _wait_for_build(self) -> None:
        """Until the builds in flight now have ended (not those begun later: a room of requests
        during a burst of saves is served each time one ends), or BUILD_WAIT_SECONDS."""
        deadline = self.loop.time() + BUILD_WAIT_SECONDS
        with self.state.condition:
            begun = self.state.begun
        while self.state.ended < begun and not self.state.stopping:
            remaining = deadline - self.loop.time()
            if remaining <= 0:
                return
            try:
                await asyncio.wait_for(asyncio.shield(self.changed), remaining)
            except asyncio.TimeoutError:
                return

    # -- requests ---------------------------------------------------------------------------
    async def _handle(self, request: web.Request) -> web.StreamResponse:
        try:
            return await self._answer(request)
        except (ConnectionError, asyncio.CancelledError, asyncio.TimeoutError):
            raise  # a browser that went away, or one too slow to send its body
        except Exception as error:  # noqa: BLE001 - one bad request must not stop the server
            self.log(f"error: a request failed: {type(error).__name__}: {error}")
            return _text(500, "500: the server failed on this request\n")

    async def _answer(self, request: web.Request) -> web.StreamResponse:
        if not self.host_allowed(request.headers.get("Host")):
            return _text(403, "403: this server answers requests for localhost only\n")
        path = urlsplit(request.raw_path).path
        if request.method in ("GET", "HEAD"):
            return await self._get(request, path)
        if request.method == "POST" and path in (POSITION, BROADCAST):
            return await self._relay(request, path)
        if request.method == "PUT" and path.startswith(ANNOTATIONS):
            return await self._save(request, unquote(path[len(ANNOTATIONS):]))
        return _text(405, "405: this server only serves the built site\n")

    async def _get(self, request: web.Request, path: str) -> web.StreamResponse:
        if path == EVENTS:
            return await self._events(request)
        if path == LIVE_SCRIPT:
            return _response(200, "text/javascript; charset=utf-8", self.live_script())
        file = resolve(self.root, path)
        if file is not None and file.suffix == ".html":
            await self._wait_for_build()
            file = resolve(self.root, path)
        if file is None:
            return _text(404, "404 not found\n")
        # Outputs are replaced by rename: one read of an open file is one whole version.
        if file.stat().st_size > READ_IN_LOOP:
            data = await self.loop.run_in_executor(None, file.read_bytes)
        else:
            data = file.read_bytes()
        if file.suffix == ".html":
            data = inject(data)
        return _response(200, self.content_type(file), data)

    async def _events(self, request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream",
                                               "Cache-Control": "no-store"})
        response.force_close()
        queue = self.streams.open(request.query.get("page", ""))
        try:
            await response.prepare(request)
            with self.state.condition:
                message = self.state.message()
            await response.write(f"event: state\ndata: {message}\n\n".encode())
            while not self.state.stopping:
                try:
                    item = await asyncio.wait_for(queue.get(), KEEPALIVE)
                except asyncio.TimeoutError:
                    await response.write(b": still here\n\n")
                    continue
                if item is None:
                    break
                event, data = item
                await response.write(f"event: {event}\ndata: {data}\n\n".encode())
        except (ConnectionError, RuntimeError):
            pass  # the page went away
        finally:
            self.streams.close(queue)
        return response

    def authorised(self, request: web.Request) -> bool:
        given = request.headers.get(TOKEN_HEADER, "")
        return bool(self.room.token) and hmac.compare_digest(given.encode(), self.room.token.encode())

    async def _body(self, request: web.Request, limit: int) -> bytes | web.Response:
        if request.content_length is None:
            return _text(411, "411: say the body's length (Content-Length)\n")
        if request.content_length > limit:
            return _text(413, f"413: at most {limit} bytes\n")
        return await asyncio.wait_for(request.read(), BODY_SECONDS)

    async def _relay(self, request: web.Request, path: str) -> web.Response:
        """The presenter's position or message, to every open page (followers, the clone)."""
        if not (self.room.follow and self.authorised(request)):
            return _text(403, "403: only the presenter drives\n")
        body = await self._body(request, BROADCAST_LIMIT)
        if isinstance(body, web.Response):
            return body
        try:
            message = json.loads(body)
            page = message["page"]
            if not isinstance(message, dict) or not isinstance(page, str):
                raise ValueError
            if path == POSITION:
                index = message["index"]
                if not isinstance(index, int) or isinstance(index, bool) or index < 0:
                    raise ValueError
                self.streams.position(page, index)
            else:
                if not isinstance(message.get("message"), dict):
                    raise ValueError
                self.streams.send("broadcast", json.dumps(
                    {"page": page, "from": str(message.get("from", "")), "message": message["message"]}))
        except (ValueError, KeyError, TypeError):
            return _text(400, "400: not a message this server relays\n")
        return _text(204, "")

    async def _save(self, request: web.Request, stem: str) -> web.Response:
        if not ((self.room.follow or self.local) and self.authorised(request)):
            return _text(403, "403: only the lecturer saves annotations\n")
        if self.room.save_annotations is None:
            return _text(404, "404: this server saves no annotations\n")
        # A deck's name, never a path: no slash, no dot (no `..`, no extension), then one of the
        # course's decks, so the function is given nothing else.
        if not stem or any(c in stem for c in "/\\.\0") or stem not in set(self.room.decks()):
            return _text(404, f"404: no deck {stem!r} in this course\n")
        body = await self._body(request, ANNOTATIONS_LIMIT)
        if isinstance(body, web.Response):
            return body
        try:
            await self.loop.run_in_executor(None, self.room.save_annotations, stem, body)
        except ValueError as exc:
            return _text(400, f"400: {exc}\n")
        return _text(204, "")

    # -- what the pages are told ------------------------------------------------------------
    def live_script(self) -> bytes:
        """live.js, after the one line that tells it how this server runs. The token goes to
        the page only on loopback without follow mode: then the pages are the lecturer's."""
        settings = {"follow": self.room.follow, "token": self.room.token if self.local else None}
        head = f"window.lectureServe = {json.dumps(settings)};\n".encode()
        return head + (Path(__file__).resolve().parent / "live.js").read_bytes()

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


def _response(status: int, content_type: str, data: bytes) -> web.Response:
    return web.Response(status=status, body=data,
                        headers={"Content-Type": content_type, "Cache-Control": "no-store"})


def _text(status: int, text: str) -> web.Response:
    return _response(status, "text/plain; charset=utf-8", text.encode())


def _loopback(host: str) -> bool:
    try:
        return host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def inject(page: bytes) -> bytes:
    tag = f'<script src="{LIVE_SCRIPT}"></script>'.encode()
    at = page.rfind(b"</body>")
    return page[:at] + tag + page[at:] if at >= 0 else page + tag


def new_token() -> str:
    return secrets.token_urlsafe(18)


def _more_files() -> None:
    """Raise the limit of open files to what the system allows: a room of followers is a
    socket each, and the usual soft limit of 1,024 would turn the rest away."""
    try:
        import resource
    except ImportError:  # not on Windows, whose limit is another matter
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = 65536 if hard == resource.RLIM_INFINITY else min(hard, 65536)
    if soft != resource.RLIM_INFINITY and soft < wanted:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
        except (ValueError, OSError):
            pass  # serve with the limit there is


def _listen(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        # A small backlog drops the SYNs of a burst (a page's assets, a room arriving), and
        # each dropped one costs its browser a second or more before it retries.
        sock.listen(socket.SOMAXCONN)
        sock.setblocking(False)
    except BaseException:
        sock.close()
        raise
    return sock


def bind(host: str, port: int, root: Path, state: LiveState, tries: int = 20,
         log: Callable[[str], None] = print, room: Room = Room()) -> LiveServer:
    """A server on `port`, or the next free one (said out loud)."""
    for candidate in range(port, port + tries):
        try:
            sock = _listen(host, candidate)
        except socket.gaierror as exc:
            raise LectureError(f"error: cannot serve on {host!r}: {exc.strerror}") from exc
        except OSError as exc:
            if exc.errno != errno.EADDRINUSE:
                raise LectureError(f"error: cannot serve on {url_host(host)}:{candidate}: "
                                   f"{exc.strerror}") from exc
            continue
        if candidate != port:
            log(f"port {port} is in use; serving on port {candidate} instead")
        return LiveServer(sock, host, root, state, room, log)
    raise LectureError(f"ports {port} to {port + tries - 1} are all in use: choose one with --port")
