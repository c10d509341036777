"""Parse a Remark deck into slides with source line numbers.

The slide structure follows remark.js 0.14 (the version we ship) rule for rule: its lexer
(`src/remark/lexer.js`), its parser (`parser.js`) and the layout/template pass of
`models/slideshow.js`. The regular expressions are the same ones, translated to Python's dialect
(`js_regex.py`): JavaScript's `$` (without the m flag) is Python's `\\Z`, and JavaScript's `\\s`
and `\\w` are spelled out, because Python's Unicode classes differ from them.

Every later stage (rendering, checks, snippets) works from the `Deck` this module returns.
"""
from __future__ import annotations

import bisect
import difflib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from ..diagnostics import ERROR, WARNING, Diagnostic
from ..macros import Macros
from .js_regex import JS_SPACE, NOT_S, S

_CODE = r"(?:^|\n)( {4}[^\n]+\n*)+"
_INLINE_CODE = r"`([^`]+?)`"
_CONTENT = r"(?:\\)?((?:\.[a-zA-Z_\-][a-zA-Z\-_0-9]*)+)\["
_FENCES = rf"(?:^|\n) *(`{{3,}}|~{{3,}}) *(?:{NOT_S}+)? *\n(?:[\s\S]+?){S}*\4 *(?:\n+|\Z)"
_DEF = rf"(?:^|\n) *\[([^\]]+)\]: *<?([^{JS_SPACE}>]+)>?(?: +[\"(]([^\n]+)[\")])? *(?:\n+|\Z)"
_MACRO = r"!\[:([^\] ]+)([^\]]*)\](?:\(([^\)]*)\))?"
_SEPARATOR = r"(?:^|\n)(---?)(?:\n|\Z)"
_NOTES_SEPARATOR = r"(?:^|\n)(\?{3})(?:\n|\Z)"

# Group numbers of the combined expressions, as in lexer.js.
_G_CODE, _G_INLINE_CODE, _G_CONTENT, _G_FENCES = 1, 2, 3, 4
_G_DEF, _G_MACRO, _G_SEPARATOR, _G_NOTES = 5, 8, 11, 12

_BLOCK = re.compile("|".join(
    [_CODE, _INLINE_CODE, _CONTENT, _FENCES, _DEF, _MACRO, _SEPARATOR, _NOTES_SEPARATOR]))
_INLINE = re.compile("|".join([_CODE, _INLINE_CODE, _CONTENT, _FENCES, _DEF, _MACRO]))


@dataclass(frozen=True)
class _Consuming:
    """lexer.js matches against what is left of the string, so `^` means "where we are now".
    Slicing the string after every token would cost its length each time; instead, `here`
    matches at the current offset with `^` true there, and `later` searches past it, where
    only the `\n` of `(?:^|\n)` can match."""
    here: re.Pattern
    later: re.Pattern

    @classmethod
    def of(cls, regex: re.Pattern) -> "_Consuming":
        here, later = (regex.pattern.replace(r"(?:^|\n)", anchor) for anchor in (r"(?:|\n)", r"(?:\n)"))
        assert here != regex.pattern, "lexer.js's anchors are written (?:^|\\n)"
        return cls(re.compile(here), re.compile(later))

    def search(self, text: str, pos: int, endpos: int) -> re.Match | None:
        return self.here.match(text, pos, endpos) or self.later.search(text, pos + 1, endpos)


_LEX = {_BLOCK: _Consuming.of(_BLOCK), _INLINE: _Consuming.of(_INLINE)}

# A property line as parser.js reads one (a `$` ends none), and the same as an HTML comment.
_PROPERTY_LINE = r"\n*([-A-Za-z0-9_]+):([^$\n]*)"
PROPERTY = re.compile(
    rf"^{_PROPERTY_LINE}"
    rf"|\n*(?:<!--{S}*)([-A-Za-z0-9_]+):([^$\n]*?)(?:{S}*-->)")
_LEADING_PROPERTY = re.compile(_PROPERTY_LINE)
_SEPARATOR_LINE = re.compile(r"\n(---?)(?=\n)")
_INNER_OPENING_FENCE = re.compile(r"\n *(?:`{3,}|~{3,}) *[^\s`~]")
_UNCLOSED_FENCE = re.compile(r"(?:^|\n)( *(?:`{3,}|~{3,})[^`\n]*)(?=\n|\Z)")


