"""The course configuration: `[tool.lecture]` in the course repository's pyproject.toml.

Every option is declared once below (`OPTIONS`: its table, name, kind, default and help) and the
whole file is validated in one pass: each bad value is an error at its line, an unknown key is a
warning that names the closest known one. A configuration with errors is not used at all: a
command stops with every message, so nothing runs with half of what the lecturer meant.
"""
from __future__ import annotations

import difflib
import json
import os
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from .assets import find_node_modules
from .diagnostics import ERROR, WARNING, Diagnostic
from .errors import LectureError
from .sources import in_directory

LECTURE = "tool.lecture"
CHECK = "tool.lecture.check"
REMARK = "tool.lecture.remark"


@dataclass(frozen=True)
class Option:
    table: str
    name: str
    kind: str  # a key of KINDS
    default: object
    help: str


# remark's shortcuts of one character key (its controllers/inputs/keyboard.js), which WCAG 2.1.4
# asks a page to let its reader turn off or move to a key with a modifier; digits (a slide number
# and Return) are turned off with them, never moved. The page's own: `o` the overview, `/` search.
SHORTCUT_KEYS = ("b", "c", "f", "h", "j", "k", "m", "p", "t", "?", "o", "/")
_LANGUAGE_TAG = re.compile(r"[A-Za-z]{2,8}(?:-[A-Za-z0-9]{1,8})*")
_MODIFIERS = ("alt", "ctrl", "meta", "shift")
_KEY = re.compile(r"(?:f(?:[1-9]|1[0-2])|[!-~])", re.IGNORECASE)  # one printable ASCII key, or F1-F12


def is_language_tag(value) -> bool:
    """The shape of a BCP 47 tag (`en`, `de-CH`, `zh-Hant-TW`), as `<html lang>` takes it."""
    return isinstance(value, str) and _LANGUAGE_TAG.fullmatch(value) is not None


def is_key_combination(value) -> bool:
    """`alt+p`, `ctrl+shift+k`, `f2`, `q`: modifiers, each once, then one key."""
    if not isinstance(value, str) or not value:
        return False
    *modifiers, key = value.lower().split("+") if value != "+" else ["+"]
    return (all(m in _MODIFIERS for m in modifiers) and len(set(modifiers)) == len(modifiers)
            and _KEY.fullmatch(key) is not None)


def _normalized(combination: str) -> str:
    """As the page writes a key it sees (lecture.js): lower case, modifiers in alphabetical order."""
    *modifiers, key = combination.lower().split("+") if combination != "+" else ["+"]
    return "+".join([*sorted(modifiers), key])


# What each kind accepts, and how a message names it.
KINDS = {
    "text": ("text", lambda v: isinstance(v, str)),
    "directory": ("a directory, relative to the course", lambda v: isinstance(v, str) and v.strip() != ""),
    "seconds": ("a number of seconds", lambda v: _is_number(v) and v > 0),
    "megabytes": ("a whole number of megabytes (0: no limit)",
                  lambda v: isinstance(v, int) and not isinstance(v, bool) and v >= 0),
    "weights": ('"deferred" or "materialised"', lambda v: v in ("deferred", "materialised")),
    "table": ("a table", lambda v: isinstance(v, dict)),
    "pdf modes": ('a list of "slides", "handout", "notes", "annotated"',
                  lambda v: isinstance(v, list) and all(mode in PDF_MODES for mode in v)),
    "switch": ("true or false", lambda v: isinstance(v, bool)),
    "keras backend": ('"jax", "torch" or "tensorflow"', lambda v: v in KERAS_BACKENDS),
    "language": ('a language tag such as "en", "de" or "pt-BR"', lambda v: is_language_tag(v)),
    "key map": ("a table from the page's single-key shortcuts (" + " ".join(SHORTCUT_KEYS) + ") to "
                'keys such as "alt+p", or to false (off)',
                lambda v: isinstance(v, dict) and all(key in SHORTCUT_KEYS and (
                    target is False or is_key_combination(target)) for key, target in v.items())),
}
# What `lecture pdf` prints, and so what `[tool.lecture] pdf` may name.
PDF_MODES = ("slides", "handout", "notes", "annotated")
# The backends Keras 3 runs on, as KERAS_BACKEND names them.
KERAS_BACKENDS = ("jax", "torch", "tensorflow")

