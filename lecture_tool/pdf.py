"""`lecture pdf`: every deck as a PDF (slides, handout, notes), printed by headless Chromium.

The deck's own page is printed as it is: Chromium opens `build/<stem>.html` from disk, remark
lays out every slide as on screen (same CSS, same KaTeX, same highlighting), and a stylesheet
added to that one headless tab, never to the file, stacks the slides to print one per page and
hides the rest. One `page.pdf()` call then prints the whole deck: no slide-by-slide navigation,
which is where decktape spends its time. Chromium's PDF keeps text as text, embeds the fonts and
turns links into link annotations.

- Pages: 1280 CSS px wide, as high as the deck's ratio makes them (1280x720 for 16:9, 1280x960
  for 4:3), no margins. remark lays a slide out at 1210x681 (16:9) or 908x681 (4:3); it is
  scaled to fill the page exactly.
- Modes: `slides` (every slide remark shows, `--` steps included, numbered as remark numbers
  them), `handout` (the last, complete, slide of each step group), `notes` (each slide with its
  presenter notes, as remark renders them, in a band below it).
- An animated GIF prints its last frame: the browser decodes it (the ImageDecoder API) and the
  `img` shows a PNG of that frame while printing.
- Cached by content (cache.py's rule): the page's HTML, every file it loaded while printing
  (stylesheets, scripts, fonts, images; a missing one counts as missing) and the mode. An
  unchanged deck is not printed again. A deck with errors keeps its last good PDF; PDFs are
  replaced atomically, and their dates are fixed so that the same page prints the same bytes.
"""
from __future__ import annotations

import base64
import functools
import os
import re
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable
from urllib.parse import unquote, urlsplit

from .config import Config
from .diagnostics import ERROR, WARNING, Diagnostic, display_path
from .errors import LectureError

MODES = ("slides", "handout", "notes")
_SUFFIX = {"slides": "", "handout": "-handout", "notes": "-notes"}
PAGE_WIDTH = 1280  # CSS px (96 per inch): 960 pt, a 13.3-inch page
NOTES_HEIGHT = 720  # CSS px of the band under the slide that holds its notes
# As tests/conftest.py starts it: as root and with no network but the registries, Chromium needs
# these to start quietly.
CHROMIUM_ARGS = ("--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-quic", "--disable-default-apps")
LOAD_TIMEOUT_MS = 120_000  # a 1,000-slide deck loads in a few seconds; this is for a stuck page
CACHE_FILE = Path(".cache") / "pdf.json"

NO_BROWSER = ("error: no Chromium to print with: install Debian's (apt-get install chromium) or "
              "Playwright's (python -m playwright install chromium), or set LECTURE_CHROMIUM to "
              "a Chromium or Chrome executable")


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


def pdf_name(deck_path: Path, mode: str) -> str:
    """Where a deck's PDF goes, relative to the output directory: `pdf/<stem>[-mode].pdf`."""
    return f"pdf/{deck_path.stem}{_SUFFIX[mode]}.pdf"


def wanted_indices(slides, mode: str) -> list[int]:
    """The slides (remark's indices) a mode prints. A handout keeps the slide that ends each
    step group: the one whose next slide is not a `--` step of it."""
    if mode != "handout":
        return [slide.index for slide in slides]
    return [slide.index for slide, after in zip(slides, [*slides[1:], None])
            if after is None or not after.continued]


