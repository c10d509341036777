"""Child processes that the tool starts (figure scripts, snippet workers), so that stopping
`lecture serve` with Ctrl-C can stop them too: they run in sessions of their own."""
from __future__ import annotations

import os
import signal
import subprocess
import threading

_running: set[subprocess.Popen] = set()
_lock = threading.Lock()


def started(process: subprocess.Popen) -> subprocess.Popen:
    with _lock:
        _running.add(process)
    return process


def finished(process: subprocess.Popen) -> None:
    with _lock:
        _running.discard(process)


def stop_all() -> None:
    """Kill every child still running, with whatever it started."""
    with _lock:
        running = list(_running)
        _running.clear()
    for process in running:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
