"""Which optional part of `lecture-tool` brings a module, so that a missing one is named with
the install command that fixes it instead of a traceback.

The base install (click, Jinja2, markdown-it) builds slides. Each stage that runs course code
needs more: figure scripts `[figures]`, code blocks that use Keras `[keras]` (on JAX: `[jax]`),
PyTorch `[torch]`, notebooks `[notebooks]`. `[course]` is all of them but `[jax]` and `[torch]`,
plus what this repository's own lecture uses.
"""
from __future__ import annotations

import re
from importlib.util import find_spec

DISTRIBUTION = "lecture-tool"

# Top-level module -> the extra that installs it.
EXTRA_FOR_MODULE = {
    "matplotlib": "figures", "PIL": "figures", "numpy": "figures",
    "keras": "keras", "tensorflow": "keras", "torch": "torch",
    # Keras on JAX ([tool.lecture] keras_backend = "jax"): `import keras` then needs these.
    "jax": "jax", "jaxlib": "jax",
    "nbclient": "notebooks", "nbconvert": "notebooks", "nbformat": "notebooks",
    "ipykernel": "notebooks", "jupyter_client": "notebooks",
    "playwright": "pdf",
}


def install_command(extra: str) -> str:
    return f"pip install '{DISTRIBUTION}[{extra}]'"


def missing_extras(extras: list[str]) -> list[str]:
    """The extras of `extras` that are not installed here: those with a module not importable."""
    return [extra for extra in extras
            if missing_modules(*(module for module, of in EXTRA_FOR_MODULE.items() if of == extra))]


def missing_module_hint(module: str | None) -> str:
    """What to say after "No module named 'X'": the extra that brings X, or where to install it."""
    top = (module or "").split(".")[0]
    extra = EXTRA_FOR_MODULE.get(top)
    if extra:
        return f"{install_command(extra)} brings it"
    return "install it into the Python environment that runs lecture"


def missing_modules(*modules: str) -> list[str]:
    """The modules of `modules` that cannot be imported here (found without importing them)."""
    missing = []
    for module in modules:
        try:
            if find_spec(module) is None:
                missing.append(module)
        except (ImportError, ValueError):
            missing.append(module)
    return missing


_NO_MODULE = re.compile(r"No module named '([\w.]+)'")
# What `missing_module_hint` adds after a message, to take it off where only the problem belongs.
HINT = re.compile(r": (?:pip install '[^']*' brings it|install it into the Python environment "
                  r"that runs lecture)$")


def explain_missing_module(message: str) -> str:
    """`message`, followed by how to get the module if it says one is missing."""
    found = _NO_MODULE.search(message)
    return f"{message}: {missing_module_hint(found.group(1))}" if found else message
