"""Build hook: the wheel and the sdist carry remark.js, KaTeX and axe-core, as package-lock.json
pins them.

Like a JupyterLab extension's build hook: the browser files come from npm when the package is
built (running `npm ci` if node_modules is not there yet), are copied into
`lecture_tool/browser/` inside the archive, and are never committed. A wheel built from the sdist
finds them already in place and needs no Node. Users of the tool never need npm.
"""
from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


def _assets_module(root: Path):
    # Loaded by path: importing the package would need its dependencies in the build environment.
    spec = importlib.util.spec_from_file_location("_lecture_assets", root / "lecture_tool" / "assets.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is made
    spec.loader.exec_module(module)
    return module


class BrowserAssetsHook(BuildHookInterface):
    def initialize(self, version: str, build_data: dict) -> None:
        self._version_module(version, build_data)
        if version == "editable":
            return  # a checkout reads its own node_modules
        root = Path(self.root)
        assets = _assets_module(root)
        source = self._node_modules(root, assets)
        for name in assets.packaged_files(source):
            build_data["force_include"][str(source / name)] = f"lecture_tool/browser/{name}"

    def _version_module(self, version: str, build_data: dict) -> None:
        """lecture_tool/_version.py with the version hatch-vcs read from git: in the archive
        only, so that building a wheel never rewrites the checkout's source (the tests build
        one while others read the tool's files); in the checkout for an editable install."""
        text = (f'"""Written by hatch_build.py when the package was built."""\n\n'
                f'__version__ = "{self.metadata.version}"\n')
        if version == "editable":
            target = Path(self.root) / "lecture_tool" / "_version.py"
            if not target.is_file() or target.read_text(encoding="utf-8") != text:
                target.write_text(text, encoding="utf-8")
            return
        scratch = Path(tempfile.mkdtemp(prefix="lecture-version-")) / "_version.py"
        scratch.write_text(text, encoding="utf-8")
        build_data["force_include"][str(scratch)] = "lecture_tool/_version.py"

    def _node_modules(self, root: Path, assets) -> Path:
        for candidate in (root / "node_modules", root / "lecture_tool" / "browser"):
            if assets.can_package(candidate):
                return candidate
        npm = shutil.which("npm")
        if npm is None or not (root / "package-lock.json").is_file():
            raise RuntimeError("building lecture-tool needs remark.js, KaTeX and axe-core from npm: "
                               "install Node.js with npm (package-lock.json pins the versions)")
        self.app.display_info("Installing remark.js, KaTeX and axe-core with npm ci "
                              "(package-lock.json)")
        subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=root, check=True)
        if not assets.can_package(root / "node_modules"):
            raise RuntimeError("npm ci finished, but node_modules lacks remark.js, KaTeX or "
                               "axe-core")
        return root / "node_modules"
