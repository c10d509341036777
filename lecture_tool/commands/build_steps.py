"""The steps of `lecture build` (commands/build.py runs them in order): each asks a stage for its
part and writes what it gets into the output. Imported only when a build has work to do."""
from __future__ import annotations

import json
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable

from .. import annotations, cache, manifest, processes
from ..assets import KATEX_JS, REMARK, third_party_assets
from ..config import Config, key_lines
from ..deck import Deck, DeckError, read_deck
from ..deck.accessibility import ImageFacts
from ..deck.lint import lint_deck
from ..deck.mentions import mentions_of
from ..diagnostics import ERROR, Collector, Diagnostic, display_path, has_errors
from ..errors import LectureError
from ..jobs.figures import FigureScript, declared_outputs, discover, make_figures
from ..jobs.notebooks import make_notebooks
from ..layout import (ANNOTATE_SCRIPT, ANNOTATE_STYLESHEET, COURSE_PAGE, MACROS_SCRIPT, NOTEBOOK_PAGES,
                      PAGE_SCRIPT, PAGE_TOOLS, STYLESHEET, annotations_script_name, annotations_source, cache_dir,
                      deck_outputs, macros_source, made_by_the_build, notebook_page, output_targets, page_name,
                      page_path, page_url, pdf_name, pdf_url, static_files, text_page_name,
                      text_page_path, text_page_url, values_root)
from ..macros import Macros, course_macros
from ..outputs import copy_if_changed, write_if_changed
from ..render.pages import (PACKAGED_TEMPLATES, DeckEntry, page_script, render_deck, render_index,
                            render_stylesheet, render_text_version, rendered, template_environment,
                            template_file)
from ..render.source import json_for_script, prepare_source
from ..render.text_page import text_slides
from ..sources import files_under, in_directory
from ..values import Values, read_all
from .build_result import BuildResult, source_hash
from .shares import Share, imported_seconds
from .image_facts import image_facts


# The drawing script and its stylesheet: no templates (a course has no reason to replace them).
DRAWING = Path(__file__).resolve().parent.parent / "render"


class Output:
    """Writes into the output directory: atomically, only what changed (kept in `written`); a
    file that cannot be written is a problem of its own, and the build goes on."""

    def __init__(self, config: Config, note: Collector, written: list[Path]):
        self.config, self.note, self.written = config, note, written
        self.templates = template_environment(config)

    def write(self, relative: str, data: bytes) -> None:
        self._do(self.config.output_dir / relative, lambda target: write_if_changed(target, data))

    def copy(self, source: Path, relative: str) -> None:
        self._do(self.config.output_dir / relative, lambda target: copy_if_changed(source, target))

    def _do(self, target: Path, write: Callable[[Path], bool]) -> None:
        try:
            if write(target):
                self.written.append(target)
        except OSError as exc:
            self.note(Diagnostic(target, 1, ERROR, f"cannot write it: {exc.strerror or exc}"))


def output_is_a_directory(config: Config, note: Collector) -> bool:
    if config.output_dir.exists() and not config.output_dir.is_dir():
        note(Diagnostic(config.output_dir, 1, ERROR, "is a file, but the site is built into this "
                        "directory: move the file away, or set [tool.lecture] output"))
        return False
    return True


def figure_inputs(scripts: list[FigureScript]) -> list[str]:
    """The files the figure scripts declare they read, relative to the course."""
    return [name for script in scripts for name in script.inputs]


def job_directories(config: Config, figures: bool, notebooks: bool) -> list[str]:
    """The output directories of the jobs this build runs."""
    return [config.figures_subdir] * figures + [NOTEBOOK_PAGES] * notebooks


