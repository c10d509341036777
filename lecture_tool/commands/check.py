"""`lecture check`: every reference resolves, every Python block runs, every stated number holds.

The pipeline: what the output will hold (the figure scripts' declared outputs, the notebooks),
the notebooks run if asked, then each deck linted (as the build lints it) and its blocks and
claims run by the checking stage. `add_skips` is how a course adopts the check.
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable

from ..checking.client import DeckRun
from ..checking.decks import CheckCache, CheckResult, cache_key, checks_of, run_deck
from ..checking.junit import write_junit
from ..checking.skips import write_skips
from ..config import Config
from ..deck import Deck, DeckError, read_deck
from ..deck.lint import lint_deck
from ..deck.numbers import recorded_references
from ..diagnostics import Collector, Diagnostic, display_path
from ..jobs.figures import FigureScript, declared_outputs, discover, make_figures
from ..jobs.notebooks import make_notebooks
from ..layout import figure_output, macros_source, output_targets, values_root
from ..macros import Macros, course_macros
from ..shards import Shard
from ..values import Values, read_all
from .shares import share_of
from .image_facts import image_facts

__all__ = ["add_skips", "check", "write_junit"]


def check(config: Config, decks: list[Path] | None = None, use_cache: bool = True,
          report: Callable[[Diagnostic], None] | None = None,
          progress: Callable[[str], None] = lambda line: None,
          notebooks: bool = False, workers: dict[str, DeckRun] | None = None,
          shard: Shard | None = None, a11y: bool = False) -> CheckResult:
    """Check the decks (all of them by default) and return every problem found.

    With `notebooks`, the notebooks are executed too (cached as `lecture build` does it). The
    figure scripts whose recorded values the decks claim or show run when they are stale. With
    `workers` (`lecture serve`), each deck's worker is kept there between calls. With `shard`,
    only that shard's decks and notebooks (shares.py: the same share as `lecture build`'s). With
    `a11y`, the decks' pages (and the course page, when all decks are checked) are audited by
    axe-core too, after the other checks (audit.py)."""
    note = Collector(report)
    my_notebooks = None  # all
    # The course page is audited once: by a whole-course check, or by the first shard of one.
    audit_course_page = decks is None and (shard is None or shard.index == 1)
    if shard is not None:
        share = share_of(config, shard)
        decks, my_notebooks = share.decks, share.notebooks
    result = CheckResult(diagnostics=note.found)
    scripts, problems = discover(config)
    note.extend(problems)
    available = output_targets(config, config.decks(), declared_outputs(config, scripts))
    notebook_names = frozenset(path.stem for path in config.notebooks())
    if notebooks:
        note.extend(make_notebooks(config, progress=progress, names=my_notebooks).diagnostics)
    # The macros the pages define, as the build reads them: a deck's use of one is an error
    # here exactly when it is one there.
    macros, macro_problems = course_macros(macros_source(config), config.root)
    note.extend(macro_problems)
    read = _read_decks(config.decks() if decks is None else decks, macros, note)
    figures = sorted({ref.name for deck in read for ref in recorded_references(deck)
                      if ref.kind == "figure"} & {script.name for script in scripts})
    if figures:
        note.extend(make_figures(config, figures, progress=progress, scripts=scripts).diagnostics)
    values = read_all(values_root(config))
    figure_values = _figure_values(config, scripts, values)
    cache = CheckCache(config, use=use_cache)
    images = image_facts(config, scripts, available)
    for deck in read:
        note.extend(lint_deck(deck, config, available, notebook_names, values, images))
        plan = checks_of(deck, config, figure_values)
        note.extend(plan.diagnostics)
        if not plan.steps:
            continue
        found, cases, cached = run_deck(config, deck, plan, cache, workers, progress)
        note.extend(found)
        result.cases += cases
        if cached:
            result.cached_decks.append(display_path(deck.path, config.root))
    cache.save()
    if a11y:
        # Here: the audit's imports (asyncio, the accessibility stage) are for this option only.
        from .audit import audit

        result.cases += audit(config, read, whole_course=audit_course_page, note=note, progress=progress)
    result.seconds = note.seconds()
    return result


def _figure_values(config: Config, scripts: list[FigureScript],
                   values: Values) -> dict[str, tuple[str, list[str]]]:
    """The images of the figure scripts that record values, with the names they record: as
    recorded, else as the script's source spells them (not run yet)."""
    return {figure_output(config, output): (script.name,
                                            sorted(values["figure"].get(script.name, script.records)))
            for script in scripts if values["figure"].get(script.name) or script.records
            for output in script.outputs}


def current_keys(config: Config) -> dict[str, str]:
    """The key of each deck's entry in check.json as a check now would compute it, for the
    decks that have blocks or claims (commands/cache.py: which entries are current)."""
    scripts, _ = discover(config)
    macros, _ = course_macros(macros_source(config), config.root)
    figure_values = _figure_values(config, scripts, read_all(values_root(config)))
    keys = {}
    for deck in _read_decks(config.decks(), macros, Collector(None)):
        plan = checks_of(deck, config, figure_values)
        if plan.steps:
            keys[display_path(deck.path, config.root)] = cache_key(config, plan.steps)
    return keys


def _read_decks(paths: list[Path], macros: Macros, note: Collector) -> list[Deck]:
    read = []
    for path in paths:
        try:
            read.append(read_deck(path, macros=macros))
        except DeckError as exc:
            note(exc.diagnostic)
    return read


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
            added = write_skips(config, path, blocks)
            written += added
            if added:
                todo.append(path)  # until the deck has no failing block left
    return written
