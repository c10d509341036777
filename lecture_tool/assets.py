"""The browser files a deck page needs (remark.js, KaTeX), the one `lecture check --a11y` runs
in the page (axe-core), and where they are found.

They come from npm, pinned by package-lock.json, and are never committed. The wheel carries a
copy: `hatch_build.py` copies the files named here into `lecture_tool/browser/` when the package
is built, laid out as in node_modules, so that a packaged copy and an npm install are read alike.

This module imports nothing outside the standard library: the build hook loads it by path.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

PACKAGED = Path(__file__).resolve().parent / "browser"
# The files copied into the package, relative to node_modules: what the pages load, the fonts
# KaTeX's stylesheet names, and the licences that must travel with them.
REMARK = "remark-slide/out/remark.min.js"
KATEX_JS = "katex/dist/katex.min.js"  # also run by the build, to check every formula
KATEX_FILES = (KATEX_JS, "katex/dist/katex.min.css",
               "katex/dist/contrib/auto-render.min.js")
KATEX_FONTS = "katex/dist/fonts"
# Never copied into a site: the audit adds it to its own headless tab, as printing adds its CSS.
AXE = "axe-core/axe.min.js"
LICENCES = ("remark-slide/LICENSE", "katex/LICENSE", "axe-core/LICENSE",
            "axe-core/LICENSE-3RD-PARTY.txt")


@dataclass(frozen=True)
class Asset:
    """A third-party file, copied into the output's assets/ directory."""
    source: Path
    target: str  # relative to the output directory


def packaged_files(node_modules: Path) -> list[str]:
    """Every file the package carries, relative to `node_modules`."""
    fonts = sorted(f"{KATEX_FONTS}/{font.name}" for font in (node_modules / KATEX_FONTS).glob("*.woff2"))
    return [REMARK, *KATEX_FILES, *fonts, AXE, *LICENCES]


def complete(node_modules: Path) -> bool:
    """Whether `node_modules` holds what a page needs (remark, KaTeX and its fonts)."""
    return all((node_modules / name).is_file() for name in (REMARK, *KATEX_FILES)) and any(
        (node_modules / KATEX_FONTS).glob("*.woff2"))


def can_package(node_modules: Path) -> bool:
    """Whether `node_modules` holds every file the package carries: a page's, and axe-core (a
    copy of node_modules made before axe-core was added has no axe-core/)."""
    return complete(node_modules) and all((node_modules / name).is_file()
                                          for name in (AXE, *LICENCES))


def find_axe(node_modules: Path) -> Path | None:
    """axe-core's script: beside the course's remark.js and KaTeX, else the package's own copy,
    else this checkout's (an editable install); None when there is none."""
    for candidate in (node_modules, PACKAGED, PACKAGED.parent.parent / "node_modules"):
        if (candidate / AXE).is_file():
            return candidate / AXE
    return None


def find_node_modules(root: Path, configured: Path | None = None) -> Path:
    """Where the browser files are read from.

    In order: the directory the course configures; the course's own node_modules or an
    ancestor's (as Node looks them up); the copy inside the installed package; the checkout
    this package runs from (`pip install -e .` of the tool's own repository).
    """
    if configured is not None:
        return configured
    candidates = [directory / "node_modules" for directory in (root, *root.parents)]
    candidates += [PACKAGED, PACKAGED.parent.parent / "node_modules"]
    for candidate in candidates:
        if complete(candidate):
            return candidate
    return PACKAGED


def third_party_assets(node_modules: Path) -> list[Asset]:
    """The files each build copies into its assets/ directory."""
    katex = node_modules / "katex" / "dist"
    assets = [Asset(node_modules / REMARK, "assets/remark.min.js"),
              *(Asset(node_modules / name, "assets/katex/" + name.removeprefix("katex/dist/"))
                for name in KATEX_FILES)]
    assets += [Asset(font, f"assets/katex/fonts/{font.name}")
               for font in sorted((katex / "fonts").glob("*.woff2"))]
    return assets
