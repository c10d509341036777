"""A PyTorch deck's cold `lecture check` beside `python -c "import torch"`, and what PyTorch adds
to the environment.

The deck is `tests/samples/torch/models.md` (LeNet-5, VGG-16, a ResNet basic block, a
1B-parameter nn.Linear; shapes and counts on the meta device, a softmax and a training step on
real tensors). Each run is a fresh process, the two alternating so that both meet the same
machine; `--no-cache` makes every check cold. Target: the check ≤ 1.3× the import.
The size is that of the installed files (importlib.metadata's RECORD) of torch and of the
packages only torch needs here.
Run with `.venv/bin/python bench/bench_torch.py [--runs N]`.
"""
from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
from importlib import metadata
from pathlib import Path

from bench_check import measure  # this directory is on sys.path: the script's own

REPO = Path(__file__).resolve().parent.parent
LECTURE = Path(sys.executable).parent / "lecture"
DECK = REPO / "tests" / "samples" / "torch" / "models.md"
TARGET = 1.3


def course(root: Path) -> Path:
    (root / "slides").mkdir(parents=True)
    (root / "slides" / "models.md").write_text(DECK.read_text())
    (root / "pyproject.toml").write_text(
        '[tool.lecture]\ntitle = "PyTorch"\n[tool.lecture.remark]\nhighlightLanguage = "python"\n'
        "[tool.lecture.check]\ntimeout = 600\n")
    return root


def _name(requirement: str) -> str:
    return re.split(r"[\s<>=!~;\[(]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def torch_footprint() -> list[tuple[str, int]]:
    """(distribution, bytes) for torch and each dependency that no other installed package needs."""
    needs: dict[str, set[str]] = {}
    for dist in metadata.distributions():
        needs[dist.metadata["Name"].lower().replace("_", "-")] = {
            _name(r) for r in dist.requires or [] if "extra ==" not in r}
    brought, todo = set(), ["torch"]
    while todo:
        name = todo.pop()
        if name in brought or name not in needs:
            continue
        brought.add(name)
        todo += needs[name]
    only_torch = {name for name in brought
                  if not any(name in required for other, required in needs.items()
                             if other not in brought)}
    sizes = []
    for name in sorted(only_torch, key=lambda n: (n != "torch", n)):
        files = metadata.distribution(name).files or []
        sizes.append((name, sum(f.locate().stat().st_size for f in files if f.locate().is_file())))
    return sizes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    # The meta device's first elementwise op (a Python reference kernel, wrapped by
    # torch._disable_dynamo) imports torch._dynamo: the second row is what that costs.
    dynamo = 'python -c "import torch, torch._dynamo"'
    rows: dict[str, list[dict]] = {'python -c "import torch"': [], dynamo: [],
                                   "lecture check --no-cache": []}
    with tempfile.TemporaryDirectory() as scratch:
        root = course(Path(scratch) / "course")
        for _ in range(args.runs):
            rows['python -c "import torch"'].append(measure([sys.executable, "-c", "import torch"]))
            rows[dynamo].append(measure([sys.executable, "-c", "import torch, torch._dynamo"]))
            run = measure([str(LECTURE), "-C", str(root), "check", "--no-cache"])
            assert run["code"] == 0, "the sample deck's check failed"
            rows["lecture check --no-cache"].append(run)

    print(f"PyTorch {metadata.version('torch')}, {args.runs} runs each, alternating; medians.\n")
    print("| measure | wall s | peak RSS of children MB |")
    print("|---|---:|---:|")
    medians = {}
    for name, runs in rows.items():
        medians[name] = statistics.median(r["seconds"] for r in runs)
        peak = statistics.median(r["peak_mb"] for r in runs)
        print(f"| {name} | {medians[name]:.2f} | {peak:,.0f} |")
    ratio = medians["lecture check --no-cache"] / medians['python -c "import torch"']
    print(f"| check ÷ import | {ratio:.2f}× (target ≤ {TARGET}×: "
          f"{'met' if ratio <= TARGET else 'not met'}) | |")

    print("\n| installed with [torch] | MB |")
    print("|---|---:|")
    footprint = torch_footprint()
    for name, size in footprint:
        print(f"| {name} | {size / 1e6:,.1f} |")
    print(f"| all | {sum(size for _, size in footprint) / 1e6:,.1f} |")


if __name__ == "__main__":
    main()