@dataclass(frozen=True)
class Token:
    """One lexer token. `start`/`end` are offsets in `Deck.source`."""
    kind: str  # text, inline_code, code, fences, def, macro, separator, notes, content_start, content_end
    start: int
    end: int
    text: str
    # a content class's names; a macro's name; a link definition's id, address and title
    classes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Slide:
    """A slide as remark shows it (layout slides are not slides; excluded ones are gone)."""
    index: int  # remark's getSlideIndex(): the URL is #index+1
    number: int  # the number remark displays (slides with `count: false` do not advance it)
    line: int  # 1-based source line of the slide's first non-blank line
    start_line: int  # 1-based line where the slide's source (`body`) begins, after its separator
    end_line: int  # last source line of the slide
    continued: bool  # started with `--`
    name: str
    css_class: str  # the `class` property after inheritance from layout/template/previous step
    properties: dict[str, str]  # own and inherited properties, as remark holds them
    notes_line: int | None  # line of the (last) `???` separator, when the slide has presenter notes
    body: str  # source text of the slide without its notes, beginning at `start_line`
    # The Markdown remark renders: template content, then (or into) the slide's own; as written
    # (an escaped `\.class[` keeps its backslash), so that it lexes as the source did.
    content: str
    notes: str  # presenter notes source, beginning on the line after `notes_line`
    # The link definitions of every slide remark shows, by id: (address, title). remark resolves
    # `[text][id]` with them on each slide.
    links: Mapping[str, tuple[str, str]] = field(default_factory=dict, repr=False, compare=False)

    @property
    def has_notes(self) -> bool:
        return self.notes_line is not None

    @cached_property
    def title(self) -> str:
        """The text of the slide's first heading as remark's page holds it (see `headings`).
        Worked out when asked: the outline wants every slide's, a build only a few."""
        return first_heading(self.content, self.links, self.properties)


@dataclass
class Deck:
    path: Path
    source: str  # after remark's cleanInput (common indentation removed); lines are preserved
    tokens: list[Token]
    slides: list[Slide]
    title: str
    layouts: list[Slide] = field(default_factory=list)  # `layout: true` slides: content, not slides
    diagnostics: list[Diagnostic] = field(default_factory=list)
    macros: Macros = Macros()  # the macros its page defines, as the deck was parsed with them
    # What later stages work out from the deck once and read several times (the Markdown regions
    # that the checks and the page both need): derived from the fields above, never set by hand.
    derived: dict = field(default_factory=dict, repr=False, compare=False)

    @cached_property
    def _newlines(self) -> list[int]:
        return _newline_offsets(self.source)

    def line_of(self, offset: int) -> int:
        """1-based line of an offset in `source` (the same line in the file)."""
        return bisect.bisect_left(self._newlines, offset) + 1


def last_steps(slides: list[Slide]) -> list[Slide]:
    """The slide that ends each `--` step group (the complete slide): the one whose next slide
    is not a step of it."""
    return [slide for slide, after in zip(slides, [*slides[1:], None])
            if after is None or not after.continued]


def _newline_offsets(text: str) -> list[int]:
    return [m.start() for m in re.finditer("\n", text)]


class DeckError(Exception):
    """A deck that cannot be read at all."""

    def __init__(self, diagnostic: Diagnostic):
        super().__init__(diagnostic.message)
        self.diagnostic = diagnostic


def read_deck(path: Path, data: bytes | None = None, macros: Macros = Macros()) -> Deck:
    """Read and parse a deck file (UTF-8, any newline convention); `data`: its bytes, read
    already (so that what is parsed is what was read, once); `macros`: those its page defines
    (macros.course_macros), the only ones it may use."""
    if data is None:
        data = Path(path).read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise DeckError(Diagnostic(Path(path), line, ERROR,
                                   f"not UTF-8: byte 0x{data[exc.start]:02x} cannot be decoded")) from exc
    return parse_deck(text, Path(path), macros)


