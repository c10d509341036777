"""Splitting a course's work across CI machines: `--shard I/N` takes the I-th of N shares.

Every machine computes the same assignment from the same inputs, so the shares cover the work
exactly once with no machine talking to another. The work comes in groups (commands/shares.py
says which units go together); each group has an expected cost in seconds. The rule is the
classic longest-processing-time one: the costliest group first, each to the share with the least
work so far, ties broken by name and by share number, never by the order the groups arrive in.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .errors import LectureError

_SPELLING = re.compile(r"(\d+)/(\d+)")


@dataclass(frozen=True)
class Shard:
    index: int  # 1-based, as `--shard 1/2` spells it
    count: int

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"


def parse_shard(text: str) -> Shard:
    """`I/N` with 1 ≤ I ≤ N."""
    match = _SPELLING.fullmatch(text.strip())
    if match is None or not 1 <= int(match.group(1)) <= int(match.group(2)):
        raise LectureError(f"error: --shard {text!r}: write I/N, with 1 <= I <= N (such as 1/4)")
    return Shard(int(match.group(1)), int(match.group(2)))


def assign(costs: dict[str, float], count: int) -> list[list[str]]:
    """The groups (by name, with their expected seconds) of each of `count` shares."""
    shares: list[list[str]] = [[] for _ in range(count)]
    loads = [0.0] * count
    # Rounded: a cost read back from JSON on another machine must sort the same way.
    for name in sorted(costs, key=lambda name: (-round(costs[name], 3), name)):
        lightest = min(range(count), key=lambda i: (loads[i], i))
        shares[lightest].append(name)
        loads[lightest] += round(costs[name], 3)
    return shares
