"""Colour contrast of the built stylesheet, as WCAG 2.1 AA asks it (1.4.3, 1.4.11), at build time.

What is checked: the elements a page shows (the slide's text, headings, links, footnotes, inline
code, the slide number; each token colour of the page's highlight.js style on a code line and
on a highlighted line; the course page's text and links) and every element a rule of the
course's stylesheet gives a colour or a background (`.red { color: … }` is a span of class
`red` on a slide). Each is placed where remark puts it (inside `.remark-slide-content`, inside
`pre > code.remark-code.hljs > .remark-code-line` for a token), styled by the cascade of
remark's own styles, the highlight style and lecture.css (in the page's order), and its text
colour composited over the backgrounds under it (alpha and `opacity` included) from the
white canvas up. Text needs 4.5:1, large text 3:1 (≥ 24 px, or ≥ 18.66 px bold, in the slide's
CSS pixels, as axe-core measures it), and a pseudo-element that paints (a bar, a rule) 3:1
against what is behind it.

What is not: inline styles, images behind text (nothing is said where one is), and what a
selector's `:not()` or sibling says (see selectors.py).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from .css import (IMAGE, TRANSPARENT, Colour, Declaration, Rule, colour_in, hex_of, parse_colour,
                  resolve_vars)
from .selectors import Element, matches, parse_selector, specificity

TEXT, LARGE_TEXT, NON_TEXT = 4.5, 3.0, 3.0
WHITE: Colour = (255.0, 255.0, 255.0, 1.0)
BLACK: Colour = (0.0, 0.0, 0.0, 1.0)
ROOT_FONT_PX = 16.0


def luminance(colour: Colour) -> float:
    """WCAG 2.1's relative luminance of an opaque sRGB colour."""
    def linear(channel: float) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
    red, green, blue = (linear(c) for c in colour[:3])
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast_ratio(one: Colour, other: Colour) -> float:
    lighter, darker = sorted((luminance(one), luminance(other)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def over(top: Colour, bottom: Colour) -> Colour:
    """`top` painted over `bottom` (source-over, straight alpha)."""
    alpha = top[3] + bottom[3] * (1 - top[3])
    if alpha == 0:
        return TRANSPARENT
    mixed = [(t * top[3] + b * bottom[3] * (1 - top[3])) / alpha for t, b in zip(top[:3], bottom[:3])]
    return mixed[0], mixed[1], mixed[2], alpha


def faded(colour: Colour, opacity: float) -> Colour:
    return colour[0], colour[1], colour[2], colour[3] * opacity


# Where remark puts what a slide shows, and where the course page puts its text.
def slide_context(style: str) -> tuple[Element, ...]:
    return (Element("html", frozenset({"remark-container"})), Element("body", frozenset({"remark-container"})),
            Element("div", frozenset({"remark-slides-area"})),
            Element("div", frozenset({"remark-slide-container", "remark-visible"})),
            Element("div", frozenset({"remark-slide-scaler"})), Element("div", frozenset({"remark-slide"})),
            Element("div", frozenset({"remark-slide-content", f"hljs-{style}"})))


COURSE_CONTEXT = (Element("html"), Element("body", frozenset({"course-index"})), Element("main"))
PRE = Element("pre")
CODE = Element("code", frozenset({"remark-code", "hljs"}))
CODE_LINE = Element("div", frozenset({"remark-code-line"}))
HIGHLIGHTED_LINE = Element("div", frozenset({"remark-code-line", "remark-code-line-highlighted"}))
P, A = Element("p"), Element("a")
# The elements of remark's that a class names, with the tag and classes they have on the page.
KNOWN = {"remark-code": CODE, "hljs": CODE, "remark-code-line": CODE_LINE,
         "remark-code-line-highlighted": HIGHLIGHTED_LINE,
         "remark-inline-code": Element("code", frozenset({"remark-inline-code"})),
         "remark-slide-number": Element("div", frozenset({"remark-slide-number"}))}


@dataclass(frozen=True)
class Probe:
    chain: tuple[Element, ...]  # the element checked, its ancestors before it
    what: str  # how a message names it: "slide text", ".hljs-string", a rule's selector
    where: str = ""  # what it is in, when several probes differ only by `what`: "in code"
    rule: Rule | None = None  # the course's rule it was made from


@dataclass
class Style:
    """An element's computed values that contrast depends on, and where each came from."""
    custom: dict[str, str] = field(default_factory=dict)
    colour: Colour | None = BLACK
    colour_from: tuple[Declaration, Rule] | None = None
    font_px: float | None = ROOT_FONT_PX
    bold: bool = False
    background: Colour | None = TRANSPARENT
    background_from: tuple[Declaration, Rule] | None = None
    image: bool = False
    paint: Colour | None = None  # a pseudo-element's border colour
    opacity: float = 1.0
    hidden: bool = False
    text: bool = True  # a pseudo-element with no text of its own: a graphic


@dataclass(frozen=True)
class Finding:
    probe: Probe
    foreground: Colour
    background: Colour
    ratio: float
    needed: float
    kind: str
    colour_from: tuple[Declaration, Rule] | None
    background_from: tuple[Declaration, Rule] | None


class Cascade:
    """The rules of a page in its order, and each element's computed style (kept per chain)."""

    def __init__(self, rules: list[Rule]):
        # Each selector filed under what its last compound needs most (a class, else a tag):
        # an element is then tried only against the selectors its classes and tag could meet.
        self.by_subject: dict[str, list[tuple[int, Rule, tuple]]] = {}
        for order, rule in enumerate(rules):
            for selector in rule.selectors:
                parsed = parse_selector(selector)
                if parsed is not None:
                    subject = parsed[-1]
                    key = min(subject.classes) if subject.classes else subject.tag or "*"
                    self.by_subject.setdefault(key, []).append((order, rule, parsed))
        self.styles: dict[tuple[Element, ...], Style] = {}

    def declared(self, chain: tuple[Element, ...]) -> dict[str, tuple[Declaration, Rule]]:
        """The winning declaration of each property for the last element of `chain`."""
        element = chain[-1]
        weights: dict[int, tuple[Rule, tuple[int, int, int]]] = {}
        for key in (*element.classes, element.tag, "*"):
            for order, rule, selector in self.by_subject.get(key, ()):
                if matches(selector, chain):
                    weight = specificity(selector)
                    if order not in weights or weight > weights[order][1]:
                        weights[order] = (rule, weight)
        best: dict[str, tuple[tuple, Declaration, Rule]] = {}
        for order in sorted(weights):
            rule, weight = weights[order]
            for declaration in _longhands(rule.declarations):
                key = (declaration.important, weight, order)
                if declaration.name not in best or key >= best[declaration.name][0]:
                    best[declaration.name] = (key, declaration, rule)
        return {name: (declaration, rule) for name, (_, declaration, rule) in best.items()}

    def style(self, chain: tuple[Element, ...]) -> Style:
        if chain not in self.styles:
            parent = self.style(chain[:-1]) if len(chain) > 1 else Style()
            self.styles[chain] = _computed(self.declared(chain), parent, chain[-1])
        return self.styles[chain]


def _longhands(declarations: tuple[Declaration, ...]):
    """The shorthands the check reads, as the longhands they set: `background` sets a colour
    (transparent when it names none) and an image; `border`, `border-top`: the top's colour."""
    for d in declarations:
        if d.name == "background":
            value = resolve_vars(d.value, {}) or d.value
            yield Declaration("background-color", _colour_text(d.value), d.important, d.line)
            yield Declaration("background-image", "url()" if IMAGE.search(value) else "none",
                              d.important, d.line)
        elif d.name in ("border", "border-top"):
            yield Declaration("border-top-color", _colour_text(d.value), d.important, d.line)
        else:
            yield d


def _colour_text(value: str) -> str:
    """The colour part of a shorthand, kept as text (it may hold `var()`)."""
    found = re.search(r"var\([^()]*(?:\([^()]*\))?[^()]*\)|#[0-9a-fA-F]+|(?:rgba?|hsla?)\([^()]*\)", value)
    if found:
        return found.group(0)
    colour = colour_in(value)
    return hex_of(colour) if colour is not None and colour[3] == 1 else \
        ("transparent" if colour is None or colour[3] == 0 else value)


def _computed(declared: dict[str, tuple[Declaration, Rule]], parent: Style, element: Element) -> Style:
    style = Style(custom=dict(parent.custom), colour=parent.colour, colour_from=parent.colour_from,
                  font_px=parent.font_px, bold=parent.bold, hidden=parent.hidden)
    for name, (declaration, _) in declared.items():
        if name.startswith("--"):
            style.custom[name] = declaration.value

    def value(name: str) -> str | None:
        found = declared.get(name)
        return None if found is None else resolve_vars(found[0].value, style.custom)

    if (colour := value("color")) is not None and colour.lower() not in ("inherit", "currentcolor", "unset"):
        style.colour = BLACK if colour.lower() == "initial" else parse_colour(colour)
        style.colour_from = declared["color"]
    if (background := value("background-color")) is not None:
        style.background = style.colour if background.lower() == "currentcolor" else parse_colour(background)
        style.background_from = declared["background-color"]
    style.image = (value("background-image") or "none").lower() != "none"
    if (border := value("border-top-color")) is not None:
        style.paint = style.colour if border.lower() == "currentcolor" else parse_colour(border)
    if (opacity := value("opacity")) is not None:
        style.opacity = _fraction(opacity)
    style.font_px = _font_px(value("font-size"), parent.font_px)
    if (weight := value("font-weight")) is not None:
        style.bold = weight.lower() in ("bold", "bolder") or (weight.isdigit() and int(weight) >= 700)
    shown = (value("display") or "").lower() != "none" and (value("visibility") or "").lower() != "hidden"
    style.hidden = parent.hidden or not shown
    if element.pseudo:
        content = (value("content") or "none").strip()
        style.hidden = style.hidden or content in ("none", "normal")
        style.text = content.strip("\"'") != ""
    return style


def _fraction(text: str) -> float:
    try:
        number = float(text[:-1]) / 100 if text.endswith("%") else float(text)
    except ValueError:
        return 1.0
    return min(max(number, 0.0), 1.0)


_KEYWORD_PX = {"xx-small": 9, "x-small": 10, "small": 13, "medium": 16, "large": 18,
               "x-large": 24, "xx-large": 32, "xxx-large": 48}


def _font_px(text: str | None, parent: float | None) -> float | None:
    """A font size in CSS px; None where this reader cannot tell (then the text counts as
    small: the stricter ratio)."""
    if text is None or text.lower() == "inherit":
        return parent
    text = text.strip().lower()
    if text in _KEYWORD_PX:
        return float(_KEYWORD_PX[text])
    if text in ("larger", "smaller"):
        return None if parent is None else parent * (1.2 if text == "larger" else 1 / 1.2)
    found = re.fullmatch(r"(max|min|clamp)\((.*)\)", text)
    if found:
        sizes = [_font_px(part.strip(), parent) for part in _arguments(found.group(2))]
        if None in sizes or not sizes:
            return None
        if found.group(1) == "clamp" and len(sizes) == 3:
            return max(sizes[0], min(sizes[1], sizes[2]))
        return max(sizes) if found.group(1) == "max" else min(sizes)
    found = re.fullmatch(r"(-?[\d.]+)(px|em|rem|%|pt)?", text)
    if not found:
        return None
    number, unit = float(found.group(1)), found.group(2) or "px"
    if unit in ("em", "%"):
        return None if parent is None else number * parent / (100 if unit == "%" else 1)
    return number * {"px": 1.0, "rem": ROOT_FONT_PX, "pt": 4 / 3}[unit]


def _arguments(text: str) -> list[str]:
    parts, depth, current = [], 0, ""
    for char in text:
        depth += (char == "(") - (char == ")")
        if char == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    return [*parts, current]


def measure(cascade: Cascade, probe: Probe) -> Finding | None:
    """The probe's contrast, if it falls short of what WCAG asks (None: it does not, or the
    check cannot tell: a colour it does not read, an image behind, an element not shown)."""
    styles = [cascade.style(probe.chain[:i + 1]) for i in range(len(probe.chain))]
    last = styles[-1]
    if last.hidden or any(style.image for style in styles):
        return None
    if any(style.background is None for style in styles):
        return None
    graphic = probe.chain[-1].pseudo is not None and not last.text
    if graphic:
        ink = last.paint if last.paint is not None and last.paint[3] > 0 else last.background
        if ink is None or ink[3] == 0:
            return None
        behind = _flatten(styles[:-1], None)
        front = _flatten(styles[:-1], None, extra=faded(ink, last.opacity))
        needed, kind = NON_TEXT, "a graphic"
    else:
        if last.colour is None:
            return None
        behind = _flatten(styles, None)
        front = _flatten(styles, last.colour)
        large = last.font_px is not None and (last.font_px >= 24 or (last.bold and last.font_px >= 18.66))
        needed, kind = (LARGE_TEXT, "large text") if large else (TEXT, "text")
    ratio = contrast_ratio(front, behind)
    if ratio >= needed:
        return None
    painted_by = next((s.background_from for s in reversed(styles) if s.background and s.background[3] > 0), None)
    return Finding(probe, front, behind, ratio, needed, kind, last.colour_from, painted_by)


def _flatten(styles: list[Style], text: Colour | None, extra: Colour | None = None) -> Colour:
    """What the screen shows where the last element is: each element's background over its
    parent's, `text` (or a graphic, `extra`) on top, every `opacity` applied to its group."""
    top = text if text is not None else extra
    layer = top if top is not None else TRANSPARENT
    for style in reversed(styles):
        layer = faded(over(layer, style.background or TRANSPARENT), style.opacity)
    return over(layer, WHITE)
