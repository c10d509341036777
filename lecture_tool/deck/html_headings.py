"""What the browser's HTML parser makes of a slide's HTML, as far as its headings go: which h1–h6
elements exist in remark's page, in order, with their id and their textContent.

The HTML is what marked made of the slide (`marked.py`), and the browser decides what in it is
an element. After `<style>`, `<script>`, `<xmp>`, `<iframe>`, `<noembed>`, `<noframes>` and
`<noscript>` (scripts run) everything up to the matching end tag is that element's text, and so
it is after `<textarea>` and `<title>`, with character references decoded; after `<plaintext>`
everything is text; a comment holds no element; and what `<template>` holds is in no document a
query reaches. This follows the HTML standard's tokenizer for those, and its tree construction
only as far as opening and closing a heading goes (which start tag closes an open heading or
paragraph, which end tag closes what), in SVG and MathML too, where `<style>` is an element like
any other. (highlight.js, which remark runs on code blocks, keeps the elements in them.)
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from functools import cache

from .js_regex import S

RAW_TEXT = frozenset({"style", "script", "xmp", "iframe", "noembed", "noframes", "noscript"})
ESCAPABLE_RAW_TEXT = frozenset({"textarea", "title"})  # character references are decoded there
HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
VOID = frozenset({"area", "base", "basefont", "bgsound", "br", "col", "embed", "frame", "hr", "image",
                  "img", "input", "keygen", "link", "meta", "param", "source", "track", "wbr"})
# Start tags that end an open <p> first ("close a p element").
CLOSES_P = HEADINGS | frozenset({
    "address", "article", "aside", "blockquote", "center", "details", "dialog", "dir", "div", "dl",
    "fieldset", "figcaption", "figure", "footer", "header", "hgroup", "main", "menu", "nav", "ol",
    "p", "search", "section", "summary", "ul", "pre", "listing", "form", "li", "dd", "dt",
    "plaintext", "table", "hr", "xmp"})
# End tags that close everything open inside their element, when it is in scope.
_CLOSE_INSIDE = frozenset({
    "address", "article", "aside", "blockquote", "button", "center", "details", "dialog", "dir",
    "div", "dl", "fieldset", "figcaption", "figure", "footer", "header", "hgroup", "listing", "main",
    "menu", "nav", "ol", "pre", "search", "section", "summary", "ul", "form", "p", "li", "dd", "dt"})
_SPECIAL = _CLOSE_INSIDE | HEADINGS | VOID | RAW_TEXT | ESCAPABLE_RAW_TEXT | frozenset({
    "applet", "body", "caption", "colgroup", "frameset", "head", "html", "marquee", "object",
    "plaintext", "select", "table", "tbody", "td", "template", "tfoot", "th", "thead", "tr"})
_SCOPE_LIMITS = frozenset({"applet", "caption", "html", "table", "td", "th", "marquee", "object",
                           "template"})
# In SVG and MathML, where HTML's rules apply again, and the start tags that leave them.
_INTEGRATION_POINTS = frozenset({"foreignobject", "desc", "title", "mi", "mo", "mn", "ms", "mtext"})
_LEAVE_FOREIGN = HEADINGS | frozenset({
    "b", "big", "blockquote", "body", "br", "center", "code", "dd", "div", "dl", "dt", "em",
    "embed", "head", "hr", "i", "img", "li", "listing", "menu", "meta", "nobr", "ol", "p", "pre",
    "ruby", "s", "small", "span", "strong", "strike", "sub", "sup", "table", "tt", "u", "ul", "var"})

_WS = "\t\n\f\r "
# An attribute: its name, then perhaps a value. Each part takes all it can (the lookaheads), so
# that a tag the input cuts off fails at once instead of trying every split of its text.
_NAME = rf"[^{_WS}/>][^{_WS}/>=]*(?![^{_WS}/>=])"
_VALUE = rf"[{_WS}]*=[{_WS}]*(?:\"([^\"]*)\"|'([^']*)'|([^{_WS}>\"'][^{_WS}>]*(?![^{_WS}>])))"
# A start or end tag as the browser's tokenizer reads one (`regions.py` splits raw HTML at them).
TAG = re.compile(rf"<(/?)([A-Za-z][^{_WS}/>]*)((?:[{_WS}/]|{_NAME}(?:{_VALUE})?)*)>")
_ATTRIBUTE = re.compile(rf"({_NAME})(?:{_VALUE})?")
_COMMENT_END = re.compile(r"--!?>")
_SPACE_RUN = re.compile(f"{S}+")


@dataclass
class HeadingElement:
    """An h1–h6 element, as the parser builds it."""
    id: str
    level: int = 1  # the 3 of <h3>
    parts: list[str] = field(default_factory=list)  # its text, as its descendants add to it
    closed: bool = False

    @property
    def text(self) -> str:
        """Its textContent with white space collapsed, as remark's outline would show it."""
        return _SPACE_RUN.sub(" ", "".join(self.parts)).strip(" ")


