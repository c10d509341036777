"""`lecture figures`: run the scripts of figures_src/ to make the images the decks show.

A figure script is a Python file in figures_src/ with a module-level `OUTPUTS = [...]` list of the
file names it writes (and optionally `INPUTS = [...]`, files it reads, relative to the course).
Other .py files there are helpers. Each script runs in its own process, with `--out DIR`:
a crash, a hang or a huge allocation in one cannot take the tool down. Results are cached by
content: a script re-runs only when it, a helper it imports (directly or not), or an input changes.
"""
from __future__ import annotations

import ast
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from . import processes
from .config import Config
from .diagnostics import ERROR, Diagnostic
from .outputs import write_if_changed

CACHE_NAME = "figures.json"


@dataclass(frozen=True)
class FigureScript:
    path: Path
    outputs: tuple[str, ...]
    outputs_line: int  # where OUTPUTS is declared, for messages about outputs
    inputs: tuple[str, ...] = ()
    helpers: tuple[Path, ...] = ()  # local modules it imports, transitively

    @property
    def name(self) -> str:
        return self.path.stem


@dataclass
class FiguresResult:
    diagnostics: list[Diagnostic] = field(default_factory=list)
    ran: list[str] = field(default_factory=list)  # scripts that ran (successfully or not)
    written: list[Path] = field(default_factory=list)  # outputs replaced by a successful run
    outputs: set[str] = field(default_factory=set)  # declared outputs, relative to the output dir
    seconds: float = 0.0


def discover(config: Config) -> tuple[list[FigureScript], list[Diagnostic]]:
    """Find the figure scripts and what each depends on, reading their source only."""
    directory = config.figures_dir
    if not directory.is_dir():
        return [], []
    modules = {p.stem: p for p in sorted(directory.glob("*.py"))}
    trees, problems = {}, []
    for name, path in modules.items():
        try:
            trees[name] = ast.parse(path.read_bytes(), filename=str(path))
        except SyntaxError as exc:
            problems.append(Diagnostic(path, exc.lineno or 1, ERROR, f"syntax error: {exc.msg}"))
    imports = {name: _local_imports(tree, modules) for name, tree in trees.items()}
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
        helpers = sorted(_closure(name, imports) - {name})
        scripts.append(FigureScript(modules[name], tuple(outputs), line, tuple(inputs),
                                    tuple(modules[h] for h in helpers)))
    seen: dict[str, FigureScript] = {}
    for script in scripts:
        for output in script.outputs:
            if output in seen:
                problems.append(Diagnostic(script.path, script.outputs_line, ERROR,
                                           f"{output} is also made by {seen[output].path.name}"))
            seen[output] = script
    return scripts, problems


def _declarations(tree: ast.Module) -> dict[str, tuple[tuple, int]]:
    found = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 \
                and isinstance(node.targets[0], ast.Name) and node.targets[0].id in ("OUTPUTS", "INPUTS"):
            try:
                value = ast.literal_eval(node.value)
            except ValueError:
                value = None
            found[node.targets[0].id] = (tuple(value) if isinstance(value, (list, tuple)) else (),
                                         node.lineno)
    return found


def _local_imports(tree: ast.Module, modules: dict[str, Path]) -> set[str]:
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names & set(modules)


def _closure(name: str, imports: dict[str, set[str]]) -> set[str]:
    seen, todo = set(), [name]
    while todo:
        current = todo.pop()
        if current not in seen:
            seen.add(current)
            todo.extend(imports.get(current, ()))
    return seen


def fingerprint(script: FigureScript, root: Path) -> str:
    """Hash of everything a script's outputs depend on: its source, helpers, inputs, Python."""
    digest = hashlib.sha256()
    digest.update(f"{sys.version_info[:2]}\0{script.outputs}\0".encode())
    for path in (script.path, *script.helpers):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    for name in script.inputs:
        path = root / name
        digest.update(name.encode() + b"\0")
        digest.update(path.read_bytes() if path.is_file() else b"<missing>")
    return digest.hexdigest()


