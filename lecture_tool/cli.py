"""The command line: options only. Each command calls one function of the command layer
(`lecture_tool.commands`), imported when the command runs, so that `lecture --help` imports
none of them (Jinja2, markdown-it, QuickJS, subprocess: bench_build's `--help` row)."""
from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

import click

from . import __version__
from .diagnostics import ERROR, WARNING, count, display_path
from .errors import LectureError


class DeckArgument(click.ParamType):
    """A deck, as a path (relative to `-C DIR`, as `git -C` reads it) or by name: `intro`."""
    name = "DECK"

    def convert(self, value, param, ctx) -> Path:
        if isinstance(value, Path):
            return value
        project = ctx.find_root().obj if ctx else None
        path = (project or Path.cwd()) / value
        if path.is_file():
            return path
        if path.is_dir():
            self.fail(f"{value} is a directory, not a deck", param, ctx)
        config = _load(project)
        found = config.deck_named(value)
        if found is None:
            names = ", ".join(p.stem for p in config.decks()) or "none"
            self.fail(f"no deck {value!r}: no such file, and {config.slides_dir.name}/ has no "
                      f"{Path(value).stem}.md (its decks: {names})", param, ctx)
        return found


_deck_path = DeckArgument()


class Stopped(KeyboardInterrupt):
    """SIGTERM or SIGHUP: stop as Ctrl-C stops (children killed, scratch directories gone)."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum


def _stop_on(signum: int, frame) -> None:
    raise Stopped(signum)


class _Commands(click.Group):
    """Whatever a command meets on disk (a directory where a file belongs, a read-only
    output, a file that vanished) ends in one line with the path, never a traceback. An IDE's
    stop button (SIGTERM) or a closed terminal (SIGHUP) stops it as Ctrl-C does."""

    def invoke(self, ctx: click.Context):
        for signum in (signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, _stop_on)
        try:
            return super().invoke(ctx)
        except Stopped as stopped:
            click.echo(f"stopped by {signal.Signals(stopped.signum).name}", err=True)
            sys.exit(128 + stopped.signum)
        except OSError as exc:
            where = exc.filename or "lecture"
            raise LectureError(f"{where}: error: {exc.strerror or exc}") from exc
        except RecursionError as exc:
            raise LectureError("error: the input is nested too deeply to read") from exc


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="lecture")
@click.option("-C", "--project", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="The course repository (default: the nearest with [tool.lecture], or here).")
@click.pass_context
def main(ctx: click.Context, project: Path | None) -> None:
    """Build Remark.js lecture decks from Markdown, with figures and code that are real."""
    ctx.obj = project


def _config(ctx: click.Context):
    """The course's configuration; its warnings (unknown keys) are said once, here."""
    config = _load(ctx.obj)
    report = _print_diagnostic(config)
    for warning in config.warnings:
        report(warning)
    return config


def _load(project: Path | None):
    # Only when a command runs: the configuration's imports (tomllib, difflib, its OPTIONS) are
    # 13 ms of `lecture --help`'s 55 ms (python -X importtime).
    from .config import find_root, load_config

    return load_config(project or find_root(Path.cwd()))


def _print_diagnostic(config, verbose: bool = True):
    """Prints each problem (`verbose`), or holds those about a missing file until `finish()`."""
    from .reporting import Reporter

    return Reporter(config.root, lambda line: click.echo(line, err=True), verbose=verbose,
                    annotate=os.environ.get("GITHUB_ACTIONS") == "true")


def _verbose_option(command):
    return click.option("-v", "--verbose", is_flag=True,
                        help="Print every missing-file warning, not one line per missing file.")(command)


@main.command()
@click.argument("directory", required=False, default=".",
                type=click.Path(file_okay=True, path_type=Path))
@click.option("--title", help="The course's title (default: from the directory's name).")
@click.option("--merge", is_flag=True,
              help="Add the course's files to a directory that has other files (never overwrites).")
@click.option("--shards", type=click.IntRange(1, 256), metavar="N",
              help="Write a CI workflow that builds and checks on N machines side by side.")
@click.option("--framework", type=click.Choice(["keras", "torch"]), default="keras",
              show_default=True, help="What the example deck, figure and notebook are written with.")
