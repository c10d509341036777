"""A small CSS reader: as much as the contrast check needs, and no more.

It reads rules (selectors and declarations, each with its line), descends into `@media`,
`@supports` and `@layer` blocks and skips the other at-rules (`@font-face`, `@keyframes`,
`@page`, `@import`). Values are left as text; `resolve_vars` substitutes `var(--name, fallback)`
and `parse_colour` reads the colours CSS Color 4 spells: `#rgb`, `#rgba`, `#rrggbb`,
`#rrggbbaa`, `rgb()`/`rgba()` and `hsl()`/`hsla()` (commas or spaces, `/ alpha`, percentages),
the 148 named colours and `transparent`. What it does not read (`color-mix()`, `lab()`, system
colours) is None: the check then says nothing rather than something wrong.
"""
from __future__ import annotations

import colorsys
import math
import re
from dataclasses import dataclass
from pathlib import Path

Colour = tuple[float, float, float, float]  # red, green, blue in 0..255; alpha in 0..1
TRANSPARENT: Colour = (0.0, 0.0, 0.0, 0.0)


@dataclass(frozen=True)
class Declaration:
    name: str  # lower case; custom properties (`--x`) as written
    value: str
    important: bool
    line: int  # 1-based, in the text read


@dataclass(frozen=True)
class Rule:
    selectors: tuple[str, ...]
    declarations: tuple[Declaration, ...]
    line: int
    source: Path | None  # the file the rule was read from, None for remark's own styles


def parse_stylesheet(text: str, source: Path | None = None) -> list[Rule]:
    """The style rules of `text`, in order, with those inside `@media` and the like."""
    rules: list[Rule] = []
    _read_block(_without_comments(text), 0, len(text), source, rules)
    return rules


def _without_comments(text: str) -> str:
    """Comments blanked out, line breaks kept (so offsets still give lines), strings as they are."""
    out, position = [], 0
    for match in re.finditer(r'/\*.*?(?:\*/|\Z)|"(?:\\.|[^"\\\n])*"|\'(?:\\.|[^\'\\\n])*\'', text, re.S):
        out.append(text[position:match.start()])
        found = match.group(0)
        out.append(re.sub(r"[^\n]", " ", found) if found.startswith("/*") else found)
        position = match.end()
    out.append(text[position:])
    return "".join(out)


def _read_block(text: str, start: int, end: int, source: Path | None, rules: list[Rule]) -> None:
    position = start
    while position < end:
        brace = _find(text, "{", position, end)
        semicolon = _find(text, ";", position, end)
        if brace < 0:
            return
        prelude = text[position:brace].strip()
        if prelude.startswith("@") and 0 <= semicolon < brace:  # `@import …;`, `@charset …;`
            position = semicolon + 1
            continue
        close = _matching_brace(text, brace, end)
        if prelude.startswith("@"):
            if re.match(r"@(media|supports|layer|container)\b", prelude, re.I):
                _read_block(text, brace + 1, close, source, rules)
        elif prelude:
            raw = text[position:brace]
            line = text.count("\n", 0, position + len(raw) - len(raw.lstrip())) + 1
            selectors = tuple(part.strip() for part in _split(prelude, ",") if part.strip())
            rules.append(Rule(selectors, _declarations(text, brace + 1, close), line, source))
        position = close + 1


def _find(text: str, char: str, start: int, end: int) -> int:
    """The first `char` outside strings and parentheses, or -1."""
    depth, quote = 0, ""
    for found in _SPECIAL[char].finditer(text, start, end):
        c, index = found.group(0), found.start()
        if quote:
            quote = "" if c == quote and text[index - 1] != "\\" else quote
        elif c in "\"'":
            quote = c
        elif c in "([":
            depth += 1
        elif c in ")]":
            depth = max(0, depth - 1)
        elif c == char and depth == 0:
            return index
    return -1


# What `_find` stops at: quotes and brackets, and the character it looks for.
_SPECIAL = {char: re.compile(r"[\"'()\[\]" + re.escape(char) + "]") for char in "{;,"}


def _matching_brace(text: str, opening: int, end: int) -> int:
    depth = 0
    for index in range(opening, end):
        if text[index] == "{":
            depth += 1
        elif text[index] == "}":
            depth -= 1
            if depth == 0:
                return index
    return end  # an unclosed block runs to the end, as a browser reads it


def _split(text: str, separator: str) -> list[str]:
    """`text` split at `separator` outside strings and parentheses."""
    parts, position = [], 0
    while (found := _find(text, separator, position, len(text))) >= 0:
        parts.append(text[position:found])
        position = found + 1
    parts.append(text[position:])
    return parts


