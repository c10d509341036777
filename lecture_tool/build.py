"""`lecture build`: decks to HTML pages, static files and assets into the output directory."""
from __future__ import annotations

import json
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Callable
from urllib.parse import quote

from . import cache, manifest
from .config import Config
from .diagnostics import ERROR, Diagnostic, display_path
from .sources import files_under

if TYPE_CHECKING:
    from .deck import Deck


@dataclass
class BuildResult:
    diagnostics: list[Diagnostic] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)  # files whose content changed
    decks: int = 0
    slides: int = 0
    seconds: float = 0.0
    by_page: dict[str, list[Diagnostic]] = field(default_factory=dict)  # a deck's own problems

    def failed(self, strict: bool) -> bool:
        """Errors fail a build; with --strict, so does any warning."""
        return any(d.severity == ERROR for d in self.diagnostics) or (strict and bool(self.diagnostics))


def build(config: Config, only: list[Path] | None = None,
          report: Callable[[Diagnostic], None] = lambda d: None,
          progress: Callable[[str], None] = lambda line: None, figures: bool = True,
          notebooks: bool = True, keep_last_good: bool = False, force: bool = False) -> BuildResult:
    """Build the course (or only the decks named) and return what happened.

    Figures and notebooks come first (only the stale ones run), so that the decks' image and
    link checks see what they make. Each deck is built on its own: a problem in one is reported
    and the others are still built. With `keep_last_good` (as `lecture serve` builds), a deck
    with errors keeps its last page.

    A whole build that nothing could have changed since the last one (manifest.py) says again
    what that one said and stops there: nothing is imported, parsed or started for it.
    """
    started = time.perf_counter()
    whole = only is None and figures and notebooks and not keep_last_good
    previous, seen = manifest.read(config), {}
    if whole and not force and (replay := manifest.unchanged(config, previous, seen)) is not None:
        for diagnostic in replay.diagnostics:
            report(diagnostic)
        return BuildResult(diagnostics=replay.diagnostics, decks=replay.decks,
                           slides=replay.slides, by_page=replay.by_page,
                           seconds=time.perf_counter() - started)
    manifest.forget(config)
    began = manifest.snapshot(config, previous, seen) if whole else None

    from .deck import DeckError, read_deck
    from .notebooks import OUTPUT_DIR as NOTEBOOK_PAGES, discover as discover_notebooks, mentions_of
    from .outputs import copy_if_changed, write_if_changed

    # Jinja2 and markdown-it are imported here, not at start-up, to keep `lecture --help` quick.
    from .assets import third_party_assets
    from .render import (DeckEntry, page_script, render_deck, render_index, render_stylesheet,
                         template_environment)

    result = BuildResult()

    def note(diagnostic: Diagnostic) -> None:
        result.diagnostics.append(diagnostic)
        report(diagnostic)

    def write(relative: str, data: bytes) -> None:
        target = config.output_dir / relative
        if _written(note, target, lambda: write_if_changed(target, data)):
            result.written.append(target)

    def copy(source: Path, relative: str) -> None:
        target = config.output_dir / relative
        if _written(note, target, lambda: copy_if_changed(source, target)):
            result.written.append(target)

    if config.output_dir.exists() and not config.output_dir.is_dir():
        note(Diagnostic(config.output_dir, 1, ERROR, "is a file, but the site is built into this "
                        "directory: move the file away, or set [tool.lecture] output"))
        return result

    stages = [config.figures_subdir] * figures + [NOTEBOOK_PAGES] * notebooks
    for edited in manifest.edited_outputs(config, previous, stages):
        edited.unlink(missing_ok=True)  # its script or notebook makes it again, just below
    written, figure_outputs = _make_figures_and_notebooks(config, figures, notebooks, force,
                                                          progress, note)
    result.written += written
    notebook_names = frozenset(p.stem for p in discover_notebooks(config))

    env = template_environment(config)
    assets = third_party_assets(config.node_modules)
    missing = [asset.source for asset in assets if not asset.source.is_file()]
    if missing:
        # Without remark.js a page is blank: keep the previous pages rather than write those.
        note(Diagnostic(config.root / "pyproject.toml", 1, ERROR,
                        f"remark.js and KaTeX not found ({missing[0]} is missing): an installed "
                        "lecture-tool carries them, so reinstall it; in the tool's own checkout, "
                        "run `npm ci`; [tool.lecture] node_modules names another copy"))
        result.seconds = time.perf_counter() - started
        return result
    for asset in assets:
        copy(asset.source, asset.target)
    write("assets/lecture.css", render_stylesheet(config, env).encode())
    write("assets/lecture.js", page_script(env).encode())

    all_decks = config.decks()
    wanted = {p.resolve() for p in only} if only else {p.resolve() for p in all_decks}
    for path in only or ():
        if path.resolve() not in {p.resolve() for p in all_decks}:
            all_decks.append(path)  # a deck outside slides/ is built beside the others
    made = _made_by_the_build(config, assets, figure_outputs)
    out = display_path(config.output_dir, config.root)
    pages: dict[str, Path] = {}
    for path in list(all_decks):
        name = page_name(path)
        owner = made.get(name) or (pages.get(name) and f"the page of {display_path(pages[name], config.root)}")
        if owner:
            note(Diagnostic(path, 1, ERROR, f"not built: its page would be {out}/{name}, which is "
                            f"{owner}; rename the deck"))
            all_decks.remove(path)
            continue
        pages[name] = path
    for relative in static_files(config.slides_dir):
        owner = made.get(relative) or (relative in pages and f"the page of "
                                       f"{display_path(pages[relative], config.root)}")
        if owner:
            note(Diagnostic(config.slides_dir / relative, 1, ERROR, f"not copied: {out}/{relative} "
                            f"is {owner}; rename this file"))
        else:
            copy(config.slides_dir / relative, relative)
    available = output_targets(config, all_decks, figure_outputs)

    entries = []
    cache_path = config.output_dir / ".cache" / "decks.json"
    known, fresh = cache.read_json(cache_path), {}
    context = _page_context(config, available, notebook_names)
    for path in all_decks:
        try:
            key = cache.fingerprint(context, path.read_bytes())
        except OSError as exc:
            note(Diagnostic(path, 1, ERROR, f"cannot read deck: {exc.strerror}"))
            continue
        name, source = page_name(path), display_path(path, config.root)
        entry = known.get(source)
        if entry and entry["key"] == key and \
                entry.get("page") == manifest.signature(config.output_dir / name):
            # Unchanged, and so is everything its page depends on, and its page is as this
            # build wrote it (not deleted, not edited by hand): not even parsed again.
            fresh[source] = entry
            entries.append(DeckEntry(href=page_url(path), title=entry["title"],
                                     slide_count=entry["slides"], source=source,
                                     notebooks=tuple(map(tuple, entry["notebooks"]))))
            if path.resolve() in wanted:
                found = [Diagnostic.from_json(d, config.root) for d in entry["diagnostics"]]
                for diagnostic in found:
                    note(diagnostic)
                result.by_page[name] = found
                result.decks += 1
                result.slides += entry["slides"]
            continue
        try:
            deck = read_deck(path)
        except DeckError as exc:
            note(exc.diagnostic)
            result.by_page[name] = [exc.diagnostic]
            continue
        except OSError as exc:
            note(Diagnostic(path, 1, ERROR, f"cannot read deck: {exc.strerror}"))
            continue
        linked = tuple((notebook, f"notebooks/{notebook}.html") for notebook in mentions_of(deck)
                       if notebook in notebook_names)
        entries.append(DeckEntry(href=page_url(path), title=deck.title,
                                 slide_count=len(deck.slides), source=source, notebooks=linked))
        if path.resolve() not in wanted:
            continue
        found = lint_deck(deck, config, available, notebook_names)
        for diagnostic in found:
            note(diagnostic)
        result.by_page[name] = found
        if keep_last_good and any(d.severity == ERROR for d in found):
            continue
        page = _render(lambda: render_deck(deck, config, env, notebook_names), "deck.html",
                       config, note)
        if page is not None:
            write(name, page.encode())
            result.decks += 1
            result.slides += len(deck.slides)
            written_as = manifest.signature(config.output_dir / name)
            if not any(d.severity == ERROR for d in found) and written_as is not None:
                fresh[source] = {"key": key, "page": written_as, "title": deck.title,
                                 "slides": len(deck.slides),
                                 "notebooks": [list(pair) for pair in linked],
                                 "diagnostics": [d.to_json(config.root) for d in found]}
    _written(note, cache_path, lambda: cache.write_json(cache_path, fresh))

    # `lecture serve` (which keeps the last good pages) does not print: a PDF per keystroke
    # would cost seconds. The course page links the PDFs there are, so they come first.
    if config.pdf and not keep_last_good:
        _print_pdfs(config, [path for path in all_decks if path.resolve() in wanted], result,
                    note, progress)
        decks_by_href = {page_url(path): path for path in all_decks}
        entries = [replace(entry, pdfs=_pdf_links(config, decks_by_href[entry.href]))
                   for entry in entries]
    index = _render(lambda: render_index(entries, config, env), "index.html", config, note)
    if index is not None:
        write("index.html", index.encode())
    if began is not None:
        manifest.record(config, began, previous, result.decks, result.slides,
                        result.diagnostics, result.by_page)
    result.seconds = time.perf_counter() - started
    return result


