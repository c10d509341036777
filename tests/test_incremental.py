"""A build redoes only what changed: an unchanged deck is not parsed or rendered again, but its
problems are still reported, and whatever its page depends on (templates, settings, the files
the output will hold) makes it new again."""
from click.testing import CliRunner

from lecture_tool.cli import main

from conftest import make_project


def build(project):
    result = CliRunner().invoke(main, ["-C", str(project), "build"], catch_exceptions=False)
    return result.output.splitlines()


def test_unchanged_decks_are_reused_and_their_problems_still_said(tmp_path):
    project = make_project(tmp_path, {"a.md": "# A\n\n![](missing.png)\n", "b.md": "# B\n"})
    first = build(project)
    page = project / "build/a.html"
    written_at = page.stat().st_mtime_ns
    again = build(project)
    warning = ("slides/a.md:3: warning: image 'missing.png' not found: no slides/missing.png to "
               "copy and no build step makes build/missing.png")
    assert warning in first and warning in again
    assert again[-1].startswith("Built 2 decks (2 slides)") and "0 files written" in again[-1]
    assert page.stat().st_mtime_ns == written_at
    # The image appears: what the output holds changed, so the deck is looked at again.
    (project / "slides/missing.png").write_bytes(b"png")
    assert [line for line in build(project) if ": warning: " in line] == []


def test_a_template_or_a_setting_makes_every_page_new(tmp_path):
    project = make_project(tmp_path, {"a.md": "# A\n", "b.md": "# B\n"})
    build(project)
    (project / "templates").mkdir()
    (project / "templates/deck.html").write_text(
        '{% extends "base.html" %}{% block body %}<body data-course="custom"></body>{% endblock %}')
    build(project)
    assert all('data-course="custom"' in (project / f"build/{n}.html").read_text() for n in "ab")
    (project / "pyproject.toml").write_text('[tool.lecture]\ntitle = "Renamed"\n[tool.lecture.remark]\nratio = "4:3"\n')
    (project / "templates/deck.html").unlink()
    build(project)
    assert all('"ratio": "4:3"' in (project / f"build/{n}.html").read_text() for n in "ab")
