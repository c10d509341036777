"""`lecture cache export FILE` and `lecture cache import FILE...`: the results a later build or
check would otherwise compute again, carried from one machine to another (CI shards).

What travels: the seconds every unit of work took last time (shares.py balances the next run's
shards by them), and every current entry of figures.json and notebooks.json with the files its job made
(the figure's images, the notebook's page and executed copy) and the values it recorded, and
every current entry of check.json (a deck's blocks' and claims' results). Current means what a
build or check would reuse now: its fingerprint is the one this course's job has (cache.py's
rule), and its files are there. Not carried: the decks' pages (the final build renders them),
KaTeX's formula cache, and what figure scripts keep for themselves in LECTURE_CACHE (trained
models: needed only to run a script again).

An import verifies every file first (cache_archive.py) and writes nothing unless all pass. It
takes only the entries current for this course, and keeps an entry already here with the same
fingerprint. A replaced entry is first dropped from its cache file, then its files are written
(each by rename), then the new entry is written: stopped halfway, the job runs again, and no
entry ever vouches for files it did not make.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .. import manifest
from ..cache import read_json, write_json
from ..cache_archive import Archive, Entry, from_file, to_bytes
from ..config import Config
from ..jobs import figures as figure_jobs, notebooks as notebook_jobs
from ..layout import NOTEBOOK_PAGES, cache_dir, figure_output, notebook_files, values_dir
from ..outputs import write_if_changed
from .check import current_keys
from .shares import durations_path, recorded_seconds

STAGE_FILES = {"figures": "figures.json", "notebooks": "notebooks.json", "check": "check.json"}


@dataclass(frozen=True)
class CurrentJob:
    """A figure script or notebook of the course as it is now."""
    fingerprint: str
    files: frozenset[str]  # what it makes, relative to the output directory
    values: str  # where its recorded values go, if it records some


@dataclass
class CacheCounts:
    """What an export or import carried, by kind; what an import left out and why."""
    carried: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STAGE_FILES, 0))
    kept: int = 0  # already here, with the same fingerprint
    stale: int = 0  # not current for this course (another commit's): would be made again anyway


def current_jobs(config: Config) -> dict[str, dict[str, CurrentJob]]:
    """The figure scripts and notebooks, by kind and name, with their fingerprints now."""
    def relative(path: Path) -> str:
        return path.relative_to(config.output_dir).as_posix()

    jobs: dict[str, dict[str, CurrentJob]] = {"figures": {}, "notebooks": {}}
    for script in figure_jobs.discover(config)[0]:
        jobs["figures"][script.name] = CurrentJob(
            figure_jobs.fingerprint(script, config),
            frozenset(figure_output(config, name) for name in script.outputs),
            relative(values_dir(config, "figure") / f"{script.name}.json"))
    for path in config.notebooks():
        jobs["notebooks"][path.stem] = CurrentJob(
            notebook_jobs.fingerprint(path, config),
            frozenset(f"{NOTEBOOK_PAGES}/{name}" for name in notebook_files(path)),
            relative(values_dir(config, "notebook") / f"{path.stem}.json"))
    return jobs


def export_cache(config: Config, target: Path) -> CacheCounts:
    """Write every current entry, with its files, to `target` (replaced whole, by rename)."""
    archive, counts = Archive(durations=recorded_seconds(config)), CacheCounts()
    for kind, jobs in current_jobs(config).items():
        cached = read_json(cache_dir(config) / STAGE_FILES[kind])
        for name, job in sorted(jobs.items()):
            entry = cached.get(name)
            if not isinstance(entry, dict) or entry.get("fingerprint") != job.fingerprint:
                continue
            try:
                files = {relative: (config.output_dir / relative).read_bytes()
                         for relative in sorted(job.files)}
            except FileNotFoundError:
                continue  # deleted since: not current
            if (config.output_dir / job.values).is_file():
                files[job.values] = (config.output_dir / job.values).read_bytes()
            archive.add(kind, name, entry, files)
            counts.carried[kind] += 1
    checked = read_json(cache_dir(config) / STAGE_FILES["check"])
    for name, key in sorted(current_keys(config).items()):
        entry = checked.get(name)
        if isinstance(entry, dict) and entry.get("key") == key:
            archive.add("check", name, entry, {})
            counts.carried["check"] += 1
    write_if_changed(target, to_bytes(archive))
    return counts


def import_caches(config: Config, sources: list[Path]) -> CacheCounts:
    """Verify every file, then take their current entries into this course's cache."""
    archives = [from_file(path) for path in sources]  # all of them, before anything is written
    counts = CacheCounts()
    manifest.forget(config)
    _import_durations(config, archives)
    for kind, jobs in current_jobs(config).items():
        _import_jobs(config, kind, jobs, archives, counts)
    # After the jobs' values are in: a deck's check key depends on which values are recorded.
    _import_checks(config, current_keys(config), archives, counts)
    return counts


def _import_durations(config: Config, archives: list[Archive]) -> None:
    """The times the shards of the next run balance their work by: the files' (the last one's
    where two differ), over those known here."""
    durations = read_json(durations_path(config))
    for archive in archives:
        durations.update(archive.durations)
    if durations:
        write_json(durations_path(config), durations)


def _import_jobs(config: Config, kind: str, jobs: dict[str, CurrentJob], archives: list[Archive],
                 counts: CacheCounts) -> None:
    path = cache_dir(config) / STAGE_FILES[kind]
    cached = read_json(path)
    chosen: dict[str, tuple[Entry, Archive]] = {}
    for archive in archives:
        for name, item in archive.entries[kind].items():
            job = jobs.get(name)
            if job is None or item.entry.get("fingerprint") != job.fingerprint \
                    or not job.files <= set(item.files) <= job.files | {job.values}:
                counts.stale += 1
            elif name in chosen or _is_current_here(config, cached.get(name), job):
                counts.kept += 1
            else:
                chosen[name] = (item, archive)
    if not chosen:
        return
    # Dropped first: until the new files are all in place, no entry vouches for them.
    write_json(path, {name: entry for name, entry in cached.items() if name not in chosen})
    for name, (item, archive) in sorted(chosen.items()):
        for relative, digest in sorted(item.files.items()):
            write_if_changed(config.output_dir / relative, archive.blobs[digest])
        if jobs[name].values not in item.files:  # as a run that recorded none: none kept
            (config.output_dir / jobs[name].values).unlink(missing_ok=True)
        cached[name] = item.entry
    write_json(path, cached)
    counts.carried[kind] += len(chosen)


def _is_current_here(config: Config, entry: object, job: CurrentJob) -> bool:
    return isinstance(entry, dict) and entry.get("fingerprint") == job.fingerprint and all(
        (config.output_dir / name).is_file() for name in job.files)


def _import_checks(config: Config, keys: dict[str, str], archives: list[Archive],
                   counts: CacheCounts) -> None:
    path = cache_dir(config) / STAGE_FILES["check"]
    cached = read_json(path)
    taken = 0
    for archive in archives:
        for name, item in archive.entries["check"].items():
            entry = item.entry
            if keys.get(name) is None or entry.get("key") != keys[name] or item.files \
                    or not isinstance(entry.get("cases"), list) \
                    or not isinstance(entry.get("diagnostics"), list):
                counts.stale += 1
            elif isinstance(cached.get(name), dict) and cached[name].get("key") == keys[name]:
                counts.kept += 1
            else:
                cached[name] = entry
                taken += 1
    if taken:
        write_json(path, cached)
        counts.carried["check"] += taken
