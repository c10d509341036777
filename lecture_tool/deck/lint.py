"""A deck's problems that need no code run: its parse, its references (the title slide's logo
among them), its notebook mentions, every formula rendered by KaTeX, its claims and inline
values of what figures and notebooks recorded, and its accessibility. `lecture build` and
`lecture check` both report them."""
from __future__ import annotations

from ..assets import KATEX_JS
from ..config import Config
from ..diagnostics import Diagnostic
from ..layout import cache_dir
from ..values import Values
from .accessibility import ImageFacts, accessibility_problems
from .katex import formula_problems
from .mentions import mention_problems
from .model import Deck
from .numbers import check_recorded
from .references import check_references
from .title import logo_references


def lint_deck(deck: Deck, config: Config, available: set[str], notebooks: frozenset[str],
              values: Values, images: ImageFacts = ImageFacts()) -> list[Diagnostic]:
    """`available`: what the output will hold (`layout.output_targets`); `notebooks`: the
    course's notebooks, by name; `values`: what figures and notebooks recorded; `images`: what
    the accessibility rules need to know of the figures, the GIFs and the page script."""
    names = (config.output_dir.name, config.slides_dir.name)
    return (deck.diagnostics
            + check_references(deck, available, *names)
            + check_references(deck, available, *names, logo_references(deck))
            + mention_problems(deck, notebooks, config)
            + formula_problems(deck, config.node_modules / KATEX_JS, cache_dir(config))
            + check_recorded(deck, values)
            + accessibility_problems(deck, images, config.root))
