"""Diagnostics every stage reports: ``path:line: severity: message``."""
from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable
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
    # The output file a "not found" warning is about (images/a.png): a deck that names one file
    # a hundred times gets one line for it (`reporting.Reporter`), not a hundred.
    missing: str = ""

    def format(self, root: Path | None = None) -> str:
        """`path:line: severity: message`, always one line (a message's own line breaks are
        shown as `\\n`), so that editors, CI and grep read every problem alike."""
        where = f" {self.location}:" if self.location else f"{self.line}:"
        return one_line(f"{display_path(self.path, root)}:{where} {self.severity}: {self.message}")

    def to_json(self, root: Path | None = None) -> dict:
        """For a cache file: the path relative to `root` when inside it (a moved course keeps
        its caches)."""
        path = Path(self.path)
        if root is not None and path.is_absolute():
            try:
                path = path.relative_to(root)
            except ValueError:
                pass
        return {"path": path.as_posix(), "line": self.line, "severity": self.severity,
                "message": self.message, "location": self.location, "missing": self.missing}

    @classmethod
    def from_json(cls, item: dict, root: Path | None = None) -> "Diagnostic":
        path = Path(item["path"])
        return cls(root / path if root is not None and not path.is_absolute() else path,
                   item["line"], item["severity"], item["message"], item.get("location", ""),
                   item.get("missing", ""))

    def github_annotation(self, root: Path | None = None) -> str:
        """The same problem as a GitHub Actions workflow command, escaped as GitHub requires:
        a message that holds `\\n::add-mask::` or a file named `a,line=1.md` forges nothing."""
        kind = "error" if self.severity == ERROR else "warning"
        where = f"file={_property(display_path(self.path, root))},line={self.line}"
        message = f"{self.location}: {self.message}" if self.location else self.message
        return f"::{kind} {where}::{_data(message)}"


def one_line(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\r", "\\r").replace("\n", "\\n") \
        if "\n" in text or "\r" in text else text


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


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


def has_errors(diagnostics: Iterable[Diagnostic]) -> bool:
    return any(d.severity == ERROR for d in diagnostics)


class Collector:
    """What a stage finds, in order, each problem said as it is found (`report`), and how long
    the stage has taken: `note = Collector(report)`, then `note(diagnostic)`."""

    def __init__(self, report: Callable[[Diagnostic], None] | None = None):
        self.found: list[Diagnostic] = []
        self.report = report or (lambda diagnostic: None)
        self.started = time.perf_counter()

    def __call__(self, diagnostic: Diagnostic) -> None:
        self.found.append(diagnostic)
        self.report(diagnostic)

    def extend(self, diagnostics: Iterable[Diagnostic]) -> None:
        for diagnostic in diagnostics:
            self(diagnostic)

    def seconds(self) -> float:
        return time.perf_counter() - self.started
