"""One cache rule (cache.py) and one owner of child processes (processes.py), for figures,
notebooks and `lecture check` alike: real processes, real files."""
import json
import os
import subprocess
import sys

import nbformat
from nbformat.v4 import new_code_cell, new_notebook

from lecture_tool.cache import local_imports, read_json, write_json
from lecture_tool.commands.check import check
from lecture_tool.config import load_config
from lecture_tool.jobs.figures import make_figures
from lecture_tool.jobs.notebooks import fingerprint as notebook_fingerprint, make_notebooks

from conftest import REPO, make_project

# What a child killed by SIGKILL reports, whichever stage ran it.
KILLED = "killed by SIGKILL (out of memory?)"

FIGURE = """import sys
from pathlib import Path

OUTPUTS = ["a.txt"]

with open("runs.log", "a") as log:
    log.write("a\\n")
(Path(sys.argv[-1]) / "a.txt").write_text("made")
"""


def lecture(project, *args, env=None):
    return subprocess.run([sys.executable, "-m", "lecture_tool", "-C", str(project), *args],
                          capture_output=True, text=True, env=env, cwd=REPO)


def runs(project) -> int:
    log = project / "runs.log"
    count = len(log.read_text().split()) if log.exists() else 0
    log.unlink(missing_ok=True)
    return count


def with_fake_distribution(tmp_path) -> dict:
    """An environment whose sys.path holds one more installed distribution, as after a pip install."""
    site = tmp_path / "site"
    (site / "zzz_fake-1.0.dist-info").mkdir(parents=True)
    return dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(site), os.environ.get("PYTHONPATH")])))


def test_the_environment_is_the_installed_distributions(tmp_path):
    show = "import json; from lecture_tool import cache; print(json.dumps([cache.environment(), cache.fingerprint()]))"
    plain, installed = (json.loads(subprocess.run([sys.executable, "-c", show], env=env, check=True,
                                                  capture_output=True, text=True, cwd=REPO).stdout)
                        for env in (None, with_fake_distribution(tmp_path)))
    assert "zzz_fake-1.0.dist-info" not in plain[0] and "zzz_fake-1.0.dist-info" in installed[0]
    assert any(name.startswith("click-") for name in plain[0])  # versions are in the names
    assert plain[1] != installed[1]


def test_a_figure_runs_again_when_an_installed_distribution_changes(tmp_path):
    project = make_project(tmp_path / "course", {}, files={"figures_src/a.py": FIGURE})
    installed = with_fake_distribution(tmp_path)
    for env, expected in ((None, 1), (None, 0), (installed, 1), (installed, 0)):
        result = lecture(project, "figures", env=env)
        assert result.returncode == 0, result.stderr
        assert runs(project) == expected


def test_local_imports_are_followed_through_each_other(tmp_path):
    first, second = tmp_path / "first", tmp_path / "second"
    for directory, files in ((first, {"a.py": "import b\n", "b.py": "from c.sub import x\n",
                                      "c.py": "import os, a as alias\n", "d.py": "",
                                      "shadow.py": ""}),
                             (second, {"shadow.py": "import d\n", "e.py": ""})):
        directory.mkdir()
        for name, text in files.items():
            (directory / name).write_text(text)
    # From text or from a file; a module of the first directory hides one of the second's.
    assert local_imports(["%matplotlib inline\nimport a"], [first, second]) == [
        first / "a.py", first / "b.py", first / "c.py"]
    assert local_imports([first / "a.py"], [first]) == [first / "b.py", first / "c.py"]
    assert local_imports(["import shadow, e"], [first, second]) == [first / "shadow.py", second / "e.py"]
    assert local_imports(["import numpy"], [first]) == []


def test_a_damaged_cache_file_reads_as_empty(tmp_path):
    path = tmp_path / "cache.json"
    assert read_json(path) == {}
    path.write_text('{"half": ')
    assert read_json(path) == {}
    write_json(path, {"a": {"fingerprint": "x"}})
    assert read_json(path) == {"a": {"fingerprint": "x"}}


def test_a_notebook_depends_on_the_modules_beside_it_that_it_imports(tmp_path):
    notebook = new_notebook(cells=[new_code_cell("%matplotlib inline\nfrom helper import VALUE")])
    project = make_project(tmp_path, {}, files={"notebooks/n.ipynb": nbformat.writes(notebook),
                                                "notebooks/helper.py": "VALUE = 1\n",
                                                "notebooks/unused.py": "X = 1\n"})
    config, path = load_config(project), project / "notebooks/n.ipynb"
    before = notebook_fingerprint(path, config)
    (project / "notebooks/unused.py").write_text("X = 2\n")
    assert notebook_fingerprint(path, config) == before
    (project / "notebooks/helper.py").write_text("VALUE = 2\n")
    assert notebook_fingerprint(path, config) != before


def test_a_child_killed_by_sigkill_is_worded_alike_in_every_stage(tmp_path):
    kill = "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)"
    notebook = new_notebook(cells=[new_code_cell("x = 1"), new_code_cell(kill)])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                       "language": "python"}
    project = make_project(tmp_path, {"deck.md": f"# A\n\n```python\nx = 1\n{kill}\n```\n"},
                           files={"figures_src/dies.py": f"OUTPUTS = ['d.txt']\n{kill}\n",
                                  "notebooks/dies.ipynb": nbformat.writes(notebook)},
                           config="[tool.lecture.check]\nprelude = ''\n")
    config = load_config(project)
    found = [d.format(project) for stage in (make_figures, make_notebooks, check)
             for d in stage(config).diagnostics]
    assert found == [f"figures_src/dies.py:1: error: {KILLED}",
                     f"notebooks/dies.ipynb: cell 2: error: the kernel was {KILLED}",
                     f"slides/deck.md:4: error: the Python process running the snippets was {KILLED}"]
