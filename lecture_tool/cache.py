"""The content caches of `lecture build` and `lecture check`: one rule for when a result is stale,
one file format.

The rule, for figures, notebooks and checked decks alike: a result is reused while its
fingerprint is unchanged, and a fingerprint covers
- the inputs' content: a figure script and the data files it declares, a notebook, a deck's code
  blocks and claims with the prelude and settings they run with;
- the course's own modules those inputs import, directly or through each other
  (`local_imports`): from figures_src/ for a figure script, from the course root for a deck's
  blocks (the snippet worker runs there), from its own directory for a notebook;
- the tool's version, the Python version and the installed environment (`environment`): the
  names of the `*.dist-info` and `*.egg-info` directories on sys.path. They spell every installed
  distribution's name and version, so installing, upgrading or removing any package makes every
  result stale, whichever package the code really uses.

Listing those directories takes well under a millisecond; `importlib.metadata.distributions()`
takes ~120 ms, too much for a no-op build (≤ 0.3 s). It is done once per process.

A cache file is one JSON object, read as empty when it is missing or damaged (everything then
runs again), and replaced whole.
"""
from __future__ import annotations

import functools
import hashlib
import json
import os
import re
import sys
from pathlib import Path
from typing import Iterable

from . import __version__

METADATA_SUFFIXES = (".dist-info", ".egg-info")


@functools.cache
def environment() -> tuple[str, ...]:
    """The installed distributions: the names of their metadata directories on sys.path."""
    names = set()
    for entry in sys.path:
        try:
            with os.scandir(entry or ".") as found:  # "" is the working directory
                names.update(item.name for item in found if item.name.endswith(METADATA_SUFFIXES))
        except OSError:  # a zip archive, a directory that is gone
            continue
    return tuple(sorted(names))


def environment_key() -> tuple[str, str, str]:
    """What every cached result depends on besides its inputs: the tool, Python and the
    installed environment."""
    return __version__, sys.version, "\n".join(environment())


def fingerprint(*parts: str | bytes, files: Iterable[Path] = ()) -> str:
    """The fingerprint of `parts` (inputs and settings as text) and of `files` (their names and
    content; a missing file counts as missing), with the `environment_key`."""
    digest = hashlib.sha256()
    for part in (*environment_key(), *parts):
        _add(digest, part)
    for path in files:
        _add(digest, path.name)
        try:
            _add(digest, path.read_bytes())
        except FileNotFoundError:
            _add(digest, "<missing>")
    return digest.hexdigest()


def _add(digest, part: str | bytes) -> None:
    data = part.encode() if isinstance(part, str) else part
    # Length first: ("ab", "c") and ("a", "bc") must not hash alike.
    digest.update(len(data).to_bytes(8, "big") + data)


# Read as text, not parsed: quick, and it reads notebook cells that hold `%magic` lines too.
_IMPORT = re.compile(r"^\s*(?:from\s+(\w+)[\w.]*\s+import\b|import\s+([\w., ]+))", re.M)


def imported_names(source: str) -> set[str]:
    """The top-level modules that Python source imports, anywhere in it."""
    names = set()
    for match in _IMPORT.finditer(source):
        if match.group(1):
            names.add(match.group(1))
        else:
            names.update(part.strip().split(" ")[0].split(".")[0] for part in match.group(2).split(","))
    return names


def local_imports(sources: Iterable[Path | str], search_dirs: Iterable[Path]) -> list[Path]:
    """The .py modules of `search_dirs` that `sources` (files, or source text) import, directly
    or through each other, sorted; the files given are not among them. Where two directories
    have a module of the same name, the first one's is found, as on sys.path."""
    modules: dict[str, Path] = {}
    for directory in search_dirs:
        for path in sorted(Path(directory).glob("*.py")):
            modules.setdefault(path.stem, path)
    sources = list(sources)
    todo = [name for source in sources for name in imported_names(_text(source))]
    found: dict[str, Path] = {}
    while todo:
        name = todo.pop()
        if name in modules and name not in found:
            found[name] = modules[name]
            todo.extend(imported_names(_text(modules[name])))
    given = {source.resolve() for source in sources if isinstance(source, Path)}
    return sorted(path for path in found.values() if not given or path.resolve() not in given)


def _text(source: Path | str) -> str:
    return source.read_text(encoding="utf-8", errors="replace") if isinstance(source, Path) else source


def read_json(path: Path) -> dict:
    """A cache file's content: empty if it is missing or damaged."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def write_json(path: Path, data: dict) -> None:
    """Replace a cache file atomically (a build stopped midway leaves the previous one whole)."""
    # Not at import: a no-op build writes nothing, and tempfile and shutil are 4.5 ms of its
    # imports (python -X importtime).
    from .outputs import write_if_changed

    write_if_changed(path, json.dumps(data, indent=1, sort_keys=True).encode())
