"""Hostile input: decks, files and configurations built to break the tool. Each class of them
gets a path:line message (or is handled), never a traceback, and costs time linear in its size."""
from __future__ import annotations

import random
import re
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from lecture_tool.cli import main
from lecture_tool.deck import parse_deck
from lecture_tool.references import check_references
from lecture_tool.render import find_math, prepare_source

from conftest import make_project

# One-line decks of each construct that was once quadratic or recursive, by the text repeated.
PATHOLOGICAL = {
    "unclosed math with braces": "${",
    "unclosed content classes": ".a[",
    "dollars and spaces": "$ ",
    "images in one paragraph": "![](x.png) ",
    "backslashes": "\\",
    "brackets": "[",
    "emphasis": "*",
    "links in one paragraph": "[a](b.html) ",
    "inline code": "`a` ",
    "html": "<img src=a.png>",
}


def cpu_seconds(text: str, repeat: int = 3) -> float:
    """The least CPU time (not wall time: the machine is shared) of parsing, preparing and
    checking a deck, of a few runs."""
    best = float("inf")
    for _ in range(repeat):
        start = time.process_time()
        deck = parse_deck(text, Path("slides/deck.md"))
        prepare_source(deck)
        check_references(deck, "", set(), "build", "slides")
        best = min(best, time.process_time() - start)
    return best


@pytest.mark.parametrize("name", PATHOLOGICAL)
def test_time_grows_linearly_with_the_deck(name):
    piece = PATHOLOGICAL[name]
    small, large = (f"# T\n\n{piece * (size // len(piece))}\n" for size in (25_000, 50_000))
    ratio = cpu_seconds(large) / max(cpu_seconds(small), 1e-3)
    assert ratio <= 2.5, f"{name}: 50 KB took {ratio:.1f}× the time of 25 KB"


def test_content_classes_nested_a_thousand_deep(tmp_path):
    depth = 1000
    project = make_project(tmp_path, {"deck.md": "# Deep\n\n" + ".a[" * depth + "x" + "]" * depth + "\n"})
    result = CliRunner().invoke(main, ["-C", str(project), "build"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    deck = parse_deck((project / "slides/deck.md").read_text())
    assert sum(t.kind == "content_start" for t in deck.tokens) == depth
    assert (project / "build/deck.html").is_file()


def _find_math_as_it_was(text: str) -> list[tuple[int, int, bool]]:
    """The first, quadratic find_math: what a formula is must not change with its speed."""
    def escaped(at: int) -> bool:
        return (len(text[:at]) - len(text[:at].rstrip("\\"))) % 2 == 1

    def closing(start: int, delimiter: str) -> int:
        depth, i = 0, start
        while i < len(text):
            if text[i] == "\\":
                i += 2
                continue
            depth += {"{": 1, "}": -1}.get(text[i], 0)
            if text[i] not in "{}" and depth <= 0 and text.startswith(delimiter, i):
                return -1 if delimiter == "$" and text.startswith("$$", i) else i
            i += 1
        return -1

    spans, i = [], 0
    while (i := text.find("$", i)) >= 0:
        if escaped(i):
            i += 1
            continue
        delimiter = "$$" if text.startswith("$$", i) else "$"
        close = closing(i + len(delimiter), delimiter)
        body = text[i + len(delimiter):close] if close >= 0 else ""
        if close < 0 or not body.strip() or re.search(r"\n[ \t]*\n", body):
            i += len(delimiter)
            continue
        spans.append((i, close + len(delimiter), delimiter == "$$"))
        i = close + len(delimiter)
    return spans


def test_linear_find_math_finds_what_the_quadratic_one_found():
    rng = random.Random(3)
    alphabet = ["$", "$", "$$", "{", "}", "\\", "a", " ", "\n", "\n\n", " \t\n"]
    for _ in range(20_000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 16)))
        assert find_math(text) == _find_math_as_it_was(text), repr(text)
