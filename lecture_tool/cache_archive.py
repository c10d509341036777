"""The portable cache: `lecture cache export FILE` and `lecture cache import FILE...`.

An export is a gzip'd tar archive of two parts: `lecture-cache.json`, which names its format,
the environment that made it (cache.environment_key: the tool, Python, the installed packages)
and its entries; and `blobs/<sha256>`, every file the entries hold, named by the hash of its
content. An entry is a stage's cache entry as that stage keeps it (figures.json, notebooks.json,
check.json) with the files that go with it, by their path in the output directory.

Reading one verifies all of it before anything is used: the archive and its gzip checksum, the
format, the environment (results are never trusted across a tool, Python or package version
that differs: they would be stale, by the fingerprint rule, anyway), every path (relative, inside
the output, nowhere else) and every blob's hash. A file that fails any of it is refused whole,
with `FILE: error: ...`. What to do with the entries is the caller's business (commands/cache.py).
"""
from __future__ import annotations

import hashlib
import io
import json
import re
import tarfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from .cache import environment_key
from .errors import LectureError

FORMAT = "lecture-cache/1"
HEADER = "lecture-cache.json"
KINDS = ("figures", "notebooks", "check")
_BLOB = re.compile(r"blobs/([0-9a-f]{64})")


@dataclass(frozen=True)
class Entry:
    entry: dict  # as the stage's cache holds it
    files: dict[str, str]  # path in the output directory -> sha256 of its content


@dataclass
class Archive:
    entries: dict[str, dict[str, Entry]] = field(default_factory=lambda: {kind: {} for kind in KINDS})
    blobs: dict[str, bytes] = field(default_factory=dict)  # sha256 -> content
    # What each unit of work took last time ("figure:NAME", "deck:slides/x.md"), current or not:
    # what the next run's shards balance their work by (commands/shares.py).
    durations: dict[str, float] = field(default_factory=dict)

    def add(self, kind: str, name: str, entry: dict, files: dict[str, bytes]) -> None:
        hashes = {}
        for path, data in files.items():
            digest = hashlib.sha256(data).hexdigest()
            self.blobs[digest] = data
            hashes[path] = digest
        self.entries[kind][name] = Entry(entry, hashes)


def _environment() -> dict:
    tool, python, packages = environment_key()
    return {"tool": tool, "python": python, "packages": packages.split("\n") if packages else []}


def to_bytes(archive: Archive) -> bytes:
    """The archive, the same bytes for the same entries (no times, sorted names)."""
    header = {"format": FORMAT, "environment": _environment(), "durations": archive.durations,
              "entries": {kind: {name: {"entry": item.entry, "files": item.files}
                                 for name, item in sorted(archive.entries[kind].items())}
                          for kind in KINDS}}
    members = [(HEADER, json.dumps(header, indent=1, sort_keys=True).encode())]
    members += [(f"blobs/{digest}", archive.blobs[digest]) for digest in sorted(archive.blobs)]
    raw = io.BytesIO()
    # mtime=0 in the gzip header too: two exports of one cache are one file.
    with tarfile.open(fileobj=raw, mode="w:gz", format=tarfile.PAX_FORMAT,
                      compresslevel=6) as tar:
        for name, data in members:
            info = tarfile.TarInfo(name)
            info.size, info.mtime, info.mode = len(data), 0, 0o644
            tar.addfile(info, io.BytesIO(data))
    return _zero_gzip_time(raw.getvalue())


def _zero_gzip_time(data: bytes) -> bytes:
    return data[:4] + b"\0\0\0\0" + data[8:]  # bytes 4-7 of a gzip member: its mtime


