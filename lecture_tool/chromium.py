"""The headless Chromium that `lecture pdf` prints with and `lecture check --a11y` audits in:
which browser, how it starts, and what to say when it cannot.

Playwright drives it (the `[pdf]` extra). It is imported only inside `headless_chromium`, so
that the modules which use this one cost nothing until a browser is really wanted.
"""
from __future__ import annotations

import contextlib
import os
import shutil
from pathlib import Path

from .errors import LectureError
from .extras import install_command, missing_modules

# As tests/conftest.py starts it: as root and with no network but the registries, Chromium needs
# these to start quietly.
CHROMIUM_ARGS = ("--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-quic", "--disable-default-apps")


def no_browser(purpose: str) -> str:
    """The message for a machine without a Chromium: `purpose` is what it was wanted for."""
    return (f"error: no Chromium to {purpose} with: install Debian's (apt-get install chromium) "
            "or Playwright's (python -m playwright install chromium), or set LECTURE_CHROMIUM "
            "to a Chromium or Chrome executable")


def require_playwright(command: str, purpose: str) -> None:
    """Stop with the install command when Playwright is missing. `command` is what the user ran,
    `purpose` what it does with the browser ("prints", "runs axe-core")."""
    if missing_modules("playwright"):
        raise LectureError(f"error: {command} {purpose} in Chromium through Playwright, which is "
                           f"not installed: {install_command('pdf')}")


def find_browser() -> str | None:
    """The Chromium to use: LECTURE_CHROMIUM, else `chromium` or `google-chrome` on PATH; None
    means "ask Playwright for its own". A LECTURE_CHROMIUM that names no file is an error:
    someone chose that browser, and another one would show something else."""
    chosen = os.environ.get("LECTURE_CHROMIUM")
    if chosen:
        if not Path(chosen).is_file():
            raise LectureError(f"error: LECTURE_CHROMIUM is {chosen}, which does not exist: point "
                               "it to a Chromium or Chrome executable, or unset it to use "
                               "chromium or google-chrome from PATH")
        return chosen
    return shutil.which("chromium") or shutil.which("google-chrome")


@contextlib.asynccontextmanager
async def headless_chromium(executable: str | None, purpose: str):
    """A started browser (Playwright's async API), closed on the way out. `executable`: as
    `find_browser` gave it; `purpose`: for the message when there is none."""
    # Playwright only where a browser is started: `lecture build` without PDFs never loads it.
    from playwright.async_api import Error as PlaywrightError, async_playwright

    async with async_playwright() as playwright:
        if executable is None:
            own = playwright.chromium.executable_path
            if not own or not Path(own).is_file():
                raise LectureError(no_browser(purpose))
            executable = own
        try:
            browser = await playwright.chromium.launch(executable_path=executable,
                                                       args=list(CHROMIUM_ARGS))
        except PlaywrightError as exc:
            raise LectureError(f"error: Chromium ({executable}) did not start: {first_line(exc)}") from exc
        try:
            yield browser
        finally:
            await browser.close()


async def in_tabs(items: list, work) -> None:
    """`await work(item)` for each item (each opens a tab of its own), a few at a time, in the
    order given; a Playwright error becomes that item's `problem`, the others go on."""
    import asyncio

    from playwright.async_api import Error as PlaywrightError

    # Each tab is a renderer process of its own; more of them than cores only queue.
    slots = asyncio.Semaphore(max(1, min(len(items), os.cpu_count() or 1, 4)))

    async def run(item) -> None:
        async with slots:
            try:
                await work(item)
            except PlaywrightError as exc:
                item.problem = f"Chromium: {first_line(exc)}"

    await asyncio.gather(*(run(item) for item in items))


def first_line(exc: Exception) -> str:
    """A Playwright error's first line: the rest is its call log."""
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
