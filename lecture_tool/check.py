"""`lecture check`: every reference resolves, every Python block runs, every stated number holds.

Each deck's blocks run in order in one worker process (`snippet_worker.py`, driven by
`snippet_client.py`), never in this one. Results are cached by content (`cache.py`); a JUnit
report is `junit.py`'s.
"""
from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable

from .cache import fingerprint, local_imports, read_json, write_json
from .config import Config
from .deck import DeckError, read_deck
from .diagnostics import Diagnostic, display_path
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
          notebooks: bool = False) -> CheckResult:
    """Check the decks (all of them by default) and return every problem found.

    With `notebooks`, the notebooks are executed too (cached like `lecture build` does it)."""
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
        run = DeckRun(config, deck)
        diagnostics, done = run.run(plan.steps)
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
             else f"params({step.expression}) = {step.stated}")
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
