"""CSS selectors, read and matched against a chain of elements (an element and its ancestors),
which is all the contrast check asks of them: "does this rule style this element, and how
strongly?"

Matched: type, class, id, attribute selectors on `class`, pseudo-classes as states the element
is in (`:visited`, `:hover`, `:last-child`), `:root`, `::before`/`::after`, and the four
combinators. Not followed: what an argument of `:not()`, `:is()` or `:has()` says (they are
taken to match), the siblings that `+` and `~` name (taken to be there), attributes other than
`class` (matched only by the element made from that very selector).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

# Pseudo-classes whose argument is a selector: taken to match, counted as one class.
_SELECTOR_ARGUMENT = ("not", "is", "has", "matches", "where")
# CSS 2 wrote these pseudo-elements with one colon.
_LEGACY_PSEUDO_ELEMENTS = ("before", "after", "first-line", "first-letter")


@dataclass(frozen=True)
class Element:
    """An element as the selectors see it."""
    tag: str
    classes: frozenset[str] = frozenset()
    states: frozenset[str] = frozenset()  # pseudo-classes it is in: "visited", "last-child", …
    attributes: frozenset[str] = frozenset()  # attribute selectors it was made from, as written
    pseudo: str | None = None  # "before" or "after": then it is that pseudo-element of its parent


@dataclass(frozen=True)
class Compound:
    tag: str | None
    classes: frozenset[str]
    ids: tuple[str, ...]
    attributes: tuple[str, ...]  # `class*="width-"`, as written between the brackets
    states: tuple[str, ...]  # pseudo-class names, lower case
    pseudo: str | None
    combinator: str  # how it joins the compound on its left: " ", ">", "+", "~"; "" for the first


_PART = re.compile(r"""\*|[\w-]+|\.[\w-]+|\#[\w-]+|\[(?:"[^"]*"|'[^']*'|[^\]])*\]
                       |::?[\w-]+(?:\((?:[^()]|\([^()]*\))*\))?""", re.X)


def parse_selector(text: str) -> tuple[Compound, ...] | None:
    """The compounds of one complex selector, left to right; None for one this reader cannot
    follow (it then styles nothing here)."""
    compounds, combinator, position = [], "", 0
    text = text.strip()
    while position < len(text):
        gap = re.match(r"\s*([>+~])\s*|\s+", text[position:])
        if gap and position:
            combinator = gap.group(1) or " "
            position += gap.end()
            continue
        parts = []
        while position < len(text) and (found := _PART.match(text, position)):
            parts.append(found.group(0))
            position = found.end()
        if not parts:
            return None
        compounds.append(_compound(parts, combinator or ""))
        combinator = ""
    return tuple(compounds) or None


def _compound(parts: list[str], combinator: str) -> Compound:
    tag, classes, ids, attributes, states, pseudo = None, set(), [], [], [], None
    for part in parts:
        if part.startswith("::") or part[1:].lower() in _LEGACY_PSEUDO_ELEMENTS and part[0] == ":":
            pseudo = part.lstrip(":").lower()
        elif part.startswith(":"):
            states.append(part[1:].split("(")[0].lower())
        elif part.startswith("."):
            classes.add(part[1:])
        elif part.startswith("#"):
            ids.append(part[1:])
        elif part.startswith("["):
            attributes.append(part[1:-1].strip())
        else:
            tag = part.lower()
    return Compound(tag, frozenset(classes), tuple(ids), tuple(attributes), tuple(states), pseudo,
                    combinator)


def specificity(compounds: tuple[Compound, ...]) -> tuple[int, int, int]:
    ids = sum(len(c.ids) for c in compounds)
    classes = sum(len(c.classes) + len(c.attributes) + sum(s != "where" for s in c.states)
                  for c in compounds)
    types = sum((c.tag not in (None, "*")) + (c.pseudo is not None) for c in compounds)
    return ids, classes, types


def matches(compounds: tuple[Compound, ...], chain: tuple[Element, ...]) -> bool:
    """Whether the selector styles the last element of `chain` (its ancestors before it)."""
    return _match(compounds, len(compounds) - 1, chain, len(chain) - 1, False)


def _match(compounds, c: int, chain, e: int, assumed: bool) -> bool:
    """Compound `c` matches element `e` (or, `assumed`, a sibling of it that is taken to be
    there), and the compounds before it match its ancestors as their combinators say."""
    if e < 0 or not (assumed or compound_matches(compounds[c], chain[e])):
        return False
    if c == 0:
        return True
    # The ancestors of a pseudo-element are those of the element it belongs to.
    parent = e - 2 if chain[e].pseudo and not assumed else e - 1
    combinator = compounds[c].combinator
    if combinator == ">":
        return _match(compounds, c - 1, chain, parent, False)
    if combinator in "+~":
        # A sibling: it has the same parent, which is all the chain knows of it.
        return _match(compounds, c - 1, chain, e if not chain[e].pseudo else e - 1, True)
    return any(_match(compounds, c - 1, chain, ancestor, False) for ancestor in range(parent, -1, -1))


def compound_matches(compound: Compound, element: Element) -> bool:
    if compound.pseudo != element.pseudo or compound.ids:
        return False
    if compound.tag not in (None, "*", element.tag) or not compound.classes <= element.classes:
        return False
    if not all(_attribute_holds(condition, element) for condition in compound.attributes):
        return False
    return all(_state_holds(state, element) for state in compound.states)


def _attribute_holds(condition: str, element: Element) -> bool:
    if condition in element.attributes:
        return True
    found = re.fullmatch(r"""class\s*([~^$*|]?)=\s*["']?([^"']*)["']?(?:\s+[is])?""", condition)
    if not found:
        return False
    operator, value = found.groups()
    names = sorted(element.classes)
    if operator == "*":
        return any(value in name for name in names)
    if operator in ("^", "|"):
        return any(name.startswith(value) for name in names)
    if operator == "$":
        return any(name.endswith(value) for name in names)
    return value in element.classes if operator == "~" else names == value.split()


def _state_holds(state: str, element: Element) -> bool:
    if state == "root":
        return element.tag == "html"
    if state in _SELECTOR_ARGUMENT:
        return True
    if state in ("link", "any-link"):
        return element.tag == "a" and (state == "any-link" or "visited" not in element.states)
    return state in element.states


def element_of(compound: Compound, tag: str = "span") -> Element:
    """The element a compound describes, for a check of the rule it comes from: its tag (`tag`
    when it names none), classes, states and the attribute selectors it was written with."""
    named = compound.tag if compound.tag not in (None, "*") else tag
    return Element(named, compound.classes, frozenset(compound.states), frozenset(compound.attributes),
                   compound.pseudo)
