"""`lecture init`: a new course that builds, checks and publishes as it is.

The files come from `scaffold/` in the package. Nothing is ever overwritten: each file is
written whole or not at all (`outputs.write_new`).
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from .. import __version__
from ..errors import LectureError
from ..extras import DISTRIBUTION
from ..outputs import write_new

SCAFFOLD = Path(__file__).resolve().parent.parent / "scaffold"
# Kept without their dot inside the package, so that no packaging rule about hidden files applies.
DOTTED = {"gitignore": ".gitignore", "github": ".github"}
INSTALL = f"pip install '{DISTRIBUTION}[figures,keras,notebooks]'"
# `lecture init --shards N`: the workflow that builds on N machines side by side, in place of
# the scaffold's one-machine workflow.
WORKFLOW = ".github/workflows/lecture.yml"
SHARDED_WORKFLOW = Path(__file__).resolve().parent.parent / "sharded_workflow.yml"
# A directory that holds only these counts as empty (a fresh `git init` or clone).
IGNORABLE = {".git"}


@dataclass
class InitResult:
    root: Path
    written: list[str] = field(default_factory=list)
    left_alone: list[str] = field(default_factory=list)  # existed already


def scaffold_files(title: str, shards: int | None = None) -> dict[str, bytes]:
    """The course's files, by their path in the new course; with `shards`, its workflow builds
    on that many machines."""
    files = {}
    for source in sorted(SCAFFOLD.rglob("*")):
        if not source.is_file() or "__pycache__" in source.parts:
            continue
        parts = list(source.relative_to(SCAFFOLD).parts)
        parts[0] = DOTTED.get(parts[0], parts[0])
        text = source.read_text(encoding="utf-8")
        text = (text.replace("__TITLE_TOML__", json.dumps(title, ensure_ascii=False))
                .replace("__TITLE__", title).replace("__VERSION__", __version__))
        files["/".join(parts)] = text.encode("utf-8")
    if shards is not None:
        text = SHARDED_WORKFLOW.read_text(encoding="utf-8")
        files[WORKFLOW] = (text.replace("__SHARD_LIST__", ", ".join(map(str, range(1, shards + 1))))
                           .replace("__SHARDS__", str(shards)).encode("utf-8"))
    return files


def init_course(target: Path, title: str | None = None, merge: bool = False,
                shards: int | None = None) -> InitResult:
    """Write the scaffold into `target`; with `merge`, into a directory that has other files;
    with `shards`, a workflow that builds on that many machines."""
    try:
        return _init(target, title, merge, shards)
    except OSError as exc:
        raise LectureError(f"{exc.filename or target}: error: cannot write the course there: "
                           f"{exc.strerror}") from exc


def _init(target: Path, title: str | None, merge: bool, shards: int | None) -> InitResult:
    if target.exists() and not target.is_dir():
        raise LectureError(f"{target}: error: it is a file; lecture init makes a course in a directory")
    files = scaffold_files(title or _title_from(target), shards)
    result = InitResult(target)
    present = sorted(p.name for p in target.iterdir() if p.name not in IGNORABLE) if target.is_dir() else []
    if present and not merge:
        taken = [name for name in files if (target / name).exists()]
        raise LectureError(
            f"{target}: error: the directory is not empty ({', '.join(present[:5])}"
            f"{', …' if len(present) > 5 else ''}); `lecture init --merge {target}` adds the "
            "course's files beside them and overwrites nothing"
            + (f" (it would leave alone {', '.join(taken)})" if taken else ""))
    target.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (result.written if write_new(target / name, data) else result.left_alone).append(name)
    return result


def _title_from(target: Path) -> str:
    name = target.resolve().name.replace("-", " ").replace("_", " ").strip()
    return name[:1].upper() + name[1:] if name else "My course"
