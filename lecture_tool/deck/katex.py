"""Every formula of a deck rendered at build time by the KaTeX the page loads, run in-process
(QuickJS, no Node): one that KaTeX cannot render is an error at its line, instead of red TeX on
the slide in front of the class; and the HTML of each formula of a deck's text version.

Results are cached by formula (and KaTeX's own file): a no-op build starts no JavaScript at all.
"""
from __future__ import annotations

import hashlib
import threading
from pathlib import Path

import quickjs

from .. import cache
from .model import Deck
from ..diagnostics import ERROR, WARNING, Diagnostic
from .regions import formulas, leftover_delimiters

# What KaTeX does not know that MathJax does, and what to write instead.
HINTS = {
    "No such environment: eqnarray": "KaTeX has no eqnarray: write \\begin{aligned} a &= b \\\\ c &= d \\end{aligned}",
    "No such environment: align}": "outside display math ($$…$$), write \\begin{aligned}…\\end{aligned}",
    "Undefined control sequence": "KaTeX does not know this command: see KaTeX's list of supported "
                                  "functions, or spell it out",
}
_RENDER = """(function (tex, display) {
  try { katex.renderToString(tex, {displayMode: display, throwOnError: true}); return ''; }
  catch (error) { return String(error.message || error); }
})"""
# As lecture.js calls katex.render: the default output, HTML and MathML.
_TO_HTML = """(function (tex, display) {
  return katex.renderToString(tex, {displayMode: display, output: 'htmlAndMathml', throwOnError: false});
})"""
_engines: dict[Path, quickjs.Context] = {}
_lock = threading.Lock()


def formula_problems(deck: Deck, katex_js: Path, cache_dir: Path) -> list[Diagnostic]:
    """KaTeX's error for each formula it cannot render, and a warning for each delimiter that
    stays raw on the slide."""
    problems = [Diagnostic(deck.path, line, WARNING, f"'{what}' here opens no formula: the slide "
                           "shows it as it is (close the formula, or write \\$ for a dollar sign)")
                for line, what in leftover_delimiters(deck)]
    found = formulas(deck)
    if not found or not katex_js.is_file():
        return sorted(problems, key=lambda d: d.line)
    errors = _cached(katex_js, cache_dir / "katex.json", _RENDER, [(f.tex, f.display) for f in found])
    for error, formula in zip(errors, found):
        if error:
            problems.append(Diagnostic(deck.path, formula.line, ERROR, _message(error)))
    return sorted(problems, key=lambda d: d.line)


def rendered_formulas(found: list[tuple[str, bool]], katex_js: Path, cache_dir: Path) -> list[str]:
    """The HTML KaTeX makes of each formula, (TeX, display), with the page's options: its
    MathML for screen readers beside what it draws, an error shown in red rather than raised.
    Cached by formula (`katex-html.json`), as the errors are: an edit renders only new ones."""
    return _cached(katex_js, cache_dir / "katex-html.json", _TO_HTML, found) if found else []


def _cached(katex_js: Path, path: Path, function: str, found: list[tuple[str, bool]]) -> list[str]:
    """`function(tex, display)` of each formula, cached in `path` by formula and KaTeX's
    version: an edit renders only the new ones."""
    version = hashlib.sha256(katex_js.read_bytes()).hexdigest()[:16]
    known = cache.read_json(path)
    keys = [hashlib.sha256(f"{version}\0{display}\0{tex}".encode()).hexdigest()[:32]
            for tex, display in found]
    missing = [(key, formula) for key, formula in zip(keys, found) if key not in known]
    if missing:
        render = _engine(katex_js, function)
        with _lock:  # one QuickJS context, not to be entered from two threads at once
            for key, (tex, display) in missing:
                known[key] = render(tex, display)
        cache.write_json(path, known)
    return [known[key] for key in keys]


def _engine(katex_js: Path, function: str = _RENDER):
    with _lock:
        if katex_js not in _engines:
            context = quickjs.Context()
            context.eval(katex_js.read_text(encoding="utf-8"))
            _engines[katex_js] = context
        return _engines[katex_js].eval(function)


def _message(error: str) -> str:
    # KaTeX underlines the place with combining characters (a̲b̲): fine in a browser, noise here.
    text = error.replace("\u0332", "").removeprefix("KaTeX parse error: ")
    hint = next((h for needle, h in HINTS.items() if needle in error), "")
    return f"KaTeX: {text}" + (f" ({hint})" if hint else "")