def run_jobs(config: Config, figures: tuple[list[FigureScript], list[Diagnostic]] | None,
             notebooks: bool, force: bool, progress: Callable[[str], None], out: Output,
             notebook_names: set[str] | None = None) -> set[str]:
    """Run the stale figure scripts (`figures`: as `discover` found them; None: none run) and
    notebooks (all, or those of `notebook_names`), side by side (they are independent); return
    the figure outputs the decks may refer to."""
    if figures is not None:
        out.note.extend(figures[1])
    elsewhere = imported_seconds(config)  # the jobs' times on other machines, if imported
    with ThreadPoolExecutor(max_workers=2) as stages:
        made = (stages.submit(make_figures, config, force=force, progress=progress, scripts=figures[0],
                              expected=elsewhere["figure"]) if figures is not None else None)
        ran = (stages.submit(make_notebooks, config, force=force, progress=progress,
                             names=notebook_names, expected=elsewhere["notebook"]) if notebooks else None)
        try:
            for stage in (made, ran):
                if stage is not None:
                    out.written += stage.result().written
                    out.note.extend(stage.result().diagnostics)
        except BaseException:
            processes.stop_all()  # Ctrl-C: the stages' scripts and kernels must not outlive us
            raise
    return made.result().outputs if made is not None else known_figure_outputs(config)


_FIGURE_SCRIPTS: dict[tuple, tuple[FigureScript, ...]] = {}


def known_figure_outputs(config: Config) -> set[str]:
    """What the figure scripts declare they make, without running them."""
    return declared_outputs(config, known_figure_scripts(config))


def known_figure_scripts(config: Config) -> list[FigureScript]:
    """The figure scripts as `discover` reads them. `lecture serve` asks after every Markdown
    edit, and reading every script's syntax tree was a third of that rebuild: the answer is
    kept while the scripts' stat signatures stay, once they are old enough to trust
    (manifest.RACY_NS)."""
    signatures = tuple((path, tuple(manifest.signature(path) or ()))
                       for path in in_directory(config.figures_dir, "*.py"))
    key = (config.figures_dir, config.figures_subdir, signatures)
    found = _FIGURE_SCRIPTS.get(key)
    if found is None:
        found = tuple(discover(config)[0])
        settled = time.time_ns() - manifest.RACY_NS
        if all(signature and signature[1] < settled for _, signature in signatures):
            _FIGURE_SCRIPTS.clear()
            _FIGURE_SCRIPTS[key] = found
    return list(found)


def build_share(config: Config, share: Share, force: bool, progress: Callable[[str], None],
                note: Collector) -> BuildResult:
    """A shard's build: its figure scripts and notebooks, into the output and its cache, and no
    page. The final job imports every shard's cache and renders the site with no job left."""
    result = BuildResult(diagnostics=note.found)
    if output_is_a_directory(config, note):
        scripts, problems = discover(config)
        mine = [script for script in scripts if script.name in share.figures]
        run_jobs(config, (mine, problems), bool(share.notebooks), force, progress,
                 Output(config, note, result.written), notebook_names=share.notebooks)
    result.seconds = note.seconds()
    return result


def copy_assets(config: Config, out: Output) -> bool:
    """remark.js, KaTeX, lecture's stylesheet and script, the course's macros if it has some;
    False when remark.js or KaTeX is missing (a page without them is blank: the previous pages
    are kept rather than those written)."""
    assets = third_party_assets(config.node_modules)
    missing = [asset.source for asset in assets if not asset.source.is_file()]
    if missing:
        out.note(Diagnostic(config.pyproject, 1, ERROR,
                            f"remark.js and KaTeX not found ({missing[0]} is missing): an installed "
                            "lecture-tool carries them, so reinstall it; in the tool's own checkout, "
                            "run `npm ci`; [tool.lecture] node_modules names another copy"))
        return False
    for asset in assets:
        out.copy(asset.source, asset.target)
    stylesheet = render_stylesheet(config, out.templates)
    out.write(STYLESHEET, stylesheet.encode())
    out.note.extend(stylesheet_contrast(config, stylesheet, out))
    out.write(PAGE_SCRIPT, page_script(out.templates).encode())
    for target, name in PAGE_TOOLS.items():
        out.write(target, page_script(out.templates, name).encode())
    out.copy(DRAWING / "annotate.js", ANNOTATE_SCRIPT)
    out.copy(DRAWING / "annotate.css", ANNOTATE_STYLESHEET)
    if macros_source(config).is_file():
        out.copy(macros_source(config), MACROS_SCRIPT)
    return True


