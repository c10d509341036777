"""What one shard of `lecture build --shard I/N` and `lecture check --shard I/N` does.

The units of work are the figure scripts, the notebooks and the decks (a deck's code blocks and
claims, run by `lecture check`). A deck goes together with the figure scripts and notebooks whose
recorded values it claims or shows: its check needs their values, so they are made on the
machine that checks it, and nothing runs twice. Build and check compute the same groups, so
`lecture build --shard 2/4` makes what `lecture check --shard 2/4` needs.

A group's cost is what its units took last time, as `durations.json` in the cache says: the
times that `lecture cache import` brought. An export carries the times of every entry of its
cache, current or stale (a changed script takes about as long as it did), so in CI every shard
imports the same file before it starts (the final job's export of the last run) and reads the
same times. Only an import writes that file: the times a shard records as it runs (in
figures.json, notebooks.json, check.json) never move its own share between `lecture build
--shard` and `lecture check --shard`; they reach the next run through the export. A unit never
timed counts UNTIMED_SECONDS: with no times at all, the shares are balanced by count, the same
way on every machine.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..cache import read_json
from ..config import Config
from ..deck import DeckError, read_deck
from ..deck.numbers import recorded_references
from ..diagnostics import display_path
from ..jobs.figures import discover
from ..layout import cache_dir, macros_source
from ..macros import course_macros
from ..shards import Shard, assign

UNTIMED_SECONDS = 1.0


@dataclass
class Share:
    """The units of one shard."""
    figures: set[str] = field(default_factory=set)  # figure scripts, by name
    notebooks: set[str] = field(default_factory=set)  # notebooks, by name
    decks: list[Path] = field(default_factory=list)  # decks to check, in the course's order


def share_of(config: Config, shard: Shard) -> Share:
    """The figure scripts, notebooks and decks that `shard` does."""
    groups = _groups(config)
    costs = {f"{kind}:{name}": seconds for kind, times in imported_seconds(config).items()
             for name, seconds in times.items()}
    named = {" ".join(sorted(group)): group for group in groups}
    chosen = assign({name: sum(costs.get(unit, UNTIMED_SECONDS) for unit in group)
                     for name, group in named.items()}, shard.count)[shard.index - 1]
    units = {unit for name in chosen for unit in named[name]}
    share = Share()
    share.figures = {name for kind, _, name in (u.partition(":") for u in units) if kind == "figure"}
    share.notebooks = {name for kind, _, name in (u.partition(":") for u in units) if kind == "notebook"}
    share.decks = [path for path in config.decks() if f"deck:{display_path(path, config.root)}" in units]
    return share


def _groups(config: Config) -> list[set[str]]:
    """The units ("figure:NAME", "notebook:NAME", "deck:slides/x.md"), grouped: a deck with the
    figure scripts and notebooks whose values it names, transitively (union-find)."""
    figures = {script.name for script in discover(config)[0]}
    notebooks = {path.stem for path in config.notebooks()}
    parent = {f"figure:{name}": f"figure:{name}" for name in figures}
    parent |= {f"notebook:{name}": f"notebook:{name}" for name in notebooks}

    def root(unit: str) -> str:
        while parent[unit] != unit:
            unit = parent[unit]
        return unit

    macros, _ = course_macros(macros_source(config), config.root)
    for path in config.decks():
        deck_unit = f"deck:{display_path(path, config.root)}"
        parent[deck_unit] = deck_unit
        try:
            references = recorded_references(read_deck(path, macros=macros))
        except DeckError:
            continue  # said by the build and the check; a group of its own
        for reference in references:
            unit = f"{reference.kind}:{reference.name}"
            if unit in parent:
                # The smaller name leads, so that every machine builds the same tree.
                first, second = sorted((root(unit), root(deck_unit)))
                parent[second] = first
    grouped: dict[str, set[str]] = {}
    for unit in parent:
        grouped.setdefault(root(unit), set()).add(unit)
    return list(grouped.values())


def durations_path(config: Config) -> Path:
    return cache_dir(config) / "durations.json"


def imported_seconds(config: Config) -> dict[str, dict[str, float]]:
    """Each unit's seconds as the last import brought them, by kind ("figure", "notebook",
    "deck") and name: what the shares are balanced by."""
    found: dict[str, dict[str, float]] = {"figure": {}, "notebook": {}, "deck": {}}
    for unit, seconds in read_json(durations_path(config)).items():
        kind, _, name = unit.partition(":")
        if kind in found and isinstance(seconds, (int, float)):
            found[kind][name] = float(seconds)
    return found


def recorded_seconds(config: Config) -> dict[str, float]:
    """Each unit's seconds last time: as the cache's entries record them, else as imported;
    what an export carries to the next run."""
    costs = {f"{kind}:{name}": seconds for kind, times in imported_seconds(config).items()
             for name, seconds in times.items()}
    for kind, file in (("figure", "figures.json"), ("notebook", "notebooks.json")):
        for name, entry in read_json(cache_dir(config) / file).items():
            if isinstance(entry, dict) and isinstance(entry.get("seconds"), (int, float)):
                costs[f"{kind}:{name}"] = float(entry["seconds"])
    for name, entry in read_json(cache_dir(config) / "check.json").items():
        cases = entry.get("cases") if isinstance(entry, dict) else None
        if isinstance(cases, list):
            costs[f"deck:{name}"] = sum(float(case.get("seconds", 0.0)) for case in cases
                                        if isinstance(case, dict))
    return costs
