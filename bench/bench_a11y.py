"""`lecture check --a11y` beside `lecture pdf`, side by side in one run, on lecture 3; and the
no-op build, which the stylesheet's contrast check must leave as fast as it was.

    .venv/bin/python bench/bench_a11y.py [--runs N] [--old OLD_CHECKOUT]

Works on a scratch copy of the course: lecture 3 is built (figures and notebooks), its code
blocks checked once (so that the check's own part is its cache, 0.2 s, and what is measured is
the audit), then, in turn, so that both meet the same load on a shared machine:
- `lecture check --a11y --no-notebooks`: Chromium started, every one of the 66 slides shown and
  audited by axe-core, the page around them and the course page too;
- `lecture pdf --force`: Chromium started, the deck loaded and printed.
The figure of merit is the ratio of their medians (target ≤ 2×). Then the no-op `lecture build`
(median of 11; target ≤ 0.3 s), and with `--old`, the same for an older checkout (its own copy of
its lecture 3, run with this venv and node_modules), in turn with this one. Prints a Markdown
table.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# This directory is on sys.path (the script's own): one copy of each helper.
from bench_pdf import chromium
from bench_versus import course_copy

REPO = Path(__file__).resolve().parent.parent
DECK = "lecture3-neural-networks"


def lecture(checkout: Path, *args: str, ok: tuple[int, ...] = (0,)) -> float:
    """Seconds one `lecture` command takes, run with `checkout`'s package first on the path."""
    env = dict(os.environ, PYTHONPATH=str(checkout), LECTURE_CHROMIUM=chromium())
    started = time.perf_counter()
    # Not in this checkout: `-m` puts the working directory first on sys.path.
    done = subprocess.run([sys.executable, "-m", "lecture_tool", *args], env=env, cwd="/",
                          capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode not in ok:
        sys.exit(f"{checkout}: lecture {' '.join(args)} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5, help="rounds of the audit and the print (median)")
    parser.add_argument("--old", type=Path, help="an older checkout, for the no-op build beside it")
    args = parser.parse_args()
    checkouts = {"this checkout": REPO, **({"old checkout": args.old.resolve()} if args.old else {})}
    with tempfile.TemporaryDirectory(prefix="bench-a11y-") as scratch:
        courses = {}
        for name, checkout in checkouts.items():
            print(f"{name}: building lecture 3 and checking its blocks once...", file=sys.stderr)
            courses[name] = course_copy(checkout, Path(scratch) / name.replace(" ", "-"))
            lecture(checkout, "-C", str(courses[name]), "build")
        course = courses["this checkout"]
        # Exit 1 is a finding of the audit (the deck's own problems), not a failure of the bench.
        lecture(REPO, "-C", str(course), "check", "--no-notebooks", ok=(0, 1))
        audit, printed = [], []
        for _ in range(args.runs):
            audit.append(lecture(REPO, "-C", str(course), "check", "--a11y", "--no-notebooks", ok=(0, 1)))
            printed.append(lecture(REPO, "-C", str(course), "pdf", DECK, "--force"))
        check_cached = statistics.median(
            lecture(REPO, "-C", str(course), "check", "--no-notebooks", ok=(0, 1)) for _ in range(3))
        no_op: dict[str, list[float]] = {name: [] for name in checkouts}
        for _ in range(11):
            for name, checkout in checkouts.items():
                no_op[name].append(lecture(checkout, "-C", str(courses[name]), "build"))
    audited, pdf = statistics.median(audit), statistics.median(printed)
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(f"lecture 3, 66 slides; {os.cpu_count()} cores, load average at the end {load}\n")
    print("| run | wall time (median) | compared | target |")
    print("|---|---:|---|---|")
    print(f"| `lecture pdf {DECK} --force` ({args.runs} runs, in turn with the next) | {pdf:.2f} s | 1× | |")
    print(f"| `lecture check --a11y --no-notebooks` (blocks cached: {check_cached:.2f} s of it) "
          f"| {audited:.2f} s | {audited / pdf:.2f}× the PDF | ≤ 2× |")
    for name in checkouts:
        print(f"| no-op `lecture build`, {name} (11 runs, in turn) | {statistics.median(no_op[name]):.3f} s | "
              f"{'' if name == 'this checkout' else 'before the contrast check'} | ≤ 0.3 s |")


if __name__ == "__main__":
    main()
