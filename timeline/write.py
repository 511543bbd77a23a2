"""Write stage: put the rendered files in the output folder, all or nothing.

Nothing is written into the output folder until every changed file is safely
on disk in a staging folder beside it. Then the staging folder is renamed to
a fixed "commit" name (the commit point) and its files are moved into place
with renames. A build that fails or is interrupted before the commit point
leaves the output exactly as it was; one interrupted after it is finished by
the next write (roll forward), so the output is never left half old, half new.

Rebuilding a whole copy of the site and swapping folders would be simpler,
but at 10,000 pages hard-linking the unchanged files and deleting the old
tree costs seconds; moving only the changed files costs milliseconds.

Files whose bytes did not change are not touched, so they keep their
modification time and rsync or object-store syncs upload only what changed.
The output root holds a marker file listing what the tool wrote (with a hash
of each file) and which permalinks it published; a non-empty folder without it
is never written into, so `--output ~/Documents` cannot damage anything. Files
the tool did not write are left alone.

The output folder and what lies beside it are untrusted too: the folder is often
committed to a repository (a docs/ folder for GitHub Pages) or shared with a deploy
job. So every path read from the marker or from a plan is checked (relative,
normalised, inside the output) before anything is done, and a marker or plan
that fails the check stops the write with nothing touched; nothing is read,
written, moved or removed through a link; and the plan of an interrupted write,
which moves files into the site, is signed with the user's key (signing.py) and
lists the fingerprint of every file it moves: a commit folder this tool did not
leave, for this user, is refused.

A caller with a page cache need not render the pages it knows are unchanged:
it passes their fingerprints and the stats this write reported for them as
`kept`. Such a file is left alone only while the folder still holds what this
tool wrote there (the marker's fingerprint, and the same size and modification
time, else the same hash); a file deleted or edited by hand is rendered again
(through `render`) and repaired. The stats stay out of the marker, so that two
builds of the same content are byte-identical, marker included.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import stat
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Mapping, NamedTuple

from .layout import MARKER, display_path
from .signing import SIGNATURE_BYTES, sign, verifies

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None

# A file modified this close to the moment its stat is taken may be modified again within the same
# filesystem timestamp tick, keeping size and mtime: such a stat is not trusted (git's "racy clean").
# The caches and the stamp keep to the same rule.
RACY_NS = 2_000_000_000
_MARKER_TOOL = "timeline static-site builder"
_STAGED_FILES = "files"
_PLAN = "plan.json"
_MADE_BY = ".made-by"  # in a staging folder: this tool's signed note that it made it
_NO_FOLLOW = getattr(os, "O_NOFOLLOW", 0)
# A marker of a million files is well under this.
MAX_MARKER_BYTES = 500_000_000

_Stat = tuple[int, int]  # size and mtime_ns of a file as written; mtime -1: not to be trusted
# From this many files, files are written and moved by several threads (see _each).
THREADED_FROM = 200
# Four, not more: files are staged while worker processes render, and more threads taking turns at
# the interpreter lock cost more in kernel time than they save (benchmarks/README.md).
WRITER_THREADS = 4
QUEUED_FILES = 512


class Kept(NamedTuple):
    """A file the caller did not render: the fingerprint of its bytes, its stat after the last write."""

    fingerprint: str
    stat: _Stat


class OutputFolderError(Exception):
    """The output folder cannot be written safely; the message says why and what to do."""


@dataclass(frozen=True)
class WriteResult:
    """Paths (relative to the output folder) that this write created or changed, and removed."""

    written: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    # The fingerprint and the stat of every file the folder now holds for the site, by path.
    fingerprints: Mapping[str, str] = field(default_factory=dict, compare=False)
    stats: Mapping[str, tuple[int, int]] = field(default_factory=dict, compare=False)

    @property
    def changed(self) -> bool:
        return bool(self.written or self.removed)


class _Marker(NamedTuple):
    """What the marker of the last write says: the files it wrote, the permalinks it published."""

    files: dict[str, str]
    permalinks: tuple[str, ...]


def write_site(files: Mapping[str, bytes] | Iterable[tuple[str, bytes]], output_dir: Path,
               kept: Mapping[str, Kept] | None = None,
               render: Callable[[list[str]], dict[str, bytes]] | None = None,
               permalinks: Iterable[str] | None = None) -> WriteResult:
    """Make `output_dir` hold exactly `files` (plus files this tool never wrote, left alone).

    `files` may be a stream of (path, bytes) pairs: each file is compared and staged as it comes,
    so the writing overlaps the rendering. `kept`: files the caller did not render because their
    bytes are those of the last build, by path, with their fingerprint() and the stat the last
    WriteResult gave; `render(paths)` gives the bytes of any of them to repair. `permalinks`: the
    entry paths this site has published, recorded in the marker (None: as the marker had them).
    """
    if output_dir.is_symlink():
        raise OutputFolderError(f"{display_path(output_dir)} is a symbolic link; give the real folder with --output")
    output_dir = output_dir.resolve()
    kept = dict(kept or {})
    for relative in kept:
        _check_relative(relative)
    stream = iter(files.items() if isinstance(files, Mapping) else files)
    try:
        output_dir.parent.mkdir(parents=True, exist_ok=True)
        with _one_writer(output_dir):
            finish_interrupted_write(output_dir)
            previous = _previous_marker(output_dir)
            published = tuple(sorted(permalinks)) if permalinks is not None else (
                previous.permalinks if previous is not None else ())
            with _staging(output_dir) as staging:
                stager = _Stager(staging / _STAGED_FILES, output_dir, previous.files if previous else None)
                with stager:
                    still = stager.take_kept(kept)
                    for relative, data in stream:
                        stager.take(relative, data)
                    repair = sorted(set(kept) - set(still))
                    for relative, data in (render(repair) if repair else {}).items():
                        stager.take(relative, data, lost=True)
                return _commit(stager, staging, output_dir, previous, published)
    finally:
        getattr(stream, "close", lambda: None)()  # a renderer stopped midway ends its work now


def _commit(stager: _Stager, staging: Path, output_dir: Path, previous: _Marker | None,
            published: tuple[str, ...]) -> WriteResult:
    """Put what was staged in place, with the marker: in one rename for a fresh site."""
    manifest, stats, changed = stager.manifest, stager.stats, sorted(stager.staged)
    marker = _marker_bytes(manifest, published)
    if previous is None:
        _write_file(staging / _STAGED_FILES, MARKER, marker, set())
        with _interrupts_deferred():
            os.replace(staging / _STAGED_FILES, output_dir)  # replaces an empty folder atomically
        return WriteResult(written=tuple(changed), fingerprints=manifest, stats=stats)
    removed = sorted(set(previous.files) - set(manifest))
    if not changed and not removed and manifest == previous.files and published == previous.permalinks:
        return WriteResult(fingerprints=manifest, stats=stats)
    folders = _Folders(output_dir)
    for relative in [*removed, *changed]:  # before the commit point, so that a refusal leaves nothing behind
        folders.check(relative)
    _write_file(staging / _STAGED_FILES, MARKER, marker, set())
    plan = json.dumps({"move": changed + [MARKER], "remove": removed,
                       "fingerprints": {relative: manifest[relative] for relative in changed}}).encode()
    (staging / _PLAN).write_bytes(sign(_purpose(output_dir), plan) + plan)
    commit = _commit_folder(output_dir)
    with _interrupts_deferred():
        os.rename(staging, commit)  # the commit point: from here on the write is finished, not undone
        _apply(commit, output_dir, json.loads(plan))
    return WriteResult(written=tuple(changed), removed=tuple(removed), fingerprints=manifest, stats=stats)


def finish_interrupted_write(output_dir: Path) -> None:
    """Complete a write that was interrupted after its commit point; drop uncommitted staging folders
    (those this tool made: see _staging)."""
    output_dir = output_dir.resolve()
    for leftover in output_dir.parent.glob(f".{output_dir.name}.staging-*"):
        if leftover.is_dir() and not leftover.is_symlink() and _made_here(leftover):
            shutil.rmtree(leftover, ignore_errors=True)
    commit = _commit_folder(output_dir)
    if commit.is_symlink() or commit.exists() and not commit.is_dir():
        raise OutputFolderError(f"{display_path(commit)} is not a folder this tool made; remove it")
    if commit.is_dir():
        plan = _interrupted_plan(commit, output_dir)
        if plan is None:  # the plan goes last (see _apply): only an empty folder is left without one
            try:
                commit.rmdir()
            except OSError:
                raise OutputFolderError(f"{display_path(commit)} holds no plan, so it is not a folder this tool left "
                                        "(a folder added to a repository?); check what it holds and delete it, "
                                        "then build again") from None
            return
        _check_staged(commit, plan)
        _apply(commit, output_dir, plan)


def published_permalinks(output_dir: Path) -> tuple[str, ...]:
    """The permalinks the output folder's marker says it published (none without a marker); ValueError,
    with the message to show, for a marker that is not one this tool writes."""
    try:
        marker = _previous_marker(output_dir)
    except OutputFolderError as err:
        raise ValueError(str(err)) from None
    return marker.permalinks if marker is not None else ()


# --- deciding what changed ---------------------------------------------------------

def fingerprint(data: bytes) -> str:
    """What the marker records of a file's bytes: their length and hash."""
    return f"{len(data)}:{hashlib.sha256(data).hexdigest()[:32]}"  # sha256 has CPU support: fastest here


