"""The pages: Jinja2 templates (the course's `templates/` over the packaged ones) filled with a
deck's prepared source, its text version, the course page, the stylesheet and the page script."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable
from urllib.parse import quote

import jinja2

from ..config import Config, is_language_tag
from ..deck import Deck
from ..deck.annotations import copied_code
from ..diagnostics import ERROR, Diagnostic
from ..annotations import slide_keys
from ..layout import annotations_script_name, cache_dir, page_url, text_page_url
from .page_script import PACKAGED_TEMPLATES
from .source import heading_ids, json_for_script
from .text_page import TextSlide

__all__ = ["PACKAGED_TEMPLATES", "DeckEntry", "page_script", "render_deck", "render_index",
           "render_stylesheet", "rendered", "template_environment"]


def template_environment(config: Config) -> jinja2.Environment:
    loaders = [jinja2.FileSystemLoader(str(config.templates_dir)),
               jinja2.PackageLoader("lecture_tool", "templates")]
    # Compiled templates are kept between builds: compiling them is most of a no-op build's time.
    cache = cache_dir(config) / "templates"
    cache.mkdir(parents=True, exist_ok=True)
    return jinja2.Environment(loader=jinja2.ChoiceLoader(loaders), autoescape=True,
                              undefined=jinja2.StrictUndefined, keep_trailing_newline=True,
                              bytecode_cache=jinja2.FileSystemBytecodeCache(str(cache)))


def deck_language(deck: Deck, config: Config) -> str:
    """The language of a deck's pages: its first slide's `lang:` property, when that is a
    language tag, else the course's (`[tool.lecture] language`)."""
    own = deck.slides[0].properties.get("lang", "").strip() if deck.slides else ""
    return own if is_language_tag(own) else config.language


def page_settings(config: Config) -> dict:
    """What lecture.js reads besides remark's options: whether remark's single-key shortcuts
    are on when the page opens, and the keys that replace them."""
    return {"shortcuts": config.shortcuts, "keys": config.keys}


def render_deck(deck: Deck, config: Config, env: jinja2.Environment, source: str,
                macros_script: str | None = None) -> str:
    """`source`: the deck as the page gives it to remark (`source.prepare_source`);
    `macros_script`: the course's remark macros, which the page loads before remark.create()
    runs (layout.MACROS_SCRIPT), or None."""
    # lecture.js takes its own settings out before remark sees the options.
    options = {**config.remark, "lecture": page_settings(config)}
    return env.get_template("deck.html").render(
        deck=deck, course_title=config.title, macros_script=macros_script,
        language=deck_language(deck, config), text_href=text_page_url(deck.path),
        source_json=json_for_script(source),
        heading_ids_json=json_for_script(heading_ids(deck)),
        code_json=json_for_script(code_to_copy(deck, config)),
        options_json=json_for_script(options),
        annotation_keys_json=json_for_script(annotation_keys(deck)),
        annotations_script=quote(annotations_script_name(deck.path)))


def annotation_keys(deck: Deck) -> dict:
    """What the drawing script (annotate.js) needs to find a slide's strokes: the deck's name,
    which saving names, and each slide's key (annotations.py), by remark's index."""
    return {"stem": deck.path.stem,
            "keys": slide_keys([(slide.continued, slide.body) for slide in deck.slides])}


def code_to_copy(deck: Deck, config: Config) -> list[list[str]]:
    """What the copy button of each code block copies (copy_code.js), slide by slide: the text
    `lecture check` runs, read with the same settings as the check reads it."""
    return copied_code(deck, str(config.remark.get("highlightLanguage", "")),
                       bool(config.remark.get("highlightLines", False)))


def render_text_version(deck: Deck, slides: list[TextSlide], config: Config,
                        env: jinja2.Environment) -> str:
    """A deck's text version (text_page.py), from the `text.html` template."""
    return env.get_template("text.html").render(
        deck=deck, slides=slides, course_title=config.title, language=deck_language(deck, config),
        slides_href=page_url(deck.path))


@dataclass(frozen=True)
class DeckEntry:
    """What the course page shows of one deck."""
    href: str
    title: str
    slide_count: int
    source: str
    text_href: str  # its text version
    notebooks: tuple[tuple[str, str], ...] = ()  # (name, href) of the notebooks the deck mentions
    pdfs: tuple[tuple[str, str], ...] = ()  # (label, href) of the deck's PDFs that exist


def render_index(entries: list[DeckEntry], config: Config, env: jinja2.Environment) -> str:
    # `course` is the configuration: title, description, author, institution, term.
    return env.get_template("index.html").render(course_title=config.title, course=config,
                                                  language=config.language, decks=entries)


def render_stylesheet(config: Config, env: jinja2.Environment) -> str:
    return env.get_template("lecture.css").render(course_title=config.title)


def template_file(env: jinja2.Environment, name: str) -> tuple[Path, str]:
    """Where the template `name` comes from (the course's templates/ or the package) and its
    text, as the build renders it."""
    text, filename, _ = env.loader.get_source(env, name)
    return Path(filename), text


def page_script(env: jinja2.Environment, name: str = "lecture.js") -> str:
    """The page's own script (or another of its files: its tools), taken as it is (no template
    syntax in JavaScript)."""
    return env.loader.get_source(env, name)[0]



def rendered(render: Callable[[], str], template: str, config: Config,
             note: Callable[[Diagnostic], None]) -> str | None:
    """Render, or report the template's problem at its file and line (the old page stays)."""
    try:
        return render()
    except RecursionError:
        note(Diagnostic(config.templates_dir / template, 1, ERROR,
                        f"template {template} includes or extends itself, without end"))
        return None
    except jinja2.TemplateError as exc:
        origin = Path(getattr(exc, "filename", None) or config.templates_dir / template)
        line = getattr(exc, "lineno", None) or 1
        note(Diagnostic(origin, line, ERROR, f"template {template}: {exc.message or exc}"))
        return None
