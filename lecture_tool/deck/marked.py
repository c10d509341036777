"""remark's Markdown: marked 0.3, as remark-slide 0.14 bundles it and sets it up (gfm, tables,
pedantic, nothing sanitized, no highlighter), ported rule for rule from
`node_modules/remark-slide/out/remark.js` (search "marked - a markdown parser").

What for: a slide's title is its first heading as the browser holds it, which is what marked
makes of the slide's Markdown and then what the browser's HTML parser makes of that HTML
(`html_headings.py`). Neither half alone is right: marked reads `# x` inside `<style>` as a
heading, the browser reads it as the style's text; marked passes `<!-- … -->` through only
when one block holds all of it, and escapes a `<!--` whose `-->` a heading line cut off.

The regular expressions are marked's, in Python's dialect (`js_regex.py`). marked cuts the
string after each token, so that `^` means "here"; the rules here match at an offset instead
(`match(text, at)`), the same wherever a rule does not look behind where it starts. One did:
em's `\\b_`, always true where a string starts with `_`, is written without its `\\b`.

Imported only when a heading is wanted (`converter.py`, which `model.headings` imports when asked).
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field

from .js_regex import DOT, JS_SPACE, NOT_S, S


def _rule(pattern: str, flags: int = 0) -> re.Pattern:
    return re.compile(pattern, re.ASCII | flags)


# Block grammar: marked's `block.tables` (gfm with tables). Tag names an HTML block may not
# start with (inline elements), then the names marked takes as a tag.
_TAG = (r"(?!(?:a|em|strong|small|s|cite|q|dfn|abbr|data|time|code|var|samp|kbd|sub|sup|i|b|u"
        r"|mark|ruby|rt|rp|bdi|bdo|span|br|wbr|ins|del|img)\b)\w+(?!:/|[^\w" + JS_SPACE + r"@]*@)\b")
_BULLET = r"(?:[*+-]|\d+\.)"
_END = r"(?:\n+|\Z)"

_NEWLINE = _rule(r"\n+")
_CODE = _rule(r"(?: {4}[^\n]+\n*)+")
_FENCES = _rule(rf" *(`{{3,}}|~{{3,}}) *({NOT_S}+)? *\n([\s\S]+?){S}*\1 *{_END}")
_HEADING = _rule(rf" *(#{{1,6}}) *([^\n]+?) *#* *{_END}")
_NPTABLE = _rule(rf" *({NOT_S}{DOT}*\|{DOT}*)\n *([-:]+ *\|[-| :]*)\n((?:{DOT}*\|{DOT}*(?:\n|\Z))*)\n*")
_LHEADING = _rule(rf"([^\n]+)\n *(=|-){{2,}} *{_END}")
_HR = _rule(rf"(?: *[-*_]){{3,}} *{_END}")
_BLOCKQUOTE = _rule(r"(?: *>[^\n]+(?:\n[^\n]+)*\n*)+")
_LIST = _rule(rf"( *)({_BULLET}) [\s\S]+?(?:\n+(?=(?: *[-*_]){{3,}} *{_END})"
              rf"|\n{{2,}}(?! )(?!\1{_BULLET} )\n*|{S}*\Z)")
_LIST_START = _rule(rf" *{_BULLET} ")
_LIST_UP_TO_SPACE = _rule(_LIST.pattern.replace(rf"{S}*\Z", r"\Z"))  # see `_list_at`
_ITEM = _rule(rf"^( *)({_BULLET}) [^\n]*(?:\n(?!\1{_BULLET} )[^\n]*)*", re.M)
_HTML = _rule(rf" *(?:<!--[\s\S]*?-->|<({_TAG})[\s\S]+?</\1>|<{_TAG}(?:\"[^\"]*\"|'[^']*'|[^'\">])*?>)"
              rf" *(?:\n{{2,}}|{S}*\Z)")
_DEF = _rule(rf" *\[([^\]]+)\]: *<?([^{JS_SPACE}>]+)>?(?: +[\"(]([^\n]+)[\")])? *{_END}")
_TABLE = _rule(rf" *\|({DOT}+)\n *\|( *[-:]+[-| :]*)\n((?: *\|{DOT}*(?:\n|\Z))*)\n*")
# gfm's paragraph: lines up to one that starts another block. In marked's lookahead the list
# rule ends in `[\s\S]+?(?:…|\s*$)`, which any character satisfies; its `\3` names a group
# that never takes part there, which JavaScript reads as empty: both are written as they act.
_PARAGRAPH = _rule(
    r"((?:[^\n]+\n?(?!"
    rf" *(`{{3,}}|~{{3,}}) *(?:{NOT_S}+)? *\n[\s\S]+?{S}*\2 *{_END}"
    rf"| *{_BULLET} [\s\S]"
    rf"|(?: *[-*_]){{3,}} *{_END}"
    rf"| *#{{1,6}} *[^\n]+? *#* *{_END}"
    rf"|[^\n]+\n *[=-]{{2,}} *{_END}"
    r"| *>[^\n]+"
    rf"|<{_TAG}"
    rf"| *\[[^\]]+\]: *<?[^{JS_SPACE}>]+>?(?: +[\"(][^\n]+[\")])? *{_END}"
    r"))+)\n*")
_TEXT = _rule(r"[^\n]+")

_SPACES_ONLY_LINE = _rule(r"^ +$", re.M)
_QUOTE_MARK = _rule(r"^ *> ?", re.M)
_CODE_INDENT = _rule(r"^ {4}", re.M)
_ITEM_BULLET = _rule(r"^ *(?:[*+-]|\d+\.) +")
_ITEM_INDENT = _rule(r"^ {1,4}", re.M)
_ANY_BULLET = _rule(_BULLET)
_LOOSE = _rule(rf"\n\n(?!{S}*\Z)")

# Inline grammar: marked's `inline.gfm`. A tag (or a run of them) that is not an autolink.
_INSIDE = r"(?:\[[^\]]*\]|[^\[\]]|\](?=[^\[]*\]))*"
_AUTOLINK_SOURCE = r"<([^ >]+(@|:/)[^ >]+)>"
_TAG_SOURCE = r"<!--[\s\S]*?-->|</?\w+(?:\"[^\"]*\"|'[^']*'|[^'\">])*?>"
# The characters marked takes after a backslash (gfm); remark's decks are written for them.
ESCAPE = _rule(r"\\([\\`*{}\[\]()#+\-.!_>~|])")
_AUTOLINK = _rule(_AUTOLINK_SOURCE)
_URL = _rule(rf"(https?://[^{JS_SPACE}<]+[^<.,:;\"')\]{JS_SPACE}])")
_TAGS = _rule(rf"(?:(?!{_AUTOLINK_SOURCE})(?:{_TAG_SOURCE}))+")
_LINK = _rule(rf"!?\[({_INSIDE})\]\({S}*<?([\s\S]*?)>?(?:{S}+['\"]([\s\S]*?)['\"])?{S}*\)")
_REFLINK = _rule(rf"!?\[({_INSIDE})\]{S}*\[([^\]]*)\]")
_NOLINK = _rule(r"!?\[((?:\[[^\]]*\]|[^\[\]])*)\]")
_STRONG = _rule(r"__([\s\S]+?)__(?!_)|\*\*([\s\S]+?)\*\*(?!\*)")
_EM = _rule(r"_((?:__|[\s\S])+?)_\b|\*((?:\*\*|[\s\S])+?)\*(?!\*)")
_CODESPAN = _rule(rf"(`+){S}*([\s\S]*?[^`]){S}*\1(?!`)")
_BR = _rule(rf" {{2,}}\n(?!{S}*\Z)")
_DEL = _rule(rf"~~(?={NOT_S})([\s\S]*?{NOT_S})~~")
_INLINE_TEXT = _rule(r"[\s\S]+?(?=[\\<!\[_*`~]|https?://| {2,}\n|\Z)")
_SPACE_RUN = _rule(f"{S}+")
_BARE_AMPERSAND = _rule(r"&(?!#?\w+;)")


_BACKSLASH_OR_TICKS = _rule(r"\\[\s\S]|`+")


def code_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each inline code span in a text block, as the inline lexer finds them
    (an escaped backtick opens none; what else it reads first, links and tags, is not)."""
    spans, at = [], 0
    while (found := _BACKSLASH_OR_TICKS.search(text, at)) is not None:
        at = found.end()
        if found.group()[0] == "`" and (span := _CODESPAN.match(text, found.start())):
            spans.append(span.span())
            at = span.end()
    return spans


