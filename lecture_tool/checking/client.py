"""The `lecture check` side of the snippet worker (`child_processes/snippet_worker.py`): one
deck's blocks and claims sent in order to a worker process, its replies read, its death explained.

A block that hangs, crashes the worker or exhausts its memory is reported at its line; a new
worker then replays the blocks that completed before it (their side effects happen again), and
the run goes on with the next.

A `DeckRun` may also be kept across runs of the same deck (`lecture serve --check`): the next run
goes on in the same worker from the first step that changed, when the worker has run no block
since; otherwise in a spare worker started meanwhile, with Keras already imported.
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
from dataclasses import asdict, dataclass, field
from typing import IO

from .. import processes
from ..cache import fingerprint, local_imports
from ..config import Config
from ..deck import Deck
from ..deck.annotations import Block, ParamsClaim, ValueClaim, count_matches, output_difference
from ..deck.numbers import parse_stated, shown_value
from ..diagnostics import ERROR, Diagnostic
from ..shapes import shape_text, stated_shape

# Time the worker may take to import something (TensorFlow, from a cold disk, takes a while);
# it does not count against a block's timeout.
IMPORT_SECONDS = 120
# The default address-space limit is the machine's memory, at most this: TensorFlow reserves
# about twice the memory it uses (a VGG16 training step: 3.4 GB used, 6.9 GB of address space).
DEFAULT_MEMORY_CAP_MB = 16 * 1024
# What a worker that ran out of address space leaves in its last words: Python, C++, and
# TensorFlow failing to start a thread (a thread's stack is address space too).
OUT_OF_MEMORY = ("MemoryError", "bad_alloc", "Cannot allocate memory", "pthread_create",
                 "Resource temporarily unavailable")

DEFAULT_PRELUDE = """\
import numpy as np
import keras
from keras.layers import (Input, Dense, Conv2D, MaxPool2D, MaxPooling2D, AveragePooling2D,
                          GlobalAveragePooling2D, Flatten, Dropout, BatchNormalization,
                          Activation, Add, Concatenate, ReLU)
