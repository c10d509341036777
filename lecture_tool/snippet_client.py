"""The `lecture check` side of the snippet worker (`snippet_worker.py`): one deck's blocks and
claims sent in order to a worker process, its replies read, its death explained.

A block that hangs, crashes the worker or exhausts its memory is reported at its line; a new
worker then replays the blocks that completed before it, and the run goes on with the next.
"""
from __future__ import annotations

import json
import os
import re
import selectors
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass

from . import processes
from .config import Config
from .deck import Deck
from .diagnostics import ERROR, Diagnostic
from .snippets import Block, ParamsClaim, count_matches

# Time the worker may take to import something (TensorFlow, from a cold disk, takes a while);
# it does not count against a block's timeout.
IMPORT_SECONDS = 120

DEFAULT_PRELUDE = """\
import numpy as np
import keras
from keras.layers import (Input, Dense, Conv2D, MaxPool2D, MaxPooling2D, AveragePooling2D,
                          GlobalAveragePooling2D, Flatten, Dropout, BatchNormalization,
                          Activation, Add, Concatenate, ReLU)
from keras.models import Model, Sequential
"""

def prelude(config: Config) -> str:
    return str(config.check.get("prelude", DEFAULT_PRELUDE))


@dataclass
class StepRun:
    """What running one block or checking one claim found, and how long it took."""
    step: Block | ParamsClaim
    diagnostics: list[Diagnostic]
    seconds: float


class WorkerDied(Exception):
    def __init__(self, message: str, line: int | None = None):
        super().__init__(message)
        self.message, self.line = message, line


