"""`lecture figures`: run the scripts of figures_src/ to make the images the decks show.

A figure script is a Python file in figures_src/ with a module-level `OUTPUTS = [...]` list of the
file names it writes (and optionally `INPUTS = [...]`, files it reads, relative to the course, and
`ALT = {name: text}`, each output's alternative text, which the pages use where a slide shows the
figure without its own). Other .py files there are helpers. All three are read from the source,
never run. Each script runs in its own process, with `--out DIR`:
a crash, a hang or a huge allocation in one cannot take the tool down. Results are cached by
content (cache.py's rule): a script re-runs when it, a helper it imports (directly or not), an
input, the figure style or the installed packages change.
"""
from __future__ import annotations

import ast
import re
import sys
import time
from dataclasses import dataclass
from functools import cached_property, partial
from pathlib import Path
from typing import Callable

from .. import cache
from ..alt_text import FigureAlt, alt_text_problem
from ..config import Config
from ..diagnostics import ERROR, WARNING, Diagnostic
from ..extras import explain_missing_module
from ..layout import cache_dir, figure_output, values_dir
from ..processes import child_environment, exit_description
from ..sources import in_directory
from .runner import Job, JobsResult, Outcome, Runner, crash_message, exception_line

_RECORD_CALL = re.compile(r"""\brecord\(\s*["']([A-Za-z_]\w*)["']""")
# The figure scripts' public API (and how it records values): a change draws every figure again.
STYLE_MODULES = tuple(Path(__file__).resolve().parent.parent / name
                      for name in ("figure_style.py", "values.py"))


@dataclass(frozen=True)
class FigureScript:
    path: Path
    outputs: tuple[str, ...]
    outputs_line: int  # where OUTPUTS is declared, for messages about outputs
    inputs: tuple[str, ...] = ()
    helpers: tuple[Path, ...] = ()  # local modules it imports, transitively
    alt: tuple[tuple[str, str], ...] = ()  # (output, its alternative text), as ALT declares them
    alt_lines: tuple[int, int] | None = None  # first and last line of the ALT assignment

    def alt_text(self, output: str) -> FigureAlt:
        """What the script says of an output's alternative text, and the line to add it at."""
        line = self.alt_lines[0] if self.alt_lines else self.outputs_line
        return FigureAlt(dict(self.alt).get(output), self.path, line)

    @cached_property
    def records(self) -> tuple[str, ...]:
        """The names of the values it records (`style.record("name", ...)`), as its source spells
        them: no run needed to know that a figure records values, nor which. Read when asked
        (`lecture check`), not when a build discovers the scripts."""
        source = self.path.read_text(encoding="utf-8", errors="replace")
        return tuple(sorted(set(_RECORD_CALL.findall(source))))

    @property
    def name(self) -> str:
        return self.path.stem


def discover(config: Config) -> tuple[list[FigureScript], list[Diagnostic]]:
    """Find the figure scripts and what each depends on, reading their source only."""
    directory = config.figures_dir
    modules = {p.stem: p for p in in_directory(directory, "*.py")}
    trees, problems = {}, []
    for name, path in modules.items():
        try:
            trees[name] = ast.parse(path.read_bytes(), filename=str(path))
        except SyntaxError as exc:
            problems.append(Diagnostic(path, exc.lineno or 1, ERROR, f"syntax error: {exc.msg}"))
    scripts = []
    for name, tree in trees.items():
        declared = _declarations(tree)
        if "OUTPUTS" not in declared:
            continue
        (outputs, line), inputs = declared["OUTPUTS"], declared.get("INPUTS", ((), 0))[0]
        bad = [o for o in outputs if not isinstance(o, str) or "/" in o or o.startswith(".")]
        if not outputs or bad:
            problems.append(Diagnostic(modules[name], line, ERROR,
                                       "OUTPUTS must be a non-empty list of file names "
                                       "(no directories)"))
            continue
        helpers = cache.local_imports([modules[name]], [directory])
        alt, alt_lines = _alt_declaration(tree, modules[name], outputs, problems)
        scripts.append(FigureScript(modules[name], outputs, line, tuple(inputs), tuple(helpers),
                                    alt, alt_lines))
    seen: dict[str, FigureScript] = {}
    for script in scripts:
        for output in script.outputs:
            if output in seen:
                problems.append(Diagnostic(script.path, script.outputs_line, ERROR,
                                           f"{output} is also made by {seen[output].path.name}"))
            seen[output] = script
    return scripts, problems


def declared_outputs(config: Config, scripts: list[FigureScript]) -> set[str]:
    """Where the scripts' declared outputs go, relative to the output directory."""
    return {figure_output(config, name) for script in scripts for name in script.outputs}


def figure_alts(config: Config, scripts: list[FigureScript]) -> dict[str, FigureAlt]:
    """What each declared output's script says of its alternative text, by where the output
    goes (relative to the output directory, as a deck's image resolves)."""
    return {figure_output(config, name): script.alt_text(name)
            for script in scripts for name in script.outputs}


def _declarations(tree: ast.Module) -> dict[str, tuple[tuple, int]]:
    found = {}
    for node in _assignments(tree, ("OUTPUTS", "INPUTS")):
        try:
            value = ast.literal_eval(node.value)
        except ValueError:
            value = None
        found[node.targets[0].id] = (tuple(value) if isinstance(value, (list, tuple)) else (),
                                     node.lineno)
    return found


def _assignments(tree: ast.Module, names: tuple[str, ...]):
    """The module-level `NAME = ...` statements of `names`."""
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 \
                and isinstance(node.targets[0], ast.Name) and node.targets[0].id in names:
            yield node


