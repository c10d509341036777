"""Measure the build's speed: start-up, cold build, no-op build, side by side in one run, each
beside its target and whether it is met.

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
sys.path.insert(0, str(REPO / "tests"))
from conftest import copy_course  # noqa: E402  the course as the tests copy it
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
        copy_course(course)
        lecture = [str(LECTURE), "-C", str(course)]
        cold_runs = max(2, args.runs // 5)
        wipe = lambda: shutil.rmtree(course / "build", ignore_errors=True)  # noqa: E731

        help_times = timed([str(LECTURE), "--help"], args.runs)
        cold_figures = timed(lecture + ["figures"], cold_runs, before=wipe)
        cold_notebooks = timed(lecture + ["notebooks"], cold_runs, before=wipe)
        deck = course / "slides" / "lecture3-neural-networks.md"
        edits = iter(range(10**6))
        after_edit = timed(lecture + ["build"], args.runs,
                           before=lambda: deck.write_text(deck.read_text() + f"\n<!-- {next(edits)} -->"))
        cold = timed(lecture + ["build"], cold_runs, before=wipe)
        check_after = timed(lecture + ["check", "--no-cache"], cold_runs)
        noop = timed(lecture + ["build"], args.runs)
        images = {p.name: p.stat().st_size for p in sorted((course / "build" / "images").iterdir())}
        image_bytes = sum(images.values())

    base, cold_s, noop_s = (statistics.median(t) for t in (help_times, cold, noop))
    full_s = cold_s + statistics.median(check_after)
    rows = [
        ("`lecture --help`", f"{base:.3f} s", "≤ 0.20 s", base <= 0.2),
        (f"cold `lecture figures` ({len(images)} files)", f"{statistics.median(cold_figures):.2f} s", ""),
        ("cold `lecture notebooks` (4 notebooks)", f"{statistics.median(cold_notebooks):.2f} s", ""),
        ("cold `lecture build` (figures + notebooks + deck)", f"{statistics.median(cold):.2f} s", ""),
        ("`lecture check --no-cache` after it (snippets, claims; notebooks cached)",
         f"{statistics.median(check_after):.2f} s", ""),
        ("cold full build: build + check", f"{full_s:.2f} s", "≤ 60 s", full_s <= 60),
        ("`lecture build` after a Markdown edit", f"{statistics.median(after_edit):.3f} s", ""),
        ("no-op `lecture build`", f"{noop_s:.3f} s", "≤ 0.30 s", noop_s <= 0.3),
        ("no-op build ÷ `--help`", f"{noop_s / base:.2f}×", "≤ 2.5×", noop_s / base <= 2.5),
        ("total image bytes", f"{image_bytes:,} B", ""),
    ]
    print(f"| measure (medians: {args.runs} runs, cold: {cold_runs}) | value | target | met |")
    print("|---|---:|---|---|")
    for name, value, target, *met in rows:
        verdict = "" if not met else "yes" if met[0] else "**no**"
        print(f"| {name} | {value} | {target} | {verdict} |")
    for name, size in images.items():
        print(f"| {name} | {size:,} B | | |")


if __name__ == "__main__":
    main()
