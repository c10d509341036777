"""A course of 30 decks, about 2,000 slides, generated here (math, code, lists, steps, notes,
images, content classes): `lecture --help`, the cold build (no figures or notebooks), the no-op
build and the build after one deck is edited, side by side in one run, as times and as ratios
to `--help`. Targets: no-op ≤ 0.3 s and ≤ 2.5× `--help`, one deck edited ≤ 0.5 s, cold ≤ 3 s.
The same for this repository's one-deck lecture (its figures and notebooks made first).

Run with `make bench` (or `.venv/bin/python bench/bench_course.py [--runs N]`).
"""
from __future__ import annotations

import argparse
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from bench_build import timed  # one way to time a command, for every bench

REPO = Path(__file__).resolve().parent.parent
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as scratch:
        course = Path(scratch) / "course"
        make_course(course)
        slides = sum(p.read_text().count("\n---\n") + p.read_text().count("\n--\n") + 1
                     for p in (course / "slides").glob("*.md"))
        lecture = [*LECTURE, "-C", str(course)]
        help_times = timed([*LECTURE, "--help"], args.runs)
        wipe = lambda: shutil.rmtree(course / "build", ignore_errors=True)  # noqa: E731
        rows.append(("cold build, 30 decks", timed([*lecture, "build"], max(2, args.runs // 3), wipe), "≤ 3 s"))
        rows.append(("no-op build, 30 decks", timed([*lecture, "build"], args.runs), "≤ 0.3 s, ≤ 2.5×"))
        deck = course / "slides" / "lecture-07.md"
        text = deck.read_text()
        edits = iter(range(10_000))
        edit = lambda: deck.write_text(text + f"\n---\n\n# Edit {next(edits)}\n")  # noqa: E731
        rows.append(("one deck edited, 30 decks", timed([*lecture, "build"], args.runs, edit), "≤ 0.5 s"))

        one = Path(scratch) / "lecture3"
        shutil.copytree(REPO / "slides", one / "slides")
        shutil.copytree(REPO / "figures_src", one / "figures_src", ignore=shutil.ignore_patterns("__pycache__"))
        shutil.copytree(REPO / "notebooks", one / "notebooks")
        shutil.copy(REPO / "pyproject.toml", one / "pyproject.toml")
        subprocess.run([*LECTURE, "-C", str(one), "build"], check=False, capture_output=True)
        rows.append(("no-op build, lecture 3", timed([*LECTURE, "-C", str(one), "build"], args.runs),
                     "≤ 0.3 s, ≤ 2.5×"))
    base = statistics.median(help_times)
    print(f"30 decks, {slides:,} slides\n")
    print("| | median | min | × `--help` | target |")
    print("|---|---|---|---|---|")
    print(f"| `lecture --help` | {base:.3f} s | {min(help_times):.3f} s | 1.0× | ≤ 0.2 s |")
    for name, times, target in rows:
        median = statistics.median(times)
        print(f"| {name} | {median:.3f} s | {min(times):.3f} s | {median / base:.1f}× | {target} |")


if __name__ == "__main__":
    main()
