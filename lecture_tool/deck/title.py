"""The title layout: a slide of class `title-slide` shows its `title`, `subtitle`, `author`,
`institution`, `date` and `logo` properties, as xaringan and Quarto fill a title slide from YAML.

The block is written into the slide's Markdown at build time, as HTML, and not by the page's
script: the deck file stays plain remark (remark keeps unknown properties and ignores them, so
the deck still opens in remark as it is), and every consumer of the built source (the page,
`lecture serve`'s in-place update, `lecture pdf`) shows the same slide with no extra step.
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass

from .model import Deck, Slide, leading_properties, parse_deck
from .references import Reference

FIELDS = ("title", "subtitle", "author", "institution", "date", "logo")


@dataclass(frozen=True)
class TitleSlide:
    slide: Slide
    values: dict[str, str]  # the FIELDS the block shows, in FIELDS order
    insert_at: int  # offset in the deck's source where the block goes
    lines: dict[str, int]  # the source line of each property the slide writes itself
    leads: bool  # the block comes before the slide's own content (else after it)


def title_slides(deck: Deck) -> list[TitleSlide]:
    """The slides that get the title layout: those that give themselves the class `title-slide`
    and at least one of FIELDS. A `--` step, or a slide whose template or layout gives it the
    class, shows the block of the slide it inherits its content from instead.

    A slide that has a heading of its own is titled by it: its block (subtitle, author, ...)
    follows its content and leaves `title` out, which then only names the deck (its page and
    the course page), as before this layout existed. Otherwise the block leads.
    """
    found, body_starts = [], None
    for slide in deck.slides:
        if slide.continued or "title-slide" not in slide.css_class:
            continue
        own, lines, end = leading_properties(slide.body, slide.start_line)
        if "title-slide" not in _classes(own.get("class", "")):
            continue
        values = {name: slide.properties[name] for name in FIELDS if slide.properties.get(name)}
        leads = not slide.title
        if not leads:
            values.pop("title", None)
        if values:
            body_starts = body_starts or _body_offsets(deck)
            at = body_starts[slide.index] + (end if leads else len(slide.body))
            found.append(TitleSlide(slide, values, at, lines, leads))
    return found


def with_title_blocks(source: str, deck: Deck) -> str:
    """The deck source with each title slide's block after its properties (`source` is the
    deck's own, before any other step changes offsets)."""
    pieces, at = [], 0
    for found in title_slides(deck):
        # A blank line on both sides: Markdown reads an HTML block up to the next blank line.
        pieces += [source[at:found.insert_at], "\n" if found.leads else "\n\n",
                   title_block(found.values)]
        at = found.insert_at
    pieces.append(source[at:])
    return "".join(pieces)


def with_title_layout(deck: Deck) -> Deck:
    """The deck as its page shows it: title slides with their block (parsed again, so that
    the steps after this one read the offsets of the source they change)."""
    if not title_slides(deck):
        return deck
    return parse_deck(with_title_blocks(deck.source, deck), deck.path, deck.macros)


def title_block(values: dict[str, str]) -> str:
    """The block's HTML, one element a line and no blank line: Markdown passes an HTML block
    through untouched up to the next blank line, which the caller's text provides."""
    rows = ['<div class="lecture-title-block">']
    if "logo" in values:
        rows.append(f'<img class="lecture-title-logo" src="{markdown_safe_attribute(values["logo"])}" alt="">')
    if "title" in values:
        # Not an <h1>: the slide's own first heading stays the one remark and the outline name.
        rows.append(f'<div class="lecture-title" role="heading" aria-level="1">{markdown_safe_text(values["title"])}</div>')
    for field in ("subtitle", "author", "institution", "date"):
        if field in values:
            rows.append(f'<div class="lecture-{field}">{markdown_safe_text(values[field])}</div>')
    rows.append("</div>")
    return "\n".join(rows) + "\n"


def logo_references(deck: Deck) -> list[Reference]:
    """A title slide's `logo` is an image reference like any other, checked as the others are:
    it must name a file the output will hold."""
    return [Reference(found.lines.get("logo", found.slide.line), "logo", found.values["logo"])
            for found in title_slides(deck) if found.values.get("logo")]


def _body_offsets(deck: Deck) -> dict[int, int]:
    """Offset in the deck's source where each slide's body begins, by slide index."""
    starts, line_starts = {}, [0] + [m.end() for m in re.finditer("\n", deck.source)]
    for slide in deck.slides:
        # The body begins on its start line, right after the separator (`---`) if there is one.
        line_start = line_starts[slide.start_line - 1]
        found = deck.source.find(slide.body, line_start)
        starts[slide.index] = found if found >= 0 else line_start
    return starts


def _classes(value: str) -> list[str]:
    return [c for c in re.split(r"[\s,]+", value) if c]


def markdown_safe_text(value: str) -> str:
    """Text that remark's lexer, marked and the browser all leave as it is, as HTML."""
    # Besides HTML: remark's lexer reads `[`, `` ` `` and `{{` in Markdown (content classes,
    # code, property variables), so those are written as character references too.
    escaped = html.escape(value, quote=False)
    return (escaped.replace("[", "&#91;").replace("]", "&#93;").replace("`", "&#96;")
            .replace("{", "&#123;").replace("}", "&#125;"))


def markdown_safe_attribute(value: str) -> str:
    """The same, as an attribute's value between double quotes."""
    return markdown_safe_text(value).replace('"', "&quot;")
