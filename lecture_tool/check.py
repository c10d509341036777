"""`lecture check`: every reference resolves, every Python block runs, every stated number holds.

Each deck's blocks run in order in one worker process (`snippet_worker.py`), never in this one.
A block that hangs, crashes the worker or exhausts its memory is reported at its line; a new
worker then replays the blocks that completed before it, and checking goes on with the next.
"""
from __future__ import annotations

import hashlib
import json
import os
import selectors
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Callable

from . import __version__, processes
from .config import Config
from .deck import Deck, DeckError, read_deck
from .diagnostics import ERROR, Diagnostic, display_path
from .outputs import write_if_changed
from .snippets import Block, ParamsClaim, count_matches, deck_checks

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


@dataclass
class CaseResult:
    """One block or claim, for JUnit reports."""
    deck: str
    line: int
    name: str
    failure: str | None = None
    skipped: str | None = None
    seconds: float = 0.0


@dataclass
class CheckResult:
    diagnostics: list[Diagnostic] = field(default_factory=list)
    cases: list[CaseResult] = field(default_factory=list)
    cached_decks: list[str] = field(default_factory=list)
    seconds: float = 0.0


def check(config: Config, decks: list[Path] | None = None, use_cache: bool = True,
          report: Callable[[Diagnostic], None] = lambda d: None,
          progress: Callable[[str], None] = lambda line: None,
          notebooks: bool = False) -> CheckResult:
    """Check the decks (all of them by default) and return every problem found.

    With `notebooks`, the notebooks are executed too (cached like `lecture build` does it)."""
    from .figures import discover
    from .notebooks import declared_outputs, discover as discover_notebooks, make_notebooks
    from .notebooks import mention_problems
    from .references import check_references
    from .build import _page_name, _static_files

    started = time.perf_counter()
    result = CheckResult()

    def note(diagnostic: Diagnostic) -> None:
        result.diagnostics.append(diagnostic)
        report(diagnostic)

    all_decks = config.decks()
    scripts, problems = discover(config)
    for problem in problems:
        note(problem)
    available = set(_static_files(config.slides_dir)) | {"index.html"}
    available |= {_page_name(p) for p in all_decks}
    available |= {f"{config.figures_subdir}/{o}" for s in scripts for o in s.outputs}
    available |= {"assets/remark.min.js", "assets/lecture.css", "assets/lecture.js"}
    available |= declared_outputs(config)
    notebook_names = frozenset(p.stem for p in discover_notebooks(config))
    if notebooks:
        # Notebooks keep their own content cache (`lecture notebooks --force` runs them again).
        ran = make_notebooks(config, progress=progress)
        for diagnostic in ran.diagnostics:
            note(diagnostic)

    cache_path = config.output_dir / ".cache" / "check.json"
    cache = _read_json(cache_path) if use_cache else {}
    for path in decks or all_decks:
        try:
            deck = read_deck(path)
        except DeckError as exc:
            note(exc.diagnostic)
            continue
        for diagnostic in deck.diagnostics:
            note(diagnostic)
        for diagnostic in check_references(deck, "", available, config.output_dir.name,
                                           config.slides_dir.name):
            note(diagnostic)
        for diagnostic in mention_problems(deck, notebook_names, config):
            note(diagnostic)
        plan = deck_checks(deck, str(config.remark.get("highlightLanguage", "")),
                           bool(config.remark.get("highlightLines", False)))
        for diagnostic in plan.diagnostics:
            note(diagnostic)
        if not plan.steps:
            continue
        name = display_path(path, config.root)
        key = _cache_key(config, plan.steps)
        cached = cache.get(name)
        if cached and cached.get("key") == key:
            result.cached_decks.append(name)
            for item in cached["diagnostics"]:
                note(_diagnostic_from_json(item))
            result.cases += [CaseResult(**case) for case in cached["cases"]]
            continue
        progress(f"check: running {sum(isinstance(s, Block) for s in plan.steps)} code blocks "
                 f"of {name}")
        run = DeckRun(config, deck, name)
        diagnostics, cases = run.run(plan.steps)
        for diagnostic in diagnostics:
            note(diagnostic)
        result.cases += cases
        if run.environment:
            # What was missing may be installed before the next run: the deck must run again.
            cache.pop(name, None)
        else:
            cache[name] = {"key": key, "cases": [asdict(c) for c in cases],
                           "diagnostics": [_diagnostic_json(d) for d in diagnostics]}
    if use_cache or cache:
        write_if_changed(cache_path, json.dumps(cache, indent=1, sort_keys=True).encode())
    result.seconds = time.perf_counter() - started
    return result


def _cache_key(config: Config, steps: list) -> str:
    digest = hashlib.sha256()
    for package in ("keras", "tensorflow", "tensorflow-cpu", "numpy"):
        try:
            digest.update(f"{package}={metadata.version(package)}\0".encode())
        except metadata.PackageNotFoundError:
            pass
    digest.update(f"{__version__}\0{sys.version}\0{prelude(config)}\0".encode())
    digest.update(json.dumps(config.check, sort_keys=True, default=str).encode())
    digest.update(repr(steps).encode())
    return digest.hexdigest()


def prelude(config: Config) -> str:
    return str(config.check.get("prelude", DEFAULT_PRELUDE))


def _diagnostic_json(diagnostic: Diagnostic) -> dict:
    return {"path": str(diagnostic.path), "line": diagnostic.line, "severity": diagnostic.severity,
            "message": diagnostic.message, "location": diagnostic.location}


def _diagnostic_from_json(item: dict) -> Diagnostic:
    return Diagnostic(Path(item["path"]), item["line"], item["severity"], item["message"],
                      item.get("location", ""))


