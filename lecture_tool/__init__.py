"""lecture: Remark.js lecture decks whose code is real."""

try:
    # Written by the build (hatch_build.py) with the version hatch-vcs read from the git tag.
    from ._version import __version__
except ImportError:  # a checkout used through PYTHONPATH, never built or installed
    __version__ = "0.0.0.dev0"
