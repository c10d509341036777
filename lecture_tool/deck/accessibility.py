"""Accessibility (WCAG 2.1 AA) problems a deck's source shows, each at its line, and the
alternative text the page's copy of a deck takes from the figure scripts.

The rules, by the name a `<!-- a11y: ignore NAME -->` marker gives them (a marker silences the
names it lists on its own line and on the next line that is not blank):

- `image-alt`: every image has alternative text that says what it shows (WCAG 1.1.1): Markdown
  images (inline and by reference), HTML `<img>`, lecture's `![:scale 50%, text](src)` macro.
  Empty Markdown brackets are ambiguous (forgotten, or decorative?): a decorative image is written
  in HTML with `alt=""` (or `![:scale 50%, ""](src)`). A figure a script makes takes its text
  from the script's `ALT` when the slide gives none; if the script has none either, the
  problem is reported at the script. Text that is a file name, an address or a word such as
  "image" is reported (`alt_text.py`).
- `background-alt`: a background image has no alternative text of its own: a slide with
  `background-image:` says what it shows in `background-alt:` (the page gives that text to
  screen readers), or `background-alt: decorative`; an element whose inline style draws a
  background image has `role="img" aria-label="…"`, or `aria-hidden="true"` when decorative.
- `slide-title`: every slide (a `--` step continues its slide) has a heading, a `name:`
  property or a title slide's `title:`, so that a screen reader user can find it (2.4.6).
- `heading-order`: no heading level skipped within a slide: `#` then `###` (1.3.1).
- `link-text`: a link's text says where it goes (2.4.4): not "here", "click here", "link",
  "more", ..., and not an address longer than `LONGEST_ADDRESS` characters, which a screen
  reader spells out.
- `video-captions`: a `<video>` has a `<track kind="captions">` (or `"subtitles"`) (1.2.2).
- `animation-pause`: an animated GIF that runs longer than 5 s (looping ones run for ever) can be
  paused (2.2.2): the page script puts a pause button on every `.gif` image, so a GIF shown as a
  background, or a page script without that button, is reported; so is a `<video autoplay>`
  without `controls`.

Presenter notes are not checked: nobody in the audience is shown them.
"""
from __future__ import annotations

import bisect
import html
import math
import posixpath
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

from ..alt_text import ADDRESS, FigureAlt, alt_text_problem
from ..diagnostics import WARNING, Diagnostic, display_path
from .model import Deck, Slide, headings, leading_properties
from .references import BACKGROUND_IMAGE, is_local
from .regions import markdown_regions
from .title import markdown_safe_attribute, title_slides

RULES = ("image-alt", "background-alt", "slide-title", "heading-order", "link-text",
         "video-captions", "animation-pause")
LONGEST_ADDRESS = 40  # characters: a longer address as a link's text is a problem
LONGEST_MOTION = 5.0  # seconds an animation may run without a way to pause it (WCAG 2.2.2)
VAGUE_LINK_TEXT = frozenset({
    "here", "click here", "click", "this", "this link", "link", "more", "read more", "learn more",
    "see more", "more info", "this page", "go"})
DECORATIVE = "decorative"  # the value of `background-alt:` for a background that shows nothing to say


@dataclass(frozen=True)
class ImageFacts:
    """What the rules need besides the deck, gathered by the command that lints it: plain data."""
    figure_alts: Mapping[str, FigureAlt] = field(default_factory=dict)  # by output path
    gif_seconds: Mapping[str, float] = field(default_factory=dict)  # how long each GIF runs
    page_pauses_gifs: bool = True  # the page script puts a pause button on every .gif image

    def fingerprint(self) -> str:
        """The same text for the same facts, for the cache of a deck's page and problems."""
        alts = sorted((name, alt.text or "", alt.text is None, str(alt.script), alt.line)
                      for name, alt in self.figure_alts.items())
        return repr((alts, sorted(self.gif_seconds.items()), self.page_pauses_gifs))


