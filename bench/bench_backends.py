"""Keras on TensorFlow, JAX and PyTorch side by side, in one run: `import keras` alone, a cold
`lecture check` of lecture 3, and the seed's VGG-16 and its 922M-parameter Dense layer counted
with deferred weights (wall time and the peak resident memory of the processes each started);
then what each extra adds to a venv.

The check's own cache is bypassed (`--no-cache`) and notebooks are not run (`--no-notebooks`);
the figure script whose recorded values lecture 3 states runs once per backend before the timed
runs (its results are cached by backend), so each timed run is the deck's blocks and claims
from a new worker: the import of Keras on that backend, then the models. The backends take turns
run after run, so that a machine that gets busier midway slows them alike, and the CPU time of
the processes each run started is printed beside its wall time: on a shared machine the wall
time of one run may double while its CPU time stays. Target (issue 25): lecture 3 on JAX ≤ 0.5×
its time on TensorFlow.

TensorFlow's own import (its `tf.lite` part) imports JAX when JAX is installed, as it is in the
test set-up: TensorFlow's times here include JAX's import, which a venv with only `[keras]` does
not pay.

An extra's size is the files of every distribution it brings (its requirements, and theirs), as
importlib.metadata lists them in this venv: a distribution two extras share counts in both.
`[torch]` is PyTorch and what it requires.

Run with `.venv/bin/python bench/bench_backends.py [--runs N]`; it prints the machine's load
average before and after, since the machine may be shared.
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import tomllib
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement

from bench_check import measure as measure_command  # this directory is on sys.path

REPO = Path(__file__).resolve().parent.parent
LECTURE = Path(sys.executable).parent / "lecture"
BACKENDS = ("tensorflow", "jax", "torch")
EXTRAS = ("figures", "keras", "jax", "torch", "notebooks", "pdf")

# The seed's two largest counts, written for today's Keras as lecture 3 has them.
SEED = """# The 922M Dense layer

```python
x = Input((640, 480, 3), dtype='float32')
x = Flatten()(x)
z = Dense(1000)(x)
```

922M <!-- check: params(z) = 922M -->

---

# VGG-16

```python
conv = dict(kernel_size=3, activation='relu', padding='same')
model = Sequential([
    Input(shape=(224, 224, 3)),
    Conv2D(64, **conv), Conv2D(64, **conv), MaxPool2D(2, strides=2),
    Conv2D(128, **conv), Conv2D(128, **conv), MaxPool2D(2, strides=2),
    Conv2D(256, **conv), Conv2D(256, **conv), Conv2D(256, **conv), MaxPool2D(2, strides=2),
    Conv2D(512, **conv), Conv2D(512, **conv), Conv2D(512, **conv), MaxPool2D(2, strides=2),
    Conv2D(512, **conv), Conv2D(512, **conv), Conv2D(512, **conv), MaxPool2D(2, strides=2),
    Flatten(),
    Dense(4096, activation='relu'), Dropout(0.5),
    Dense(4096, activation='relu'), Dropout(0.5),
    Dense(1000, activation='softmax'),
])
```