def stylesheet_contrast(config: Config, stylesheet: str, out: Output) -> list[Diagnostic]:
    """The colours of the rendered stylesheet against WCAG 2.1 AA, with remark's own styles and
    the highlight style the course chose (accessibility/stylesheet.py). Kept in
    `contrast.json` by what they depend on: the check takes ~60 ms, a fifth of what a rebuild
    after an edit may spend."""
    template, text = template_file(out.templates, "lecture.css")
    remark_js = config.node_modules / REMARK
    style = str(config.remark.get("highlightStyle", "default"))
    checker = sorted((Path(__file__).parent.parent / "accessibility").glob("*.py"))
    key = cache.fingerprint(stylesheet, text, str(template), style, files=[remark_js, *checker])
    path = cache_dir(config) / "contrast.json"
    entry = cache.read_json(path)
    if entry.get("key") == key:
        return [Diagnostic.from_json(item, config.root) for item in entry["diagnostics"]]
    # Only when the stylesheet or the style changed: a rebuild after an edit does not need it.
    from ..accessibility.stylesheet import stylesheet_contrast as check_contrast

    pyproject = config.pyproject.read_text(encoding="utf-8") if config.pyproject.is_file() else ""
    setting = (config.pyproject, key_lines(pyproject).get("tool.lecture.remark.highlightStyle", 1))
    found = check_contrast(stylesheet, template, text, remark_js.read_text(encoding="utf-8"), style, setting)
    cache.write_json(path, {"key": key, "diagnostics": [d.to_json(config.root) for d in found]})
    return found


@dataclass(frozen=True)
class PagePlan:
    decks: list[Path]  # every deck of the course (and those named outside slides/), in order
    wanted: set[Path]  # the decks (resolved) this build renders
    available: set[str]  # what the output holds after the build: what references may name
    notebooks: frozenset[str]  # the course's notebooks, by name
    values: Values  # what the figure scripts and notebooks recorded
    macros: Macros  # the remark macros the pages define: what the decks may use
    macros_script: str | None  # the course's macros as the pages load them, when it has some
    images: ImageFacts  # what the accessibility rules need: figures' alternative text, GIFs


def plan_pages(config: Config, only: list[Path] | None, figure_outputs: set[str],
               scripts: list[FigureScript] | None, out: Output) -> PagePlan:
    """Which decks get a page, and the files beside them copied; a deck or a file whose name is
    taken (by another deck's page, or a file the build writes itself) is an error. `scripts`:
    the figure scripts as `discover` read them (None: as they are known)."""
    decks = config.decks()
    wanted = {path.resolve() for path in only or decks}
    known = {path.resolve() for path in decks}
    decks += [path for path in only or () if path.resolve() not in known]  # built beside the others
    made = made_by_the_build(config, figure_outputs)
    shown = display_path(config.output_dir, config.root)
    pages: dict[str, str] = {}  # a deck's page or text version: what it is, for messages
    for path in list(decks):
        names = dict(zip(deck_outputs(path), ("page", "text version", "annotations script")))
        for name, what in names.items():
            if owner := made.get(name) or pages.get(name):
                out.note(Diagnostic(path, 1, ERROR, f"not built: its {what} would be {shown}/{name}, "
                                    f"which is {owner}; rename the deck"))
                decks.remove(path)
                break
        else:
            pages |= {name: f"the {what} of {display_path(path, config.root)}" for name, what in names.items()}
    for relative in static_files(config):
        owner = made.get(relative) or pages.get(relative)
        if owner:
            out.note(Diagnostic(config.slides_dir / relative, 1, ERROR, f"not copied: {shown}/"
                                f"{relative} is {owner}; rename this file"))
        else:
            out.copy(config.slides_dir / relative, relative)
    notebooks = frozenset(path.stem for path in config.notebooks())
    macros, problems = course_macros(macros_source(config), config.root)
    out.note.extend(problems)
    available = output_targets(config, decks, figure_outputs)
    images = image_facts(config, scripts if scripts is not None else known_figure_scripts(config), available)
    return PagePlan(decks, wanted, available, notebooks, read_all(values_root(config)), macros,
                    MACROS_SCRIPT if macros_source(config).is_file() else None, images)


