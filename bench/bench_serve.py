"""`lecture serve`: from saving a Markdown edit to the new text painted in Chromium.

Starts `lecture serve` on a scratch copy of the course, opens the lecture deck in Debian's headless
Chromium on slide 6, then edits that slide's title N times (default 20) and measures, for each
edit, the time from the file write to the first animation frame that shows the new title, beside
its target (≤ 200 ms median, issue 12). Where that time goes: from the write to the page's fetch of
the new deck (the watcher's debounce, the server's rebuild, the event to the browser), the fetch
itself, and from the response to the frame (remark and KaTeX in the page); the fetch's times are
the page's own (Resource Timing), on the same clock as the write. Also reports the server's own
rebuild times (its log) for a Markdown edit and for the first, full build.
Run with `.venv/bin/python bench/bench_serve.py [--edits N]`.
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("LECTURE_CHROMIUM", "/usr/bin/chromium")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--edits", type=int, default=20)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as scratch:
        course = Path(scratch)
        shutil.copytree(REPO / "slides", course / "slides")
        shutil.copytree(REPO / "figures_src", course / "figures_src",
                        ignore=shutil.ignore_patterns("__pycache__"))
        shutil.copy(REPO / "pyproject.toml", course / "pyproject.toml")
        server = subprocess.Popen([sys.executable, "-m", "lecture_tool", "-C", str(course), "serve",
                                   "--port", "0"], stderr=subprocess.PIPE, text=True)
        lines: list[str] = []
        threading.Thread(target=lambda: lines.extend(l.rstrip() for l in server.stderr),
                         daemon=True).start()
        while not any("serving" in l for l in lines):
            time.sleep(0.05)
        url = re.search(r"at (http://\S+)", next(l for l in lines if "serving" in l)).group(1)
        deck = course / "slides" / "lecture3-neural-networks.md"
        original = deck.read_text()
        latencies, to_fetch, fetching, to_paint = [], [], [], []
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=[
                "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
            page = browser.new_page(viewport={"width": 1280, "height": 720})
            page.goto(url + "lecture3-neural-networks.html#6")
            page.wait_for_function("window.slideshow && slideshow.getCurrentSlideIndex() === 5")
            page.wait_for_timeout(500)  # the event stream is connected
            for edit in range(args.edits):
                marker = f"edit{edit}x"
                text = original.replace("# The Softmax", f"# The Softmax {marker}", 1)
                page.evaluate("performance.clearResourceTimings()")
                written_at = time.time() * 1000
                started = time.perf_counter()
                deck.write_text(text)
                page.wait_for_function(
                    "(m) => document.querySelector('.remark-visible h1').textContent.includes(m)",
                    arg=marker, polling="raf", timeout=10_000)
                latency = time.perf_counter() - started
                latencies.append(latency)
                fetch = page.evaluate("""() => {
                    const found = performance.getEntriesByType('resource')
                        .filter(e => e.name.includes('lecture3-neural-networks.html'));
                    const e = found[found.length - 1];
                    return e && [performance.timeOrigin + e.startTime, e.duration];
                }""")
                if fetch:
                    to_fetch.append(fetch[0] - written_at)
                    fetching.append(fetch[1])
                    to_paint.append(latency * 1000 - (fetch[0] - written_at) - fetch[1])
                page.wait_for_timeout(250)
            browser.close()
        server.send_signal(signal.SIGTERM)  # as Ctrl-C, also where a background job ignores SIGINT
        server.wait(timeout=20)

    rebuilds = [float(m.group(1)) for l in lines
                if "lecture3-neural-networks.md changed" in l
                and (m := re.search(r"rebuilt in ([\d.]+) s", l))]
    full = [float(m.group(1)) for l in lines
            if l.startswith("built the course") and (m := re.search(r"rebuilt in ([\d.]+) s", l))]
    ordered = sorted(latencies)
    p90 = ordered[max(0, int(round(0.9 * len(ordered))) - 1)]
    median = statistics.median(latencies) * 1000
    print(f"| measure ({args.edits} edits) | ms | target | met |")
    print("|---|---:|---|---|")
    print(f"| edit → painted, median | {median:.0f} | ≤ 200 | {'yes' if median <= 200 else '**no**'} |")
    print(f"| edit → painted, p90 | {p90 * 1000:.0f} | | |")
    print(f"| edit → painted, max | {max(latencies) * 1000:.0f} | | |")
    if to_fetch:
        print(f"| of which write → page fetches the deck (debounce, rebuild, event), median | "
              f"{statistics.median(to_fetch):.0f} | | |")
        print(f"| of which the fetch, median | {statistics.median(fetching):.0f} | | |")
        print(f"| of which response → painted (remark, KaTeX, frame), median | "
              f"{statistics.median(to_paint):.0f} | | |")
    print(f"| server rebuild after a Markdown edit, median | {statistics.median(rebuilds) * 1000:.0f} | | |")
    print(f"| first full build (figures cold) | {full[0] * 1000:.0f} | | |")


if __name__ == "__main__":
    main()
