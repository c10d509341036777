"""The layout of the output directory: every name a stage writes or a page links, in one place.

A deck `slides/x.md` becomes the page `x.html` and its text version `x-text.html`; a figure script's output `a.png` goes to
`images/a.png` (`[tool.lecture] figures_output`); a notebook `notebooks/n.ipynb` becomes
`notebooks/n.html` and the executed `notebooks/n.ipynb`; a deck's PDFs are `pdf/x.pdf`,
`pdf/x-handout.pdf`, `pdf/x-notes.pdf` and `pdf/x-annotated.pdf`; its annotations
`slides/x.annotations.json` become the script `x.annotations.js`; the course's `templates/macros.js` is copied to
`assets/macros.js`, which its pages load; the files beside the decks are copied as they lie;
the stages keep their caches in `.cache/`. Every stage asks this module, so a name is spelled
once (as mkdocs' `File` knows its source, destination and URL).
"""
from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from .assets import third_party_assets
from .config import Config
from .macros import COURSE_FILE
from .sources import files_under

CACHE = ".cache"
NOTEBOOK_PAGES = "notebooks"
PDF_SUFFIX = {"slides": "", "handout": "-handout", "notes": "-notes", "annotated": "-annotated"}
STYLESHEET = "assets/lecture.css"
PAGE_SCRIPT = "assets/lecture.js"
# The page's tools beside it (templates/): the overview and search, the copy buttons, their style.
PAGE_TOOLS = {"assets/overview.js": "overview.js", "assets/copy_code.js": "copy_code.js",
              "assets/page_tools.css": "page_tools.css"}
ANNOTATE_SCRIPT = "assets/annotate.js"  # drawing on slides (render/annotate.js)
ANNOTATE_STYLESHEET = "assets/annotate.css"
MACROS_SCRIPT = "assets/macros.js"  # the course's remark macros (macros.py), when it has some
COURSE_PAGE = "index.html"
ANNOTATIONS_SUFFIX = ".annotations.json"  # slides/<stem>.annotations.json: a deck's strokes
# What the build writes itself, and what each file is (for "rename the deck" messages).
OWN_FILES = {COURSE_PAGE: "the course page", STYLESHEET: "lecture's stylesheet",
             PAGE_SCRIPT: "lecture's page script", ANNOTATE_SCRIPT: "lecture's drawing script",
             ANNOTATE_STYLESHEET: "lecture's drawing stylesheet",
             **{target: "one of lecture's page tools" for target in PAGE_TOOLS}}


def macros_source(config: Config) -> Path:
    """The course's remark macros: `macros.js` in its templates directory (it may have none)."""
    return config.templates_dir / COURSE_FILE


def cache_dir(config: Config) -> Path:
    return config.output_dir / CACHE


def values_root(config: Config) -> Path:
    """Where the values that figure scripts and notebooks recorded are kept (values.py)."""
    return cache_dir(config) / "values"


def values_dir(config: Config, kind: str) -> Path:
    """Those of one kind ("figure", "notebook"): one JSON file a script or notebook."""
    return values_root(config) / kind


def page_name(deck: Path) -> str:
    """The page of a deck, relative to the output directory."""
    return deck.stem + ".html"


def page_path(config: Config, deck: Path) -> Path:
    return config.output_dir / page_name(deck)


def text_page_name(deck: Path) -> str:
    """The deck's text version (every slide once, in order, with its notes), relative to the
    output directory."""
    return deck.stem + "-text.html"


def text_page_path(config: Config, deck: Path) -> Path:
    return config.output_dir / text_page_name(deck)


def text_page_url(deck: Path) -> str:
    """The text version's address relative to the course page (and to the deck's page, beside it)."""
    return quote(text_page_name(deck))


def annotations_script_name(deck: Path) -> str:
    """The deck's annotations (annotations.py) as a script its page loads (a page opened from
    disk may load a script, not fetch a file), relative to the output directory."""
    return deck.stem + ".annotations.js"


