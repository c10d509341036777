"""Math as remark shows it: our built page against remark.js itself, in Chromium."""
import random

import pytest
from click.testing import CliRunner

from lecture_tool.cli import main

from conftest import REPO, make_project

HEADINGS = ("# $k$ nearest neighbours\n---\n## Loss $L(\\theta)$ and *more*\n---\n"
            "Setext $x_i$ heading\n===\n\n[back](#-k-nearest-neighbours)\n---\n"
            ".left[## Left $a$ column\ntext\n]\n")  # a class's Markdown begins with a heading


@pytest.fixture(scope="module")
def remark_page(browser):
    page = browser.new_page()
    page.set_content("<!DOCTYPE html><html><body></body></html>")
    page.add_script_tag(path=str(REPO / "node_modules/remark-slide/out/remark.min.js"))
    yield page
    page.close()


def remark_heading_ids(page, source: str) -> list[str]:
    return page.evaluate("""(source) => {
        const container = document.createElement('div');
        document.body.appendChild(container);
        remark.create({source: source, container: container});
        const ids = [...container.querySelectorAll('.remark-slide-content h1, .remark-slide-content h2')]
            .map(h => h.id);
        container.remove();
        return ids;
    }""", source)


def test_headings_with_math_get_remarks_ids(browser, remark_page, tmp_path):
    project = make_project(tmp_path, {"deck.md": HEADINGS})
    assert CliRunner().invoke(main, ["-C", str(project), "build"]).exit_code == 0
    page = browser.new_page()
    page.goto(f"file://{project}/build/deck.html")
    page.wait_for_function("window.slideshow !== undefined")
    ours = page.evaluate("[...document.querySelectorAll('.remark-slide-content h1, "
                         ".remark-slide-content h2')].map(h => h.id)")
    page.close()
    expected = remark_heading_ids(remark_page, HEADINGS)
    assert expected[:4] == ["-k-nearest-neighbours", "loss-l-theta-and-more-", "setext-x_i-heading",
                            "left-a-column"]
    assert ours == expected


# A plain remark deck's math, as its authors see it: remark, then KaTeX's auto-render. TeX is
# compared with its runs of white space made one (KaTeX ignores them; marked removes a list
# item's indentation from its lines).
REMARK_WITH_AUTO_RENDER = """(source) => {
    const container = document.createElement('div');
    document.body.appendChild(container);
    const show = remark.create({source: source, container: container});
    renderMathInElement(container, {delimiters: [{left: '$$', right: '$$', display: true},
                                                 {left: '$', right: '$', display: false}],
                                    throwOnError: false});
    const slides = [...container.querySelectorAll('.remark-slides-area .remark-slide-content')];
    const result = slides.map(slide =>
        [...slide.querySelectorAll('annotation')].map(a => a.textContent.replace(/\\s+/g, ' ').trim()));
    // gnab/remark#336: marked made emphasis of a formula's `_` or `*`, and the math is broken.
    const emphasised = slides.some(slide => slide.querySelector('em, strong') !== null);
    container.remove();
    return emphasised ? null : result;
}"""
OUR_MATH = """() => [...document.querySelectorAll('.remark-slides-area .remark-slide-content')].map(slide =>
    [...slide.querySelectorAll('annotation')].map(a => a.textContent.replace(/\\s+/g, ' ').trim()))"""

MATH_DECKS = {
    "display math whose lines are indented as code": (
        "# Aligned\n\n$$\\begin{aligned}\na &= b \\\\\\\\\n      &= c\n\\end{aligned}$$\n"),
    "an indented list item in a step, under the step before": (
        "# Algorithm\n\n- While not converged:\n\n--\n\n    - Shuffle the pairs $(i, j)$\n\n--\n\n"
        "    - Update $w_{t+1}$\n"),
    "escapes inside content classes": (
        "# Notes\n\n.footnote[$\\\\{x\\\\}$ and $c\\\\\\_i$]\n\nOutside: $\\\\{y\\\\}$ and .red[.big[$\\\\\\\\{z\\\\\\\\}$]]\n"),
    "a class over lines": (
        "# Columns\n\n.left-column[\n$\\\\{a\\\\}$ here\n]\n\n.right-column[\ntext $b_1$\n]\n"),
    "escaped dollars and code": "# Money\n\nIt costs \\\\$5, `$code$` is code, and $x$ is math.\n",
}


@pytest.fixture(scope="module")
def remark_with_katex(browser):
    page = browser.new_page()
    page.set_content("<!DOCTYPE html><html><body></body></html>")
    for script in ("remark-slide/out/remark.min.js", "katex/dist/katex.min.js",
                   "katex/dist/contrib/auto-render.min.js"):
        page.add_script_tag(path=str(REPO / "node_modules" / script))
    yield lambda source: page.evaluate(REMARK_WITH_AUTO_RENDER, source)
    page.close()


def our_math(browser, tmp_path, source: str) -> list[list[str]]:
    project = make_project(tmp_path, {"deck.md": source})
    result = CliRunner().invoke(main, ["-C", str(project), "build"])
    assert result.exit_code == 0, result.output
    page = browser.new_page()
    page.goto(f"file://{project}/build/deck.html")
    page.wait_for_function("window.slideshow !== undefined")
    found = page.evaluate(OUR_MATH)
    page.close()
    return found