def make_pdfs(config: Config, decks: list[Path] | None = None, handout: bool = False,
              notes: bool = False, progress: Callable[[str], None] = lambda line: None, *,
              report: Callable[[Diagnostic], None] = lambda d: None, force: bool = False,
              build_stale: bool = True, modes: Iterable[str] | None = None) -> PdfResult:
    """Print the decks (all, or those named) to PDF: the slides, and with `handout`/`notes`
    those too (`modes` names them outright instead: `lecture build` passes the configured ones).

    A deck page that is missing or older than its deck, pyproject.toml or the course's templates
    is built first (`build_stale`), and so is every deck when a file of slides/ (an image)
    differs from its copy in the output; with the figures (a PDF shows them) but not the
    notebooks (it only links them). Otherwise the pages are printed as they are: a changed
    figure script is `lecture build`'s (or `lecture figures`') to run.
    """
    started = time.perf_counter()
    result = PdfResult()

    def note(diagnostic: Diagnostic) -> None:
        result.diagnostics.append(diagnostic)
        report(diagnostic)

    modes = tuple(m for m in MODES if m in set(modes)) if modes is not None else \
        ("slides", *(("handout",) if handout else ()), *(("notes",) if notes else ()))
    paths = list(decks) if decks else config.decks()
    from . import cache

    cache_path = config.output_dir / CACHE_FILE
    saved = cache.read_json(cache_path)
    entries = saved.get("pdfs") if isinstance(saved.get("pdfs"), dict) else {}
    checked = saved.get("checked") if isinstance(saved.get("checked"), dict) else {}
    built: set[Path] = set()  # decks whose build ran here: it reported their problems
    broken: set[Path] = set()  # decks with errors: their last good PDFs stay
    stale = []
    if build_stale:
        stamps = {path: _sources_stamp(config, path) for path in paths}
        stale = paths if _copies_are_stale(config) else \
            [p for p in paths if _page_is_stale(config, p, stamps[p], checked)]
    if stale:
        from .build import build

        progress(f"pdf: building {', '.join(p.name for p in stale)} first")
        outcome = build(config, stale, report=note, progress=progress, figures=True,
                        notebooks=False, keep_last_good=True)
        built = {p.resolve() for p in stale}
        for path in stale:
            page = _page(config, path)
            if any(d.severity == ERROR for d in outcome.by_page.get(page.name, [])) \
                    or not page.is_file():
                broken.add(path.resolve())
            else:
                # The build rewrites a page only when it changes; this says "checked against
                # sources this old", so that a touched deck is not built again and again.
                checked[page.name] = stamps[path]

    todo: dict[Path, list[str]] = {}
    for path in paths:
        if path.resolve() in broken:
            continue
        page = _page(config, path)
        if not page.is_file():
            note(Diagnostic(path, 1, ERROR, f"no page to print: {display_path(page, config.root)} "
                            "is missing; run lecture build"))
            continue
        for mode in modes:
            name = pdf_name(path, mode)
            entry = entries.get(name)
            target = config.output_dir / name
            if not force and isinstance(entry, dict) and target.is_file() and \
                    entry.get("fingerprint") == _fingerprint(config, page, mode, entry.get("inputs", [])):
                result.cached.append(target)
            else:
                todo.setdefault(path, []).append(mode)
    jobs = [job for path, deck_modes in todo.items()
            if (job := _job(config, path, deck_modes, path.resolve() in built, note)) is not None]
    if jobs:
        _print_and_write(config, jobs, entries, result, note, progress)
    if jobs or stale:
        cache.write_json(cache_path, {"pdfs": entries, "checked": checked})
    result.seconds = time.perf_counter() - started
    return result


def _page(config: Config, deck: Path) -> Path:
    return config.output_dir / f"{deck.stem}.html"


def _sources_stamp(config: Config, deck: Path) -> int:
    """The newest modification time of what a deck's page is made from: the deck, the course's
    settings (remark's options) and its own templates."""
    sources = [deck, config.pyproject]
    if config.templates_dir.is_dir():
        sources += [p for p in config.templates_dir.iterdir() if p.is_file()]
    newest = 0
    for source in sources:
        try:
            newest = max(newest, source.stat().st_mtime_ns)
        except FileNotFoundError:
            continue
    return newest


def _page_is_stale(config: Config, deck: Path, stamp: int, checked: dict) -> bool:
    """A page is built again when it is missing, or when its sources are newer than it and
    than the last build this module ran for it."""
    page = _page(config, deck)
    try:
        made = page.stat().st_mtime_ns
    except FileNotFoundError:
        return True
    last = checked.get(page.name)
    return stamp > max(made, last if isinstance(last, int) else 0)


