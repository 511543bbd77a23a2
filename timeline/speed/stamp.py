"""The no-op fast path: a build whose inputs and outputs are all as the last build left them is skipped.

After a successful build the pipeline records a stamp in the cache folder:
the name, size and mtime_ns of every file, folder and link of the content
and templates folders (as seen BEFORE the build read them, so an edit made
during a build is never covered by its stamp), the tool's code identity (as
the process found it at its first build: the code it runs), the build's
options, the files of the time zone's rules (found once the settings are read: kept
with the digest of the bytes the build read), and the size, mtime_ns and
fingerprint of every file the build left in the output folder, marker
included. When the next build finds all of these unchanged it returns the
recorded result without loading, rendering or writing anything.

A file modified within RACY_NS of the moment its stat was taken may change
again within the same timestamp tick without its stat changing (git's
"racy clean"): for those the stamp keeps a hash of the bytes, compared
instead of the stat.

This module imports nothing but the standard library on purpose: Jinja,
Markdown and PyYAML take longer to import than a whole no-op build.
Like the other cache files the stamp is signed (store.py), safe to delete,
and ignored when damaged.
"""
from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path
from stat import S_ISDIR, S_ISREG
from typing import NamedTuple

from ..layout import ENTRIES_DIR, MARKER, is_passed_over
from ..write import RACY_NS, fingerprint
from .store import code_identity, file_digest, read_cached, read_digest, write_cached

FORMAT = b"timeline-build-stamp 4\n"

_Files = dict[str, tuple[int, int, bytes | None]]  # path -> size, mtime_ns, hash when racy (else None)


class Scan(NamedTuple):
    """The build's inputs as found before it started."""

    key: str
    files: _Files


class Stamp(NamedTuple):
    scan: Scan
    outputs: _Files  # output path -> size, mtime_ns, fingerprint when racy
    result: object  # what the build returned, for the caller
    read: dict[str, bytes | None]  # files found only while building (the time zone's) -> digest; None: none there


_UNREADABLE = (-1, -1, None)  # only matches a file or folder that is unreadable again


def _walk(folder: str, skip: frozenset[str], entries: str, into: _Files, racy_from: int) -> None:
    """Every file, link and folder under `folder` (links recorded as links, never followed), but in the
    folder `entries` an editor's swap and backup files, which come and go as the editor types and
    which no build reads. Without recursion: a repository may hold folders nested thousands deep."""
    pending = [folder]
    while pending:
        folder = pending.pop()
        try:
            with os.scandir(folder) as scanned:
                items = list(scanned)
        except OSError:
            into[folder] = _UNREADABLE
            continue
        for item in items:
            if item.path in skip or (folder == entries and is_passed_over(item.name)):
                continue
            try:
                if item.is_dir(follow_symlinks=False):
                    pending.append(item.path)
                    continue
                stat = item.stat(follow_symlinks=False)
            except OSError:  # gone since the folder was listed
                into[item.path] = _UNREADABLE
                continue
            racy = stat.st_mtime_ns >= racy_from
            digest = file_digest(item.path) if racy and not item.is_symlink() else None
            into[item.path] = (stat.st_size, stat.st_mtime_ns, digest or (b"link" if racy else None))


def scan(content_dir: Path, templates_dir: Path, options: tuple, skip: tuple[Path, ...]) -> Scan:
    """The stat of every input of a build; `skip`: folders inside those not to count (cache, output)."""
    racy_from = time.time_ns() - RACY_NS
    files: _Files = {}
    skipped = frozenset(os.path.abspath(folder) for folder in skip)
    entries = os.path.join(os.path.abspath(content_dir), ENTRIES_DIR)
    for folder in (content_dir, templates_dir):
        _walk(os.path.abspath(folder), skipped, entries, files, racy_from)
    key = repr((options, code_identity(), os.environ.get("TZ"),
                os.environ.get("PYTHONTZPATH")))  # where zoneinfo looks for the time zone's rules
    return Scan(hashlib.sha256(key.encode()).hexdigest(), files)


def rescanned(before: Scan, path: Path) -> Scan:
    """The scan with `path` as it is now: for a file the build itself wrote (the permalink lock)."""
    files = dict(before.files)
    _walk_one(os.path.abspath(path), files)
    return before._replace(files=files)


def _walk_one(path: str, into: _Files) -> None:
    try:
        stat = os.stat(path)
    except OSError:
        into.pop(path, None)
        return
    into[path] = (stat.st_size, stat.st_mtime_ns, file_digest(path))