@pytest.mark.parametrize("name", MATH_DECKS)
def test_math_renders_as_remark_and_katex_render_it(browser, remark_with_katex, tmp_path, name):
    source = MATH_DECKS[name]
    expected = remark_with_katex(source)
    assert any(expected), f"remark rendered no math for {name}"
    assert our_math(browser, tmp_path, source) == expected


def test_stars_and_underscores_stay_math_where_remark_breaks_them(browser, remark_with_katex, tmp_path):
    """gnab/remark#336: remark's Markdown reads `*` and `_` inside `$…$` as emphasis first. The
    build keeps each formula away from Markdown, so the page shows what the author wrote."""
    source = "# Stars\n\n$a*b*c$ and $x_i y_j$\n"
    assert remark_with_katex(source) is None  # remark: `$a<em>b</em>c$ and …`, then `c$ and $x`
    assert our_math(browser, tmp_path, source) == [["a*b*c", "x_i y_j"]]


# Pieces of math-bearing decks, put together at random: formulas in text, lists, steps, content
# classes, continuation lines indented as code, escapes. Not here: two classes over several lines
# on one slide. From the first one's <div> to a last one's </div> at the slide's end, marked takes
# everything as one block of raw HTML (no Markdown, no escapes), which the build does not mimic.
MATH_FRAGMENTS = [
    "text $x_{n}$ more", "$$\\sum_i x_i$$", "- item $a_{i}$", "    - nested $b^{2}$", "--", "---",
    "", "", ".note[$\\\\{a\\\\}$ and $c\\\\\\_{k}$]", "    &= $e$",
    "$$\\begin{aligned}\nf &= 1 \\\\\\\\\n      &= 2\n\\end{aligned}$$", "`$not math$`",
    "# Title $t$", "plain words", ".a[.b[$\\\\\\\\{g\\\\\\\\}$]]", "1. first $h$",
]


def generated_math_decks(count: int, seed: int = 12) -> list[str]:
    rng = random.Random(seed)
    return ["\n".join(rng.choice(MATH_FRAGMENTS) for _ in range(rng.randint(2, 12)))
            for _ in range(count)]


def test_generated_math_decks_render_as_remark_and_katex_render_them(browser, remark_with_katex,
                                                                     tmp_path):
    decks = {f"deck-{i:03d}.md": source for i, source in enumerate(generated_math_decks(80))}
    project = make_project(tmp_path, decks)
    CliRunner().invoke(main, ["-C", str(project), "build"])
    page, compared = browser.new_page(), 0
    for name, source in decks.items():
        expected = remark_with_katex(source)
        if expected is None:
            continue  # remark broke this deck's math (#336): nothing to be equal to
        page.goto(f"file://{project}/build/{name[:-3]}.html")
        page.wait_for_function("window.slideshow !== undefined")
        assert page.evaluate(OUR_MATH) == expected, source
        compared += 1
    page.close()
    print(f"compared {compared} of {len(decks)} generated decks")
    assert compared >= 40, f"only {compared} of {len(decks)} decks were left to compare"


def test_katex_errors_are_found_at_build_time_at_their_line(tmp_path):
    deck = ("# Fine\n\n$\\frac{1}{2}$ and $$\\sum_i x_i$$\n\n---\n\n# MathJax habits\n\n"
            "$$\\begin{eqnarray} a &=& b \\end{eqnarray}$$\n\nand $\\undefinedmacro{x}$\n\n"
            "---\n\n# Left raw\n\nPrices like \\$5 are fine. A $$ alone, and ${x} unclosed.\n")
    project = make_project(tmp_path, {"deck.md": deck})
    result = CliRunner().invoke(main, ["-C", str(project), "build"])
    problems = [line for line in result.output.splitlines() if ": error: " in line or ": warning: " in line]
    assert problems == [
        "slides/deck.md:9: error: KaTeX: No such environment: eqnarray at position 7: "
        "\\begin{eqnarray} a &=& b \\end{e… (KaTeX has no eqnarray: write \\begin{aligned} a &= b "
        "\\\\ c &= d \\end{aligned})",
        "slides/deck.md:11: error: KaTeX: Undefined control sequence: \\undefinedmacro at position "
        "1: \\undefinedmacro{x} (KaTeX does not know this command: see KaTeX's list of supported "
        "functions, or spell it out)",
        "slides/deck.md:17: warning: '$$' here opens no formula: the slide shows it as it is "
        "(close the formula, or write \\$ for a dollar sign)",
        "slides/deck.md:17: warning: '$' here opens no formula: the slide shows it as it is "
        "(close the formula, or write \\$ for a dollar sign)",
    ]
    assert result.exit_code == 1
    # Cached by formula: a second build finds the same, without KaTeX having to run again.
    again = CliRunner().invoke(main, ["-C", str(project), "build"])
    assert [line for line in again.output.splitlines() if ": error: " in line] == problems[:2]