138,357,544 <!-- check: params(model) = 138,357,544 -->
"""


def measure(command: list[str], backend: str) -> dict:
    return measure_command(command, env=dict(os.environ, KERAS_BACKEND=backend))


def course(root: Path, backend: str, seed: bool) -> Path:
    """Lecture 3 (or the seed's counts) as a course of its own on `backend`, no limits."""
    if seed:
        (root / "slides").mkdir(parents=True)
        (root / "slides" / "seed.md").write_text(SEED)
    else:
        shutil.copytree(REPO / "slides", root / "slides")
        shutil.copytree(REPO / "figures_src", root / "figures_src",
                        ignore=shutil.ignore_patterns("__pycache__"))
    text = (REPO / "pyproject.toml").read_text()
    text = text.replace("[tool.lecture]\n", f'[tool.lecture]\nkeras_backend = "{backend}"\n', 1)
    text += "\n[tool.lecture.check]\nmemory_limit_mb = 0\ntimeout = 600\n"
    (root / "pyproject.toml").write_text(text)
    return root


def check_command(root: Path) -> list[str]:
    return [str(LECTURE), "-C", str(root), "check", "--no-cache", "--no-notebooks"]


def requirements_of(extra: str) -> list[Requirement]:
    """The requirements an extra of this checkout's pyproject.toml names ([torch]: torch)."""
    extras = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    return [Requirement(text) for text in extras.get(extra, ["torch"])]


def closure(requirements: list[Requirement]) -> dict[str, metadata.Distribution]:
    """Every installed distribution the requirements bring, by normalised name."""
    found: dict[str, metadata.Distribution] = {}
    todo = [(req, "") for req in requirements]
    while todo:
        req, extra = todo.pop()
        if req.marker and not req.marker.evaluate({"extra": extra}):
            continue
        name = re.sub(r"[-_.]+", "-", req.name).lower()
        if name == "lecture-tool":  # [course] names the other extras through the tool itself
            todo += [(r, "") for wanted in req.extras for r in requirements_of(wanted)]
            continue
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue  # not for this platform, or not installed: counts nothing
        if name in found:
            continue
        found[name] = dist
        for text in dist.requires or []:
            for wanted in ("", *req.extras):
                todo.append((Requirement(text), wanted))
    return found


def size_mb(dist: metadata.Distribution) -> float:
    total = 0
    for file in dist.files or []:
        try:
            total += dist.locate_file(file).stat().st_size
        except OSError:
            pass
    return total / 1e6


def load() -> str:
    return ", ".join(f"{x:.1f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3, help="runs of each measure, taking turns")
    args = parser.parse_args()
    print(f"load average (1, 5, 15 min) before: {load()} on {os.cpu_count()} cores")
    rows: dict[tuple[str, str], list[dict]] = {}
    with tempfile.TemporaryDirectory() as scratch:
        roots = {(b, kind): course(Path(scratch) / f"{b}-{kind}", b, seed=kind == "seed")
                 for b in BACKENDS for kind in ("lecture3", "seed")}
        for b in BACKENDS:  # the figure lecture 3 quotes, made once on each backend
            subprocess.run([str(LECTURE), "-C", str(roots[b, "lecture3"]), "check",
                            "--no-notebooks"], capture_output=True, env=dict(os.environ))
        for _ in range(args.runs):
            for b in BACKENDS:
                rows.setdefault((b, "import"), []).append(
                    measure([sys.executable, "-c", "import keras"], b))
                for kind in ("lecture3", "seed"):
                    rows.setdefault((b, kind), []).append(measure(check_command(roots[b, kind]), b))

    def median(b: str, kind: str, key: str) -> float:
        return statistics.median(r[key] for r in rows[b, kind])

    failed = sorted({f"{b} {kind}" for (b, kind), runs in rows.items() if kind != "import"
                     and any(r["code"] != 0 for r in runs)})

    def ratio(b: str, kind: str, key: str) -> float:
        return median(b, kind, key) / median("tensorflow", kind, key)

    print(f"\n| backend ({args.runs} run{'s' * (args.runs > 1)}, medians) | import keras s (CPU s) "
          "| lecture 3 cold check s (CPU s) | × TensorFlow wall (CPU) | peak MB "
          "| seed VGG-16 + 922M Dense s (CPU s) | peak MB |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for b in BACKENDS:
        print(f"| {b} | {median(b, 'import', 'seconds'):.2f} ({median(b, 'import', 'cpu'):.2f}) "
              f"| {median(b, 'lecture3', 'seconds'):.2f} ({median(b, 'lecture3', 'cpu'):.2f}) "
              f"| {ratio(b, 'lecture3', 'seconds'):.2f} ({ratio(b, 'lecture3', 'cpu'):.2f}) "
              f"| {median(b, 'lecture3', 'peak_mb'):,.0f} "
              f"| {median(b, 'seed', 'seconds'):.2f} ({median(b, 'seed', 'cpu'):.2f}) "
              f"| {median(b, 'seed', 'peak_mb'):,.0f} |")
    if failed:
        print(f"\nlecture check FAILED (its time is not a check's): {', '.join(failed)}")
    jax = ratio("jax", "lecture3", "seconds")
    print(f"\nlecture 3 on JAX: {jax:.2f}× TensorFlow's wall time, "
          f"{ratio('jax', 'lecture3', 'cpu'):.2f}× its CPU time "
          f"(target ≤ 0.5: {'met' if jax <= 0.5 else 'NOT met'})")

    print("\n| extra | distributions | MB in the venv | the largest |")
    print("|---|---:|---:|---|")
    for extra in EXTRAS:
        dists = closure(requirements_of(extra))
        sizes = sorted(((size_mb(d), name) for name, d in dists.items()), reverse=True)
        largest = ", ".join(f"{name} {mb:,.0f}" for mb, name in sizes[:3])
        print(f"| [{extra}] | {len(dists)} | {sum(mb for mb, _ in sizes):,.0f} | {largest} |")
    print(f"\nload average after: {load()}")


if __name__ == "__main__":
    main()
