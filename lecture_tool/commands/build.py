"""`lecture build`: the no-op shortcut, then figures ∥ notebooks, then the pages, then the
configured PDFs, then the manifest that makes the next unchanged build a no-op.

Each deck is built on its own: a problem in one is reported and the others are still built.
`lecture serve` builds with `keep_last_good` (a deck with errors keeps its last page, and no
PDF is printed: a PDF per keystroke would cost seconds); `lecture pdf` builds stale pages with it.
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable

from .. import manifest
from ..config import Config
from ..diagnostics import Collector, Diagnostic
from ..shards import Shard
from .build_result import BuildResult


def build(config: Config, only: list[Path] | None = None,
          report: Callable[[Diagnostic], None] | None = None,
          progress: Callable[[str], None] = lambda line: None, figures: bool = True,
          notebooks: bool = True, keep_last_good: bool = False, force: bool = False,
          shard: Shard | None = None) -> BuildResult:
    """Build the course (or only the decks named) and return what happened.

    A whole build that nothing could have changed since the last one (manifest.py) says again
    what that one said and stops there: nothing is imported, parsed or started for it. With
    `shard`, only that shard's figure scripts and notebooks are made (shares.py), and no page."""
    note = Collector(report)
    if shard is not None:
        from . import build_steps as steps
        from .shares import share_of

        manifest.forget(config)
        return steps.build_share(config, share_of(config, shard), force, progress, note)
    whole = only is None and figures and notebooks and not keep_last_good
    previous, seen = manifest.read(config), {}
    if whole and not force and (replay := manifest.unchanged(config, previous, seen)) is not None:
        note.extend(replay.diagnostics)
        return BuildResult(diagnostics=note.found, decks=replay.decks, slides=replay.slides,
                           by_page=replay.by_page, seconds=note.seconds())
    manifest.forget(config)
    # Past the shortcut only: the stages' imports (Jinja2, markdown-it, QuickJS, subprocess) are
    # most of the time of a no-op build that needed them (bench_course: 0.09 s without, 0.25 s with).
    from . import build_steps as steps

    result = BuildResult(diagnostics=note.found)
    # The figure scripts, read once: the snapshot needs the inputs they declare, the jobs the rest.
    scripts = steps.discover(config) if whole or figures else None
    began = manifest.snapshot(config, previous, steps.figure_inputs(scripts[0]), seen) if whole else None
    if not steps.output_is_a_directory(config, note):
        return result
    out = steps.Output(config, note, result.written)
    for edited in manifest.edited_outputs(config, previous, steps.job_directories(config, figures, notebooks)):
        edited.unlink(missing_ok=True)  # its script or notebook makes it again, just below
    figure_outputs = steps.run_jobs(config, scripts if figures else None, notebooks, force, progress, out)
    if not steps.copy_assets(config, out):
        result.seconds = note.seconds()
        return result
    plan = steps.plan_pages(config, only, figure_outputs, scripts[0] if scripts else None, out)
    entries = steps.write_pages(config, plan, keep_last_good, out, result)
    steps.write_annotation_scripts(config, plan, out)
    if config.pdf and not keep_last_good:
        # The course page links the PDFs there are, so they come first.
        entries = steps.print_configured_pdfs(config, plan, entries, result, progress, out)
    steps.write_course_page(config, steps.link_annotated_pdfs(config, plan, entries), out)
    if began is not None:
        manifest.record(config, began, previous, result.decks, result.slides,
                        result.diagnostics, result.by_page)
    result.seconds = note.seconds()
    return result