@dataclass(frozen=True)
class ShownImage:
    """An image a slide shows, where its source says so."""
    line: int
    src: str
    alt: str | None  # None: none given; "": decorative
    how: str  # "markdown", "html", "macro", "background" (a slide property), "styled" (inline style)
    alt_at: int | None = None  # where the page's copy may write the figure's text
    decorative: bool = False  # a background marked decorative (`background-alt`, aria-hidden)


@dataclass(frozen=True)
class _Found:
    line: int  # the deck's line an ignore marker silences it at
    rule: str
    diagnostic: Diagnostic


def accessibility_problems(deck: Deck, facts: ImageFacts = ImageFacts(),
                           root: Path | None = None) -> list[Diagnostic]:
    """Every problem of the rules above, by line, but those a marker silences. `root`: the
    course, for the deck's path in messages about a figure script."""
    shown = _Shown(deck)
    silenced, problems = _markers(deck)
    found: list[_Found] = []
    found += _image_problems(deck, shown, facts, root)
    found += _slide_problems(deck)
    found += _link_problems(deck, shown)
    found += _video_problems(deck, shown)
    found.sort(key=lambda item: item.line)
    problems += [item.diagnostic for item in found if item.rule not in silenced.get(item.line, ())]
    return problems


def alt_text_edits(deck: Deck, facts: ImageFacts) -> list[tuple[int, int, str]]:
    """(start, end, text) of what the page's copy of the deck gets: the figure script's
    alternative text for each image of a figure that the slide gives none, and each background's
    `background-alt:` as text for screen readers. Insertions only (start == end)."""
    if not facts.figure_alts and "background-alt" not in deck.source:
        return []
    shown, edits = _Shown(deck), []
    for image in _images(deck, shown):
        figure = facts.figure_alts.get(_target(image.src) or "")
        if image.alt is None and image.alt_at is not None and figure is not None and figure.text:
            escaped = markdown_safe_attribute(" ".join(figure.text.split()))
            text = {"markdown": escaped, "html": f' alt="{escaped}"',
                    "macro": ", " + escaped.replace(",", "&#44;")}[image.how]
            edits.append((image.alt_at, image.alt_at, text))
    for slide, at in _backgrounds_described(deck, shown):
        described = markdown_safe_attribute(" ".join(slide.properties["background-alt"].split()))
        edits.append((at, at, f'\n\n<div class="lecture-background-alt" role="img" aria-label="{described}">'
                              "</div>\n\n"))
    return sorted(edits)


class _Shown:
    """Where remark shows the deck's source: the bodies of its slides and layouts (not presenter
    notes, not excluded slides), and in them what its Markdown reads as text (`markdown_regions`:
    no code, no HTML comment)."""

    def __init__(self, deck: Deck):
        self.deck = deck
        line_starts = [0] + [match.end() for match in re.finditer("\n", deck.source)]
        self.bodies = sorted(((line_starts[slide.start_line - 1], slide)
                              for slide in (*deck.layouts, *deck.slides)), key=lambda pair: pair[0])
        self.body_starts = [start for start, _ in self.bodies]
        self.regions = [region for region in markdown_regions(deck) if self.slide_at(region[0])]
        self.region_starts = [region[0] for region in self.regions]
        self.links = deck.slides[0].links if deck.slides else {}

    def slide_at(self, offset: int) -> Slide | None:
        """The slide (or layout) whose body holds `offset`, if any."""
        index = bisect.bisect_right(self.body_starts, offset) - 1
        if index < 0:
            return None
        start, slide = self.bodies[index]
        return slide if offset < start + len(slide.body) else None

    def body_end(self, offset: int) -> int:
        """Where the body that holds `offset` ends."""
        index = bisect.bisect_right(self.body_starts, offset) - 1
        start, slide = self.bodies[index]
        return start + len(slide.body)

    def is_shown(self, offset: int) -> bool:
        index = bisect.bisect_right(self.region_starts, offset) - 1
        return index >= 0 and offset < self.regions[index][1]

    def line(self, offset: int) -> int:
        return self.deck.line_of(offset)


_MARKER = re.compile(r"<!--\s*a11y:\s*ignore\b(.*?)-->")


