"""The deck's source as remark's Markdown reads it: which stretches are text (not code), how
many times each is read, and the formulas in them. The page's math, the build's KaTeX check and
its leftover-delimiter warning all read these regions, worked out once per deck.
"""
from __future__ import annotations

import bisect
import html
import re
from collections.abc import Iterator
from dataclasses import dataclass

from . import marked
from .html_headings import TAG
from .model import PROPERTY, Deck, Token, leading_properties, slide_markdown



class Mapped:
    """A string and, for each of its characters, where it came from (an index into the text
    the lexing began with; -1 for characters that came from nowhere)."""

    __slots__ = ("text", "origin")

    def __init__(self, text: str, origin: list[int]):
        self.text, self.origin = text, origin

    def __getitem__(self, part: slice) -> "Mapped":
        return Mapped(self.text[part], self.origin[part])

    def __add__(self, other: "Mapped") -> "Mapped":
        return Mapped(self.text + other.text, self.origin + other.origin)

    @staticmethod
    def joined(parts: list) -> "Mapped":
        """Mapped strings, and `(text, start)` pairs (a stretch of the deck's source from
        `start`; -1: from nowhere), one after another. A deck's text is held as pairs until it
        is joined: a deck of 25,000 tokens would otherwise hold as many lists of offsets, and
        Python's garbage collector, which walks every list, would grow faster than the deck."""
        texts, origin = [], []
        for part in parts:
            if isinstance(part, tuple):
                text, start = part
                origin.extend(range(start, start + len(text)) if start >= 0 else [-1] * len(text))
            else:
                text = part.text
                origin.extend(part.origin)
            texts.append(text)
        return Mapped("".join(texts), origin)

    def lstripped(self) -> "Mapped":
        """Without its leading white space (JavaScript's `replace(/^\\s+/, '')`)."""
        return self[len(self.text) - len(self.text.lstrip()):]

    def rstripped(self) -> "Mapped":
        """Without its trailing line breaks."""
        return self[:len(self.text.rstrip("\n"))]

    def dropping(self, offsets: list[int]) -> "Mapped":
        """The string without the characters at these (ascending) offsets."""
        if not offsets:
            return self
        edges = [-1, *offsets, len(self.text)]
        keep = [(a + 1, b) for a, b in zip(edges, edges[1:])]
        return Mapped("".join(self.text[a:b] for a, b in keep),
                      [i for a, b in keep for i in self.origin[a:b]])


# What marked makes of a block: Markdown text, raw HTML passed through, code.
TEXT, RAW, CODE = 1, 2, 3
_KINDS = {"heading": TEXT, "paragraph": TEXT, "text": TEXT, "table": TEXT, "html": RAW, "code": CODE}


def _leaves(markdown: Mapped) -> list[tuple[int, Mapped]]:
    """(kind, characters) of each block marked reads in `markdown` that shows something,
    quotes and list items opened; consecutive `text` lines (a list item's) are one text, as
    marked's parser joins them, with the line break between them."""
    leaves: list[tuple[int, list[int]]] = []  # (kind, positions in `markdown`)
    joins = False  # the last leaf is a `text` line that a next one joins
    stack = [iter(marked.blocks(markdown.text, list(range(len(markdown.text)))))]
    while stack:
        block = next(stack[-1], None)
        if block is None:
            stack.pop()
            continue
        if block.kind == "blockquote":
            stack.append(iter(block.children))
        elif block.kind == "list":
            stack.append(iter([b for _, item in block.items for b in item]))
        if block.kind not in _KINDS:
            joins = False
            continue
        if block.kind == "text" and joins:
            positions = leaves[-1][1]
            positions += [positions[-1] + 1, *block.origin]
        else:
            leaves.append((_KINDS[block.kind], list(block.origin)))
        joins = block.kind == "text"
    return [(kind, Mapped("".join(markdown.text[i] for i in positions), [markdown.origin[i] for i in positions]))
            for kind, positions in leaves]


