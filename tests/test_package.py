"""`lecture` as another course gets it: the wheel, installed in a new venv far from this
repository (no node_modules in sight), then `lecture init`, build, check, and the page in Chromium."""
from __future__ import annotations

import json
import os
import shlex
import signal
import subprocess
import sys
import sysconfig
import tarfile
import urllib.request
import zipfile
from pathlib import Path

import pytest

from conftest import REPO

BROWSER_FILES = ("lecture_tool/browser/remark-slide/out/remark.min.js",
                 "lecture_tool/browser/katex/dist/katex.min.js",
                 "lecture_tool/browser/katex/dist/katex.min.css",
                 "lecture_tool/browser/katex/dist/fonts/KaTeX_Main-Regular.woff2",
                 "lecture_tool/browser/katex/LICENSE",
                 # `lecture check --a11y` runs it in the page; its licence travels with it.
                 "lecture_tool/browser/axe-core/axe.min.js",
                 "lecture_tool/browser/axe-core/LICENSE",
                 "lecture_tool/browser/axe-core/LICENSE-3RD-PARTY.txt")


@pytest.fixture(scope="module")
def dist(tmp_path_factory) -> Path:
    """The sdist and the wheel, built as a release would be: `python -m build`."""
    out = tmp_path_factory.mktemp("dist")
    subprocess.run([sys.executable, "-m", "build", "--outdir", str(out), str(REPO)], check=True,
                   capture_output=True)
    return out


def wheel_of(dist: Path) -> Path:
    return next(dist.glob("lecture_tool-*.whl"))


def make_venv(root: Path) -> Path:
    """A new virtual environment from the base Python, not from this test's venv."""
    subprocess.run([getattr(sys, "_base_executable", sys.executable), "-m", "venv", str(root)],
                   check=True)
    return root / "bin"


