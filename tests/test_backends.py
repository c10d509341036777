"""Keras on TensorFlow, JAX or PyTorch: one `[tool.lecture] keras_backend` setting for every
process that runs the course's code, part of every cached result's key, and the same results."""
import json
import os

import nbformat
from nbformat.v4 import new_code_cell, new_notebook

from lecture_tool.commands.check import check
from lecture_tool.config import load_config
from lecture_tool.jobs.figures import make_figures
from lecture_tool.jobs.notebooks import make_notebooks

from conftest import SAMPLES, copy_built_course, make_project

FIGURE = """import sys
from pathlib import Path

import keras

OUTPUTS = ["backend.txt"]

out = Path(sys.argv[sys.argv.index("--out") + 1])
(out / "backend.txt").write_text(keras.backend.backend())
"""

# The block prints the backend it runs on; the slide shows what it should print: "jax".
DECK = """# Which backend

<!-- check: output -->
```python
print(keras.backend.backend())
```

```text
jax
```
"""


def backend_notebook() -> str:
    nb = new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [new_code_cell("import keras\nprint('backend', keras.backend.backend())")]
    return nbformat.writes(nb)


def set_backend(root, backend: str) -> None:
    """Put `keras_backend = BACKEND` first in the course's [tool.lecture] table (or replace it)."""
    pyproject = root / "pyproject.toml"
    lines = [line for line in pyproject.read_text().splitlines() if not line.startswith("keras_backend")]
    at = lines.index("[tool.lecture]") + 1
    pyproject.write_text("\n".join([*lines[:at], f'keras_backend = "{backend}"', *lines[at:]]) + "\n")


def printed_by_notebook(root) -> str:
    executed = nbformat.read(root / "build/notebooks/backend.ipynb", as_version=4)
    return "".join(o.get("text", "") for cell in executed.cells for o in cell.outputs)


def test_the_default_is_what_keras_itself_picks(tmp_path, monkeypatch):
    make_project(tmp_path, {"deck.md": "# A\n"})
    keras_home = tmp_path / "keras-home"
    keras_home.mkdir()
    monkeypatch.setenv("KERAS_HOME", str(keras_home))
    monkeypatch.delenv("KERAS_BACKEND", raising=False)
    assert load_config(tmp_path).keras_backend == "tensorflow"
    (keras_home / "keras.json").write_text(json.dumps({"backend": "jax", "floatx": "float32"}))
    assert load_config(tmp_path).keras_backend == "jax"
    monkeypatch.setenv("KERAS_BACKEND", "torch")  # Keras: the variable before the file
    assert load_config(tmp_path).keras_backend == "torch"
    set_backend(tmp_path, "tensorflow")  # the course's setting before both
    assert load_config(tmp_path).keras_backend == "tensorflow"


def test_the_backend_reaches_every_child_and_keys_every_cache(tmp_path):
    root = make_project(tmp_path, {"deck.md": DECK}, files={
        "figures_src/backend.py": FIGURE, "notebooks/backend.ipynb": backend_notebook()})
    set_backend(root, "tensorflow")
    config = load_config(root)
    assert make_figures(config).diagnostics == []
    assert make_notebooks(config).diagnostics == []
    on_tensorflow = check(config)
    assert (root / "build/images/backend.txt").read_text() == "tensorflow"
    assert "backend tensorflow" in printed_by_notebook(root)
    assert [d.format(root) for d in on_tensorflow.diagnostics] == [
        "slides/deck.md:9: error: the output differs from the slide: the slide shows 'jax', the "
        "block printed 'tensorflow'"]

    # Nothing made on TensorFlow is taken for JAX's: each runs again, and now on JAX.
    set_backend(root, "jax")
    config = load_config(root)
    assert make_figures(config).ran == ["backend"]
    assert make_notebooks(config).ran == ["backend"]
    on_jax = check(config)
    assert on_jax.cached_decks == []
    assert on_jax.diagnostics == []
    assert (root / "build/images/backend.txt").read_text() == "jax"
    assert "backend jax" in printed_by_notebook(root)

    # And JAX's results are JAX's to reuse.
    assert make_figures(config).ran == []
    assert make_notebooks(config).ran == []
    assert check(config).cached_decks == ["slides/deck.md"]


def test_blocks_that_need_real_weights_make_only_theirs_on_jax(tmp_path):
    # On JAX, predict() ends stateless scopes that would make every deferred weight Keras still
    # lists: here the 922M-parameter layer (3.7 GB, over the limit) and, a second time, the
    # weights the worker made for the block (a TypeError).
    big = "# Big\n\n```python\nbig = Sequential([Input((640, 480, 3)), Flatten(), Dense(1000)])\n```\n\n---\n\n"
    root = make_project(tmp_path, {"deck.md": big + (SAMPLES / "check/values.md").read_text()},
                        config='keras_backend = "jax"\n[tool.lecture.check]\nmemory_limit_mb = 3000\n')
    result = check(load_config(root))
    assert result.diagnostics == []
    assert len(result.cases) == 4


def test_a_backend_that_is_not_installed_names_the_extra_that_brings_it(tmp_path, monkeypatch):
    # The course's Python without JAX: a sitecustomize that hides it from every child process.
    hiding = tmp_path / "without-jax"
    hiding.mkdir()
    (hiding / "sitecustomize.py").write_text(
        "import sys\n"
        "class Hide:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] in ('jax', 'jaxlib'):\n"
        "            raise ModuleNotFoundError(f'No module named {name!r}', name=name)\n"
        "sys.meta_path.insert(0, Hide())\n")
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(
        [str(hiding), *filter(None, [os.environ.get("PYTHONPATH")])]))
    root = make_project(tmp_path / "course", {"deck.md": DECK}, config='keras_backend = "jax"\n')
    problems = [d.format(root) for d in check(load_config(root)).diagnostics]
    assert len(problems) == 1
    assert problems[0].startswith("slides/deck.md:5: error: ModuleNotFoundError: No module named 'jax'")
    assert problems[0].endswith(": pip install 'lecture-tool[jax]' brings it")


def test_lecture_3_checks_alike_on_tensorflow_and_jax(built_course, tmp_path):
    # The built course's figures come along; its checked blocks and claims are not used.
    root = copy_built_course(built_course, tmp_path / "course")
    results = {}
    for backend in ("tensorflow", "jax"):
        set_backend(root, backend)
        result = check(load_config(root), use_cache=False)
        results[backend] = ([d.format(root) for d in result.diagnostics],
                            [(c.name, c.failure, c.skipped) for c in result.cases])
    assert results["jax"] == results["tensorflow"]
    problems, cases = results["jax"]
    assert problems == []
    assert {name for name, _, _ in cases if name.startswith("params")} == {
        "params(z) = 922M", "params(convnet) = 433,354", "params(x) = 304",
        "params(features) = 14,714,688", "params(model) = 138,357,544"}
    assert all(failure is None for _, failure, _ in cases)
