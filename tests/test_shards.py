"""Splitting the work across CI machines (`--shard I/N`) and carrying results between them
(`lecture cache export` / `import`): the shards' results assemble the site an unsharded build
makes, byte for byte, with no job run twice; a damaged or foreign export is refused whole."""
from __future__ import annotations

import io
import json
import random
import re
import shutil
import tarfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from lecture_tool.cache_archive import HEADER
from lecture_tool.cli import main
from lecture_tool.commands.build import build
from lecture_tool.commands.cache import export_cache, import_caches
from lecture_tool.commands.check import check
from lecture_tool.commands.shares import share_of
from lecture_tool.config import load_config
from lecture_tool.errors import LectureError
from lecture_tool.shards import Shard, assign, parse_shard

from conftest import make_project

FIGURE = '''"""Figure {name}: writes its image and says that it ran."""
import os
import sys
from pathlib import Path

OUTPUTS = ["{name}.png"]
ALT = {{"{name}.png": "The figure {name}, a test image"}}


def make(out: Path) -> None:
    with open(os.environ["LECTURE_TEST_RUNS"], "a") as runs:
        runs.write("{name}\\n")
    (out / "{name}.png").write_bytes(b"image {name} " * {size})
{records}

if __name__ == "__main__":
    make(Path(sys.argv[-1]))
'''
RECORDS = '''    from lecture_tool import values
    values.write(out, {"answer": 42})
'''


NOTEBOOK = {"cells": [{"cell_type": "code", "execution_count": None, "id": "mean", "metadata": {},
                       "outputs": [], "source": ["lecture_values = {'mean': sum([1, 2, 3, 4]) / 4}\n",
                                                 "print(lecture_values)"]}],
            "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python",
                                        "name": "python3"}},
            "nbformat": 4, "nbformat_minor": 5}


def course(root: Path, notebook: bool = False) -> Path:
    """Five figure scripts (one records a value that a deck claims), three decks and, if asked,
    a notebook."""
    files = {f"figures_src/{name}.py": FIGURE.format(name=name, size=size,
                                                      records=RECORDS if name == "answer" else "")
             for name, size in (("alpha", 3), ("beta", 5), ("gamma", 7), ("delta", 2), ("answer", 4))}
    if notebook:
        files["notebooks/mean.ipynb"] = json.dumps(NOTEBOOK)
    return make_project(root, {
        "one.md": "# One\n\n![](images/alpha.png)\n\n```python\nx = 2 + 2\n```\n",
        "two.md": "# Two\n\n![](images/beta.png) ![](images/gamma.png)\n\n---\n\n# Three\n\n"
                  "![](images/delta.png)\n",
        "three.md": "# Answer\n\n<!-- check: figure(\"answer\").answer = 42 -->\nThe answer is 42."
                    "\n\n![](images/answer.png)\n\n```python\nprint(6 * 7)\n```\n",
    }, files)


def runs(log: Path) -> list[str]:
    return sorted(log.read_text().split()) if log.exists() else []


# nbclient stamps each executed cell with the times it ran: two runs of one notebook differ
# there, sharded or not, so those four stamps are set aside (as nbconvert's tests do).
_CELL_TIMES = re.compile(rb'"(iopub\.execute_input|iopub\.status\.busy|iopub\.status\.idle|'
                         rb'shell\.execute_reply)": "[0-9T:.-]+Z"')


def tree(output: Path) -> dict[str, bytes]:
    """Every file of the site, by its path, without the caches."""
    return {path.relative_to(output).as_posix(): _CELL_TIMES.sub(rb'"\1": "-"', path.read_bytes())
            for path in sorted(output.rglob("*"))
            if path.is_file() and ".cache" not in path.relative_to(output).parts}