class WorkerDied(Exception):
    def __init__(self, message: str, line: int | None = None):
        super().__init__(message)
        self.message, self.line = message, line


class DeckRun:
    """One deck's blocks and claims, run in order in a worker process."""

    def __init__(self, config: Config, deck: Deck, name: str):
        self.config, self.deck, self.name = config, deck, name
        self.filename = str(deck.path)
        self.timeout = float(config.check.get("timeout", 60))
        self.memory_mb = int(config.check.get("memory_limit_mb", 4096))
        # "materialised" runs every block with real weights, as plain Python would: for the bench.
        self.materialise = config.check.get("weights", "deferred") == "materialised"
        self.process: subprocess.Popen | None = None
        self.completed: list[dict] = []  # requests that returned: replayed after a worker dies
        # Something failed for want of a module or a working worker, not because of the deck.
        self.environment = False

    def run(self, steps: list) -> tuple[list[Diagnostic], list[CaseResult]]:
        diagnostics, cases = [], []
        try:
            try:
                prelude_reply = self.start()
            except WorkerDied as exc:
                return [Diagnostic(self.deck.path, 1, ERROR, exc.message)], cases
            if not prelude_reply.get("ok"):
                self.environment = True
                error = prelude_reply["error"]
                return [Diagnostic(self.deck.path, 1, ERROR,
                                   f"the prelude failed: {error['message']}")], cases
            for step in steps:
                started = time.perf_counter()
                found = self.block(step) if isinstance(step, Block) else self.claim(step)
                seconds = time.perf_counter() - started
                diagnostics += found
                label = (f"block at line {step.line}" if isinstance(step, Block)
                         else f"params({step.expression}) = {step.stated}")
                cases.append(CaseResult(
                    self.name, step.line, label, seconds=round(seconds, 3),
                    failure="; ".join(d.message for d in found) or None,
                    skipped=step.skip if isinstance(step, Block) else None))
        finally:
            self.stop()
        return diagnostics, cases

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
        env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", TF_ENABLE_ONEDNN_OPTS="0",
                   PYTHONHASHSEED="0", MPLBACKEND="Agg")
        self.stderr = tempfile.TemporaryFile()
        self.process = processes.started(subprocess.Popen(
            [sys.executable, "-m", "lecture_tool.snippet_worker", "--memory-mb", str(self.memory_mb)],
            cwd=self.config.root, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=self.stderr, start_new_session=True))
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
                self.kill()
                if importing is None:
                    raise WorkerDied(f"did not finish within {timeout:g} s and was stopped "
                                     "(an endless loop, or work too long for a slide?)") from None
                self.environment = True
                raise WorkerDied(f"importing {importing} took longer than "
                                 f"{max(timeout, IMPORT_SECONDS):g} s and was stopped") from None
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
        if code < 0:
            import signal

            name = signal.Signals(-code).name
            why = " (out of memory?)" if name in ("SIGKILL", "SIGABRT") else ""
            return f"crashed: the Python process running the snippets was killed by {name}{why}", line
        return f"the Python process running the snippets exited with status {code}", line

    def restart(self) -> None:
        self.stop()
        self.start()
        for request in self.completed:
            self.request(request, replaying=True)

    def kill(self) -> None:
        if self.process and self.process.poll() is None:
            import signal

            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.process.wait()

    def stop(self) -> None:
        if self.process is None:
            return
        try:
            self.process.stdin.close()
        except OSError:
            pass
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.kill()
        processes.finished(self.process)
        self.process.stdout.close()
        self.selector.close()
        self.stderr.close()
        self.process = None


def _crash_line(stderr_tail: str, filename: str) -> int | None:
    # faulthandler prints the Python stack of a crash: `File "slides/x.md", line 12 in <module>`,
    # innermost first.
    import re

    lines = re.findall(r'File "' + re.escape(filename) + r'", line (\d+)', stderr_tail)
    return int(lines[0]) if lines else None


def _read_json(path: Path) -> dict:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return {}


def write_junit(result: CheckResult, path: Path, root: Path | None = None) -> None:
    """A JUnit XML report: one test case per code block and per claim."""
    from xml.etree import ElementTree

    suites = ElementTree.Element("testsuites", name="lecture check")
    by_deck: dict[str, list[CaseResult]] = {}
    for case in result.cases:
        by_deck.setdefault(case.deck, []).append(case)
    for deck, cases in by_deck.items():
        suite = ElementTree.SubElement(
            suites, "testsuite", name=deck, tests=str(len(cases)),
            failures=str(sum(c.failure is not None for c in cases)),
            skipped=str(sum(c.skipped is not None for c in cases)))
        for case in cases:
            element = ElementTree.SubElement(suite, "testcase", classname=deck,
                                             name=f"{deck}:{case.line} {case.name}",
                                             time=f"{case.seconds:.3f}")
            if case.failure is not None:
                ElementTree.SubElement(element, "failure", message=case.failure).text = case.failure
            elif case.skipped is not None:
                ElementTree.SubElement(element, "skipped", message=case.skipped)
    in_cases = {failure for c in result.cases if c.failure for failure in c.failure.split("; ")}
    other = [d for d in result.diagnostics if d.severity == ERROR and d.message not in in_cases]
    suite = ElementTree.SubElement(suites, "testsuite", name="decks", tests=str(len(other) or 1),
                                   failures=str(len(other)))
    if not other:
        ElementTree.SubElement(suite, "testcase", classname="decks", name="no problems")
    for diagnostic in other:
        element = ElementTree.SubElement(suite, "testcase", classname="decks",
                                         name=diagnostic.format(root))
        ElementTree.SubElement(element, "failure", message=diagnostic.message)
    data = ElementTree.tostring(suites, encoding="utf-8", xml_declaration=True)
    write_if_changed(path, data)
