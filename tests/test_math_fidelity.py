"""Math as remark shows it: our built page against remark.js itself, in Chromium."""
import random

import pytest
from click.testing import CliRunner

from lecture_tool.cli import main
from lecture_tool.deck import parse_deck

from conftest import REPO, SAMPLES, make_project

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
    # Issue 26, class 1: marked passes a class's HTML through raw where its <div> is a block of
    # HTML in the parent: the `\\\\` of a row break is unescaped once, not once per class.
    "content classes nested as blocks": ".a[\n.b[\n$$x \\\\\\\\ y$$\n]\n]\n",
    "content classes nested on one line": "# One line\n\n.a[.b[$$x \\\\\\\\ y$$]]\n",
    "two columns over lines, no blank line between": (
        "# Columns\n\n.left-column[\n$\\\\{a\\\\}$ here\n]\n.right-column[\ntext $b \\\\\\\\ c$\n]\n"),
    "a class, then text, then a class": (
        "# Mixed\n\n.left[\n$p \\\\\\\\ q$\n]\nplain $\\\\{r\\\\}$\n.right[\n$s$\n]\n\nafter $t \\\\\\\\ u$\n"),
    # Class 2: math inside an HTML block (and a comment) is not Markdown.
    "math inside an HTML block": (
        "# Raw\n\n<div class=\"box\">\n$$\\begin{matrix} a \\\\ b \\end{matrix}$$\n\nand $c \\\\ d$\n</div>\n\n"
        "Then $e \\\\\\\\ f$ as Markdown.\n"),
    "math in comments and code elements": (
        "# Hidden\n\n<!-- $\\frac{1}{2$ -->\n\nShown $g$ <!-- $h$ --> and <code>$i$</code> end.\n"),
    "entities in math": "# Entities\n\n$a &lt; b$ and $c &#62; d$ and $&lt;e&gt;$\n",
    # Class 3: braces escaped once for Markdown are TeX's escaped braces, not groups.
    "unbalanced escaped braces": "# Sets\n\nx $\\\\{a$ y\n\ne.g. $\\\\{ a,$ $b \\\\}$\n",
    # Class 4: remark glues the lines around `--`; the formula closes in the step.
    "a formula closed across a -- join": "# Steps\n\na $\n--\nb$ c\n",
    "a longer formula across a -- join": "# Steps\n\ntext $x +\n--\ny$ more $z$\n--\nlast $w$\n",
    "math in a quote over lines": "# Quote\n\n> quote $p\n> q$ end\n",
}


@pytest.fixture(scope="module")
def remark_katex_page(browser):
    """A page with remark.js, KaTeX and its auto-render, as a plain remark deck's page has."""
    page = browser.new_page()
    page.set_content("<!DOCTYPE html><html><body></body></html>")
    for script in ("remark-slide/out/remark.min.js", "katex/dist/katex.min.js",
                   "katex/dist/contrib/auto-render.min.js"):
        page.add_script_tag(path=str(REPO / "node_modules" / script))
    yield page
    page.close()


@pytest.fixture(scope="module")
def remark_with_katex(remark_katex_page):
    return lambda source: remark_katex_page.evaluate(REMARK_WITH_AUTO_RENDER, source)


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


# What a slide says around its math, as its reader sees it: each rendered formula as its TeX.
SLIDE_TEXT = """(root) => [...root.querySelectorAll('.remark-slides-area .remark-slide-content')].map(slide => {
    const copy = slide.cloneNode(true);
    // The slide's number and our page's copy buttons are no part of what the deck says.
    copy.querySelectorAll('.remark-slide-number, .lecture-copy-code').forEach(n => n.remove());
    copy.querySelectorAll('.katex').forEach(k => {
        const tex = k.querySelector('annotation');
        k.replaceWith('[' + (tex ? tex.textContent : '') + ']');
    });
    return copy.textContent.replace(/\\s+/g, ' ').trim();
})"""


@pytest.fixture(scope="module")
def remark_text(remark_katex_page):
    return lambda source: remark_katex_page.evaluate("""([source, read]) => {
        const container = document.createElement('div');
        document.body.appendChild(container);
        remark.create({source: source, container: container});
        renderMathInElement(container, {delimiters: [{left: '$$', right: '$$', display: true},
                                                     {left: '$', right: '$', display: false}],
                                        throwOnError: false});
        const text = eval(read)(container);
        container.remove();
        return text;
    }""", [source, SLIDE_TEXT])


@pytest.mark.parametrize("name", MATH_DECKS)
def test_math_renders_as_remark_and_katex_render_it(browser, remark_with_katex, remark_text, tmp_path,
                                                    name):
    source = MATH_DECKS[name]
    assert any(remark_with_katex(source)), f"remark rendered no math for {name}"
    assert_same_as_remark(browser, remark_with_katex, remark_text, tmp_path, source)


@pytest.mark.parametrize("sample", sorted(p.name for p in SAMPLES.glob("*.md")))
def test_sample_decks_render_as_remark_and_katex_render_them(browser, remark_with_katex, remark_text,
                                                             tmp_path, sample):
    """The sample decks, written as decks for other course pages are (columns, raw HTML, steps,
    layouts, quotes, lists), slide by slide: their math and the text around it."""
    source = (SAMPLES / sample).read_text(encoding="utf-8").replace("\r\n", "\n")
    assert_same_as_remark(browser, remark_with_katex, remark_text, tmp_path, source)