@dataclass
class _Open:
    name: str
    foreign: bool  # an SVG or MathML element
    heading: HeadingElement | None = None
    hides: bool = False  # a <template>: a query reaches nothing inside


class HeadingParser:
    """Feed it a slide's HTML, a block at a time (a tag, a comment, a character reference never
    spans two), then `close()`; `headings` are the h1–h6 elements, in document order."""

    def __init__(self) -> None:
        self.headings: list[HeadingElement] = []
        self._source = ""
        self._at = 0
        self._stack: list[_Open] = []
        self._open_headings: list[HeadingElement] = []
        self._hidden = 0  # open <template> elements
        self._text_of: str | None = None  # the raw text element being read, up to its end tag
        self._end_searched = 0  # where its end tag was last looked for
        self._plaintext = False

    @property
    def first_is_complete(self) -> bool:
        return bool(self.headings) and self.headings[0].closed

    def feed(self, piece: str) -> None:
        # What was read is dropped: the blocks of a long slide are not copied again and again.
        self._source = self._source[self._at:] + piece
        self._end_searched = max(0, self._end_searched - self._at)
        self._at = 0
        self._read(at_end=False)

    def close(self) -> list[HeadingElement]:
        self._read(at_end=True)
        while self._stack:
            self._pop()
        return self.headings

    def _read(self, at_end: bool) -> None:
        source, at = self._source, self._at
        while at < len(source):
            if self._plaintext:
                self._text(source[at:])
                at = len(source)
            elif self._text_of is not None:
                end = _end_tag(self._text_of).search(source, max(at, self._end_searched))
                if end is None and not at_end:
                    # Its end tag may come with the next block (and cannot begin long before).
                    self._end_searched = max(at, len(source) - len(self._text_of) - 2)
                    break
                stop = end.start() if end else len(source)
                content = source[at:stop]
                self._text(html.unescape(content) if self._text_of in ESCAPABLE_RAW_TEXT else content)
                self._text_of, at = None, stop
            elif source[at] != "<":
                stop = source.find("<", at)
                stop = len(source) if stop < 0 else stop
                if self._open_headings:
                    self._text(html.unescape(source[at:stop]))
                at = stop
            else:
                read = self._markup(source, at, at_end)
                if read is None:
                    break
                at = read
        self._at = at

    def _markup(self, source: str, at: int, at_end: bool) -> int | None:
        """Reads the markup at `at` (a `<`): where it ends, or None to wait for more."""
        if source.startswith("<!--", at):
            if source.startswith(("<!-->", "<!--->"), at):
                return source.index(">", at) + 1
            end = _COMMENT_END.search(source, at + 4)
            return end.end() if end else (len(source) if at_end else None)
        if source.startswith(("<!", "<?"), at) or (source.startswith("</", at) and not
                                                     _letter(source[at + 2:at + 3])):
            if source.startswith("</>", at):
                return at + 3
            if source.startswith("</", at) and at + 2 == len(source):
                if not at_end:
                    return None
                self._text("</")
                return at + 2
            end = source.find(">", at)  # a bogus comment: <!DOCTYPE …>, <?…>, </3>
            return end + 1 if end >= 0 else (len(source) if at_end else None)
        if not source.startswith("</", at) and not _letter(source[at + 1:at + 2]):
            if at + 1 == len(source) and not at_end:
                return None
            self._text("<")
            return at + 1
        tag = TAG.match(source, at)
        if tag is None:
            return len(source) if at_end else None  # a tag cut by the end of the input is dropped
        name, attributes = tag.group(2).lower(), tag.group(3)
        if tag.group(1):
            self._end(name)
        else:
            self._start(name, attributes)
        return tag.end()

    def _text(self, text: str) -> None:
        if not self._hidden:
            for heading in self._open_headings:
                heading.parts.append(text)

    def _start(self, name: str, attributes: str) -> None:
        self_closing = attributes.endswith("/")
        if self._in_foreign():
            if name not in _LEAVE_FOREIGN and not (name == "font" and re.search(
                    r"(?:^|[\t\n\f\r /])(?:color|face|size)\b", attributes, re.I)):
                if not self_closing:
                    self._push(_Open(name, foreign=True))
                return
            while self._in_foreign():
                self._pop()
        if name in ("svg", "math"):
            if not self_closing:
                self._push(_Open(name, foreign=True))
            return
        if name in CLOSES_P and self._in_scope(lambda open_: open_.name == "p", extra=("button",)):
            self._pop_until(lambda open_: open_.name == "p")
        if name in HEADINGS and self._stack and self._stack[-1].name in HEADINGS:
            self._pop()
        if name in VOID:
            return
        opened = _Open(name, foreign=False)
        if name in HEADINGS and not self._hidden:
            opened.heading = HeadingElement(_attribute(attributes, "id"), int(name[1]))
            self.headings.append(opened.heading)
        opened.hides = name == "template"
        self._push(opened)
        if name in RAW_TEXT or name in ESCAPABLE_RAW_TEXT:
            self._text_of, self._end_searched = name, 0
        elif name == "plaintext":
            self._plaintext = True

    def _end(self, name: str) -> None:
        if self._stack and self._stack[-1].foreign:
            for open_ in reversed(self._stack):
                if not open_.foreign:
                    break
                if open_.name == name:
                    self._pop_until(lambda popped: popped is open_)
                    return
        if name in HEADINGS:
            if self._in_scope(lambda open_: open_.name in HEADINGS):
                self._pop_until(lambda open_: open_.name in HEADINGS)
        elif name == "template":
            if self._hidden:
                self._pop_until(lambda open_: open_.name == "template")
        elif name in _CLOSE_INSIDE:
            extra = ("button",) if name == "p" else ("ol", "ul") if name == "li" else ()
            if self._in_scope(lambda open_: open_.name == name, extra):
                self._pop_until(lambda open_: open_.name == name)
        else:  # "any other end tag": closes its element unless a special one is open inside it
            for open_ in reversed(self._stack):
                if open_.name == name and not open_.foreign:
                    self._pop_until(lambda popped: popped is open_)
                    return
                if open_.name in _SPECIAL or open_.foreign:
                    return

    def _in_foreign(self) -> bool:
        return bool(self._stack) and self._stack[-1].foreign \
            and self._stack[-1].name not in _INTEGRATION_POINTS

    def _in_scope(self, wanted, extra: tuple[str, ...] = ()) -> bool:
        for open_ in reversed(self._stack):
            if open_.foreign:
                if open_.name in _INTEGRATION_POINTS or open_.name == "annotation-xml":
                    return False
            elif wanted(open_):
                return True
            elif open_.name in _SCOPE_LIMITS or open_.name in extra:
                return False
        return False

    def _push(self, opened: _Open) -> None:
        self._stack.append(opened)
        if opened.heading is not None:
            self._open_headings.append(opened.heading)
        self._hidden += opened.hides

    def _pop(self) -> _Open:
        popped = self._stack.pop()
        if popped.heading is not None:
            popped.heading.closed = True
            self._open_headings.remove(popped.heading)
        self._hidden -= popped.hides
        return popped

    def _pop_until(self, wanted) -> None:
        while self._stack and not wanted(self._pop()):
            pass


@cache
def _end_tag(name: str) -> re.Pattern:
    return re.compile(rf"</{name}(?=[{_WS}/>])", re.I)


def _letter(char: str) -> bool:
    return char.isascii() and char.isalpha()


def _attribute(attributes: str, wanted: str) -> str:
    for found in _ATTRIBUTE.finditer(attributes):
        if found.group(1).lower() == wanted:
            return html.unescape(next((v for v in found.groups()[1:] if v is not None), ""))
    return ""


def closes_paragraph(fragment: str) -> bool:
    """Whether the browser ends a `<p>` holding `fragment` before its end: a start tag that
    closes a paragraph, or `</p>`."""
    return _CLOSES_P_TAG.search(fragment) is not None


_CLOSES_P_TAG = re.compile(rf"<(?:{'|'.join(sorted(CLOSES_P))}|/p)(?=[{_WS}/>])", re.I)
