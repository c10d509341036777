"""The remark macros a deck's page defines: remark's `hello`, our `scale` (templates/lecture.js),
and a course's own, from `macros.js` in its templates directory.

remark throws on a macro it does not know and then shows no slide at all, so the build must
know every name a page defines before it calls a deck good. The course's file is JavaScript
that the page runs between remark.min.js and remark.create(), as xaringan's `beforeInit` does;
the build does not run it (it is written for a browser, and a course's code never runs inside
`lecture serve`'s process), it reads the names the file assigns:

    remark.macros.NAME = function (...) { ... };
    remark.macros["NAME"] = ...;          (or 'NAME', or `NAME`)
    Object.assign(remark.macros, {NAME: ..., NAME(...) { ... }, "NAME": ...});

outside comments and strings. A name made any other way (in a loop, through a variable that
holds remark.macros) works in the page but is not seen here: a deck that uses it gets the "not
defined" error, and a file in which the build sees no name at all is a warning of its own.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from .diagnostics import ERROR, WARNING, Diagnostic, display_path

BUILT_IN = frozenset({"hello", "scale"})
COURSE_FILE = "macros.js"  # in the course's templates directory


@dataclass(frozen=True)
class Macros:
    """What the deck parser needs to know of a page's macros: their names, and where a course
    defines more (the message about an unknown one says where)."""
    names: frozenset[str] = BUILT_IN
    defined_in: str = f"templates/{COURSE_FILE}"
    course_names: frozenset[str] = frozenset()  # those the course defines itself (its own `scale` too)

    def fingerprint(self) -> str:
        """The same text for the same macros (a frozenset's order changes from run to run)."""
        return "\n".join([self.defined_in, *sorted(self.names)])


def course_macros(path: Path, root: Path) -> tuple[Macros, list[Diagnostic]]:
    """The macros of a course's pages, given its macros file (`layout.macros_source`; it may
    have none), and what that file has wrong: no macro found in it, or it cannot be read.
    `root`: the course, for the path the messages show."""
    shown = display_path(path, root)
    if not path.is_file():
        return Macros(defined_in=shown), []
    try:
        script = path.read_bytes().decode("utf-8-sig", errors="replace")
    except OSError as exc:
        return Macros(defined_in=shown), [Diagnostic(path, 1, ERROR, f"cannot read it: {exc.strerror}")]
    names = assigned_names(script)
    if not names:
        return Macros(defined_in=shown), [Diagnostic(
            path, 1, WARNING, "the build finds no macro defined here, so no deck may use one: "
            "define each as remark.macros.NAME = function (...) { ... }, "
            "remark.macros['NAME'] = ..., or in Object.assign(remark.macros, {...})")]
    return Macros(BUILT_IN | names, shown, frozenset(names)), []


_NAME = r"[A-Za-z_$][\w$]*"
_MACROS = r"(?<![\w$])remark\s*\.\s*macros"
# `=`, and `||=` / `??=`, which define the name when it is not there yet; not `==`, `===`, `=>`.
_ASSIGN = r"\s*(?:\|\||\?\?)?=(?![=>])"
_BY_DOT = re.compile(rf"{_MACROS}\s*\.\s*({_NAME}){_ASSIGN}")
# The quotes' insides are blank in the masked text: the name is read from the script itself.
_BY_KEY = re.compile(rf"{_MACROS}\s*\[\s*([\"'`])([^\"'`\n]*)\1\s*\]{_ASSIGN}")
_ASSIGN_CALL = re.compile(r"(?<![\w$.])Object\s*\.\s*assign\s*\(")
_FIRST_ARGUMENT = re.compile(rf"\s*(?:(?:window|globalThis|self)\s*\.\s*)?{_MACROS}\s*,")
# The key of an object literal's member: `name:`, `name(` (a method), `"name":`, `name` alone.
_MEMBER = re.compile(rf"\s*(?:async\s+)?(?:\*\s*)?(?:({_NAME})|([\"'])([^\"'\n]*)\2)\s*(?:[:(]|$)")


def assigned_names(script: str) -> set[str]:
    """The names of the macros a script assigns (see the module's documentation)."""
    masked = _masked(script)
    names = {match.group(1) for match in _BY_DOT.finditer(masked)}
    names |= {_unescaped(script[match.start(2):match.end(2)]) for match in _BY_KEY.finditer(masked)}
    for call in _ASSIGN_CALL.finditer(masked):
        arguments = _members(masked, call.end() - 1)
        if not arguments or not _FIRST_ARGUMENT.match(masked[arguments[0][0]:arguments[0][1] + 1]):
            continue
        for start, end in arguments[1:]:
            opening = start + len(masked[start:end]) - len(masked[start:end].lstrip())
            if masked.startswith("{", opening):
                names |= _object_keys(script, masked, opening)
    return names


def _object_keys(script: str, masked: str, opening: int) -> set[str]:
    keys = set()
    for start, end in _members(masked, opening):
        member = _MEMBER.match(masked, start, end)
        if member is None:
            continue  # a spread (`...other`) or a computed key (`[name]`): not known here
        keys.add(member.group(1) or _unescaped(script[member.start(3):member.end(3)]))
    return keys


_OPENERS, _CLOSERS = "([{", ")]}"


def _members(masked: str, opening: int) -> list[tuple[int, int]]:
    """The comma-separated parts between the bracket at `opening` and the one closing it, as
    (start, end) offsets; [] when it is never closed."""
    parts, depth, start = [], 0, opening + 1
    for at in range(opening, len(masked)):
        char = masked[at]
        if char in _OPENERS:
            depth += 1
        elif char in _CLOSERS:
            depth -= 1
            if depth == 0:
                if masked[start:at].strip():  # a trailing comma leaves an empty last part
                    parts.append((start, at))
                return parts
        elif char == "," and depth == 1:
            parts.append((start, at))
            start = at + 1
    return []


def _unescaped(text: str) -> str:
    # `\x` is `x` in a JavaScript string for every x a macro name would hold.
    return re.sub(r"\\(.)", r"\1", text)


# After one of these a `/` starts a regular expression, not a division.
_KEYWORDS_BEFORE_A_VALUE = frozenset({"return", "typeof", "case", "do", "else", "in", "of", "new",
                                      "delete", "void", "throw", "instanceof", "yield", "await"})


def _masked(script: str) -> str:
    """The script with its comments blanked and the insides of its strings, template literals
    and regular expressions blanked too, every offset kept: what is left is code, where a
    `remark.macros.x =` in a comment or a string is not mistaken for one, nor a bracket
    inside a string for one of the code's."""
    out = list(script)
    # What is open at each point: "code" (with the braces it has opened), or a template
    # literal, which may hold code in `${...}`.
    stack: list[list] = [["code", 0]]
    at, end = 0, len(script)
    while at < end:
        char, mode = script[at], stack[-1]
        if mode[0] == "template":
            if char == "\\":
                _blank(out, at, at + 2)
                at += 2
            elif char == "`":
                stack.pop()
                at += 1
            elif script.startswith("${", at):
                stack.append(["code", 0])
                at += 2
            else:
                _blank(out, at, at + 1)
                at += 1
            continue
        if script.startswith("//", at):
            close = script.find("\n", at)
            at = _blank(out, at, end if close < 0 else close)
        elif script.startswith("/*", at):
            close = script.find("*/", at + 2)
            at = _blank(out, at, end if close < 0 else close + 2)
        elif char in "'\"":
            at = _skip_string(script, out, at)
        elif char == "`":
            stack.append(["template", 0])
            at += 1
        elif char == "/" and _starts_a_value(out, at):
            at = _skip_regex(script, out, at)
        else:
            if char == "{":
                mode[1] += 1
            elif char == "}" and len(stack) > 1:
                if mode[1] == 0:
                    stack.pop()  # the end of a `${...}`: back in its template literal
                else:
                    mode[1] -= 1
            at += 1
    return "".join(out)


def _blank(out: list[str], start: int, end: int) -> int:
    for at in range(start, min(end, len(out))):
        if out[at] != "\n":
            out[at] = " "
    return end


def _skip_string(script: str, out: list[str], at: int) -> int:
    """Blank a quoted string's inside; the offset after its closing quote (or its line's end)."""
    quote, at = script[at], at + 1
    start = at
    while at < len(script) and script[at] not in (quote, "\n"):
        at += 2 if script[at] == "\\" else 1
    _blank(out, start, at)
    return at + 1


def _skip_regex(script: str, out: list[str], at: int) -> int:
    """Blank a regular expression literal's pattern (a `/` in a class `[...]` ends nothing)."""
    start, at, in_class = at + 1, at + 1, False
    while at < len(script) and script[at] != "\n":
        char = script[at]
        if char == "\\":
            at += 2
            continue
        if char == "/" and not in_class:
            break
        in_class = (in_class or char == "[") and char != "]"
        at += 1
    _blank(out, start, at)
    return at + 1


def _starts_a_value(out: list[str], at: int) -> bool:
    """Whether a `/` here opens a regular expression: it does where a value is expected (after
    an operator, a bracket that opens, a keyword such as `return`), not after a value."""
    last = at - 1
    while last >= 0 and out[last].isspace():
        last -= 1
    if last < 0:
        return True
    if out[last] in ")]}'\"`":
        return False
    word_start = last + 1
    while word_start > 0 and (out[word_start - 1].isalnum() or out[word_start - 1] in "_$"):
        word_start -= 1
    word = "".join(out[word_start:last + 1])
    return not word or word in _KEYWORDS_BEFORE_A_VALUE