def write_pages(config: Config, plan: PagePlan, keep_last_good: bool, out: Output,
                result: BuildResult) -> list[DeckEntry]:
    """Render the wanted decks' pages; return every deck's entry on the course page. A deck whose
    inputs and page are as the last build left them is not even parsed (`decks.json`)."""
    cache_path = cache_dir(config) / "decks.json"
    known, fresh, entries = cache.read_json(cache_path), {}, []
    context = _page_context(config, plan)
    for path in plan.decks:
        try:
            data = path.read_bytes()
        except OSError as exc:
            out.note(Diagnostic(path, 1, ERROR, f"cannot read deck: {exc.strerror}"))
            continue
        if path.resolve() in plan.wanted:
            result.sources[path] = source_hash(data)
        key, source = cache.fingerprint(context, data), display_path(path, config.root)
        entry = known.get(source)
        if entry and entry["key"] == key and entry.get("pages") == _signatures(config, path):
            fresh[source] = entry
            entries.append(DeckEntry(page_url(path), entry["title"], entry["slides"], source,
                                     text_page_url(path), tuple(map(tuple, entry["notebooks"]))))
            if path.resolve() in plan.wanted:
                found = [Diagnostic.from_json(d, config.root) for d in entry["diagnostics"]]
                out.note.extend(found)
                _count(result, path, entry["slides"], found)
            continue
        try:
            deck = read_deck(path, data, plan.macros)
        except DeckError as exc:
            out.note(exc.diagnostic)
            result.by_page[page_name(path)] = [exc.diagnostic]
            continue
        linked = tuple((name, notebook_page(name)) for name in mentions_of(deck) if name in plan.notebooks)
        entries.append(DeckEntry(page_url(path), deck.title, len(deck.slides), source,
                                 text_page_url(path), linked))
        if path.resolve() in plan.wanted:
            written = _write_page(config, deck, plan, keep_last_good, out, result)
            if written is not None:
                fresh[source] = {"key": key, "pages": written, "title": deck.title,
                                 "slides": len(deck.slides), "notebooks": [list(pair) for pair in linked],
                                 "diagnostics": [d.to_json(config.root) for d in result.by_page[page_name(path)]]}
    try:
        cache.write_json(cache_path, fresh)
    except OSError as exc:
        out.note(Diagnostic(cache_path, 1, ERROR, f"cannot write it: {exc.strerror or exc}"))
    return entries


def _signatures(config: Config, deck: Path) -> list[list[int] | None]:
    """A deck's page's and text version's stat signatures."""
    return [manifest.signature(path) for path in (page_path(config, deck), text_page_path(config, deck))]


def _write_page(config: Config, deck: Deck, plan: PagePlan, keep_last_good: bool, out: Output,
                result: BuildResult) -> list[list[int] | None] | None:
    """Lint and render one deck's page and its text version; their signatures when they may be
    reused next time (both were written and the deck has no error)."""
    found = lint_deck(deck, config, plan.available, plan.notebooks, plan.values, plan.images)
    out.note.extend(found)
    result.by_page[page_name(deck.path)] = found  # said, even when no page is written
    if keep_last_good and has_errors(found):
        return None
    source = prepare_source(deck, plan.notebooks, plan.values, plan.images)
    page = rendered(lambda: render_deck(deck, config, out.templates, source, plan.macros_script),
                    "deck.html", config, out.note)
    if page is None:
        return None
    out.write(page_name(deck.path), page.encode())
    _count(result, deck.path, len(deck.slides), found)
    slides = text_slides(deck, source, config.node_modules / KATEX_JS, cache_dir(config))
    text = rendered(lambda: render_text_version(deck, slides, config, out.templates), "text.html",
                    config, out.note)
    if text is not None:
        out.write(text_page_name(deck.path), text.encode())
    return None if has_errors(found) or text is None else _signatures(config, deck.path)


def _count(result: BuildResult, path: Path, slides: int, found: list[Diagnostic]) -> None:
    """A deck whose page this build holds as current, with its problems."""
    result.by_page[page_name(path)] = found
    result.decks += 1
    result.slides += slides


