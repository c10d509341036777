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
import sys
import time
from functools import partial
from pathlib import Path
from typing import Callable

from .. import cache
from ..config import Config
from ..diagnostics import ERROR, Diagnostic
from ..extras import explain_missing_module, install_command, missing_modules
from ..layout import NOTEBOOK_PAGES, cache_dir, notebook_files, notebook_outputs, values_dir
from ..processes import child_environment
from .runner import Job, JobsResult, Outcome, Runner, crash_message, exception_line

# What notebook_runner.py imports, in the Python that runs lecture.
RUNNER_MODULES = ("nbformat", "nbclient", "nbconvert", "ipykernel")

PACKAGE = Path(__file__).resolve().parent.parent
TEMPLATE = PACKAGE / "templates" / "nbconvert" / "lecture" / "index.html.j2"
# How a notebook is run and what it records: a change there runs every notebook again.
RUNNER = (PACKAGE / "child_processes" / "notebook_runner.py", PACKAGE / "values.py")


def fingerprint(notebook: Path, config: Config) -> str:
    """What an executed notebook depends on, by cache.py's rule: the notebook, the modules of its
    directory (where its kernel runs) that its code imports, the page template, the runner and
    the page's language and the Keras backend its kernel runs on."""
    try:
        cells = json.loads(notebook.read_bytes()).get("cells", [])
        code = "\n".join("".join(c.get("source", "")) for c in cells if c.get("cell_type") == "code")
    except (OSError, ValueError, AttributeError):
        code = ""  # not a notebook: the runner will say so
    helpers = cache.local_imports([code], [notebook.parent])
    return cache.fingerprint(config.language, config.keras_backend, files=[notebook, *helpers, TEMPLATE, *RUNNER])


def make_notebooks(config: Config, force: bool = False,
                   progress: Callable[[str], None] = lambda line: None,
                   names: set[str] | None = None,
                   expected: dict[str, float] | None = None) -> JobsResult:
    """Execute and convert every notebook whose inputs changed (all of them with `force`), or
    only those `names`d (a shard's); `expected`: seconds they took elsewhere (Runner.run)."""
    started = time.perf_counter()
    result = JobsResult(outputs=notebook_outputs(config))
    notebooks = [path for path in config.notebooks() if names is None or path.stem in names]
    missing = missing_modules(*RUNNER_MODULES) if notebooks else []
    if missing:
        result.diagnostics = [Diagnostic(p, 1, ERROR, f"running notebooks needs {', '.join(missing)}: "
                                         f"{install_command('notebooks')}") for p in notebooks]
        return result
    env = child_environment(config.keras_backend, side_by_side=True, MPLBACKEND=None)  # the kernel draws inline
    runner = Runner("notebooks", "notebook", config.output_dir / NOTEBOOK_PAGES,
                    cache_dir(config), config.notebooks_dir, env,
                    config.notebook_timeout, reproducible=False,
                    values_dir=values_dir(config, "notebook"))
    today = datetime.date.today().isoformat()
    jobs = [Job(p.stem, p,
                [sys.executable, "-m", "lecture_tool.child_processes.notebook_runner", str(p),
                 "--timeout", str(config.cell_timeout), "--executed", today,
                 "--language", config.language],
                notebook_files(p), fingerprint(p, config),
                partial(_diagnose, p, config.notebook_timeout)) for p in notebooks]
    ran = runner.run(jobs, force=force, progress=progress, expected=expected)
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