def test_two_shards_and_an_import_give_the_unsharded_site(tmp_path, monkeypatch):
    log = tmp_path / "runs.log"
    monkeypatch.setenv("LECTURE_TEST_RUNS", str(log))
    whole = load_config(course(tmp_path / "whole", notebook=True))
    assert not [d for d in build(whole).diagnostics]
    log.unlink()

    exports = []
    for index in (1, 2):
        config = load_config(course(tmp_path / f"shard{index}", notebook=True))
        result = build(config, shard=Shard(index, 2))
        assert not result.diagnostics and not (config.output_dir / "index.html").exists()
        assert not check(config, shard=Shard(index, 2)).diagnostics
        exports.append(tmp_path / f"shard{index}.tar.gz")
        export_cache(config, exports[-1])
    assert runs(log) == ["alpha", "answer", "beta", "delta", "gamma"]  # each once, among the shards

    final = load_config(course(tmp_path / "final", notebook=True))
    counts = import_caches(final, exports)
    assert counts.carried == {"figures": 5, "notebooks": 1, "check": 2}
    assembled = build(final)
    assert not assembled.diagnostics
    assert not any(".cache" not in path.parts and path.suffix in (".png", ".ipynb")
                   for path in assembled.written)  # made by the shards, not here
    checked = check(final)
    assert not checked.diagnostics and sorted(checked.cached_decks) == ["slides/one.md", "slides/three.md"]
    assert runs(log) == ["alpha", "answer", "beta", "delta", "gamma"]  # nothing ran again
    assert tree(final.output_dir) == tree(whole.output_dir)


def test_assignments_are_stable_and_cover_every_unit_once():
    rng = random.Random(24)
    costs = {f"unit{i}": rng.choice([0.0, 1.0, 2.5, 7.0, 30.0]) for i in range(40)}
    for count in (1, 2, 3, 4, 7):
        shares = assign(costs, count)
        shuffled = list(costs.items())
        rng.shuffle(shuffled)
        assert assign(dict(shuffled), count) == shares  # the order they come in does not matter
        assert sorted(name for share in shares for name in share) == sorted(costs)
    loads = [sum(costs[name] for name in share) for share in assign(costs, 4)]
    assert max(loads) - min(loads) <= max(costs.values())  # longest first, to the lightest share


def test_a_course_is_shared_with_each_deck_beside_the_figures_it_claims(tmp_path):
    config = load_config(course(tmp_path / "course"))
    for count in (1, 2, 3, 5):
        shares = [share_of(config, Shard(index, count)) for index in range(1, count + 1)]
        figures = [name for share in shares for name in share.figures]
        decks = [path.name for share in shares for path in share.decks]
        assert sorted(figures) == ["alpha", "answer", "beta", "delta", "gamma"]
        assert sorted(decks) == ["one.md", "three.md", "two.md"]
        assert all(("answer" in share.figures) == any(p.name == "three.md" for p in share.decks)
                   for share in shares)


def test_balance_follows_the_times_recorded(tmp_path):
    config = load_config(course(tmp_path / "course"))
    (config.output_dir / ".cache").mkdir(parents=True)
    (config.output_dir / ".cache" / "durations.json").write_text(json.dumps(
        {"figure:alpha": 40.0, "figure:beta": 20.0, "figure:gamma": 10.0, "figure:delta": 9.0}))
    first, second = share_of(config, Shard(1, 2)), share_of(config, Shard(2, 2))
    assert first.figures == {"alpha"} and second.figures == {"answer", "beta", "delta", "gamma"}


@pytest.mark.parametrize("text", ["0/2", "3/2", "1", "a/b", "1/0"])
def test_a_shard_is_spelled_i_of_n(text):
    with pytest.raises(LectureError, match="write I/N"):
        parse_shard(text)


