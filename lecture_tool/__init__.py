"""lecture: Remark.js lecture decks whose code is real."""

try:
    # Written by the build (hatch-vcs) from the git tag: see pyproject.toml.
    from ._version import __version__
except ImportError:  # a checkout used through PYTHONPATH, never built or installed
    __version__ = "0.0.0.dev0"
