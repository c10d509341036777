"""Pathological one-line decks, 25 KB and 50 KB of each construct that was once quadratic or
recursive, through what a build does to a deck (parse, prepare the page's source, check the
references), side by side in one run, in CPU seconds (best of five). Linear is 2× for twice the size; the test suite fails
above 3× (tests/test_hostile.py). Prints a Markdown table.

Run with `make bench` (or `.venv/bin/python bench/bench_hostile.py`).
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from test_hostile import PATHOLOGICAL, cpu_seconds  # noqa: E402  one corpus, one timing, for the test and the bench


def main() -> None:
    print("| one line of | 25 KB | 50 KB | ratio |")
    print("|---|---|---|---|")
    for name, piece in PATHOLOGICAL.items():
        small, large = (cpu_seconds(f"# T\n\n{piece * (size // len(piece))}\n") for size in (25_000, 50_000))
        print(f"| `{piece.strip()}` ({name}) | {small * 1000:.1f} ms | {large * 1000:.1f} ms | "
              f"{large / small:.2f}× |")


if __name__ == "__main__":
    main()
