"""What the accessibility rules of a deck (`deck/accessibility.py`) need to know besides the deck,
gathered where the stages meet: the figure scripts' alternative text (jobs), how long each GIF
the output holds runs (its file), and whether the page script can pause GIFs (render)."""
from __future__ import annotations

from pathlib import Path

from ..config import Config
from ..deck.accessibility import ImageFacts
from ..gif import animation
from ..jobs.figures import FigureScript, figure_alts
from ..render.page_script import page_pauses_gifs


def image_facts(config: Config, scripts: list[FigureScript], available: set[str]) -> ImageFacts:
    """`available`: what the output will hold (`layout.output_targets`). A GIF is read where the
    page finds it (the output) or, not copied yet, where it comes from (slides/); a GIF that
    neither holds yet (a figure not made) is not known, and not reported."""
    seconds = {}
    for target in available:
        if not target.lower().endswith(".gif"):
            continue
        for path in (config.output_dir / target, config.slides_dir / target):
            if (found := _running_time(path)) is not False:
                if found is not None:
                    seconds[target] = found
                break
    return ImageFacts(figure_alts(config, scripts), seconds, page_pauses_gifs(config))


# (path, size, mtime) -> seconds: `lecture serve` lints a deck at every save, and a course's GIFs
# do not change between saves of a deck.
_RUNNING_TIMES: dict[tuple, float | None] = {}


def _running_time(path: Path) -> float | None | bool:
    """How long the GIF at `path` runs (None: it is no animation); False when there is no file."""
    try:
        stat = path.stat()
    except OSError:
        return False
    key = (path, stat.st_size, stat.st_mtime_ns)
    if key not in _RUNNING_TIMES:
        try:
            found = animation(path.read_bytes())
        except OSError:
            return False
        _RUNNING_TIMES[key] = found.seconds if found is not None else None
    return _RUNNING_TIMES[key]
