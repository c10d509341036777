"""The deck's source as remark's Markdown reads it: which stretches are text (not code), how
many times each is read, and the formulas in them. The page's math, the build's KaTeX check and
its leftover-delimiter warning all read these regions, worked out once per deck.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from markdown_it import MarkdownIt

from .model import Deck

# Characters marked.js (remark's Markdown, GFM mode) takes after a backslash. Plain remark decks
# are written for that: `\(` shows `(`, `\\{` shows `\{`. Math keeps that meaning with us.
MARKED_ESCAPE = re.compile(r"\\([\\`*{}\[\]()#+\-.!_>~|])")


def markdown_regions(deck: Deck) -> list[list[int]]:
    """[start, end, passes] of each stretch of the deck's source that Markdown reads as text (see
    `rewrite_markdown_text`), and how many times it is read (`_markdown_passes`).

    Worked out once per deck: the build's checks (formulas, leftover delimiters) and its page
    read the same regions, and each look parses every slide with markdown-it."""
    known = deck.derived.get("markdown_regions")
    if known is not None:
        return known
    code_lines = _markdown_code_lines(deck) if any(
        t.kind == "code" and "$" in t.text for t in deck.tokens) else set()
    passes = _markdown_passes(deck)
    regions: list[list[int]] = []
    source = deck.source

    def text(start: int, end: int, times: int) -> None:
        if regions and regions[-1][1] == start and regions[-1][2] == times:
            regions[-1][1] = end
        else:
            regions.append([start, end, times])

    for index, token in enumerate(deck.tokens):
        if token.end - token.start != len(token.text):
            continue  # an escaped `\\.class[` (its text lost the backslash): left as it is
        if token.kind == "text":
            text(token.start, token.end, passes[index])
        elif token.kind == "code":
            at, first = token.start, deck.line_of(token.start)
            # remark's lexer swallows the line break before an indented line: after a line of
            # text, that indented line joins it (`# Title $t$` + `    &= $e$` is one heading).
            glued = first + 1 if token.text.startswith("\n") and token.start > 0 \
                and source[token.start - 1] != "\n" else None
            for number, line in enumerate(token.text.split("\n"), start=first):
                if number not in code_lines or number == glued:
                    text(at, min(at + len(line) + 1, token.end), passes[index])
                at += len(line) + 1
    deck.derived["markdown_regions"] = regions
    return regions


@dataclass(frozen=True)
class Formula:
    line: int  # where it starts in the deck
    tex: str  # as KaTeX gets it: remark's backslash escapes applied
    display: bool


def formulas(deck: Deck) -> list[Formula]:
    """Every formula the page renders, where it stands."""
    found = []
    for start, end, passes in markdown_regions(deck):
        text = deck.source[start:end]
        for at, close, display in find_math(text):
            width = 2 if display else 1
            found.append(Formula(deck.line_of(start + at),
                                 unescaped(text[at + width:close - width], passes), display))
    return found


def leftover_delimiters(deck: Deck) -> list[tuple[int, str]]:
    """(line, what) of `$$`, and of `$` before TeX (`$\\alpha`, `${`), that no formula takes:
    the slide shows them as they are."""
    found = []
    for start, end, _ in markdown_regions(deck):
        text = deck.source[start:end]
        spans = find_math(text)  # in order, not overlapping
        starts = [a for a, _, _ in spans]
        for match in re.finditer(r"(?<!\\)(?:\$\$|\$(?=\\[A-Za-z]|\{))", text):
            inside = bisect.bisect_right(starts, match.start()) - 1
            if inside < 0 or match.start() >= spans[inside][1]:
                found.append((deck.line_of(start + match.start()), match.group()))
    return found


def _markdown_passes(deck: Deck) -> list[int]:
    """For each token, how many times remark's Markdown reads it.

    remark converts a content class's text to HTML, puts that in its parent's Markdown and
    converts the parent (converter.js): the text is read again, backslash escapes included,
    unless marked takes the class's `<div>` (a class whose text holds a line break) as a block of
    HTML, which it passes through: a div at the start of a line, followed by a blank line or
    the end of its parent.
    """
    closing = {}
    opened: list[int] = []
    for index, token in enumerate(deck.tokens):
        if token.kind == "content_start":
            opened.append(index)
        elif token.kind == "content_end" and opened:
            closing[opened.pop()] = index
    passes, stack = [], [1]
    for index, token in enumerate(deck.tokens):
        if token.kind == "content_start" and index in closing:
            end = deck.tokens[closing[index]]
            inner = deck.source[token.end:end.start]
            stack.append(stack[-1] + (1 if "\n" not in inner or not _passed_through(deck.source, token.start, end.end)
                                      else 0))
        passes.append(stack[-1])
        if token.kind == "content_end" and len(stack) > 1:
            stack.pop()
    return passes


def _passed_through(source: str, start: int, end: int) -> bool:
    """Whether marked reads the div from `start` to `end` as a block of HTML (not again)."""
    at_line_start = start == 0 or source[:start].rstrip(" ").endswith("\n")
    return at_line_start and re.match(r" *(?:\n{2,}|\s*$)", source[end:end + 200]) is not None


def _markdown_code_lines(deck: Deck) -> set[int]:
    """1-based lines that Markdown renders as code (blocks and fences), slide by slide."""
    markdown = MarkdownIt("commonmark")
    lines: set[int] = set()
    for slide in (*deck.layouts, *deck.slides):
        parts = [(*_as_converted(slide.content, slide.body, slide.start_line), slide.start_line)]
        if slide.notes_line is not None:
            notes, first = _as_converted(slide.notes, slide.notes, slide.notes_line + 1)
            parts.append((notes, first, slide.notes_line + 1))
        for text, first, own in parts:
            for token in markdown.parse(text):
                if token.type in ("code_block", "fence") and token.map:
                    lines.update(n for n in range(first + token.map[0], first + token.map[1]) if n >= own)
    return lines


def _as_converted(content: str, own: str, own_line: int) -> tuple[str, int]:
    """The Markdown remark's converter reads for a slide, and the deck line of its first line.

    A `--` step is read after the steps before it (`    - item` may continue their list); a
    slide's properties are not read; and the converter drops the Markdown's leading white space
    (`replace(/^\\s+/, '')`), so an indented first line is a paragraph, not code.
    """
    if content.endswith(own):
        first = own_line - content[:len(content) - len(own)].count("\n")
    elif own.endswith(content):
        first = own_line + own[:len(own) - len(content)].count("\n")
    else:  # a template's content around the slide's: read the slide's own text
        content, first = own, own_line
    stripped = content.lstrip()
    return stripped, first + content[:len(content) - len(stripped)].count("\n")


def find_math(text: str) -> list[tuple[int, int, bool]]:
    """Spans (start, end, display) of `$$…$$` and `$…$` in a piece of Markdown text.

    A formula opens at an unescaped `$` (or `$$`) and closes at the first later one reached
    with the braces between them balanced or closed (`${a}$` is one formula, `${$` none). A
    single `$` meeting `$$` first is ambiguous (`$a$$b$`) and left alone; so is a formula that
    is blank or crosses a blank line. Every `$` and its brace depth are read in one pass and the
    closing one is looked up, so a line of ten thousand `${` takes no longer than it is long.
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
    blank_lines = [(m.start(), m.end()) for m in re.finditer(r"\n[ \t]*(?=\n)", text)]
    spans, j = [], 0
    while j < len(dollars):
        at, display = dollars[j], double[j]
        width = 2 if display else 1
        if display:
            k = double_close.first(j + 2, depths[j])
        else:
            k = any_close.first(j + 1, depths[j])
            k = -1 if k >= 0 and double[k] else k  # `$a$$b$`: ambiguous
        close = dollars[k] if k >= 0 else -1
        if close < 0 or not text[at + width:close].strip() or _crosses(blank_lines, at, close):
            j += width
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


def _crosses(blank_lines: list[tuple[int, int]], start: int, end: int) -> bool:
    """Whether a blank line (from its first newline to its second) lies within start..end."""
    at = bisect.bisect_left(blank_lines, (start,))
    return at < len(blank_lines) and blank_lines[at][1] < end


def unescaped(tex: str, markdown_passes: int) -> str:
    """The TeX as KaTeX gets it from remark: marked's backslash escapes, once per reading."""
    for _ in range(markdown_passes):
        tex = MARKED_ESCAPE.sub(r"\1", tex)
    return tex


