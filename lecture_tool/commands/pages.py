"""Bring the decks' pages up to date before a command reads them in a browser (`lecture pdf`,
`lecture check --a11y`).

A page is built again when it is missing, or when what it is made from (the deck, the course's
settings, its templates) is newer than the page and than the last time a command had it built;
every page when a file beside the decks differs from its copy in the output. With the figures (a
page shows them) but not the notebooks: running those is `lecture build`'s.
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable

from ..cache import read_json, write_json
from ..config import Config
from ..diagnostics import Collector, has_errors
from ..layout import annotations_source, cache_dir, page_path, stale_copies


def fresh_pages(config: Config, paths: list[Path], note: Collector, progress: Callable[[str], None],
                also_stale: bool = False) -> tuple[list[Path], set[Path]]:
    """Build the stale pages of `paths` (all of them with `also_stale`, the caller's reason to
    think so); the decks built, and those whose page could not be built without errors (a deck
    with errors keeps its last good page)."""
    stamps_path = cache_dir(config) / "pages.json"
    checked = read_json(stamps_path)
    stamps = {path: _sources_stamp(config, path) for path in paths}
    stale = paths if also_stale or stale_copies(config) else \
        [path for path in paths if _page_is_stale(config, path, stamps[path], checked)]
    broken: set[Path] = set()
    if stale:
        # Only when a page is stale: the build's imports are 4 ms (-X importtime) of a `lecture
        # pdf` that has nothing to do (90 ms).
        from .build import build

        progress(f"building {', '.join(path.name for path in stale)} first")
        outcome = build(config, stale, report=note, progress=progress, figures=True,
                        notebooks=False, keep_last_good=True)
        for path in stale:
            page = page_path(config, path)
            if has_errors(outcome.by_page.get(page.name, [])) or not page.is_file():
                broken.add(path)
            else:
                # The build rewrites a page only when it changes; this says "checked against
                # sources this old", so that a touched deck is not built again and again.
                checked[page.name] = stamps[path]
        write_json(stamps_path, checked)
    return stale, broken


def _sources_stamp(config: Config, deck: Path) -> int:
    """The newest modification time of what a deck's page is made from: the deck, the course's
    settings (remark's options), its own templates and the deck's strokes (the script the page
    loads them from)."""
    sources = [deck, config.pyproject, annotations_source(config, deck)]
    if config.templates_dir.is_dir():
        sources += [path for path in config.templates_dir.iterdir() if path.is_file()]
    newest = 0
    for source in sources:
        try:
            newest = max(newest, source.stat().st_mtime_ns)
        except FileNotFoundError:
            continue
    return newest


def _page_is_stale(config: Config, deck: Path, stamp: int, checked: dict) -> bool:
    try:
        made = page_path(config, deck).stat().st_mtime_ns
    except FileNotFoundError:
        return True
    last = checked.get(page_path(config, deck).name)
    return stamp > max(made, last if isinstance(last, int) else 0)
