"""Companion notebooks: committed clean, executed by nbclient, rendered offline, linked, cached."""
import re

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from lecture_tool.commands.build import build
from lecture_tool.config import load_config
from lecture_tool.jobs.notebooks import make_notebooks

from conftest import REPO, make_project


def notebook(*cells: str) -> str:
    nb = new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [new_markdown_cell(c[3:]) if c.startswith("md:") else new_code_cell(c) for c in cells]
    return nbformat.writes(nb)


GOOD = notebook("md:# Good\n\nMath: $a*b*c$", "x = 6 * 7\nprint('answer', x)")
BAD = notebook("print('fine')", "a = 1\nb = 2\nraise ValueError('broken on purpose')")


def test_committed_notebooks_have_no_outputs():
    committed = sorted((REPO / "notebooks").glob("*.ipynb"))
    assert [p.stem for p in committed] == ["image-convolutions-with-keras", "linear-regression",
                                           "logistic-regression", "neural-networks-as-feature-extractors"]
    for path in committed:
        nb = nbformat.read(path, as_version=4)
        nbformat.validate(nb)
        for cell in nb.cells:
            if cell.cell_type == "code":
                assert cell.outputs == [] and cell.execution_count is None, path.name


def test_a_failing_cell_is_reported_and_the_rest_is_kept(tmp_path):
    project = make_project(tmp_path, {"deck.md": "# A\n\n* good.ipynb\n* bad.ipynb\n"},
                           files={"notebooks/good.ipynb": GOOD, "notebooks/bad.ipynb": GOOD})
    config = load_config(project)
    first = make_notebooks(config)
    assert first.diagnostics == [] and sorted(first.ran) == ["bad", "good"]
    good_page = (project / "build/notebooks/bad.html").read_bytes()
    (project / "notebooks/bad.ipynb").write_text(BAD)
    result = make_notebooks(config)
    assert result.ran == ["bad"]  # the unchanged one is cached
    assert [d.format(project) for d in result.diagnostics] == [
        "notebooks/bad.ipynb: cell 2 (line 3 of the cell): error: ValueError: broken on purpose"]
    assert (project / "build/notebooks/bad.html").read_bytes() == good_page  # the last good page
    assert "answer 42" in (project / "build/notebooks/good.html").read_text()


def test_dead_kernels_and_slow_cells_are_errors_not_hangs(tmp_path):
    project = make_project(tmp_path, {}, files={
        "notebooks/dies.ipynb": notebook("x = 1", "import os\nos._exit(1)"),
        "notebooks/slow.ipynb": notebook("import time\ntime.sleep(60)")},
        config="cell_timeout = 3\n")
    result = make_notebooks(load_config(project))
    messages = sorted(d.format(project) for d in result.diagnostics)
    assert messages[0] == ("notebooks/dies.ipynb: cell 2: error: the kernel died (out of memory, "
                           "or a crash in native code)")
    # The timeout the cell really had: 3 s, or more on a machine busier than its cores.
    assert re.fullmatch(r"notebooks/slow\.ipynb: cell 1: error: the cell ran longer than (3 s|\d+ s "
                        r"\(3 s as configured, stretched by the machine's load\)) and was stopped",
                        messages[1]), messages[1]
    assert len(messages) == 2


def test_slides_link_to_notebook_pages_that_work_offline(tmp_path, browser):
    project = make_project(tmp_path, {"deck.md": "# Notebooks\n\n* good.ipynb\n* `good.ipynb` in code\n"
                                                 "* nowhere.ipynb\n"},
                           files={"notebooks/good.ipynb": GOOD})
    result = build(load_config(project))
    assert [(d.line, d.message) for d in result.diagnostics] == [
        (5, "mentions nowhere.ipynb, but there is no notebooks/nowhere.ipynb to link to")]
    index = (project / "build/index.html").read_text()
    # The run notebook's page by its name, and the .ipynb itself to download.
    assert '<a class="notebook-page" href="notebooks/good.html">good</a>' in index
    assert '<a class="notebook-download" href="notebooks/good.ipynb" download>good.ipynb</a>' in index
    executed = nbformat.read(project / "build/notebooks/good.ipynb", as_version=4)
    assert executed.cells[1].outputs[0]["text"] == "answer 42\n"

    page = browser.new_page()
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(f"file://{project}/build/deck.html")
    page.wait_for_function("window.slideshow !== undefined")
    links = page.evaluate("Array.from(document.querySelectorAll('.remark-slide-content a'), a => a.textContent)")
    assert links == ["good.ipynb"]  # not the one in code, not the missing one
    page.click("text=good.ipynb")
    page.wait_for_load_state("load")
    assert page.url.endswith("/build/notebooks/good.html")
    assert "answer 42" in page.inner_text("body")
    page.wait_for_function("document.querySelectorAll('.katex').length > 0")
    assert page.evaluate("document.querySelectorAll('.katex-error').length") == 0
    assert [u for u in requests if not u.startswith(("file://", "data:"))] == []
    page.close()


def outputs_of(path) -> str:
    nb = nbformat.read(path, as_version=4)
    return "\n".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs)


def plots_drawn_by(notebook) -> list[int]:
    """Per code cell, the plots it shows: one if it draws with pyplot, none otherwise."""
    return [int("plt." in cell.source) for cell in notebook.cells if cell.cell_type == "code"]


def test_the_course_notebooks_run_and_teach_what_they_say(built_course):
    assert [p for p in built_course.problems if p.startswith("notebooks/")] == []
    out = built_course.root / "build/notebooks"
    for name in ("linear-regression", "logistic-regression", "neural-networks-as-feature-extractors",
                 "image-convolutions-with-keras"):
        executed = nbformat.read(out / f"{name}.ipynb", as_version=4)
        # Every cell that plots shows its plot, and the page carries every one of them.
        shown = [sum("image/png" in o.get("data", {}) for o in cell.outputs)
                 for cell in executed.cells if cell.cell_type == "code"]
        assert shown == plots_drawn_by(nbformat.read(REPO / f"notebooks/{name}.ipynb", as_version=4))
        page = (out / f"{name}.html").read_text()
        assert page.count('src="data:image/png;base64,') == sum(shown), name
        assert "cdnjs" not in page and "require.js" not in page
    linear = outputs_of(out / "linear-regression.ipynb")
    slopes = [float(w) for w in re.findall(r"W = ([\d.]+) °C per hour", linear)]
    assert len(slopes) == 3 and max(slopes) - min(slopes) < 0.02  # NumPy, least squares, Keras agree
    logistic = re.findall(r"^(by hand|Keras): +cross-entropy ([\d.]+), accuracy ([\d.]+)$",
                          outputs_of(out / "logistic-regression.ipynb"), re.M)
    assert [who for who, _, _ in logistic] == ["by hand", "Keras"]
    (_, hand_loss, hand_accuracy), (_, keras_loss, keras_accuracy) = logistic
    assert abs(float(hand_loss) - float(keras_loss)) < 0.01  # the same model, the same minimum
    assert float(hand_accuracy) >= 0.85 and float(keras_accuracy) >= 0.85
    circles = outputs_of(out / "neural-networks-as-feature-extractors.ipynb")
    linear_accuracy = float(re.search(r"linear classifier accuracy: ([\d.]+)", circles).group(1))
    network_accuracy = float(re.search(r"network accuracy: ([\d.]+)", circles).group(1))
    assert linear_accuracy < 0.7 < 0.95 <= network_accuracy
    digits = outputs_of(out / "image-convolutions-with-keras.ipynb")
    assert float(re.search(r"test accuracy: ([\d.]+)", digits).group(1)) >= 0.9
