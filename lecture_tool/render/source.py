"""The deck's source as its page gives it to remark: a chain of small steps, each
`(source, page) -> source`, as nbconvert chains its preprocessors. The deck file is never
changed; only the page's copy is.
"""
from __future__ import annotations

import dataclasses
import html
import json
import re
from dataclasses import dataclass

from ..deck import Deck, headings
from ..deck.annotations import strip_annotations
from ..deck.mentions import link_mentions
from ..deck.numbers import INLINE_VALUE, formatted, inline_value
from ..deck.regions import find_math, markdown_regions, unescaped
from ..deck.title import with_title_layout
from ..values import Values


@dataclass(frozen=True)
class Page:
    """What the steps that prepare a deck's source may need to know."""
    deck: Deck
    notebooks: frozenset[str] = frozenset()  # the course's notebooks, by name
    values: Values = dataclasses.field(default_factory=dict)  # what figures and notebooks recorded
    # How many times remark's Markdown reads the text at hand: once, and once more for each
    # content class around it whose HTML remark converts again (see `_markdown_passes`).
    markdown_passes: int = 1


def prepare_source(deck: Deck, notebooks: frozenset[str] = frozenset(),
                   values: Values | None = None) -> str:
    """The deck source as the page gives it to remark: each of SOURCE_STEPS in turn, as
    nbconvert chains its preprocessors."""
    deck = with_title_layout(deck)  # first: the steps below read offsets into its source
    page, source = Page(deck, notebooks, values or {}), deck.source
    for step in SOURCE_STEPS:
        source = step(source, page)
    return source


def rewrite_markdown_text(source: str, page: Page) -> str:
    """Apply TEXT_STEPS to every region that remark's lexer and Markdown both treat as text.

    Code, fences and inline code are left as they are, so remark finds the same slides as in the
    original. A region runs on across the lexer's tokens wherever Markdown reads on: remark's
    lexer calls every 4-space-indented line code, but Markdown reads one that continues a
    paragraph or a list item (`    - $f(x)$`, `      &= c \\\\`) as text, math included. This step
    reads the deck's own tokens, so it comes first.
    """
    regions = markdown_regions(page.deck)
    pieces, at = [], 0
    for start, end, times in regions:
        rewritten = source[start:end]
        for step in TEXT_STEPS:
            rewritten = step(rewritten, dataclasses.replace(page, markdown_passes=times))
        pieces += [source[at:start], rewritten]
        at = end
    pieces.append(source[at:])
    return "".join(pieces)


def link_notebook_mentions(text: str, page: Page) -> str:
    """A bare `name.ipynb` of one of the course's notebooks becomes a link to its page."""
    return link_mentions(text, page.notebooks) if ".ipynb" in text else text


def math_to_spans(text: str, page: Page) -> str:
    """Each `$…$`/`$$…$$` becomes an HTML span that KaTeX renders in the page.

    remark's Markdown would read `*` and `_` inside math as emphasis (gnab/remark#336). The TeX
    goes into an attribute, which marked passes through untouched.
    """
    return _replace_math(text, page.markdown_passes) if "$" in text else text


def show_recorded_values(source: str, page: Page) -> str:
    """Each `<!-- value: figure("x").key:FORMAT -->text<!-- /value -->` becomes the recorded
    value, formatted; one that cannot be shown keeps its text (the build reported why)."""
    if "value:" not in source:
        return source

    def shown(match: re.Match) -> str:
        parsed = inline_value(match)
        value, missing = parsed.reference.look_up(page.values) if parsed.reference else (None, "")
        if missing is not None:
            return match.group("fallback")
        try:
            return html.escape(formatted(value, parsed.format), quote=False)
        except (ValueError, TypeError):
            return match.group("fallback")
    return INLINE_VALUE.sub(shown, source)


def strip_check_annotations(source: str, page: Page) -> str:
    """`<!-- check: ... -->` comments are for `lecture check`, not for the audience."""
    return strip_annotations(source)


# Applied to each Markdown text region of a deck, in order.
TEXT_STEPS = (link_notebook_mentions, math_to_spans)
# Applied to the whole source, in order.
SOURCE_STEPS = (rewrite_markdown_text, strip_check_annotations, show_recorded_values)


def _replace_math(text: str, markdown_passes: int = 1) -> str:
    out, at = [], 0
    for start, end, display in find_math(text):
        width = 2 if display else 1
        tex = unescaped(text[start + width:end - width], markdown_passes)
        attribute = html.escape(tex, quote=True).replace("\n", "&#10;")
        kind = "lecture-math display" if display else "lecture-math"
        out.append(text[at:start])
        out.append(f'<span class="{kind}" data-tex="{attribute}"></span>')
        at = end
    out.append(text[at:])
    return "".join(out)


def heading_ids(deck: Deck) -> dict[str, str]:
    """For each heading whose id our page changes, that id and the one remark gives it.

    marked names a heading `raw.toLowerCase().replace(/[^\\w]+/g, '-')`, from its Markdown; the
    math spans the page puts in its place would name `# $k$ nearest neighbours`
    `-span-class-lecture-math-…` instead of `-k-nearest-neighbours`. The page renames them.
    """
    ids = {}
    for slide in (*deck.layouts, *deck.slides):
        if "$" not in slide.content:
            continue  # most slides: no need to work out their headings (remark's whole conversion)
        for heading in headings(slide.content, slide.links, slide.properties):
            raw = heading.markdown
            if raw and "$" in raw and (ours := _slug(_replace_math(raw))) != (theirs := _slug(raw)):
                ids[ours] = theirs
    return ids


def _slug(raw: str) -> str:
    return re.sub(r"[^A-Za-z0-9_]+", "-", raw.lower())


def json_for_script(value) -> str:
    """JSON that is safe inside <script>: no `</script>`, no `<!--`, whatever the deck says."""
    text = json.dumps(value, ensure_ascii=False, indent=None)
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