def user_env(bin_dir: Path) -> dict:
    """What a user's shell would have: the venv's bin first, nothing of this checkout."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["PATH"] = f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"
    # The extras borrowed through a .pth line keep their data files (nbconvert's templates) in
    # this environment's share/jupyter; an install of the extras would put them in the venv's.
    env["JUPYTER_PATH"] = str(Path(sys.prefix) / "share" / "jupyter")
    return env


def lecture(bin_dir: Path, *args, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(bin_dir / "lecture"), *args], cwd=cwd, env=user_env(bin_dir),
                          capture_output=True, text=True, timeout=600)


def test_wheel_and_sdist_carry_remark_and_katex(dist):
    names = set(zipfile.ZipFile(wheel_of(dist)).namelist())
    assert set(BROWSER_FILES) <= names
    assert "lecture_tool/figure_style.py" in names
    assert "lecture_tool/scaffold/slides/intro.md" in names
    sdist = next(dist.glob("lecture_tool-*.tar.gz"))
    members = {m.split("/", 1)[1] for m in tarfile.open(sdist).getnames() if "/" in m}
    assert set(BROWSER_FILES) <= members and "package-lock.json" in members
    # Nothing of the course or of node_modules travels with the tool.
    assert not [n for n in names | members if n.startswith(("slides/", "figures_src/", "node_modules/"))]
    assert wheel_of(dist).stat().st_size < 1_500_000


def test_wheel_from_the_sdist_needs_no_node(dist, tmp_path):
    """A user who installs from the sdist has no npm: the sdist already holds the files."""
    sdist = next(dist.glob("lecture_tool-*.tar.gz"))
    bin_only = tmp_path / "bin"
    bin_only.mkdir()
    (bin_only / "python").symlink_to(sys.executable)
    env = dict(os.environ, PATH=str(bin_only))  # no node, no npm
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path / "w"),
                    str(sdist)], check=True, env=env, capture_output=True)
    names = set(zipfile.ZipFile(next((tmp_path / "w").glob("*.whl"))).namelist())
    assert set(BROWSER_FILES) <= names


def install_with_extras(bin_dir: Path, wheel: Path) -> None:
    """The wheel in a venv, with the extras the scaffold needs.

    The extras (TensorFlow is 600 MB) are taken from this test's environment through a .pth
    line instead of being downloaded again; the tool itself comes only from the wheel, and
    `test_base_install_builds_slides_and_names_the_missing_extras` installs the base
    dependencies for real."""
    subprocess.run([str(bin_dir / "pip"), "install", "-q", "--no-deps", str(wheel)],
                   check=True, capture_output=True, env=user_env(bin_dir))
    site = subprocess.run([str(bin_dir / "python"), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          check=True, capture_output=True, text=True).stdout.strip()
    Path(site, "zz-test-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")


def test_installed_tool_reads_its_packaged_browser_files(new_course):
    full_install, new_course = new_course
    where = subprocess.run(
        [str(full_install / "python"), "-c",
         "import lecture_tool, pathlib; from lecture_tool.assets import find_node_modules; "
         "print(lecture_tool.__file__); print(find_node_modules(pathlib.Path.cwd()))"],
        cwd=new_course, env=user_env(full_install), capture_output=True, text=True, check=True)
    package, node_modules = where.stdout.split()
    assert not package.startswith(str(REPO)) and node_modules.startswith(str(Path(package).parent))
    assert not (new_course / "node_modules").exists()


def test_scaffold_builds_and_checks_strictly(new_course):
    bin_dir, new_course = new_course
    expected = {"pyproject.toml", "requirements.txt", ".gitignore", "slides/intro.md",
                "figures_src/logistic.py", "notebooks/first-steps.ipynb",
                ".github/workflows/lecture.yml"}
    assert expected <= {p.relative_to(new_course).as_posix() for p in new_course.rglob("*") if p.is_file()}
    build = lecture(bin_dir, "build", "--strict", cwd=new_course)
    assert build.returncode == 0, build.stderr
    assert "0 errors, 0 warnings" in build.stderr
    for made in ("intro.html", "index.html", "images/logistic.png", "notebooks/first-steps.html",
                 "assets/remark.min.js", "assets/katex/katex.min.js"):
        assert (new_course / "build" / made).is_file(), made
    check = lecture(bin_dir, "check", "--strict", cwd=new_course)
    assert check.returncode == 0, check.stderr
    assert "Checked 1 code blocks and 1 claims" in check.stderr and "0 errors, 0 warnings" in check.stderr
    # The claim and the shape comment are really checked: a wrong number fails at its line.
    deck = new_course / "slides/intro.md"
    text = deck.read_text()
    deck.write_text(text.replace("7,850 parameters", "7,851 parameters").replace("= 7,850", "= 7,851"))
    try:
        wrong = lecture(bin_dir, "check", cwd=new_course)
    finally:
        deck.write_text(text)
    assert wrong.returncode == 1
    line = text.splitlines().index("This model has 7,850 parameters.") + 1
    assert f"slides/intro.md:{line}: error: Functional model" in wrong.stderr
    assert "has 7,850 parameters, slide says 7,851" in wrong.stderr


def test_scaffold_page_renders_offline_in_chromium(browser, new_course):
    bin_dir, new_course = new_course
    outline = json.loads(lecture(bin_dir, "outline", "intro", "--json", cwd=new_course).stdout)
    page = browser.new_page(viewport={"width": 1280, "height": 720})
    requests, errors = [], []
    page.on("request", lambda r: requests.append(r.url))
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"file://{new_course}/build/intro.html")
    page.wait_for_function("window.slideshow !== undefined")
    page.wait_for_load_state("load")
    assert page.evaluate("slideshow.getSlideCount()") == outline["slide_count"] == 6
    # Both formulas of the scaffold's math slide, each rendered by KaTeX, on the step that
    # shows them and on the next one, which keeps them.
    rendered = page.evaluate("[...document.querySelectorAll('.remark-slide-content .lecture-math')]"
                             ".map(m => [m.dataset.tex, m.querySelector('.katex') !== null])")
    assert rendered == 2 * [[r"\sigma(z) = \frac{1}{1 + e^{-z}}", True],
                            [r"\sigma'(z) = \sigma(z)\,\bigl(1 - \sigma(z)\bigr).", True]]
    assert page.evaluate("document.querySelectorAll('.katex-error').length") == 0
    assert page.evaluate("document.body.textContent").count("$") == 0
    loaded = page.evaluate("[...document.images].map(i => [i.src, i.naturalWidth])")
    assert loaded and all(width > 0 for _, width in loaded), loaded
    assert [u for u in requests if not u.startswith(("file://", "data:"))] == []
    assert errors == []
    page.close()


def test_scaffold_and_its_course_page_pass_the_accessibility_audit(new_course):
    """The new course as it is, audited by the axe-core the wheel carries: no violation of
    WCAG 2.1 AA on any slide, around them, or on the course page."""
    bin_dir, new_course = new_course
    result = lecture(bin_dir, "check", "--a11y", "--strict", cwd=new_course)
    assert result.returncode == 0, result.stderr
    assert "audited 6 slides on 2 pages" in result.stderr and "0 errors, 0 warnings" in result.stderr


def test_base_install_builds_slides_and_names_the_missing_extras(dist, tmp_path):
    """`pip install lecture-tool` alone: slides build; each stage says which extra it needs."""
    bin_dir = make_venv(tmp_path / "venv")
    subprocess.run([str(bin_dir / "pip"), "install", "-q", str(wheel_of(dist))], check=True,
                   capture_output=True, env=user_env(bin_dir))
    result = lecture(bin_dir, "init", "course", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert ("install them first:\n\n    pip install 'lecture-tool[figures,keras,notebooks]'\n\n"
            "then: cd course && lecture build") in result.stdout
    course = tmp_path / "course"
    build = lecture(bin_dir, "build", cwd=course)
    assert build.returncode == 1
    assert (course / "build/intro.html").is_file() and (course / "build/assets/remark.min.js").is_file()
    assert ("figures_src/logistic.py:4: error: ModuleNotFoundError: No module named 'numpy': "
            "pip install 'lecture-tool[figures]' brings it") in build.stderr
    assert ("notebooks/first-steps.ipynb:1: error: running notebooks needs nbformat, nbclient, "
            "nbconvert, ipykernel: pip install 'lecture-tool[notebooks]'") in build.stderr
    check = lecture(bin_dir, "check", "--no-notebooks", cwd=course)
    assert check.returncode == 1
    assert "No module named 'keras'" in check.stderr
    assert "pip install 'lecture-tool[keras]' brings it" in check.stderr
    for output in (build.stderr, check.stderr):
        assert "Traceback" not in output


def readme_commands() -> list[str]:
    """The shell block of the README's "Use lecture for your course" section."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text.split("## Use lecture for your course", 1)[1].split("\n## ", 1)[0]
    block = section.split("```sh\n", 1)[1].split("```", 1)[0]
    return [line.strip() for line in block.splitlines() if line.strip()]


