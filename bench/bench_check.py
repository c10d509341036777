"""`lecture check` on the lecture deck: deferred weights vs materialised weights, side by side.

Each measurement runs in a fresh process and reports wall time and the peak resident memory of
the processes it started (the snippet worker). The materialised run is what plain Python does
(Keras allocates every weight), so it needs about 12 GB of memory and 25 s.
Run with `.venv/bin/python bench/bench_check.py [--runs N] [--skip-materialised]`.
"""
from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
LECTURE = Path(sys.executable).parent / "lecture"

# The command's wall time, CPU time and peak memory, measured by a parent of its own (another
# bench's children do not count). bench_torch.py and bench_backends.py measure with it too.
MEASURE = """
import json, resource, subprocess, sys, time
start = time.perf_counter()
code = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode
children = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"seconds": time.perf_counter() - start, "code": code,
                  "cpu": children.ru_utime + children.ru_stime, "peak_mb": children.ru_maxrss / 1024}))
"""


def measure(command: list[str], env: dict | None = None) -> dict:
    output = subprocess.run([sys.executable, "-c", MEASURE, *command], capture_output=True,
                            text=True, check=True, env=env).stdout
    return json.loads(output)


def course(root: Path, weights: str) -> Path:
    shutil.copytree(REPO / "slides", root / "slides")
    text = (REPO / "pyproject.toml").read_text()
    text += f'\n[tool.lecture.check]\nweights = "{weights}"\nmemory_limit_mb = 0\ntimeout = 600\n'
    (root / "pyproject.toml").write_text(text)
    return root


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--skip-materialised", action="store_true")
    args = parser.parse_args()
    rows = {}
    with tempfile.TemporaryDirectory() as scratch:
        rows["import keras (baseline)"] = [measure([sys.executable, "-c", "import keras"])
                                           for _ in range(args.runs)]
        kinds = ["deferred"] + ([] if args.skip_materialised else ["materialised"])
        for kind in kinds:
            root = course(Path(scratch) / kind, kind)
            runs = 1 if kind == "materialised" else args.runs
            rows[f"lecture check, {kind} weights"] = [
                measure([str(LECTURE), "-C", str(root), "check", "--no-cache"]) for _ in range(runs)]
            assert all(r["code"] == 0 for r in rows[f"lecture check, {kind} weights"]), kind
        cached = course(Path(scratch) / "cached", "deferred")
        subprocess.run([str(LECTURE), "-C", str(cached), "check"], capture_output=True)
        rows["lecture check, cached (nothing changed)"] = [
            measure([str(LECTURE), "-C", str(cached), "check"]) for _ in range(args.runs)]

    print("| measure (median) | wall s | peak RSS of children MB |")
    print("|---|---:|---:|")
    medians = {}
    for name, runs in rows.items():
        seconds = statistics.median(r["seconds"] for r in runs)
        peak = statistics.median(r["peak_mb"] for r in runs)
        medians[name] = (seconds, peak)
        print(f"| {name} ({len(runs)} run{'s' if len(runs) > 1 else ''}) | {seconds:.2f} | {peak:,.0f} |")
    deferred = medians["lecture check, deferred weights"]
    baseline = medians["import keras (baseline)"]
    print(f"| deferred − import keras | {deferred[0] - baseline[0]:.2f} | |")
    if "lecture check, materialised weights" in medians:
        naive = medians["lecture check, materialised weights"]
        print(f"| materialised ÷ deferred | {naive[0] / deferred[0]:.1f}× | {naive[1] / deferred[1]:.1f}× |")


if __name__ == "__main__":
    main()