def _page_context(config: Config, plan: PagePlan) -> str:
    """What every deck's page and problems depend on besides the deck itself: the templates
    (the course's and the packaged ones), the settings, what the output will hold (references),
    the course's notebooks, the values figures and notebooks recorded, the macros the pages
    define (a deck that uses an unknown one has an error), what the accessibility rules know
    (the figures' alternative text, how long GIFs run), and KaTeX (formulas)."""
    templates = [*files_under(config.templates_dir), *files_under(PACKAGED_TEMPLATES)]
    return cache.fingerprint(config.title, json.dumps(config.remark, sort_keys=True), config.language,
                             json.dumps([config.shortcuts, config.keys], sort_keys=True),
                             "\n".join(sorted(plan.available)), "\n".join(sorted(plan.notebooks)),
                             json.dumps(plan.values, sort_keys=True), plan.images.fingerprint(),
                             plan.macros.fingerprint(), str(plan.macros_script),
                             "\n".join(path.as_posix() for path in templates),
                             files=[*templates, config.node_modules / KATEX_JS])


def print_configured_pdfs(config: Config, plan: PagePlan, entries: list[DeckEntry],
                          result: BuildResult, progress: Callable[[str], None],
                          out: Output) -> list[DeckEntry]:
    """Print the configured PDFs of the decks built without errors (cached: an unchanged deck
    is not printed again; a deck with errors keeps its last); the entries with their links."""
    printable = [path for path in plan.decks if path.resolve() in plan.wanted
                 and page_path(config, path).is_file()
                 and not has_errors(result.by_page.get(page_name(path), []))]
    if printable:
        # Only for a course that prints PDFs: printing brings asyncio (15 ms, -X importtime) into
        # every rebuild after an edit otherwise.
        from ..printing.pdf import print_pdfs

        try:
            printed = print_pdfs(config, printable, config.pdf, report=out.note, progress=progress,
                                 reported=frozenset(path.resolve() for path in printable))
            out.written += printed.written
        except LectureError as exc:  # no browser, or no Playwright: the pages are built all the same
            message = exc.format_message().removeprefix("error: ")
            out.note(Diagnostic(config.pyproject, 1, ERROR, f"[tool.lecture] pdf: {message}"))
    labels = {"slides": "PDF", "handout": "handout (PDF)", "notes": "notes (PDF)",
              "annotated": "annotated (PDF)"}
    by_href = {page_url(path): path for path in plan.decks}
    return [replace(entry, pdfs=tuple((labels[mode], pdf_url(by_href[entry.href], mode))
                                      for mode in config.pdf
                                      if (config.output_dir / pdf_name(by_href[entry.href], mode)).is_file()))
            for entry in entries]


def write_annotation_scripts(config: Config, plan: PagePlan, out: Output) -> None:
    """Each built deck's strokes (slides/<stem>.annotations.json) as the script its page loads.
    Apart from the page, so that a save re-renders nothing; a file with an error is said, and
    its page shows no strokes until it is fixed."""
    for path in plan.decks:
        if path.resolve() not in plan.wanted:
            continue
        source = annotations_source(config, path)
        try:
            slides = annotations.load(source)
        except annotations.AnnotationError as exc:
            out.note(Diagnostic(source, exc.line, ERROR, f"{exc}: the slides are built without their strokes"))
            slides = {}
        out.write(annotations_script_name(path), annotations_script(slides))


def annotations_script(slides: dict) -> bytes:
    """The script a deck's page loads for its strokes (`window.lectureAnnotations`)."""
    document = {"format": annotations.FORMAT, "slides": slides}
    return f"window.lectureAnnotations = {json_for_script(document)};\n".encode()


def link_annotated_pdfs(config: Config, plan: PagePlan, entries: list[DeckEntry]) -> list[DeckEntry]:
    """The course page links a deck's annotated PDF (`lecture pdf --annotated`) when there is one."""
    by_href = {page_url(path): path for path in plan.decks}
    linked = []
    for entry in entries:
        deck = by_href.get(entry.href)
        href = pdf_url(deck, "annotated") if deck is not None else None
        if href and all(linked_href != href for _, linked_href in entry.pdfs) and \
                (config.output_dir / pdf_name(deck, "annotated")).is_file():
            entry = replace(entry, pdfs=(*entry.pdfs, ("annotated (PDF)", href)))
        linked.append(entry)
    return linked


def write_course_page(config: Config, entries: list[DeckEntry], out: Output) -> None:
    index = rendered(lambda: render_index(entries, config, out.templates), "index.html", config, out.note)
    if index is not None:
        out.write(COURSE_PAGE, index.encode())
