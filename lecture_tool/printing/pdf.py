"""`lecture pdf`: every deck as a PDF (slides, handout, notes, annotated), printed by headless Chromium.

The deck's own page is printed as it is: Chromium opens `build/<stem>.html` from disk, remark
lays out every slide as on screen (same CSS, same KaTeX, same highlighting), and a stylesheet
added to that one headless tab, never to the file, stacks the slides to print one per page and
hides the rest. One `page.pdf()` call then prints the whole deck: no slide-by-slide navigation,
which is where decktape spends its time. Chromium's PDF keeps text as text, embeds the fonts and
turns links into link annotations; it is tagged (a structure tree from the page's accessibility
tree, and the page's `lang` and `<title>`), with an outline of the slides' titles.

- Pages: 1280 CSS px wide, as high as the deck's ratio makes them (1280x720 for 16:9, 1280x960
  for 4:3), no margins. remark lays a slide out at 1210x681 (16:9) or 908x681 (4:3); it is
  scaled to fill the page exactly.
- Modes: `slides` (every slide remark shows, `--` steps included, numbered as remark numbers
  them), `handout` (the last, complete, slide of each step group), `notes` (each slide with its
  presenter notes, as remark renders them, in a band below it), `annotated` (every slide with
  the strokes drawn on it, `slides/<stem>.annotations.json`, as the SVG paths the page draws,
  so vector paths in the PDF; a slide's blank board on a page after it).
- An animated GIF prints its last frame: the browser decodes it (the ImageDecoder API) and the
  `img` shows a PNG of that frame while printing.
- Cached by content (cache.py's rule): the page's HTML, every file it loaded while printing
  (stylesheets, scripts, fonts, images; a missing one counts as missing) and the mode. An
  unchanged deck is not printed again. PDFs are replaced atomically, and their dates are fixed
  so that the same page prints the same bytes.

This module prints the pages there are; it does not know how they are made. `lecture pdf` and
`lecture build` (commands/) bring the pages up to date first.
"""
from __future__ import annotations

import base64
import functools
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable
from urllib.parse import unquote, urlsplit

from .. import cache
from ..chromium import find_browser, headless_chromium, in_tabs, require_playwright
from ..config import PDF_MODES, Config
from ..diagnostics import ERROR, WARNING, Collector, Diagnostic, display_path
from ..layout import cache_dir, macros_source, page_path, pdf_name
from ..macros import Macros, course_macros

HERE = Path(__file__).resolve().parent
PAGE_WIDTH = 1280  # CSS px (96 per inch): 960 pt, a 13.3-inch page
NOTES_HEIGHT = 720  # CSS px of the band under the slide that holds its notes
LOAD_TIMEOUT_MS = 120_000  # a 1,000-slide deck loads in a few seconds; this is for a stuck page


@dataclass
class PdfResult:
    diagnostics: list[Diagnostic] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)  # PDFs whose content changed
    printed: list[Path] = field(default_factory=list)  # PDFs printed this run
    cached: list[Path] = field(default_factory=list)  # PDFs up to date, not printed again
    pages: int = 0  # pages printed this run
    seconds: float = 0.0

    def failed(self, strict: bool = False) -> bool:
        return any(d.severity == ERROR for d in self.diagnostics) or (strict and bool(self.diagnostics))


def wanted_indices(slides, mode: str) -> list[int]:
    """The slides (remark's indices) a mode prints. A handout keeps the slide that ends each
    step group: the one whose next slide is not a `--` step of it."""
    if mode != "handout":
        return [slide.index for slide in slides]
    from ..deck.model import last_steps  # as in _job: a cached `lecture pdf` imports no parser

    return [slide.index for slide in last_steps(slides)]


