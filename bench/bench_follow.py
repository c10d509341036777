"""`lecture serve --follow` holding a lecture hall: followers, slow clients, a presenter.

Starts `lecture serve --follow --host 127.0.0.1` on a scratch copy of the course, measures its
idle CPU (no connection, 10 s) and memory, then opens FOLLOWERS event streams (default 1,000:
the followers) and SLOW connections (default 1,000: half of them send half a request header,
the others nothing, and each opens again as soon as the server closes it), and with all of them
open measures, from asyncio clients in this process:

- GET of lecture 3's page, one after another (default 200): p50, p99, max (target p99 ≤ 100 ms);
- a slide change, the presenter's POST, until the last of the followers has it (default 20
  changes): median and max (target ≤ 1 s);
- the server's memory (RSS) and its CPU while all of them are open and idle.

With `--old REF` (e.g. `--old 8351249`, the last thread-pool server), the same for that
commit's server, unpacked by `git archive` into a scratch directory, beside it: an older server
without follow mode has its slide-change row left empty, and a GET it does not answer within
5 s counts as failed.
Run with `.venv/bin/python bench/bench_follow.py [--followers N] [--slow N] [--old REF]`.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PAGE = "lecture3-neural-networks.html"
GET_TIMEOUT = 5.0


@dataclass
class Figures:
    idle_cpu: float = 0.0  # % of one core, no connection
    rss_idle_mb: float = 0.0
    rss_loaded_mb: float = 0.0
    loaded_cpu: float = 0.0  # % of one core, every connection open and quiet
    connected: int = 0
    gets: list[float] = field(default_factory=list)
    failed_gets: int = 0
    changes: list[float] = field(default_factory=list)  # s until the last follower had it
    missed: int = 0  # followers that never had a change


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--followers", type=int, default=1000)
    parser.add_argument("--slow", type=int, default=1000)
    parser.add_argument("--gets", type=int, default=200)
    parser.add_argument("--changes", type=int, default=20)
    parser.add_argument("--old", metavar="REF", help="also measure this commit's server")
    args = parser.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = 2 * (args.followers + args.slow) + 1000  # ours and, inherited, the server's
    if soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(wanted, hard), hard))
    load = os.getloadavg()
    with tempfile.TemporaryDirectory() as scratch:
        course = _course(Path(scratch) / "course")
        results = {"this checkout": measure(course, REPO, args)}
        if args.old:
            old = Path(scratch) / "old"
            old.mkdir()
            archive = subprocess.run(["git", "-C", str(REPO), "archive", args.old, "lecture_tool"],
                                     check=True, capture_output=True).stdout
            subprocess.run(["tar", "-x", "-C", str(old)], input=archive, check=True)
            results[f"{args.old} (thread pool)"] = measure(course, old, args)
    _table(results, args, load, os.getloadavg())


def _course(course: Path) -> Path:
    shutil.copytree(REPO / "slides", course / "slides")
    shutil.copytree(REPO / "figures_src", course / "figures_src",
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(REPO / "pyproject.toml", course / "pyproject.toml")
    return course


def measure(course: Path, code: Path, args) -> Figures:
    # Run from the course: `python -m` puts the working directory first on the path, and this
    # checkout must not stand in for the other.
    env = {**os.environ, "PYTHONPATH": str(code)}
    follow = "--follow" in subprocess.run([sys.executable, "-m", "lecture_tool", "serve", "--help"],
                                          env=env, capture_output=True, text=True, cwd=course).stdout
    server = subprocess.Popen([sys.executable, "-m", "lecture_tool", "-C", str(course), "serve",
                               "--port", "0", "--host", "127.0.0.1", *(["--follow"] if follow else [])],
                              stderr=subprocess.PIPE, text=True, env=env, cwd=course)
    lines: list[str] = []
    threading.Thread(target=lambda: lines.extend(l.rstrip() for l in server.stderr), daemon=True).start()
    deadline = time.monotonic() + 300
    while not any("serving" in l for l in lines) or (follow and not any("presenter" in l for l in lines)):
        assert server.poll() is None and time.monotonic() < deadline, lines
        time.sleep(0.05)
    port = int(re.search(r"at http://127\.0\.0\.1:(\d+)/", next(l for l in lines if "serving" in l)).group(1))
    token = next((re.search(r"presenter=(\S+)", l).group(1) for l in lines if "presenter=" in l), None)
    figures = Figures()
    try:
        time.sleep(2)  # the first build's aftermath settles
        figures.idle_cpu = _cpu_percent(server.pid, 10)
        figures.rss_idle_mb = _rss_mb(server.pid)
        asyncio.run(_load(port, token, args, server.pid, figures))
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
    return figures


async def _load(port: int, token: str | None, args, pid: int, figures: Figures) -> None:
    arrivals: dict[int, list[float]] = {}
    connected = [0]
    stop = asyncio.Event()
    tasks = []
    for start in range(0, args.followers, 100):  # in bursts, as a room arrives
        tasks += [asyncio.create_task(_follower(port, arrivals, connected))
                  for _ in range(start, min(start + 100, args.followers))]
        await asyncio.sleep(0.05)
    tasks += [asyncio.create_task(_slow(port, half=i % 2 == 0, stop=stop)) for i in range(args.slow)]
    deadline = time.monotonic() + 60
    while connected[0] < args.followers and time.monotonic() < deadline:
        await asyncio.sleep(0.1)
    figures.connected = connected[0]
    await asyncio.sleep(1)
    for _ in range(args.gets):
        took = await _get(port)
        if took is None:
            figures.failed_gets += 1
        else:
            figures.gets.append(took)
        if figures.failed_gets >= 5 and not figures.gets:
            figures.failed_gets = args.gets  # it answers none: waiting out the rest says nothing new
            break
    if token:
        for change in range(args.changes):
            index = 10 + change
            sent = time.perf_counter()
            arrivals[index] = []
            await _post(port, token, index)
            wait_until = time.monotonic() + 5
            while len(arrivals[index]) < figures.connected and time.monotonic() < wait_until:
                await asyncio.sleep(0.005)
            figures.missed += figures.connected - len(arrivals[index])
            if arrivals[index]:
                figures.changes.append(max(arrivals[index]) - sent)
            await asyncio.sleep(0.2)
    figures.rss_loaded_mb = _rss_mb(pid)
    figures.loaded_cpu = await asyncio.to_thread(_cpu_percent, pid, 5)
    stop.set()
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


async def _follower(port: int, arrivals: dict[int, list[float]], connected: list[int]) -> None:
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(f"GET /__lecture__/events?page={PAGE} HTTP/1.1\r\n"
                     f"Host: 127.0.0.1:{port}\r\n\r\n".encode())
        await reader.readuntil(b"\r\n\r\n")
        connected[0] += 1
        while line := await reader.readline():
            if line.startswith(b"data: ") and b'"index"' in line:
                index = json.loads(line[6:])["index"]
                if index in arrivals:
                    arrivals[index].append(time.perf_counter())
    except (OSError, asyncio.IncompleteReadError):
        return


async def _slow(port: int, half: bool, stop: asyncio.Event) -> None:
    """A connection that sends half a request header, or nothing; opened again when closed."""
    while not stop.is_set():
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            if half:
                writer.write(b"GET /" + PAGE.encode() + b" HTTP/1.1\r\nHost: 127.0.0.1")
            await reader.read()  # until the server gives up on it
            writer.close()
        except OSError:
            await asyncio.sleep(0.5)


async def _get(port: int) -> float | None:
    started = time.perf_counter()
    try:
        reader, writer = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", port), GET_TIMEOUT)
        writer.write(f"GET /{PAGE} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n".encode())
        response = await asyncio.wait_for(reader.read(), GET_TIMEOUT)
        writer.close()
    except (OSError, asyncio.TimeoutError):
        return None
    if not response.startswith(b"HTTP/1.1 200") or b"</html>" not in response:
        return None
    return time.perf_counter() - started


async def _post(port: int, token: str, index: int) -> None:
    body = json.dumps({"page": PAGE, "index": index}).encode()
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(f"POST /__lecture__/position HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                 f"X-Lecture-Token: {token}\r\nContent-Type: application/json\r\n"
                 f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode() + body)
    answer = await reader.read()
    writer.close()
    assert answer.startswith(b"HTTP/1.1 204"), answer[:200]


def _cpu_percent(pid: int, seconds: float) -> float:
    before = _cpu_seconds(pid)
    time.sleep(seconds)
    return 100 * (_cpu_seconds(pid) - before) / seconds


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _rss_mb(pid: int) -> float:
    kb = re.search(r"VmRSS:\s+(\d+) kB", Path(f"/proc/{pid}/status").read_text()).group(1)
    return int(kb) / 1024


def _table(results: dict[str, Figures], args, load_before, load_after) -> None:
    names = list(results)
    print(f"{args.followers} followers (event streams) and {args.slow} slow connections "
          f"(half a header, or nothing) open; load average {load_before[0]:.1f} before, "
          f"{load_after[0]:.1f} after, on {os.cpu_count()} cores")
    print("| measure | " + " | ".join(names) + " | target |")
    print("|---|" + "---:|" * len(names) + "---|")

    def row(label: str, cell, target: str = "") -> None:
        print(f"| {label} | " + " | ".join(cell(results[n]) for n in names) + f" | {target} |")

    def quantile(values: list[float], q: float) -> float:
        ordered = sorted(values)
        return ordered[min(len(ordered) - 1, max(0, int(round(q * len(ordered))) - 1))]

    def gets(f: Figures, q: float) -> str:
        if not f.gets:
            return f"none answered ({f.failed_gets} failed)"
        return f"{quantile(f.gets, q) * 1000:.1f}" + (f" ({f.failed_gets} failed)" if f.failed_gets else "")

    row("followers connected", lambda f: str(f.connected))
    row("GET of the page, p50 ms", lambda f: gets(f, 0.5))
    row("GET of the page, p99 ms", lambda f: gets(f, 0.99), "≤ 100")
    row("GET of the page, max ms", lambda f: gets(f, 1.0))
    row("slide change → last follower, median ms",
        lambda f: f"{statistics.median(f.changes) * 1000:.0f}" if f.changes else "–")
    row("slide change → last follower, max ms",
        lambda f: f"{max(f.changes) * 1000:.0f}" if f.changes else "–", "≤ 1000")
    row("followers that missed a change", lambda f: str(f.missed) if f.changes else "–", "0")
    row("server RSS idle, MB", lambda f: f"{f.rss_idle_mb:.0f}")
    row("server RSS with every connection open, MB", lambda f: f"{f.rss_loaded_mb:.0f}")
    row("server CPU idle, no connection, % of a core", lambda f: f"{f.idle_cpu:.1f}")
    row("server CPU, every connection open and quiet, % of a core", lambda f: f"{f.loaded_cpu:.1f}")


if __name__ == "__main__":
    main()
