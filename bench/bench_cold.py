"""Lecture 3's cold build (figures, notebooks, the deck) with this checkout and with an older one,
side by side in one run, alternating, on copies of the same course. Target: ≥ 1.5× faster than
commit 495545e.

    .venv/bin/python bench/bench_cold.py OLD_CHECKOUT [--runs N]

OLD_CHECKOUT is a clone at the older commit with its own venv and node_modules
(`git clone . /tmp/old && git -C /tmp/old checkout 495545e && make -C /tmp/old
.venv/.installed node_modules/.installed`). Prints a Markdown table.
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def cold_build(checkout: Path, lecture: Path, scratch: Path) -> float:
    course = scratch / "course"
    shutil.rmtree(course, ignore_errors=True)
    for part in ("slides", "figures_src", "notebooks"):
        shutil.copytree(checkout / part, course / part, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "requirements.lock"):
        if (checkout / name).is_file():
            shutil.copy(checkout / name, course / name)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    start = time.perf_counter()
    result = subprocess.run([str(lecture), "-C", str(course), "build"], env=env, capture_output=True,
                            text=True)
    seconds = time.perf_counter() - start
    if result.returncode != 0:
        print(result.stderr[-2000:], file=sys.stderr)
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("old", type=Path)
    parser.add_argument("--runs", type=int, default=2)
    args = parser.parse_args()
    builds = {"old (" + args.old.name + ")": (args.old, args.old / ".venv/bin/lecture"),
              "this checkout": (REPO, Path(sys.executable).parent / "lecture")}
    times: dict[str, list[float]] = {name: [] for name in builds}
    with tempfile.TemporaryDirectory() as scratch:
        for _ in range(args.runs):
            for name, (checkout, lecture) in builds.items():
                times[name].append(cold_build(checkout, lecture, Path(scratch)))
    old, new = (statistics.median(t) for t in times.values())
    print("| lecture 3, cold `lecture build` | median | runs |")
    print("|---|---|---|")
    for name, found in times.items():
        print(f"| {name} | {statistics.median(found):.1f} s | {', '.join(f'{t:.1f}' for t in found)} |")
    print(f"\nspeed-up: {old / new:.2f}× (target ≥ 1.5×)")


if __name__ == "__main__":
    main()