def escape(text: str, encode: bool = False) -> str:
    """marked's escape: `encode` false leaves a character reference (`&amp;`, `&#65;`) as it is."""
    text = text.replace("&", "&amp;") if encode else _BARE_AMPERSAND.sub("&amp;", text)
    return text.replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;").replace("'", "&#39;")


def heading_id(markdown: str) -> str:
    """The id marked gives a heading: `raw.toLowerCase().replace(/[^\\w]+/g, '-')`."""
    return re.sub(r"[^A-Za-z0-9_]+", "-", markdown.lower())


@dataclass(frozen=True)
class Block:
    """One of marked's block tokens; a blockquote's and a list item's hold their own."""
    kind: str  # space, code, heading, table, hr, blockquote, list, html, paragraph, text
    text: str = ""
    depth: int = 0  # a heading's level
    lang: str | None = None  # a fence's language
    children: tuple["Block", ...] = ()  # a blockquote's blocks
    items: tuple[tuple[bool, tuple["Block", ...]], ...] = ()  # a list's items: (loose, blocks)
    ordered: bool = False
    table: tuple = ()  # (header cells, alignments, rows of cells)
    # Where each character of the Markdown the block was read from came from, when `blocks` was
    # given the origins of its text (`regions.py` asks; the titles do not).
    origin: list[int] | None = None


