"""A course of 30 decks, about 2,000 slides, generated here (math, code, lists, steps, notes,
images, content classes): `lecture --help`, the cold build (no figures or notebooks), the no-op
build and the build after one deck is edited, side by side in one run, as times and as ratios
to `--help`, each beside its target (issue 12) and whether it is met. Targets: no-op ≤ 0.3 s and
≤ 2.5× `--help`, one deck edited ≤ 0.5 s, cold ≤ 3 s. The same for this repository's one-deck
lecture (its figures and notebooks made first): its no-op build and its build after an edit.

Run with `make bench` (or `.venv/bin/python bench/bench_course.py [--runs N]`). The commands run
with this environment: where PYTHONDONTWRITEBYTECODE is set, every run compiles lecture_tool
from source, which an installed tool (whose bytecode pip compiled) never does; the table says
which. `--cached-bytecode` measures as an installed tool runs (bytecode kept in a scratch
directory, PYTHONPYCACHEPREFIX, warmed up before anything is timed).
"""
from __future__ import annotations

import argparse
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))
from conftest import copy_course  # noqa: E402  the course as the tests copy it
LECTURE = [str(Path(sys.executable).parent / "lecture")]

SLIDE_PARTS = [
    "Some text about $x_{{{n}}}$ and the loss $L(\\theta) = \\sum_i (y_i - \\hat y_i)^2$.",
    "$$\\frac{{\\partial L}}{{\\partial w_{{{n}}}}} = -2 \\sum_i x_i (y_i - w x_i)$$",
    "- a point\n- another with `code`\n- a third, **bold**",
    "```python\nmodel = Sequential([Dense({n}), Dense(10)])\nmodel.compile(loss='mse')\n```",
    ".footnote[Source: a paper from 20{n:02d}.]",
    ".left-column[\n### Left\nText $a^{{{n}}}$\n]\n.right-column[\n![](images/figure-{n}.png)\n]",
    "| a | b |\n|---|---|\n| {n} | $b_{{{n}}}$ |",
    "> A quotation, number {n}.",
]


def make_course(root: Path, decks: int = 30, slides: int = 66, seed: int = 7) -> None:
    rng = random.Random(seed)
    (root / "slides" / "images").mkdir(parents=True)
    (root / "pyproject.toml").write_text('[tool.lecture]\ntitle = "A large course"\n')
    for n in range(20):
        (root / "slides" / "images" / f"figure-{n}.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    for d in range(decks):
        parts = [f"class: center, middle\ntitle: Lecture {d + 1}\n\n# Lecture {d + 1}"]
        for s in range(slides - 1):
            separator = "--" if s % 5 == 4 else "---"
            body = "\n\n".join(rng.choice(SLIDE_PARTS).format(n=rng.randrange(20))
                               for _ in range(rng.randint(1, 3)))
            notes = f"\n\n???\n\nSay something about slide {s}." if s % 3 == 0 else ""
            title = "" if separator == "--" else f"## Topic {s}\n\n"
            parts.append(f"{separator}\n\n{title}{body}{notes}")
        (root / "slides" / f"lecture-{d + 1:02d}.md").write_text("\n\n".join(parts) + "\n")


# name: (at most seconds, at most × `--help`)
TARGETS = {"--help": (0.2, None), "cold": (3.0, None), "no-op": (0.3, 2.5), "edited": (0.5, None)}


def verdict(target: tuple[float | None, float | None], median: float, ratio: float) -> tuple[str, str]:
    seconds, times = target
    wanted = " and ".join(part for part in (seconds and f"≤ {seconds} s", times and f"≤ {times}×") if part)
    met = (seconds is None or median <= seconds) and (times is None or ratio <= times)
    return wanted, "yes" if met else "**no**"


def run_once(command: list[str], before=None) -> tuple[float, float]:
    """Wall-clock seconds, and the CPU seconds the command used (which a busy machine does not
    stretch as it stretches the wall clock)."""
    if before:
        before()
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(command, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    now = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, now.ru_utime + now.ru_stime - used.ru_utime - used.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--cached-bytecode", action="store_true",
                        help="Run the commands as an installed tool runs: with compiled bytecode.")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        if args.cached_bytecode:
            os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
            os.environ["PYTHONPYCACHEPREFIX"] = str(Path(scratch) / "pycache")
        course = Path(scratch) / "course"
        make_course(course)
        slides = sum(p.read_text().count("\n---\n") + p.read_text().count("\n--\n") + 1
                     for p in (course / "slides").glob("*.md"))
        lecture = [*LECTURE, "-C", str(course)]
        # Untimed: the bytecode (if kept), the page templates' compiled cache and the OS's file
        # cache are then as they are for a lecturer's second build of the day.
        subprocess.run([*lecture, "build"], check=False, capture_output=True)
        wipe = lambda: shutil.rmtree(course / "build", ignore_errors=True)  # noqa: E731
        cold = [run_once([*lecture, "build"], wipe) for _ in range(max(2, args.runs // 3))]

        one = Path(scratch) / "lecture3"
        copy_course(one)
        subprocess.run([*LECTURE, "-C", str(one), "build"], check=False, capture_output=True)

        deck = course / "slides" / "lecture-07.md"
        text = deck.read_text()
        lecture3 = one / "slides" / "lecture3-neural-networks.md"
        original = lecture3.read_text()
        edits = iter(range(10_000))
        # Round after round, each measure once: a machine that gets busier or quieter meanwhile
        # changes every measure of a round alike, and the ratios to `--help` hold.
        measures = {
            "`lecture --help`": ([*LECTURE, "--help"], None, "--help"),
            "no-op build, 30 decks": ([*lecture, "build"], None, "no-op"),
            "one deck edited, 30 decks": ([*lecture, "build"],
                                          lambda: deck.write_text(text + f"\n---\n\n# Edit {next(edits)}\n"),
                                          "edited"),
            "no-op build, lecture 3": ([*LECTURE, "-C", str(one), "build"], None, "no-op"),
            "one deck edited, lecture 3": ([*LECTURE, "-C", str(one), "build"],
                                           lambda: lecture3.write_text(original + f"\n<!-- {next(edits)} -->\n"),
                                           "edited"),
        }
        found: dict[str, list[tuple[float, float]]] = {name: [] for name in measures}
        for _ in range(args.runs):
            for name, (command, before, _target) in measures.items():
                found[name].append(run_once(command, before))
    bytecode = ("compiled from source on every run (PYTHONDONTWRITEBYTECODE)"
                if os.environ.get("PYTHONDONTWRITEBYTECODE") else "cached, as an installed tool")
    print(f"30 decks, {slides:,} slides; lecture_tool's bytecode: {bytecode}; {args.runs} rounds\n")
    print("| | median | min | CPU, median | × `--help` (median of the rounds) | target | met |")
    print("|---|---|---|---|---|---|---|")
    helps = [wall for wall, _ in found["`lecture --help`"]]
    rows = [("cold build, 30 decks", cold, "cold", None)]
    rows += [(name, times, measures[name][2], statistics.median(
        wall / base for (wall, _), base in zip(times, helps))) for name, times in found.items()]
    for name, times, target, ratio in rows:
        walls, cpus = [wall for wall, _ in times], [cpu for _, cpu in times]
        median = statistics.median(walls)
        ratio = ratio if ratio is not None else median / statistics.median(helps)
        wanted, met = verdict(TARGETS[target], median, ratio)
        print(f"| {name} | {median:.3f} s | {min(walls):.3f} s | {statistics.median(cpus):.3f} s | "
              f"{ratio:.1f}× | {wanted} | {met} |")


if __name__ == "__main__":
    main()