def _print_pdfs(config: Config, decks: list[Path], result: BuildResult,
                note: Callable[[Diagnostic], None], progress: Callable[[str], None]) -> None:
    """Print the configured PDFs of the decks built without errors (`lecture pdf`'s stage,
    with its cache: an unchanged deck is not printed again); a deck with errors keeps its last."""
    from .errors import LectureError
    from .pdf import make_pdfs

    printable = [path for path in decks if (config.output_dir / page_name(path)).is_file()
                 and not any(d.severity == ERROR for d in result.by_page.get(page_name(path), []))]
    if not printable:
        return
    try:
        printed = make_pdfs(config, printable, progress=progress, report=note, modes=config.pdf,
                            build_stale=False)
    except LectureError as exc:  # no browser, or no Playwright: the pages are built all the same
        message = exc.format_message().removeprefix("error: ")
        note(Diagnostic(config.pyproject, 1, ERROR, f"[tool.lecture] pdf: {message}"))
        return
    result.written += printed.written


def _pdf_links(config: Config, deck: Path) -> tuple[tuple[str, str], ...]:
    """The course page's links to a deck's PDFs that exist."""
    from .pdf import pdf_name

    labels = {"slides": "PDF", "handout": "handout (PDF)", "notes": "notes (PDF)"}
    return tuple((labels[mode], quote(pdf_name(deck, mode))) for mode in config.pdf
                 if (config.output_dir / pdf_name(deck, mode)).is_file())


