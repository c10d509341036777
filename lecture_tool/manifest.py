"""A no-op `lecture build` in a few hundred `stat` calls: the manifest of the last whole build.

After a build of the whole course (see below for its errors), `build/.cache/build.json` records every
file the build read (the decks and the other files of slides/, the templates, the figure scripts
and the inputs they declare, the notebooks and the modules beside them, remark.js and KaTeX,
pyproject.toml, the tool's own source and templates) and every file the output holds, each by
its stat signature and its content hash, with the tool's version, Python, the installed packages,
the configuration and what the build said. The next whole build compares: when nothing differs,
it says again what the last one said and stops, with no deck parsed, no template engine
imported and no process started. Anything that differs (a file edited, added, removed; an output
deleted or changed; the configuration, the tool or a package) runs the build as usual, and the
per-file caches (decks, figures, notebooks) then redo only what that change touches.

A deck's problems, errors too, are kept and said again: they follow from its inputs alone, so
a course with a broken deck still gets its no-op build (and still fails, as before). Any other
error stops a manifest from being written: a figure script or notebook that failed (a timeout
on a busy machine, a missing package), a template, a file that could not be written must be
tried again by the next build.

A file whose stat signature (size, mtime, ctime, inode) differs from the recorded one is hashed:
touched but unchanged, it still counts as unchanged, and its new signature is kept. A signature
taken less than RACY_NS after its file was modified is not trusted, since a second write within
one tick of the file system's clock would not change it (a jiffy on Linux, 2 s on FAT); such a
file is hashed again, as git treats a "racily clean" index entry.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import time
from pathlib import Path

from .assets import third_party_assets
from .cache import environment_key, read_json
from .config import Config
from .diagnostics import ERROR, Diagnostic
from .layout import cache_dir
from .sources import files_under

RACY_NS = 2_000_000_000
# The per-stage caches: deleting or changing one (a stage's results forgotten) means the stages
# must look again, so they count as outputs.
STAGE_CACHES = ("decks.json", "figures.json", "notebooks.json")
PACKAGE = Path(__file__).resolve().parent


def manifest_path(config: Config) -> Path:
    return cache_dir(config) / "build.json"


def read(config: Config) -> dict:
    """The last whole build's manifest, or {} (none, damaged, or written by another version)."""
    data = read_json(manifest_path(config))
    return data if data.get("key") == _key(config) else {}


def forget(config: Config) -> None:
    """Before a build that may change anything: until it ends well, no build is a no-op."""
    try:
        manifest_path(config).unlink()
    except FileNotFoundError:
        pass
    except OSError:
        pass  # output/ is a file, or read-only: the build itself says so


@dataclasses.dataclass
class Replay:
    """What the last whole build said, to be said again."""
    decks: int
    slides: int
    diagnostics: list[Diagnostic]
    by_page: dict[str, list[Diagnostic]]


def unchanged(config: Config, previous: dict, seen: dict | None = None) -> Replay | None:
    """What the last build said, if nothing it read or wrote has changed since; else None.
    `seen` is given the inputs' signatures, for `snapshot` to use rather than look again."""
    if not previous:
        return None
    taken = time.time_ns()
    inputs = _signatures(_inputs(config, previous.get("figure_inputs", [])))
    if seen is not None:
        seen.update(taken=taken, figure_inputs=previous.get("figure_inputs", []), inputs=inputs)
    verified_inputs = _verified(inputs, previous.get("inputs", {}), previous.get("taken", 0))
    if verified_inputs is None:
        return None
    outputs = _signatures(_outputs(config))
    verified_outputs = _verified(outputs, previous.get("outputs", {}), previous.get("taken", 0))
    if verified_outputs is None:
        return None
    if verified_inputs != previous["inputs"] or verified_outputs != previous["outputs"]:
        # Touched files, or signatures that were too fresh to trust: hashed once, not again.
        _write(config, {**previous, "taken": taken, "inputs": verified_inputs,
                        "outputs": verified_outputs})
    root = config.root
    said = [Diagnostic.from_json(item, root) for item in previous["diagnostics"]]
    return Replay(previous["decks"], previous["slides"], said,
                  {page: [said[i] for i in found] for page, found in previous["by_page"].items()})


@dataclasses.dataclass
class Snapshot:
    """The build's inputs as they were when it began: what it read is at least this new."""
    taken: int
    figure_inputs: list[str]
    inputs: dict[str, list | None]


def snapshot(config: Config, previous: dict, figure_inputs: list[str],
             seen: dict | None = None) -> Snapshot:
    """The inputs' signatures and hashes before the build reads them (a file edited while the
    build runs then differs from its record, and the next build builds it). `figure_inputs`:
    the files the figure scripts declare they read, relative to the course."""
    declared = sorted(set(figure_inputs))
    if seen and seen["figure_inputs"] == declared:
        taken, signatures = seen["taken"], seen["inputs"]
    else:
        taken = time.time_ns()
        signatures = _signatures(_inputs(config, declared))
    return Snapshot(taken, declared, _hashed(signatures, previous.get("inputs", {}),
                                             previous.get("taken", 0)))


