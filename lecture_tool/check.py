"""`lecture check`: every reference resolves, every Python block runs, every stated number holds.

Each deck's blocks run in order in one worker process (`snippet_worker.py`, driven by
`snippet_client.py`), never in this one. Results are cached by content (`cache.py`); a JUnit
report is `junit.py`'s. `add_skips` is how a course adopts the check: every block that fails
today gets a skip annotation that says why, and the course starts green.
"""
from __future__ import annotations

import json
import re
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable

from .cache import fingerprint, local_imports, read_json, write_json
from .config import Config
from .deck import DeckError, read_deck
from .diagnostics import Diagnostic, display_path
from .outputs import write_if_changed
from .snippet_client import DeckRun, StepRun, prelude
from .snippets import Block, deck_checks


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
          notebooks: bool = False, workers: dict[str, DeckRun] | None = None) -> CheckResult:
    """Check the decks (all of them by default) and return every problem found.

    With `notebooks`, the notebooks are executed too (cached like `lecture build` does it).
    With `workers` (`lecture serve`: the same dict every time, `close()` each at the end), each
    deck's worker is kept there between calls, so that the next check of an edited deck needs
    no new worker (see DeckRun)."""
    from .build import lint_deck, output_targets
    from .figures import discover
    from .notebooks import discover as discover_notebooks, make_notebooks

    started = time.perf_counter()
    result = CheckResult()

    def note(diagnostic: Diagnostic) -> None:
        result.diagnostics.append(diagnostic)
        report(diagnostic)

    all_decks = config.decks()
    scripts, problems = discover(config)
    for problem in problems:
        note(problem)
    available = output_targets(config, all_decks,
                               {f"{config.figures_subdir}/{o}" for s in scripts for o in s.outputs})
    notebook_names = frozenset(p.stem for p in discover_notebooks(config))
    if notebooks:
        # Notebooks keep their own content cache (`lecture notebooks --force` runs them again).
        ran = make_notebooks(config, progress=progress)
        for diagnostic in ran.diagnostics:
            note(diagnostic)

    cache_path = config.output_dir / ".cache" / "check.json"
    cache = read_json(cache_path) if use_cache else {}
    for path in decks or all_decks:
        try:
            deck = read_deck(path)
        except DeckError as exc:
            note(exc.diagnostic)
            continue
        for diagnostic in lint_deck(deck, config, available, notebook_names):
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
        if workers is None:
            run = DeckRun(config, deck)
        else:
            run = workers.get(name)
            if run is None or run.config != config:  # a changed configuration: a new worker
                if run is not None:
                    run.close()
                run = workers[name] = DeckRun(config, deck)
        diagnostics, done = run.run(plan.steps, keep=workers is not None)
        diagnostics += [d for step in done for d in step.diagnostics]
        cases = [_case(name, step) for step in done]
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
        write_json(cache_path, cache)
    result.seconds = time.perf_counter() - started
    return result


def _case(deck: str, done: StepRun) -> CaseResult:
    step = done.step
    label = (f"block at line {step.line}" if isinstance(step, Block)
             else f"{step.kind}({step.expression}) = {step.stated}")
    return CaseResult(deck, step.line, label, seconds=round(done.seconds, 3),
                      failure="; ".join(d.message for d in done.diagnostics) or None,
                      skipped=step.skip if isinstance(step, Block) else None)


def _cache_key(config: Config, steps: list) -> str:
    """cache.py's rule: the blocks and claims, the prelude and settings they run with, and the
    course's modules they import (the worker runs in the course root, where `import helpers`
    finds helpers.py)."""
    code = [prelude(config)] + [text for step in steps if isinstance(step, Block)
                                for text in (step.source, step.setup)]
    return fingerprint(prelude(config), json.dumps(config.check, sort_keys=True, default=str),
                       repr(steps), files=local_imports(code, [config.root]))


def _diagnostic_json(diagnostic: Diagnostic) -> dict:
    return {"path": str(diagnostic.path), "line": diagnostic.line, "severity": diagnostic.severity,
            "message": diagnostic.message, "location": diagnostic.location}


def _diagnostic_from_json(item: dict) -> Diagnostic:
    return Diagnostic(Path(item["path"]), item["line"], item["severity"], item["message"],
                      item.get("location", ""))


def add_skips(config: Config, decks: list[Path] | None = None, use_cache: bool = True,
              progress: Callable[[str], None] = lambda line: None) -> list[Diagnostic]:
    """Write `<!-- check: skip (fails today: …) -->` above every block that fails, and check
    again until no block fails: a skipped block may have defined what a later one uses. One
    note per skip written (the deck's line of the block, with the reason)."""
    written: list[Diagnostic] = []
    todo = decks or config.decks()
    while todo:
        result = check(config, todo, use_cache=use_cache, progress=progress)
        failing: dict[Path, dict[int, str]] = {}
        for case in result.cases:
            if case.name.startswith("block") and case.failure:
                failing.setdefault(config.root / case.deck, {})[case.line] = case.failure
        todo = []
        for path, blocks in failing.items():
            added = _write_skips(config, path, blocks)
            written += added
            if added:
                todo.append(path)  # until the deck has no failing block left
    return written


def _write_skips(config: Config, path: Path, failures: dict[int, str]) -> list[Diagnostic]:
    """Write a skip above each failing block of one deck, atomically, in the file's own newline
    style; not above a block that has one (it cannot fail)."""
    plan = deck_checks(read_deck(path), str(config.remark.get("highlightLanguage", "")),
                       bool(config.remark.get("highlightLines", False)))
    above: dict[int, tuple[Block, str]] = {}  # fence line -> the block and why it fails
    for step in plan.steps:
        if isinstance(step, Block) and step.line in failures and step.skip is None:
            above.setdefault(step.fence_line, (step, failures[step.line]))
    data = path.read_bytes()
    bom = b"\xef\xbb\xbf" if data.startswith(b"\xef\xbb\xbf") else b""
    lines = data[len(bom):].split(b"\n")
    fences = sorted(line for line in above if 0 < line <= len(lines))
    for fence_line in reversed(fences):  # from the end: the earlier line numbers still hold
        fence = lines[fence_line - 1]
        # An indented code block would take an indented comment in: only a fence's indentation.
        is_fence = fence.lstrip().startswith((b"```", b"~~~"))
        indent = re.match(rb"[ \t]*", fence).group(0) if is_fence else b""
        ending = b"\r" if fence.endswith(b"\r") else b""
        skip = f"<!-- check: skip (fails today: {_skip_reason(above[fence_line][1])}) -->"
        lines.insert(fence_line - 1, indent + skip.encode() + ending)
    if fences:
        write_if_changed(path, bom + b"\n".join(lines))
    # Where each skip now stands: below the ones written above it.
    return [Diagnostic(path, fence_line + number, "note",
                       f"skipped: fails today: {_skip_reason(above[fence_line][1])}")
            for number, fence_line in enumerate(fences)]


def _skip_reason(failure: str) -> str:
    """The first problem's message, short, on one line, that cannot end the comment."""
    reason = " ".join(failure.split("; ")[0].split(" — ")[0].split())
    reason = re.sub(r"-{2,}", "-", reason)
    return reason if len(reason) <= 120 else reason[:119] + "…"