_ALT_FORM = 'ALT = {"name.png": "what the figure shows"}'


def _alt_declaration(tree: ast.Module, path: Path, outputs: tuple[str, ...],
                     problems: list[Diagnostic]) -> tuple[tuple[tuple[str, str], ...], tuple[int, int] | None]:
    """The script's `ALT` entries, and the lines its assignment spans; each entry that is not
    text for a declared output, or whose text names no more than the file, is a warning at its
    own line (the figure is still made)."""
    found = list(_assignments(tree, ("ALT",)))
    if not found:
        return (), None
    node = found[-1]  # the one that stands when the script has run
    lines = (node.lineno, node.end_lineno or node.lineno)
    if not isinstance(node.value, ast.Dict):
        problems.append(Diagnostic(path, node.lineno, WARNING, f"ALT must be a dict literal: {_ALT_FORM}"))
        return (), lines
    entries = []
    for key, value in zip(node.value.keys, node.value.values):
        try:
            name, text = ast.literal_eval(key), ast.literal_eval(value)
        except ValueError:
            name = text = None
        where = getattr(key, "lineno", node.lineno)
        if not isinstance(name, str) or not isinstance(text, str):
            problems.append(Diagnostic(path, where, WARNING, "ALT is read from the source, not run: write "
                                       f"each entry out as text, {_ALT_FORM}"))
        elif name not in outputs:
            problems.append(Diagnostic(path, where, WARNING, f"ALT names {name!r}, which OUTPUTS does not "
                                       f"declare (it declares {', '.join(outputs)})"))
        elif text.strip() and (why := alt_text_problem(text, name)):
            problems.append(Diagnostic(path, where, WARNING, f"the alternative text of {name}: {why}; "
                                       "say what the figure shows (a11y: image-alt)"))
        else:
            entries.append((name, " ".join(text.split())))
    return tuple(entries), lines


def fingerprint(script: FigureScript, config: Config) -> str:
    """Everything a script's outputs depend on, by cache.py's rule: its source, its helpers, its
    declared inputs and outputs, the packaged figure style it draws with and the Keras backend
    it runs on. Not its `ALT`: better words for a figure do not draw it again (the pages take
    them from the source)."""
    inputs = [config.root / name for name in script.inputs]
    return cache.fingerprint(repr(script.outputs), repr(script.inputs), script.path.name,
                             config.keras_backend,
                             _source_without_alt(script),
                             files=[*script.helpers, *STYLE_MODULES, *inputs])


def _source_without_alt(script: FigureScript) -> bytes:
    try:
        source = script.path.read_bytes()
    except FileNotFoundError:
        return b"<missing>"
    if script.alt_lines is None:
        return source
    lines = source.splitlines(keepends=True)
    first, last = script.alt_lines
    return b"".join(lines[:first - 1] + [b"\n"] * (last - first + 1) + lines[last:])


def make_figures(config: Config, names: list[str] | None = None, force: bool = False,
                 progress: Callable[[str], None] = lambda line: None,
                 scripts: list[FigureScript] | None = None,
                 expected: dict[str, float] | None = None) -> JobsResult:
    """Run every stale figure script (or those named), in parallel, keeping good old outputs.
    `scripts`: what `discover` found, when the caller has it already (and said its problems);
    `expected`: seconds they took elsewhere (Runner.run)."""
    started = time.perf_counter()
    result = JobsResult()
    if scripts is None:
        scripts, problems = discover(config)
        result.diagnostics += problems
    result.outputs = declared_outputs(config, scripts)
    if names:
        unknown = sorted(set(names) - {s.name for s in scripts})
        for name in unknown:
            result.diagnostics.append(Diagnostic(config.figures_dir / f"{name}.py", 1, ERROR,
                                                 "no such figure script (it needs an OUTPUTS list)"))
        scripts = [s for s in scripts if s.name in names]

    # No display, no bytecode or timestamps written; helpers keep trained models in LECTURE_CACHE.
    env = child_environment(config.keras_backend, side_by_side=True, MPLBACKEND="Agg", SOURCE_DATE_EPOCH="0",
                            PYTHONDONTWRITEBYTECODE="1", LECTURE_CACHE=str(cache_dir(config)))
    runner = Runner("figures", "script", config.output_dir / config.figures_subdir,
                    cache_dir(config), config.root, env, config.figure_timeout,
                    values_dir=values_dir(config, "figure"))
    jobs = [Job(s.name, s.path, [sys.executable, str(s.path), "--out"], s.outputs,
                fingerprint(s, config), partial(_diagnose, s.path, config.figure_timeout),
                s.outputs_line) for s in scripts]
    ran = runner.run(jobs, force=force, progress=progress, expected=expected)
    result.ran, result.written = ran.ran, ran.written
    result.diagnostics += ran.diagnostics
    result.seconds = time.perf_counter() - started
    return result


def _diagnose(path: Path, timeout: float, outcome: Outcome) -> Diagnostic:
    line = _last_line_in(outcome.stderr, path) or 1
    message = (crash_message(outcome, timeout) or explain_missing_module(exception_line(outcome.stderr))
               or exit_description(outcome.returncode))
    return Diagnostic(path, 1 if outcome.returncode is None else line, ERROR, message)


def _last_line_in(traceback: str, path: Path) -> int | None:
    """The line of the traceback's last frame that lies in `path`."""
    line = None
    for match in re.finditer(r'File "([^"]+)", line (\d+)', traceback):
        if Path(match.group(1)).resolve() == path.resolve():
            line = int(match.group(2))
    return line