def blocks(markdown: str, origin: list[int] | None = None) -> Iterator[Block]:
    """marked's `Lexer.lex`: its preprocessing, then the block tokens, one at a time. With
    `origin` (an offset for each character of `markdown`), each block knows where its own
    characters came from, through every cut marked makes (a quote's `>`, a list item's
    bullet and indentation)."""
    if origin is None:
        markdown = re.sub(r"\r\n|\r", "\n", markdown).replace("\t", "    ").replace("\u00a0", " ")
        return _blocks(markdown.replace("\u2424", "\n"), top=True)
    if "\t" in markdown:  # the deck's own source: its line breaks are "\n" already
        origin = [o for ch, o in zip(markdown, origin) for _ in range(4 if ch == "\t" else 1)]
        markdown = markdown.replace("\t", "    ")
    return _blocks(markdown.replace("\u00a0", " ").replace("\u2424", "\n"), True, origin)


def _cut(pattern: re.Pattern, text: str, origin: list[int] | None, count: int = 0):
    """`pattern.sub("", text, count)`, and the origins of what is left."""
    if origin is None:
        return pattern.sub("", text, count=count), None
    kept, at = [], 0
    for found in pattern.finditer(text):
        kept.append((at, found.start()))
        at = found.end()
        if len(kept) == count:
            break
    if not kept:
        return text, origin
    kept.append((at, len(text)))
    return "".join(text[a:b] for a, b in kept), [o for a, b in kept for o in origin[a:b]]


def _part(origin: list[int] | None, start: int, end: int) -> list[int] | None:
    return None if origin is None else origin[start:end]


# Quotes in quotes and lists in lists deeper than this are one text: marked recurses into each
# (a hostile deck a thousand deep would exhaust Python's stack), reading the text below again.
_DEEPEST = 12  # real decks nest lists four or five deep


