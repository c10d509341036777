"""This checkout beside an older one, side by side in one run, alternating, on copies of lecture 3:
`lecture --help`, the no-op build, a cached `lecture check`, `lecture pdf` with every PDF up to
date, and the build after a Markdown edit.
Each figure is the median of the rounds; the ratio new/old is the figure of merit (≤ 1.0: no
worse than before).

    .venv/bin/python bench/bench_versus.py OLD_CHECKOUT [--runs N]

OLD_CHECKOUT is a checkout of the older commit (`git worktree add /tmp/old COMMIT`); it runs with
this checkout's venv and node_modules (PYTHONPATH puts its package first); each builds its own
lecture 3 (deck and figure scripts as they were at its commit). Prints a Markdown table.
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
DECK = "slides/lecture3-neural-networks.md"


def lecture(checkout: Path, *args: str) -> float:
    env = dict(os.environ, PYTHONPATH=str(checkout))
    started = time.perf_counter()
    # Not in this checkout: `-m` puts the working directory first on sys.path.
    done = subprocess.run([sys.executable, "-m", "lecture_tool", *args], env=env, cwd="/",
                          capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode not in (0, 1):
        raise SystemExit(f"{checkout}: lecture {' '.join(args)} failed:\n{done.stderr[-2000:]}")
    return seconds


def course_copy(checkout: Path, scratch: Path) -> Path:
    """The checkout's own lecture 3: the deck and figures as they were at that commit."""
    course = scratch / checkout.name
    for part in ("slides", "figures_src", "notebooks"):
        shutil.copytree(checkout / part, course / part, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(checkout / "pyproject.toml", course / "pyproject.toml")
    (course / "node_modules").symlink_to(REPO / "node_modules")
    return course


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("old", type=Path)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    checkouts = {"old": args.old.resolve(), "new": REPO}
    rows: dict[str, dict[str, list[float]]] = {}
    with tempfile.TemporaryDirectory(prefix="bench-versus-") as scratch:
        courses = {}
        for name, checkout in checkouts.items():
            courses[name] = course_copy(checkout, Path(scratch) / name)
            lecture(checkout, "-C", str(courses[name]), "build")  # figures and notebooks, once
            lecture(checkout, "-C", str(courses[name]), "check", "--no-notebooks")
            lecture(checkout, "-C", str(courses[name]), "pdf")  # printed once, by Chromium
        for round_number in range(args.runs):
            for name, checkout in checkouts.items():
                course = courses[name]
                deck_text = (checkout / DECK).read_text()
                run = lambda *command: lecture(checkout, "-C", str(course), *command)  # noqa: E731
                figures = rows.setdefault(name, {})
                figures.setdefault("lecture --help", []).append(lecture(checkout, "--help"))
                figures.setdefault("no-op build", []).append(run("build"))
                figures.setdefault("check, cached", []).append(run("check", "--no-notebooks"))
                figures.setdefault("pdf, cached", []).append(run("pdf"))
                (course / DECK).write_text(deck_text + f"\n---\n\n# Edited {round_number}\n")
                figures.setdefault("build after a Markdown edit", []).append(run("build"))
                (course / DECK).write_text(deck_text)
                run("build")  # back as it was printed, for the next round
    print(f"| figure ({args.runs} rounds, median s) | old | new | new / old |")
    print("|---|---:|---:|---:|")
    for figure in rows["new"]:
        old, new = (statistics.median(rows[name][figure]) for name in ("old", "new"))
        print(f"| {figure} | {old:.3f} | {new:.3f} | {new / old:.2f} |")


if __name__ == "__main__":
    main()