def assert_same_as_remark(browser, remark_with_katex, remark_text, tmp_path, source: str) -> None:
    expected = remark_with_katex(source)
    project = make_project(tmp_path, {"deck.md": source})
    result = CliRunner().invoke(main, ["-C", str(project), "build"])
    assert result.exit_code == 0, result.output
    assert ": error:" not in result.output
    page = browser.new_page()
    page.goto(f"file://{project}/build/deck.html")
    page.wait_for_function("window.slideshow !== undefined")
    assert page.evaluate(OUR_MATH) == expected  # the TeX KaTeX gets, slide by slide
    assert page.evaluate(f"({SLIDE_TEXT})(document)") == remark_text(source)  # and around it
    page.close()


def test_stars_and_underscores_stay_math_where_remark_breaks_them(browser, remark_with_katex, tmp_path):
    """gnab/remark#336: remark's Markdown reads `*` and `_` inside `$…$` as emphasis first. The
    build keeps each formula away from Markdown, so the page shows what the author wrote."""
    source = "# Stars\n\n$a*b*c$ and $x_i y_j$\n"
    assert remark_with_katex(source) is None  # remark: `$a<em>b</em>c$ and …`, then `c$ and $x`
    assert our_math(browser, tmp_path, source) == [["a*b*c", "x_i y_j"]]


# Pieces of math-bearing decks, put together at random: formulas in text, lists, steps, content
# classes (on one line, nested as blocks, side by side over lines), continuation lines indented
# as code, escapes and escaped braces, HTML blocks and comments with math, formulas that close
# only in the next `--` step. An HTML block ends at two blank lines here (one survives a `--`): where it ends depends on
# what follows it, and a `--` step after it can move its end, so that a formula before the `--`
# would be raw in one step and Markdown in the next; one page cannot be both.
MATH_FRAGMENTS = [
    "text $x_{n}$ more", "$$\\sum_i x_i$$", "- item $a_{i}$", "    - nested $b^{2}$", "--", "---",
    "", "", ".note[$\\\\{a\\\\}$ and $c\\\\\\_{k}$]", "    &= $e$",
    "$$\\begin{aligned}\nf &= 1 \\\\\\\\\n      &= 2\n\\end{aligned}$$", "`$not math$`",
    "# Title $t$", "plain words", ".a[.b[$\\\\\\\\{g\\\\\\\\}$]]", "1. first $h$",
    ".left[\n$m \\\\\\\\ n$\n]", ".a[\n.b[\n$$p \\\\\\\\ q$$\n]\n]", ".right[\ntext $\\\\{r\\\\}$\n]",
    "<div>\n$$\\begin{matrix} a \\\\ b \\end{matrix}$$\n</div>\n\n", "<div class=\"x\">$s \\\\ t$</div>\n\n",
    "<!-- $\\frac{1}{2$ -->\n\n", "x $\\\\{a$ y", "e.g. $\\\\{ u,$ $v \\\\}$", "a $w +", "z$ b",
    "> quote $\\alpha$", "$\\\\{ \\\\}$",
]


def generated_math_decks(count: int, seed: int = 12) -> list[str]:
    rng = random.Random(seed)
    return ["\n".join(rng.choice(MATH_FRAGMENTS) for _ in range(rng.randint(2, 12)))
            for _ in range(count)]


def steps_agree(source: str, remark_math: list[list[str]]) -> bool:
    """Whether each `--` step shows the formulas of the step before as that step shows them.

    A step is read with the steps before it, and what comes after can change how marked reads
    them: an HTML block or a class's <div> that ended the step before (passed through raw)
    runs on into the step's text (and is read as Markdown, escapes and all). remark then shows
    one formula two ways; one page cannot, and the build reads each step's own text as it
    stands in its own step."""
    slides = parse_deck(source).slides
    return all(not slide.continued or remark_math[i][:len(remark_math[i - 1])] == remark_math[i - 1]
               for i, slide in enumerate(slides) if i > 0)


def test_generated_math_decks_render_as_remark_and_katex_render_them(browser, remark_with_katex,
                                                                     remark_text, tmp_path):
    decks = {f"deck-{i:03d}.md": source for i, source in enumerate(generated_math_decks(120))}
    project = make_project(tmp_path, decks)
    CliRunner().invoke(main, ["-C", str(project), "build"])
    page, compared = browser.new_page(), 0
    for name, source in decks.items():
        expected = remark_with_katex(source)
        if expected is None:
            continue  # remark broke this deck's math (#336): nothing to be equal to
        if not steps_agree(source, expected):
            continue  # remark itself reads a formula two ways in two steps of a slide
        page.goto(f"file://{project}/build/{name[:-3]}.html")
        page.wait_for_function("window.slideshow !== undefined")
        assert page.evaluate(OUR_MATH) == expected, source
        assert page.evaluate(f"({SLIDE_TEXT})(document)") == remark_text(source), source
        compared += 1
    page.close()
    print(f"compared {compared} of {len(decks)} generated decks")
    assert compared >= 60, f"only {compared} of {len(decks)} decks were left to compare"


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
