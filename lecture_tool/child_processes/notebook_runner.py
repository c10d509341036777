"""Execute one notebook in a fresh kernel and convert it: `python -m lecture_tool.child_processes.notebook_runner`.

Runs in the course's Python (it needs nbclient, nbconvert and a kernel). Writes NAME.ipynb (with
outputs) and NAME.html into the directory given last. On failure it prints one JSON line,
{"cell": N, "line": L, "message": "..."}, and exits 1.
"""
from __future__ import annotations

import argparse
import json
import math
import re
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError
from nbconvert import HTMLExporter
from traitlets import Unicode

from lecture_tool import values
from lecture_tool.processes import exit_description, load_factor

ANSI = re.compile(r"\x1b\[[0-9;]*m")
# Run after the notebook's own cells, and taken out before it is saved: what the notebook put in
# `lecture_values` (a plain dict: the notebook runs the same without lecture), as JSON.
VALUES_CELL = ("import json as _lecture_json\n"
               "print(_lecture_json.dumps(globals().get('lecture_values', {}), default=lambda v: "
               "v.tolist() if hasattr(v, 'tolist') else repr(v)))")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("notebook", type=Path)
    parser.add_argument("--timeout", type=float, default=120, help="seconds per cell")
    parser.add_argument("--executed", default="", help="date shown on the page")
    parser.add_argument("--language", default="en", help="the page's language, <html lang>")
    parser.add_argument("out", type=Path)
    args = parser.parse_args()

    notebook = nbformat.read(args.notebook, as_version=4)
    own_cells = len(notebook.cells)
    notebook.cells.append(nbformat.v4.new_code_cell(VALUES_CELL))
    running = {"cell": 0, "kernel_exit": None}

    def on_cell_execute(cell, cell_index):
        running["cell"] = cell_index + 1

    def on_notebook_error(notebook):
        # Called before nbclient shuts the kernel down: a dead kernel's exit status is still there.
        kernel = getattr(getattr(client.km, "provisioner", None), "process", None)
        running["kernel_exit"] = kernel.poll() if kernel is not None else None

    # A cell's timeout is stretched on a busy machine, as every job's is (processes.load_factor).
    cell_timeout = math.ceil(args.timeout * load_factor())
    client = NotebookClient(notebook, timeout=cell_timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(args.notebook.parent)}},
                            on_cell_execute=on_cell_execute, on_notebook_error=on_notebook_error)
    try:
        client.execute()
    except CellTimeoutError:
        stretched = (f" ({args.timeout:g} s as configured, stretched by the machine's load)"
                     if cell_timeout > args.timeout else "")
        fail(running["cell"], None, f"the cell ran longer than {cell_timeout:g} s{stretched} and "
             "was stopped")
    except DeadKernelError:
        code = running["kernel_exit"]
        # Killed by a signal: worded as for every child the tool runs (processes.py).
        fail(running["cell"], None, exit_description(code, subject="the kernel")
             if code is not None and code < 0
             else "the kernel died (out of memory, or a crash in native code)")
    except CellExecutionError as exc:
        traceback = ANSI.sub("", exc.traceback or "")
        # IPython names the cell's frames "Cell In[3], line 5"; the last one is where it failed.
        lines = re.findall(r"Cell In\[\d+\], line (\d+)", traceback)
        fail(running["cell"], int(lines[-1]) if lines else None,
             f"{exc.ename}: {exc.evalue}".strip())

    recorded = notebook.cells.pop()
    try:
        printed = "".join(o.get("text", "") for o in recorded.outputs if o.get("name") == "stdout")
        found = json.loads(printed.strip().splitlines()[-1]) if printed.strip() else {}
        if not isinstance(found, dict):
            raise TypeError(f"lecture_values must be a dict, not {type(found).__name__}")
        if found:
            values.write(args.out, found)
    except (TypeError, ValueError) as exc:
        fail(own_cells, None, f"lecture_values: {exc}")

    stem = args.notebook.stem
    nbformat.write(notebook, args.out / f"{stem}.ipynb")

    # The page's <title> is the notebook's `title` metadata (nbconvert's rule), else its first
    # heading, which names it better than its file name; the saved copy is written already.
    notebook.metadata.setdefault("title", first_heading(notebook) or stem)
    exporter = _Exporter(template_name="lecture", page_language=args.language,
                         extra_template_basedirs=[str(Path(__file__).resolve().parent.parent / "templates" / "nbconvert")])
    body, _ = exporter.from_notebook_node(notebook, resources={
        "metadata": {"name": stem}, "lecture_executed": args.executed})
    (args.out / f"{stem}.html").write_text(body, encoding="utf-8")


class _Exporter(HTMLExporter):
    """nbconvert's HTML, in the page's language: its own `language_code` takes a two-letter code
    only (`de`, not `de-CH`) and puts "en" in place of any other."""
    page_language = Unicode("en")

    def _init_resources(self, resources):
        resources = super()._init_resources(resources)
        resources["language_code"] = self.page_language
        return resources


_HEADING = re.compile(r"^ {0,3}#{1,6}[ \t]+(.+?)(?:[ \t]+#+)?[ \t]*$", re.M)


def first_heading(notebook) -> str:
    """The text of the first Markdown heading (`# Title`) of the notebook's Markdown cells."""
    for cell in notebook.cells:
        if cell.cell_type == "markdown" and (found := _HEADING.search(cell.source)):
            return found.group(1).strip()
    return ""


def fail(cell: int, line: int | None, message: str) -> None:
    print(json.dumps({"cell": cell, "line": line, "message": message}))
    sys.exit(1)


if __name__ == "__main__":
    main()
