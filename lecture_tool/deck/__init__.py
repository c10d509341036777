"""The deck model, and everything that reads a deck: its Markdown regions and formulas, its code
blocks and claims (annotations), its notebook mentions, its title layout and its references.

Only the model is imported here: `import lecture_tool.deck` stays as light as the parser.
"""
from .model import Deck, DeckError, Slide, Token, first_heading, headings, parse_deck, read_deck

__all__ = ["Deck", "DeckError", "Slide", "Token", "first_heading", "headings",
           "parse_deck", "read_deck"]