def parse_deck(text: str, path: Path = Path("<deck>"), macros: Macros = Macros()) -> Deck:
    """Parse Markdown deck source into slides, as remark.js would; a macro its page does not
    define (`macros`: remark's and ours, unless a course adds its own) is an error."""
    # Browsers hand remark textarea content with CR LF and CR turned into LF; so do we.
    source = clean_input(text.replace("\r\n", "\n").replace("\r", "\n"))
    tokens = lex(source)
    deck = Deck(path=path, source=source, tokens=tokens, slides=[], title="", macros=macros)
    parsed = _parse(tokens, source)
    deck.diagnostics = _lexer_diagnostics(deck, parsed) + _steps_of_excluded(deck, parsed)
    kept = [slide for slide in parsed if not slide.excluded]
    excluded_names = {slide.properties.get("name") for slide in parsed if slide.excluded}
    deck.slides, deck.layouts = _layout(kept, deck, excluded_names)
    deck.title = _deck_title(kept, deck.slides, path)
    return deck


def lex(source: str) -> list[Token]:
    """The tokens of a piece of deck source, as lexer.js makes them."""
    tokens: list[Token] = []
    _lex(source, 0, _BLOCK, tokens)
    return tokens


def clean_input(source: str) -> str:
    """Remove the indentation every line shares, as remark's cleanInput does (gnab/remark#105)."""
    widths = [len(m.group(1)) for m in re.finditer(r"^([ \t]*)[^ \t\n]", source, re.M)]
    if not widths:
        return source
    return re.sub(r"^[ \t]{0,%d}" % min(widths), "", source, flags=re.M)


def _lex(source: str, base: int, regex: re.Pattern, tokens: list[Token]) -> None:
    """Tokens of `source` in order, as lexer.js makes them.

    lexer.js recurses into each content class `.name[...]`; a stack of frames does the same
    here, so that a deck nesting classes a thousand deep is no deeper a call stack. A frame is
    a range of `source` still to lex, its regex, and the token that closes it.
    """
    closing_bracket = _matching_brackets(source)
    frames: list[tuple[int, int, re.Pattern, Token | None]] = [(0, len(source), regex, None)]
    while frames:
        pos, end_of_frame, regex, closes = frames.pop()
        entered = False
        while not entered and (cap := _LEX[regex].search(source, pos, end_of_frame)) is not None:
            if cap.start() > pos:
                tokens.append(Token("text", base + pos, base + cap.start(), source[pos:cap.start()]))
            start, matched = base + cap.start(), cap.group(0)
            consumed_to = cap.end()
            if cap.group(_G_CODE):
                tokens.append(Token("code", start, start + len(matched), matched))
            elif cap.group(_G_INLINE_CODE):
                tokens.append(Token("inline_code", start, start + len(matched), matched))
            elif cap.group(_G_FENCES):
                tokens.append(Token("fences", start, start + len(matched), matched))
            elif cap.group(_G_DEF):
                tokens.append(Token("def", start, start + len(matched), matched,
                                    classes=(cap.group(_G_DEF), cap.group(_G_DEF + 1),
                                             cap.group(_G_DEF + 2) or "")))
            elif cap.group(_G_MACRO):
                tokens.append(Token("macro", start, start + len(matched), matched,
                                    classes=(cap.group(_G_MACRO),)))
            elif cap.re.groups >= _G_SEPARATOR and cap.group(_G_SEPARATOR):
                tokens.append(Token("separator", start, start + len(matched), cap.group(_G_SEPARATOR)))
            elif cap.re.groups >= _G_NOTES and cap.group(_G_NOTES):
                tokens.append(Token("notes", start, start + len(matched), matched))
            elif cap.group(_G_CONTENT):
                close = closing_bracket.get(cap.end() - 1)  # the `]` that closes this `[`
                if close is None or close >= end_of_frame:
                    tokens.append(Token("text", start, start + len(matched), matched,
                                        classes=("unclosed",)))
                elif matched[0] != "\\":
                    classes = tuple(cap.group(_G_CONTENT)[1:].split("."))
                    tokens.append(Token("content_start", start, base + cap.end(), matched, classes))
                    # The rest of this frame waits under the class's content.
                    frames.append((close + 1, end_of_frame, regex, closes))
                    frames.append((cap.end(), close, _INLINE,
                                   Token("content_end", base + close, base + close + 1, "]")))
                    entered = True
                    continue
                else:
                    tokens.append(Token("text", start, base + close + 1,
                                        matched[1:] + source[cap.end():close] + "]"))
                    consumed_to = close + 1
            pos = consumed_to
        if entered:
            continue
        if pos < end_of_frame:
            tokens.append(Token("text", base + pos, base + end_of_frame, source[pos:end_of_frame]))
        if closes is not None:
            tokens.append(closes)