@click.pass_context
def init(ctx: click.Context, directory: Path, title: str | None, merge: bool,
         shards: int | None, framework: str) -> None:
    """Make a new course in DIRECTORY (default: here): an example deck, figure, notebook, CI."""
    from .commands.init import extras_for, init_course, missing_extras, next_steps

    target = (ctx.obj or Path.cwd()) / directory
    result = init_course(target, title, merge, shards, framework)
    where = display_path(target)
    for name in result.written:
        click.echo(f"  created  {name}")
    for name in result.left_alone:
        click.echo(f"  exists   {name} (left alone)")
    if "pyproject.toml" in result.left_alone and \
            "[tool.lecture" not in (target / "pyproject.toml").read_text(encoding="utf-8", errors="replace"):
        click.echo("The existing pyproject.toml has no [tool.lecture] table: the defaults apply "
                   "(slides/, build/); add one to set the course's title.")
    click.echo("\n" + next_steps(where, missing_extras(extras_for(framework))))


_SHARD_HELP = ("Do only the I-th of N shares of the work (CI machines side by side); "
               "`lecture cache export` then carries its results.")


@main.command()
@click.option("--strict", is_flag=True, help="Treat warnings as errors (exit 1 on any).")
@click.option("--force", is_flag=True, help="Run every figure script and notebook again.")
@click.option("--shard", metavar="I/N", help=_SHARD_HELP + " No page is rendered.")
@_verbose_option
@click.argument("decks", nargs=-1, type=_deck_path)
@click.pass_context
def build(ctx: click.Context, strict: bool, force: bool, shard: str | None, verbose: bool,
          decks: tuple[Path, ...]) -> None:
    """Make the figures and notebooks, then render the decks (all of slides/*.md, or those named)."""
    from .commands.build import build as run_build
    from .reporting import summary

    config = _config(ctx)
    report = _print_diagnostic(config, verbose)
    result = run_build(config, list(decks) or None, report=report, progress=_progress, force=force,
                       shard=_shard(shard, decks))
    report.finish()
    errors = count(result.diagnostics, ERROR)
    changed = f"{len(result.written)} file{'s' if len(result.written) != 1 else ''} written"
    if shard:
        click.echo(f"Shard {shard}: {len(result.written)} file{'s' if len(result.written) != 1 else ''} "
                   f"made in {result.seconds:.2f} s, {summary(result.diagnostics)}.", err=True)
    else:
        click.echo(f"Built {result.decks} deck{'s' if result.decks != 1 else ''} "
                   f"({result.slides} slides) into {config.output_dir.name}/ in {result.seconds:.2f} s: "
                   f"{changed}, {summary(result.diagnostics)}.", err=True)
    if result.failed(strict) or (strict and config.warnings):
        if strict and not errors:
            click.echo("Failing because of --strict.", err=True)
        sys.exit(1)


@main.command()
@click.option("--force", is_flag=True, help="Run them even if nothing changed.")
@click.pass_context
def notebooks(ctx: click.Context, force: bool) -> None:
    """Execute the notebooks of notebooks/ that changed and convert them to HTML."""
    from .commands.jobs import notebooks as run_notebooks

    config = _config(ctx)
    _finish_stage("notebooks", run_notebooks(config, force=force, progress=_progress), config)