def markdown_regions(deck: Deck) -> list[tuple[int, int, int]]:
    """(start, end, passes) of each stretch of the deck's source that remark shows as text (not
    code, not inside an HTML comment or a `<pre>`, `<style>`, ... element), with the number of
    times its Markdown reads it: once per level of conversion that reads it as text (a content
    class is converted, then read again inside its parent), 0 inside an HTML block, which marked
    passes through raw. See `_conversion_levels`.

    Worked out once per deck: the build's checks (formulas, leftover delimiters) and its page
    read the same regions."""
    known = deck.derived.get("markdown_regions")
    if known is not None:
        return known
    levels = _conversion_levels(deck)
    hidden = levels.code
    _hide_unrendered_elements(deck.source, levels.shown, hidden)
    regions: list[tuple[int, int, int]] = []  # tuples: the garbage collector soon stops walking them
    start, last = -1, -1  # the region's first and last character shown: it runs on over what
    # marked took out between (a list item's indentation, a quote's `>`), never over what it
    # hides (code, comments)
    passes, block = levels.passes, levels.block
    for at, is_shown in enumerate(levels.shown):
        if hidden[at]:
            if start >= 0:
                regions.append((start, last + 1, passes[start]))
            start = last = -1
            continue
        if not is_shown:
            continue
        if start >= 0 and (passes[start] != passes[at] or block[last] != block[at]):
            regions.append((start, last + 1, passes[start]))
            start = -1
        if start < 0:
            start = at
        last = at
    if start >= 0:
        regions.append((start, last + 1, passes[start]))
    deck.derived["markdown_regions"] = regions
    deck.derived["shown"] = levels.shown
    return regions


@dataclass(frozen=True)
class Formula:
    line: int  # where it starts in the deck
    tex: str  # as KaTeX gets it: remark's backslash escapes applied, entities decoded
    display: bool
    start: int  # offsets of the formula in the deck's source, delimiters included
    end: int
    # A formula that only closes in the `--` step below: where the step before ends and where
    # this step's own text begins (remark glues the two lines; the step before shows the `$`).
    joins: tuple[int, int] | None = None


def formulas(deck: Deck) -> list[Formula]:
    """Every formula the page renders, where it stands, in source order."""
    known = deck.derived.get("formulas")
    if known is not None:
        return known
    found: list[Formula] = []
    regions = markdown_regions(deck)
    joins = _step_joins(deck, regions)
    unclosed: dict[int, Mapped] = {}  # what each region ends with after its last formula
    for index, (start, end, passes) in enumerate(regions):
        before = joins.get(index)
        if before is None and "$" not in deck.source[start:end]:
            unclosed[index] = _unmapped("")
            continue
        seen = _as_seen(deck, start, end, passes)
        if before is not None:  # read glued to the end of the step before, as remark reads it
            head = unclosed[before]
            seen, own_from = head + seen, len(head.text)
        else:
            own_from = 0
        last = 0
        for at, close, display in _math_in(seen.text, raw=passes == 0):
            last = close
            if close <= own_from:
                continue  # the step before's own
            width = 2 if display else 1
            found.append(Formula(deck.line_of(seen.origin[at]), _decoded(seen.text[at + width:close - width]),
                                 display, seen.origin[at], seen.origin[close - 1] + 1,
                                 (regions[before][1], start) if at < own_from else None))
        unclosed[index] = seen[last:]
    deck.derived["formulas"] = found
    return found


def _math_in(text: str, raw: bool) -> list[tuple[int, int, bool]]:
    """`find_math` as the page's text reads: in raw HTML, the browser makes each tag an
    element, and a formula cannot reach past one (auto-render reads one text at a time)."""
    if not raw:
        return find_math(text)
    spans, at = [], 0
    for tag in [*TAG.finditer(text), None]:
        end = tag.start() if tag else len(text)
        spans += [(a + at, b + at, d) for a, b, d in find_math(text[at:end], paragraphs=False)]
        at = tag.end() if tag else end
    return spans


def _step_joins(deck: Deck, regions: list[tuple[int, int, int]]) -> dict[int, int]:
    """For each region that a `--` step begins with and that remark glues to the last line of
    the step before (no line break on either side of the `--`), the index of the region that
    step ends with, when both are read alike."""
    ends = {end: index for index, (_, end, _) in enumerate(regions)}
    starts = {start: index for index, (start, _, _) in enumerate(regions)}
    joins, notes = {}, False
    for token in deck.tokens:
        if token.kind == "notes":
            notes = True  # the step before ends with its notes, which nothing glues to
        elif token.kind != "separator":
            continue
        elif token.text == "--" and not notes and token.start in ends and token.end in starts \
                and deck.source[token.start - 1] != "\n" and deck.source[token.end] != "\n":
            before, after = ends[token.start], starts[token.end]
            if regions[before][2] == regions[after][2]:
                joins[after] = before
        if token.kind == "separator":
            notes = False
    return joins


