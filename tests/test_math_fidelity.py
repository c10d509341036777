"""Math as remark shows it: our built page against remark.js itself, in Chromium."""
import pytest
from click.testing import CliRunner

from lecture_tool.cli import main

from conftest import REPO, make_project

HEADINGS = ("# $k$ nearest neighbours\n---\n## Loss $L(\\theta)$ and *more*\n---\n"
            "Setext $x_i$ heading\n===\n\n[back](#-k-nearest-neighbours)\n")


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
    assert expected[:3] == ["-k-nearest-neighbours", "loss-l-theta-and-more-", "setext-x_i-heading"]
    assert ours == expected