def _copies_are_stale(config: Config) -> bool:
    """Whether a file of slides/ (an image, a download) differs from its copy in the output (the
    build's own rule: size and modification time), so that a build must copy it first."""
    from .sources import files_under

    for source in files_under(config.slides_dir):
        if source.suffix == ".md":
            continue
        try:
            copy = (config.output_dir / source.relative_to(config.slides_dir)).stat()
        except FileNotFoundError:
            return True
        original = source.stat()
        if (original.st_size, original.st_mtime_ns) != (copy.st_size, copy.st_mtime_ns):
            return True
    return False


def _fingerprint(config: Config, page: Path, mode: str, inputs: list[str]) -> str:
    """A PDF's fingerprint: the page, the files it loaded when it was last printed (relative to
    the output directory), the mode and the way this module prints."""
    from . import cache

    files = [page, *(config.output_dir / name for name in inputs)]
    return cache.fingerprint(_this_module(), mode, "\n".join(inputs), files=files)


@functools.cache
def _this_module() -> bytes:
    """This file: a change in how pages are printed prints them again."""
    return Path(__file__).read_bytes()


@dataclass
class _Job:
    deck: Path
    page: Path
    modes: list[str]
    slides: list  # the deck model's slides
    warn_missing: bool  # the build did not run here, so the page's missing files are said here
    line_of: Callable[[str], int]
    # filled by the printing
    pdfs: dict[str, bytes] = field(default_factory=dict)
    pages: dict[str, int] = field(default_factory=dict)
    loaded: set[str] = field(default_factory=set)  # files it loaded, relative to the output
    missing: set[str] = field(default_factory=set)  # files it asked for and did not find
    problem: str | None = None


def _job(config: Config, path: Path, modes: list[str], built: bool,
         note: Callable[[Diagnostic], None]) -> _Job | None:
    """What printing a deck needs from its model: which slides each mode prints. A deck that
    cannot be read, or has errors, is not printed (the build reported them, if it ran here)."""
    from .deck import DeckError, read_deck

    try:
        deck = read_deck(path)
    except DeckError as exc:
        if not built:
            note(exc.diagnostic)
        return None
    errors = [d for d in deck.diagnostics if d.severity == ERROR]
    if errors:
        if not built:
            for diagnostic in errors:
                note(diagnostic)
        return None
    if not deck.slides:
        note(Diagnostic(path, 1, WARNING, "no slides: no PDF"))
        return None

    def line_of(name: str) -> int:
        found = deck.source.find(name)
        return deck.line_of(found) if found >= 0 else 1

    return _Job(path, _page(config, path), modes, deck.slides, not built, line_of)


def find_browser() -> str | None:
    """The Chromium to print with: LECTURE_CHROMIUM, else `chromium` or `google-chrome` on
    PATH; None means "ask Playwright for its own". A LECTURE_CHROMIUM that names no file is an
    error: someone chose that browser, and another one would print something else."""
    chosen = os.environ.get("LECTURE_CHROMIUM")
    if chosen:
        if not Path(chosen).is_file():
            raise LectureError(f"error: LECTURE_CHROMIUM is {chosen}, which does not exist: point "
                               "it to a Chromium or Chrome executable, or unset it to use "
                               "chromium or google-chrome from PATH")
        return chosen
    return shutil.which("chromium") or shutil.which("google-chrome")


