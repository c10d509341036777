"""What a page would gain if its math came rendered from the build instead of from KaTeX in the
browser (issue 12): the time the page spends in KaTeX, beside the page's whole start-up, and the
bytes the rendered HTML would add to the page.

Builds the decks of this repository (without figures or notebooks) and a generated course deck
heavy in math into a scratch directory, opens each page in Debian's headless Chromium, and
measures, N times each (default 7), in the same run:

- start-up: navigation start to the end of lecture.js (remark's slides built, math rendered);
- KaTeX: `lecture.renderMath(document)` over every formula of the page, run again on emptied
  spans (what build-time rendering would save);
- the page's bytes today, and the bytes of `katex.renderToString` for each formula (what
  shipping the rendered HTML would add).

    .venv/bin/python bench/bench_math_page.py [--runs N]
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("LECTURE_CHROMIUM", "/usr/bin/chromium")
STARTUP = """() => {
  const nav = performance.getEntriesByType('navigation')[0];
  return nav.domContentLoadedEventEnd - nav.startTime;
}"""
KATEX_ONLY = """() => {
  const spans = [...document.querySelectorAll('span.lecture-math')];
  spans.forEach(s => { s.textContent = ''; });
  const started = performance.now();
  lecture.renderMath(document);
  return [performance.now() - started, spans.length];
}"""
RENDERED_BYTES = """() => {
  let bytes = 0;
  for (const s of document.querySelectorAll('span.lecture-math')) {
    bytes += new TextEncoder().encode(katex.renderToString(s.getAttribute('data-tex'), {
      displayMode: s.classList.contains('display'), throwOnError: false})).length;
  }
  return bytes;
}"""


def math_deck(slides: int) -> str:
    """A deck of `slides` slides, each with two inline formulas and one display formula."""
    parts = []
    for n in range(slides):
        parts.append(f"# Slide {n}\n\nLet $x_{{{n}}} = \\frac{{a_{n}}}{{b + {n}}}$ and "
                     f"$\\sigma(z_{n}) = 1 / (1 + e^{{-z_{n}}})$.\n\n"
                     f"$$\\sum_{{i=1}}^{{{n + 2}}} \\alpha_i \\, \\mathbf{{w}}_i^\\top x "
                     f"= \\int_0^1 f_{n}(t)\\,dt$$\n")
    return "\n---\n\n".join(parts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as scratch:
        course = Path(scratch)
        shutil.copytree(REPO / "slides", course / "slides")
        (course / "slides/generated-math.md").write_text(math_deck(60), encoding="utf-8")
        shutil.copy(REPO / "pyproject.toml", course / "pyproject.toml")
        # Without figures_src/ and notebooks/ the build only warns about the images it lacks.
        subprocess.run([sys.executable, "-m", "lecture_tool", "-C", str(course), "build"],
                       capture_output=True, check=False)
        pages = sorted((course / "build").glob("*.html"))
        pages = [p for p in pages if p.name != "index.html"]
        rows = []
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM,
                                                 args=["--no-sandbox", "--disable-gpu"])
            for page_file in pages:
                startup, katex_ms = [], []
                formulas = rendered = 0
                for _ in range(args.runs):
                    page = browser.new_page(viewport={"width": 1280, "height": 720})
                    page.goto(page_file.as_uri())
                    page.wait_for_function("window.slideshow !== undefined")
                    startup.append(page.evaluate(STARTUP))
                    took, formulas = page.evaluate(KATEX_ONLY)
                    katex_ms.append(took)
                    rendered = page.evaluate(RENDERED_BYTES)
                    page.close()
                rows.append((page_file.name, formulas, statistics.median(startup),
                             statistics.median(katex_ms), page_file.stat().st_size, rendered))
            browser.close()

    print(f"Each figure the median of {args.runs} page loads in headless Chromium, this machine.\n")
    print("| page | formulas | start-up ms | KaTeX in the page ms | share | page bytes | "
          "rendered math bytes |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, formulas, startup, katex_ms, size, rendered in rows:
        print(f"| {name} | {formulas} | {startup:.0f} | {katex_ms:.1f} | "
              f"{katex_ms / startup:.0%} | {size:,} | +{rendered:,} |")


if __name__ == "__main__":
    main()