def leftover_delimiters(deck: Deck) -> list[tuple[int, str]]:
    """(line, what) of `$$`, and of `$` before TeX (`$\\alpha`, `${`), that no formula takes:
    the slide shows them as they are."""
    taken = formulas(deck)  # in order, not overlapping
    starts = [f.start for f in taken]
    found = []
    for start, end, passes in markdown_regions(deck):
        if "$" not in deck.source[start:end]:
            continue
        seen = _as_seen(deck, start, end, passes)
        for match in re.finditer(r"(?<!\\)(?:\$\$|\$(?=\\[A-Za-z]|\{))", seen.text):
            at = seen.origin[match.start()]
            inside = bisect.bisect_right(starts, at) - 1
            if inside < 0 or at >= taken[inside].end:
                found.append((deck.line_of(at), match.group()))
    return found


def _as_seen(deck: Deck, start: int, end: int, passes: int) -> Mapped:
    """A region's text as KaTeX's auto-render would see it in remark's page: marked's backslash
    escapes removed once per reading, each character still knowing its offset in `source`."""
    shown = deck.derived["shown"]
    kept = [at for at in range(start, end) if shown[at]]
    seen = Mapped("".join(deck.source[at] for at in kept), kept)
    for _ in range(passes):
        seen = seen.dropping([m.start() for m in marked.ESCAPE.finditer(seen.text)])
    return seen


_ENTITY = re.compile(r"&#?\w+;")


def _decoded(tex: str) -> str:
    """The TeX after the browser has read the page's HTML: marked keeps `&lt;` and the like as
    they are (its escaping spares anything that looks like an entity), and the browser decodes
    them; an unknown name stays as written, as in the browser."""
    return _ENTITY.sub(lambda m: html.unescape(m.group()), tex) if "&" in tex else tex


# Elements whose text remark's page shows without math (KaTeX's auto-render skips them), and
# comments, which it does not show at all.
_UNRENDERED = re.compile(r"<!--[\s\S]*?-->|<(script|noscript|style|textarea|pre|code|option)\b[^>]*>"
                         r"[\s\S]*?</\1\s*>", re.IGNORECASE)


def _hide_unrendered_elements(source: str, shown: bytearray, hidden: bytearray) -> None:
    if "<" not in source:
        return
    for match in _UNRENDERED.finditer(source):
        if shown[match.start()] and not hidden[match.start()]:
            hidden[match.start():match.end()] = b"\x01" * (match.end() - match.start())


def _conversion_levels(deck: Deck) -> "_Levels":
    """For each character of the deck's source: how many times remark's Markdown reads it as
    text, and whether the page shows it as text at all (not code, not a link definition).

    remark converts each slide's Markdown (and its notes) with marked, a content class first:
    its HTML goes into its parent's Markdown, which is converted in turn (converter.js). So a
    character is read once for each level whose marked reads it as text; an HTML block (a
    class's `<div>` at the start of a line, followed by a blank line or the end of its parent,
    or `<div>` ... `</div>` written in the deck) passes through raw; code stays code.
    """
    size = len(deck.source)
    levels = _Levels([0] * size, bytearray(size), bytearray(size), [0] * size)
    for part, (before, after) in _converted_parts(deck):
        markdown = _level_markdown(part, levels)
        levels.read((before + markdown + after).lstripped(), outermost=True)
    return levels


@dataclass
class _Levels:
    """What the levels of conversion read so far, by source offset."""
    passes: list[int]  # read as Markdown text this many times
    shown: bytearray  # the slide's own Markdown shows it (as text or raw HTML)
    code: bytearray  # some level made it code: code it stays
    block: list[int]  # which of the slides' blocks (a paragraph, a heading, ...) shows it
    blocks: int = 0

    def read(self, markdown: Mapped, outermost: bool = False) -> list:
        """Lex one level's Markdown; count what it reads as text. Returns its blocks."""
        blocks = _leaves(markdown)
        for kind, part in blocks:
            self.blocks += 1
            if kind == TEXT and "`" in part.text:
                for start, end in marked.code_spans(part.text):
                    for origin in part.origin[start:end]:
                        if origin >= 0:
                            self.code[origin] = 1
            for origin in part.origin:
                if origin < 0:
                    continue
                if kind == TEXT:
                    self.passes[origin] += 1
                elif kind == CODE:
                    self.code[origin] = 1
                if outermost:
                    self.shown[origin], self.block[origin] = 1, self.blocks
        return blocks