OPTIONS = (
    Option(LECTURE, "title", "text", None, "course page title (default: the directory's name)"),
    Option(LECTURE, "description", "text", "", "a paragraph under the course page's title"),
    Option(LECTURE, "author", "text", "", "who teaches the course, on the course page"),
    Option(LECTURE, "institution", "text", "", "where the course is taught, on the course page"),
    Option(LECTURE, "term", "text", "", "when, e.g. Autumn 2026, on the course page"),
    Option(LECTURE, "slides", "directory", "slides", "where the decks are"),
    Option(LECTURE, "output", "directory", "build", "where the site goes"),
    Option(LECTURE, "templates", "directory", "templates", "files here replace the packaged templates"),
    Option(LECTURE, "figures", "directory", "figures_src", "figure scripts"),
    Option(LECTURE, "figures_output", "directory", "images", "where in the output figures go"),
    Option(LECTURE, "figure_timeout", "seconds", 300.0, "seconds a figure script may run"),
    Option(LECTURE, "notebooks", "directory", "notebooks", "companion notebooks"),
    Option(LECTURE, "cell_timeout", "seconds", 120.0, "seconds a notebook cell may run"),
    Option(LECTURE, "notebook_timeout", "seconds", 900.0, "seconds a whole notebook may take"),
    Option(LECTURE, "node_modules", "directory", None, "another copy of remark.js and KaTeX"),
    Option(LECTURE, "pdf", "pdf modes", [], "the PDFs lecture build prints too: slides, handout, notes, annotated"),
    Option(LECTURE, "language", "language", "en", "the language of the pages and PDFs (<html lang>)"),
    Option(LECTURE, "shortcuts", "switch", True,
           "the page's single-key shortcuts on when a page opens (false: off until turned on)"),
    Option(LECTURE, "keys", "key map", {}, "[tool.lecture.keys]: the page's single-key shortcuts moved"),
    Option(LECTURE, "keras_backend", "keras backend", None,
           "the Keras backend of code blocks, figure scripts and notebooks (default: what Keras "
           "picks: KERAS_BACKEND, else ~/.keras/keras.json, else tensorflow)"),
    Option(LECTURE, "check", "table", {}, "[tool.lecture.check]: how code blocks run"),
    Option(LECTURE, "remark", "table", {}, "[tool.lecture.remark]: options for remark.create()"),
    Option(CHECK, "timeout", "seconds", 60.0, "seconds per code block"),
    Option(CHECK, "memory_limit_mb", "megabytes", None,
           "address space of the snippet worker (default: the machine's memory, at most 16 GB)"),
    Option(CHECK, "prelude", "text", None, "replaces the default prelude"),
    Option(CHECK, "weights", "weights", "deferred", "materialised: real weights for every block"),
)

# remark.create() options used when the course sets none. Any remark option may be set: they
# are remark's to check, so they are passed on as they are.
DEFAULT_REMARK_OPTIONS = {
    "ratio": "16:9",
    "highlightStyle": "github",
    "highlightLines": True,
    "countIncrementalSlides": True,
}


@dataclass(frozen=True)
class CheckOptions:
    """`[tool.lecture.check]`: how `lecture check` runs a deck's code blocks (defaults: OPTIONS)."""
    timeout: float  # seconds one block may take
    memory_limit_mb: int | None  # the worker's address space; None: the machine's memory, capped
    prelude: str | None  # None: the default prelude (checking.client.DEFAULT_PRELUDE)
    weights: str  # "deferred", or "materialised" (real weights for every block)


@dataclass(frozen=True)
class Config:
    """The course's settings, every one read from OPTIONS (its defaults are declared there)."""
    root: Path  # the course repository
    title: str
    slides_dir: Path
    output_dir: Path
    templates_dir: Path  # files here override the templates shipped in the package
    node_modules: Path  # where remark-slide and katex are read from (assets.find_node_modules)
    figures_dir: Path  # figure scripts
    figures_subdir: str  # where in the output directory figures go
    figure_timeout: float  # seconds one figure script may take
    notebooks_dir: Path  # companion notebooks
    cell_timeout: float  # seconds one notebook cell may take
    notebook_timeout: float  # seconds a whole notebook (start, run, convert) may take
    remark: dict  # options passed to remark.create()
    pdf: tuple[str, ...]  # the PDFs `lecture build` prints too (PDF_MODES)
    language: str  # the pages' and PDFs' language, a BCP 47 tag
    shortcuts: bool  # remark's single-key shortcuts on when a page opens
    keys: dict  # a remark shortcut key (SHORTCUT_KEYS) to the key that replaces it, or False (off)
    # The Keras backend (KERAS_BACKENDS) every process running the course's code gets as
    # KERAS_BACKEND (processes.child_environment), and so part of every cached result's key:
    # the setting, or else the one Keras would pick by itself (keras_default_backend).
    keras_backend: str
    check: CheckOptions
    # What the course page says about the course besides its title ("" where not set).
    description: str
    author: str
    institution: str
    term: str
    warnings: tuple[Diagnostic, ...] = ()  # what the configuration's reading found to say

    @property
    def pyproject(self) -> Path:
        return self.root / "pyproject.toml"

    def decks(self) -> list[Path]:
        """Every deck of the course: slides/*.md, in name order."""
        return in_directory(self.slides_dir, "*.md")

    def deck_named(self, name: str) -> Path | None:
        """The deck a command line names by its name (`intro`), file name or path in slides/."""
        for candidate in (self.slides_dir / name, self.slides_dir / f"{name}.md"):
            if candidate.suffix == ".md" and candidate.is_file():
                return candidate
        return None

    def notebooks(self) -> list[Path]:
        """Every companion notebook: notebooks/*.ipynb, in name order."""
        return in_directory(self.notebooks_dir, "*.ipynb")


