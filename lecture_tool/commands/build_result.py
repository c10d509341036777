"""What `lecture build` did: plain data for the command line, `lecture serve` and `lecture pdf`."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from ..diagnostics import ERROR, Diagnostic


@dataclass
class BuildResult:
    diagnostics: list[Diagnostic] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)  # files whose content changed
    decks: int = 0
    slides: int = 0
    seconds: float = 0.0
    by_page: dict[str, list[Diagnostic]] = field(default_factory=dict)  # a deck's own problems
    # The content each page was made from, by deck (a hash of the bytes read): `lecture serve`
    # compares it with the deck once the build is over, to catch a save it read half of.
    sources: dict[Path, str] = field(default_factory=dict)

    def failed(self, strict: bool) -> bool:
        """Errors fail a build; with --strict, so does any warning."""
        return any(d.severity == ERROR for d in self.diagnostics) or (strict and bool(self.diagnostics))


def source_hash(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()
