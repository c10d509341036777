"""`lecture build` on small course repositories."""
import json
import re
from pathlib import Path

import lecture_tool
from lecture_tool.commands.build import build
from lecture_tool.config import load_config

from conftest import make_project

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 16
TEMPLATES = Path(lecture_tool.__file__).parent / "templates"  # the packaged ones


def built_source(tmp_path, text: str) -> str:
    """Build a one-deck course and return the deck source its page hands to remark."""
    project = make_project(tmp_path, {"deck.md": text})
    build(load_config(project))
    return embedded_source((project / "build/deck.html").read_text())


def embedded_source(page: str) -> str:
    match = re.search(r'<script type="application/json" id="lecture-source">(.*?)</script>', page, re.S)
    return json.loads(match.group(1))


def test_builds_pages_index_assets_and_static_files(tmp_path):
    project = make_project(tmp_path, {
        "b-second.md": "title: Second deck\n# Two\n---\n# Three",
        "a-first.md": "# First deck\n\n![A test picture](images/pic.png)\n---\n# More\n\n--\nstep",
    }, files={"slides/images/pic.png": PNG, "slides/.hidden": b"x"})
    result = build(load_config(project))
    assert result.diagnostics == []
    out = project / "build"
    assert (out / "images/pic.png").read_bytes() == PNG
    assert not (out / ".hidden").exists()
    for asset in ("assets/remark.min.js", "assets/katex/katex.min.js", "assets/katex/katex.min.css",
                  "assets/lecture.css", "assets/lecture.js"):
        assert (out / asset).stat().st_size > 0, asset
    index = (out / "index.html").read_text()
    assert index.index("First deck") < index.index("Second deck")
    assert '<a href="a-first.html">First deck</a>' in index
    assert "3 slides" in index and "2 slides" in index
    page = (out / "a-first.html").read_text()
    assert "<title>First deck · Test course</title>" in page
    assert "https://" not in page and "http://" not in page


def test_no_op_build_writes_nothing(tmp_path):
    project = make_project(tmp_path, {"deck.md": "# A\n---\n# B"})
    config = load_config(project)
    assert build(config).written
    page = project / "build/deck.html"
    before = page.stat().st_mtime_ns
    again = build(config)
    assert again.written == []
    assert page.stat().st_mtime_ns == before


def test_source_is_embedded_so_any_text_survives(tmp_path):
    text = ("# Tricky\n\n</textarea> </script> <!-- &amp; {{ }} \u2028\n\n"
            "```html\n<script>alert(1)</script>\n```\n")
    project = make_project(tmp_path, {"deck.md": text})
    build(load_config(project))
    page = (project / "build/deck.html").read_text()
    # Exactly the scripts deck.html writes (deck and options as JSON, remark, KaTeX, ours, the
    # deck's strokes; not the course's macros, which this course has none of), none from the deck.
    template = (TEMPLATES / "deck.html").read_text().replace("{{ annotations_script }}", "deck.annotations.js")
    written = [tag for tag in re.findall(r"<script[^>]*>", template) if "macros_script" not in tag]
    assert re.findall(r"<script[^>]*>", page) == written
    assert page.count("</script>") == len(written)
    assert embedded_source(page) == text


def test_math_is_protected_from_markdown_with_remark_escapes_kept(tmp_path):
    text = "# M\n\n$a*b*c$ and $$\\sum_i x_i$$ and `$not math$` and \\$5, $\\\\{x\\\\} \\(y\\)$\n"
    source = built_source(tmp_path, text)
    assert '<span class="lecture-math" data-tex="a*b*c"></span>' in source
    assert '<span class="lecture-math display" data-tex="\\sum_i x_i"></span>' in source
    assert "`$not math$`" in source and "\\$5" in source
    assert 'data-tex="\\{x\\} (y)"' in source


def test_a_broken_deck_does_not_stop_the_others(tmp_path):
    project = make_project(tmp_path, {"good.md": "# Good", "bad.md": "# Bad"})
    (project / "slides/bad.md").write_bytes(b"# Bad\n\xff\n")
    result = build(load_config(project))
    assert [(d.path.name, d.line, d.severity) for d in result.diagnostics] == [("bad.md", 2, "error")]
    assert (project / "build/good.html").exists()
    assert not (project / "build/bad.html").exists()


def test_a_failing_template_keeps_the_previous_page(tmp_path):
    project = make_project(tmp_path, {"deck.md": "# A"})
    config = load_config(project)
    build(config)
    good = (project / "build/deck.html").read_bytes()
    (project / "templates").mkdir()
    (project / "templates/deck.html").write_text("<html>{{ no_such_variable }}</html>\n")
    result = build(config)
    assert [(d.severity, "no_such_variable" in d.message) for d in result.diagnostics] == [
        ("error", True)]
    assert (project / "build/deck.html").read_bytes() == good
    assert not list((project / "build").glob(".*.tmp"))


def test_templates_can_be_overridden_by_the_course(tmp_path):
    project = make_project(tmp_path, {"deck.md": "# A"}, files={
        "templates/index.html": "<h1>{{ course_title }}</h1>{% for d in decks %}[{{ d.title }}]"
                                "{% endfor %}\n"})
    build(load_config(project))
    assert (project / "build/index.html").read_text() == "<h1>Test course</h1>[A]\n"


def test_a_repository_with_only_slides_needs_no_configuration(tmp_path):
    (tmp_path / "course/slides").mkdir(parents=True)
    (tmp_path / "course/slides/intro.md").write_text("# Hello")
    config = load_config(tmp_path / "course")
    result = build(config)
    assert result.diagnostics == [] and result.decks == 1
    assert "course" in (tmp_path / "course/build/index.html").read_text()


def test_links_to_other_decks_and_copied_files_resolve(tmp_path):
    project = make_project(tmp_path, {
        "one.md": "# One\n[next](two.html) [data](files/data.csv) [web](https://example.org)"
                  " [top](#3) <img src=\"files/x.svg\" alt=\"A drawing\">",
        "two.md": "# Two"}, files={"slides/files/data.csv": b"a,b\n", "slides/files/x.svg": b"<svg/>"})
    assert build(load_config(project)).diagnostics == []


def test_images_inside_html_blocks_are_checked_too(tmp_path):
    # remark converts a content class's Markdown even inside a <div>, so the image is requested.
    project = make_project(tmp_path, {"deck.md": '# R\n\n<div style="margin-top: -15px">\n'
                                                 '.center.width-80[![A residual network](images/resnet.png)]\n</div>\n'})
    result = build(load_config(project))
    assert [(d.line, d.message.split(" not found")[0]) for d in result.diagnostics] == [
        (4, "image 'images/resnet.png'")]


def test_math_in_nested_list_items_is_math_but_not_in_indented_code(tmp_path):
    # remark's lexer calls both 4-space-indented; Markdown makes the first a list item.
    text = "# L\n\n* outer\n    - $a*b$ inner\n\nPara.\n\n    $not*math$\n"
    source = built_source(tmp_path, text)
    assert '    - <span class="lecture-math" data-tex="a*b"></span> inner' in source
    assert "    $not*math$" in source


def test_check_annotations_do_not_reach_the_page(tmp_path):
    text = ("<!-- check: skip (slow) -->\n# A\n\n```python\nx = 1\n```\n\n"
            "922M <!-- check: params(z) = 922M -->\n<!-- check: setup\nimport os\n-->\nEnd\n")
    source = built_source(tmp_path, text)
    assert "check:" not in source and "import os" not in source
    assert "922M " in source and "# A" in source and "End" in source