def _blocks(src: str, top: bool, origin: list[int] | None = None, depth: int = 0) -> Iterator[Block]:
    if depth > _DEEPEST:
        yield Block("text", src, origin=origin)
        return
    src, origin = _cut(_SPACES_ONLY_LINE, src, origin)
    at = 0
    while at < len(src):
        if cap := _NEWLINE.match(src, at):
            at = cap.end()
            if len(cap.group()) > 1:
                yield Block("space")
            if at == len(src):
                break
        end = None
        if cap := _CODE.match(src, at):
            yield Block("code", _CODE_INDENT.sub("", cap.group()),  # pedantic: trailing newlines kept
                        origin=_part(origin, at, cap.end()))
        elif cap := _FENCES.match(src, at):
            yield Block("code", cap.group(3), lang=cap.group(2), origin=_part(origin, at, cap.end()))
        elif cap := _HEADING.match(src, at):
            yield Block("heading", cap.group(2), depth=len(cap.group(1)), origin=_part(origin, at, cap.end()))
        elif top and (cap := _NPTABLE.match(src, at)):
            yield _table(cap, pipes_around=False, origin=_part(origin, at, cap.end()))
        elif cap := _LHEADING.match(src, at):
            yield Block("heading", cap.group(1), depth=1 if cap.group(2) == "=" else 2,
                        origin=_part(origin, at, cap.end()))
        elif cap := _HR.match(src, at):
            yield Block("hr")
        elif cap := _BLOCKQUOTE.match(src, at):
            inner, inner_origin = _cut(_QUOTE_MARK, cap.group(), _part(origin, at, cap.end()))
            yield Block("blockquote", children=tuple(_blocks(inner, top, inner_origin, depth + 1)))
        elif cap := _list_at(src, at):
            end = len(src) if cap.end() == len(src.rstrip()) else cap.end()
            listed, rest, rest_from = _list(cap, origin, depth)
            yield listed
            if rest is not None:  # items of another kind of bullet: read again, as a new list
                if origin is not None:
                    origin = origin[rest_from:rest_from + len(rest)] + origin[end:]
                src, at = rest + src[end:], 0
                continue
        elif cap := _HTML.match(src, at):
            yield Block("html", cap.group(), origin=_part(origin, at, cap.end()))
        elif top and (cap := _DEF.match(src, at)):
            pass  # a link definition: remark's lexer took it already, marked's links are replaced
        elif top and (cap := _TABLE.match(src, at)):
            yield _table(cap, pipes_around=True, origin=_part(origin, at, cap.end()))
        elif top and (cap := _PARAGRAPH.match(src, at)):
            text = cap.group(1)
            yield Block("paragraph", text[:-1] if text.endswith("\n") else text,
                        origin=_part(origin, at, cap.end()))
        elif cap := _TEXT.match(src, at):
            yield Block("text", cap.group(), origin=_part(origin, at, cap.end()))
        else:
            raise ValueError(f"marked: infinite loop on byte {ord(src[at])}")  # as marked throws
        at = end if end is not None else cap.end()


def _list_at(src: str, at: int) -> re.Match | None:
    """marked's list rule at `at`, up to the end of the text's last non-space character. The
    rule ends in `\\s*$`, which JavaScript and Python try at every character of the list: a list
    nested hundreds deep, hundreds of spaces a line, took minutes. Where it matches up to there,
    it takes the trailing white space too (the caller's `end`)."""
    if not _LIST_START.match(src, at):
        return None
    return _LIST_UP_TO_SPACE.match(src, at, len(src.rstrip()))


