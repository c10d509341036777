"""The course configuration: `[tool.lecture]` in the course repository's pyproject.toml."""
from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from .assets import find_node_modules
from .errors import LectureError

# remark.create() options used when the course sets none.
DEFAULT_REMARK_OPTIONS = {
    "ratio": "16:9",
    "highlightStyle": "github",
    "highlightLines": True,
    "countIncrementalSlides": True,
}


@dataclass(frozen=True)
class Config:
    root: Path  # the course repository
    title: str
    slides_dir: Path
    output_dir: Path
    templates_dir: Path  # files here override the templates shipped in the package
    node_modules: Path  # where remark-slide and katex are read from (assets.find_node_modules)
    figures_dir: Path  # figure scripts
    figures_subdir: str = "images"  # where in the output directory figures go
    figure_timeout: float = 300.0  # seconds one figure script may take
    notebooks_dir: Path = Path("notebooks")  # companion notebooks
    cell_timeout: float = 120.0  # seconds one notebook cell may take
    notebook_timeout: float = 900.0  # seconds a whole notebook (start, run, convert) may take
    remark: dict = field(default_factory=dict)  # options passed to remark.create()
    check: dict = field(default_factory=dict)  # [tool.lecture.check]: prelude, timeout, memory

    def decks(self) -> list[Path]:
        """Every deck of the course: slides/*.md, in name order."""
        if not self.slides_dir.is_dir():
            return []
        return sorted(p for p in self.slides_dir.glob("*.md") if not p.name.startswith("."))

    def deck_named(self, name: str) -> Path | None:
        """The deck a command line names by its name (`intro`), file name or path in slides/."""
        for candidate in (self.slides_dir / name, self.slides_dir / f"{name}.md"):
            if candidate.suffix == ".md" and candidate.is_file():
                return candidate
        return None


def find_root(start: Path) -> Path:
    """The nearest directory at or above `start` whose pyproject.toml has [tool.lecture]."""
    start = start.resolve()
    for candidate in (start, *start.parents):
        pyproject = candidate / "pyproject.toml"
        if pyproject.is_file() and "[tool.lecture" in pyproject.read_text(encoding="utf-8"):
            return candidate
    return start


def load_config(root: Path) -> Config:
    root = root.resolve()
    settings: dict = {}
    pyproject = root / "pyproject.toml"
    if pyproject.is_file():
        try:
            data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise LectureError(f"{pyproject}: error: {exc}") from exc
        settings = data.get("tool", {}).get("lecture", {})
    known = {"title", "slides", "output", "templates", "node_modules", "remark", "figures",
             "figures_output", "figure_timeout", "check", "notebooks", "cell_timeout",
             "notebook_timeout"}
    unknown = sorted(set(settings) - known)
    if unknown:
        raise LectureError(f"{pyproject}: error: unknown [tool.lecture] keys: {', '.join(unknown)} "
                           f"(known: {', '.join(sorted(known))})")
    return Config(
        root=root,
        title=str(settings.get("title", root.name)),
        slides_dir=root / settings.get("slides", "slides"),
        output_dir=root / settings.get("output", "build"),
        templates_dir=root / settings.get("templates", "templates"),
        node_modules=find_node_modules(root, root / settings["node_modules"]
                                       if settings.get("node_modules") else None),
        figures_dir=root / settings.get("figures", "figures_src"),
        figures_subdir=str(settings.get("figures_output", "images")).strip("/"),
        figure_timeout=float(settings.get("figure_timeout", 300)),
        notebooks_dir=root / settings.get("notebooks", "notebooks"),
        cell_timeout=float(settings.get("cell_timeout", 120)),
        notebook_timeout=float(settings.get("notebook_timeout", 900)),
        remark={**DEFAULT_REMARK_OPTIONS, **settings.get("remark", {})},
        check=dict(settings.get("check", {})),
    )
