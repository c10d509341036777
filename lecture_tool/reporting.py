"""How `build` and `check` print their problems, and the line that sums them up.

Each problem is printed as it is found, except the warnings that a file is missing: a deck
written before its images exist names a hundred of them, and the errors would scroll away
among them. Those are held and printed at the end, one line per missing file with how often
and where it is used; `verbose` prints every one as it is found instead.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from .diagnostics import ERROR, WARNING, Diagnostic, count, display_path

SHOWN_LINES = 3  # the first uses of a missing file a grouped line lists


class Reporter:
    """`report(diagnostic)` for a stage; `finish()` once it is done."""

    def __init__(self, root: Path, echo: Callable[[str], None], verbose: bool = False,
                 annotate: bool = False):
        self.root, self.echo, self.verbose, self.annotate = root, echo, verbose, annotate
        self.held: dict[str, list[Diagnostic]] = {}  # by missing file, in the order first met

    def __call__(self, diagnostic: Diagnostic) -> None:
        if self.annotate:  # GitHub shows each at its line in a pull request: all of them
            self.echo(diagnostic.github_annotation(self.root))
        if diagnostic.missing and not self.verbose:
            self.held.setdefault(diagnostic.missing, []).append(diagnostic)
        else:
            self.echo(diagnostic.format(self.root))

    def finish(self) -> None:
        for uses in self.held.values():
            self.echo(grouped_line(uses, self.root))
        self.held.clear()


def grouped_line(uses: list[Diagnostic], root: Path | None = None) -> str:
    """The first use of a missing file as `path:line: severity: message`, then how many uses
    there are and the lines of the next few."""
    first = uses[0]
    if len(uses) == 1:
        return first.format(root)
    others = [use.line if use.path == first.path else f"{display_path(use.path, root)}:{use.line}"
              for use in uses[1:SHOWN_LINES + 1]]
    more = len(uses) - 1 - len(others)
    listed = ", ".join(map(str, others)) + (f" and {more} more" if more else "")
    return f"{first.format(root)} ({len(uses)} uses; also line{'s' if len(uses) > 2 else ''} " \
           f"{listed}; -v lists each)"


def summary(diagnostics: Iterable[Diagnostic]) -> str:
    """"2 errors, 141 warnings (131 of them about 3 missing files)": errors first, always; the
    part in brackets when some warnings were said as one line (a file missing more than once)."""
    diagnostics = list(diagnostics)
    errors, warnings = count(diagnostics, ERROR), count(diagnostics, WARNING)
    text = f"{errors} error{'s' if errors != 1 else ''}, {warnings} warning{'s' if warnings != 1 else ''}"
    missing = [d for d in diagnostics if d.missing and d.severity == WARNING]
    files = len({d.missing for d in missing})
    if len(missing) > files:
        text += f" ({len(missing)} of them about {files} missing file{'s' if files != 1 else ''})"
    return text
