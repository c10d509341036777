"""The contrast check of a course's stylesheet (`lecture build`): what it checks is in
contrast.py; this module gathers the page's styles, makes the probes and says what falls short,
at the line of the stylesheet that chose the colour.

A page's styles, in its order: remark's own (`documentStyles`) and the highlight.js style that
`highlightStyle` chose (remark carries them all, each scoped by `.hljs-NAME`, the class it gives
the slide), both inside remark.min.js, then lecture.css as the build rendered it (its rules for
another style's `.hljs-NAME` apply to none of the course's slides). Its rules are read
from the rendered file and their lines are those of the template it was rendered from (the
course's templates/lecture.css, or the packaged one): lines that rendering repeats or changes
(a `{% for %}` loop) count as the template's line that made them.
"""
from __future__ import annotations

import difflib
import math
import re
from dataclasses import replace
from pathlib import Path

from ..diagnostics import WARNING, Diagnostic
from .contrast import (A, CODE, CODE_LINE, COURSE_CONTEXT, HIGHLIGHTED_LINE, KNOWN, P, PRE, Cascade,
                       Finding, Probe, measure, slide_context)
from .css import Rule, hex_of, parse_stylesheet
from .selectors import Compound, Element, element_of, parse_selector


def stylesheet_contrast(rendered: str, template: Path, template_text: str, remark_js: str,
                        highlight_style: str, setting: tuple[Path, int]) -> list[Diagnostic]:
    """Every colour pair of the page that falls short of WCAG 2.1 AA, as warnings. `rendered`:
    lecture.css as built from `template` (`template_text`); `setting`: where the course sets
    `highlightStyle` (pyproject.toml and its line), where a token colour of remark's is reported."""
    remark_rules = parse_stylesheet(remark_styles(remark_js, highlight_style))
    course_rules = parse_stylesheet(rendered, template)
    cascade = Cascade([*remark_rules, *course_rules])
    lines = _template_lines(template_text, rendered)
    others = highlight_styles(remark_js) - {highlight_style}
    # Findings that differ only in what they name (every token of a style in one colour) are
    # said once, naming them all.
    grouped: dict[tuple, list[str]] = {}
    for probe in probes(course_rules, remark_rules, highlight_style, others):
        finding = measure(cascade, probe)
        if finding is not None:
            key = (*_where(finding, template, lines, setting), _message(finding, probe.where))
            grouped.setdefault(key, []).append(probe.what)
    return [Diagnostic(path, line, WARNING, message.replace(_WHAT, ", ".join(dict.fromkeys(names))))
            for (path, line, message), names in grouped.items()]


def highlight_styles(remark_js: str) -> set[str]:
    """The names of the highlight.js styles remark carries: each begins `.hljs-NAME .hljs{`."""
    names, at = set(), remark_js.find(" .hljs{")
    while at >= 0:
        start = remark_js.rfind(".hljs-", max(0, at - 60), at)
        if start >= 0 and re.fullmatch(r"[\w-]+", remark_js[start + 6:at]):
            names.add(remark_js[start + 6:at])
        at = remark_js.find(" .hljs{", at + 1)
    return names


def remark_styles(remark_js: str, highlight_style: str) -> str:
    """remark's own stylesheet and the highlight style named, as remark.min.js holds them (one
    JavaScript string each); "" for what it does not hold."""
    parts = []
    start = remark_js.find('documentStyles:"')
    if start >= 0:
        parts.append(_js_string(remark_js, start + len("documentStyles:")))
    # The styles are an object literal, `github:".hljs-github .hljs{…}"` (the key quoted when it
    # is not a name: `"github-gist":…`); str.find, as a regular expression over the 650 kB of
    # remark.min.js costs 40 ms.
    marker = f':".hljs-{highlight_style}'
    at = remark_js.find(marker)
    while at >= 0:
        key = remark_js[max(0, at - len(highlight_style) - 3):at]
        name = re.escape(highlight_style)
        if remark_js[at + len(marker)] in " {" and re.search(rf'[,{{](?:"{name}"|{name})\Z', key):
            parts.append(_js_string(remark_js, at + 1))
            break
        at = remark_js.find(marker, at + 1)
    return "\n".join(parts)