@main.command()
@click.option("--strict", is_flag=True, help="Treat warnings as errors (exit 1 on any).")
@click.option("--no-cache", is_flag=True, help="Run every block, even if nothing changed.")
@click.option("--no-notebooks", is_flag=True, help="Do not execute the notebooks.")
@click.option("--junit-xml", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write a JUnit XML report here, for CI dashboards.")
@click.option("--add-skips", is_flag=True,
              help="Write a skip annotation, with the reason, above each block that fails today.")
@click.option("--exit-zero", is_flag=True, help="Report everything, but exit 0 (report-only CI).")
@click.option("--shard", metavar="I/N", help=_SHARD_HELP)
@click.option("--a11y", is_flag=True,
              help="Also audit every slide and the course page with axe-core in Chromium "
                   "(WCAG 2.1 AA); needs the [pdf] extra.")
@_verbose_option
@click.argument("decks", nargs=-1, type=_deck_path)
@click.pass_context
def check(ctx: click.Context, strict: bool, no_cache: bool, no_notebooks: bool,
          junit_xml: Path | None, add_skips: bool, exit_zero: bool, shard: str | None, a11y: bool,
          verbose: bool,
          decks: tuple[Path, ...]) -> None:
    """Check the decks: references resolve, Python blocks run, stated counts and shapes hold."""
    from .commands.check import add_skips as write_skips, check as run_check, write_junit
    from .reporting import summary

    config = _config(ctx)
    if add_skips:
        written = write_skips(config, list(decks) or None, use_cache=not no_cache,
                              progress=_progress)
        for note in written:
            click.echo(note.format(config.root), err=True)
        click.echo(f"Added {len(written)} skip annotation{'s' if len(written) != 1 else ''}.",
                   err=True)
    report = _print_diagnostic(config, verbose)
    result = run_check(config, list(decks) or None, use_cache=not no_cache,
                       notebooks=not no_notebooks, report=report, progress=_progress,
                       shard=_shard(shard, decks), a11y=a11y)
    report.finish()
    if junit_xml:
        write_junit(result, junit_xml, config.root)
    errors, warnings = count(result.diagnostics, ERROR), count(result.diagnostics, WARNING)
    blocks = sum(c.name.startswith("block") for c in result.cases)
    slides = sum(c.name.startswith("a11y slide") for c in result.cases)
    pages = sum(c.name == "a11y page" for c in result.cases)
    claims = len(result.cases) - blocks - slides - pages
    cached = f" ({len(result.cached_decks)} from cache)" if result.cached_decks else ""
    audited = (f", audited {slides} slide{'s' if slides != 1 else ''} on {pages} "
               f"page{'s' if pages != 1 else ''}") if a11y else ""
    click.echo(f"Checked {blocks} code blocks and {claims} claims{cached}{audited} in "
               f"{result.seconds:.2f} s: {summary(result.diagnostics)}.", err=True)
    if (errors or (strict and (warnings or config.warnings))) and not exit_zero:
        sys.exit(1)


@main.command()
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="If it is taken, the next free one is used (and said); 0: any free port.")
@click.option("--host", default=None,
              help="0.0.0.0 serves every network this computer is on (a projector PC, a room). "
                   "[default: 127.0.0.1; with --follow, 0.0.0.0]")
@click.option("--open", "open_browser", is_flag=True, help="Open the deck in a browser.")
@click.option("--check", "run_checks", is_flag=True,
              help="Also run a deck's code blocks and claims after each edit (slower).")
@click.option("--follow", is_flag=True,
              help="The room follows the presenter: every window of a deck goes where the window "
                   "opened from the presenter link goes.")
@click.argument("deck", required=False, type=_deck_path)
@click.pass_context
def serve(ctx: click.Context, port: int, host: str | None, open_browser: bool, run_checks: bool,
          follow: bool, deck: Path | None) -> None:
    """Build, serve the output, rebuild on every change and reload the browsers."""
    from .commands.serve import serve as run_serve

    config = _config(ctx)
    if host is None:
        host = "0.0.0.0" if follow else "127.0.0.1"  # the room must reach a follow-mode server
    run_serve(config, host=host, port=port, open_browser=open_browser, deck=deck,
              run_checks=run_checks, follow=follow, log=lambda line: click.echo(line, err=True))


def _shard(text: str | None, decks: tuple[Path, ...]):
    """`--shard I/N`, read; a shard's work is the course's, so it names no deck."""
    if text is None:
        return None
    if decks:
        raise click.UsageError("--shard shares the whole course: name no deck")
    from .shards import parse_shard

    return parse_shard(text)


@main.group()
def cache() -> None:
    """Carry the results of figures, notebooks and checks to another machine (CI shards)."""


@cache.command("export")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.pass_context
def cache_export(ctx: click.Context, file: Path) -> None:
    """Write the cache's current entries, with the files they made, to FILE (.tar.gz)."""
    from .commands.cache import export_cache

    config = _config(ctx)
    counts = export_cache(config, (ctx.find_root().obj or Path.cwd()) / file)
    click.echo(f"Exported {_counted(counts.carried)} to {file}.", err=True)


