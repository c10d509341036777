"""A new course, as a user gets it: the wheel's size, `lecture --help`, `lecture init` + the first
`lecture build` (figure and notebook included) and the no-op build after it, side by side in one run.

Run with `make bench` (or `.venv/bin/python bench/bench_init.py [--runs N]`). It builds the wheel
with `python -m build`, installs it into a new venv in a scratch directory (no node_modules in
sight), and gives that venv the scaffold's extras from this one through a .pth line, so what is
timed is the tool, not pip. Prints a Markdown table.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def install(scratch: Path) -> tuple[Path, Path]:
    """(the wheel, the bin directory of a new venv that has it)"""
    dist = scratch / "dist"
    subprocess.run([sys.executable, "-m", "build", "--wheel", "--outdir", str(dist), str(REPO)],
                   check=True, capture_output=True)
    wheel = next(dist.glob("*.whl"))
    venv = scratch / "venv"
    subprocess.run([getattr(sys, "_base_executable", sys.executable), "-m", "venv", str(venv)], check=True)
    subprocess.run([str(venv / "bin/pip"), "install", "-q", "--no-deps", str(wheel)], check=True,
                   capture_output=True)
    site = subprocess.run([str(venv / "bin/python"), "-c",
                           "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          check=True, capture_output=True, text=True).stdout.strip()
    Path(site, "zz-bench-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return wheel, venv / "bin"


def timed(command: list[str], cwd: Path, env: dict, before=None) -> float:
    if before:
        before()
    start = time.perf_counter()
    subprocess.run(command, cwd=cwd, env=env, check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        wheel, bin_dir = install(scratch)
        wheel_bytes = wheel.stat().st_size
        env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
        env.update(PATH=f"{bin_dir}{os.pathsep}{env['PATH']}",
                   JUPYTER_PATH=str(Path(sys.prefix) / "share" / "jupyter"))
        lecture = str(bin_dir / "lecture")

        help_times = [timed([lecture, "--help"], scratch, env) for _ in range(args.runs)]
        first, noop = [], []
        for run in range(max(2, args.runs // 4)):
            course = scratch / f"course-{run}"
            first.append(timed([lecture, "init", course.name], scratch, env)
                         + timed([lecture, "build", "--strict"], course, env))
            noop += [timed([lecture, "build", "--strict"], course, env) for _ in range(args.runs)]

    def row(what: str, seconds: list[float], target: str) -> str:
        median = statistics.median(seconds)
        return (f"| {what} | {median:.3f} s | {min(seconds):.3f} s | {max(seconds):.3f} s | "
                f"{median / statistics.median(help_times):.1f}× | {target} |")

    print(f"wheel: {wheel.name}, {wheel_bytes:,} bytes\n")
    print("| | median | min | max | × `--help` | target |")
    print("|---|---|---|---|---|---|")
    print(row("`lecture --help`", help_times, "≤ 0.2 s"))
    print(row("`lecture init` + first `lecture build` (figure, notebook)", first, "≤ 15 s"))
    print(row("no-op `lecture build` after it", noop, "≤ 0.3 s"))


if __name__ == "__main__":
    main()
