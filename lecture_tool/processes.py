"""The one owner of the child processes that run user code (figure scripts, notebooks, snippet
workers): it starts them, stops them, says how they ended and what environment they run with.

Each child runs in a session of its own, so that stopping it stops whatever it started too (a
notebook's kernel, a script's own subprocesses), and is registered until it ends, so that
Ctrl-C in `lecture serve` or `lecture build` can stop every one of them (`stop_all`).
"""
from __future__ import annotations

import os
import signal
import subprocess
import tempfile
import threading
import time
from pathlib import Path

_running: set[subprocess.Popen] = set()
_lock = threading.Lock()

# Signals that mean the code itself crashed, in native code (or an `abort()` from C++).
_CRASHES = {"SIGSEGV", "SIGBUS", "SIGILL", "SIGFPE", "SIGABRT"}


def child_environment(keras_backend: str, *, side_by_side: bool = False,
                      **overrides: str | None) -> dict[str, str]:
    """The environment user code runs with: this process's, with fixed hashing, quiet
    TensorFlow and the course's Keras backend (`Config.keras_backend`; the one place that
    applies it, for snippet workers, figure scripts and notebook kernels alike). `side_by_side`:
    jobs run as many at a time as there are cores, so each keeps to one thread. `overrides` set
    variables (None removes one)."""
    env = dict(os.environ, PYTHONHASHSEED="0", TF_CPP_MIN_LOG_LEVEL="3", TF_ENABLE_ONEDNN_OPTS="0",
               KERAS_BACKEND=keras_backend)
    if side_by_side:
        env.update(TF_NUM_INTRAOP_THREADS="1", TF_NUM_INTEROP_THREADS="1", OMP_NUM_THREADS="1")
    for name, value in overrides.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return env


def load_factor() -> float:
    """How much slower than an idle machine this one runs now: a timeout is stretched by it, so
    that a healthy job on a busy machine is not failed (load average ÷ cores, at least 1)."""
    try:
        return max(1.0, os.getloadavg()[0] / (os.cpu_count() or 1))
    except OSError:
        return 1.0


def start(command: list[str], cwd: Path, env: dict[str, str], **popen) -> subprocess.Popen:
    """Start a child in a session of its own, registered until `stop` or `forget`."""
    process = subprocess.Popen(command, cwd=cwd, env=env, start_new_session=True, **popen)
    with _lock:
        _running.add(process)
    return process


def run(command: list[str], cwd: Path, env: dict[str, str],
        timeout: float) -> tuple[int | None, bytes, bytes]:
    """Run a child to its end or its timeout: its return code (None: stopped at the timeout),
    stdout and stderr.

    The output goes to files, not pipes, and the child's own end is awaited: a script that
    exits while something it started still holds its stdout has ended all the same. Whatever
    it left running is stopped with it.
    """
    with tempfile.TemporaryFile() as stdout, tempfile.TemporaryFile() as stderr:
        process = start(command, cwd, env, stdout=stdout, stderr=stderr)
        try:
            code = process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            code = None
        finally:
            kill_group(process)
            process.wait()
            forget(process)
        stdout.seek(0)
        stderr.seek(0)
        return code, stdout.read(), stderr.read()


def stop(process: subprocess.Popen) -> None:
    """Kill a child, with whatever it started, and wait for it."""
    if process.poll() is None:
        kill_group(process)
        process.wait()
    forget(process)


def forget(process: subprocess.Popen) -> None:
    """A child that has ended: Ctrl-C no longer needs to stop it."""
    with _lock:
        _running.discard(process)


def stop_all() -> None:
    """Kill every child still running, with whatever it started."""
    with _lock:
        running = list(_running)
        _running.clear()
    for process in running:
        kill_group(process)
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass


def kill_group(process: subprocess.Popen) -> None:
    """Kill a child's whole session (whatever it started too), not waiting for it. The session's
    id is the child's pid: SIGKILL, because user code may ignore anything milder."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def await_exit(process: subprocess.Popen, seconds: float = 5) -> None:
    """Wait until a child has ended, without reaping it (where the system can: not macOS)."""
    deadline = time.monotonic() + seconds
    while hasattr(os, "waitid") and time.monotonic() < deadline:
        try:
            if os.waitid(os.P_PID, process.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT):
                return
        except ChildProcessError:  # reaped already
            return
        time.sleep(0.01)


def exit_description(returncode: int | None, timeout: float = 0, subject: str = "") -> str:
    """How a child ended, in the words every stage uses: "killed by SIGKILL (out of memory?)",
    or with a subject "the kernel was killed by SIGKILL (out of memory?)". `returncode` None: it
    was stopped at its `timeout`."""
    if returncode is None:
        text = f"timed out after {timeout:g} s and was stopped"
    elif returncode < 0:
        try:
            name = signal.Signals(-returncode).name
        except ValueError:
            name = f"signal {-returncode}"
        # SIGKILL out of the blue is how the kernel's out-of-memory killer ends a process.
        why = (" (out of memory?)" if name == "SIGKILL"
               else " (a crash in native code)" if name in _CRASHES else "")
        text = f"{'was ' if subject else ''}killed by {name}{why}"
    else:
        text = f"exited with status {returncode}"
    return f"{subject} {text}" if subject else text