def changed_files(before: Scan, now: Scan) -> tuple[set[str], list[str]] | None:
    """What differs between two scans: the files found by one only, and the files changed (by their
    stat, or by their bytes where the first scan found them too recent to trust their stat); None
    when they were taken for other options."""
    if now.key != before.key:
        return None
    edited = [path for path, record in now.files.items()
              if (was := before.files.get(path)) is not None and record != was and _changed(path, was, record)]
    return now.files.keys() ^ before.files.keys(), edited


def _changed(path: str, recorded: tuple[int, int, bytes | None], current: tuple[int, int, bytes | None]) -> bool:
    size, mtime_ns, digest = recorded
    if current[0] != size or (digest is None and current[1] != mtime_ns):
        return True
    return digest is not None and (current[2] or file_digest(path)) != digest


def _output_matches(path: str, size: int, mtime_ns: int, printed: bytes | None) -> bool:
    """The output file is the one recorded: same stat, or for a racy one the same fingerprint. A link put
    in its place is not followed (the output folder is untrusted too)."""
    try:
        stat = os.lstat(path)
    except OSError:
        return False
    if stat.st_size != size or not S_ISREG(stat.st_mode):
        return False
    if printed is None:
        return stat.st_mtime_ns == mtime_ns
    try:
        handle = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(handle, "rb") as stream:
            return S_ISREG(os.fstat(stream.fileno()).st_mode) and fingerprint(stream.read()).encode() == printed
    except OSError:
        return False


def _plain_folders(output_dir: str, outputs: _Files) -> bool:
    """Every folder of the output holding a file recorded as racy is a folder, not a link. Such a file is
    compared by its bytes alone, through its folders: one replaced by a link to a copy of it (which a
    repository can hold) would pass. A file recorded by its stat passes only through a copy that kept
    its modification time, which git does not make."""
    folders: set[str] = set()
    for path, record in outputs.items():
        if record[2] is None:
            continue
        folder = os.path.dirname(path)
        while len(folder) > len(output_dir) and folder not in folders:  # each folder up to the output's
            folders.add(folder)
            folder = os.path.dirname(folder)
    try:
        return all(S_ISDIR(os.lstat(folder).st_mode) for folder in folders)
    except OSError:
        return False


class StampFile:
    """The stamp of the last build of one content folder into one output folder."""

    def __init__(self, cache_dir: Path, content_dir: Path, output_dir: Path):
        folders = f"{os.path.abspath(content_dir)}\0{os.path.abspath(output_dir)}"
        self.file = cache_dir / f"stamp-{hashlib.sha256(folders.encode()).hexdigest()[:16]}.pickle"
        self.output_dir = os.path.abspath(output_dir)

    def result_if_unchanged(self, now: Scan) -> object | None:
        """The recorded result when the inputs are those `now` found and the outputs are untouched."""
        stamp = self._read()
        differences = changed_files(stamp.scan, now) if stamp is not None else None
        if differences is None or any(differences):
            return None
        if any(read_digest(path) != digest for path, digest in stamp.read.items()):
            return None
        if not all(_output_matches(path, *record) for path, record in stamp.outputs.items()):
            return None
        if not _plain_folders(self.output_dir, stamp.outputs):
            return None
        return stamp.result

    def record(self, before: Scan, written: dict[str, tuple[int, int]], fingerprints: dict[str, str],
               result: object, read: dict[str, bytes | None]) -> None:
        """Save the stamp of a successful build: its inputs `before`, the output files and their stats,
        and the files it found only once it had read the content (`read`: path -> digest of the bytes
        it read, None where it found no file), compared by their bytes next time."""
        racy_from = time.time_ns() - RACY_NS
        outputs: _Files = {}
        for relative, (size, mtime_ns) in written.items():
            if relative == MARKER:  # checked below, by its own hash
                continue
            racy = mtime_ns < 0 or mtime_ns >= racy_from
            outputs[os.path.join(self.output_dir, relative)] = (
                size, mtime_ns, fingerprints[relative].encode() if racy else None)
        marker = os.path.join(self.output_dir, MARKER)
        try:
            stat = os.stat(marker)
            with open(marker, "rb") as stream:
                outputs[marker] = (stat.st_size, stat.st_mtime_ns, fingerprint(stream.read()).encode())
        except OSError:
            return
        write_cached(self.file, FORMAT, Stamp(before, outputs, result, read))

    def _read(self) -> Stamp | None:
        stamp = read_cached(self.file, FORMAT)
        return stamp if isinstance(stamp, Stamp) else None
