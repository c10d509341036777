"""What `lecture serve` costs while nothing changes: CPU of the serving process over an idle
minute's share, for a course of 2,000 files, with OS events (watchfiles) and with polling
(LECTURE_WATCH=poll, the fallback), side by side in one run. Target: idle ≤ 1% of a core.

Run with `make bench` (or `.venv/bin/python bench/bench_watch.py [--files N] [--seconds S]`).
"""
from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

LECTURE = [sys.executable, "-m", "lecture_tool"]


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def idle_share(course: Path, seconds: float, env: dict) -> float:
    process = subprocess.Popen([*LECTURE, "-C", str(course), "serve", "--port", "0"],
                               stderr=subprocess.PIPE, text=True, env=env)
    try:
        for line in process.stderr:
            if line.startswith("serving "):
                break
        time.sleep(2)  # past the start-up
        before, start = cpu_seconds(process.pid), time.monotonic()
        time.sleep(seconds)
        return (cpu_seconds(process.pid) - before) / (time.monotonic() - start)
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--files", type=int, default=2000)
    parser.add_argument("--seconds", type=float, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        course = Path(scratch)
        (course / "slides").mkdir()
        (course / "pyproject.toml").write_text('[tool.lecture]\ntitle = "Idle"\n')
        (course / "slides/deck.md").write_text("# Idle\n")
        for i in range(args.files - 1):
            folder = course / "slides" / "files" / f"{i // 100:02d}"
            folder.mkdir(parents=True, exist_ok=True)
            (folder / f"file-{i}.txt").write_text(str(i))
        rows = [(name, idle_share(course, args.seconds, {**os.environ, **extra}))
                for name, extra in (("OS events (watchfiles)", {}), ("polling (fallback)",
                                                                     {"LECTURE_WATCH": "poll"}))]
    print(f"| `lecture serve`, idle, {args.files:,} files | CPU (share of one core) | target |")
    print("|---|---|---|")
    for name, share in rows:
        print(f"| {name} | {share:.2%} | ≤ 1% |")


if __name__ == "__main__":
    main()