def record(config: Config, began: Snapshot, previous: dict, decks: int, slides: int,
           diagnostics: list[Diagnostic], by_page: dict[str, list[Diagnostic]]) -> None:
    """Write the manifest of a whole build whose only errors, if any, are decks' own."""
    own = {id(d) for found in by_page.values() for d in found}
    if any(d.severity == ERROR and id(d) not in own for d in diagnostics):
        return
    taken = time.time_ns()
    outputs = _hashed(_signatures(_outputs(config)), previous.get("outputs", {}),
                      previous.get("taken", 0))
    index = {id(d): i for i, d in enumerate(diagnostics)}
    _write(config, {
        "key": _key(config),
        # The inputs' stat signatures were taken at the start, the outputs' now: the older time
        # is the one that says which signatures could still change unseen.
        "taken": min(began.taken, taken),
        "figure_inputs": began.figure_inputs,
        "inputs": began.inputs,
        "outputs": outputs,
        "decks": decks,
        "slides": slides,
        "diagnostics": [d.to_json(config.root) for d in diagnostics],
        "by_page": {page: [index[id(d)] for d in found if id(d) in index]
                    for page, found in by_page.items()},
    })


def edited_outputs(config: Config, previous: dict, directories: list[str]) -> list[Path]:
    """The files under these directories of the output that the last whole build wrote and that
    hold something else now (edited by hand): a stage whose cache says "made" would keep them."""
    base = [os.fspath(config.output_dir / directory) + os.sep for directory in directories]
    edited = []
    for name, entry in previous.get("outputs", {}).items():
        if entry is None or not name.startswith(tuple(base)):
            continue
        now = signature(Path(name))
        if now is not None and not _trusted(now, entry, previous.get("taken", 0)) \
                and _content(name) != entry[4]:
            edited.append(Path(name))
    return edited


def signature(path: Path) -> list[int] | None:
    """What `stat` says of a file that changes when its content does, or None if it is gone."""
    try:
        found = os.stat(path)
    except OSError:
        return None
    return [found.st_size, found.st_mtime_ns, found.st_ctime_ns, found.st_ino]


def _key(config: Config) -> str:
    """What the whole build depends on besides files: the tool, Python, the installed
    packages and the settings (where remark.js is found depends on more than pyproject.toml)."""
    settings = {f.name: repr(getattr(config, f.name)) for f in dataclasses.fields(config)
                if f.name != "warnings"}
    text = json.dumps([*environment_key(), settings])
    return hashlib.sha256(text.encode()).hexdigest()


def _inputs(config: Config, figure_inputs: list[str]) -> list[Path]:
    directories = dict.fromkeys([config.slides_dir, config.templates_dir, config.figures_dir,
                                 config.notebooks_dir])
    found = [path for directory in directories for path in files_under(directory)]
    # The tool itself (its code, its templates, the figure style): an editable install changes
    # without its version changing. Its copy of remark.js and KaTeX is among the assets.
    found += files_under(PACKAGE, skip=(PACKAGE / "browser",))
    found += [asset.source for asset in third_party_assets(config.node_modules)]
    found += [config.root / name for name in figure_inputs]
    found.append(config.pyproject)
    return list(dict.fromkeys(found))


def _outputs(config: Config) -> list[Path]:
    return [*files_under(config.output_dir), *(cache_dir(config) / name for name in STAGE_CACHES)]


def _signatures(paths: list[Path]) -> dict[str, list[int] | None]:
    return {os.fspath(path): signature(path) for path in paths}


def _trusted(now: list[int] | None, recorded: list | None, taken: int) -> bool:
    """Whether the signature alone says the file is as recorded."""
    if now is None or recorded is None:
        return now is None and recorded is None
    return now == recorded[:4] and now[1] < taken - RACY_NS


def _content(name: str) -> str | None:
    try:
        with open(name, "rb") as handle:
            return hashlib.file_digest(handle, "blake2b").hexdigest()
    except OSError:
        return None


def _verified(now: dict[str, list[int] | None], recorded: dict, taken: int) -> dict | None:
    """The records, with the signatures of touched but unchanged files brought up to date;
    None if a file was added, removed or changed."""
    if now.keys() != recorded.keys():
        return None
    verified = {}
    for name, signature_now in now.items():
        entry = recorded[name]
        if _trusted(signature_now, entry, taken):
            verified[name] = entry
            continue
        if signature_now is None or entry is None or _content(name) != entry[4]:
            return None
        verified[name] = [*signature_now, entry[4]]
    return verified


def _hashed(now: dict[str, list[int] | None], recorded: dict, taken: int) -> dict:
    """Each file's signature and hash: the recorded hash where its signature can be trusted."""
    hashed = {}
    for name, signature_now in now.items():
        entry = recorded.get(name)
        if signature_now is None:
            hashed[name] = None
        elif _trusted(signature_now, entry, taken):
            hashed[name] = entry
        else:
            hashed[name] = [*signature_now, _content(name)]
    return hashed


def _write(config: Config, data: dict) -> None:
    from .outputs import write_if_changed  # as in cache.write_json: a no-op build writes nothing

    try:
        # Compact: it is read by the next build, not by people.
        write_if_changed(manifest_path(config), json.dumps(data, separators=(",", ":")).encode())
    except OSError:
        pass  # a manifest is a shortcut: without it the next build does the work itself
