"""Watching the course: which files there are now, and a way to sleep until one may have
changed. It knows nothing of what a change means: `watch_loop` hands the changed paths to a
callback (the serve command's rebuild policy), as mkdocs' livereload takes a builder.
"""
from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from ..sources import files_under
from .events import LiveState


@dataclass(frozen=True)
class Watched:
    """What to watch: directories (recursively), single files, and a directory to skip."""
    directories: list[Path]
    files: list[Path]
    skip: Path
    root: Path  # where the single files are (watched without recursion)


class Watcher:
    """The watched files (those a build counts: `sources.files_under`): what they are now
    (`snapshot`), and a way to sleep until one of them may have changed (`wait`)."""

    def __init__(self, watched: Callable[[], Watched], poll: float = 0.025):
        self.watched = watched  # asked each time: what to watch can change while serving
        self.poll = poll
        self.events: _OsEvents | None = None
        if os.environ.get("LECTURE_WATCH") != "poll":
            try:
                self.events = _OsEvents()
            except ImportError:
                pass  # no watchfiles: polling, which costs CPU in proportion to the files

    def directories(self) -> list[Path]:
        return [d for d in dict.fromkeys(self.watched().directories) if d.is_dir()]

    def snapshot(self) -> dict[Path, tuple[int, int]]:
        watched = self.watched()
        found = {}
        files = [f for root in self.directories() for f in files_under(root, skip=(watched.skip,))]
        for path in (*files, *watched.files):
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
        self.events.follow(self.directories(), self.watched().root)
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
        import watchfiles  # optional at run time: without it, the watcher polls (see Watcher)

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


def watch_loop(watcher: Watcher, changed: Callable[[set[Path]], None], state: LiveState,
               before: dict[Path, tuple[int, int]], log: Callable[[str], None],
               quiet: float = 0.05) -> None:
    """Hand every change to `changed`, from `before`, the files as they were when serving began."""
    while not state.stopping:
        if not watcher.wait(timeout=0.5):
            continue
        after = watcher.snapshot()
        if after == before:
            continue
        after = watcher.settle(after, quiet)
        paths, before = changed_paths(before, after), after
        try:
            changed(paths)
        except Exception as exc:  # noqa: BLE001 - the server must outlive any bad input
            log(f"error: the rebuild failed: {type(exc).__name__}: {exc}")
    watcher.close()
