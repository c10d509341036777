"""Annotations (issue 23): what a saved stroke costs the build, and what a heavily drawn deck
costs the page.

On a generated course of 30 decks (bench_course.py's, about 2,000 slides): the build after one
deck's annotations changed (`annotations.save`, as `lecture serve` calls it) beside the no-op
build and the build after a Markdown edit of the same deck, medians of N runs. Then one deck
with a stroke-heavy lecture (every slide 20 strokes of 150 points, a board on every fifth): the
file's size, and in headless Chromium the page's start (load to the first slide drawn) with and
without those strokes, and the time to draw them all again (what a live update costs).

Run with `.venv/bin/python bench/bench_annotations.py [--runs N]`. Targets: a save rebuilds no
page (the deck's page keeps its bytes and its modification time), and its build is no slower
than a Markdown edit's.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))
from bench_course import make_course  # noqa: E402  the same generated course
from lecture_tool import annotations  # noqa: E402

LECTURE = [sys.executable, "-m", "lecture_tool"]


def build(root: Path) -> float:
    began = time.perf_counter()
    subprocess.run([*LECTURE, "-C", str(root), "build"], check=True, capture_output=True)
    return time.perf_counter() - began


def keys(root: Path, stem: str) -> list[str]:
    page = (root / "build" / f"{stem}.html").read_text()
    start = page.index('id="lecture-annotation-keys">') + len('id="lecture-annotation-keys">')
    return json.loads(page[start:page.index("</script>", start)])["keys"]


def strokes(rng: random.Random, count: int, points: int) -> list[dict]:
    drawn = []
    for _ in range(count):
        x, y = rng.random(), rng.random()
        line = []
        for _ in range(points):
            x, y = min(1, max(0, x + rng.uniform(-0.01, 0.01))), min(1, max(0, y + rng.uniform(-0.01, 0.01)))
            line.append([round(x, 5), round(y, 5)])
        drawn.append({"tool": rng.choice(["pen", "highlighter"]), "color": "#d62728", "width": 0.003,
                      "points": line})
    return drawn


def page_times(root: Path, stem: str, runs: int) -> tuple[float, float, float]:
    """Median load-to-drawn time of the page, time to draw every slide's strokes again, and time
    of a slide change with its strokes drawn (ten changes a page)."""
    from playwright.sync_api import sync_playwright

    chromium = os.environ.get("LECTURE_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    starts, redraws, changes = [], [], []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu"])
        for _ in range(runs):
            page = browser.new_page(viewport={"width": 1280, "height": 720})
            began = time.perf_counter()
            page.goto((root / "build" / f"{stem}.html").as_uri())
            page.wait_for_function("window.lectureAnnotate !== undefined")
            starts.append(time.perf_counter() - began)
            redraws.append(page.evaluate("""() => { const t = performance.now();
                window.lectureAnnotate.renderAll(); return (performance.now() - t) / 1000; }"""))
            changes += page.evaluate("""async () => { const times = [];
                for (let i = 0; i < 10; i++) { const t = performance.now(); slideshow.gotoNextSlide();
                  await new Promise((done) => setTimeout(done, 0)); times.push((performance.now() - t) / 1000); }
                return times; }""")
            page.close()
        browser.close()
    return statistics.median(starts), statistics.median(redraws), statistics.median(changes)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        make_course(root)
        build(root)
        build(root)
        stem, deck = "lecture-01", root / "slides" / "lecture-01.md"
        slide_keys = keys(root, stem)
        page = root / "build" / f"{stem}.html"
        noop, saved, edited, untouched = [], [], [], True
        rng = random.Random(23)
        for run in range(args.runs):
            noop.append(build(root))
            made, data = page.stat().st_mtime_ns, page.read_bytes()
            annotations.save(root / "slides", stem, json.dumps({"format": 1, "slides": {
                slide_keys[run % len(slide_keys)]: {"strokes": strokes(rng, 1, 40)}}}).encode())
            saved.append(build(root))
            untouched &= page.stat().st_mtime_ns == made and page.read_bytes() == data
            deck.write_text(deck.read_text() + f"\n\nAn edit, {run}.\n")
            edited.append(build(root))
        rows = [("no-op build", statistics.median(noop), ""),
                ("build after a save of strokes", statistics.median(saved),
                 f"page not re-rendered: {'yes' if untouched else 'NO'}"),
                ("build after a Markdown edit", statistics.median(edited), "")]
        print(f"30 decks, {args.runs} runs, medians (lecture build, a process each)\n")
        print("| what | s | note |\n|---|---:|---|")
        for what, seconds, note in rows:
            print(f"| {what} | {seconds:.3f} | {note} |")
        met = statistics.median(saved) <= statistics.median(edited) and untouched
        print(f"\ntarget: a save rebuilds no page and is no slower than an edit: {'met' if met else 'NOT met'}")

        plain = page_times(root, stem, args.runs)
        drawn = {key: {"strokes": strokes(rng, 20, 150),
                       "board": {"strokes": strokes(rng, 5, 150)} if n % 5 == 0 else None}
                 for n, key in enumerate(slide_keys)}
        annotations.save(root / "slides", stem, json.dumps({"format": 1, "slides": drawn}).encode())
        build(root)
        size = (root / "slides" / f"{stem}.annotations.json").stat().st_size
        heavy = page_times(root, stem, args.runs)
        print(f"\n{stem}: {len(slide_keys)} slides, 20 strokes of 150 points each "
              f"({len(slide_keys) * 20:,} strokes), a board on every fifth; the file {size / 1e6:.2f} MB\n")
        print("| page | load to drawn s | draw all strokes again s | slide change s |\n|---|---:|---:|---:|")
        for name, (start, redraw, change) in (("no strokes", plain), ("stroke-heavy", heavy)):
            print(f"| {name} | {start:.3f} | {redraw:.4f} | {change:.4f} |")


if __name__ == "__main__":
    main()
