"""Run user code that makes files (figure scripts, notebooks): each job in its own process,
stale ones only, in parallel, and only a complete success replaces the previous outputs.

A job's command writes its outputs into a scratch directory (the last argument); they are moved
into place one rename at a time. Results are cached by a fingerprint of everything the outputs
depend on, which the caller computes by cache.py's rule; processes.py starts and stops the jobs.
"""
from __future__ import annotations

import contextlib
import heapq
import itertools
import os
import shutil
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from .. import processes, values
from ..cache import read_json, write_json
from ..diagnostics import ERROR, Diagnostic


class _Slots:
    """One job a core at most, across every stage that runs at once (figures and notebooks run
    side by side), and of the jobs waiting, the one that took longest last time goes first."""

    def __init__(self, count: int):
        self.count, self.running, self.waiting = count, 0, []
        self.condition = threading.Condition()
        self.tickets = itertools.count()

    @contextlib.contextmanager
    def slot(self, expected_seconds: float):
        """Wait for a core; give the number of threads the job may use (cores ÷ jobs in play)."""
        with self.condition:
            ticket = (-expected_seconds, next(self.tickets))
            heapq.heappush(self.waiting, ticket)
            self.condition.wait_for(lambda: self.running < self.count and self.waiting[0] == ticket)
            heapq.heappop(self.waiting)
            self.running += 1
            threads = max(1, self.count // (self.running + len(self.waiting)))
            self.condition.notify_all()
        try:
            yield threads
        finally:
            with self.condition:
                self.running -= 1
                self.condition.notify_all()


SLOTS = _Slots(os.cpu_count() or 1)


@dataclass(frozen=True)
class Outcome:
    """How a job's process ended: what `Job.diagnose` reads when it failed."""
    returncode: int | None  # None: it was stopped at the timeout
    stdout: str
    stderr: str
    waited: float = 0.0  # the seconds it was given: the timeout, stretched by the machine's load


@dataclass(frozen=True)
class Job:
    name: str
    source: Path  # the file messages point at
    command: list[str]  # the scratch directory is appended
    outputs: tuple[str, ...]  # file names the command must write
    fingerprint: str
    diagnose: Callable[[Outcome], Diagnostic]
    outputs_line: int = 1  # where the outputs are declared, for "not written" messages


@dataclass
class JobsResult:
    """What a stage's jobs did (`lecture figures`, `lecture notebooks`, and the build's share)."""
    diagnostics: list[Diagnostic] = field(default_factory=list)
    ran: list[str] = field(default_factory=list)  # jobs that ran (successfully or not)
    written: list[Path] = field(default_factory=list)  # outputs replaced by a successful run
    outputs: set[str] = field(default_factory=set)  # declared outputs, relative to the output dir
    seconds: float = 0.0


@dataclass(frozen=True)
class Runner:
    kind: str  # "figures", "notebooks": names the progress lines and the cache file
    unit: str  # what one job is, for progress lines: "script", "notebook"
    out_dir: Path
    cache_dir: Path
    cwd: Path
    env: dict  # one thread per job: see `reproducible`
    timeout: float  # seconds, stretched by `load_factor()` when the machine is busy
    # Outputs the same to the byte in every run (figures): keep to one thread. Otherwise
    # (notebooks) a job may use as many threads as there are cores for the jobs in play.
    reproducible: bool = True
    # Where the values a job records go (values.FILE in its scratch directory), one file a job.
    values_dir: Path | None = None

    def run(self, jobs: list[Job], force: bool = False,
            progress: Callable[[str], None] = lambda line: None,
            expected: dict[str, float] | None = None) -> JobsResult:
        """Run the stale jobs. `expected`: the seconds a job took elsewhere (another machine's
        cache, imported), for the jobs this cache has no time of."""
        result = JobsResult()
        cache_path = self.cache_dir / f"{self.kind}.json"
        cache = read_json(cache_path)
        stale = [job for job in jobs if force or not self._up_to_date(job, cache)]
        seconds = {job.name: cache.get(job.name, {}).get("seconds", (expected or {}).get(job.name, 0.0))
                   for job in stale}
        # The longest first (as long as they took last time), so that no long job starts last.
        stale.sort(key=lambda job: -seconds[job.name])
        if not stale:
            return result
        workers = max(1, min(len(stale), os.cpu_count() or 1))
        progress(f"{self.kind}: running {len(stale)} {self.unit}{'s' if len(stale) != 1 else ''} "
                 f"on {workers} worker{'s' if workers != 1 else ''}")
        with ThreadPoolExecutor(max_workers=workers) as pool:
            futures = {pool.submit(self._run_one, job, seconds[job.name]): job for job in stale}
            try:
                for finished, future in enumerate(as_completed(futures), start=1):
                    job = futures[future]
                    problem, seconds = future.result()
                    result.ran.append(job.name)
                    progress(f"{self.kind}: [{finished}/{len(stale)}] {job.source.name} "
                             f"{'ok' if problem is None else 'FAILED'} ({seconds:.1f} s)")
                    if problem is None:
                        cache[job.name] = {"fingerprint": job.fingerprint, "outputs": list(job.outputs),
                                           "seconds": round(seconds, 1)}
                        result.written += [self.out_dir / o for o in job.outputs]
                    else:
                        result.diagnostics.append(problem)
                        cache.pop(job.name, None)
            except BaseException:
                # Ctrl-C: stop the jobs, or leaving the pool would wait for them to finish.
                processes.stop_all()
                raise
        write_json(cache_path, cache)
        return result

    def _up_to_date(self, job: Job, cache: dict) -> bool:
        return cache.get(job.name, {}).get("fingerprint") == job.fingerprint and all(
            (self.out_dir / o).is_file() for o in job.outputs)

    def _run_one(self, job: Job, expected: float) -> tuple[Diagnostic | None, float]:
        with SLOTS.slot(expected) as threads:
            return self._run_in_slot(job, threads)

    def _run_in_slot(self, job: Job, threads: int) -> tuple[Diagnostic | None, float]:
        started = time.perf_counter()
        self.out_dir.mkdir(parents=True, exist_ok=True)
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        # Beside the outputs (the same file system), so that moving them in is a rename.
        scratch = Path(tempfile.mkdtemp(prefix=f"{job.name}.", dir=self.cache_dir))
        try:
            outcome = self._execute(job, scratch, threads)
            problem = None if outcome.returncode == 0 else job.diagnose(outcome)
            if problem is None:
                missing = [o for o in job.outputs if not (scratch / o).is_file()
                           or (scratch / o).stat().st_size == 0]
                if missing:
                    problem = Diagnostic(job.source, job.outputs_line, ERROR,
                                         f"declared but not written: {', '.join(missing)}")
            if problem is None:
                for output in job.outputs:
                    os.replace(scratch / output, self.out_dir / output)
                self._keep_values(job, scratch)
            return problem, time.perf_counter() - started
        finally:
            shutil.rmtree(scratch, ignore_errors=True)

    def _keep_values(self, job: Job, scratch: Path) -> None:
        """The values the run recorded replace the last run's; a run that recorded none leaves none."""
        if self.values_dir is None:
            return
        target = self.values_dir / f"{job.name}.json"
        if (scratch / values.FILE).is_file():
            self.values_dir.mkdir(parents=True, exist_ok=True)
            os.replace(scratch / values.FILE, target)
        else:
            target.unlink(missing_ok=True)

    def _execute(self, job: Job, scratch: Path, threads: int) -> Outcome:
        timeout = self.timeout * processes.load_factor()
        env = self.env
        if not self.reproducible:
            # More threads change the order floats are added in: only where bytes need not repeat.
            env = dict(env, TF_NUM_INTRAOP_THREADS=str(threads), OMP_NUM_THREADS=str(threads),
                       OPENBLAS_NUM_THREADS=str(threads), MKL_NUM_THREADS=str(threads))
        code, stdout, stderr = processes.run([*job.command, str(scratch)], self.cwd, env, timeout)
        return Outcome(code, stdout.decode("utf-8", "replace"), stderr.decode("utf-8", "replace"),
                       timeout)


def crash_message(outcome: Outcome, configured: float) -> str | None:
    """The message for a job stopped at its timeout or killed by a signal, if it was. A timeout
    names the seconds the job really had: `configured`, stretched by the machine's load."""
    if outcome.returncode is None:
        stretched = (f" ({_seconds(configured)} s as configured, stretched by the machine's load)"
                     if _seconds(outcome.waited) != _seconds(configured) else "")
        return f"timed out after {_seconds(outcome.waited)} s{stretched} and was stopped"
    if outcome.returncode < 0:
        return processes.exit_description(outcome.returncode)
    return None


def exception_line(traceback: str) -> str:
    """The line of a Python traceback that names the exception (its last unindented line)."""
    lines = [line for line in traceback.strip().splitlines() if line.strip()]
    for line in reversed(lines):
        if not line[:1].isspace() and ("Error" in line or "Exception" in line or ":" in line):
            return line.strip()
    return lines[-1].strip() if lines else ""


def _seconds(value: float) -> str:
    return f"{value:.1f}".removesuffix(".0")
