"""Sharding: the critical path of a course built on N machines side by side (`lecture build
--shard I/N` on each, `lecture cache export`, then one `lecture cache import` and `lecture build`
that assembles the site) against one machine, for N = 1, 2, 4, in one run.

Run with `.venv/bin/python bench/bench_shards.py [--scale S]`. The course is generated: 20 figure
scripts of known cost (each sleeps for its seconds: 1 to 12 s, 102 s in all at the default scale
2) and 4 decks that show their images. A shard's own cost is fixed (about 1.5 s here: Python and
the tool started three times, the course read, an import and an export), and so is the final
import and build's (about 1 s): the more work, the nearer the ratios come to 1/N. Each shard runs as its own processes, with its own course copy and cache, alone on this
machine, one shard after another: N machines of this machine's size (two cores, two scripts at
a time). Run side by side here, the shards' own start-up (Python, the tool, reading the course)
would fight over two cores that N machines would not share, and bill it to sharding.

The scenario is CI's steady state: every script changed since the last run (so all of them run),
and the last run's export is imported first, bringing the times the shares are balanced by. The
"by count" rows import nothing: a first run, balanced by the number of units. The N = 1 row is an
unsharded `lecture build` of the same change with the last run's cache in place (it too runs the
longest scripts first). Critical path: the slowest shard (import, build, export) plus the final
import and build. Targets: 0.6x for N = 2, 0.35x for N = 4.
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

LECTURE = [sys.executable, "-m", "lecture_tool"]
COSTS = [6, 5, 4.5, 4, 4, 3.5, 3, 3, 2.5, 2.5, 2, 2, 2, 1.5, 1.5, 1, 1, 1, 0.5, 0.5]
TARGETS = {2: 0.6, 4: 0.35}
SCRIPT = '''"""A figure that costs {seconds} s (version {version})."""
import sys
import time
from pathlib import Path

OUTPUTS = ["{name}.png"]

if __name__ == "__main__":
    time.sleep({seconds})
    (Path(sys.argv[-1]) / "{name}.png").write_bytes(b"{name} " * 100)
'''


def write_course(root: Path, version: int, scale: float) -> None:
    (root / "figures_src").mkdir(parents=True, exist_ok=True)
    (root / "slides").mkdir(exist_ok=True)
    (root / "pyproject.toml").write_text('[tool.lecture]\ntitle = "Sharded"\n')
    names = [f"fig{index:02d}" for index in range(len(COSTS))]
    for name, seconds in zip(names, COSTS):
        (root / "figures_src" / f"{name}.py").write_text(
            SCRIPT.format(name=name, seconds=seconds * scale, version=version))
    for deck in range(4):
        slides = "\n---\n".join(f"# {name}\n\n![{name}](images/{name}.png)\n" for name in names[deck::4])
        (root / "slides" / f"deck{deck}.md").write_text(slides)


def run(*arguments: str) -> float:
    started = time.perf_counter()
    subprocess.run([*LECTURE, *arguments], check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def shard(course: Path, index: int, count: int, last_run: Path | None, export: Path) -> float:
    """One machine's part: import last run's results, build its share, export."""
    started = time.perf_counter()
    if last_run is not None:
        run("-C", str(course), "cache", "import", str(last_run))
    run("-C", str(course), "build", "--shard", f"{index}/{count}")
    run("-C", str(course), "cache", "export", str(export))
    return time.perf_counter() - started


def sharded(scratch: Path, count: int, last_run: Path | None, scale: float) -> tuple[float, float]:
    """The slowest shard's seconds, and the final import and build's."""
    label = f"n{count}{'-timed' if last_run else '-count'}"
    exports, courses = [], []
    for index in range(1, count + 1):
        course = scratch / label / f"shard{index}"
        write_course(course, 2, scale)
        courses.append(course)
        exports.append(scratch / label / f"shard{index}.tar.gz")
    walls = [shard(courses[i], i + 1, count, last_run, exports[i]) for i in range(count)]
    final = scratch / label / "final"
    write_course(final, 2, scale)
    started = time.perf_counter()
    run("-C", str(final), "cache", "import", *map(str, exports))
    run("-C", str(final), "build")
    return max(walls), time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=float, default=2.0, help="the scripts' seconds, times this")
    scale = parser.parse_args().scale
    with tempfile.TemporaryDirectory() as scratch_name:
        scratch = Path(scratch_name)
        local = scratch / "local"
        write_course(local, 1, scale)
        run("-C", str(local), "build")  # last run's, which recorded every script's time
        last_run = scratch / "last-run.tar.gz"
        run("-C", str(local), "cache", "export", str(last_run))
        write_course(local, 2, scale)  # every script changed since
        one = run("-C", str(local), "build")
        rows = [(1, "1 (unsharded)", one, 0.0)]
        for count in (2, 4):
            rows.append((count, f"{count}, balanced by last run's times",
                         *sharded(scratch, count, last_run, scale)))
        for count in (2, 4):
            rows.append((count, f"{count}, by count (first run)", *sharded(scratch, count, None, scale)))
        shutil.rmtree(scratch / "local")
    print(f"Figure scripts: {len(COSTS)}, {sum(COSTS) * scale:g} s of work; each machine runs "
          f"{os.cpu_count()} at a time.\n")
    print("| shards | slowest shard s | import + assemble s | critical path s | × N=1 | target |")
    print("|---|---:|---:|---:|---:|---|")
    for count, label, slowest, assemble in rows:
        path = slowest + assemble
        target = TARGETS.get(count)
        verdict = "" if target is None or "count" in label else \
            f"≤ {target} {'met' if path / one <= target else 'MISSED'}"
        print(f"| {label} | {slowest:.1f} | {assemble:.1f} | {path:.1f} | {path / one:.2f} | {verdict} |")


if __name__ == "__main__":
    main()