def _print_and_write(config: Config, jobs: list[_Job], entries: dict, result: PdfResult,
                     note: Callable[[Diagnostic], None], progress: Callable[[str], None]) -> None:
    from .extras import install_command, missing_modules
    from .outputs import write_if_changed

    if missing_modules("playwright"):
        raise LectureError("error: lecture pdf prints with Chromium through Playwright, which is "
                           f"not installed: {install_command('pdf')}")
    executable = find_browser()
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
    import asyncio

    from playwright.async_api import Error as PlaywrightError, async_playwright

    async with async_playwright() as playwright:
        if executable is None:
            own = playwright.chromium.executable_path
            if not own or not Path(own).is_file():
                raise LectureError(NO_BROWSER)
            executable = own
        try:
            browser = await playwright.chromium.launch(executable_path=executable,
                                                       args=list(CHROMIUM_ARGS))
        except PlaywrightError as exc:
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else "no reason given"
            raise LectureError(f"error: Chromium ({executable}) did not start: {first}") from exc
        try:
            # Each tab is a renderer process of its own; more of them than cores only queue.
            slots = asyncio.Semaphore(max(1, min(len(jobs), os.cpu_count() or 1, 4)))

            async def run(job: _Job) -> None:
                async with slots:
                    try:
                        await _print_deck(browser, config, job)
                    except PlaywrightError as exc:
                        job.problem = f"Chromium: {str(exc).strip().splitlines()[0]}"

            await asyncio.gather(*(run(job) for job in jobs))
        finally:
            await browser.close()


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
        shown = await page.evaluate(_COUNT_SCRIPT)
        if shown["slides"] != len(job.slides):
            job.problem = (f"the page shows {shown['slides']} slides and the deck has "
                           f"{len(job.slides)}: rebuild it (lecture build)")
            return
        await page.add_style_tag(content=_PRINT_RULES)
        await page.evaluate(_LAST_FRAMES_SCRIPT, _gif_data(shown["images"], output))
        for mode in job.modes:
            size = await page.evaluate(_LAYOUT_SCRIPT, {
                "wanted": wanted_indices(job.slides, mode), "notes": mode == "notes",
                "width": PAGE_WIDTH, "notesHeight": NOTES_HEIGHT})
            data = await page.pdf(width=f"{size['width']}px", height=f"{size['height']}px",
                                  print_background=True, prefer_css_page_size=True,
                                  margin={"top": "0", "right": "0", "bottom": "0", "left": "0"})
            job.pdfs[mode] = _relative_links(_fixed_dates(data), size["base"])
            job.pages[mode] = size["pages"]
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


# Added to the headless tab only. Slides to print are stacked, one per page, at the page's size;
# the others and remark's own interface are hidden. `!important` wins over the inline sizes and
# transforms remark gives its elements.
_PRINT_RULES = """
@page { margin: 0; }
html, body, body.remark-container {
  width: auto !important; height: auto !important; overflow: visible !important;
  margin: 0 !important; padding: 0 !important; background: #fff !important;
}
.remark-slides-area { position: static !important; width: auto !important; height: auto !important; }
.remark-preview-area, .remark-notes-area, .remark-help, .remark-pause, .remark-backdrop,
.remark-toolbar, .remark-presenter-timer { display: none !important; }
.remark-slides-area > .remark-slide-container { display: none !important; }
.remark-slides-area > .remark-slide-container.lecture-print {
  display: block !important; position: relative !important; overflow: hidden !important;
  width: var(--lecture-page-width) !important; height: var(--lecture-page-height) !important;
  break-after: page; break-inside: avoid;
}
.remark-slides-area > .remark-slide-container.lecture-print.lecture-last { break-after: auto; }
.lecture-print .remark-slide-scaler {
  transform: scale(var(--lecture-scale-x), var(--lecture-scale-y)) !important;
  transform-origin: top left !important; left: 0 !important; top: 0 !important;
  box-shadow: none !important;
}
.lecture-print .remark-slide-notes { display: none !important; }
.lecture-notes .lecture-print .remark-slide-notes {
  display: block !important; position: absolute !important; left: 0 !important;
  top: var(--lecture-slide-height) !important; width: var(--lecture-page-width) !important;
  height: var(--lecture-notes-height) !important; box-sizing: border-box; overflow: hidden;
  margin: 0 !important; padding: 28px 64px; border-top: 2px solid #c7cbd1;
  font-size: 26px; line-height: 1.4; background: #fff;
}
/* KaTeX's MathML copy is for screen readers; in a PDF it would be a second, invisible text. */
.katex-mathml { display: none !important; }
"""