def print_pdfs(config: Config, decks: list[Path], modes: Iterable[str], *,
               report: Callable[[Diagnostic], None] | None = None,
               progress: Callable[[str], None] = lambda line: None, force: bool = False,
               reported: frozenset[Path] = frozenset()) -> PdfResult:
    """Print each deck's page in each mode (PDF_MODES order), unless its PDF is up to date.

    `reported`: decks (resolved) whose problems a build of this run has said already; the
    others' are said here (a deck that cannot be read, a file its page misses)."""
    note = Collector(report)
    result = PdfResult(diagnostics=note.found)
    modes = tuple(mode for mode in PDF_MODES if mode in set(modes))
    cache_path = cache_dir(config) / "pdf.json"
    entries = cache.read_json(cache_path)
    todo: dict[Path, list[str]] = {}
    for path in decks:
        page = page_path(config, path)
        if not page.is_file():
            note(Diagnostic(path, 1, ERROR, f"no page to print: {display_path(page, config.root)} "
                            "is missing; run lecture build"))
            continue
        for mode in modes:
            target = config.output_dir / pdf_name(path, mode)
            entry = entries.get(pdf_name(path, mode))
            if not force and isinstance(entry, dict) and target.is_file() and \
                    entry.get("fingerprint") == _fingerprint(config, page, mode, entry.get("inputs", [])):
                result.cached.append(target)
            else:
                todo.setdefault(path, []).append(mode)
    # The macros the pages define, or a deck that uses the course's own would count as broken
    # (what the file has wrong is the build's to say).
    macros = course_macros(macros_source(config), config.root)[0] if todo else Macros()
    jobs = [job for path, deck_modes in todo.items()
            if (job := _job(config, path, deck_modes, path.resolve() in reported, macros, note))
            is not None]
    if jobs:
        _print_and_write(config, jobs, entries, result, note, progress)
        cache.write_json(cache_path, entries)
    result.seconds = note.seconds()
    return result


def _fingerprint(config: Config, page: Path, mode: str, inputs: list[str]) -> str:
    """A PDF's fingerprint: the page, the files it loaded when it was last printed (relative to
    the output directory), the mode and the way this package prints."""
    files = [page, *(config.output_dir / name for name in inputs)]
    return cache.fingerprint(_printing_code(), mode, "\n".join(inputs), files=files)


@functools.cache
def _printing_code() -> bytes:
    """This module and the files it adds to the tab: a change in how pages are printed prints
    them again."""
    return b"".join(path.read_bytes() for path in sorted(HERE.iterdir()) if path.suffix in (".py", ".css", ".js"))


@dataclass
class _Job:
    deck: Path
    page: Path
    modes: list[str]
    slides: list  # the deck model's slides
    warn_missing: bool  # no build of this run reported the deck: its page's missing files are said here
    line_of: Callable[[str], int]
    # filled by the printing
    pdfs: dict[str, bytes] = field(default_factory=dict)
    pages: dict[str, int] = field(default_factory=dict)
    loaded: set[str] = field(default_factory=set)  # files it loaded, relative to the output
    missing: set[str] = field(default_factory=set)  # files it asked for and did not find
    problem: str | None = None


def _job(config: Config, path: Path, modes: list[str], reported: bool, macros: Macros,
         note: Callable[[Diagnostic], None]) -> _Job | None:
    """What printing a deck needs from its model: which slides each mode prints. A deck that
    cannot be read, or has errors, is not printed (said here unless a build said it)."""
    # Here, not at the top: `lecture pdf` with every PDF up to date reads no deck, and the
    # parser's import is 13 ms of its 90 ms (python -X importtime).
    from ..deck import DeckError, read_deck

    try:
        deck = read_deck(path, macros=macros)
    except DeckError as exc:
        if not reported:
            note(exc.diagnostic)
        return None
    errors = [d for d in deck.diagnostics if d.severity == ERROR]
    if errors:
        if not reported:
            for diagnostic in errors:
                note(diagnostic)
        return None
    if not deck.slides:
        note(Diagnostic(path, 1, WARNING, "no slides: no PDF"))
        return None

    def line_of(name: str) -> int:
        found = deck.source.find(name)
        return deck.line_of(found) if found >= 0 else 1

    return _Job(path, page_path(config, path), modes, deck.slides, not reported, line_of)


