"""`lecture serve --check`: from saving a deck to the check's result in the terminal (and the
overlay), with the snippet worker kept warm between edits, over several edits of a Keras deck.
Target: ≤ 1 s. Prints a Markdown table.

Run with `make bench` (or `.venv/bin/python bench/bench_serve_check.py [--edits N]`).
"""
from __future__ import annotations

import argparse
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

DECK = ("# Model\n\n```python\nmodel = Sequential([Input(shape=(784,)), Dense(64), Dense(10)])\n"
        "```\n\nIt has {n} parameters.\n<!-- check: params(model) = {n} -->\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--edits", type=int, default=8)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        course = Path(scratch)
        (course / "slides").mkdir()
        (course / "pyproject.toml").write_text('[tool.lecture]\n[tool.lecture.remark]\nhighlightLanguage = "python"\n')
        deck = course / "slides" / "deck.md"
        deck.write_text(DECK.format(n="50,890"))
        process = subprocess.Popen([sys.executable, "-m", "lecture_tool", "-C", str(course), "serve",
                                    "--port", "0", "--check"], stderr=subprocess.PIPE, text=True)
        lines: list[tuple[float, str]] = []
        threading.Thread(target=lambda: [lines.append((time.monotonic(), l)) for l in process.stderr],
                         daemon=True).start()

        def wait(pattern: str, after: float) -> float:
            while True:
                for at, line in list(lines):
                    if at >= after and re.search(pattern, line):
                        return at
                time.sleep(0.005)

        first_start = time.monotonic()
        first = wait(r"checked deck\.md in", first_start) - first_start
        times = []
        for edit in range(args.edits):
            time.sleep(0.5)
            saved = time.monotonic()
            deck.write_text(DECK.format(n="50,890" if edit % 2 else "50,891"))
            times.append(wait(r"checked deck\.md in", saved) - saved)
        process.send_signal(signal.SIGINT)
        process.wait(timeout=30)
    print("| `lecture serve --check` | seconds | target |")
    print("|---|---|---|")
    print(f"| start: build and first check (Keras imported) | {first:.2f} | |")
    print(f"| edit → check result, median of {args.edits} | {statistics.median(times):.2f} | ≤ 1 s |")
    print(f"| edit → check result, worst | {max(times):.2f} | |")


if __name__ == "__main__":
    main()
