"""Notebook execution: each notebook alone, cold (a fresh kernel, nothing cached), and the
cached rebuild of all of them, measured in one run on a scratch copy.

Run with `.venv/bin/python bench/bench_notebooks.py`. The "all four, 2 workers" row is what a
cold `lecture build` spends on notebooks, running two at a time on this 2-core machine.
"""
from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
LECTURE = [sys.executable, "-m", "lecture_tool"]


def timed(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def main() -> None:
    rows = []
    with tempfile.TemporaryDirectory() as scratch:
        for notebook in sorted((REPO / "notebooks").glob("*.ipynb")):
            course = Path(scratch) / notebook.stem
            (course / "notebooks").mkdir(parents=True)
            shutil.copy(notebook, course / "notebooks")
            shutil.copy(REPO / "requirements.lock", course)
            (course / "pyproject.toml").write_text("[tool.lecture]\n")
            cold = timed([*LECTURE, "-C", str(course), "notebooks"])
            cached = timed([*LECTURE, "-C", str(course), "notebooks"])
            rows.append((notebook.name, cold, cached))
        course = Path(scratch) / "all"
        shutil.copytree(REPO / "notebooks", course / "notebooks")
        shutil.copy(REPO / "requirements.lock", course)
        (course / "pyproject.toml").write_text("[tool.lecture]\n")
        all_cold = timed([*LECTURE, "-C", str(course), "notebooks"])
        all_cached = timed([*LECTURE, "-C", str(course), "notebooks"])
    print("| notebook | cold s | cached s |")
    print("|---|---:|---:|")
    for name, cold, cached in rows:
        print(f"| {name} (alone) | {cold:.1f} | {cached:.2f} |")
    print(f"| all four, 2 workers | {all_cold:.1f} | {all_cached:.2f} |")


if __name__ == "__main__":
    main()
