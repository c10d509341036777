"""Checking a deck: its code blocks run in order in a worker process (`client.py`), its claims
are verified there, and the results are cached by content (cache.py's rule), with every path
relative to the course so that a moved course keeps its cache.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Callable

from ..cache import fingerprint, local_imports, read_json, write_json
from ..config import Config
from ..deck import Deck
from ..deck.annotations import Block, DeckChecks, deck_checks
from ..diagnostics import Diagnostic, display_path
from ..layout import cache_dir
from .client import DeckRun, StepRun, prelude


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


def checks_of(deck: Deck, config: Config,
              figure_values: dict[str, tuple[str, list[str]]] | None = None) -> DeckChecks:
    """The deck's blocks and claims, read as the page's highlighting reads its code.
    `figure_values`: the images of the figure scripts that record values (deck_checks)."""
    return deck_checks(deck, str(config.remark.get("highlightLanguage", "")),
                       bool(config.remark.get("highlightLines", False)), figure_values)


class CheckCache:
    """`check.json`: each deck's results by fingerprint. Read whole, written whole: a run of some
    decks (or with `--no-cache`, which only stops it from being read) keeps the others' entries."""

    def __init__(self, config: Config, use: bool = True):
        self.config, self.use = config, use
        self.path = cache_dir(config) / "check.json"
        self.entries = read_json(self.path)

    def get(self, name: str, key: str) -> tuple[list[Diagnostic], list[CaseResult]] | None:
        entry = self.entries.get(name) if self.use else None
        if not entry or entry.get("key") != key:
            return None
        return ([Diagnostic.from_json(item, self.config.root) for item in entry["diagnostics"]],
                [CaseResult(**case) for case in entry["cases"]])

    def put(self, name: str, key: str, diagnostics: list[Diagnostic], cases: list[CaseResult]) -> None:
        self.entries[name] = {"key": key, "cases": [asdict(case) for case in cases],
                              "diagnostics": [d.to_json(self.config.root) for d in diagnostics]}

    def drop(self, name: str) -> None:
        self.entries.pop(name, None)

    def save(self) -> None:
        write_json(self.path, self.entries)


def run_deck(config: Config, deck: Deck, plan: DeckChecks, cache: CheckCache,
             workers: dict[str, DeckRun] | None,
             progress: Callable[[str], None]) -> tuple[list[Diagnostic], list[CaseResult], bool]:
    """Run a deck's blocks and claims (or take them from the cache): the problems, the cases,
    and whether they came from the cache. With `workers` (`lecture serve`: the same dict every
    time, `close()` each at the end), the deck's worker is kept there between runs."""
    name = display_path(deck.path, config.root)
    key = cache_key(config, plan.steps)
    cached = cache.get(name, key)
    if cached is not None:
        return (*cached, True)
    progress(f"check: running {sum(isinstance(s, Block) for s in plan.steps)} code blocks of {name}")
    run = _worker_for(config, deck, name, workers)
    diagnostics, done = run.run(plan.steps, keep=workers is not None)
    diagnostics += [d for step in done for d in step.diagnostics]
    cases = [_case(name, step) for step in done]
    if run.environment:
        cache.drop(name)  # what was missing may be installed before the next run: run it again
    else:
        cache.put(name, key, diagnostics, cases)
    return diagnostics, cases, False


def _worker_for(config: Config, deck: Deck, name: str, workers: dict[str, DeckRun] | None) -> DeckRun:
    if workers is None:
        return DeckRun(config, deck)
    run = workers.get(name)
    if run is None or run.config != config:  # a changed configuration: a new worker
        if run is not None:
            run.close()
        run = workers[name] = DeckRun(config, deck)
    return run


def _case(deck: str, done: StepRun) -> CaseResult:
    step = done.step
    label = (f"block at line {step.line}" if isinstance(step, Block)
             else f"{step.kind}({step.expression}) = {step.stated}")
    return CaseResult(deck, step.line, label, seconds=round(done.seconds, 3),
                      failure="; ".join(d.message for d in done.diagnostics) or None,
                      skipped=step.skip if isinstance(step, Block) else None)


def cache_key(config: Config, steps: list) -> str:
    """cache.py's rule: the blocks and claims, the prelude and settings they run with (the Keras
    backend too), and the course's modules they import (the worker runs in the course root,
    where `import helpers` finds helpers.py). Nothing in it names the course's place: a moved
    course keeps its cache."""
    code = [prelude(config)] + [text for step in steps if isinstance(step, Block)
                                for text in (step.source, step.setup)]
    return fingerprint(prelude(config), repr(config.check), config.keras_backend, repr(steps),
                       files=local_imports(code, [config.root]))