def _list(cap: re.Match, origin: list[int] | None, depth: int) -> tuple[Block, str | None, int]:
    """A list token and, when smartLists cut it at an item of another bullet, the text left
    (and where it starts in the list's source)."""
    bullet = cap.group(2)
    found = list(_ITEM.finditer(cap.group()))
    base = cap.start()
    made, rest, rest_from, next_loose, i = [], None, 0, False, 0
    while i < len(found):
        item, item_origin = _cut(_ITEM_BULLET, found[i].group(),
                                 _part(origin, base + found[i].start(), base + found[i].end()), count=1)
        if "\n " in item:
            item, item_origin = _cut(_ITEM_INDENT, item, item_origin)  # pedantic outdent
        if i != len(found) - 1:
            other = _ANY_BULLET.search(found[i + 1].group()).group()
            if bullet != other and not (len(bullet) > 1 and len(other) > 1):
                rest = "\n".join(f.group() for f in found[i + 1:])
                rest_from = base + found[i + 1].start()
                i = len(found) - 1
        loose = next_loose or _LOOSE.search(item) is not None
        if i != len(found) - 1:
            next_loose = item.endswith("\n")
            loose = loose or next_loose
        made.append((loose, tuple(_blocks(item, False, item_origin, depth + 1))))
        i += 1
    return Block("list", items=tuple(made), ordered=len(bullet) > 1), rest, rest_from


def _table(cap: re.Match, pipes_around: bool, origin: list[int] | None) -> Block:
    header = re.split(r" *\| *", re.sub(r"^ *| *\| *\Z", "", cap.group(1)))
    align = re.split(r" *\| *", re.sub(r"^ *|\| *\Z", "", cap.group(2)))
    if pipes_around:
        rows = re.sub(r"(?: *\| *)?\n\Z", "", cap.group(3)).split("\n")
        cells = [re.split(r" *\| *", re.sub(r"^ *\| *| *\| *\Z", "", row)) for row in rows]
    else:
        cells = [re.split(r" *\| *", row) for row in re.sub(r"\n\Z", "", cap.group(3)).split("\n")]
    return Block("table", table=(header, [_alignment(a) for a in align], cells), origin=origin)


def _alignment(spec: str) -> str | None:
    if re.fullmatch(r" *-+: *", spec):
        return "right"
    if re.fullmatch(r" *:-+: *", spec):
        return "center"
    return "left" if re.fullmatch(r" *:-+ *", spec) else None