@cache.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.pass_context
def cache_import(ctx: click.Context, files: tuple[Path, ...]) -> None:
    """Verify the FILES made by `lecture cache export` and take their entries into the cache."""
    from .commands.cache import import_caches

    config = _config(ctx)
    base = ctx.find_root().obj or Path.cwd()
    counts = import_caches(config, [base / file for file in files])
    click.echo(f"Imported {_counted(counts.carried)}; {counts.kept} already here, "
               f"{counts.stale} not current for this course (left out).", err=True)


def _counted(carried: dict[str, int]) -> str:
    words = {"figures": "figure script", "notebooks": "notebook", "check": "checked deck"}
    return ", ".join(f"{number} {words[kind]}{'s' if number != 1 else ''}"
                     for kind, number in carried.items())


def _progress(line: str) -> None:
    click.echo(line, err=True)


def _finish_stage(name: str, result, config) -> None:
    """Report a stage's problems (exit 1 if any), or that it had nothing to do."""
    report = _print_diagnostic(config)
    for diagnostic in result.diagnostics:
        report(diagnostic)
    if not result.ran and not result.diagnostics:
        click.echo(f"{name}: all up to date", err=True)
    if result.diagnostics:
        sys.exit(1)


@main.command()
@click.option("--force", is_flag=True, help="Run the scripts even if their outputs are up to date.")
@click.argument("names", nargs=-1)
@click.pass_context
def figures(ctx: click.Context, force: bool, names: tuple[str, ...]) -> None:
    """Run the figure scripts of figures_src/ (all, or those NAMEd) whose outputs are stale."""
    from .commands.jobs import figures as run_figures

    config = _config(ctx)
    _finish_stage("figures", run_figures(config, list(names) or None, force=force,
                                         progress=_progress), config)


@main.command()
@click.argument("deck", type=_deck_path)
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@click.pass_context
def outline(ctx: click.Context, deck: Path, as_json: bool) -> None:
    """Print the slides of DECK as remark numbers them, with their source lines."""
    from .commands.outline import outline as run_outline

    # The course's configuration: where its macros are, which the deck may use.
    text, diagnostics = run_outline(deck, _config(ctx), ctx.obj, as_json)
    for diagnostic in diagnostics:
        click.echo(diagnostic.format(ctx.obj), err=True)
    if text is not None:
        click.echo(text)
    if any(d.severity == ERROR for d in diagnostics):
        sys.exit(1)


@main.command()
@click.option("--handout", is_flag=True,
              help="Also write <deck>-handout.pdf: the complete slide of each `--` step group.")
@click.option("--notes", is_flag=True, help="Also write <deck>-notes.pdf: each slide above its notes.")
@click.option("--annotated", is_flag=True,
              help="Also write <deck>-annotated.pdf: the slides with the strokes drawn on them "
                   "(slides/<deck>.annotations.json), each blank board after its slide.")
@click.option("--force", is_flag=True, help="Print them even if nothing changed.")
@click.argument("decks", nargs=-1, type=_deck_path)
@click.pass_context
def pdf(ctx: click.Context, handout: bool, notes: bool, annotated: bool, force: bool,
        decks: tuple[Path, ...]) -> None:
    """Print the decks (all, or those named) to build/pdf/<deck>.pdf with Chromium."""
    from .commands.pdf import make_pdfs

    config = _config(ctx)
    modes = ("slides", *(mode for mode, wanted in (("handout", handout), ("notes", notes),
                                                   ("annotated", annotated)) if wanted))
    result = make_pdfs(config, list(decks) or None, modes, progress=_progress,
                       report=_print_diagnostic(config), force=force)
    errors, warnings = count(result.diagnostics, ERROR), count(result.diagnostics, WARNING)
    printed, cached = len(result.printed), len(result.cached)
    pages = f"{result.pages} page{'s' if result.pages != 1 else ''}"
    click.echo(f"Printed {printed} PDF{'s' if printed != 1 else ''} ({pages}) into "
               f"{config.output_dir.name}/pdf/ in {result.seconds:.2f} s: {cached} up to date, "
               f"{errors} error{'s' if errors != 1 else ''}, "
               f"{warnings} warning{'s' if warnings != 1 else ''}.", err=True)
    if errors:
        sys.exit(1)