def _js_string(text: str, quote: int) -> str:
    """The JavaScript string literal that opens at `quote`, decoded."""
    out, index = [], quote + 1
    escapes = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "v": "\v", "0": "\0"}
    while index < len(text) and text[index] != text[quote]:
        char = text[index]
        if char == "\\" and index + 1 < len(text):
            following = text[index + 1]
            if following == "u" and re.fullmatch(r"[0-9a-fA-F]{4}", text[index + 2:index + 6]):
                out.append(chr(int(text[index + 2:index + 6], 16)))
                index += 6
                continue
            if following == "x" and re.fullmatch(r"[0-9a-fA-F]{2}", text[index + 2:index + 4]):
                out.append(chr(int(text[index + 2:index + 4], 16)))
                index += 4
                continue
            out.append(escapes.get(following, following))
            index += 2
            continue
        out.append(char)
        index += 1
    return "".join(out)


def probes(course_rules: list[Rule], remark_rules: list[Rule], style: str,
           other_styles: set[str] = frozenset()) -> list[Probe]:
    """What a page shows whatever the stylesheet says, then what each of its colour rules makes
    (but for rules of `other_styles`' highlighting, which a page of `style` never applies)."""
    slide = slide_context(style)
    found = [Probe((*slide, P), "slide text"), Probe((*slide, Element("h1")), "a slide's h1"),
             Probe((*slide, Element("h2")), "a slide's h2"), Probe((*slide, Element("h3")), "a slide's h3"),
             Probe((*slide, P, A), "a link on a slide"),
             Probe((*slide, P, Element("span", frozenset({"footnote"}))), "a footnote"),
             Probe((*slide, P, KNOWN["remark-inline-code"]), "inline code"),
             Probe((*slide, KNOWN["remark-slide-number"]), "the slide number"),
             Probe((*COURSE_CONTEXT, P), "the course page's text"),
             Probe((*COURSE_CONTEXT, P, A), "a link on the course page"),
             Probe((*COURSE_CONTEXT, P, Element("a", states=frozenset({"visited"}))),
                   "a visited link on the course page")]
    for line, label in ((CODE_LINE, "code"), (HIGHLIGHTED_LINE, "a highlighted line of code")):
        found.append(Probe((*slide, PRE, CODE, line), label))
        for token in _tokens(remark_rules, style):
            found.append(Probe((*slide, PRE, CODE, line, Element("span", frozenset({token}))),
                               f".{token}", f"in {label} (highlightStyle {style})"))
    scopes = {f"hljs-{name}" for name in other_styles}
    for rule in course_rules:
        if not _colours_something(rule):
            continue
        for selector in rule.selectors:
            compounds = parse_selector(selector)
            if compounds is not None and not any(c.classes & scopes for c in compounds):
                found.append(Probe(_chain_of(compounds, slide), selector, rule=rule))
    return list(dict.fromkeys(found))


def _tokens(rules: list[Rule], style: str) -> list[str]:
    """The token classes the highlight style colours (`hljs-comment`, …)."""
    names = []
    for rule in rules:
        for selector in rule.selectors:
            compounds = parse_selector(selector) or ()
            if compounds and f"hljs-{style}" in compounds[0].classes:
                names += [name for name in sorted(compounds[-1].classes)
                          if name.startswith("hljs-") and name != f"hljs-{style}"]
    return list(dict.fromkeys(names))


def _colours_something(rule: Rule) -> bool:
    names = {d.name for d in rule.declarations}
    return bool(names & {"color", "background", "background-color", "border", "border-top",
                         "border-top-color"})


def _chain_of(compounds: tuple[Compound, ...], slide: tuple[Element, ...]) -> tuple[Element, ...]:
    """The element a rule's selector describes, placed where the page has it: on the course
    page when it names `.course-index`, else on a slide. Leading compounds that name an element
    of the page (`body`, `.remark-slide-content.title-slide`) are that element; the others are
    made below the slide's content (or the course page's `main`)."""
    context = list(COURSE_CONTEXT if any("course-index" in c.classes for c in compounds) else slide)
    reached, placed = 0, 0
    for compound in compounds:
        match = next((k for k in range(reached, len(context)) if _names(compound, context[k])), None)
        if match is None or compound.pseudo:
            break
        context[match] = _joined(context[match], compound)
        reached, placed = match + 1, placed + 1
    if placed == len(compounds):  # a rule for the page itself (`body`): the text in it
        return (*context, P)
    chain = context
    for compound in compounds[placed:]:
        if compound.pseudo:  # the element it belongs to, then the pseudo-element
            chain.append(_element(replace(compound, pseudo=None), chain))
        chain.append(_element(compound, chain))
    return tuple(chain)


