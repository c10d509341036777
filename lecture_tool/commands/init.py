"""`lecture init`: a new course that builds, checks and publishes as it is.

The files come from `scaffold/` in the package; with `--framework torch`, the example deck,
figure script and notebook come from `scaffold_torch/` instead. Nothing is ever overwritten: each file is
written whole or not at all (`outputs.write_new`).
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from .. import __version__
from ..errors import LectureError
from ..extras import DISTRIBUTION, install_command, missing_extras
from ..outputs import write_new

SCAFFOLD = Path(__file__).resolve().parent.parent / "scaffold"
# The frameworks an example course can be written for, and the files each puts in its place.
FRAMEWORKS = {"keras": None, "torch": Path(__file__).resolve().parent.parent / "scaffold_torch"}
# Kept without their dot inside the package, so that no packaging rule about hidden files applies.
DOTTED = {"gitignore": ".gitignore", "github": ".github",
          "pre-commit-config.yaml": ".pre-commit-config.yaml"}
FRAMEWORK_NAMES = {"keras": "Keras", "torch": "PyTorch"}
# What the example course needs of each extra, in the words the next steps use.
EXAMPLE_NEEDS = {"figures": "figure script", "keras": "Keras code block",
                 "torch": "PyTorch code block", "notebooks": "notebook"}
# A release is what a tag made (1.2.0); anything else (0.3.1.dev4+g1a2b3c4) was built between tags.
RELEASE = re.compile(r"\d+(\.\d+)*")
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


def extras_for(framework: str) -> list[str]:
    """The extras the example course of `framework` needs."""
    return ["figures", framework, "notebooks"]


def scaffold_files(title: str, shards: int | None = None,
                   framework: str = "keras") -> dict[str, bytes]:
    """The course's files, by their path in the new course; with `shards`, its workflow builds
    on that many machines; its example code is for `framework` (keras or torch)."""
    files = {}
    variant = FRAMEWORKS[framework]
    for base in (SCAFFOLD, variant) if variant else (SCAFFOLD,):
        for source in sorted(base.rglob("*")):
            if not source.is_file() or "__pycache__" in source.parts:
                continue
            parts = list(source.relative_to(base).parts)
            parts[0] = DOTTED.get(parts[0], parts[0])
            text = source.read_text(encoding="utf-8")
            text = (text.replace("__TITLE_TOML__", json.dumps(title, ensure_ascii=False))
                    .replace("__TITLE__", title)
                    .replace("__REQUIREMENT__", requirement(__version__, framework))
                    .replace("__EXTRAS__", ",".join(extras_for(framework)))
                    .replace("__FRAMEWORK__", FRAMEWORK_NAMES[framework]))
            files["/".join(parts)] = text.encode("utf-8")  # the variant's own replace the base's
    if shards is not None:
        text = SHARDED_WORKFLOW.read_text(encoding="utf-8")
        files[WORKFLOW] = (text.replace("__SHARD_LIST__", ", ".join(map(str, range(1, shards + 1))))
                           .replace("__SHARDS__", str(shards)).encode("utf-8"))
    return files


def next_steps(where: str, missing: list[str]) -> str:
    """What to do after `lecture init`: install only the extras missing here, then build.

    `lecture build` runs the figure script and the notebook, `lecture check` the Keras block;
    without their extras, they fail, so the install comes first, and only what is missing."""
    then = f"cd {where} && lecture build && lecture serve"
    if not missing:
        return f"A course is ready in {where}/. Next: {then}"
    needs = ", ".join(f"[{extra}] for its {EXAMPLE_NEEDS[extra]}" for extra in missing)
    return (f"A course is ready in {where}/. Its example needs extras this Python lacks "
            f"({needs}); install them first:\n\n    {install_command(','.join(missing))}"
            f"\n\nthen: {then}")


def requirement(version: str, framework: str = "keras") -> str:
    """The scaffold's requirements.txt line: the release that wrote the course, exactly.

    A development build is no release the package index has, so its course names no version
    and says to pin one: CI would otherwise install whatever is newest when it runs."""
    extras = ",".join(extras_for(framework))
    if RELEASE.fullmatch(version):
        return f"{DISTRIBUTION}[{extras}]=={version}"
    return (f"# Written by a development build of lecture ({version}), not a release: pin the\n"
            f"# release you use, e.g. {DISTRIBUTION}[{extras}]==1.0.0, or a wheel's URL.\n"
            f"{DISTRIBUTION}[{extras}]")


def init_course(target: Path, title: str | None = None, merge: bool = False,
                shards: int | None = None, framework: str = "keras") -> InitResult:
    """Write the scaffold into `target`; with `merge`, into a directory that has other files;
    with `shards`, a workflow that builds on that many machines; its example code for
    `framework`."""
    try:
        return _init(target, title, merge, shards, framework)
    except OSError as exc:
        raise LectureError(f"{exc.filename or target}: error: cannot write the course there: "
                           f"{exc.strerror}") from exc


def _init(target: Path, title: str | None, merge: bool, shards: int | None,
          framework: str) -> InitResult:
    if target.exists() and not target.is_dir():
        raise LectureError(f"{target}: error: it is a file; lecture init makes a course in a directory")
    files = scaffold_files(title or _title_from(target), shards, framework)
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