@pytest.fixture(scope="module")
def new_course(dist, tmp_path_factory) -> tuple[Path, Path]:
    """(the venv's bin, the course) after every command of the README's block, run in order, in
    a directory far from this repository: one venv, one cold build and one check for the module."""
    home = tmp_path_factory.mktemp("elsewhere")
    bin_dir, venv_dir, cwd = None, None, home
    git_env = {"GIT_AUTHOR_NAME": "Lecturer", "GIT_AUTHOR_EMAIL": "lecturer@example.org",
               "GIT_COMMITTER_NAME": "Lecturer", "GIT_COMMITTER_EMAIL": "lecturer@example.org"}
    for command in readme_commands():
        words = shlex.split(command)
        if words[:3] == ["python", "-m", "venv"]:
            venv_dir = cwd / words[3]
            make_venv(venv_dir)
        elif words[0] == ".":
            bin_dir = cwd / Path(words[1]).parent
            assert bin_dir == venv_dir / "bin"
        elif words[:2] == ["pip", "install"]:
            assert words[2].startswith("lecture-tool[")
            install_with_extras(bin_dir, wheel_of(dist))
        elif words[0] == "cd":
            cwd = cwd / words[1]
        elif words[:2] == ["lecture", "serve"]:
            serve_and_fetch(bin_dir, words[2:], cwd)
        elif words[0] == "lecture":
            result = lecture(bin_dir, *words[1:], cwd=cwd)
            assert result.returncode == 0, f"{command}\n{result.stdout}{result.stderr}"
            if words[1] == "init":  # the extras are there: nothing to install
                assert "pip install" not in result.stdout and "Next: cd my-course && lecture build" in result.stdout
        elif words[0] == "git":
            subprocess.run(["bash", "-c", command], cwd=cwd, check=True,
                           env={**user_env(bin_dir), **git_env})
        else:
            pytest.fail(f"the README runs {command!r}, which this test does not know how to run")
    return bin_dir, cwd


def test_every_command_of_the_readme_for_a_new_course(new_course):
    bin_dir, course = new_course
    assert course.name == "my-course" and bin_dir.parent.parent == course.parent
    tracked = subprocess.run(["git", "ls-files"], cwd=course, capture_output=True, text=True,
                             check=True).stdout.split()
    assert ".github/workflows/lecture.yml" in tracked and "slides/intro.md" in tracked
    assert not [name for name in tracked if name.startswith("build/")]  # .gitignore works


def serve_and_fetch(bin_dir: Path, args: list[str], cwd: Path) -> None:
    """`lecture serve` until it serves the deck, then Ctrl-C."""
    process = subprocess.Popen([str(bin_dir / "lecture"), "serve", *args, "--port", "0"], cwd=cwd,
                               env=user_env(bin_dir), stderr=subprocess.PIPE, text=True)
    try:
        url = None
        for line in process.stderr:
            if line.startswith("serving "):
                url = line.split(" at ", 1)[1].split()[0]
                break
        assert url, "lecture serve never said where it serves"
        with urllib.request.urlopen(url + "intro.html", timeout=10) as response:
            assert response.status == 200 and b"remark.min.js" in response.read()
    finally:
        process.send_signal(signal.SIGINT)
        rest = process.communicate(timeout=30)[1]
        assert process.returncode == 0, rest
