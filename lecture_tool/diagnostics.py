"""Diagnostics every stage reports: ``path:line: severity: message``."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True)
class Diagnostic:
    path: Path
    line: int
    severity: str
    message: str
    location: str = ""  # instead of the line, where a line means little: "cell 3 (line 2 of the cell)"

    def format(self, root: Path | None = None) -> str:
        where = f" {self.location}:" if self.location else f"{self.line}:"
        return f"{display_path(self.path, root)}:{where} {self.severity}: {self.message}"


def display_path(path: Path, root: Path | None = None) -> str:
    """Show a path relative to the project (or the working directory) when it lies inside."""
    for base in (root, Path.cwd()):
        if base is None:
            continue
        try:
            return Path(path).resolve().relative_to(Path(base).resolve()).as_posix()
        except ValueError:
            continue
    return os.fspath(path)


def count(diagnostics, severity: str) -> int:
    return sum(1 for d in diagnostics if d.severity == severity)