def _declarations(text: str, start: int, end: int) -> tuple[Declaration, ...]:
    found = []
    offset = start
    for part in _split(text[start:end], ";"):
        name, colon, value = part.partition(":")
        if colon and name.strip():
            line = text.count("\n", 0, offset + len(part) - len(part.lstrip())) + 1
            value = value.strip()
            important = bool(re.search(r"!\s*important\s*$", value, re.I))
            value = re.sub(r"\s*!\s*important\s*$", "", value, flags=re.I)
            key = name.strip()
            found.append(Declaration(key if key.startswith("--") else key.lower(), value, important, line))
        offset += len(part) + 1
    return tuple(found)


_VAR = re.compile(r"var\(\s*(--[\w-]+)\s*(?:,\s*([^()]*(?:\([^()]*\)[^()]*)*))?\)")


def resolve_vars(value: str, custom: dict[str, str], depth: int = 0) -> str | None:
    """`value` with every `var(--name, fallback)` replaced from `custom` (the element's custom
    properties); None when one has neither a value nor a fallback, or refers to itself."""
    if "var(" not in value:
        return value
    if depth > 16:
        return None
    unresolved = False

    def substitute(match: re.Match) -> str:
        nonlocal unresolved
        replacement = custom.get(match.group(1), match.group(2))
        if replacement is None:
            unresolved = True
            return ""
        return replacement.strip()

    replaced = _VAR.sub(substitute, value)
    return None if unresolved else resolve_vars(replaced, custom, depth + 1)


def parse_colour(text: str) -> Colour | None:
    """A colour value, or None for one this reader does not know (then nothing is said of it)."""
    text = text.strip().lower()
    if text in NAMED_COLOURS:
        return NAMED_COLOURS[text]
    if text == "transparent":
        return TRANSPARENT
    if re.fullmatch(r"#[0-9a-f]{3,8}", text) and len(text) in (4, 5, 7, 9):
        digits = text[1:]
        if len(digits) <= 4:
            digits = "".join(d * 2 for d in digits)
        channels = [int(digits[i:i + 2], 16) for i in range(0, len(digits), 2)]
        return (*map(float, channels[:3]), channels[3] / 255 if len(channels) == 4 else 1.0)
    found = re.fullmatch(r"(rgba?|hsla?)\((.*)\)", text)
    if not found:
        return None
    parts = [p for p in re.split(r"[\s,/]+", found.group(2).strip()) if p]
    if len(parts) not in (3, 4):
        return None
    try:
        alpha = _number(parts[3], 1.0) if len(parts) == 4 else 1.0
        if found.group(1).startswith("rgb"):
            red, green, blue = (_number(p, 255.0) for p in parts[:3])
        else:
            hue = _angle(parts[0])
            saturation, lightness = _number(parts[1], 1.0), _number(parts[2], 1.0)
            red, green, blue = (c * 255 for c in colorsys.hls_to_rgb(hue, lightness, saturation))
    except ValueError:
        return None
    clamp = lambda value, top: min(max(value, 0.0), top)  # noqa: E731  as CSS clamps them
    return clamp(red, 255.0), clamp(green, 255.0), clamp(blue, 255.0), clamp(alpha, 1.0)


def _number(text: str, scale: float) -> float:
    """A channel: a percentage of `scale`, or a plain number (an alpha is 0..1 either way)."""
    if text.endswith("%"):
        return float(text[:-1]) / 100 * scale
    return float(text)


def _angle(text: str) -> float:
    """A hue as a fraction of a turn."""
    units = {"deg": 1 / 360, "grad": 1 / 400, "rad": 1 / (2 * math.pi), "turn": 1.0}
    unit = next((u for u in units if text.endswith(u)), "")
    value = float(text[:len(text) - len(unit)]) if unit else float(text)
    return (value * units.get(unit, 1 / 360)) % 1.0


IMAGE = re.compile(r"url\(|[\w-]*gradient\(|image(?:-set)?\(|element\(|cross-fade\(", re.I)


def colour_in(value: str) -> Colour | None:
    """The colour a `background`, `border` or `outline` shorthand names (its first, outside any
    image: `url(red.png)` names no colour), or None."""
    value = re.sub(r"[\w-]+\((?:[^()]|\([^()]*\))*\)",
                   lambda m: m.group(0) if re.match(r"(rgba?|hsla?)\(", m.group(0), re.I) else " ",
                   value)
    for token in re.findall(r"#[0-9a-fA-F]+|(?:rgba?|hsla?)\([^()]*\)|[a-zA-Z]+", value):
        colour = parse_colour(token)
        if colour is not None:
            return colour
    return None


