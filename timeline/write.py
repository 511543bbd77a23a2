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
of each file); a non-empty folder without it is never written into, so
`--output ~/Documents` cannot damage anything. Files the tool did not write
are left alone.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import tempfile
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None

MARKER = ".timeline-site.json"
_MARKER_TOOL = "timeline static-site builder"
_STAGED_FILES = "files"
_PLAN = "plan.json"


class OutputFolderError(Exception):
    """The output folder cannot be written safely; the message says why and what to do."""


@dataclass(frozen=True)
class WriteResult:
    """Paths (relative to the output folder) that this write created or changed, and removed."""

    written: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()

    @property
    def changed(self) -> bool:
        return bool(self.written or self.removed)


def write_site(files: dict[str, bytes], output_dir: Path) -> WriteResult:
    """Make `output_dir` hold exactly `files` (plus files this tool never wrote, left alone)."""
    output_dir = output_dir.resolve()
    for relative in files:
        _check_relative(relative)
    output_dir.parent.mkdir(parents=True, exist_ok=True)
    with _one_writer(output_dir):
        finish_interrupted_write(output_dir)
        return _write_changed(files, output_dir)


def _write_changed(files: dict[str, bytes], output_dir: Path) -> WriteResult:
    previous = _previous_manifest(output_dir)
    manifest = {relative: _fingerprint(data) for relative, data in files.items()}
    if previous is None:
        _write_fresh(files, manifest, output_dir)
        return WriteResult(written=tuple(sorted(files)))
    changed = {rel: data for rel, data in files.items() if not _unchanged(output_dir, rel, data, manifest[rel], previous)}
    removed = sorted(set(previous) - set(files))
    if not changed and not removed and manifest == previous:
        return WriteResult()
    _write_changes(changed, removed, manifest, output_dir)
    return WriteResult(written=tuple(sorted(changed)), removed=tuple(removed))


def finish_interrupted_write(output_dir: Path) -> None:
    """Complete a write that was interrupted after its commit point; drop uncommitted staging folders."""
    output_dir = output_dir.resolve()
    for leftover in output_dir.parent.glob(f".{output_dir.name}.staging-*"):
        shutil.rmtree(leftover, ignore_errors=True)
    commit = _commit_folder(output_dir)
    if commit.is_dir():
        _apply(commit, output_dir)


# --- deciding what changed ---------------------------------------------------------

def _fingerprint(data: bytes) -> str:
    return f"{len(data)}:{hashlib.sha256(data).hexdigest()[:32]}"  # sha256 has CPU support: fastest here


def _unchanged(output_dir: Path, relative: str, data: bytes, fingerprint: str, previous: dict[str, str]) -> bool:
    target = os.path.join(output_dir, relative)  # plain strings: pathlib costs more than the stat itself here
    try:
        if os.stat(target).st_size != len(data):  # also catches a file deleted by hand
            return False
    except OSError:
        return False
    if relative in previous:
        return previous[relative] == fingerprint
    try:  # a file the marker does not list: compare the bytes themselves
        with open(target, "rb") as stream:
            return stream.read() == data
    except OSError:
        return False


def _previous_manifest(output_dir: Path) -> dict[str, str] | None:
    """What the last build wrote; None when the folder is missing or empty (a fresh write)."""
    if not output_dir.exists():
        return None
    if not output_dir.is_dir():
        raise OutputFolderError(f"{output_dir} is a file, not a folder; choose another --output")
    marker = output_dir / MARKER
    if not marker.is_file():
        if not any(output_dir.iterdir()):
            return None
        raise OutputFolderError(
            f"{output_dir} is not empty and was not written by this tool (it has no {MARKER}), "
            "so it will not be replaced; choose a new or empty folder with --output DIR, "
            "or delete the folder yourself if it only holds an old build"
        )
    try:
        recorded = json.loads(marker.read_text(encoding="utf-8"))
        return {str(k): str(v) for k, v in recorded["files"].items()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}  # a damaged marker: every file is compared by its bytes instead


def _marker_bytes(manifest: dict[str, str]) -> bytes:
    record = {"written_by": _MARKER_TOOL, "files": dict(sorted(manifest.items()))}
    return (json.dumps(record, indent=0, ensure_ascii=False) + "\n").encode("utf-8")


def _check_relative(relative: str) -> None:
    parts = relative.split("/")
    if relative.startswith("/") or "\\" in relative or ".." in parts or "" in parts or relative == MARKER:
        raise ValueError(f"not a path inside the output folder: {relative!r}")


# --- writing -------------------------------------------------------------------------

def _commit_folder(output_dir: Path) -> Path:
    return output_dir.parent / f".{output_dir.name}.commit"


@contextmanager
def _staging(output_dir: Path):
    """A new folder beside the output, removed again unless it was committed (renamed away)."""
    staging = Path(tempfile.mkdtemp(prefix=f".{output_dir.name}.staging-", dir=output_dir.parent))
    try:
        yield staging
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _stage_files(files: dict[str, bytes], root: Path) -> None:
    made: set[str] = set()
    for relative, data in files.items():
        parent = os.path.dirname(relative)
        if parent not in made:
            os.makedirs(os.path.join(root, parent), exist_ok=True)
            made.add(parent)
        with open(os.path.join(root, relative), "wb") as stream:
            stream.write(data)


def _write_fresh(files: dict[str, bytes], manifest: dict[str, str], output_dir: Path) -> None:
    """Output missing or empty: stage the whole site and rename it into place in one step."""
    with _staging(output_dir) as staging:
        tree = staging / _STAGED_FILES
        _stage_files({**files, MARKER: _marker_bytes(manifest)}, tree)
        with _interrupts_deferred():
            os.replace(tree, output_dir)  # replaces an empty folder atomically


def _write_changes(changed: dict[str, bytes], removed: list[str], manifest: dict[str, str], output_dir: Path) -> None:
    with _staging(output_dir) as staging:
        _stage_files({**changed, MARKER: _marker_bytes(manifest)}, staging / _STAGED_FILES)
        plan = {"move": sorted(changed) + [MARKER], "remove": removed}
        (staging / _PLAN).write_text(json.dumps(plan), encoding="utf-8")
        commit = _commit_folder(output_dir)
        with _interrupts_deferred():
            os.rename(staging, commit)  # the commit point: from here on the write is finished, not undone
            _apply(commit, output_dir)


def _apply(commit: Path, output_dir: Path) -> None:
    """Move the committed files into place; safe to run again after an interruption."""
    try:
        plan = json.loads((commit / _PLAN).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        shutil.rmtree(commit, ignore_errors=True)  # never committed completely: nothing to finish
        return
    for relative in plan["remove"]:
        (output_dir / relative).unlink(missing_ok=True)
        _remove_empty_parents(output_dir, relative)
    staged = commit / _STAGED_FILES
    made: set[str] = set()
    for relative in plan["move"]:
        source = os.path.join(staged, relative)
        if not os.path.exists(source):
            continue  # moved before an interruption
        parent = os.path.dirname(relative)
        if parent not in made:
            os.makedirs(os.path.join(output_dir, parent), exist_ok=True)
            made.add(parent)
        os.replace(source, os.path.join(output_dir, relative))
    shutil.rmtree(commit)


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