def _markers(deck: Deck) -> tuple[dict[int, set[str]], list[Diagnostic]]:
    """The rules each line's markers silence (a marker's own line and the next that is not
    blank), and a warning for each name that is no rule."""
    lines = deck.source.split("\n")
    silenced: dict[int, set[str]] = {}
    problems = []
    for number, text in enumerate(lines, 1):
        for marker in _MARKER.finditer(text):
            names = set(re.split(r"[\s,]+", marker.group(1).strip())) - {""}
            for unknown in sorted(names - set(RULES)):
                problems.append(Diagnostic(deck.path, number, WARNING, f"'{unknown}' is not an "
                                           f"accessibility rule; the rules are {', '.join(RULES)}"))
            following = next((n for n in range(number + 1, len(lines) + 1) if lines[n - 1].strip()), number)
            for line in {number, following}:
                silenced.setdefault(line, set()).update(names)
    return silenced, problems


# Images ------------------------------------------------------------------------------------

# A start tag and its attributes. Each part takes all it can (the lookaheads), so that a tag the
# input cuts off fails at once instead of trying every split of its text.
_NAME = r"[^\s\"'<>/=]+(?![^\s\"'<>/=])"
_VALUE = r"""\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'<>`=]+(?![^\s"'<>`=])))"""
_TAG = re.compile(rf"<([A-Za-z][A-Za-z0-9-]*(?![A-Za-z0-9-]))((?:\s+{_NAME}(?:{_VALUE})?)*)\s*/?>")
_ATTRIBUTE = re.compile(rf"({_NAME})(?:{_VALUE})?")
_URL_IN_STYLE = re.compile(r"""url\(\s*["']?([^"')]*)""", re.I)
_MACRO = re.compile(r"!\[:([^\] ]+)([^\]]*)\](?:\(([^\)]*)\))?")


@dataclass(frozen=True)
class _Tag:
    start: int
    end: int
    name: str  # lower case
    attributes: dict[str, str]  # names in lower case; an attribute without a value is ""


def _tags(deck: Deck, shown: _Shown, names: frozenset[str] | None = None) -> Iterator[_Tag]:
    """The HTML start tags remark's page shows (in a slide's body, where Markdown shows text or
    passes HTML through), of the elements named (all when None)."""
    for start, slide in shown.bodies:
        if "<" not in slide.body:
            continue
        for match in _TAG.finditer(slide.body):
            name = match.group(1).lower()
            if (names is None or name in names) and shown.is_shown(start + match.start()):
                attributes = {found.group(1).lower(): html.unescape(next(
                    (value for value in found.group(2, 3, 4) if value is not None), ""))
                    for found in _ATTRIBUTE.finditer(match.group(2) or "")}
                yield _Tag(start + match.start(), start + match.end(), name, attributes)


def _images(deck: Deck, shown: _Shown) -> list[ShownImage]:
    """Every image the slides show, in the order of the source."""
    found: list[ShownImage] = []
    macros = {token.start for token in deck.tokens if token.kind == "macro"}
    for start, end, passes in shown.regions:
        if passes == 0 or "![" not in deck.source[start:end]:
            continue
        for link in _inline_links(deck.source[start:end], shown.links, start):
            if link.image and link.start not in macros:
                alt = link.text if link.text.strip() else None
                found.append(ShownImage(shown.line(link.start), link.href, alt, "markdown",
                                        link.text_start if alt is None else None))
    found += _macro_images(deck, shown)
    for tag in _tags(deck, shown):
        style_url = _background_in_style(tag.attributes.get("style", ""))
        if tag.name == "img" and tag.attributes.get("src"):
            alt = tag.attributes.get("alt")
            found.append(ShownImage(shown.line(tag.start), tag.attributes["src"], alt, "html",
                                    tag.start + len("<img") if alt is None else None))
        elif style_url:
            label = tag.attributes.get("aria-label", "").strip()
            hidden = tag.attributes.get("aria-hidden", "").lower() == "true"
            found.append(ShownImage(shown.line(tag.start), style_url, label or None, "styled",
                                    decorative=hidden or tag.attributes.get("role") in ("presentation", "none")))
    found += _background_images(deck, shown)
    return sorted(found, key=lambda image: image.line)