def hex_of(colour: Colour) -> str:
    """`#rrggbb` of an opaque colour (as the messages and axe write them)."""
    return "#" + "".join(f"{round(channel):02x}" for channel in colour[:3])


# CSS Color 4's named colours, as `name rrggbb` pairs.
_NAMES = """
aliceblue f0f8ff antiquewhite faebd7 aqua 00ffff aquamarine 7fffd4 azure f0ffff beige f5f5dc
bisque ffe4c4 black 000000 blanchedalmond ffebcd blue 0000ff blueviolet 8a2be2 brown a52a2a
burlywood deb887 cadetblue 5f9ea0 chartreuse 7fff00 chocolate d2691e coral ff7f50
cornflowerblue 6495ed cornsilk fff8dc crimson dc143c cyan 00ffff darkblue 00008b darkcyan 008b8b
darkgoldenrod b8860b darkgray a9a9a9 darkgreen 006400 darkgrey a9a9a9 darkkhaki bdb76b
darkmagenta 8b008b darkolivegreen 556b2f darkorange ff8c00 darkorchid 9932cc darkred 8b0000
darksalmon e9967a darkseagreen 8fbc8f darkslateblue 483d8b darkslategray 2f4f4f
darkslategrey 2f4f4f darkturquoise 00ced1 darkviolet 9400d3 deeppink ff1493 deepskyblue 00bfff
dimgray 696969 dimgrey 696969 dodgerblue 1e90ff firebrick b22222 floralwhite fffaf0
forestgreen 228b22 fuchsia ff00ff gainsboro dcdcdc ghostwhite f8f8ff gold ffd700
goldenrod daa520 gray 808080 green 008000 greenyellow adff2f grey 808080 honeydew f0fff0
hotpink ff69b4 indianred cd5c5c indigo 4b0082 ivory fffff0 khaki f0e68c lavender e6e6fa
lavenderblush fff0f5 lawngreen 7cfc00 lemonchiffon fffacd lightblue add8e6 lightcoral f08080
lightcyan e0ffff lightgoldenrodyellow fafad2 lightgray d3d3d3 lightgreen 90ee90 lightgrey d3d3d3
lightpink ffb6c1 lightsalmon ffa07a lightseagreen 20b2aa lightskyblue 87cefa
lightslategray 778899 lightslategrey 778899 lightsteelblue b0c4de lightyellow ffffe0 lime 00ff00
limegreen 32cd32 linen faf0e6 magenta ff00ff maroon 800000 mediumaquamarine 66cdaa
mediumblue 0000cd mediumorchid ba55d3 mediumpurple 9370db mediumseagreen 3cb371
mediumslateblue 7b68ee mediumspringgreen 00fa9a mediumturquoise 48d1cc mediumvioletred c71585
midnightblue 191970 mintcream f5fffa mistyrose ffe4e1 moccasin ffe4b5 navajowhite ffdead
navy 000080 oldlace fdf5e6 olive 808000 olivedrab 6b8e23 orange ffa500 orangered ff4500
orchid da70d6 palegoldenrod eee8aa palegreen 98fb98 paleturquoise afeeee palevioletred db7093
papayawhip ffefd5 peachpuff ffdab9 peru cd853f pink ffc0cb plum dda0dd powderblue b0e0e6
purple 800080 rebeccapurple 663399 red ff0000 rosybrown bc8f8f royalblue 4169e1
saddlebrown 8b4513 salmon fa8072 sandybrown f4a460 seagreen 2e8b57 seashell fff5ee
sienna a0522d silver c0c0c0 skyblue 87ceeb slateblue 6a5acd slategray 708090 slategrey 708090
snow fffafa springgreen 00ff7f steelblue 4682b4 tan d2b48c teal 008080 thistle d8bfd8
tomato ff6347 turquoise 40e0d0 violet ee82ee wheat f5deb3 white ffffff whitesmoke f5f5f5
yellow ffff00 yellowgreen 9acd32
"""
NAMED_COLOURS: dict[str, Colour] = {
    name: (float(int(code[0:2], 16)), float(int(code[2:4], 16)), float(int(code[4:6], 16)), 1.0)
    for name, code in zip(_NAMES.split()[::2], _NAMES.split()[1::2])}