def _make_figures_and_notebooks(config: Config, figures: bool, notebooks: bool, force: bool,
                                progress: Callable[[str], None],
                                note: Callable[[Diagnostic], None]) -> tuple[list[Path], set[str]]:
    """Run the stale figure scripts and notebooks, side by side (they are independent); return
    the files written and the figure outputs the decks may refer to."""
    from concurrent.futures import ThreadPoolExecutor

    from . import processes
    from .figures import make_figures
    from .notebooks import make_notebooks

    written: list[Path] = []
    with ThreadPoolExecutor(max_workers=2) as stages:
        made = stages.submit(make_figures, config, force=force, progress=progress) if figures else None
        ran = stages.submit(make_notebooks, config, force=force, progress=progress) if notebooks else None
        try:
            for stage in (made, ran):
                if stage is not None:
                    written += stage.result().written
                    for diagnostic in stage.result().diagnostics:
                        note(diagnostic)
        except BaseException:
            processes.stop_all()  # Ctrl-C: the stages' scripts and kernels must not outlive us
            raise
    if made is not None:
        return written, set(made.result().outputs)
    return written, _figure_outputs(config)


_FIGURE_OUTPUTS: dict[tuple, frozenset[str]] = {}


def _figure_outputs(config: Config) -> set[str]:
    """What the figure scripts declare they make, without running them. `lecture serve` asks
    after every Markdown edit, and reading every script's syntax tree was a third of that
    rebuild: the answer is kept while the scripts' stat signatures stay, once they are old
    enough to trust (manifest.RACY_NS)."""
    from .figures import discover
    from .sources import in_directory

    signatures = tuple((path, tuple(manifest.signature(path) or ()))
                       for path in in_directory(config.figures_dir, "*.py"))
    key = (config.figures_dir, config.figures_subdir, signatures)
    found = _FIGURE_OUTPUTS.get(key)
    if found is None:
        found = frozenset(f"{config.figures_subdir}/{o}" for s in discover(config)[0] for o in s.outputs)
        settled = time.time_ns() - manifest.RACY_NS
        if all(signature and signature[1] < settled for _, signature in signatures):
            _FIGURE_OUTPUTS.clear()
            _FIGURE_OUTPUTS[key] = found
    return set(found)