def _background_in_style(style: str) -> str | None:
    """The image an inline style's `background` or `background-image` draws, if any."""
    for declaration in style.split(";"):
        name, _, value = declaration.partition(":")
        if name.strip().lower() in ("background", "background-image") and (url := _URL_IN_STYLE.search(value)):
            return url.group(1).strip() or None
    return None


def _inline_links(text: str, links, base: int):
    # Imported here: marked.py is the heavy half of the deck stage, loaded when a deck has links.
    from .marked import inline_links

    return inline_links(text, links, base)


def _macro_images(deck: Deck, shown: _Shown) -> Iterator[ShownImage]:
    """lecture's `![:scale WIDTH, TEXT](src)`: the words after the width are the alternative
    text, `""` says decorative. A course's own macros make what they make (its own `scale`
    too): not read."""
    if "scale" in deck.macros.course_names:
        return
    for token in deck.tokens:
        if token.kind != "macro" or token.classes[0] != "scale" or shown.slide_at(token.start) is None:
            continue
        parsed = _MACRO.match(token.text)
        if parsed is None or parsed.group(3) is None:
            continue
        alt = scale_alt(parsed.group(2).split(","))
        yield ShownImage(shown.line(token.start), parsed.group(3).strip(), alt, "macro",
                         token.start + token.text.index("]") if alt is None else None)


def scale_alt(args: list[str]) -> str | None:
    """The alternative text of `![:scale WIDTH, TEXT](src)` from its arguments: the words after
    the width (commas and all), "" for `""` (decorative), None when there are none."""
    words = [word.strip() for word in args[1:]]
    alt = ", ".join(words) if any(words) else None
    return "" if alt == '""' else alt


def _background_images(deck: Deck, shown: _Shown) -> Iterator[ShownImage]:
    """The `background-image:` each slide or layout sets itself (not one it inherits: that one
    is reported where it is written), with its `background-alt:` (its own or inherited)."""
    for start, slide in shown.bodies:
        for match in BACKGROUND_IMAGE.finditer(slide.body):
            alt = slide.properties.get("background-alt")
            yield ShownImage(shown.line(start + match.start()), match.group(1), alt, "background",
                             decorative=(alt or "").strip().lower() == DECORATIVE)


def _backgrounds_described(deck: Deck, shown: _Shown) -> Iterator[tuple[Slide, int]]:
    """The slides and layouts with a background image of their own and a `background-alt:` that
    describes it, and where their text begins after their property lines."""
    for start, slide in shown.bodies:
        alt = slide.properties.get("background-alt", "").strip()
        if alt and alt.lower() != DECORATIVE and BACKGROUND_IMAGE.search(slide.body):
            yield slide, start + leading_properties(slide.body, slide.start_line)[2]


def _target(src: str) -> str | None:
    """Where a local image lies in the output (the page is at its top, as the deck in slides/)."""
    if not is_local(src):
        return None
    path = unquote(urlsplit(src).path)
    return posixpath.normpath(path) if path else None