def _print_and_write(config: Config, jobs: list[_Job], entries: dict, result: PdfResult,
                     note: Callable[[Diagnostic], None], progress: Callable[[str], None]) -> None:
    # Here, as cache.write_json does: tempfile and shutil are 4 ms of imports (-X importtime) that
    # `lecture pdf` with every PDF up to date does not need.
    from ..outputs import write_if_changed

    require_playwright("lecture pdf", "prints")
    executable = find_browser()
    # Only when something is printed: asyncio is 24 ms of imports (python -X importtime), a
    # quarter of `lecture pdf` with every PDF up to date.
    import asyncio

    asyncio.run(_print_all(config, jobs, executable))
    for job in jobs:
        if job.warn_missing:
            for name in sorted(job.missing):
                note(Diagnostic(job.deck, job.line_of(name), WARNING,
                                f"'{name}' is not in {config.output_dir.name}/: the PDF shows "
                                "it missing"))
        if job.problem:
            note(Diagnostic(job.deck, 1, ERROR, f"not printed: {job.problem}"))
            continue
        inputs = sorted(job.loaded | job.missing)
        for mode, data in job.pdfs.items():
            name = pdf_name(job.deck, mode)
            target = config.output_dir / name
            try:
                changed = write_if_changed(target, data)
            except OSError as exc:
                note(Diagnostic(target, 1, ERROR, f"cannot write it: {exc.strerror or exc}"))
                continue
            if changed:
                result.written.append(target)
            result.printed.append(target)
            result.pages += job.pages[mode]
            entries[name] = {"fingerprint": _fingerprint(config, job.page, mode, inputs),
                             "inputs": inputs, "pages": job.pages[mode]}
            count = job.pages[mode]
            progress(f"pdf: {display_path(target, config.root)} ({count} page{'s' if count != 1 else ''})")


async def _print_all(config: Config, jobs: list[_Job], executable: str | None) -> None:
    """Print the decks side by side: one browser, one tab per deck, a few at a time."""
    async with headless_chromium(executable, "print") as browser:
        await in_tabs(jobs, lambda job: _print_deck(browser, config, job))


