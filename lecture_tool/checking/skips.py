"""`lecture check --add-skips`: how a course adopts the check. Every block that fails today gets
a `<!-- check: skip (fails today: …) -->` annotation that says why, and the course starts green.
"""
from __future__ import annotations

import re
from pathlib import Path

from ..config import Config
from ..deck import read_deck
from ..deck.annotations import Block
from ..diagnostics import Diagnostic
from ..extras import HINT
from ..outputs import write_if_changed
from .decks import checks_of


def write_skips(config: Config, path: Path, failures: dict[int, str]) -> list[Diagnostic]:
    """Write a skip above each failing block of one deck, atomically, in the file's own newline
    style; not above a block that has one (it cannot fail)."""
    plan = checks_of(read_deck(path), config)
    above: dict[int, tuple[Block, str]] = {}  # fence line -> the block and why it fails
    for step in plan.steps:
        if isinstance(step, Block) and step.line in failures and step.skip is None:
            above.setdefault(step.fence_line, (step, failures[step.line]))
    data = path.read_bytes()
    bom = b"\xef\xbb\xbf" if data.startswith(b"\xef\xbb\xbf") else b""
    lines = data[len(bom):].split(b"\n")
    fences = sorted(line for line in above if 0 < line <= len(lines))
    for fence_line in reversed(fences):  # from the end: the earlier line numbers still hold
        fence = lines[fence_line - 1]
        # An indented code block would take an indented comment in: only a fence's indentation.
        is_fence = fence.lstrip().startswith((b"```", b"~~~"))
        indent = re.match(rb"[ \t]*", fence).group(0) if is_fence else b""
        ending = b"\r" if fence.endswith(b"\r") else b""
        skip = f"<!-- check: skip (fails today: {_skip_reason(above[fence_line][1])}) -->"
        lines.insert(fence_line - 1, indent + skip.encode() + ending)
    if fences:
        write_if_changed(path, bom + b"\n".join(lines))
    # Where each skip now stands: below the ones written above it.
    return [Diagnostic(path, fence_line + number, "note",
                       f"skipped: fails today: {_skip_reason(above[fence_line][1])}")
            for number, fence_line in enumerate(fences)]


# An absolute path, as Python's messages quote one: (/usr/lib/…/site-packages/keras/x.py),
# '/home/me/course/data.csv', C:\\Users\\me\\x.py.
_PARENTHESISED_PATH = re.compile(r"\s*\((?:/|[A-Za-z]:\\)[^()]*\)")
_QUOTED_PATH = re.compile(r"""(['"])(?:/|[A-Za-z]:\\)(?:[^'"]*[/\\])?([^'"/\\]*)\1""")
# Advice the worker adds to a message, after the problem.
_ADVICE = re.compile(r" \(this block needs real weights: .*\)$")


def _skip_reason(failure: str) -> str:
    """The first problem's message, short, on one line, that cannot end the comment: without
    the advice that follows it, nor a path of this machine (the deck is shared; a skip stays)."""
    reason = " ".join(failure.split("; ")[0].split(" — ")[0].split())
    reason = _ADVICE.sub("", HINT.sub("", reason))
    reason = _QUOTED_PATH.sub(r"\1\2\1", _PARENTHESISED_PATH.sub("", reason))
    reason = re.sub(r"-{2,}", "-", reason)
    return reason if len(reason) <= 120 else reason[:119] + "…"
