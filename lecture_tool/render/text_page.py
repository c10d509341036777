"""A deck's text version (`<stem>-text.html`): every slide once, in order, as one page to read
with a screen reader, to search, to zoom or to print; each slide's presenter notes after it.

Each `--` step group is shown once, as its last step shows it (the complete slide). The slide's
HTML is what remark's converter makes of the page's own copy of the deck (`deck.slide_html`,
the same port of marked the titles use), so it says what the slide says; its formulas are
rendered by KaTeX at build time, MathML included; its first heading becomes the section's `h2`
under the deck's `h1`, and its other headings move below it, keeping their order without
skipping a level. A slide without a heading is called "Slide N". Each section links to its
slide in the deck.
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass
from pathlib import Path

from ..deck import Deck, parse_deck
from ..deck.accessibility import scale_alt
from ..deck.katex import rendered_formulas
from ..deck.model import Slide, last_steps, slide_html

# The spans render/source.py puts where a formula is; their TeX is an escaped attribute.
_MATH = re.compile(r'<span class="lecture-math( display)?" data-tex="([^"]*)"( data-joined)?></span>')
# A formula opened in the step before shows its `$` there (a head); lecture.js drops the head
# where the formula's own span says it is joined, as here.
_JOINED_HEAD = re.compile(r'<span class="lecture-math-head">[^<]*</span>(?=\s*<span class="lecture-math'
                          r'(?: display)?" data-tex="[^"]*" data-joined>)')
_HEADING = re.compile(r"<(h[1-6])\b([^>]*)>(.*?)</\1\s*>", re.S | re.I)
_ID = re.compile(r"""\s+id\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]+)""", re.I)
# The title layout's title (deck/title.py), a heading to assistive technology.
_TITLE_BLOCK_HEADING = re.compile(r'<div class="lecture-title" role="heading" aria-level="1">(.*?)</div>', re.S)


@dataclass(frozen=True)
class TextSlide:
    """One slide of the text version."""
    number: int  # its place in the deck page's URL (`#number`): remark's index + 1
    title_html: str  # the section's heading: the slide's first heading, or "Slide N"
    html: str  # the rest of the slide
    notes_html: str  # its presenter notes, "" without


def text_slides(deck: Deck, page_source: str, katex_js: Path, cache_dir: Path) -> list[TextSlide]:
    """The slides of the text version. `page_source`: the deck's source as its page gives it
    to remark (render/source.py's `prepare_source`: the title layout, the formulas as spans,
    notebook links, recorded values)."""
    shown = parse_deck(page_source, deck.path, deck.macros)
    own = deck.macros.course_names
    converted = [(slide, _html(slide.content, slide, own),
                  _html(slide.notes, slide, own) if slide.has_notes else "")
                 for slide in last_steps(shown.slides)]
    formulas = [(html.unescape(tex), bool(display)) for _, content, notes in converted
                for found in (content, notes) for display, tex, _ in _MATH.findall(found)]
    rendered = iter(rendered_formulas(formulas, katex_js, cache_dir))
    slides = []
    for slide, content, notes in converted:
        content, notes = (_with_math(text, rendered) for text in (content, notes))
        title, rest = _title(content)
        slides.append(TextSlide(slide.index + 1, title or f"Slide {slide.index + 1}",
                                _headings_below(rest, 3), _headings_below(notes, 4)))
    return slides


def _html(markdown: str, slide: Slide, course_macros: frozenset[str]) -> str:
    def macro(name: str, args: list[str], address: str | None) -> str:
        return _as_written(name, args, address) if name in course_macros else _macro(name, args, address)

    try:
        made = slide_html(markdown, slide.links, slide.properties, macro)
    except RecursionError:  # emphasis nested past Python's stack (a hostile deck): its text as written
        return f'<pre class="text-slide-source">{html.escape(markdown)}</pre>\n'
    return _JOINED_HEAD.sub("", made)


def _macro(name: str, args: list[str], address: str | None) -> str:
    """What remark's own macros and lecture's `scale` make; a course's macros (templates/macros.js)
    run only in the page, so the text shows them as written."""
    if name == "scale" and address is not None:
        alt = scale_alt(args) or ""
        return (f'<img src="{html.escape(address)}" alt="{html.escape(alt)}" style="width: '
                f'{html.escape(args[0] if args else "")}">')
    if name == "hello":
        return "hello!"
    return _as_written(name, args, address)


def _as_written(name: str, args: list[str], address: str | None) -> str:
    shown = f"![:{name} {', '.join(args)}]" if any(args) else f"![:{name}]"
    return shown + (f"({address})" if address is not None else "")


def _with_math(text: str, rendered) -> str:
    return _MATH.sub(lambda found: next(rendered), text)


def _title(content: str) -> tuple[str, str]:
    """The slide's first heading's HTML, and the content without it ("" and the content when
    it has none). A title block's title counts when the slide has no heading of its own."""
    found = _HEADING.search(content) or _TITLE_BLOCK_HEADING.search(content)
    if found is None:
        return "", content
    title = found.group(found.lastindex).strip()
    return title, content[:found.start()] + content[found.end():]


def _headings_below(content: str, top: int) -> str:
    """Headings from level `top` down, in the order of their own levels, none skipped: a slide's
    h2 and h4 become h3 and h4 under a top of 3. Their ids go: a heading repeated over several
    slides would give the page one id twice."""
    levels = sorted({int(found.group(1)[1]) for found in _HEADING.finditer(content)})
    moved = {level: f"h{min(6, top + rank)}" for rank, level in enumerate(levels)}

    def heading(found: re.Match) -> str:
        tag = moved[int(found.group(1)[1])]
        return f"<{tag}{_ID.sub('', found.group(2))}>{found.group(3)}</{tag}>"
    return _HEADING.sub(heading, content)

