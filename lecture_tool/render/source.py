"""The deck's source as its page gives it to remark: a chain of small steps, each
`(source, page) -> source`, as nbconvert chains its preprocessors. The deck file is never
changed; only the page's copy is.
"""
from __future__ import annotations

import bisect
import dataclasses
import html
import json
import re
from dataclasses import dataclass

from ..deck import Deck, headings
from ..deck.accessibility import ImageFacts, alt_text_edits
from ..deck.annotations import strip_annotations
from ..deck.marked import heading_id
from ..deck.mentions import link_mentions
from ..deck.numbers import INLINE_VALUE, formatted, inline_value
from ..deck.regions import Formula, find_math, formulas, markdown_regions, unescaped
from ..deck.title import with_title_layout
from ..values import Values


@dataclass(frozen=True)
class Page:
    """What the steps that prepare a deck's source may need to know."""
    deck: Deck
    notebooks: frozenset[str] = frozenset()  # the course's notebooks, by name
    values: Values = dataclasses.field(default_factory=dict)  # what figures and notebooks recorded
    images: ImageFacts = ImageFacts()  # the figures' alternative text, among others


def prepare_source(deck: Deck, notebooks: frozenset[str] = frozenset(),
                   values: Values | None = None, images: ImageFacts = ImageFacts()) -> str:
    """The deck source as the page gives it to remark: each of SOURCE_STEPS in turn, as
    nbconvert chains its preprocessors."""
    deck = with_title_layout(deck)  # first: the steps below read offsets into its source
    page, source = Page(deck, notebooks, values or {}, images), deck.source
    for step in SOURCE_STEPS:
        source = step(source, page)
    return source


def rewrite_markdown_text(source: str, page: Page) -> str:
    """Each formula becomes an HTML span that KaTeX renders in the page, each bare mention of
    one of the course's notebooks (`name.ipynb`) a link to its page, where remark shows text,
    and each image of a figure that a slide shows without alternative text gets the text its
    script declares (a background its `background-alt:`, for screen readers).

    remark's Markdown would read `*` and `_` inside math as emphasis (gnab/remark#336): the TeX
    goes into an attribute, which marked passes through untouched. Code, fences and inline code
    are left as they are, so remark finds the same slides as in the original. This step reads
    offsets into the deck's own source, so it comes first, and all its edits are made at once.
    """
    edits = alt_text_edits(page.deck, page.images)
    for formula in formulas(page.deck):
        if formula.joins is None:
            edits.append((formula.start, formula.end, _math_span(formula)))
        else:  # the step before shows its `$` as remark does; the page drops it in this step
            head_end, own_start = formula.joins
            edits += [(formula.start, head_end, '<span class="lecture-math-head">'
                       f"{source[formula.start:head_end]}</span>"),
                      (own_start, formula.end, _math_span(formula))]
    if page.notebooks and ".ipynb" in source:
        # The other edits cut the text mentions are looked for in: none overlaps another.
        edits += _mention_links(page.deck, sorted(edits), page.notebooks)
    pieces, at = [], 0
    for start, end, replacement in sorted(edits):
        pieces += [source[at:start], replacement]
        at = end
    pieces.append(source[at:])
    return "".join(pieces)


def _math_span(formula: Formula) -> str:
    attribute = html.escape(formula.tex, quote=True).replace("\n", "&#10;")
    kind = "lecture-math display" if formula.display else "lecture-math"
    joined = " data-joined" if formula.joins else ""
    return f'<span class="{kind}" data-tex="{attribute}"{joined}></span>'


def _mention_links(deck: Deck, math: list[tuple[int, int, str]], notebooks: frozenset[str]):
    """Edits that link mentions in the text Markdown reads (not in raw HTML, not in math)."""
    starts = [start for start, _, _ in math]
    for start, end, passes in markdown_regions(deck):
        if passes == 0:
            continue
        at = start
        for index in range(bisect.bisect_left(starts, start), len(math)):
            if math[index][0] >= end:
                break
            yield from _linked(deck.source, at, math[index][0], notebooks)
            at = math[index][1]
        yield from _linked(deck.source, at, end, notebooks)


def _linked(source: str, start: int, end: int, notebooks: frozenset[str]):
    text = source[start:end]
    if ".ipynb" in text and (linked := link_mentions(text, notebooks)) != text:
        yield start, end, linked


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


# Applied to the whole source, in order.
SOURCE_STEPS = (rewrite_markdown_text, strip_check_annotations, show_recorded_values)


def _replace_math(text: str) -> str:
    """A heading's Markdown with its formulas as the page's spans (for their ids)."""
    out, at = [], 0
    for start, end, display in find_math(text):
        width = 2 if display else 1
        tex = unescaped(text[start + width:end - width], 1)
        out += [text[at:start], _math_span(Formula(0, tex, display, start, end))]
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
            if raw and "$" in raw and (ours := heading_id(_replace_math(raw))) != (theirs := heading_id(raw)):
                ids[ours] = theirs
    return ids


def json_for_script(value) -> str:
    """JSON that is safe inside <script>: no `</script>`, no `<!--`, whatever the deck says."""
    text = json.dumps(value, ensure_ascii=False, indent=None)
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