def _matching_brackets(text: str) -> dict[int, int]:
    """For each `[` of `text`, the offset of the `]` that brings its depth back to zero
    (lexer.js's getTextInBrackets counts every bracket, escaped or not), found in one pass."""
    pairs, opened = {}, []
    for match in re.finditer(r"[\[\]]", text):
        if match.group() == "[":
            opened.append(match.start())
        elif opened:
            pairs[opened.pop()] = match.start()
    return pairs


@dataclass
class _Parsed:
    """A slide as parser.js returns it, before layouts and templates."""
    start: int
    end: int = -1
    continued: bool = False
    first_parts: list[str] = field(default_factory=list)  # parser.js's slide.content[0], in pieces
    first_content_end: int = -1
    first_content_closed: bool = False
    notes_start: int | None = None  # offset of the first `???` token: the slide's text ends there
    notes_at: int = -1  # offset of the last one: parser.js starts the notes again at each
    notes_end: int = -1  # offset just after the last one, where the notes begin
    properties: dict[str, str] = field(default_factory=dict)
    text: str = ""  # the slide's Markdown without its properties and notes
    links: dict[str, tuple[str, str]] = field(default_factory=dict)  # its link definitions, notes too

    @property
    def excluded(self) -> bool:
        # parser.js drops the slide before layouts and templates are applied: only its own
        # `exclude` counts, and nothing can inherit from it.
        return self.properties.get("exclude", "").lower() == "true"


def _parse(tokens: list[Token], source: str) -> list[_Parsed]:
    """Every slide parser.js makes, excluded ones too (it drops those last)."""
    slides = [_Parsed(start=0)]
    depth = 0
    for token in tokens:
        slide = slides[-1]
        in_notes = slide.notes_start is not None
        if token.kind in ("text", "inline_code", "code", "fences", "macro"):
            if depth == 0 and not in_notes and not slide.first_content_closed:
                # As written, joined once (+= would copy it every time): an escaped class keeps
                # its backslash, as it does in the rest of the slide, so that the content lexes
                # as the source did.
                slide.first_parts.append(source[token.start:token.end])
                slide.first_content_end = token.end
        elif token.kind == "content_start":
            depth += 1
        elif token.kind == "content_end":
            depth -= 1
            if depth == 0 and not in_notes:
                slide.first_content_closed = True
        elif token.kind == "separator":
            slide.end = token.start
            slides.append(_Parsed(start=token.end, continued=token.text == "--"))
        elif token.kind == "notes":
            if slide.notes_start is None:
                slide.notes_start = token.start
            slide.notes_at, slide.notes_end = token.start, token.end
        elif token.kind == "def":
            identifier, href, title = token.classes
            slide.links[identifier] = (href, title)
    slides[-1].end = len(source)

    for slide in slides:
        rest = _extract_properties("".join(slide.first_parts), slide.properties)
        body_end = slide.notes_start if slide.notes_start is not None else slide.end
        tail_from = slide.first_content_end if slide.first_content_end >= 0 else slide.start
        slide.text = rest + source[max(tail_from, slide.start):body_end]
    return slides


def _extract_properties(source: str, properties: dict[str, str]) -> str:
    while (match := PROPERTY.search(source)) is not None:
        source = source[:match.start()] + source[match.end():]
        if match.group(1) is not None:
            properties[match.group(1).strip()] = match.group(2).strip()
        else:
            properties[match.group(3).strip()] = match.group(4).strip()
    return source


def leading_properties(body: str, first_line: int) -> tuple[dict[str, str], dict[str, int], int]:
    """The property lines a slide's own text starts with (as written, not as inherited): their
    values, their source lines (the body begins at `first_line`), and where they end in it."""
    values, lines, at = {}, {}, 0
    while (match := _LEADING_PROPERTY.match(body, at)) is not None:
        name = match.group(1).strip()
        values[name] = match.group(2).strip()
        lines[name] = first_line + body.count("\n", 0, match.start(1))
        at = match.end()
    return values, lines, at


_NOT_INHERITED = ("name", "layout", "count")