@dataclass
class Marked:
    """marked's Parser and InlineLexer for one slide: the links it resolves (remark hands every
    slide all the deck's link definitions, id: (address, title)), and the Markdown of each
    heading it makes, by the id it gave it."""
    links: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    heading_markdown: dict[str, str] = field(default_factory=dict)

    def html(self, tokens: Iterable[Block], tight: bool = False) -> Iterator[str]:
        """The HTML of each block, in order. marked joins consecutive text tokens (a list item's
        lines) into one; in a tight list item they are not a paragraph."""
        lines: list[str] = []
        for block in tokens:
            if block.kind == "text":
                lines.append(block.text)
                continue
            if lines:
                yield self._text("\n".join(lines), tight)
                lines = []
            yield self._block(block)
        if lines:
            yield self._text("\n".join(lines), tight)

    def _text(self, text: str, tight: bool) -> str:
        return self.inline(text) if tight else f"<p>{self.inline(text)}</p>\n"

    def _block(self, block: Block) -> str:
        kind = block.kind
        if kind == "heading":
            made = heading_id(block.text)
            self.heading_markdown.setdefault(made, block.text)
            return f'<h{block.depth} id="{made}">{self.inline(block.text)}</h{block.depth}>\n'
        if kind == "paragraph":
            return f"<p>{self.inline(block.text)}</p>\n"
        if kind == "code":
            if not block.lang:
                return f"<pre><code>{escape(block.text, True)}\n</code></pre>"
            return f'<pre><code class="{escape(block.lang, True)}">{escape(block.text, True)}\n</code></pre>\n'
        if kind == "html":
            return block.text  # pedantic: an HTML block is not read for inline Markdown
        if kind == "hr":
            return "<hr>\n"
        if kind == "blockquote":
            return f"<blockquote>\n{''.join(self.html(block.children))}</blockquote>\n"
        if kind == "list":
            body = "".join(f"<li>{''.join(self.html(blocks_, tight=not loose))}</li>\n"
                           for loose, blocks_ in block.items)
            tag = "ol" if block.ordered else "ul"
            return f"<{tag}>\n{body}</{tag}>\n"
        if kind == "table":
            return self._table(*block.table)
        return ""  # space

    def _table(self, header: list[str], align: list, rows: list[list[str]]) -> str:
        def cell(text: str, column: int, tag: str) -> str:
            aligned = align[column] if column < len(align) else None
            opening = f'<{tag} style="text-align:{aligned}">' if aligned else f"<{tag}>"
            return f"{opening}{self.inline(text)}</{tag}>\n"

        head = "".join(cell(text, column, "th") for column, text in enumerate(header))
        body = "".join("<tr>\n" + "".join(cell(text, column, "td") for column, text in enumerate(row))
                       + "</tr>\n" for row in rows)
        return f"<table>\n<thead>\n<tr>\n{head}</tr>\n</thead>\n<tbody>\n{body}</tbody>\n</table>\n"

    def inline(self, src: str) -> str:
        """marked's InlineLexer.output. Each rule can only start at certain characters, so the
        rules are tried by the character at hand, in marked's order."""
        out, at, end = [], 0, len(src)
        while at < end:
            char = src[at]
            cap = None
            if char == "\\" and (cap := ESCAPE.match(src, at)):
                out.append(cap.group(1))
            elif char == "<" and (cap := _AUTOLINK.match(src, at)):
                out.append(self._autolink(cap))
            elif char == "h" and (cap := _URL.match(src, at)):
                out.append(f'<a href="{escape(cap.group(1))}">{escape(cap.group(1))}</a>')
            elif char == "<" and (cap := _TAGS.match(src, at)):
                out.append(cap.group())  # not sanitized: the browser reads it as HTML
            elif char in "![" and (cap := _LINK.match(src, at)):
                out.append(self._link(cap, cap.group(2), cap.group(3)))
            elif char in "![" and (cap := _REFLINK.match(src, at) or _NOLINK.match(src, at)):
                # remark keeps each id as written and marked looks the label up in lower
                # case: `[Keras]: url` is never found, `[keras]: url` is.
                label = (cap.group(2) if cap.re is _REFLINK else "") or cap.group(1)
                # remark keeps each id as written, marked looks the label up in lower case:
                # `[Keras]: url` never resolves, `[keras]: url` does.
                link = self.links.get(_SPACE_RUN.sub(" ", label).lower())
                if link is None:
                    out.append(char)  # not a link: its first character is text, and on
                    at += 1
                    continue
                out.append(self._link(cap, *link))
            elif char in "_*" and (cap := _STRONG.match(src, at)):
                out.append(f"<strong>{self.inline(cap.group(2) or cap.group(1))}</strong>")
            elif char in "_*" and (cap := _EM.match(src, at)):
                out.append(f"<em>{self.inline(cap.group(2) or cap.group(1))}</em>")
            elif char == "`" and (cap := _CODESPAN.match(src, at)):
                out.append(f"<code>{escape(cap.group(2), True)}</code>")
            elif char == " " and (cap := _BR.match(src, at)):
                out.append("<br>")
            elif char == "~" and (cap := _DEL.match(src, at)):
                out.append(f"<del>{self.inline(cap.group(1))}</del>")
            elif cap := _INLINE_TEXT.match(src, at):
                out.append(escape(cap.group()))
            at = cap.end()
        return "".join(out)

    def _link(self, cap: re.Match, href: str, title: str | None) -> str:
        titled = f' title="{escape(title)}"' if title else ""
        if cap.group().startswith("!"):
            return f'<img src="{escape(href)}" alt="{escape(cap.group(1))}"{titled}>'
        return f'<a href="{escape(href)}"{titled}>{self.inline(cap.group(1))}</a>'

    def _autolink(self, cap: re.Match) -> str:
        if cap.group(2) == "@":
            # marked writes each character as a random character reference: the same text.
            address = cap.group(1)[7:] if cap.group(1)[6:7] == ":" else cap.group(1)
            return f'<a href="mailto:{escape(address)}">{escape(address)}</a>'
        return f'<a href="{escape(cap.group(1))}">{escape(cap.group(1))}</a>'


