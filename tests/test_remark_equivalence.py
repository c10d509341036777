"""Our parser and remark.js itself, side by side in Chromium, must see the same slides."""
import random

import pytest

from lecture_tool.deck import parse_deck

from conftest import REPO, SAMPLES


def ours(source: str) -> dict:
    deck = parse_deck(source)
    total = max((s.number for s in deck.slides), default=1)
    return {"count": len(deck.slides),
            "slides": [{"index": s.index, "continued": s.continued, "name": s.name,
                        "cls": s.css_class, "title": s.title, "number": f"{s.number} / {total}"}
                       for s in deck.slides]}


def theirs(remark_oracle, source: str) -> dict:
    result = remark_oracle(source)
    assert "error" not in result, result
    for slide in result["slides"]:
        del slide["notes"]
    return result


def assert_same(remark_oracle, source: str) -> None:
    expected = theirs(remark_oracle, source)
    actual = ours(source)
    assert actual["count"] == expected["count"], source
    assert actual["slides"] == expected["slides"], source


@pytest.mark.parametrize("sample", sorted(p.name for p in SAMPLES.glob("*.md")))
def test_samples(remark_oracle, sample):
    assert_same(remark_oracle, (SAMPLES / sample).read_bytes().decode().replace("\r\n", "\n"))


def test_the_lecture_deck(remark_oracle):
    for path in sorted((REPO / "slides").glob("*.md")):
        assert_same(remark_oracle, path.read_text(encoding="utf-8"))


# A slide's title is the textContent of the first h1–h6 of its content in remark's page: what
# marked makes of the Markdown, and then what the browser's HTML parser makes of that.
TITLE_DECKS = {
    # A `#` line inside a raw text element or a comment is text: marked makes an <h1> of it, the
    # browser does not.
    **{f"a # line inside <{name}>": f"<{name}>\n# not a heading\n</{name}>\n# Real title"
       for name in ("style", "script", "textarea", "title", "xmp", "iframe", "noembed",
                    "noframes", "noscript", "template")},
    "a # line inside an HTML comment": "<!--\n# not a heading\n-->\n\n# Real title",
    "a comment a heading line cuts (marked escapes its <!--)": "<!-- \n# shown\n-->\n# Real",
    "a # line inside an HTML block": "<div>\n# not a heading\n</div>\n\n# Real title",
    "a # line inside <pre>, which holds elements": "<pre>\n# in pre\n</pre>\n# Real",
    "<style> inside SVG, an element like any other": "<svg><style>\n# in svg\n</style></svg>\n# R",
    "everything after <plaintext> is text": "<plaintext>\n# not a heading",
    "<style> in inline code": "`<style>`\n# Real",
    # A content class's Markdown is converted on its own, then read again in its parent's.
    "a heading that begins a block class": ".left[## Title\nmore\n]",
    "a heading that begins nested classes": ".a[.b[# T\nx\n]]",
    "a heading in a one-line (span) class": ".a[# T]",
    "a heading after text in a span class": "text .a[# T]",
    "an escaped class is text": "\\.a[# T]",
    "a heading under a class's first line": ".a[\n# T\n]\nafter",
    "a code block in a class, read again": ".a[\n```python\n# c\n```\n]\ntext\n\n# R",
    # The presenter notes are not the slide's; parser.js starts them again at each `???`.
    "a setext heading in the notes": "Text\n???\nNotes\n===",
    "notes only": "???\nNotes\n===",
    "a setext heading between two ???": "Text\n???\nNotes\n===\n???\nmore notes",
    # The text of a heading is what the browser shows of its HTML.
    "inline HTML": "# A <strong>b</strong> c",
    "character references": "# A &amp; b &lt;x&gt; &copy; &#65; &notit;",
    "a comment in a heading": "# A <!-- b --> c",
    "an image and a link": "# ![alt](x.png) Title [link](http://x)",
    "a link definition": "# see [ref] and [Ref]\n\n[ref]: http://x",
    "emphasis, code, strike": "# *em* and **strong** `code` ~~del~~ a_b_ c",
    "backslash escapes": "# \\# escaped \\<b> x \\_y\\_",
    "a property in the text": "title: Hello\n\n# {{title}} and {{ nothing }} and \\{{title}}",
    "a heading in a list, a quote and a table": "> # quoted\n---\n* # in list\n---\n"
                                                "| a | b |\n|---|---|\n| # c | d |",
}


@pytest.mark.parametrize("name", TITLE_DECKS)
def test_titles_are_the_first_heading_remark_shows(remark_oracle, name):
    assert_same(remark_oracle, TITLE_DECKS[name])


# Pieces that exercise every rule of remark's lexer and parser, put together at random; the
# last ones, what makes a slide's title.
FRAGMENTS = [
    "---", "--", "---", "--", "???", "--- ", "----", " ---", "-- ",
    "# Title {n}", "## Sub {n}", "text {n}", "", "", "class: c{n}", "name: s{n}",
    "layout: true", "layout: false", "template: s{n}", "count: false", "exclude: true",
    "exclude: TRUE", "Input: 227x227x3 image", "<!-- class: k{n} -->", "<!-- name: s{n} -->",
    "```\n---\n```", "```python\nx = 1\n--\n```", "~~~\n???\n~~~", "````\n```\n---\n````",
    "    indented\n    ---", "`inline\n---\ncode`", ".col[\n---\n]", ".a.b[ x ]", ".open[ never",
    "]", "[ref]: http://example.org", "* item\n* item", "> quote", "\\.esc[\n---\n]",
    "{{{{ content }}}}", "$x_i$ and $a*b*c$", "```",
    "<style>\n# styled {n}\n</style>", "<style>", "</style>", "<!--", "-->", ".left[## Left {n}",
    ".a[# Span {n}]", "???\nSetext {n}\n===", "Setext {n}\n---", "# A <b>bold</b> &amp; {n}",
]


def generated_decks(count: int, seed: int = 20261130) -> list[str]:
    rng = random.Random(seed)
    decks = []
    for _ in range(count):
        lines = [rng.choice(FRAGMENTS).format(n=rng.randint(0, 3))
                 for _ in range(rng.randint(1, 25))]
        deck = "\n".join(lines)
        if rng.random() < 0.1:
            deck = "\n".join("  " + line for line in deck.split("\n"))
        decks.append(deck)
    return decks


def test_generated_decks(remark_oracle):
    # Differential testing: 400 decks mixing every construct, each checked against remark for
    # slide count, order, steps, names, classes, numbers and titles.
    for source in generated_decks(400):
        assert_same(remark_oracle, source)
