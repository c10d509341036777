"""Which characters of a piece of Markdown marked 0.3 (the Markdown inside remark 0.14, with the
options remark sets: gfm, tables, pedantic) reads as text, passes through as raw HTML, or shows
as code: its block lexer, rule for rule, keeping track of where each character came from.

Only the kinds matter here, not the HTML: `regions.py` asks, for each level of remark's
conversion (a content class is converted, then read again inside its parent), whether a
formula's characters were read as Markdown text (backslash escapes removed once more), passed
through raw (as in a `<div>` block), or became code (no formula at all).

The expressions are marked's, assembled as marked assembles them: its `replace()` drops the `^`
of each rule it splices into another, and JavaScript's `$` (no m flag) is Python's `\\Z`.
"""
from __future__ import annotations

import re

NONE, TEXT, RAW, CODE = 0, 1, 2, 3


def _splice(pattern: str, **parts: str) -> str:
    for name, part in parts.items():
        pattern = pattern.replace(name, re.sub(r"(^|[^\[])\^", r"\1", part))
    return pattern


_TAG = r"(?!(?:a|em|strong|small|s|cite|q|dfn|abbr|data|time|code|var|samp|kbd|sub|sup|i|b|u|mark" \
       r"|ruby|rt|rp|bdi|bdo|span|br|wbr|ins|del|img)\b)\w+(?!:/|[^\w\s@]*@)\b"
_BULLET = r"(?:[*+-]|\d+\.)"
_HR = r"^( *[-*_]){3,} *(?:\n+|\Z)"
_HEADING = r"^ *(#{1,6}) *([^\n]+?) *#* *(?:\n+|\Z)"
_LHEADING = r"^([^\n]+)\n *(=|-){2,} *(?:\n+|\Z)"
_BLOCKQUOTE = r"^( *>[^\n]+(\n[^\n]+)*\n*)+"
_DEF = r"^ *\[([^\]]+)\]: *<?([^\s>]+)>?(?: +[\"(]([^\n]+)[\")])? *(?:\n+|\Z)"
_FENCES = r"^ *(`{3,}|~{3,}) *(\S+)? *\n([\s\S]+?)\s*\1 *(?:\n+|\Z)"
_LIST = _splice(r"^( *)(bull) [\s\S]+?(?:hr|\n{2,}(?! )(?!\1bull )\n*|\s*\Z)",
                hr=r"\n+(?=(?: *[-*_]){3,} *(?:\n+|\Z))").replace("bull", _BULLET)
# The same rule, for a text without its trailing white space: `\s*\Z`, tried at every character
# of a list, costs the length of each run of spaces, so a list nested hundreds deep (hundreds of
# spaces a line) took minutes. Matching up to the last non-space character gives the same end.
_LIST_UP_TO_TRAILING_SPACE = re.compile(_LIST.replace(r"\s*\Z", r"\Z"))
_HTML = _splice(r"^ *(?:comment|closed|closing) *(?:\n{2,}|\s*\Z)",
                comment=r"<!--[\s\S]*?-->", closed=r"<(tag)[\s\S]+?<\/\1>",
                closing=r"<tag(?:\"[^\"]*\"|'[^']*'|[^'\">])*?>").replace("tag", _TAG)
# The rules that end a paragraph, as marked splices them in (gfm). Its list rule refers back
# to group 3 for its indentation, a group of the fences rule that is never set there: in
# JavaScript such a reference matches nothing (and so always matches), in Python it never matches,
# so it is left out.
_PARAGRAPH_ENDS = "|".join(re.sub(r"(^|[^\[])\^", r"\1", rule) for rule in (
    _FENCES.replace(r"\1", r"\2"), _LIST.replace(r"\1", ""), _HR, _HEADING, _LHEADING, _BLOCKQUOTE,
    "<" + _TAG, _DEF))
_PARAGRAPH = rf"^((?:[^\n]+\n?(?!{_PARAGRAPH_ENDS}))+)\n*"

RULES = {name: re.compile(pattern) for name, pattern in {
    "newline": r"^\n+", "code": r"^( {4}[^\n]+\n*)+", "fences": _FENCES, "heading": _HEADING,
    "nptable": r"^ *(\S.*\|.*)\n *([-:]+ *\|[-| :]*)\n((?:.*\|.*(?:\n|\Z))*)\n*",
    "lheading": _LHEADING, "hr": _HR, "blockquote": _BLOCKQUOTE, "list": _LIST, "html": _HTML,
    "def": _DEF, "table": r"^ *\|(.+)\n *\|( *[-:]+[-| :]*)\n((?: *\|.*(?:\n|\Z))*)\n*",
    "paragraph": _PARAGRAPH, "text": r"^[^\n]+",
}.items()}
_ITEM = re.compile(r"^( *)(" + _BULLET + r") [^\n]*(?:\n(?!\1" + _BULLET + r" )[^\n]*)*", re.M)


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
    def joined(parts: list["Mapped"]) -> "Mapped":
        return Mapped("".join(p.text for p in parts), [o for p in parts for o in p.origin])

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

    def without(self, pattern: re.Pattern) -> "Mapped":
        """The string with every match of `pattern` taken out."""
        keep, at = [], 0
        for match in pattern.finditer(self.text):
            keep.append((at, match.start()))
            at = match.end()
        if not keep:
            return self
        keep.append((at, len(self.text)))
        return Mapped("".join(self.text[a:b] for a, b in keep),
                      [i for a, b in keep for i in self.origin[a:b]])