def annotations_file(slides_dir: Path, stem: str) -> Path:
    """A deck's strokes (annotations.py), beside it."""
    return slides_dir / (stem + ANNOTATIONS_SUFFIX)


def annotations_source(config: Config, deck: Path) -> Path:
    return annotations_file(config.slides_dir, deck.stem)


def deck_outputs(deck: Path) -> tuple[str, str, str]:
    """The files a deck makes: its slides, its text version and its annotations script."""
    return page_name(deck), text_page_name(deck), annotations_script_name(deck)


def page_url(deck: Path) -> str:
    """The page's address relative to the course page: `javascript:x.md` must not become a
    `javascript:` link, nor `a#b.md` a link to `a`."""
    return quote(page_name(deck))


def figure_output(config: Config, name: str) -> str:
    """Where a figure script's declared output goes, relative to the output directory."""
    return f"{config.figures_subdir}/{name}"


def notebook_page(name: str) -> str:
    """The executed notebook's page, relative to the output directory."""
    return f"{NOTEBOOK_PAGES}/{name}.html"


def notebook_files(notebook: Path) -> tuple[str, str]:
    """A notebook's page and its executed copy, relative to NOTEBOOK_PAGES."""
    return f"{notebook.stem}.html", f"{notebook.stem}.ipynb"


def notebook_outputs(config: Config) -> set[str]:
    """The page and the executed copy of every notebook of the course."""
    return {f"{NOTEBOOK_PAGES}/{name}" for path in config.notebooks() for name in notebook_files(path)}


def pdf_name(deck: Path, mode: str) -> str:
    """Where a deck's PDF goes, relative to the output directory: `pdf/<stem>[-mode].pdf`."""
    return f"pdf/{deck.stem}{PDF_SUFFIX[mode]}.pdf"


def pdf_url(deck: Path, mode: str) -> str:
    """A deck's PDF's address relative to the course page."""
    return quote(pdf_name(deck, mode))


def static_files(config: Config) -> list[str]:
    """Files beside the decks (images, downloads), copied as they lie, relative to slides/; not a
    deck's annotations, which its page loads as a script."""
    return [path.relative_to(config.slides_dir).as_posix() for path in files_under(config.slides_dir)
            if path.suffix != ".md" and not path.name.endswith(ANNOTATIONS_SUFFIX)]


def is_current_copy(source: Path, target: Path) -> bool:
    """The rule for a copied file: current while it has the source's size and modification
    time (`copy2` keeps the time), so a build need not read either file."""
    try:
        original, copy = source.stat(), target.stat()
    except FileNotFoundError:
        return False
    return (original.st_size, original.st_mtime_ns) == (copy.st_size, copy.st_mtime_ns)


def stale_copies(config: Config) -> bool:
    """Whether a file beside the decks differs from its copy in the output (`is_current_copy`):
    a build must copy it first."""
    return any(not is_current_copy(config.slides_dir / name, config.output_dir / name)
               for name in static_files(config))


def made_by_the_build(config: Config, figure_outputs: set[str]) -> dict[str, str]:
    """What the build itself writes into the output, and what each file is, so that a deck or
    a file of slides/ is never copied over it (nor it over them)."""
    made = dict(OWN_FILES)
    if macros_source(config).is_file():
        made[MACROS_SCRIPT] = "the course's macros, which the pages load"
    made |= {asset.target: f"{asset.source.name}, which the pages load"
             for asset in third_party_assets(config.node_modules)}
    made |= {name: "a figure script's output" for name in figure_outputs}
    made |= {name: "a notebook's page" for name in notebook_outputs(config)}
    return made


def output_targets(config: Config, decks: list[Path], figure_outputs: set[str]) -> set[str]:
    """Every file the output directory holds after a build, relative to it: what a deck's
    images and links may name. `figure_outputs` are the figure scripts' declared outputs."""
    return (set(static_files(config)) | {name for path in decks for name in deck_outputs(path)}
            | set(made_by_the_build(config, figure_outputs)))