def _image_problems(deck: Deck, shown: _Shown, facts: ImageFacts, root: Path | None) -> list[_Found]:
    found: list[_Found] = []
    by_figure: dict[str, list[int]] = {}  # figure output -> deck lines showing it with no text
    for image in _images(deck, shown):
        target = _target(image.src)
        figure = facts.figure_alts.get(target or "")
        if image.how in ("background", "styled"):
            found += _background_problem(deck, image)
        elif image.alt is None and figure is not None and figure.text is None:
            by_figure.setdefault(target, []).append(image.line)
        elif image.alt is None and figure is None:
            found.append(_Found(image.line, "image-alt", Diagnostic(
                deck.path, image.line, WARNING, _no_alt_text(image))))
        elif image.alt and (why := alt_text_problem(image.alt, image.src)):
            found.append(_Found(image.line, "image-alt", Diagnostic(
                deck.path, image.line, WARNING, f"the alternative text of image '{image.src}': {why}; "
                "say what it shows (a11y: image-alt)")))
        seconds = facts.gif_seconds.get(target or "", 0.0)
        if seconds > LONGEST_MOTION and (image.how in ("background", "styled") or not facts.page_pauses_gifs):
            found.append(_Found(image.line, "animation-pause", Diagnostic(
                deck.path, image.line, WARNING, _unpausable(image, seconds))))
    for target, lines in by_figure.items():
        figure = facts.figure_alts[target]
        more = f" (and {len(lines) - 1} more)" if len(lines) > 1 else ""
        shown_at = f"{display_path(deck.path, root)}:{lines[0]}{more}"
        for line in lines[:1]:
            found.append(_Found(line, "image-alt", Diagnostic(
                figure.script, figure.line, WARNING,
                f"{posixpath.basename(target)} has no alternative text, and {shown_at} shows it without "
                f'its own: add it to ALT = {{"{posixpath.basename(target)}": "what the figure shows"}} '
                "beside OUTPUTS, or give the image its text on the slide (a11y: image-alt)")))
    return found


def _no_alt_text(image: ShownImage) -> str:
    src = image.src
    if image.how == "html":
        return (f"<img src=\"{src}\"> has no alt attribute, so a screen reader reads its file name: "
                'add alt="what it shows", or alt="" if it is decorative (a11y: image-alt)')
    if image.how == "macro":
        return (f"image '{src}' has no alternative text: write it after the width, ![:scale 50%, what "
                f'it shows]({src}), or "" if it is decorative (a11y: image-alt)')
    return (f"image '{src}' has no alternative text: say what it shows between the brackets, "
            f"![what it shows]({src}), or if it is decorative write <img src=\"{src}\" alt=\"\"> "
            "(a11y: image-alt)")


def _background_problem(deck: Deck, image: ShownImage) -> list[_Found]:
    if image.decorative:
        return []
    if image.alt and image.alt.strip():
        why = alt_text_problem(image.alt, image.src)
        return [_Found(image.line, "background-alt", Diagnostic(
            deck.path, image.line, WARNING, f"the alternative text of background image '{image.src}': "
            f"{why}; say what it shows (a11y: background-alt)"))] if why else []
    if image.how == "styled":
        fix = ('give the element role="img" and aria-label="what it shows", or aria-hidden="true" '
               "if it is decorative")
    else:
        fix = (f"say what it shows in a `background-alt: …` property (the page gives it to screen "
               f"readers), or write `background-alt: {DECORATIVE}` if the slide says all it shows")
    return [_Found(image.line, "background-alt", Diagnostic(
        deck.path, image.line, WARNING, f"background image '{image.src}' has no alternative text, and "
        f"a background cannot carry any: {fix} (a11y: background-alt)"))]


def _unpausable(image: ShownImage, seconds: float) -> str:
    runs = "runs for ever" if math.isinf(seconds) else f"runs {seconds:.1f} s"
    if image.how in ("background", "styled"):
        fix = ("a background cannot be paused: show it as an image on the slide, where the page "
               "gives it a pause button, or make it stop within 5 s")
    else:
        fix = ("and this course's page script (templates/lecture.js) offers no way to pause it: "
               "keep the packaged script's GIF pause button (its addGifPauseButtons), or make the "
               "GIF stop within 5 s")
    return f"animated GIF '{image.src}' {runs}: {fix} (a11y: animation-pause)"


# Slides and headings -------------------------------------------------------------------------

# What may make a heading: an ATX `#` (where a line, a list item, a quote or a content class
# begins), an HTML <hN>, a setext underline, a {{property}}.
_ATX_MARK = re.compile(r"(?:^|\[)[ \t]*(?:(?:[*+-]|\d+\.|>)[ \t]*)*(#{1,6})", re.M)
_OTHER_HEADING_MARK = re.compile(r"<h[1-6]|^[ \t]*(?:=+|-{2,})[ \t]*$|\{\{", re.M | re.I)
_BEGINS_WITH_HEADING = re.compile(r"(?:[ \t]*\n)*[ ]{0,3}#{1,6}[ \t]*[^\s#]")  # not indented code