def make_figures(config: Config, names: list[str] | None = None, force: bool = False,
                 progress: Callable[[str], None] = lambda line: None) -> FiguresResult:
    """Run every stale figure script (or those named), in parallel, keeping good old outputs."""
    started = time.perf_counter()
    result = FiguresResult()
    scripts, problems = discover(config)
    result.diagnostics += problems
    result.outputs = {f"{config.figures_subdir}/{o}" for s in scripts for o in s.outputs}
    if names:
        unknown = sorted(set(names) - {s.name for s in scripts})
        for name in unknown:
            result.diagnostics.append(Diagnostic(config.figures_dir / f"{name}.py", 1, ERROR,
                                                 "no such figure script (it needs an OUTPUTS list)"))
        scripts = [s for s in scripts if s.name in names]

    out_dir = config.output_dir / config.figures_subdir
    cache_path = config.output_dir / ".cache" / CACHE_NAME
    cache = _read_cache(cache_path)
    stale = []
    for script in scripts:
        key = fingerprint(script, config.root)
        done = cache.get(script.name, {}).get("fingerprint") == key and all(
            (out_dir / o).is_file() for o in script.outputs)
        if force or not done:
            stale.append((script, key))
    if not stale:
        result.seconds = time.perf_counter() - started
        return result

    workers = max(1, min(len(stale), os.cpu_count() or 1))
    progress(f"figures: running {len(stale)} script{'s' if len(stale) != 1 else ''} "
             f"on {workers} worker{'s' if workers != 1 else ''}")
    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = {pool.submit(_run_script, script, config, out_dir): (script, key)
                   for script, key in stale}
        try:
            for finished, future in enumerate(as_completed(futures), start=1):
                script, key = futures[future]
                problem, seconds = future.result()
                result.ran.append(script.name)
                state = "ok" if problem is None else "FAILED"
                progress(f"figures: [{finished}/{len(stale)}] {script.path.name} {state} "
                         f"({seconds:.1f} s)")
                if problem is None:
                    cache[script.name] = {"fingerprint": key, "outputs": list(script.outputs)}
                    result.written += [out_dir / o for o in script.outputs]
                else:
                    result.diagnostics.append(problem)
                    cache.pop(script.name, None)
        except BaseException:
            # Ctrl-C: stop the scripts, or leaving the pool would wait for them to finish.
            processes.stop_all()
            raise
    write_if_changed(cache_path, json.dumps(cache, indent=1, sort_keys=True).encode())
    result.seconds = time.perf_counter() - started
    return result


def figure_environment() -> dict[str, str]:
    """What a figure script runs with: no display, quiet TensorFlow, fixed hashing."""
    env = dict(os.environ)
    env.update(MPLBACKEND="Agg", PYTHONHASHSEED="0", SOURCE_DATE_EPOCH="0",
               TF_CPP_MIN_LOG_LEVEL="3", TF_ENABLE_ONEDNN_OPTS="0", PYTHONDONTWRITEBYTECODE="1")
    return env


def _run_script(script: FigureScript, config: Config, out_dir: Path) -> tuple[Diagnostic | None, float]:
    started = time.perf_counter()
    out_dir.mkdir(parents=True, exist_ok=True)
    cache_dir = config.output_dir / ".cache"
    cache_dir.mkdir(parents=True, exist_ok=True)
    # Written beside the outputs (same file system), so that moving them in is a rename.
    scratch = Path(tempfile.mkdtemp(prefix=f"{script.name}.", dir=cache_dir))
    try:
        problem = _execute(script, config, scratch)
        if problem is None:
            missing = [o for o in script.outputs if not (scratch / o).is_file()
                       or (scratch / o).stat().st_size == 0]
            if missing:
                problem = Diagnostic(script.path, script.outputs_line, ERROR,
                                     f"declared but not written: {', '.join(missing)}")
        if problem is None:
            # Only a complete, successful run replaces the previous outputs, each by a rename.
            for output in script.outputs:
                os.replace(scratch / output, out_dir / output)
        return problem, time.perf_counter() - started
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _execute(script: FigureScript, config: Config, scratch: Path) -> Diagnostic | None:
    command = [sys.executable, str(script.path), "--out", str(scratch)]
    process = processes.started(subprocess.Popen(
        command, cwd=config.root, env=figure_environment(), stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, start_new_session=True))
    try:
        _, stderr = process.communicate(timeout=config.figure_timeout)
    except subprocess.TimeoutExpired:
        _kill_group(process)
        return Diagnostic(script.path, 1, ERROR,
                          f"timed out after {config.figure_timeout:g} s and was stopped")
    finally:
        processes.finished(process)
    if process.returncode == 0:
        return None
    text = stderr.decode("utf-8", "replace")
    if process.returncode < 0:
        name = signal.Signals(-process.returncode).name
        return Diagnostic(script.path, _last_line_in(text, script.path) or 1, ERROR,
                          f"killed by {name} (out of memory, or a crash in native code)")
    return Diagnostic(script.path, _last_line_in(text, script.path) or 1, ERROR,
                      _exception_line(text) or f"exited with status {process.returncode}")


def _kill_group(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.communicate()


def _last_line_in(traceback: str, path: Path) -> int | None:
    """The line of the traceback's last frame that lies in `path`."""
    line = None
    for match in re.finditer(r'File "([^"]+)", line (\d+)', traceback):
        if Path(match.group(1)).resolve() == path.resolve():
            line = int(match.group(2))
    return line


def _exception_line(traceback: str) -> str:
    lines = [line for line in traceback.strip().splitlines() if line.strip()]
    for line in reversed(lines):
        if not line.startswith(" ") and ("Error" in line or "Exception" in line or ":" in line):
            return line.strip()
    return lines[-1].strip() if lines else ""


def _read_cache(path: Path) -> dict:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