def _layout(parsed: list[_Parsed], deck: Deck,
            excluded_names: set[str | None]) -> tuple[list[Slide], list[Slide]]:
    """Apply layouts, templates and `--` continuations as slideshow.js's createSlides does
    (`parsed`: the slides that are not excluded)."""
    shown: list[Slide] = []
    layouts: list[Slide] = []
    by_name: dict[str, Slide] = {}
    layout: Slide | None = None
    counted = 0
    links = {identifier: link for raw in parsed if raw.properties.get("layout") != "true"
             for identifier, link in raw.links.items()}
    for i, raw in enumerate(parsed):
        own = raw.properties
        template = None
        if raw.continued and i > 0:
            template = shown[-1] if shown else None
        elif own.get("template") in by_name:
            template = by_name[own["template"]]
        elif own.get("layout") == "false":
            layout = None
        elif layout is not None and own.get("layout") != "true":
            template = layout
        if "template" in own and own["template"] not in by_name:
            deck.diagnostics.append(Diagnostic(
                deck.path, deck.line_of(raw.start), WARNING,
                f"template '{own['template']}' names a slide with `exclude: true`, which remark drops "
                "before it applies templates: remark ignores it" if own["template"] in excluded_names
                else f"template '{own['template']}' is not defined above this slide; remark ignores it"))

        properties = {"continued": "true" if raw.continued else "false", **own}
        content = raw.text
        if template is not None:
            content = _inherit_content(template.content, raw.text)
            if _glued(template.content, raw.text):
                joined = template.content.rsplit("\n", 1)[-1] + raw.text.split("\n", 1)[0]
                where = ("the lines around this '--'" if raw.continued else
                         f"the last line of its {'layout' if template in layouts else 'template'}"
                         " and this slide's first line")
                deck.diagnostics.append(Diagnostic(
                    deck.path, deck.line_of(raw.start) - (1 if raw.continued else 0), WARNING,
                    f"remark joins {where} into one: '{joined}'; put a blank line between them"))
            for key, value in template.properties.items():
                if key in _NOT_INHERITED:
                    continue
                if key == "class" and properties.get("class"):
                    properties["class"] = f"{value}, {properties['class']}"
                elif key == "class" or key not in properties:
                    properties[key] = value

        is_layout = own.get("layout") == "true"
        if not is_layout and own.get("count") != "false":
            counted += 1
        notes_line = deck.line_of(raw.notes_at + 1) if raw.notes_start is not None else None
        if notes_line is not None and raw.notes_at != raw.notes_start:
            deck.diagnostics.append(Diagnostic(
                deck.path, notes_line, WARNING,
                f"a second '???' line in this slide: remark starts its presenter notes again here, "
                f"and shows the lines from the first one (line {deck.line_of(raw.notes_start + 1)}) "
                "to this one nowhere"))
        body_end = raw.notes_start if raw.notes_start is not None else raw.end
        slide = Slide(
            index=len(shown), number=max(1, counted),
            line=deck.line_of(_first_non_blank(deck.source, raw.start, raw.end)),
            start_line=deck.line_of(raw.start),
            end_line=deck.line_of(max(raw.start, raw.end - 1)),
            content=content, continued=raw.continued, name=own.get("name", ""),
            css_class=properties.get("class", ""), properties=properties,
            notes_line=notes_line, body=deck.source[raw.start:body_end],
            notes=deck.source[raw.notes_end:raw.end] if raw.notes_start is not None else "",
            links=links)
        if is_layout:
            layout = slide
            layouts.append(slide)
        if own.get("name"):
            by_name[own["name"]] = slide
        if not is_layout:
            shown.append(slide)
    return shown, layouts


_CONTENT_VARIABLE = re.compile(r"(\\)?\{\{\s*content\s*\}\}")


def _inherit_content(template: str, own: str) -> str:
    # slide.js: the template's content with {{content}} replaced by the slide's, or followed by it.
    if not any(not m.group(1) for m in _CONTENT_VARIABLE.finditer(template)):
        return template + own
    return _CONTENT_VARIABLE.sub(lambda m: m.group(0) if m.group(1) else own, template)


def _glued(before: str, after: str) -> bool:
    return bool(before.strip()) and bool(after.strip()) and not before.endswith("\n") \
        and not after.startswith("\n") and "{{" not in before


_NON_BLANK = re.compile(r"\S")


def _first_non_blank(source: str, start: int, end: int) -> int:
    match = _NON_BLANK.search(source, start, end)
    return match.start() if match else start


