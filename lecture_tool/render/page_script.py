"""The page's own script as the build reads it, without Jinja2: `lecture check` asks too."""
from __future__ import annotations

from pathlib import Path

from ..config import Config
from ..deck.accessibility import GIF_PAUSE_BUTTON

PACKAGED_TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def page_pauses_gifs(config: Config) -> bool:
    """Whether the page script (the course's own `lecture.js`, else the packaged one) puts a
    pause button on GIFs."""
    script = config.templates_dir / "lecture.js"
    if not script.is_file():
        script = PACKAGED_TEMPLATES / "lecture.js"
    try:
        return GIF_PAUSE_BUTTON in script.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