@dataclass(frozen=True)
class InlineLink:
    """An image or a link marked's inline lexer makes, where its Markdown lies in the text read."""
    start: int
    end: int
    image: bool
    text: str  # a link's text (Markdown), an image's alternative text, as written
    href: str
    form: str  # "inline" [t](u), "reference" [t][id] or [t], "autolink" <u>, "url" (a bare address)
    text_start: int  # where `text` begins


def inline_links(src: str, links: Mapping[str, tuple[str, str]], base: int = 0,
                 in_link: bool = False) -> Iterator[InlineLink]:
    """The images and links of one text block, in order, as `Marked.inline` reads it (the same
    rules in the same order; a reference that names no definition is text), with offsets
    `base` and on: what the accessibility rules read. Inside a link's text, an address is not
    a link of its own (marked's `inLink`).

    Emphasis is read as text: the links inside it are the same, and a hostile run of `*` would
    make the emphasis rules quadratic (and their recursion deep). The bracket rules are tried
    only where a `]` follows, and the tag rules where a `>` does, for the same reason: a run of
    `[`, or of tags cut off, is text, each tried to the end of the text otherwise."""
    at, end = 0, len(src)
    last_bracket, last_angle = src.rfind("]"), src.rfind(">")
    while at < end:
        char = src[at]
        cap = None
        if (char in "![" and at > last_bracket) or (char == "<" and at > last_angle):
            cap = _INLINE_TEXT.match(src, at)
        elif char == "\\" and (cap := ESCAPE.match(src, at)):
            pass
        elif char == "<" and (cap := _AUTOLINK.match(src, at)):
            if cap.group(2) != "@" and not in_link:
                yield InlineLink(base + at, base + cap.end(), False, cap.group(1), cap.group(1),
                                 "autolink", base + cap.start(1))
        elif char == "h" and not in_link and (cap := _URL.match(src, at)):
            yield InlineLink(base + at, base + cap.end(), False, cap.group(1), cap.group(1), "url",
                             base + at)
        elif char == "<" and (cap := _TAGS.match(src, at)):
            pass
        elif char in "![" and (cap := _LINK.match(src, at)):
            yield from _found_link(cap, cap.group(2), "inline", links, base)
        elif char in "![" and (cap := _REFLINK.match(src, at) or _NOLINK.match(src, at)):
            label = (cap.group(2) if cap.re is _REFLINK else "") or cap.group(1)
            link = links.get(_SPACE_RUN.sub(" ", label).lower())
            if link is None:
                at += 1  # text, as in `Marked.inline`
                continue
            yield from _found_link(cap, link[0], "reference", links, base)
        elif not (char == "`" and (cap := _CODESPAN.match(src, at))) \
                and not (char == " " and (cap := _BR.match(src, at))):
            cap = _INLINE_TEXT.match(src, at)
        at = cap.end()


def _found_link(cap: re.Match, href: str, form: str, links: Mapping[str, tuple[str, str]],
                base: int) -> Iterator[InlineLink]:
    image = cap.group().startswith("!")
    yield InlineLink(base + cap.start(), base + cap.end(), image, cap.group(1), href, form,
                     base + cap.start(1))
    if not image:  # a link's text is Markdown: an image in it is an image
        yield from inline_links(cap.group(1), links, base + cap.start(1), in_link=True)