def _render(render: Callable[[], str], template: str, config: Config,
            note: Callable[[Diagnostic], None]) -> str | None:
    """Render, or report the template's problem at its file and line (the old page stays)."""
    import jinja2

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


def _page_context(config: Config, available: set[str], notebooks: frozenset[str]) -> str:
    """What every deck's page and problems depend on besides the deck itself: the templates
    (the course's and the packaged ones), the settings, what the output will hold (references),
    the course's notebooks and KaTeX (formulas)."""
    from .assets import KATEX_FILES

    templates = [*files_under(config.templates_dir), *files_under(PACKAGED_TEMPLATES)]
    katex = config.node_modules / KATEX_FILES[0]
    return cache.fingerprint(config.title, json.dumps(config.remark, sort_keys=True),
                             "\n".join(sorted(available)), "\n".join(sorted(notebooks)),
                             "\n".join(p.as_posix() for p in templates),
                             files=[*templates, katex])


PACKAGED_TEMPLATES = Path(__file__).resolve().parent / "templates"


def _written(note: Callable[[Diagnostic], None], target: Path, write: Callable[[], bool]) -> bool:
    """Run one write of the build; a file that cannot be written is a problem of its own, and
    the build goes on with the others."""
    try:
        return write()
    except OSError as exc:
        note(Diagnostic(target, 1, ERROR, f"cannot write it: {exc.strerror or exc}"))
        return False


def _made_by_the_build(config: Config, assets, figure_outputs: set[str]) -> dict[str, str]:
    """What the build itself writes into the output, and what each file is, so that a deck or
    a file of slides/ is never copied over it (nor it over them)."""
    from .notebooks import declared_outputs

    made = {"index.html": "the course page", "assets/lecture.css": "lecture's stylesheet",
            "assets/lecture.js": "lecture's page script"}
    made |= {asset.target: f"{asset.source.name}, which the pages load" for asset in assets}
    made |= {name: "a figure script's output" for name in figure_outputs}
    made |= {name: "a notebook's page" for name in declared_outputs(config)}
    return made


def page_name(deck_path: Path) -> str:
    return deck_path.stem + ".html"


def page_url(deck_path: Path) -> str:
    """The page's address relative to the course page: `javascript:x.md` must not become a
    `javascript:` link, nor `a#b.md` a link to `a`."""
    return quote(page_name(deck_path))


def output_targets(config: Config, decks: list[Path], figure_outputs: set[str]) -> set[str]:
    """Every file the output directory holds after a build, relative to it: what a deck's
    images and links may name. `figure_outputs` are the figure scripts' declared outputs."""
    from .assets import third_party_assets
    from .notebooks import declared_outputs

    return (set(static_files(config.slides_dir)) | {page_name(p) for p in decks}
            | {"index.html", "assets/lecture.css", "assets/lecture.js"}
            | {asset.target for asset in third_party_assets(config.node_modules)}
            | figure_outputs | declared_outputs(config))


def lint_deck(deck: Deck, config: Config, available: set[str],
              notebooks: frozenset[str]) -> list[Diagnostic]:
    """A deck's problems that need no code run: its parse, references, notebook mentions, and
    every formula rendered by KaTeX."""
    from .katex import formula_problems
    from .notebooks import mention_problems
    from .references import check_references
    from .title_slide import logo_problems

    return (deck.diagnostics + check_references(deck, "", available, config.output_dir.name,
                                                config.slides_dir.name)
            + logo_problems(deck, available, config.output_dir.name, config.slides_dir.name)
            + mention_problems(deck, notebooks, config)
            + formula_problems(deck, config.node_modules / "katex" / "dist" / "katex.min.js",
                               config.output_dir / ".cache"))


def static_files(slides_dir: Path) -> list[str]:
    """Files beside the decks (images, downloads) that the pages may refer to."""
    return [p.relative_to(slides_dir).as_posix() for p in files_under(slides_dir) if p.suffix != ".md"]

