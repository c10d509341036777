"""Write build outputs atomically, and only when their content changes."""
from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from .layout import is_current_copy


def write_if_changed(path: Path, data: bytes) -> bool:
    """Write `data` to `path` unless it already holds exactly that; return whether it wrote."""
    try:
        if path.stat().st_size == len(data) and path.read_bytes() == data:
            return False
    except FileNotFoundError:
        pass
    # Temp file + rename in the same directory: a reader (a browser, `lecture serve`) sees the old
    # file or the new one, never half of one, and a crash leaves the previous good output.
    staged = _staged(path, data)
    try:
        os.replace(staged, path)
    except BaseException:
        Path(staged).unlink(missing_ok=True)
        raise
    return True


def write_new(path: Path, data: bytes) -> bool:
    """Write a file that does not exist yet, whole, and never replace one; return whether it wrote."""
    if path.exists() or path.is_symlink():
        return False
    staged = _staged(path, data)
    try:
        os.link(staged, path)  # unlike a rename, fails if the name was taken meanwhile
        return True
    except FileExistsError:
        return False
    finally:
        Path(staged).unlink(missing_ok=True)


def _staged(path: Path, data: bytes) -> str:
    """A complete temporary copy of `data` beside `path` (same file system), to move into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, staged = tempfile.mkstemp(prefix=_temp_prefix(path), suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(staged, 0o644)
    except BaseException:
        Path(staged).unlink(missing_ok=True)
        raise
    return staged


def copy_if_changed(source: Path, target: Path) -> bool:
    """Copy a file atomically unless the copy is current (`layout.is_current_copy`)."""
    if is_current_copy(source, target):
        return False
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=_temp_prefix(target), suffix=".tmp", dir=target.parent)
    os.close(fd)
    try:
        shutil.copy2(source, tmp)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return True


def _temp_prefix(path: Path) -> str:
    # A name may have 255 bytes: the temporary one beside it must fit too.
    return "." + path.name.encode()[:60].decode(errors="ignore") + "."