def _level_markdown(items: list, levels: _Levels) -> Mapped:
    """The Markdown remark's converter builds for one level: its text, and each content class
    in it as the HTML marked made of it (only its shape matters: where its lines and its
    blank lines are). Classes are converted innermost first, as converter.js does, with a stack
    of its own: a deck may nest them a thousand deep."""
    stack: list[tuple[list, int, list[Mapped], list | None]] = [(items, 0, [], None)]
    while True:
        items, index, pieces, owner = stack[-1]
        if index < len(items):
            stack[-1] = (items, index + 1, pieces, owner)
            item = items[index]
            if isinstance(item, list):  # a content class
                stack.append((item[2], 0, [], item))
            else:
                pieces.append(item)
            continue
        stack.pop()
        markdown = Mapped.joined(pieces)
        if owner is None:
            return markdown
        block, name, _ = owner
        blocks = levels.read(markdown.lstripped())
        tag = "div" if block else "span"
        stack[-1][2].extend([_unmapped(f'<{tag} class="{name}">'), _html_of(blocks, unwrap=not block),
                             _unmapped(f"</{tag}>")])


def _html_of(blocks: list, unwrap: bool) -> Mapped:
    """The shape of marked's HTML for these blocks: `<p>` for text, `<pre><code>` for code, an
    HTML block as it is. Inside a span class, a lone paragraph loses its `<p>` (converter.js)."""
    if unwrap and len(blocks) == 1 and blocks[0][0] == TEXT:
        return blocks[0][1].rstripped()
    pieces = []
    for kind, part in blocks:
        if kind == TEXT:
            pieces += [_unmapped("<p>"), part.rstripped(), _unmapped("</p>\n")]
        elif kind == CODE:
            pieces += [_unmapped("<pre><code>"), part, _unmapped("</code></pre>\n")]
        else:
            pieces.append(part)
    return Mapped.joined(pieces)


def _unmapped(text: str) -> Mapped:
    return Mapped(text, [-1] * len(text))


def _converted_parts(deck: Deck) -> Iterator[tuple[list, tuple[Mapped, Mapped]]]:
    """Each slide's own Markdown (then its notes) as a tree of text and content classes
    `[block, name, children]`, with the Markdown remark puts around it: the content of the
    slide it continues or of its template (before it, and after it for a `{{content}}`
    template). A slide's properties are not part of its Markdown."""
    by_line = {s.start_line: s for s in (*deck.layouts, *deck.slides)}
    tree = _Tree(deck.source)
    start, notes = 0, False

    def finished() -> tuple[list, tuple[Mapped, Mapped]]:
        if notes:
            return tree.items, (_unmapped(""), _unmapped(""))
        return _without_properties(tree.items), _around(by_line.get(deck.line_of(start)))

    for token in deck.tokens:
        if token.kind == "separator":
            yield finished()
            tree, start, notes = _Tree(deck.source), token.end, False
        elif token.kind == "notes":
            yield finished()
            tree, notes = _Tree(deck.source), True
        else:
            tree.add(token)
    yield finished()


class _Tree:
    """Text and content classes `[block, name, children]` as parser.js nests them."""

    def __init__(self, source: str, mapped: bool = True):
        self.source, self.mapped = source, mapped
        self.items: list = []
        self.stack = [self.items]
        self.opened: list[tuple[list, int]] = []

    def add(self, token: Token) -> None:
        if token.kind == "content_start":
            content_class = [False, " ".join(token.classes), []]
            self.stack[-1].append(content_class)
            self.stack.append(content_class[2])
            self.opened.append((content_class, token.end))
        elif token.kind == "content_end" and self.opened:
            content_class, content_start = self.opened.pop()
            content_class[0] = "\n" in self.source[content_start:token.start]  # lexer.js's `block`
            self.stack.pop()
        elif token.kind == "macro":
            self.stack[-1].append(("m", -1))  # what a macro returns is the page's business
        elif token.kind in ("text", "code", "fences", "inline_code"):
            mapped = self.mapped and token.end - token.start == len(token.text)
            self.stack[-1].append((token.text, token.start if mapped else -1))


def _without_properties(items: list) -> list:
    """parser.js takes the slide's properties out of its first string of Markdown (the text
    before its first content class)."""
    count = 0
    while count < len(items) and not isinstance(items[count], list):
        count += 1
    if count == 0:
        return items
    first = Mapped.joined(items[:count])
    while (match := PROPERTY.search(first.text)) is not None:
        first = first[:match.start()] + first[match.end():]
    return [first, *items[count:]]


