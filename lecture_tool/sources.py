"""Which files of a course count. One rule, used by the copy of slides/' other files into the
output, by `lecture serve`'s watcher and by the discovery of decks, figure scripts and notebooks:
a file an editor leaves behind (`#x#`, `.#x`, `x~`, `.x.swp`, vim's `4913`) is never copied,
never rebuilt for, never taken for a deck.
"""
from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

# Directories that never hold course files: version control, caches, environments.
IGNORED_DIRS = frozenset({".git", "__pycache__", ".ipynb_checkpoints", "node_modules", ".venv",
                          ".cache", ".pytest_cache"})
_EDITOR_SUFFIXES = ("~", ".swp", ".swx", ".swo", ".tmp", ".bak", ".orig")


def counts(name: str) -> bool:
    """Whether a file of this name is a course file (not hidden, not an editor's)."""
    return not (name.startswith((".", "#")) or name.endswith(_EDITOR_SUFFIXES) or name == "4913")


def files_under(directory: Path, skip: tuple[Path, ...] = ()) -> Iterator[Path]:
    """The course files below `directory`, in a stable order, without entering ignored,
    hidden or `skip` directories."""
    if not directory.is_dir():
        return
    skip_resolved = {s.resolve() for s in skip}
    for here, subdirs, files in os.walk(directory):
        base = Path(here)
        subdirs[:] = sorted(d for d in subdirs if d not in IGNORED_DIRS and not d.startswith(".")
                            and (base / d).resolve() not in skip_resolved)
        for name in sorted(files):
            # A FIFO, a socket or a dangling link is nothing a page can use.
            if counts(name) and (base / name).is_file():
                yield base / name


def in_directory(directory: Path, pattern: str) -> list[Path]:
    """The course files directly in `directory` that match `pattern` (`*.md`), by name."""
    if not directory.is_dir():
        return []
    return sorted(p for p in directory.glob(pattern) if counts(p.name) and p.is_file())