def _current_stat(target: str) -> _Stat | None:
    """The size and mtime of the regular file `target` (a link counts as no file)."""
    try:
        found = os.lstat(target)
    except OSError:
        return None
    if not stat.S_ISREG(found.st_mode):
        return None
    return found.st_size, found.st_mtime_ns


def _unchanged(output_dir: Path, relative: str, data: bytes, expected: str, recorded: dict[str, str],
               marked_ns: int) -> _Stat | None:
    """The file's stat when it already holds `data`, else None.

    `marked_ns`: when the marker was written, after every file of that write. A file modified
    since may have been edited by hand, keeping its size: its bytes are compared."""
    target = os.path.join(output_dir, relative)  # plain strings: pathlib costs more than the stat itself here
    current = _current_stat(target)
    if current is None or current[0] != len(data):  # also catches a file deleted by hand
        return None
    if relative in recorded and current[1] < marked_ns:
        return _trusted(current) if recorded[relative] == expected else None
    # A file the marker does not list, or touched since it was written: compare the bytes themselves.
    return _trusted(current) if _read(target) == data else None


def _same_bytes(target: str, current: _Stat, expected: str) -> _Stat | None:
    """The stat to keep for a file touched since it was written (`current`: its stat now) when it
    still holds the bytes whose fingerprint is `expected`, else None: its hash says."""
    if not expected.startswith(f"{current[0]}:"):
        return None
    data = _read(target)
    return _trusted(current) if data is not None and fingerprint(data) == expected else None


