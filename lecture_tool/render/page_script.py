"""The page's own script as the build reads it, without Jinja2: `lecture check` asks too."""
from __future__ import annotations

from pathlib import Path

from ..config import Config

PACKAGED_TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
# The mark of a page script that puts a pause button on GIFs (the packaged lecture.js does).
GIF_PAUSE_BUTTON = "lecture-gif-pause"


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
