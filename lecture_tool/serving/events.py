"""What the browsers follow: an epoch, which pages changed, each page's problems, and whether a
build is writing pages right now (a page request then waits for it: nobody is served a page
that the build is about to replace).

The builds run in a thread of their own; the server runs an event loop. `LiveState` is shared
by both under its lock, and tells its listeners (the server, which hands the news to its loop)
after every change.
"""
from __future__ import annotations

import json
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Callable

# A request waits at most this long for a build in flight, then gets what is there: a build
# that runs figure scripts may take minutes.
BUILD_WAIT_SECONDS = 2.0


@dataclass
class LiveState:
    """What the browsers follow: an epoch, which pages changed, and each page's problems."""
    epoch: int = 0
    pages: list[str] = field(default_factory=list)
    full: bool = False
    diagnostics: dict[str, list[str]] = field(default_factory=dict)
    stopping: bool = False
    builds: int = 0  # builds writing pages now
    begun: int = 0  # builds begun so far, and ended: a request waits for those begun before it
    ended: int = 0
    condition: threading.Condition = field(default_factory=threading.Condition)
    listeners: list[Callable[[], None]] = field(default_factory=list)

    def publish(self, pages: list[str], full: bool, diagnostics: dict[str, list[str]]) -> None:
        with self.condition:
            self.epoch += 1
            self.pages, self.full = sorted(pages), full
            self.diagnostics.update(diagnostics)
            self.condition.notify_all()
        self._tell()

    def message(self) -> str:
        return json.dumps({"epoch": self.epoch, "pages": self.pages, "full": self.full,
                           "diagnostics": self.diagnostics})

    @contextmanager
    def building(self):
        """While the body runs, page requests wait (at most BUILD_WAIT_SECONDS)."""
        with self.condition:
            self.builds += 1
            self.begun += 1
        try:
            yield
        finally:
            with self.condition:
                self.builds -= 1
                self.ended += 1
                self.condition.notify_all()
            self._tell()

    def stop(self) -> None:
        with self.condition:
            self.stopping = True
            self.condition.notify_all()
        self._tell()

    def _tell(self) -> None:
        for listener in list(self.listeners):
            listener()