def _lexer_diagnostics(deck: Deck, parsed: list[_Parsed]) -> list[Diagnostic]:
    """The lexer's problems; `parsed`: every slide parser.js makes, excluded ones too."""
    found = []
    path = deck.path
    starts = [slide.start for slide in parsed]
    for token in deck.tokens:
        if token.kind == "text" and "unclosed" in token.classes:
            found.append(Diagnostic(
                path, deck.line_of(token.start), WARNING,
                f"'{token.text}' is never closed by ']': remark shows it as plain text"))
        elif token.kind == "text":
            for match in _UNCLOSED_FENCE.finditer(token.text):
                offset = token.start + match.start(1)
                slide = bisect.bisect_right(starts, offset) - 1
                found.append(_unclosed_fence(deck, match.group(1).strip(), offset, parsed, slide))
        elif token.kind == "fences" and (swallowed := _SEPARATOR_LINE.search(token.text)) \
                and _INNER_OPENING_FENCE.search(token.text, swallowed.end()):
            # A fence left open pairs with the closing line of the deck's next fence, and every
            # slide between becomes code; remark does this too, silently. What gives it away:
            # that next fence's opening line (```python), which cannot close a fence, is inside.
            opened = token.text.lstrip("\n").split("\n", 1)[0].strip()
            found.append(Diagnostic(
                path, deck.line_of(token.start + len(token.text) - len(token.text.lstrip("\n"))),
                WARNING, f"code fence '{opened}' holds a '{swallowed.group(1)}' line (line "
                f"{deck.line_of(token.start + swallowed.start(1))}), so the slides up to the fence "
                "that closes it are shown as code: close this fence where its code ends"))
        elif token.kind == "macro" and token.classes[0] not in deck.macros.names:
            found.append(Diagnostic(path, deck.line_of(token.start), ERROR,
                                    _undefined_macro(token.classes[0], deck.macros)))
    return found


def _undefined_macro(name: str, macros: Macros) -> str:
    close = difflib.get_close_matches(name, macros.names, n=1)
    fix = f"did you mean '{close[0]}'? Or define it" if close else "define it"
    return (f"macro '{name}' is not defined (known: {', '.join(sorted(macros.names))}): remark "
            f"stops and shows no slide at all; {fix} in {macros.defined_in}")


def _unclosed_fence(deck: Deck, fence: str, offset: int, parsed: list[_Parsed], index: int) -> Diagnostic:
    """A fence that nothing closes, in `parsed[index]`: an error on a slide remark shows.

    parser.js drops a slide with `exclude: true` whole, before layouts and templates are
    applied, so no slide shows anything of it (a layout or a template that is excluded is
    none). Only the line that ends it can matter: after a '--' line, a step remark shows."""
    line = deck.line_of(offset)
    if not parsed[index].excluded:
        return Diagnostic(deck.path, line, ERROR, f"code fence '{fence}' is never closed: the rest of the "
                          "slide is shown as Markdown and a '---' or '--' line below it splits the slide")
    following = parsed[index + 1] if index + 1 < len(parsed) else None
    if following is not None and following.continued and not following.excluded:
        return Diagnostic(deck.path, line, WARNING, f"code fence '{fence}' is never closed, in a slide "
                          "with `exclude: true` that remark never shows; but the '--' line below it (line "
                          f"{deck.line_of(following.start) - 1}) ends that slide, and the step after it is shown")
    return Diagnostic(deck.path, line, WARNING, f"code fence '{fence}' is never closed, in a slide with "
                      "`exclude: true`: remark never shows that slide, so the open fence changes nothing "
                      "anyone sees")


def _steps_of_excluded(deck: Deck, parsed: list[_Parsed]) -> list[Diagnostic]:
    """parser.js drops a slide with `exclude: true` but not the `--` steps after it, each a slide
    of its own: remark shows them, continuing the last slide it shows before."""
    return [Diagnostic(deck.path, deck.line_of(step.start) - 1, WARNING,
                       "this '--' step follows a slide with `exclude: true`: remark drops that slide, "
                       "not its steps, so it shows this one; give it `exclude: true` too")
            for before, step in zip(parsed, parsed[1:])
            if before.excluded and step.continued and not step.excluded]