_COUNT_SCRIPT = """() => ({
  slides: window.slideshow.getSlideCount(),
  images: Array.from(new Set(Array.from(
    document.querySelectorAll('.remark-slides-area img'), (img) => img.currentSrc || img.src)))
})"""

# Each animated GIF becomes a PNG of its last frame (decoded in the page by ImageDecoder, which
# composes frames as the browser shows them), so that the PDF shows the complete picture.
_LAST_FRAMES_SCRIPT = """async (gifs) => {
  if (typeof ImageDecoder === 'undefined') return;
  const frames = {};
  for (const [url, data] of Object.entries(gifs)) {
    try {
      const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
      const decoder = new ImageDecoder({data: bytes, type: 'image/gif'});
      await decoder.tracks.ready;
      await decoder.completed;
      const count = decoder.tracks.selectedTrack.frameCount;
      if (count < 2) { decoder.close(); continue; }
      const {image} = await decoder.decode({frameIndex: count - 1});
      const canvas = document.createElement('canvas');
      canvas.width = image.displayWidth;
      canvas.height = image.displayHeight;
      canvas.getContext('2d').drawImage(image, 0, 0);
      image.close();
      decoder.close();
      frames[url] = canvas.toDataURL('image/png');
    } catch (error) { /* not decodable: it prints as the browser shows it */ }
  }
  const waits = [];
  for (const img of document.querySelectorAll('.remark-slides-area img')) {
    const frame = frames[img.currentSrc || img.src];
    if (frame) {
      img.src = frame;
      waits.push(img.decode().catch(() => null));
    }
  }
  await Promise.all(waits);
}"""

# Marks the slides a mode prints, sizes the page, shrinks notes that would not fit their band,
# and waits until every font the shown slides use has loaded.
_LAYOUT_SCRIPT = """async (options) => {
  const containers = document.querySelectorAll('.remark-slides-area > .remark-slide-container');
  const [across, down] = window.slideshow.getRatio().split(':').map(Number);
  const scaler = containers[0].querySelector('.remark-slide-scaler');
  const slideWidth = options.width;
  const slideHeight = options.width * down / across;
  const pageHeight = slideHeight + (options.notes ? options.notesHeight : 0);
  const root = document.documentElement.style;
  root.setProperty('--lecture-page-width', slideWidth + 'px');
  root.setProperty('--lecture-page-height', pageHeight + 'px');
  root.setProperty('--lecture-slide-height', slideHeight + 'px');
  root.setProperty('--lecture-notes-height', options.notesHeight + 'px');
  root.setProperty('--lecture-scale-x', String(slideWidth / parseFloat(scaler.style.width)));
  root.setProperty('--lecture-scale-y', String(slideHeight / parseFloat(scaler.style.height)));
  document.documentElement.classList.toggle('lecture-notes', options.notes);
  // remark's own stylesheet sets a landscape @page size, which Chromium would follow.
  let pageRule = document.getElementById('lecture-page-size');
  if (!pageRule) {
    pageRule = document.createElement('style');
    pageRule.id = 'lecture-page-size';
    document.head.appendChild(pageRule);
  }
  pageRule.textContent = '@page { size: ' + slideWidth + 'px ' + pageHeight + 'px; margin: 0; }';
  const wanted = new Set(options.wanted);
  let last = null;
  containers.forEach((container, index) => {
    container.classList.toggle('lecture-print', wanted.has(index));
    container.classList.remove('lecture-last');
    if (wanted.has(index)) last = container;
  });
  if (last) last.classList.add('lecture-last');
  if (options.notes) {
    for (const index of options.wanted) {
      const notes = containers[index].querySelector('.remark-slide-notes');
      if (!notes) continue;
      notes.style.fontSize = '';
      let size = 26;
      while (notes.scrollHeight > notes.clientHeight && size > 9) {
        size -= 1;
        notes.style.fontSize = size + 'px';
      }
    }
  }
  void document.body.offsetHeight;
  await document.fonts.ready;
  return {width: slideWidth, height: pageHeight, pages: wanted.size,
          base: new URL('./', location.href).href};
}"""