def _slide_problems(deck: Deck) -> list[_Found]:
    """A slide without a heading, name or title; a heading level skipped. remark's headings of a
    slide are worked out (`headings`: its whole conversion) only where the cheap marks say a
    level may be skipped, or cannot tell whether the slide has a heading at all."""
    found: list[_Found] = []
    titled = {item.slide.index for item in title_slides(deck) if item.leads and "title" in item.values}
    before: Slide | None = None  # the slide shown before this one: a `--` step continues it
    for slide in deck.slides:
        own = headings(slide.content, slide.links, slide.properties) if _may_skip_a_level(slide.content) else None
        has_heading = any(h.text for h in own) if own is not None else _has_heading(slide)
        if not slide.continued and not (has_heading or slide.name or slide.index in titled):
            found.append(_Found(slide.line, "slide-title", Diagnostic(
                deck.path, slide.line, WARNING, "this slide has no heading, and screen reader users "
                "move through a deck by its headings: begin it with one (# …), or name it (name: …) "
                "(a11y: slide-title)")))
        if own is not None:
            inherited = (len(headings(before.content, before.links, before.properties))
                         if slide.continued and before is not None else 0)
            found += _skipped_levels(deck, slide, own, inherited)
        before = slide
    for layout in deck.layouts:
        if _may_skip_a_level(layout.content):
            found += _skipped_levels(deck, layout, headings(layout.content, layout.links, layout.properties), 0)
    return found


def _may_skip_a_level(content: str) -> bool:
    """Whether a heading level may be skipped in `content`: never no when one is. The headings
    are among the marks, so a skip needs a mark two levels below one before it."""
    if _OTHER_HEADING_MARK.search(content):
        return True
    highest = 7  # the smallest level seen so far
    for mark in _ATX_MARK.finditer(content):
        level = len(mark.group(1))
        if level >= highest + 2:
            return True
        highest = min(highest, level)
    return False


def _has_heading(slide: Slide) -> bool:
    if _BEGINS_WITH_HEADING.match(slide.content):
        return True  # marked makes a heading of it, with nothing open before it
    return bool(_ATX_MARK.search(slide.content)) and bool(slide.title)


def _skipped_levels(deck: Deck, slide: Slide, found: list, inherited: int) -> list[_Found]:
    """A heading more than one level below the heading before it, in the slide's own text (a
    `--` step's `inherited` headings, and a layout's, are reported where they are written)."""
    problems, lines, searched = [], slide.body.split("\n"), 0
    for index in range(max(1, inherited), len(found)):
        before, heading = found[index - 1], found[index]
        if heading.level <= before.level + 1:
            continue
        number = _heading_line(lines, heading, searched)
        if number is not None:
            searched, line = number + 1, slide.start_line + number
            problems.append(_Found(line, "heading-order", Diagnostic(
                deck.path, line, WARNING, f"heading level {heading.level} ('{heading.text}') follows "
                f"level {before.level} ('{before.text}'): a screen reader user takes the levels in "
                f"between to be missing; make it level {before.level + 1} (a11y: heading-order)")))
    return problems


def _heading_line(lines: list[str], heading, start: int) -> int | None:
    """The index of the line of a slide's own text (`lines`) that writes `heading`, looked for
    from `start` on (the headings come in the order they are written), if it is there."""
    for number in range(start, len(lines)):
        text = lines[number]
        if heading.markdown is None:
            hit = re.search(rf"<h{heading.level}\b", text, re.I) is not None
        else:
            underlined = number + 1 < len(lines) and re.fullmatch(r"[ \t]*(?:=+|-+)[ \t]*", lines[number + 1])
            hit = heading.markdown in text and ("#" * heading.level in text or bool(underlined))
        if hit:
            return number
    return None


# Links and media -----------------------------------------------------------------------------