def _deck_title(parsed: list[_Parsed], slides: list[Slide], path: Path) -> str:
    if parsed and parsed[0].properties.get("title"):
        return parsed[0].properties["title"]
    for slide in slides:
        if slide.title:
            return slide.title
    return path.stem


def first_heading(content: str, links: Mapping[str, tuple[str, str]] | None = None,
                  properties: Mapping[str, str] | None = None) -> str:
    """The text of the first heading element of a slide's content in remark's page: what
    `document.querySelector('h1, h2, h3, h4, h5, h6').textContent` says there."""
    found = headings(content, links, properties, first_only=True)
    return found[0].text if found else ""


def headings(content: str, links: Mapping[str, tuple[str, str]] | None = None,
             properties: Mapping[str, str] | None = None, first_only: bool = False) -> list:
    """The heading elements (`converter.Heading`) of a slide's content (`Slide.content`) in
    remark's page, in order; only the first when that is all that is wanted. `links`: the deck's
    link definitions (`Slide.links`); `properties`: the slide's, which `{{name}}` in it becomes."""
    # Imported here: `import lecture_tool.deck` and `lecture --help` stay light, and most
    # commands want no title (a build asks only for the deck's, from its first slide).
    from .converter import slide_headings

    return slide_headings(_content_parts(content, properties or {}), links or {}, first_only)


def slide_html(content: str, links: Mapping[str, tuple[str, str]] | None = None,
               properties: Mapping[str, str] | None = None,
               expand_macro: Callable[[str, list[str], str | None], str] | None = None) -> str:
    """The HTML remark's converter makes of a slide's content (or of its notes), before the
    browser reads it. `expand_macro(name, args, obj)`: the HTML of a macro, which remark gets
    by running it (without one, a macro stays as it is written)."""
    from .converter import converted_html

    return converted_html(_content_parts(content, properties or {}, expand_macro), links or {})


_VARIABLE = re.compile(r"(\\)?(\{\{([^}\n]+)\}\})")
_MACRO_PARTS = re.compile(_MACRO)
_TRIM = re.compile(f"^{S}+|{S}+$")  # String.prototype.trim


def slide_markdown(content: str, links: Mapping[str, tuple[str, str]] | None = None,
                   properties: Mapping[str, str] | None = None) -> str:
    """The Markdown remark's converter gives marked for a slide's content: its content classes
    converted to HTML already."""
    from .converter import converted_markdown

    return converted_markdown(_content_parts(content, properties or {}), links or {})


def _content_parts(content: str, properties: Mapping[str, str],
                   expand_macro: Callable[[str, list[str], str | None], str] | None = None) -> list:
    """A slide's content as parser.js holds it, lexed again: text and content classes
    (`converter.ContentClass`), without link definitions, `{{name}}` replaced as slide.js's
    expandVariables does; each macro as `expand_macro` makes it, if given."""
    from .converter import ContentClass

    tokens: list[Token] = []
    _lex(content, 0, _INLINE, tokens)
    root: list = []
    opened: list[ContentClass] = []
    text: list[str] = []  # the text since the last class began or ended, joined once

    def end_of_text() -> None:
        if text:
            joined = "".join(text)
            (opened[-1].parts if opened else root).append(
                _VARIABLE.sub(lambda found: _variable(found, properties), joined) if "{{" in joined else joined)
            text.clear()

    for token in tokens:
        if token.kind == "content_start":
            end_of_text()
            opened.append(ContentClass(" ".join(token.classes), token.end))
            (opened[-2].parts if len(opened) > 1 else root).append(opened[-1])
        elif token.kind == "content_end":
            end_of_text()
            closed = opened.pop()
            closed.block = "\n" in content[closed.start:token.start]
        elif token.kind == "macro" and expand_macro is not None:
            found = _MACRO_PARTS.fullmatch(token.text)
            # lexer.js: the arguments split at commas and trimmed, the address as `this`.
            args = [_TRIM.sub("", arg) for arg in (found.group(2) or "").split(",")]
            text.append(expand_macro(found.group(1), args, found.group(3)))
        elif token.kind != "def":
            text.append(token.text)
    end_of_text()
    return root


def _variable(found: re.Match, properties: Mapping[str, str]) -> str:
    name = found.group(3).strip()
    if found.group(1):
        return found.group(2)  # `\{{name}}` shows `{{name}}`
    if name in properties:
        return properties[name]
    return "" if name == "content" else found.group(2)
