"""`lecture figures` and `lecture notebooks`: one stage of the build on its own."""
from __future__ import annotations

from typing import Callable

from ..config import Config
from ..jobs.figures import make_figures
from ..jobs.notebooks import make_notebooks
from ..jobs.runner import JobsResult


def figures(config: Config, names: list[str] | None, force: bool,
            progress: Callable[[str], None]) -> JobsResult:
    """Run the stale figure scripts (all, or those named)."""
    return make_figures(config, names, force=force, progress=progress)


def notebooks(config: Config, force: bool, progress: Callable[[str], None]) -> JobsResult:
    """Execute and convert the notebooks that changed."""
    return make_notebooks(config, force=force, progress=progress)