class ConfigError(LectureError):
    """The configuration has errors: every problem found, one a line, in file order."""

    def __init__(self, diagnostics: list[Diagnostic], root: Path):
        self.diagnostics = sorted(diagnostics, key=lambda d: d.line)
        super().__init__("\n".join(d.format(root) for d in self.diagnostics))


def keras_default_backend() -> str:
    """The backend Keras picks when the course sets none, read as Keras reads it (without
    importing it): KERAS_BACKEND, else "backend" in $KERAS_HOME/keras.json (~/.keras), else
    TensorFlow. A value Keras would refuse is passed on as it is, for Keras to say so."""
    chosen = os.environ.get("KERAS_BACKEND")
    if chosen:
        return chosen
    try:
        home = Path(os.environ.get("KERAS_HOME") or Path.home() / ".keras")
        chosen = json.loads((home / "keras.json").read_text(encoding="utf-8")).get("backend")
    except (OSError, ValueError, AttributeError, RuntimeError):  # RuntimeError: no home directory
        chosen = None
    return chosen if isinstance(chosen, str) and chosen else "tensorflow"


def find_root(start: Path) -> Path:
    """The nearest directory at or above `start` whose pyproject.toml has [tool.lecture]."""
    start = start.resolve()
    for candidate in (start, *start.parents):
        pyproject = candidate / "pyproject.toml"
        try:
            if pyproject.is_file() and b"[tool.lecture" in pyproject.read_bytes():
                return candidate
        except OSError:
            continue
    return start


def load_config(root: Path) -> Config:
    """Read and validate the course's configuration; raise ConfigError with every error."""
    root = root.resolve()
    pyproject = root / "pyproject.toml"
    text, data = _read(pyproject)
    lines = key_lines(text)
    problems: list[Diagnostic] = []

    def problem(severity: str, path: str, message: str) -> None:
        problems.append(Diagnostic(pyproject, lines.get(path, lines.get(path.rsplit(".", 1)[0], 1)),
                                   severity, message))

    tool = data.get("tool", {})
    settings = tool.get("lecture", {}) if isinstance(tool, dict) else {}
    if not isinstance(settings, dict):
        problem(ERROR, LECTURE, f"[tool] lecture must be a table, not {_shown(settings)}")
        settings = {}
    values = {LECTURE: _validated(settings, LECTURE, problem)}
    for table in (CHECK, REMARK):
        given = values[LECTURE].get(table.rsplit(".", 1)[1], {})
        values[table] = _validated(given, table, problem) if table == CHECK else dict(given)
    main, check = values[LECTURE], values[CHECK]
    paths = {name: root / main[name] for name in ("slides", "output", "templates", "figures", "notebooks")}
    _check_output(root, paths, main["output"], main["figures_output"], problem)
    if any(p.severity == ERROR for p in problems):
        raise ConfigError(problems, root)
    return Config(
        root=root,
        title=main["title"] if main["title"] is not None else root.name,
        slides_dir=paths["slides"],
        output_dir=paths["output"],
        templates_dir=paths["templates"],
        node_modules=find_node_modules(root, root / main["node_modules"] if main["node_modules"] else None),
        figures_dir=paths["figures"],
        figures_subdir=main["figures_output"].strip("/"),
        figure_timeout=float(main["figure_timeout"]),
        notebooks_dir=paths["notebooks"],
        cell_timeout=float(main["cell_timeout"]),
        notebook_timeout=float(main["notebook_timeout"]),
        remark={**DEFAULT_REMARK_OPTIONS, **values[REMARK]},
        pdf=tuple(mode for mode in PDF_MODES if mode in main["pdf"]),
        language=main["language"], shortcuts=main["shortcuts"],
        keys={key: _normalized(target) if target else False for key, target in main["keys"].items()},
        keras_backend=main["keras_backend"] or keras_default_backend(),
        check=CheckOptions(timeout=float(check["timeout"]), memory_limit_mb=check["memory_limit_mb"],
                           prelude=check["prelude"], weights=check["weights"]),
        description=main["description"], author=main["author"],
        institution=main["institution"], term=main["term"],
        warnings=tuple(problems),
    )