def _rewritten(export: Path, target: Path, change) -> Path:
    """The export with its header changed by `change` (a well-formed archive: only the content lies)."""
    with tarfile.open(export) as tar:
        members = {info.name: tar.extractfile(info).read() for info in tar}
    header = json.loads(members[HEADER])
    change(header, members)
    members[HEADER] = json.dumps(header).encode()
    with tarfile.open(target, "w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return target


def _foreign(header: dict, members: dict) -> None:
    header["environment"]["python"] = "3.0.1 (elsewhere)"


def _tampered(header: dict, members: dict) -> None:
    name = next(name for name in members if name.startswith("blobs/"))
    members[name] = b"something else"


def _escaping(header: dict, members: dict) -> None:
    entry = header["entries"]["figures"]["alpha"]
    entry["files"]["../../outside.png"] = entry["files"].pop("images/alpha.png")


@pytest.mark.parametrize("damage, message", [
    (lambda export, target: target.write_bytes(export.read_bytes()[:200]), "not a whole .tar.gz"),
    (lambda export, target: target.write_text("hello"), "not a gzip file"),
    (lambda export, target: _rewritten(export, target, _foreign),
     "made in another environment, so its results would be stale here: Python 3.0.1 there"),
    (lambda export, target: _rewritten(export, target, _tampered), "does not hold what its name's hash says"),
    (lambda export, target: _rewritten(export, target, _escaping), "outside the output"),
])
def test_a_damaged_or_foreign_export_is_refused_and_the_cache_kept(tmp_path, monkeypatch, damage, message):
    monkeypatch.setenv("LECTURE_TEST_RUNS", str(tmp_path / "runs.log"))
    maker = load_config(course(tmp_path / "maker"))
    build(maker, shard=Shard(1, 1))
    export = tmp_path / "good.tar.gz"
    export_cache(maker, export)
    # A course with a cache of its own: shard 1 of 2 built.
    here = load_config(course(tmp_path / "here"))
    build(here, shard=Shard(1, 2))
    before = {path: path.read_bytes() for path in sorted(here.output_dir.rglob("*")) if path.is_file()}
    bad = tmp_path / "bad.tar.gz"
    damage(export, bad)
    result = CliRunner().invoke(main, ["-C", str(here.root), "cache", "import", str(export), str(bad)])
    assert result.exit_code == 1
    assert f"{bad}: error: " in result.output and message in result.output
    assert "nothing was imported" in result.output
    after = {path: path.read_bytes() for path in sorted(here.output_dir.rglob("*")) if path.is_file()}
    assert after == before


def test_the_command_line_shares_builds_exports_and_imports(tmp_path, monkeypatch):
    monkeypatch.setenv("LECTURE_TEST_RUNS", str(tmp_path / "runs.log"))
    root = course(tmp_path / "course")
    runner = CliRunner()
    built = runner.invoke(main, ["-C", str(root), "build", "--shard", "2/2"])
    assert built.exit_code == 0 and "Shard 2/2:" in built.output
    assert runner.invoke(main, ["-C", str(root), "check", "--shard", "2/2"]).exit_code == 0
    exported = runner.invoke(main, ["-C", str(root), "cache", "export", "out.tar.gz"])
    assert exported.exit_code == 0 and (root / "out.tar.gz").is_file()
    again = tmp_path / "again.tar.gz"
    export_cache(load_config(root), again)
    assert again.read_bytes() == (root / "out.tar.gz").read_bytes()  # the same cache, the same bytes
    other = course(tmp_path / "other")
    imported = runner.invoke(main, ["-C", str(other), "cache", "import", str(again)])
    assert imported.exit_code == 0 and "Imported" in imported.output
    assert runner.invoke(main, ["-C", str(root), "build", "--shard", "1/2", "slides/one.md"]).exit_code == 2
    assert runner.invoke(main, ["-C", str(root), "build", "--shard", "3/2"]).exit_code == 1
    shutil.rmtree(root)


def test_init_with_shards_writes_a_matrix_workflow(tmp_path):
    result = CliRunner().invoke(main, ["init", str(tmp_path / "course"), "--shards", "3"])
    assert result.exit_code == 0, result.output
    workflow = (tmp_path / "course" / ".github/workflows/lecture.yml").read_text()
    assert "shard: [1, 2, 3]" in workflow and "__" not in workflow
    for command in ("lecture build --strict --shard ${{ matrix.shard }}/3",
                    "lecture check --strict --shard ${{ matrix.shard }}/3",
                    "lecture cache export lecture-cache-${{ matrix.shard }}.tar.gz",
                    "lecture cache import shards/*.tar.gz", "actions/deploy-pages@v4",
                    "actions/upload-pages-artifact@v3"):
        assert command in workflow
    # The deploy job is the one-machine workflow's, word for word.
    plain = (tmp_path / "plain")
    CliRunner().invoke(main, ["init", str(plain)])
    deploy = (plain / ".github/workflows/lecture.yml").read_text().split("\n  deploy:\n")[1]
    assert workflow.split("\n  deploy:\n")[1] == deploy