def _around(slide) -> tuple[Mapped, Mapped]:
    """The Markdown before and after a slide's own in what remark converts for it, its content
    classes as marked's HTML (its characters counted nowhere: they are another slide's, and
    counted there)."""
    if slide is None:
        return _unmapped(""), _unmapped("")
    own = slide.body[leading_properties(slide.body, 0)[2]:]
    at = slide.content.rfind(own) if own else len(slide.content)
    if at < 0:
        return _unmapped(""), _unmapped("")
    return (_unmapped(_as_html(slide.content[:at], slide)),
            _unmapped(_as_html(slide.content[at + len(own):], slide)))


def _as_html(markdown: str, slide) -> str:
    return slide_markdown(markdown, slide.links, slide.properties) if "[" in markdown else markdown


def find_math(text: str, paragraphs: bool = True) -> list[tuple[int, int, bool]]:
    """Spans (start, end, display) of `$$…$$` and `$…$` in a piece of Markdown text.

    A formula opens at an unescaped `$` (or `$$`) and closes at the first later one reached
    with the braces between them balanced or closed (`${a}$` is one formula, `${$` none), as
    KaTeX's auto-render reads a text. As there, a `$` that nothing closes before the paragraph
    ends (a blank line) leaves the rest of the paragraph as text; in raw HTML (`paragraphs`
    false), where a blank line ends no text, the rest of the text. Every `$` and its
    brace depth are read in one pass and the closing one is looked up, so a line of ten
    thousand `${` takes no longer than it is long.
    """
    dollars, depths = [], []  # unescaped `$` offsets, and the brace depth before each
    depth, i, n = 0, 0, len(text)
    while i < n:
        ch = text[i]
        if ch == "\\":
            i += 2  # an escaped character is neither a brace nor a delimiter
            continue
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        elif ch == "$":
            dollars.append(i)
            depths.append(depth)
        i += 1
    double = [text.startswith("$$", at) for at in dollars]
    any_close = _FirstAtMost(depths)
    double_close = _FirstAtMost([d if is_double else _NEVER for d, is_double in zip(depths, double)])
    # (first newline, second newline) of each blank line
    blank_lines = [(m.start(), m.end()) for m in re.finditer(r"\n[ \t]*(?=\n)", text)] \
        if paragraphs else []
    spans, j = [], 0
    while j < len(dollars):
        at, display = dollars[j], double[j]
        width = 2 if display else 1
        if display:
            k = double_close.first(j + 2, depths[j])
        else:
            k = any_close.first(j + 1, depths[j])  # the first `$` of a `$$` too: `$a$$b$`
        close = dollars[k] if k >= 0 else -1
        if close < 0 or _crosses(blank_lines, at, close):
            paragraph_end = _next_blank_line(blank_lines, at)
            if paragraph_end < 0:
                break
            j = bisect.bisect_left(dollars, paragraph_end)
            continue
        spans.append((at, close + width, display))
        j = k + width
    return spans


_NEVER = float("inf")


class _FirstAtMost:
    """Answers "the first index ≥ start whose value is ≤ limit" in O(log n) (a min-tree)."""

    def __init__(self, values: list[float]):
        self.size = 1
        while self.size < max(1, len(values)):
            self.size *= 2
        self.tree = [_NEVER] * (2 * self.size)
        self.tree[self.size:self.size + len(values)] = values
        for node in range(self.size - 1, 0, -1):
            self.tree[node] = min(self.tree[2 * node], self.tree[2 * node + 1])

    def first(self, start: int, limit: float) -> int:
        if start >= self.size:
            return -1
        return self._first(1, 0, self.size, start, limit)

    def _first(self, node: int, low: int, high: int, start: int, limit: float) -> int:
        if high <= start or self.tree[node] > limit:
            return -1
        if high - low == 1:
            return low
        middle = (low + high) // 2
        found = self._first(2 * node, low, middle, start, limit)
        return found if found >= 0 else self._first(2 * node + 1, middle, high, start, limit)


def _next_blank_line(blank_lines: list[tuple[int, int]], start: int) -> int:
    """Where the first blank line after `start` ends (-1: none)."""
    at = bisect.bisect_left(blank_lines, (start,))
    return blank_lines[at][1] if at < len(blank_lines) else -1


def _crosses(blank_lines: list[tuple[int, int]], start: int, end: int) -> bool:
    """Whether a blank line (from its first newline to its second) lies within start..end."""
    at = bisect.bisect_left(blank_lines, (start,))
    return at < len(blank_lines) and blank_lines[at][1] < end


def unescaped(tex: str, markdown_passes: int) -> str:
    """The TeX as KaTeX gets it from remark: marked's backslash escapes, once per reading."""
    for _ in range(markdown_passes):
        tex = marked.ESCAPE.sub(r"\1", tex)
    return tex