def _read(pyproject: Path) -> tuple[str, dict]:
    if not pyproject.is_file():
        return "", {}
    try:
        data = pyproject.read_bytes()
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise ConfigError([Diagnostic(pyproject, line, ERROR, f"not UTF-8 text ({exc.reason}): "
                                      "TOML files are UTF-8")], pyproject.parent) from exc
    except OSError as exc:
        raise ConfigError([Diagnostic(pyproject, 1, ERROR, f"cannot read it: {exc.strerror}")],
                          pyproject.parent) from exc
    try:
        return text, tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = re.search(r"\(at line (\d+)", str(exc))
        raise ConfigError([Diagnostic(pyproject, int(found.group(1)) if found else 1, ERROR,
                                      f"not valid TOML: {exc}")], pyproject.parent) from exc


def _validated(given: dict, table: str, problem) -> dict:
    """The table's values by option name, defaults for those not given or not valid."""
    declared = {o.name: o for o in OPTIONS if o.table == table}
    values = {name: option.default for name, option in declared.items()}
    header = f"[{table}]"
    for key, value in given.items():
        option = declared.get(key)
        if option is None:
            close = difflib.get_close_matches(key, declared, n=1)
            elsewhere = difflib.get_close_matches(key, [o.name for o in OPTIONS if o.table != table], n=1)
            hint = (f": did you mean {close[0]}?" if close else
                    f": {elsewhere[0]} belongs in [{_table_of(elsewhere[0])}]" if elsewhere else
                    f" (known: {', '.join(declared)})")
            problem(WARNING, f"{table}.{key}", f"{header} has no option {key!r}, it is ignored{hint}")
            continue
        what, accepts = KINDS[option.kind]
        if not accepts(value):
            problem(ERROR, f"{table}.{key}", f"{header} {key} must be {what}, not {_shown(value)}")
            continue
        values[key] = value
    return values


def _table_of(name: str) -> str:
    return next(o.table for o in OPTIONS if o.name == name)


def _check_output(root: Path, paths: dict[str, Path], output_text: str, figures_output: str,
                  problem) -> None:
    """The output is rewritten at will: it must be a directory of its own inside the course."""
    output = paths["output"].resolve()
    if root not in output.parents:
        problem(ERROR, f"{LECTURE}.output", "[tool.lecture] output must be a directory inside the "
                f"course, not {_shown(output_text)}")
        return
    for name in ("slides", "figures", "notebooks", "templates"):
        source = paths[name].resolve()
        if source == output or output in source.parents or source in output.parents:
            problem(ERROR, f"{LECTURE}.output", f"[tool.lecture] output ({_relative(output, root)}) "
                    f"and {name} ({_relative(source, root)}) overlap: a build would overwrite "
                    "the course's own files")
    if Path(figures_output).is_absolute() or output not in (output / figures_output).resolve().parents:
        problem(ERROR, f"{LECTURE}.figures_output", "[tool.lecture] figures_output must be a "
                f"directory inside the output, not {_shown(figures_output)}")


def key_lines(text: str) -> dict[str, int]:
    """1-based line of each `table.key` (and each table header) in a TOML text."""
    lines, table = {}, ""
    header = re.compile(r"^\s*\[\s*([^\[\]]+?)\s*\]\s*(?:#.*)?$")
    assignment = re.compile(r"^\s*([A-Za-z0-9_\-.\"' ]+?)\s*=")
    for number, line in enumerate(text.splitlines(), start=1):
        if found := header.match(line):
            table = _dotted(found.group(1))
            lines.setdefault(table, number)
        elif found := assignment.match(line):
            lines.setdefault(f"{table}.{_dotted(found.group(1))}".lstrip("."), number)
    return lines


def _dotted(key: str) -> str:
    return ".".join(part.strip().strip("\"'") for part in key.split("."))


def _relative(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix() or "."
    except ValueError:
        return str(path)


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _shown(value) -> str:
    return f'"{value}"' if isinstance(value, str) else repr(value)