def _names(compound: Compound, element: Element) -> bool:
    """Whether a compound describes this element of the page (it may say more of it)."""
    named = compound.tag == element.tag or bool(compound.classes & element.classes)
    return named and compound.tag in (None, "*", element.tag) and not compound.ids


def _joined(element: Element, compound: Compound) -> Element:
    return Element(element.tag, element.classes | compound.classes,
                   element.states | frozenset(compound.states),
                   element.attributes | frozenset(compound.attributes))


def _element(compound: Compound, chain: list[Element]) -> Element:
    """The element a compound makes, as the page has it; the code block a token (`.hljs-string`)
    or a code line lives in is added to `chain` first when the selector left it out."""
    known = next((KNOWN[name] for name in sorted(compound.classes) if name in KNOWN), None)
    around = {c for element in chain for c in element.classes}
    token = any(name.startswith("hljs-") and name not in around for name in compound.classes)
    wanted = [PRE, CODE, CODE_LINE] if token else [PRE, CODE] if known in (CODE_LINE, HIGHLIGHTED_LINE) \
        else [PRE] if known is CODE else []
    for needed in wanted:
        if not any(e.tag == needed.tag and needed.classes <= e.classes for e in chain):
            chain.append(needed)
    made = element_of(compound)
    if known is not None:
        made = Element(known.tag, known.classes | made.classes, made.states, made.attributes, made.pseudo)
    return made


def _template_lines(template: str, rendered: str) -> list[int]:
    """For each line of the rendered stylesheet (from 1), the template's line it came from: the
    same line where rendering left it alone, else the most alike of the lines it replaced
    (`.c{{ n }} {…}` for `.c2 {…}`)."""
    source, made = template.splitlines(), rendered.splitlines()
    lines = [1] * (len(made) + 1)
    matcher = difflib.SequenceMatcher(None, source, made, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        for j in range(j1, j2):
            if tag == "equal":
                lines[j + 1] = i1 + (j - j1) + 1
            elif i2 > i1:
                lines[j + 1] = 1 + max(range(i1, i2), key=lambda i: difflib.SequenceMatcher(
                    None, source[i], made[j]).ratio())
            else:
                lines[j + 1] = max(i1, 1)  # inserted: the line before
    return lines


def _where(finding: Finding, template: Path, lines: list[int], setting: tuple[Path, int]) -> tuple[Path, int]:
    """The course's line that chose the colour, else the one that chose the background, else
    the rule the probe was made from; a token colour of remark's highlight style: the line that
    sets `highlightStyle`."""
    for origin in (finding.colour_from, finding.background_from):
        if origin is not None and origin[1].source is not None:
            return template, lines[min(origin[0].line, len(lines) - 1)]
    if finding.probe.rule is not None:
        return template, lines[min(finding.probe.rule.line, len(lines) - 1)]
    if finding.colour_from is not None:
        return setting
    return template, 1


_WHAT = "\0what\0"  # where a message names what it holds for, filled in once they are all known


def _message(finding: Finding, where: str) -> str:
    """The message, with _WHAT where the names of everything it holds for go."""
    shown = math.floor(finding.ratio * 100) / 100  # never "4.50:1 is below 4.5:1"
    advice = ("choose another highlightStyle, or set the token's colour in templates/lecture.css"
              if finding.colour_from is not None and finding.colour_from[1].source is None
              else "darken it or lighten what is behind it, or the other way round")
    where = f" {where}" if where else ""
    return (f"contrast of {_WHAT}{where}: {hex_of(finding.foreground)} on "
            f"{hex_of(finding.background)} is {shown:.2f}:1, below the {finding.needed:g}:1 that "
            f"WCAG 2.1 AA asks of {finding.kind}: {advice}")