_BLANK_LINE_SPACES = re.compile(r"^ +(?=\n|\Z)", re.M)
_QUOTE_MARK = re.compile(r"^ *> ?", re.M)
_ITEM_BULLET = re.compile(r"^ *(?:[*+-]|\d+\.) +")
_OUTDENT = re.compile(r"^ {1,4}", re.M)


def lex(markdown: Mapped) -> list[tuple[int, Mapped]]:
    """What marked's blocks make of `markdown`: (kind, characters) of each block that shows
    something, in order; kind TEXT (read as Markdown), RAW (an HTML block, passed through) or
    CODE. Link definitions, rules and blank lines show nothing. Lines that marked's parser
    joins into one text (a list item's lines) are one block."""
    blocks: list[tuple[int, Mapped]] = []
    _lex(Mapped(markdown.text.replace("\t", "    "), _tabs_expanded(markdown)), True, blocks)
    return blocks


def _tabs_expanded(markdown: Mapped) -> list[int]:
    if "\t" not in markdown.text:
        return markdown.origin
    return [o for ch, o in zip(markdown.text, markdown.origin) for _ in range(4 if ch == "\t" else 1)]


# Rules tried in marked's order after `newline` and `code`; `top`: only at the top level.
_ORDER = (("fences", CODE, False), ("heading", TEXT, False), ("nptable", TEXT, True),
          ("lheading", TEXT, False), ("hr", NONE, False), ("blockquote", None, False),
          ("list", None, False), ("html", RAW, False), ("def", NONE, True), ("table", TEXT, True),
          ("paragraph", TEXT, True), ("text", TEXT, False))


# Quotes in quotes and lists in lists deeper than this are read as text: marked recurses into
# each (a hostile deck a thousand deep would exhaust Python's stack), re-reading the text below.
_DEEPEST = 12  # real decks nest lists four or five deep


def _lex(src: Mapped, top: bool, blocks: list[tuple[int, Mapped]], depth: int = 0) -> None:
    if depth > _DEEPEST:
        blocks.append((TEXT, src))
        return
    src = src.without(_BLANK_LINE_SPACES)
    newline = None  # the line break before a `text` line, which joins it to a `text` line before
    previous = None
    while src.text:
        if match := RULES["newline"].match(src.text):
            newline, src = src[:match.end()], src[match.end():]
            if not src.text:
                break
        if match := RULES["code"].match(src.text):
            rule, kind = "code", CODE
        else:
            rule, kind = next(((name, kind) for name, kind, top_only in _ORDER
                               if (top or not top_only) and (end := _end_of(name, src.text))),
                              (None, None))
            if rule is None:  # marked throws "Infinite loop": these rules always match something
                break
        if rule == "code":
            end = match.end()
        part, src = src[:end], src[end:]
        if rule == "blockquote":
            _lex(part.without(_QUOTE_MARK), top, blocks, depth + 1)
        elif rule == "list":
            _lex_list(part, blocks, depth + 1)
        elif rule == "text" and previous == "text" and newline is not None and len(newline.text) == 1:
            blocks[-1] = (TEXT, blocks[-1][1] + newline + part)  # parser.js's parseText
        elif kind != NONE:
            blocks.append((kind, part))
        previous, newline = rule, None


def _end_of(rule: str, text: str) -> int:
    """Where `rule` matches `text` from its start to (0: it does not match)."""
    if rule != "list":
        match = RULES[rule].match(text)
        return match.end() if match else 0
    content = text.rstrip()
    match = _LIST_UP_TO_TRAILING_SPACE.match(content)
    return 0 if match is None else len(text) if match.end() == len(content) else match.end()


def _lex_list(whole: Mapped, blocks: list[tuple[int, Mapped]], depth: int) -> None:
    """A list's items, each lexed as marked lexes it (bullet removed, outdented). marked's
    "smart lists" give the items after a change of bullet back to the source; here they are
    lexed as items of this list, which reads their characters the same way."""
    for item_match in _ITEM.finditer(whole.text):
        item = whole[item_match.start():item_match.end()]
        body = item.without(_ITEM_BULLET)  # the first only: `^` without the m flag
        if "\n " in body.text:
            body = body.without(_OUTDENT)
        _lex(body, False, blocks, depth)


_CODE_SPAN = re.compile(r"(`+)\s*([\s\S]*?[^`])\s*\1(?!`)")
_BACKSLASH_OR_TICKS = re.compile(r"\\.|`+", re.S)


def code_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each inline code span marked's inline lexer finds in a text block (an
    escaped backtick opens none)."""
    spans, at = [], 0
    while (found := _BACKSLASH_OR_TICKS.search(text, at)) is not None:
        at = found.end()
        if found.group()[0] == "`" and (span := _CODE_SPAN.match(text, found.start())):
            spans.append(span.span())
            at = span.end()
    return spans
