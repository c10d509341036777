"""`lecture pdf`: bring the decks' pages up to date (pages.py), then print them."""
from __future__ import annotations

from pathlib import Path
from typing import Callable, Iterable

from ..config import Config
from ..diagnostics import Collector, Diagnostic
from ..printing.pdf import PdfResult, print_pdfs
from .pages import fresh_pages


def make_pdfs(config: Config, decks: list[Path] | None = None, modes: Iterable[str] = ("slides",), *,
              report: Callable[[Diagnostic], None] | None = None,
              progress: Callable[[str], None] = lambda line: None, force: bool = False) -> PdfResult:
    """Print the decks (all, or those named) in `modes`, building stale pages first. A deck
    whose page cannot be built without errors keeps its last good PDFs."""
    note = Collector(report)
    paths = list(decks) if decks else config.decks()
    stale, broken = fresh_pages(config, paths, note, lambda line: progress(f"pdf: {line}"))
    result = print_pdfs(config, [path for path in paths if path not in broken], modes,
                        report=note, progress=progress, force=force,
                        reported=frozenset(path.resolve() for path in stale))
    if "annotated" in modes and any(path.name.endswith("-annotated.pdf") for path in result.written):
        _link_from_course_page(config, paths)
    result.diagnostics = note.found
    result.seconds = note.seconds()
    return result


def _link_from_course_page(config: Config, paths: list[Path]) -> None:
    """The course page links an annotated PDF once there is one: the build writes it again
    (the decks' pages are current, so it renders none of them); what it would say, it said
    already above."""
    from .build import build

    build(config, paths, report=lambda diagnostic: None, figures=False, notebooks=False,
          keep_last_good=True)