async def _print_deck(browser, config: Config, job: _Job) -> None:
    output = config.output_dir.resolve()
    page = await browser.new_page(viewport={"width": PAGE_WIDTH, "height": PAGE_WIDTH * 9 // 16})

    def seen(request, found: bool) -> None:
        relative = _output_file(request.url, output)
        if relative is not None:
            (job.loaded if found else job.missing).add(relative)

    page.on("requestfinished", lambda request: seen(request, True))
    page.on("requestfailed", lambda request: seen(request, False))
    try:
        # The screen's look, not a print style: what the students saw is what they get.
        await page.emulate_media(media="screen")
        await page.goto(job.page.resolve().as_uri(), wait_until="load", timeout=LOAD_TIMEOUT_MS)
        await page.wait_for_function("() => window.slideshow !== undefined", timeout=LOAD_TIMEOUT_MS)
        shown = await page.evaluate(_browser_file("count.js"))
        if shown["slides"] != len(job.slides):
            job.problem = (f"the page shows {shown['slides']} slides and the deck has "
                           f"{len(job.slides)}: rebuild it (lecture build)")
            return
        await page.add_style_tag(content=_browser_file("print.css"))
        await page.evaluate(_browser_file("last-frames.js"), _gif_data(shown["images"], output))
        for mode in job.modes:
            size = await page.evaluate(_browser_file("layout.js"), {
                "wanted": wanted_indices(job.slides, mode), "notes": mode == "notes",
                "width": PAGE_WIDTH, "notesHeight": NOTES_HEIGHT})
            # Strokes and blank boards in the annotated PDF only (the tab prints every mode).
            boards = (await page.evaluate(_browser_file("annotated.js"),
                                          {"annotated": mode == "annotated"}))["boards"]
            # Tagged (a structure tree: headings, paragraphs, the page's language) and with an
            # outline of the slides' titles (layout.js makes each slide's first heading level 1).
            data = await page.pdf(width=f"{size['width']}px", height=f"{size['height']}px",
                                  print_background=True, prefer_css_page_size=True,
                                  margin={"top": "0", "right": "0", "bottom": "0", "left": "0"},
                                  tagged=True, outline=True)
            job.pdfs[mode] = _relative_links(_fixed_dates(data), size["base"])
            job.pages[mode] = size["pages"] + boards
    finally:
        await page.close()


def _output_file(url: str, output: Path) -> str | None:
    """A file:// URL of a file in the output directory, relative to it (else None)."""
    parts = urlsplit(url)
    if parts.scheme != "file":
        return None
    try:
        return Path(unquote(parts.path)).resolve().relative_to(output).as_posix()
    except ValueError:
        return None


def _gif_data(urls: list[str], output: Path) -> dict[str, str]:
    """The GIFs among the images the page shows, as base64, by URL: the page cannot read
    files itself (a file:// page may not fetch)."""
    found = {}
    for url in urls:
        relative = _output_file(url, output)
        if relative is None:
            continue
        try:
            with open(output / relative, "rb") as handle:
                data = handle.read()
        except OSError:
            continue
        if data[:6] in (b"GIF87a", b"GIF89a"):
            found[url] = base64.b64encode(data).decode("ascii")
    return found


_DATE = re.compile(rb"/(CreationDate|ModDate) \(D:\d{14}[^)]{0,8}\)")


def _fixed_dates(pdf: bytes) -> bytes:
    """The same page prints the same bytes: Chromium stamps the time of printing, which is
    replaced by a fixed one of the same length (so no offset in the file moves)."""
    def fixed(match: re.Match) -> bytes:
        stamp = match.group(0)
        start = stamp.index(b"(D:") + 3
        return stamp[:start] + b"19700101000000" + stamp[start + 14:]
    return _DATE.sub(fixed, pdf)


def _relative_links(pdf: bytes, base: str) -> bytes:
    """Links to the course's own files (other decks, notebooks, downloads) relative to the PDF,
    which lives in pdf/ beside them: Chromium writes them as absolute file:// URLs of this
    machine. Each `file:///…/build/` prefix becomes `../` padded with `./` segments to the same
    length, so no offset in the file moves; a relative URI is resolved against the PDF's own
    location (PDF 1.7, 12.6.4.7)."""
    prefix = b"/URI (" + _pdf_string(base)
    if prefix not in pdf:
        return pdf
    length = len(prefix) - len(b"/URI (")
    # `\056` is a literal string's octal escape for `.`: `.\056/` is `../` in six bytes, for a
    # prefix of even length.
    parent = b"../" if length % 2 else b".\\056/"
    relative = parent + b"./" * ((length - len(parent)) // 2)
    if len(relative) != length:
        return pdf
    return pdf.replace(prefix, b"/URI (" + relative)


def _pdf_string(text: str) -> bytes:
    return text.encode("latin-1", "replace").replace(b"\\", b"\\\\").replace(b"(", b"\\(") \
        .replace(b")", b"\\)")


@functools.cache
def _browser_file(name: str) -> str:
    """A stylesheet or a script for the headless tab, kept beside this module as a file of its
    own (a JavaScript file is one function expression, which Playwright's `evaluate` calls)."""
    text = (HERE / name).read_text(encoding="utf-8")
    # Playwright tells a function from an expression by how the text begins: not by a comment.
    return "\n".join(line for line in text.splitlines() if not line.startswith("//"))