def from_file(path: Path) -> Archive:
    """Read and verify an export; LectureError `PATH: error: ...` if anything is wrong."""
    def refuse(why: str) -> LectureError:
        return LectureError(f"{path}: error: {why}; nothing was imported")

    try:
        data = path.read_bytes()
    except OSError as exc:
        raise LectureError(f"{path}: error: cannot read it: {exc.strerror or exc}") from exc
    members = _members(data, refuse)
    if HEADER not in members:
        raise refuse(f"not a lecture cache export (no {HEADER} inside)")
    try:
        header = json.loads(members.pop(HEADER))
    except ValueError as exc:
        raise refuse(f"damaged: {HEADER} is not JSON ({exc})") from exc
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        found = header.get("format") if isinstance(header, dict) else None
        raise refuse(f"not a lecture cache export of this version (format {found!r}, "
                     f"this lecture reads {FORMAT!r})")
    _same_environment(header.get("environment"), refuse)
    archive = Archive()
    for digest, blob in members.items():
        if hashlib.sha256(blob).hexdigest() != digest:
            raise refuse(f"damaged: blobs/{digest} does not hold what its name's hash says")
        archive.blobs[digest] = blob
    durations = header.get("durations", {})
    if not isinstance(durations, dict) or not all(isinstance(v, (int, float)) for v in durations.values()):
        raise refuse("damaged: its durations are not seconds")
    archive.durations = dict(durations)
    entries = header.get("entries")
    if not isinstance(entries, dict) or set(entries) != set(KINDS):
        raise refuse("damaged: its entries are not figures, notebooks and check")
    for kind in KINDS:
        for name, item in (entries[kind] or {}).items():
            archive.entries[kind][name] = _entry(kind, name, item, archive.blobs, refuse)
    return archive


def _members(data: bytes, refuse) -> dict[str, bytes]:
    members = {}
    try:
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
            for info in tar:
                if not info.isfile() or not (info.name == HEADER or _BLOB.fullmatch(info.name)):
                    raise refuse(f"not a lecture cache export (it holds {info.name!r})")
                members[info.name.removeprefix("blobs/")] = tar.extractfile(info).read()
    except (tarfile.TarError, EOFError, zlib.error, OSError) as exc:
        raise refuse(f"not a lecture cache export, or damaged (not a whole .tar.gz: {exc})") from exc
    return members


def _same_environment(theirs: object, refuse) -> None:
    ours = _environment()
    if theirs == ours:
        return
    if not isinstance(theirs, dict):
        raise refuse("damaged: it names no environment")
    differences = []
    if theirs.get("tool") != ours["tool"]:
        differences.append(f"lecture {theirs.get('tool')} there, {ours['tool']} here")
    if theirs.get("python") != ours["python"]:
        differences.append(f"Python {str(theirs.get('python')).split()[0]} there, "
                           f"{ours['python'].split()[0]} here")
    packages = set(theirs.get("packages") or ())
    only_there = sorted(packages - set(ours["packages"]))
    only_here = sorted(set(ours["packages"]) - packages)
    if only_there or only_here:
        differences.append("packages differ (" + ", ".join(
            [*(f"{name} only there" for name in only_there[:3]),
             *(f"{name} only here" for name in only_here[:3])]) + ")")
    raise refuse("made in another environment, so its results would be stale here: "
                 + "; ".join(differences or ["the environment differs"]))


def _entry(kind: str, name: str, item: object, blobs: dict[str, bytes], refuse) -> Entry:
    if not isinstance(item, dict) or not isinstance(item.get("entry"), dict) \
            or not isinstance(item.get("files"), dict):
        raise refuse(f"damaged: the {kind} entry {name!r} is not an entry")
    for relative, digest in item["files"].items():
        parts = PurePosixPath(relative).parts
        if not parts or PurePosixPath(relative).is_absolute() or ".." in parts or "\\" in relative:
            raise refuse(f"the {kind} entry {name!r} names {relative!r}, outside the output")
        if digest not in blobs:
            raise refuse(f"damaged: the {kind} entry {name!r} needs blobs/{digest}, which is missing")
    return Entry(item["entry"], dict(item["files"]))
