"""Measure the build's speed: start-up, cold build, no-op build, side by side in one run.

Run with `make bench` (or `.venv/bin/python bench/bench_build.py [--runs N]`). Works on a scratch
copy of the course, so build/ is left alone. Prints a Markdown table.
"""
from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
LECTURE = Path(sys.executable).parent / "lecture"


def timed(command: list[str], runs: int, before=None) -> list[float]:
    times = []
    for _ in range(runs):
        if before:
            before()
        start = time.perf_counter()
        subprocess.run(command, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as scratch:
        course = Path(scratch) / "course"
        shutil.copytree(REPO / "slides", course / "slides")
        shutil.copy(REPO / "pyproject.toml", course / "pyproject.toml")
        build = [str(LECTURE), "-C", str(course), "build"]

        help_times = timed([str(LECTURE), "--help"], args.runs)
        cold = timed(build, max(3, args.runs // 3),
                     before=lambda: shutil.rmtree(course / "build", ignore_errors=True))
        noop = timed(build, args.runs)

    rows = [
        ("`lecture --help`", statistics.median(help_times), "≤ 0.20 s"),
        ("cold `lecture build` (lecture deck)", statistics.median(cold), ""),
        ("no-op `lecture build`", statistics.median(noop), "≤ 0.30 s"),
    ]
    print(f"| measure (median of {args.runs}; cold: {len(cold)}) | seconds | target |")
    print("|---|---:|---|")
    for name, seconds, target in rows:
        print(f"| {name} | {seconds:.3f} | {target} |")
    print(f"| no-op build ÷ `--help` | {statistics.median(noop) / statistics.median(help_times):.2f}× | |")


if __name__ == "__main__":
    main()