class DeckRun:
    """One deck's blocks and claims, run in order in a worker process."""

    def __init__(self, config: Config, deck: Deck):
        self.config, self.deck = config, deck
        self.filename = str(deck.path)
        self.timeout = float(config.check.get("timeout", 60))
        self.memory_mb = int(config.check.get("memory_limit_mb", 4096))
        # "materialised" runs every block with real weights, as plain Python would: for the bench.
        self.materialise = config.check.get("weights", "deferred") == "materialised"
        self.process: subprocess.Popen | None = None
        self.completed: list[dict] = []  # requests that returned: replayed after a worker dies
        # Something failed for want of a module or a working worker, not because of the deck.
        self.environment = False

    def run(self, steps: list) -> tuple[list[Diagnostic], list[StepRun]]:
        """Problems that stopped the whole deck (the worker or the prelude), and each step's."""
        done = []
        try:
            try:
                prelude_reply = self.start()
            except WorkerDied as exc:
                return [Diagnostic(self.deck.path, 1, ERROR, exc.message)], done
            if not prelude_reply.get("ok"):
                self.environment = True
                error = prelude_reply["error"]
                return [Diagnostic(self.deck.path, 1, ERROR,
                                   f"the prelude failed: {error['message']}")], done
            for step in steps:
                started = time.perf_counter()
                found = self.block(step) if isinstance(step, Block) else self.claim(step)
                done.append(StepRun(step, found, time.perf_counter() - started))
        finally:
            self.stop()
        return [], done

    def block(self, block: Block) -> list[Diagnostic]:
        if block.skip is not None:
            return []
        request = {"op": "block", "filename": self.filename, "line": block.line,
                   "source": block.source, "setup": block.setup,
                   "mode": "values" if self.materialise else block.mode,
                   "setup_line": block.setup_line, "raises": block.raises,
                   "shapes": [asdict(s) for s in block.shapes]}
        try:
            reply = self.request(request)
        except WorkerDied as exc:
            return [Diagnostic(self.deck.path, exc.line or block.line, ERROR, exc.message)]
        # Even a block that raised changed the namespace up to its error: a new worker replays it.
        self.completed.append(request)
        if reply.get("ok"):
            return []
        if "shape_errors" in reply:
            return [Diagnostic(self.deck.path, e["line"], ERROR, e["message"])
                    for e in reply["shape_errors"]]
        error = reply["error"]
        self.environment |= bool(error.get("environment"))
        return [Diagnostic(self.deck.path, error["line"] or block.line, ERROR, error["message"])]

    def claim(self, claim: ParamsClaim) -> list[Diagnostic]:
        try:
            reply = self.request({"op": "params", "expr": claim.expression, "line": claim.line})
        except WorkerDied as exc:
            return [Diagnostic(self.deck.path, claim.line, ERROR, exc.message)]
        if not reply.get("ok"):
            self.environment |= bool(reply["error"].get("environment"))
            return [Diagnostic(self.deck.path, claim.line, ERROR, reply["error"]["message"])]
        if count_matches(reply["count"], claim.stated):
            return []
        return [Diagnostic(self.deck.path, claim.line, ERROR,
                           f"{reply['what']} has {reply['count']:,} parameters, "
                           f"slide says {claim.stated}")]

    # The worker process.

    def start(self) -> dict:
        self.stderr = tempfile.TemporaryFile()
        # In the course root, so that a block's `import helpers` finds the course's helpers.py.
        self.process = processes.start(
            [sys.executable, "-m", "lecture_tool.snippet_worker", "--memory-mb", str(self.memory_mb)],
            self.config.root, processes.child_environment(MPLBACKEND="Agg"),
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.stderr)
        self.selector = selectors.DefaultSelector()
        self.unread = b""
        self.selector.register(self.process.stdout, selectors.EVENT_READ)
        try:
            self.read_reply(timeout=max(self.timeout, IMPORT_SECONDS))
        except WorkerDied as exc:
            self.environment = True
            cause = self.last_words().strip().splitlines()
            raise WorkerDied(f"the snippet worker did not start: {exc.message}"
                             + (f": {cause[-1].strip()}" if cause else "")) from None
        return self.request({"op": "prelude", "source": prelude(self.config),
                             "filename": "<prelude>"}, replaying=True)

    def request(self, request: dict, replaying: bool = False) -> dict:
        if self.process is None or self.process.poll() is not None:
            self.restart()
        try:
            self.process.stdin.write((json.dumps(request) + "\n").encode())
            self.process.stdin.flush()
        except BrokenPipeError:
            pass  # read_reply says why the worker is gone
        try:
            return self.read_reply(self.timeout)
        except WorkerDied:
            if not replaying:
                self.restart()
            raise

    def read_reply(self, timeout: float) -> dict:
        # The worker says when it starts and ends an import: the block's clock stops meanwhile,
        # and what goes wrong then is the environment's doing, not the deck's.
        deadline, left, importing = time.monotonic() + timeout, timeout, None
        while True:
            try:
                message = json.loads(self.read_line(deadline))
            except TimeoutError:
                processes.stop(self.process)
                if importing is None:
                    raise WorkerDied(f"{processes.exit_description(None, timeout)} (an endless loop, "
                                     "or work too long for a slide?)") from None
                self.environment = True
                stopped = processes.exit_description(None, max(timeout, IMPORT_SECONDS))
                raise WorkerDied(f"importing {importing} {stopped}") from None
            except WorkerDied as exc:
                if importing is None:
                    raise
                self.environment = True
                raise WorkerDied(f"{exc.message}, while importing {importing}", exc.line) from None
            if "importing" in message:
                importing, left = message["importing"], deadline - time.monotonic()
                deadline = time.monotonic() + max(timeout, IMPORT_SECONDS)
            elif "imported" in message:
                importing, deadline = None, time.monotonic() + left
            else:
                return message

    def read_line(self, deadline: float) -> bytes:
        # Read the pipe itself: lines that a buffered reader holds would not wake the selector.
        while b"\n" not in self.unread:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not self.selector.select(remaining):
                raise TimeoutError
            chunk = os.read(self.process.stdout.fileno(), 65536)
            if not chunk:
                raise WorkerDied(*self.death())
            self.unread += chunk
        line, _, self.unread = self.unread.partition(b"\n")
        return line

    def last_words(self) -> str:
        self.stderr.seek(0)
        return self.stderr.read().decode("utf-8", "replace")[-4000:]

    def death(self) -> tuple[str, int | None]:
        """Why the worker is gone, and the deck line it was running, if its last words say."""
        code = self.process.wait()
        tail = self.last_words()
        line = _crash_line(tail, self.filename)
        if "MemoryError" in tail or "bad_alloc" in tail or "Cannot allocate memory" in tail:
            return (f"ran out of memory (the limit is {self.memory_mb} MB: "
                    "[tool.lecture.check] memory_limit_mb)"), line
        return processes.exit_description(code, subject="the Python process running the snippets"), line

    def restart(self) -> None:
        self.stop()
        self.start()
        for request in self.completed:
            self.request(request, replaying=True)

    def stop(self) -> None:
        if self.process is None:
            return
        try:
            self.process.stdin.close()  # the worker's loop ends with its input
        except OSError:
            pass
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
        processes.stop(self.process)  # kills it only if it is still running
        self.process.stdout.close()
        self.selector.close()
        self.stderr.close()
        self.process = None


def _crash_line(stderr_tail: str, filename: str) -> int | None:
    # faulthandler prints the Python stack of a crash: `File "slides/x.md", line 12 in <module>`,
    # innermost first.
    lines = re.findall(r'File "' + re.escape(filename) + r'", line (\d+)', stderr_tail)
    return int(lines[0]) if lines else None
