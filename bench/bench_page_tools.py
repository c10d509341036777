"""What the page's tools cost (issue 23): the overview, search and the copy buttons.

Builds this repository's decks (without figures or notebooks) into a scratch directory, then:

- in the build: `render.pages.code_to_copy`, the copy texts of every code block of a deck
  (what `lecture check` runs of each), per deck, the median of N runs; and the bytes they add
  to the page (#lecture-code);
- in Debian's headless Chromium, N times each: the page's start-up (navigation start to the end
  of its scripts), `o` to the overview painted (every slide's tile made), and `/` to one
  search over the slides' text done (the slides read, the matches listed), in the normal view and in the presenter view.

    .venv/bin/python bench/bench_page_tools.py [--runs N]
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
CHROMIUM = os.environ.get("LECTURE_CHROMIUM", "/usr/bin/chromium")
# Targets: the overview within a frame budget a lecturer does not notice (as edit → painted,
# issue 12), a search within a keystroke's time.
OVERVIEW_TARGET_MS, SEARCH_TARGET_MS = 200, 50
STARTUP = """() => {
  const nav = performance.getEntriesByType('navigation')[0];
  return nav.domContentLoadedEventEnd - nav.startTime;
}"""
OVERVIEW = """async () => {
  const started = performance.now();
  window.dispatchEvent(new KeyboardEvent('keydown', {key: 'o', code: 'KeyO', bubbles: true}));
  await new Promise((done) => requestAnimationFrame(() => setTimeout(done, 0)));
  const took = performance.now() - started;
  const tiles = document.querySelectorAll('.lecture-tile').length;
  document.querySelector('#lecture-overview .lecture-dialog-close').click();
  return [took, tiles];
}"""
SEARCH = """(word) => {
  const started = performance.now();
  window.dispatchEvent(new KeyboardEvent('keydown', {key: '/', code: 'Slash', bubbles: true}));
  const input = document.getElementById('lecture-search-input');
  input.value = word;
  input.dispatchEvent(new Event('input'));
  const took = performance.now() - started;
  const found = document.querySelectorAll('#lecture-search [role=option]').length;
  document.querySelector('#lecture-search .lecture-dialog-close').click();
  return [took, found];
}"""


def build_cost(course: Path, runs: int) -> dict[str, tuple[float, int]]:
    """Per deck: the median ms of working out its copy texts, and the bytes they add."""
    from lecture_tool.config import load_config
    from lecture_tool.deck import read_deck
    from lecture_tool.render.pages import code_to_copy
    from lecture_tool.render.source import json_for_script

    config = load_config(course)
    costs = {}
    for path in sorted((course / "slides").glob("*.md")):
        deck = read_deck(path)
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            texts = code_to_copy(deck, config)
            times.append((time.perf_counter() - started) * 1000)
        costs[path.stem + ".html"] = (statistics.median(times), len(json_for_script(texts).encode()))
    return costs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as scratch:
        course = Path(scratch)
        shutil.copytree(REPO / "slides", course / "slides")
        shutil.copy(REPO / "pyproject.toml", course / "pyproject.toml")
        subprocess.run([sys.executable, "-m", "lecture_tool", "-C", str(course), "build"],
                       capture_output=True, check=False)
        costs = build_cost(course, args.runs)
        rows = []
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM,
                                                 args=["--no-sandbox", "--disable-gpu"])
            for name in costs:
                startup, overview, search, presenter = [], [], [], []
                for _ in range(args.runs):
                    page = browser.new_page(viewport={"width": 1280, "height": 720})
                    page.goto((course / "build" / name).as_uri())
                    page.wait_for_function("window.slideshow !== undefined")
                    page.wait_for_load_state("load")
                    startup.append(page.evaluate(STARTUP))
                    took, tiles = page.evaluate(OVERVIEW)
                    overview.append(took)
                    took, found = page.evaluate(SEARCH, "network")
                    search.append(took)
                    page.evaluate("slideshow.togglePresenterMode()")
                    took, found_notes = page.evaluate(SEARCH, "network")
                    presenter.append(took)
                    page.close()
                rows.append((name, tiles, found, found_notes,
                             statistics.median(startup), statistics.median(overview),
                             statistics.median(search), statistics.median(presenter)))
            browser.close()

    print(f"Each figure the median of {args.runs} runs, headless Chromium, this machine.\n")
    print(f"| page | copy texts ms (build) | bytes added | tiles | start-up ms | overview ms "
          f"(≤ {OVERVIEW_TARGET_MS}) | search 'network' ms (≤ {SEARCH_TARGET_MS}) | matches | "
          f"with notes ms | matches |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for name, tiles, found, found_notes, startup, overview, search, presenter in rows:
        build_ms, size = costs[name]
        print(f"| {name} | {build_ms:.1f} | {size:,} | {tiles} | {startup:.0f} | {overview:.0f} | "
              f"{search:.1f} | {found} | {presenter:.1f} | {found_notes} |")


if __name__ == "__main__":
    main()
