"""`lecture pdf` against decktape, side by side in one run, and a 1,000-slide deck.

Run with `.venv/bin/python bench/bench_pdf.py [--runs N] [--slides N]`. Works on a
scratch copy of the course: lecture 3 is built first (figures, no notebooks: a PDF links them
and does not show them), then printed
- by `lecture pdf --force` (a cold print: Chromium started, the deck loaded and printed);
- by decktape 3.16.1 (`decktape remark URL out.pdf`), which this script installs from npm into a
  scratch directory, not as a dependency of the tool. Its own Chromium download cannot work
  here, so it is skipped (PUPPETEER_SKIP_DOWNLOAD) and decktape drives the same Chromium as
  `lecture pdf`. With `--pause 0`, in turn with `lecture pdf` (so that both meet the same load
  on a shared machine), and once with its defaults (a pause of 1 s per slide);
- by `lecture pdf` again with nothing changed (the cache);
and a generated 1,000-slide deck (math, code, `--` steps) is printed, with the peak memory of
the whole process tree (`lecture` and every Chromium process), sampled from /proc.
Prints a Markdown table. Targets: ≥ 5x faster than decktape with the same page count; a cached
run ≤ 0.3 s.
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))
from conftest import copy_course  # noqa: E402  the course as the tests copy it
LECTURE = [sys.executable, "-m", "lecture_tool"]
DECKTAPE = "decktape@3.16.1"
DECK = "lecture3-neural-networks"


def chromium() -> str:
    found = (os.environ.get("LECTURE_CHROMIUM") or shutil.which("chromium")
             or shutil.which("google-chrome"))
    if not found:
        sys.exit("no Chromium: apt-get install chromium, or set LECTURE_CHROMIUM")
    return found


def pages(pdf: Path) -> int:
    from pypdf import PdfReader

    return len(PdfReader(pdf).pages)


def timed(command: list[str], runs: int = 1, env: dict | None = None, cwd: Path | None = None,
          before=None) -> list[float]:
    times = []
    for _ in range(runs):
        if before:
            before()
        start = time.perf_counter()
        done = subprocess.run(command, env=env, cwd=cwd, capture_output=True, text=True)
        times.append(time.perf_counter() - start)
        if done.returncode != 0:
            sys.exit(f"{' '.join(command)} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return times


class TreeMemory:
    """The peak memory of a process and all its descendants, sampled from /proc every 50 ms:
    the sum of their PSS (shared pages divided among the processes that share them, so the
    Chromium processes are not counted many times over) and the sum of their RSS."""

    def __init__(self, pid: int):
        self.pid = pid
        self.peak_pss = self.peak_rss = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(0.05):
            pss = rss = 0
            for pid in self._tree():
                kb = _rollup(pid)
                pss += kb.get("Pss", 0)
                rss += kb.get("Rss", 0)
            self.peak_pss, self.peak_rss = max(self.peak_pss, pss), max(self.peak_rss, rss)

    def _tree(self) -> set[int]:
        parents = {}
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    stat = Path(f"/proc/{entry}/stat").read_text()
                except OSError:
                    continue
                parents[int(entry)] = int(stat.rsplit(")", 1)[1].split()[1])
        tree, grew = {self.pid}, True
        while grew:
            more = {pid for pid, parent in parents.items() if parent in tree} - tree
            tree |= more
            grew = bool(more)
        return tree


def _rollup(pid: int) -> dict[str, int]:
    found = {}
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            name, _, value = line.partition(":")
            if value.strip().endswith("kB"):
                found[name] = int(value.split()[0])
    except (OSError, ValueError):
        pass
    return found


def build(course: Path, *decks: str) -> None:
    """`lecture build` of the decks named (default: all), with the figures and without the
    notebooks: a PDF shows the figures and only links the notebooks."""
    script = ("import sys; from pathlib import Path; from lecture_tool.commands.build import build; "
              "from lecture_tool.config import load_config; config = load_config(Path(sys.argv[1])); "
              "only = [config.deck_named(name) for name in sys.argv[2:]] or None; "
              "result = build(config, only, notebooks=False); "
              "[print(d.format(config.root), file=sys.stderr) for d in result.diagnostics]; "
              "sys.exit(result.failed(False))")
    done = subprocess.run([sys.executable, "-c", script, str(course), *decks], capture_output=True,
                          text=True)
    if done.returncode != 0:
        sys.exit(f"the build failed:\n{done.stderr[-3000:]}")


def big_deck(slides: int) -> str:
    parts = []
    for n in range(1, slides + 1):
        if n % 10 == 3:
            parts.append(f"# Slide {n}\n\nA first point\n\n--\n\nA second point, $x_{n} = {n}$")
        elif n % 10 == 5:
            parts.append(f"# Slide {n}\n\n```python\ndef f(x):\n    return x * {n}\n```\n\n???\n\nNotes {n}.")
        else:
            loss = f"$L = \\frac{{1}}{{{n}}}\\sum_i (y_i - \\hat y_i)^2$"
            parts.append(f"# Slide {n}\n\nThe loss is {loss}.\n\n- one\n- two\n- three")
    return "\n\n---\n\n".join(parts) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3, help="cold `lecture pdf` runs (median)")
    parser.add_argument("--slides", type=int, default=1000, help="slides of the generated deck")
    args = parser.parse_args()
    browser = chromium()
    env = dict(os.environ, LECTURE_CHROMIUM=browser)

    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        course = scratch / "course"
        copy_course(course)
        print("building lecture 3 (figures, no notebooks)...", file=sys.stderr)
        build(course)
        outline = subprocess.run([*LECTURE, "-C", str(course), "outline", DECK, "--json"],
                                 capture_output=True, text=True, check=True).stdout
        import json

        slide_count = json.loads(outline)["slide_count"]

        print("installing decktape 3.16.1 from npm...", file=sys.stderr)
        tools = scratch / "decktape"
        tools.mkdir()
        npm_env = dict(os.environ, PUPPETEER_SKIP_DOWNLOAD="1", PUPPETEER_SKIP_CHROMIUM_DOWNLOAD="1")
        subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--loglevel=error", DECKTAPE],
                       cwd=tools, env=npm_env, check=True, capture_output=True)
        decktape = [str(tools / "node_modules/.bin/decktape"), "remark"]
        chrome = ["--chrome-path", browser, "--chrome-arg=--no-sandbox", "--chrome-arg=--disable-gpu"]
        url = (course / "build" / f"{DECK}.html").as_uri()

        print("printing...", file=sys.stderr)
        lecture = [*LECTURE, "-C", str(course), "pdf", DECK]
        default_out, fast_out = scratch / "decktape-default.pdf", scratch / "decktape-fast.pdf"
        # Turn about, so that both meet the same load on a shared machine.
        ours, fast = [], []
        for _ in range(args.runs):
            ours += timed(lecture + ["--force"], env=env)
            fast += timed([*decktape, "--pause", "0", *chrome, url, str(fast_out)], env=env)
        our_pages = pages(course / "build/pdf" / f"{DECK}.pdf")
        theirs_default = timed([*decktape, *chrome, url, str(default_out)], env=env)[0]
        theirs_fast = statistics.median(fast)
        default_pages, fast_pages = pages(default_out), pages(fast_out)
        print(f"lecture pdf {ours}, decktape {theirs_default:.1f} s and {fast}",
              file=sys.stderr)
        cached = timed(lecture, 5, env=env)
        handout = timed(lecture + ["--handout"], env=env)[0]  # slides cached, handout printed
        handout_pages = pages(course / "build/pdf" / f"{DECK}-handout.pdf")

        print(f"printing a {args.slides}-slide deck...", file=sys.stderr)
        (course / "slides/big.md").write_text(big_deck(args.slides))
        build(course, "big")
        start = time.perf_counter()
        process = subprocess.Popen([*LECTURE, "-C", str(course), "pdf", "big", "--force"], env=env,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        memory = TreeMemory(process.pid)
        _, errors = process.communicate()
        big_seconds = time.perf_counter() - start
        memory.stop()
        if process.returncode != 0:
            sys.exit(f"lecture pdf big failed:\n{errors[-3000:]}")
        big_pages = pages(course / "build/pdf/big.pdf")
        big_slides = json.loads(subprocess.run([*LECTURE, "-C", str(course), "outline", "big", "--json"],
                                               capture_output=True, text=True).stdout)["slide_count"]

    ours_median = statistics.median(ours)
    rows = [
        (f"`lecture pdf --force` lecture 3 (Chromium start included; median of {args.runs})",
         our_pages, f"{ours_median:.2f} s", "1×", ""),
        ("decktape 3.16.1 `remark`, its defaults (1 s pause a slide)", default_pages,
         f"{theirs_default:.2f} s", f"{theirs_default / ours_median:.1f}× slower", "≥ 5×"),
        (f"decktape 3.16.1 `remark --pause 0` (median of {args.runs}, in turn with the above)",
         fast_pages, f"{theirs_fast:.2f} s",
         f"{theirs_fast / ours_median:.1f}× slower", "≥ 5×"),
        ("`lecture pdf` lecture 3, nothing changed (cache; median of 5)", "–",
         f"{statistics.median(cached):.3f} s", "", "≤ 0.30 s"),
        ("`lecture pdf --handout` after it (slides cached, handout printed)", handout_pages,
         f"{handout:.2f} s", "", ""),
        (f"`lecture pdf` generated {args.slides}-slide deck ({big_slides} with steps), cold",
         big_pages, f"{big_seconds:.2f} s",
         f"peak memory {memory.peak_pss / 1024:.0f} MB PSS ({memory.peak_rss / 1024:.0f} MB RSS)", ""),
    ]
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(f"lecture 3: {slide_count} slides as `lecture outline` counts them (steps included); "
          f"{os.cpu_count()} cores, load average at the end {load}\n")
    print("| run | pages | wall time | compared | target |")
    print("|---|---:|---:|---|---|")
    for name, count, seconds, compared, target in rows:
        print(f"| {name} | {count} | {seconds} | {compared} | {target} |")


if __name__ == "__main__":
    main()
