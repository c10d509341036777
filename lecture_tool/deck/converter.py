"""remark's converter.js, from a slide's content to the heading elements of its page: what
`lecture outline`, page titles and the course page call a slide's title; and to the whole
slide's HTML, which a deck's text version shows.

converter.js converts each content class's Markdown to HTML with marked (`marked.py`), puts that
HTML in its parent's Markdown and converts the parent; the browser then parses the whole (see
`html_headings.py`). Both halves decide what a heading is, so both are followed: `.left[## Title`
is a heading (the class's Markdown begins with it), `# x` between `<style>` and `</style>` is not
(marked makes an `<h1>` of it, which the browser reads as the style's text).

One step is left out: a one-line class whose HTML is one paragraph is read by the browser and
written back (`innerHTML`) before its parent is converted, which closes what it left open (an
unclosed `<style>` or comment) and drops an end tag with nothing to close; here its HTML is kept
as marked made it.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field

from .html_headings import HeadingParser, closes_paragraph
from .js_regex import S
from .marked import Marked, blocks

_LEADING_SPACE = re.compile(f"^{S}+")  # converter.js: markdown.replace(/^\s+/, '')


@dataclass(frozen=True)
class Heading:
    """A heading element of a slide in remark's page."""
    text: str  # its textContent, white space collapsed: what the slide shows
    markdown: str | None  # what marked made it from (its `raw`, which names its id); None for HTML
    level: int = 1  # the 3 of <h3>


@dataclass
class ContentClass:
    """A content class as parser.js holds it: `.a.b[…]` has the names "a b"; it is a block (a
    `<div>`) when its text holds a line break, else a `<span>`."""
    names: str
    start: int  # where its text begins in the slide's content
    parts: list = field(default_factory=list)  # its text and the classes in it, in order
    block: bool = False


def slide_headings(parts: list, links: Mapping[str, tuple[str, str]], first_only: bool) -> list[Heading]:
    """The heading elements of a slide whose content is `parts` (text and `ContentClass`es), in
    order; with `first_only`, only as much of the slide is converted as settles the first."""
    marked = Marked(links)
    try:
        if first_only and len(parts) > 1 and (settled := _heading_before_classes(parts[0], marked)):
            return settled
        page = HeadingParser()
        markdown = _with_classes_converted(parts, lambda text, span: _converted(text, span, marked))
        for html in marked.html(blocks(_LEADING_SPACE.sub("", markdown))):
            page.feed(html)
            if first_only and page.first_is_complete:
                break
        found = page.close()
    except RecursionError:
        return []  # emphasis nested past Python's stack (hostile input): no heading to name
    return [Heading(element.text, marked.heading_markdown.get(element.id), element.level)
            for element in found]


def converted_html(parts: list, links: Mapping[str, tuple[str, str]]) -> str:
    """The HTML converter.js makes of a slide whose content is `parts`, as marked writes it."""
    markdown = converted_markdown(parts, links)
    return "".join(Marked(links).html(blocks(_LEADING_SPACE.sub("", markdown))))


def converted_markdown(parts: list, links: Mapping[str, tuple[str, str]]) -> str:
    """The Markdown converter.js gives marked for a slide whose content is `parts`: its text,
    each content class in it converted to HTML already."""
    marked = Marked(links)
    return _with_classes_converted(parts, lambda text, span: _converted(text, span, marked))


def _converted(markdown: str, span: bool, marked: Marked) -> str:
    """A content class's HTML, as convertMarkdown makes it."""
    made = list(blocks(_LEADING_SPACE.sub("", markdown)))
    shown = [block for block in made if block.kind != "space"]
    if span and len(shown) == 1 and shown[0].kind == "paragraph":
        # A span class whose HTML is one <p> (the browser's only element child) keeps only
        # what the <p> holds.
        inner = marked.inline(shown[0].text)
        if not closes_paragraph(inner):
            return inner
    return "".join(marked.html(made))


def _with_classes_converted(parts: list, converted: Callable[[str, bool], str]) -> str:
    """converter.js's Markdown for `parts`: their text, each content class in it converted to
    HTML first (`converted(markdown, span)`) and wrapped in its `<div>` or `<span>`. Classes
    nest a thousand deep in hostile decks: an explicit stack, not recursion."""
    frames: list[tuple[Iterator, list[str], ContentClass | None]] = [(iter(parts), [], None)]
    while True:
        items, pieces, current = frames[-1]
        part = next(items, None)
        if isinstance(part, str):
            pieces.append(part)
        elif part is not None:
            frames.append((iter(part.parts), [], part))
        else:
            frames.pop()
            if current is None:
                return "".join(pieces)
            tag = "div" if current.block else "span"
            html = converted("".join(pieces), not current.block)
            frames[-1][1].append(f'<{tag} class="{current.names}">{html}</{tag}>')


def _heading_before_classes(text: str | ContentClass, marked: Marked) -> list[Heading]:
    """The first heading when the text before the slide's first content class settles it, so
    that no class need be converted (each class's HTML is read again at every level above it: a
    thousand nested classes are half a million tags read). It does when that text holds no HTML
    and no code fence, whose blocks text further on could change, and the heading's block ends
    before that text does (or is a heading line, which its line break ends)."""
    if not isinstance(text, str) or "<" in text or "```" in text or "~~~" in text:
        return []
    page = HeadingParser()
    made = blocks(_LEADING_SPACE.sub("", text))
    block = next(made, None)
    while block is not None:
        following = next(made, None)
        page.feed("".join(marked.html([block])))
        if page.first_is_complete:
            if following is None and not (block.kind == "heading" and text.endswith("\n")):
                return []
            first = page.close()[0]
            return [Heading(first.text, marked.heading_markdown.get(first.id), first.level)]
        block = following
    return []
