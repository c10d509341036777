"""Companion notebooks: executed in a fresh kernel, converted to HTML, linked from the slides.

Each notebook of notebooks/ runs in its own process (`notebook_runner.py`: nbclient, then
nbconvert) and produces build/notebooks/NAME.html and the executed NAME.ipynb. Results are cached
by content (cache.py's rule: the notebook, the modules beside it that it imports, the page
template, the installed packages); a failure keeps the last good HTML and is reported as
`notebooks/x.ipynb: cell N (line L of the cell): error: …`.
"""
from __future__ import annotations

import datetime
import json
import re
import sys
import time
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Callable

from . import cache
from .config import Config
from .diagnostics import ERROR, WARNING, Diagnostic, display_path
from .sources import in_directory
from .extras import explain_missing_module, install_command, missing_modules
from .jobs import Job, Outcome, Runner, crash_message, exception_line
from .processes import child_environment

# What notebook_runner.py imports, in the Python that runs lecture.
RUNNER_MODULES = ("nbformat", "nbclient", "nbconvert", "ipykernel")

OUTPUT_DIR = "notebooks"
# A bare mention of a notebook on a slide, as in "* linear-regression.ipynb"; never a piece of a
# URL or a path (`a%20networks.ipynb`, `q?f=nets.ipynb`, `file:nets.ipynb`, `nets.ipynb/`).
MENTION = re.compile(r"(?<![\w/.\[(`%=:?&#~+-])([A-Za-z0-9][\w-]*)\.ipynb\b(?![\])\w/])")


@dataclass
class NotebooksResult:
    diagnostics: list[Diagnostic] = field(default_factory=list)
    ran: list[str] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)
    outputs: set[str] = field(default_factory=set)
    seconds: float = 0.0


def discover(config: Config) -> list[Path]:
    return in_directory(config.notebooks_dir, "*.ipynb")


def declared_outputs(config: Config) -> set[str]:
    return {f"{OUTPUT_DIR}/{p.stem}{suffix}" for p in discover(config) for suffix in (".html", ".ipynb")}


TEMPLATE = Path(__file__).parent / "templates" / "nbconvert" / "lecture" / "index.html.j2"


def fingerprint(notebook: Path, config: Config) -> str:
    """What an executed notebook depends on, by cache.py's rule: the notebook, the modules of its
    directory (where its kernel runs) that its code imports, and the page template."""
    try:
        cells = json.loads(notebook.read_bytes()).get("cells", [])
        code = "\n".join("".join(c.get("source", "")) for c in cells if c.get("cell_type") == "code")
    except (OSError, ValueError, AttributeError):
        code = ""  # not a notebook: the runner will say so
    helpers = cache.local_imports([code], [notebook.parent])
    return cache.fingerprint(files=[notebook, *helpers, TEMPLATE])


def make_notebooks(config: Config, force: bool = False,
                   progress: Callable[[str], None] = lambda line: None) -> NotebooksResult:
    """Execute and convert every notebook whose inputs changed (all of them with `force`)."""
    started = time.perf_counter()
    result = NotebooksResult(outputs=declared_outputs(config))
    notebooks = discover(config)
    missing = missing_modules(*RUNNER_MODULES) if notebooks else []
    if missing:
        result.diagnostics = [Diagnostic(p, 1, ERROR, f"running notebooks needs {', '.join(missing)}: "
                                         f"{install_command('notebooks')}") for p in notebooks]
        return result
    env = child_environment(side_by_side=True, MPLBACKEND=None)  # the kernel draws inline
    runner = Runner("notebooks", "notebook", config.output_dir / OUTPUT_DIR,
                    config.output_dir / ".cache", config.notebooks_dir, env,
                    config.notebook_timeout, reproducible=False)
    today = datetime.date.today().isoformat()
    jobs = [Job(p.stem, p,
                [sys.executable, "-m", "lecture_tool.notebook_runner", str(p),
                 "--timeout", str(config.cell_timeout), "--executed", today],
                (f"{p.stem}.html", f"{p.stem}.ipynb"), fingerprint(p, config),
                partial(_diagnose, p, config.notebook_timeout)) for p in notebooks]
    ran = runner.run(jobs, force=force, progress=progress)
    result.ran, result.written, result.diagnostics = ran.ran, ran.written, ran.diagnostics
    result.seconds = time.perf_counter() - started
    return result


def _diagnose(path: Path, timeout: float, outcome: Outcome) -> Diagnostic:
    crashed = crash_message(outcome, timeout)
    if crashed:
        return Diagnostic(path, 1, ERROR, crashed)
    try:
        report = json.loads(outcome.stdout.strip().splitlines()[-1])
    except (IndexError, ValueError):
        why = exception_line(outcome.stderr) or "no message"
        return Diagnostic(path, 1, ERROR, f"could not run: {explain_missing_module(why)}")
    where = f"cell {report['cell']}" + (f" (line {report['line']} of the cell)" if report.get("line")
                                         else "")
    return Diagnostic(path, 1, ERROR, explain_missing_module(report["message"]), location=where)


def link_mentions(text: str, notebooks: set[str]) -> str:
    """Turn bare mentions of known notebooks into links to their rendered pages."""
    return MENTION.sub(lambda m: f"[{m.group(0)}]({OUTPUT_DIR}/{m.group(1)}.html)"
                       if m.group(1) in notebooks else m.group(0), text)


def mentions_of(deck) -> list[str]:
    """The notebooks a deck mentions in its text (not in code), in order, once each."""
    names = []
    for token in deck.tokens:
        if token.kind == "text":
            names += [m.group(1) for m in MENTION.finditer(token.text) if m.group(1) not in names]
    return names


def mention_problems(deck, notebooks: frozenset[str], config: Config) -> list[Diagnostic]:
    """A warning for each mention of a notebook that the course does not have."""
    where = display_path(config.notebooks_dir, config.root)
    return [Diagnostic(deck.path, deck.line_of(token.start + match.start()), WARNING,
                       f"mentions {match.group(0)}, but there is no {where}/{match.group(0)} to link to")
            for token in deck.tokens if token.kind == "text"
            for match in MENTION.finditer(token.text) if match.group(1) not in notebooks]
