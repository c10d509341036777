"""lecture: Remark.js lecture decks whose code is real."""

__version__ = "0.1.0"
