"""Values that figure scripts and notebooks record beside their outputs, for slides to check their
words against or to show (README: "Numbers on slides").

A figure script records with `figure_style.record(name, value)`; a notebook puts them in a dict
named `lecture_values` (plain Python: it runs the same without lecture). Either way they are
written, as JSON, to `FILE` in the job's output directory; the job runner moves that file to
`.cache/values/<kind>/<name>.json` with the outputs, so values are cached with them and replaced
only by a run that succeeded.

A slide names one as `figure("adversarial").right_p` or `notebook("linear-regression").slope`,
with an optional index into a list (`figure("x").probabilities[9]`).

This module imports only the standard library: figure scripts and the notebook runner use it.
"""
from __future__ import annotations

import json
import math
import os
import re
from dataclasses import dataclass
from pathlib import Path

FILE = ".lecture-values.json"
KINDS = ("figure", "notebook")
NAME = re.compile(r"[A-Za-z_]\w*")
REFERENCE = re.compile(r'(?P<kind>figure|notebook)\(\s*"(?P<name>[^"\n]+)"\s*\)\s*\.\s*'
                       r'(?P<key>[A-Za-z_]\w*)(?:\[(?P<index>-?\d+)\])?')

Values = dict[str, dict[str, dict[str, object]]]  # kind -> figure script or notebook -> name -> value


def plain(value: object) -> object:
    """A value as JSON keeps it: a number, a string, True/False, or a list of them (NumPy's
    scalars and arrays included). Anything else is a TypeError that says so."""
    if hasattr(value, "tolist") and not isinstance(value, (str, bytes)):
        value = value.tolist()  # NumPy scalars and arrays
    if isinstance(value, (list, tuple)):
        return [plain(item) for item in value]
    if isinstance(value, float) and not math.isfinite(value):
        raise TypeError(f"cannot record {value!r}: not a finite number")
    if isinstance(value, (bool, int, float, str)):
        return value
    raise TypeError(f"cannot record {value!r} ({type(value).__name__}): record a number, a "
                    "string, True/False, or a list of them")


def write(directory: Path, values: dict[str, object]) -> None:
    """Write recorded values into a job's output directory (whole, then renamed)."""
    for name in values:
        if not NAME.fullmatch(name):
            raise ValueError(f"cannot record a value named {name!r}: use a Python name, "
                             "such as right_p")
    staged = directory / (FILE + ".tmp")
    staged.write_text(json.dumps({name: plain(value) for name, value in sorted(values.items())},
                                 indent=1))
    os.replace(staged, directory / FILE)


def read_all(directory: Path) -> Values:
    """Every recorded value under `.cache/values/`: by kind, then by figure script or notebook."""
    found: Values = {kind: {} for kind in KINDS}
    for kind in KINDS:
        for path in sorted((directory / kind).glob("*.json")):
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue  # damaged: as if never recorded (the job runs again when it is stale)
            if isinstance(data, dict):
                found[kind][path.stem] = data
    return found


@dataclass(frozen=True)
class Reference:
    """`figure("adversarial").right_p`, `notebook("x").accuracy`, `figure("x").probabilities[9]`."""
    kind: str
    name: str
    key: str
    index: int | None = None

    def __str__(self) -> str:
        return f'{self.kind}("{self.name}").{self.key}' + ("" if self.index is None else f"[{self.index}]")

    def look_up(self, values: Values) -> tuple[object, str | None]:
        """The value, or None and why there is none (in words for a message)."""
        recorded = values.get(self.kind, {}).get(self.name)
        if recorded is None:
            known = ", ".join(sorted(values.get(self.kind, {}))) or "none"
            made_by = "figure script figures_src/" if self.kind == "figure" else "notebook notebooks/"
            suffix = ".py" if self.kind == "figure" else ".ipynb"
            return None, (f"{self} names no recorded values: the {made_by}{self.name}{suffix} "
                          f"records none, or does not exist (those that record some: {known})")
        if self.key not in recorded:
            return None, (f"{self.kind} {self.name!r} recorded no {self.key!r} (it recorded: "
                          f"{', '.join(sorted(recorded)) or 'nothing'})")
        value = recorded[self.key]
        if self.index is None:
            return value, None
        if not isinstance(value, list) or not -len(value) <= self.index < len(value):
            return None, f"{self.kind} {self.name!r}: {self.key} has no item [{self.index}]"
        return value[self.index], None


def parse_reference(text: str) -> Reference | None:
    match = REFERENCE.fullmatch(text.strip())
    if match is None:
        return None
    index = match.group("index")
    return Reference(match.group("kind"), match.group("name"), match.group("key"),
                     None if index is None else int(index))
