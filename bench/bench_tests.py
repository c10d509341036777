"""The whole test suite of two checkouts, one after the other on this machine: wall time, passed
and failed counts, and the ratio of the two times.

    .venv/bin/python bench/bench_tests.py OLD [NEW]

NEW defaults to this checkout. Each checkout runs its own suite with its own venv, as `make test`
does there: `rm -rf build` (a fresh clone has none; `--keep-build` leaves it), then
`.venv/bin/pytest -q -p no:cacheprovider` in that directory. The load average is printed beside
each run: the suite runs TensorFlow, notebooks and Chromium, so whatever else the machine does
shows in its time.

The old checkout needs its own venv and browser files. To make one, for example of 495545e (the
suite that ran the course's figure scripts three times and its notebooks twice):

    git clone /path/to/lecture /tmp/baseline-repo
    cd /tmp/baseline-repo && git checkout 495545e
    make .venv/.installed node_modules/.installed

(its editable install makes `.venv/bin/pytest` there import that checkout's `lecture_tool`).
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
COUNTS = ("passed", "failed", "errors", "skipped")


def describe(checkout: Path) -> str:
    """The checkout's commit, and whether its work tree differs from it."""
    def git(*args: str) -> str:
        return subprocess.run(["git", "-C", str(checkout), *args], capture_output=True,
                              text=True).stdout.strip()

    commit = git("rev-parse", "--short", "HEAD") or "no git"
    return commit + (" + uncommitted changes" if git("status", "--porcelain", "--untracked-files=no")
                     else "")


def run_suite(checkout: Path, log: Path, keep_build: bool) -> dict:
    pytest = checkout / ".venv/bin/pytest"
    if not pytest.exists():
        sys.exit(f"{pytest} not found: make the checkout's venv first "
                 "(make .venv/.installed node_modules/.installed there)")
    if not keep_build:
        shutil.rmtree(checkout / "build", ignore_errors=True)
    # Only the checkout's own venv: nothing of the venv that runs this script may leak in.
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    load_before = os.getloadavg()[0]
    started = time.perf_counter()
    with open(log, "w") as out:
        subprocess.run([str(pytest), "-q", "-p", "no:cacheprovider"], cwd=checkout, env=env,
                       stdout=out, stderr=subprocess.STDOUT)
    seconds = time.perf_counter() - started
    output = log.read_text(errors="replace")
    summary = output.strip().splitlines()[-1] if output.strip() else ""
    counts = {name: 0 for name in COUNTS}
    for number, name in re.findall(r"(\d+) (passed|failed|errors?|skipped)", summary):
        counts["errors" if name.startswith("error") else name] = int(number)
    failures = [line for line in output.splitlines() if line.startswith(("FAILED ", "ERROR "))]
    return {"checkout": checkout, "commit": describe(checkout), "seconds": seconds,
            "load": (load_before, os.getloadavg()[0]), "failures": failures, **counts}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("old", type=Path, help="the checkout to compare against")
    parser.add_argument("new", type=Path, nargs="?", default=REPO,
                        help="the checkout measured (default: this one)")
    parser.add_argument("--keep-build", action="store_true",
                        help="do not remove build/ in the checkouts before their runs")
    args = parser.parse_args()
    # A shell starts a background job with SIGINT ignored, and its children inherit that: then
    # the tests that stop `lecture serve` with Ctrl-C would wait for nothing. A handler of our own
    # gives them the default back (exec resets handlers, not ignored signals).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    logs = Path(tempfile.mkdtemp(prefix="bench-tests-"))
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())} "
          f"({os.cpu_count()} cores); pytest output in {logs}", flush=True)
    runs = []
    for label, checkout in (("old", args.old.resolve()), ("new", args.new.resolve())):
        print(f"running the {label} suite in {checkout} ...", flush=True)
        runs.append((label, run_suite(checkout, logs / f"{label}.log", args.keep_build)))

    print()
    print("| suite | checkout | commit | wall s | passed | failed | errors | skipped "
          "| load (1 min) start → end |")
    print("|---|---|---|---:|---:|---:|---:|---:|---|")
    for label, run in runs:
        print(f"| {label} | `{run['checkout']}` | {run['commit']} | {run['seconds']:.1f} | "
              f"{run['passed']} | {run['failed']} | {run['errors']} | {run['skipped']} | "
              f"{run['load'][0]:.2f} → {run['load'][1]:.2f} |")
    (_, old), (_, new) = runs
    print(f"\nnew / old wall time: {new['seconds'] / old['seconds']:.2f} (target: ≤ 0.50)")
    for label, run in runs:
        for line in run["failures"]:
            print(f"{label}: {line}")


if __name__ == "__main__":
    main()