from keras.models import Model, Sequential
import torch
from torch import nn
import torch.nn.functional as F
"""

def prelude(config: Config) -> str:
    return DEFAULT_PRELUDE if config.check.prelude is None else config.check.prelude


def default_memory_limit_mb() -> int:
    """The machine's memory (or its container's, when that is less), at most 16 GB."""
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):  # a system that does not say
        return DEFAULT_MEMORY_CAP_MB
    try:
        with open("/sys/fs/cgroup/memory.max") as limit:  # cgroup v2: "max" or a number
            text = limit.read().strip()
        total = min(total, int(text)) if text.isdigit() else total
    except OSError:
        pass
    return min(total >> 20, DEFAULT_MEMORY_CAP_MB)


def memory_limit_mb(config: Config) -> int:
    """`[tool.lecture.check] memory_limit_mb` (0: none), or the default."""
    given = config.check.memory_limit_mb
    return default_memory_limit_mb() if given is None else given


@dataclass
class StepRun:
    """What running one block or checking one claim found, and how long it took."""
    step: Block | ParamsClaim | ValueClaim
    diagnostics: list[Diagnostic]
    seconds: float


class WorkerDied(Exception):
    def __init__(self, message: str, line: int | None = None):
        super().__init__(message)
        self.message, self.line = message, line


@dataclass
class _Worker:
    """A worker process and what is read of it. Its first requests are sent when it starts, so a
    spare one does its imports while nobody waits for it."""
    process: subprocess.Popen
    stderr: IO[bytes]
    selector: selectors.BaseSelector
    replies_due: int  # replies to its first requests, read when it is put to use
    modules: str  # the course modules the prelude imports, as they were when it started
    unread: bytes = b""
    peak_mb: int = 0  # the largest address space seen during the current request
    imported: list[str] = field(default_factory=list)  # what it said it imported
    dead: bool = False  # killed or crashed, and reaped

    @property
    def frameworks(self) -> list[str]:
        """What a spare worker should import ahead: the frameworks this one imported."""
        return [name for name, signs in (("keras", ("keras", "tensorflow")), ("torch", ("torch",)))
                if any(sign in what for what in self.imported for sign in signs)]


class DeckRun:
    """One deck's blocks and claims, run in order in a worker process.

    `run(steps)` starts a worker, runs the steps and stops it. `run(steps, keep=True)` leaves it
    running, and a spare one starting, for the next `run(..., keep=True)` of the same deck;
    `close()` stops both."""

    def __init__(self, config: Config, deck: Deck):
        self.config, self.deck = config, deck
        self.filename = str(deck.path)
        self.timeout = config.check.timeout
        self.memory_mb = memory_limit_mb(config)
        # "materialised" runs every block with real weights, as plain Python would: for the bench.
        self.materialise = config.check.weights == "materialised"
        self.worker: _Worker | None = None
        self.spare: _Worker | None = None
        self.completed: list[dict] = []  # requests that returned: replayed after a worker dies
        # Something failed for want of a module or a working worker, not because of the deck.
        self.environment = False
        # What the kept worker has run: the steps, their results, the course modules they import.
        self.kept: tuple[list, list[StepRun], str] = ([], [], "")
        self.ran = 0  # steps the last run really ran (the others' results were still good)

    def run(self, steps: list, keep: bool = False) -> tuple[list[Diagnostic], list[StepRun]]:
        """Problems that stopped the whole deck (the worker or the prelude), and each step's."""
        modules = self.modules([s for s in steps if isinstance(s, Block)])
        done = self.still_good(steps, modules)
        self.kept = ([], [], "")  # until this run has completed
        self.environment, self.ran = False, len(steps) - len(done)
        try:
            if not done:
                self.stop()
                self.completed = []
                try:
                    prelude_reply = self.start()
                except WorkerDied as exc:
                    return [Diagnostic(self.deck.path, 1, ERROR, exc.message)], done
                if not prelude_reply.get("ok"):
                    self.environment = True
                    error = prelude_reply["error"]
                    return [Diagnostic(self.deck.path, 1, ERROR,
                                       f"the prelude failed: {error['message']}")], done
            for step in steps[len(done):]:
                started = time.perf_counter()
                found = (self.block(step) if isinstance(step, Block) else self.claim(step)
                         if isinstance(step, ParamsClaim) else self.value_claim(step))
                done.append(StepRun(step, found, time.perf_counter() - started))
            if keep and not self.environment:
                self.kept = (list(steps), list(done), modules)
        finally:
            if keep and self.worker and not self.environment:
                if self.spare is None:
                    self.spare = self.launch(warm=self.worker.frameworks)
            else:
                self.close()
        return [], done

    def still_good(self, steps: list, modules: str) -> list[StepRun]:
        """The kept worker's results that hold for `steps`: up to the first step that changed,
        if the worker has run no block after it (claims change nothing), and the course
        modules are unchanged. [] when the run must start afresh."""
        old_steps, old_done, old_modules = self.kept
        if self.worker is None or self.worker.dead or modules != old_modules:
            return []
        same = 0
        while same < min(len(steps), len(old_steps)) and steps[same] == old_steps[same]:
            same += 1
        ran_since = [s for s in old_steps[same:] if isinstance(s, Block) and s.skip is None]
        return [] if ran_since or not same else old_done[:same]

    def modules(self, blocks: list[Block]) -> str:
        code = [prelude(self.config)] + [text for b in blocks for text in (b.source, b.setup)]
        return fingerprint(files=local_imports(code, [self.config.root]))

    def close(self) -> None:
        """Stop the worker and the spare."""
        self.stop()
        if self.spare is not None:
            self.end(self.spare)
            self.spare = None
        self.kept, self.completed = ([], [], ""), []

    def block(self, block: Block) -> list[Diagnostic]:
        if block.skip is not None:
            return []
        request = {"op": "block", "filename": self.filename, "line": block.line,
                   "source": block.source, "setup": block.setup,
                   "mode": "values" if self.materialise else block.mode,
                   "setup_line": block.setup_line, "raises": block.raises,
                   "shapes": [asdict(s) for s in block.shapes],
                   "capture": block.output is not None, "echo": block.echo}
        try:
            reply = self.request(request)
        except WorkerDied as exc:
            return [Diagnostic(self.deck.path, exc.line or block.line, ERROR, exc.message)]
        # Even a block that raised changed the namespace up to its error: a new worker replays it.
        self.completed.append(request)
        if not reply.get("ok"):
            if "shape_errors" in reply:
                return [Diagnostic(self.deck.path, e["line"], ERROR, e["message"])
                        for e in reply["shape_errors"]]
            error = reply["error"]
            self.environment |= bool(error.get("environment"))
            message = error["message"]
            # PyTorch's allocator says it in a RuntimeError.
            if self.memory_mb and (re.match(r"(MemoryError|ResourceExhaustedError)\b", message)
                                   or "can't allocate memory" in message):
                message += f" (the limit is {self.memory_mb} MB: [tool.lecture.check] memory_limit_mb)"
            return [Diagnostic(self.deck.path, error["line"] or block.line, ERROR, message)]
        if block.output is not None:
            difference = output_difference(reply.get("output") or "", block.output)
            if difference:
                shown_line, message = difference
                return [Diagnostic(self.deck.path, block.output_line + shown_line, ERROR,
                                   f"the output differs from the slide: {message}")]
        return []

    def claim(self, claim: ParamsClaim) -> list[Diagnostic]:
        reply, problems = self.claim_reply(claim, "params")
        if reply is None:
            return problems
        if count_matches(reply["count"], claim.stated):
            return []
        counted = {"params": "parameters", "trainable": "trainable parameters",
                   "non_trainable": "non-trainable parameters"}[claim.kind]
        return [Diagnostic(self.deck.path, claim.line, ERROR,
                           f"{reply['what']} has {reply['count']:,} {counted}, "
                           f"slide says {claim.stated}")]

    def value_claim(self, claim: ValueClaim) -> list[Diagnostic]:
        reply, problems = self.claim_reply(claim, "value")
        if reply is None:
            return problems
        actual = reply["value"]
        what = claim.expression if claim.kind == "value" else f"{claim.kind}({claim.expression})"
        if claim.kind == "shape":
            shown, holds = shape_text(tuple(actual)), tuple(actual) == stated_shape(claim.stated)
        else:
            shown, holds = shown_value(actual), parse_stated(claim.stated).holds(actual)
        if not claim.shown:
            return [Diagnostic(self.deck.path, claim.line, ERROR,
                               f"the claim says the slide states '{claim.stated}', but the slide "
                               f"does not; {what} is {shown}")]
        if holds:
            return []
        return [Diagnostic(self.deck.path, claim.line, ERROR, f"{what} is {shown}, the slide says "
                           f"{claim.stated}")]

    def claim_reply(self, claim: ParamsClaim | ValueClaim, op: str) -> tuple[dict | None, list[Diagnostic]]:
        """The worker's answer to a claim, or None and the problem at the claim's line."""
        try:
            reply = self.request({"op": op, "expr": claim.expression, "line": claim.line,
                                  "kind": claim.kind})
        except WorkerDied as exc:
            return None, [Diagnostic(self.deck.path, claim.line, ERROR, exc.message)]
        if not reply.get("ok"):
            self.environment |= bool(reply["error"].get("environment"))
            return None, [Diagnostic(self.deck.path, claim.line, ERROR, reply["error"]["message"])]
        return reply, []

    # The worker process.

    def launch(self, warm: list[str] | None = None) -> _Worker:
        """Start a worker and send it the prelude (and have it import the frameworks `warm`)."""
        stderr = tempfile.TemporaryFile()
        # In the course root, so that a block's `import helpers` finds the course's helpers.py.
        process = processes.start(
            [sys.executable, "-m", "lecture_tool.child_processes.snippet_worker", "--memory-mb", str(self.memory_mb)],
            self.config.root, processes.child_environment(self.config.keras_backend, MPLBACKEND="Agg"),
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=stderr)
        selector = selectors.DefaultSelector()
        selector.register(process.stdout, selectors.EVENT_READ)
        worker = _Worker(process, stderr, selector, replies_due=1 + bool(warm),
                         modules=self.modules([]))
        self.send(worker, {"op": "prelude", "source": prelude(self.config), "filename": "<prelude>"})
        if warm:
            self.send(worker, {"op": "warm", "frameworks": warm})
        return worker

    def start(self) -> dict:
        """Put a worker to use, the spare if it is still good; the prelude's reply."""
        spare, self.spare = self.spare, None
        if spare is not None and spare.modules != self.modules([]):
            self.end(spare)  # it ran the prelude with a course module that has changed since
            spare = None
        self.worker = spare or self.launch()
        try:
            self.read_reply(timeout=max(self.timeout, IMPORT_SECONDS))  # {"ready": true}
        except WorkerDied as exc:
            self.environment = True
            cause = self.last_words().strip().splitlines()
            raise WorkerDied(f"the snippet worker did not start: {exc.message}"
                             + (f": {cause[-1].strip()}" if cause else "")) from None
        return [self.read_reply(self.timeout) for _ in range(self.worker.replies_due)][0]

    def send(self, worker: _Worker, request: dict) -> None:
        worker.peak_mb = 0
        try:
            worker.process.stdin.write((json.dumps(request) + "\n").encode())
            worker.process.stdin.flush()
        except BrokenPipeError:
            pass  # read_reply says why the worker is gone

    def request(self, request: dict, replaying: bool = False) -> dict:
        if self.worker is None or self.worker.dead:
            self.restart()
        self.send(self.worker, request)
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
                processes.stop(self.worker.process)
                self.worker.dead = True
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
                self.worker.imported.append(importing)
            elif "imported" in message:
                importing, deadline = None, time.monotonic() + left
            else:
                return message

    def read_line(self, deadline: float) -> bytes:
        # Read the pipe itself: lines that a buffered reader holds would not wake the selector.
        worker = self.worker
        while b"\n" not in worker.unread:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError
            # Wake now and then to see how much memory it takes: if it dies near its limit,
            # that was the cause, whatever the signal (native code may crash, not say so).
            ready = worker.selector.select(min(remaining, 0.1))
            if self.memory_mb:
                worker.peak_mb = max(worker.peak_mb, _address_space_mb(worker.process.pid))
            if not ready:
                continue
            chunk = os.read(worker.process.stdout.fileno(), 65536)
            if not chunk:
                raise WorkerDied(*self.death())
            worker.unread += chunk
        line, _, worker.unread = worker.unread.partition(b"\n")
        return line

    def last_words(self, limit: int = 4000) -> str:
        self.worker.stderr.seek(0)
        return self.worker.stderr.read().decode("utf-8", "replace")[-limit:]

    def death(self) -> tuple[str, int | None]:
        """Why the worker is gone, and the deck line it was running, if its last words say."""
        # Whatever a block started goes with it: killed once the worker has ended (its own
        # exit status is the one that counts), before it is reaped and its group's number freed.
        processes.await_exit(self.worker.process)
        processes.kill_group(self.worker.process)
        code = self.worker.process.wait()
        self.worker.dead = True
        tail = self.last_words()
        # The deck line is searched further back: after a crash's Python stack, faulthandler
        # lists every extension module loaded, kilobytes of them where TensorFlow imports JAX.
        line = _crash_line(self.last_words(1 << 16), self.filename)
        near_limit = self.worker.peak_mb >= 0.9 * self.memory_mb
        if self.memory_mb and (near_limit or any(sign in tail for sign in OUT_OF_MEMORY)):
            return (f"ran out of memory (the limit is {self.memory_mb} MB: "
                    "[tool.lecture.check] memory_limit_mb)"), line
        if "MemoryError" in tail or "bad_alloc" in tail:
            return "ran out of memory", line
        return processes.exit_description(code, subject="the Python process running the snippets"), line

    def restart(self) -> None:
        self.stop()
        self.start()
        for request in self.completed:
            self.request(request, replaying=True)

    def stop(self) -> None:
        if self.worker is not None:
            self.end(self.worker)
            self.worker = None

    def end(self, worker: _Worker) -> None:
        # The whole process group, also when the worker is idle or has exited by itself: a
        # block's subprocess must not outlive it. Killed before it is reaped (see death).
        if not worker.dead:
            processes.kill_group(worker.process)
        processes.stop(worker.process)
        try:
            worker.process.stdin.close()
        except OSError:
            pass
        worker.process.stdout.close()
        worker.selector.close()
        worker.stderr.close()


def _address_space_mb(pid: int) -> int:
    # The first field of statm is the address space in pages (Linux; elsewhere nothing is known).
    try:
        with open(f"/proc/{pid}/statm") as statm:
            return int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE") >> 20
    except (OSError, ValueError, IndexError):
        return 0


def _crash_line(stderr_tail: str, filename: str) -> int | None:
    # faulthandler prints the Python stack of a crash: `File "slides/x.md", line 12 in <module>`,
    # innermost first.
    lines = re.findall(r'File "' + re.escape(filename) + r'", line (\d+)', stderr_tail)
    return int(lines[0]) if lines else None