def _trusted(found: _Stat, reference_ns: int | None = None) -> _Stat:
    """The stat to report: with mtime -1 (never matching) when a same-tick change could hide behind it."""
    reference_ns = time.time_ns() - RACY_NS if reference_ns is None else reference_ns
    return found if found[1] < reference_ns else (found[0], -1)


def _read(target: str) -> bytes | None:
    """The bytes of the regular file `target`, not through a link; None when it cannot be read."""
    try:
        handle = os.open(target, os.O_RDONLY | _NO_FOLLOW | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return None
    try:
        with os.fdopen(handle, "rb") as stream:
            return stream.read() if stat.S_ISREG(os.fstat(stream.fileno()).st_mode) else None
    except OSError:
        return None


def _previous_marker(output_dir: Path) -> _Marker | None:
    """What the last build wrote; None when the folder is missing or empty (a fresh write). A marker
    that lists a path outside the folder is refused: it was not written by this tool as it is."""
    if not output_dir.exists():
        return None
    if not output_dir.is_dir():
        raise OutputFolderError(f"{output_dir} is a file, not a folder; choose another --output")
    marker = output_dir / MARKER
    if not marker.is_file() or marker.is_symlink():
        if marker.is_symlink():
            raise OutputFolderError(f"{display_path(marker)} is a symbolic link, not the marker this tool "
                                    "writes; remove it (and check what else was put in the folder)")
        if not any(output_dir.iterdir()):
            return None
        raise OutputFolderError(
            f"{output_dir} is not empty and was not written by this tool (it has no {MARKER}), "
            "so it will not be replaced; choose a new or empty folder with --output DIR, "
            "or delete the folder yourself if it only holds an old build"
        )
    try:
        recorded = json.loads(_read_marker(marker))
        files = {str(k): str(v) for k, v in recorded["files"].items()}
        permalinks = recorded.get("permalinks", [])
        if not isinstance(permalinks, list):
            raise TypeError
        permalinks = tuple(str(path) for path in permalinks)
    except (OSError, ValueError, KeyError, TypeError, AttributeError, RecursionError):  # nested 100,000 deep
        return _Marker({}, ())  # a damaged marker: every file is compared by its bytes instead
    for relative in files:
        _check_listed(relative, marker, output_dir)
    for path in permalinks:
        if not _is_permalink(path):
            raise OutputFolderError(f'{display_path(marker)} lists "{path[:80]}" as a permalink, which is not an '
                                    "entry path; the marker was changed by hand or by someone else: delete "
                                    "the output folder and build again")
    return _Marker(files, permalinks)


def _read_marker(marker: Path) -> bytes:
    data = _read(str(marker))
    if data is None:
        raise OSError("unreadable")
    if len(data) > MAX_MARKER_BYTES:
        raise ValueError("too large")
    return data


def _is_permalink(path: str) -> bool:
    """entries/<id>/, or <language>/entries/<id>/ in a language edition."""
    parts = path.split("/")
    if len(parts) == 4 and _plain_name(parts[0]):
        parts = parts[1:]
    return len(parts) == 3 and parts[0] == "entries" and parts[2] == "" and _plain_name(parts[1])


def _plain_name(name: str) -> bool:
    return bool(name) and name not in (".", "..") and all(c.isalnum() or c in "-_" for c in name)


def _marker_bytes(manifest: dict[str, str], permalinks: tuple[str, ...]) -> bytes:
    record = {"written_by": _MARKER_TOOL, "files": dict(sorted(manifest.items()))}
    if permalinks:
        record["permalinks"] = list(permalinks)
    # Compact: with `indent`, json uses its pure-Python encoder (benchmarks/README.md).
    return (json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")


def _check_relative(relative: str) -> None:
    if not _is_inside(relative):
        raise ValueError(f"not a path inside the output folder: {relative!r}")


def _is_inside(relative: str) -> bool:
    """A posix path that names a file inside a folder, as this tool writes them: relative, normalised,
    no part hidden (the marker aside), no control character."""
    parts = relative.split("/")
    return (bool(relative) and not relative.startswith("/") and "\\" not in relative and relative != MARKER
            and all(part and part not in (".", "..") and not part.startswith(".") for part in parts)
            and not any(ord(c) < 32 or c == "\x7f" for c in relative))


def _check_listed(relative: str, where: Path, output_dir: Path) -> None:
    if not _is_inside(relative):
        remedy = ("delete the output folder" if where.parent == output_dir
                  else f"check and delete {display_path(where.parent)}")
        raise OutputFolderError(f'{display_path(where)} lists "{relative[:80]}", which is not a path inside '
                                f"{display_path(output_dir)}; it was changed by hand or by someone else, so "
                                f"nothing is removed or replaced: {remedy} and build again")


# --- writing -------------------------------------------------------------------------

def _commit_folder(output_dir: Path) -> Path:
    return output_dir.parent / f".{output_dir.name}.commit"


def _purpose(output_dir: Path) -> bytes:
    """What a plan's signature covers besides its bytes: the output folder it is for."""
    return b"write plan for " + os.fsencode(str(output_dir))


@contextmanager
def _staging(output_dir: Path):
    """A new folder beside the output, removed again unless it was committed (renamed away). It holds
    a signed note that this tool made it, so that a later write removes it only if it is this tool's."""
    staging = Path(tempfile.mkdtemp(prefix=f".{output_dir.name}.staging-", dir=output_dir.parent))
    (staging / _MADE_BY).write_bytes(sign(b"staging folder", os.fsencode(staging.name)))
    try:
        yield staging
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _made_here(folder: Path) -> bool:
    note = _read(str(folder / _MADE_BY))
    return note is not None and verifies(note, b"staging folder", os.fsencode(folder.name))


class _Stager:
    """Takes the site's files one by one: records each file's fingerprint, and stages (in writer
    threads) those that differ from what the output folder holds."""

    def __init__(self, root: Path, output_dir: Path, previous: dict[str, str] | None):
        self.root, self.output_dir, self.previous = root, output_dir, previous
        marker = _current_stat(os.path.join(output_dir, MARKER))
        self.marked_ns = marker[1] if marker is not None else -1  # no marker: compare every file's bytes
        self.manifest: dict[str, str] = {}
        self.stats: dict[str, _Stat] = {}  # of every file, once the stager is closed
        self.staged: set[str] = set()
        self._made: set[str] = set()
        self._folders = _Folders(output_dir)  # of the output, checked to be no links
        self._pending: list = []
        self._error: BaseException | None = None  # what a writer raised (a full disk): stop taking files
        # Files waiting for a writer, at most: on a slow disk the rendered pages would pile up in memory.
        self._slots = threading.BoundedSemaphore(QUEUED_FILES)

    def __enter__(self) -> _Stager:
        self._pool = ThreadPoolExecutor(WRITER_THREADS)
        return self

    def __exit__(self, *exc) -> None:
        if exc[0] is not None:  # nothing more is staged: the staging folder is about to go
            self._pool.shutdown(wait=True, cancel_futures=True)
            return
        try:
            results = [future.result() for future in self._pending]  # raises what a writer raised
        finally:
            self._pool.shutdown(wait=True, cancel_futures=True)
        staged = {relative: found for relative, (written, found) in results if written}
        # A file written in the same timestamp tick as the last one could change again unseen.
        last = max((found[1] for found in staged.values()), default=0)
        self.stats.update((relative, found if not written else _trusted(found, last))
                          for relative, (written, found) in results)
        self.staged.update(staged)

    def take_kept(self, kept: dict[str, Kept]) -> set[str]:
        """The kept files the folder still holds as written (their stat is recorded), by path.

        One stat each, and nothing more for a file with the stat it was written with (every page
        of a site, in a preview's every rebuild)."""
        recorded = self.previous or {}
        prefix = os.path.join(self.output_dir, "")
        for relative, (expected, stat_then) in kept.items():
            if recorded.get(relative) != expected or not self._folders.plain(relative):
                continue
            target = prefix + relative
            current = _current_stat(target)
            if current is not None and current != tuple(stat_then):
                current = _same_bytes(target, current, expected)
            if current is not None:
                self.stats[relative] = current
                self.manifest[relative] = expected
        return set(self.stats)

    def take(self, relative: str, data: bytes, lost: bool = False) -> None:
        """A file of the site: staged unless the folder holds these bytes already (never when `lost`)."""
        if self._error is not None:
            raise self._error
        _check_relative(relative)
        self.manifest[relative] = expected = fingerprint(data)
        self._slots.acquire()
        self._pending.append(self._pool.submit(self._stage_if_changed, relative, data, expected, lost))

    def _stage_if_changed(self, relative: str, data: bytes, expected: str, lost: bool) -> tuple[str, tuple]:
        try:
            if self.previous is not None and not lost and self._folders.plain(relative):
                found = _unchanged(self.output_dir, relative, data, expected, self.previous, self.marked_ns)
                if found is not None:
                    return relative, (False, found)
            return relative, (True, _write_file(self.root, relative, data, self._made))
        except BaseException as error:
            self._error = error
            raise
        finally:
            self._slots.release()


class _Folders:
    """The folders of the output that the site's files go in, checked once each: a folder there that is
    a link would make the build read, write or remove files elsewhere."""

    def __init__(self, output_dir: Path):
        self.output_dir = str(output_dir)
        self.checked: dict[str, bool] = {"": True}  # relative folder -> it is a plain folder (or absent)
        self.lock = threading.Lock()

    def plain(self, relative: str) -> bool:
        """Whether every folder of the output on the way to `relative` is a plain folder (or absent)."""
        parent = os.path.dirname(relative)
        known = self.checked.get(parent)
        if known is None:
            known = self.plain(parent) and self._is_plain(parent)
            with self.lock:
                self.checked[parent] = known
        return known

    def _is_plain(self, relative: str) -> bool:
        try:
            found = os.lstat(os.path.join(self.output_dir, relative))
        except FileNotFoundError:
            return True
        except OSError:
            return False
        return stat.S_ISDIR(found.st_mode)

    def check(self, relative: str) -> None:
        if not self.plain(relative):
            raise OutputFolderError(f"a folder on the way to {relative} in {display_path(self.output_dir)} is a "
                                    "symbolic link or a file, so the site was not updated; remove it")


def _write_file(root: Path, relative: str, data: bytes, made: set[str]) -> _Stat:
    """Write a file under `root`; its stat, which the renames into the output keep."""
    parent = os.path.dirname(relative)
    if parent not in made:
        os.makedirs(os.path.join(root, parent), exist_ok=True)  # another thread may make it too: fine
        made.add(parent)
    target = os.path.join(root, relative)
    with open(target, "wb") as stream:
        stream.write(data)
    return _current_stat(target)


def _each(operation: Callable[[str], object], paths: list[str]) -> list:
    """`operation` on every path, in threads when there are many: creating files and folders waits on
    the filesystem's journal, not on Python, and overlapping those waits is several times faster
    (benchmarks/README.md)."""
    if len(paths) < THREADED_FROM:
        return [operation(path) for path in paths]
    with ThreadPoolExecutor(WRITER_THREADS) as pool:
        return list(pool.map(operation, paths, chunksize=64))


def _interrupted_plan(commit: Path, output_dir: Path) -> dict | None:
    """The plan of the commit folder: None when it was never written completely (no commit point was
    reached); OutputFolderError when it is not a plan this tool signed for this output, for this user."""
    data = _read(str(commit / _PLAN))
    if data is None:
        return None
    signature, plan = data[:SIGNATURE_BYTES], data[SIGNATURE_BYTES:]
    if len(signature) < SIGNATURE_BYTES or not verifies(signature, _purpose(output_dir), plan):
        raise OutputFolderError(
            f"{display_path(commit)} holds the plan of an interrupted build that this tool did not leave for "
            "this user (a folder added to a repository, or left by a build on another machine), so it is "
            f"not carried out; check what it holds and delete it, then build again")
    try:
        parsed = json.loads(plan)
        moves, removes, prints = parsed["move"], parsed["remove"], parsed["fingerprints"]
        if not (isinstance(moves, list) and isinstance(removes, list) and isinstance(prints, dict)):
            raise TypeError
    except (ValueError, KeyError, TypeError):
        raise OutputFolderError(f"{display_path(commit / _PLAN)} is damaged; delete {display_path(commit)} "
                                "and build again") from None
    for relative in [*moves, *removes]:
        if relative != MARKER:
            _check_listed(str(relative), commit / _PLAN, output_dir)
    return parsed


def _check_staged(commit: Path, plan: dict) -> None:
    """Every file an interrupted plan would still move is the one it was staged as: a regular file with
    the fingerprint the plan lists (the marker, which the plan's own move writes, aside)."""
    staged = commit / _STAGED_FILES
    for relative in plan["move"]:
        source = os.path.join(staged, relative)
        if relative == MARKER or not os.path.lexists(source):
            continue
        data = _read(source)
        if data is None or fingerprint(data) != plan["fingerprints"].get(relative):
            raise OutputFolderError(f"{display_path(source)} is not the file the interrupted build staged; "
                                    f"delete {display_path(commit)} and build again")


def _apply(commit: Path, output_dir: Path, plan: dict) -> None:
    """Move the committed files into place; safe to run again after an interruption. No folder of the
    output on the way to a file may be a link: such a plan is refused before anything moves."""
    folders = _Folders(output_dir)
    for relative in [*plan["remove"], *plan["move"]]:
        folders.check(relative)
    for relative in plan["remove"]:
        target = output_dir / relative
        if target.is_symlink() or target.is_file():
            target.unlink(missing_ok=True)
        _remove_empty_parents(output_dir, relative)
    staged = commit / _STAGED_FILES
    made: set[str] = set()

    def move(relative: str) -> None:
        source = os.path.join(staged, relative)
        if not os.path.lexists(source):
            return  # moved before an interruption
        parent = os.path.dirname(relative)
        if parent not in made:
            os.makedirs(os.path.join(output_dir, parent), exist_ok=True)
            made.add(parent)
        os.replace(source, os.path.join(output_dir, relative))

    _each(move, plan["move"])
    if os.path.lexists(staged):
        shutil.rmtree(staged)
    (commit / _MADE_BY).unlink(missing_ok=True)
    (commit / _PLAN).unlink()  # last: no write of this tool leaves a commit folder without a plan but empty
    commit.rmdir()


def _remove_empty_parents(output_dir: Path, relative: str) -> None:
    folder = (output_dir / relative).parent
    while folder != output_dir:
        try:
            folder.rmdir()
        except OSError:
            return  # not empty (or already gone): its parents are not empty either
        folder = folder.parent


@contextmanager
def _one_writer(output_dir: Path):
    """Two builds into one folder (a preview server and a manual build) take turns, never interleave."""
    if fcntl is None:  # not POSIX: no locking
        yield
        return
    # Locking the parent folder itself leaves no lock file behind.
    handle = os.open(output_dir.parent, os.O_RDONLY)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield
    finally:
        os.close(handle)  # releases the lock


@contextmanager
def _interrupts_deferred():
    """Hold back Ctrl-C during the few renames that must not stop halfway."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    received = []
    previous = signal.signal(signal.SIGINT, lambda *args: received.append(args))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
    if received and callable(previous):
        previous(*received[0])