_ENDS_A = re.compile(r"</a\s*>|<a(?![A-Za-z0-9-])", re.I)  # an <a> ends at its end tag, or the next <a>
_IMG_ALT = re.compile(r"<img\b[^>]*?\balt\s*=\s*(?:\"([^\"]*)\"|'([^']*)')[^>]*>", re.I)
_ANY_TAG = re.compile(r"<[^>]*>")
_MARKDOWN_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")


def _link_problems(deck: Deck, shown: _Shown) -> list[_Found]:
    found: list[_Found] = []
    for start, end, passes in shown.regions:
        text = deck.source[start:end]
        if passes == 0 or not ("[" in text or "http" in text or "www." in text or "<" in text):
            continue
        for link in _inline_links(text, shown.links, start):
            if not link.image:
                shown_text = _MARKDOWN_IMAGE.sub(r"\1", link.text)
                found += _link_text_problem(deck, shown.line(link.start), re.sub(r"[*_~`]", "", shown_text),
                                            link.href)
    for tag in _tags(deck, shown, frozenset({"a"})):
        if "href" not in tag.attributes:
            continue
        ending = _ENDS_A.search(deck.source, tag.end, shown.body_end(tag.start))
        inner = deck.source[tag.end:ending.start() if ending else shown.body_end(tag.start)]
        label = tag.attributes.get("aria-label", "").strip()
        words = label or html.unescape(_ANY_TAG.sub("", _IMG_ALT.sub(lambda m: m.group(1) or m.group(2) or "", inner)))
        found += _link_text_problem(deck, shown.line(tag.start), words, tag.attributes["href"])
    return found


def _link_text_problem(deck: Deck, line: int, text: str, href: str) -> list[_Found]:
    words = " ".join(text.split())
    bare = re.sub(r"[^\w\s]", "", words).strip().lower()
    if not words:
        why = f"the link to '{href}' has no text, so a screen reader reads its address: give it words"
    elif bare in VAGUE_LINK_TEXT:
        why = (f"the link text '{words}' does not say where it goes, and screen reader users often "
               "hear links out of their sentence: say it in the link, [the lecture notes](…)")
    elif ADDRESS.fullmatch(words) and len(words) > LONGEST_ADDRESS:
        why = (f"the link text is a {len(words)}-character address, which a screen reader spells out: "
               f"give it words, [what it is]({href})")
    else:
        return []
    return [_Found(line, "link-text", Diagnostic(deck.path, line, WARNING, f"{why} (a11y: link-text)"))]


_ENDS_VIDEO = re.compile(r"</video\s*>|<video(?![A-Za-z0-9-])", re.I)


def _video_problems(deck: Deck, shown: _Shown) -> list[_Found]:
    found = []
    for tag in _tags(deck, shown, frozenset({"video"})):
        line = shown.line(tag.start)
        ending = _ENDS_VIDEO.search(deck.source, tag.end, shown.body_end(tag.start))
        inner = deck.source[tag.end:ending.start()] if ending else ""
        kinds = {_track_kind(match) for match in _TAG.finditer(inner) if match.group(1).lower() == "track"}
        if not kinds & {"captions", "subtitles"}:
            found.append(_Found(line, "video-captions", Diagnostic(
                deck.path, line, WARNING, 'this <video> has no captions: add <track kind="captions" '
                'src="….vtt" srclang="en"> inside it (a11y: video-captions)')))
        if "autoplay" in tag.attributes and "controls" not in tag.attributes:
            found.append(_Found(line, "animation-pause", Diagnostic(
                deck.path, line, WARNING, "this <video> plays by itself and has no controls, so nobody "
                "can pause it: add the controls attribute (a11y: animation-pause)")))
    return found


def _track_kind(match: re.Match) -> str:
    for attribute in _ATTRIBUTE.finditer(match.group(2) or ""):
        if attribute.group(1).lower() == "kind":
            return next((v for v in attribute.group(2, 3, 4) if v is not None), "").strip().lower()
    return "subtitles"  # a track without kind is subtitles, as HTML says
