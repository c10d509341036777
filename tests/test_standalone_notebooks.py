"""A notebook downloaded from a built course runs with only what it imports itself: no
lecture_tool, and no cell of the build's (the one that reads `lecture_values`).

The scaffold's notebook runs for real in a venv that has NumPy, matplotlib, ipykernel and
nbclient and nothing else, installed by pip (as requirements.lock pins them) into the user's
cache once, then reused. This repository's notebooks need Keras and scikit-learn as well; for
them, what would need lecture_tool is looked for in the cells of the built notebooks."""
from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from lecture_tool import figure_style
from lecture_tool.commands.init import init_course
from lecture_tool.config import load_config
from lecture_tool.jobs.notebooks import make_notebooks

from conftest import REPO

PLAIN = ["numpy", "matplotlib", "ipykernel", "nbclient", "nbformat"]
# Run inside the plain venv: the notebook, executed by nbclient in that venv's own kernel, with
# two probe cells at the end that say which Python ran it and whether lecture_tool was there.
RUN = """
import json, sys
import nbformat
from nbclient import NotebookClient
notebook = nbformat.read(sys.argv[1], as_version=4)
notebook.cells.append(nbformat.v4.new_code_cell("import sys; print(sys.prefix)"))
notebook.cells.append(nbformat.v4.new_code_cell(
    "import importlib.util; print(importlib.util.find_spec('lecture_tool') is None)"))
NotebookClient(notebook, timeout=120, kernel_name="python3",
               resources={"metadata": {"path": sys.argv[2]}}).execute()
print(json.dumps([cell.outputs[0]["text"].strip() for cell in notebook.cells[-2:]]))
"""


@pytest.fixture(scope="module")
def plain_python() -> Path:
    """A venv with NumPy, matplotlib, ipykernel and nbclient only, made once per lock file."""
    lock = (REPO / "requirements.lock").read_bytes()
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "lecture-tool-tests"
    venv = cache / f"plain-notebook-venv-{hashlib.sha256(lock).hexdigest()[:12]}"
    cache.mkdir(parents=True, exist_ok=True)
    with open(cache / "plain-notebook-venv.lock", "w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)  # another test worker may be making it
        if not (venv / "complete").is_file():
            shutil.rmtree(venv, ignore_errors=True)
            subprocess.run([getattr(sys, "_base_executable", sys.executable), "-m", "venv", str(venv)],
                           check=True, capture_output=True)
            subprocess.run([str(venv / "bin/python"), "-m", "pip", "install", "-q", "-c",
                            str(REPO / "requirements.lock"), *PLAIN], check=True, capture_output=True)
            (venv / "complete").write_text("")
    return venv / "bin/python"


def plain_env(venv_python: Path, home: Path) -> dict:
    """Nothing of this checkout or of the user's Jupyter: the venv's kernel, found on its PATH."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "VIRTUAL_ENV", "JUPYTER_PATH") and not k.startswith("JUPYTER_")}
    return {**env, "PATH": f"{venv_python.parent}{os.pathsep}{env['PATH']}",
            "JUPYTER_DATA_DIR": str(home / "data"), "JUPYTER_CONFIG_DIR": str(home / "config"),
            "JUPYTER_RUNTIME_DIR": str(home / "runtime"), "MPLBACKEND": "Agg"}


def test_downloaded_scaffold_notebook_runs_in_a_plain_venv(plain_python, tmp_path):
    course = tmp_path / "course"
    init_course(course, "Plain")
    result = make_notebooks(load_config(course))
    assert result.diagnostics == []
    built = course / "build/notebooks/first-steps.ipynb"
    download = tmp_path / "downloads" / built.name  # somewhere else, as a student keeps it
    download.parent.mkdir()
    shutil.copy(built, download)
    code = [c["source"] for c in json.loads(built.read_text(encoding="utf-8"))["cells"]
            if c["cell_type"] == "code"]
    assert code and not [c for c in code if "lecture_tool" in "".join(c) or "_lecture_json" in "".join(c)]
    ran = subprocess.run([str(plain_python), "-c", RUN, str(download), str(download.parent)],
                         capture_output=True, text=True, timeout=300,
                         env=plain_env(plain_python, tmp_path / "jupyter"), cwd=download.parent)
    assert ran.returncode == 0, ran.stderr[-3000:]
    prefix, no_lecture_tool = json.loads(ran.stdout.strip().splitlines()[-1])
    assert Path(prefix) == plain_python.parent.parent and no_lecture_tool == "True"


def test_built_notebooks_need_no_lecture_tool(built_course):
    """This repository's notebooks, as the course page offers them for download."""
    built = sorted((built_course.root / "build/notebooks").glob("*.ipynb"))
    assert [p.stem for p in built] == [p.stem for p in sorted((REPO / "notebooks").glob("*.ipynb"))]
    for path in built:
        notebook = json.loads(path.read_text(encoding="utf-8"))
        code = ["".join(c["source"]) for c in notebook["cells"] if c["cell_type"] == "code"]
        assert not [c for c in code if "lecture_tool" in c or "_lecture_json" in c], path.name
        # Every cell ran: no hidden cell missing, no error output.
        assert all(c["execution_count"] for c in notebook["cells"] if c["cell_type"] == "code")
        assert not [o for c in notebook["cells"] for o in c.get("outputs", [])
                    if o["output_type"] == "error"], path.name


def test_notebook_colours_are_the_figures_colours():
    """The few lines each notebook holds instead of lecture_tool's style keep its palette."""
    palette = {name: getattr(figure_style, name) for name in ("BLUE", "ORANGE", "GREEN", "RED", "GREY", "INK")}
    for path in sorted((REPO / "notebooks").glob("*.ipynb")):
        source = "".join("".join(c["source"]) for c in json.loads(path.read_text())["cells"])
        names, values = re.search(r"^([A-Z, ]+) = (\"#.+)$", source, re.M).groups()
        stated = dict(zip(names.split(", "), re.findall(r'"(#[0-9a-f]{6})"', values)))
        assert stated == palette, path.name
