"""A persistent cache for the load stage: unchanged entry files are neither parsed nor validated again.

SHARDS cache files per content folder, in .cache/ beside the content folder or
wherever --cache-dir says. For every entry file it keeps what loading the
file gave (the Entry or None, its problems, where its list items stand),
valid while both of these hold:

- the file's bytes are the same: its size and mtime_ns are compared first,
  and only when they differ is the file hashed again (SHA-256);
- the context it was read in is the same: the time zone (times without an
  offset depend on it), how paths are displayed, the tool's version and
  source code, the versions of Python, PyYAML and dateutil, and, for a file
  that mentions media, the list of files in the media folder (validation
  checks that they exist).

Deleting the cache is always safe. A cache file that cannot be read, for
whatever reason, is ignored and replaced; it is written to a temporary file
and renamed, so a crash never leaves half of one. Like .git/index it is a
private, local file: pickle runs code from what it reads, so never ship or
share a cache folder.
"""
from __future__ import annotations

import hashlib
import os
import pickle
import sys
import tempfile
import time
from functools import cached_property
from pathlib import Path
from typing import Callable, NamedTuple, Sequence, TypeVar

from . import __version__

CACHE_DIR_NAME = ".cache"
FORMAT = b"timeline-load-cache 2 "
# The modules that turn a file into an EntryFile (tests/test_cache.py checks the list is complete).
LOAD_MODULES = ("cache", "dates", "load", "model", "validate", "yamlfile")
# A file modified this close to the moment it is recorded may be modified again within the same
# filesystem timestamp tick, keeping size and mtime: its stat is not trusted (git's "racy clean").
RACY_NS = 2_000_000_000
# The records are kept in this many files (by file name): one edit rewrites one sixteenth of them,
# where pickling all 10,000 records took 0.3 s.
SHARDS = 16

Result = TypeVar("Result")


class Record(NamedTuple):
    size: int  # -1 when the stat is not to be trusted: hash the file again
    mtime_ns: int
    digest: bytes
    media: bytes | None  # fingerprint of the media folder it was checked against; None: names no media
    result: object


def default_cache_dir(content_dir: Path) -> Path:
    return content_dir.resolve().parent / CACHE_DIR_NAME


class EntryCache:
    """The cached results of loading entry files, for one content folder in one context."""

    def __init__(self, cache_dir: Path, content_dir: Path, media_dir: Path, context: tuple):
        self.cache_dir = cache_dir
        self.name = f"entries-{_sha256_hex(str(content_dir.resolve()).encode())[:16]}"
        self.media_dir = media_dir
        self.header = FORMAT + _sha256_hex(repr((context, _code_identity())).encode()).encode() + b"\n"
        self.racy_from_ns = time.time_ns() - RACY_NS

    def load(self, paths: Sequence[Path], parse: Callable[[list[Path]], list[Result]]) -> list[Result]:
        """What loading each file gives: from the cache when still valid, else from `parse` (then cached).

        Afterwards `fingerprints` holds, for each path, a digest of the file's bytes and of the
        context they were read in (None for a file that could not be identified): whatever loading
        the file gives depends on nothing else.
        """
        known = self._read()
        records: dict[str, Record] = {}
        stale: list[Path] = []
        for path in paths:
            record = self._still_valid(path, known.get(path.name))
            if record is None:
                stale.append(path)
            else:
                records[path.name] = record
        # Identified before parsing: a file saved again meanwhile then no longer matches its record.
        identified = [self._identify(path) for path in stale]
        for path, identity, result in zip(stale, identified, parse(stale)):
            records[path.name] = identity._replace(result=result)
        known_shards = self._by_shard(known)
        for shard, shard_records in self._by_shard(records).items():
            before = known_shards[shard]
            if shard_records.keys() != before.keys() or any(shard_records[name] is not before[name]
                                                            for name in shard_records):
                self._write(shard, shard_records)
        self.fingerprints = [self._fingerprint(records[path.name]) for path in paths]
        return [records[path.name].result for path in paths]

    def _fingerprint(self, record: Record) -> str | None:
        if not record.digest:
            return None
        return _sha256_hex(self.header + record.digest + (record.media or b""))[:32]

    def _still_valid(self, path: Path, record: Record | None) -> Record | None:
        """The record, with the file's current stat, when it still describes the file."""
        if not isinstance(record, Record):
            return None
        try:
            stat = path.stat()
            if (stat.st_size, stat.st_mtime_ns) != (record.size, record.mtime_ns):
                if _sha256(path.read_bytes()) != record.digest:
                    return None
                record = record._replace(size=self._trusted_size(stat), mtime_ns=stat.st_mtime_ns)
        except OSError:
            return None
        if record.media is not None and record.media != self.media_fingerprint:
            return None
        return record

    def _trusted_size(self, stat: os.stat_result) -> int:
        """The size to record; -1, which never matches, for a file modified too recently to trust its stat."""
        return stat.st_size if stat.st_mtime_ns < self.racy_from_ns else -1

    def _identify(self, path: Path) -> Record:
        """The record of the file as it is now, before it is parsed (its result still None)."""
        try:
            stat = path.stat()
            data = path.read_bytes()
        except OSError:  # unreadable or gone: whatever parsing gives stands, nothing is kept
            return Record(-1, 0, b"", None, None)
        media = self.media_fingerprint if b"media" in data else None
        return Record(self._trusted_size(stat), stat.st_mtime_ns, _sha256(data), media, None)

    @cached_property
    def media_fingerprint(self) -> bytes:
        """Which files the media folder holds: validation checks that a local image exists."""
        names = sorted(
            os.path.relpath(os.path.join(folder, name), self.media_dir)
            for folder, _, files in os.walk(self.media_dir) for name in files
        )
        return _sha256("\n".join(names).encode())

    def shard_file(self, shard: int) -> Path:
        return self.cache_dir / f"{self.name}-{shard:02}.pickle"

    @staticmethod
    def _by_shard(records: dict[str, Record]) -> dict[int, dict[str, Record]]:
        """The records split by file name into SHARDS files, so that one edit rewrites one of them."""
        shards: dict[int, dict[str, Record]] = {shard: {} for shard in range(SHARDS)}
        for name, record in records.items():
            shards[hashlib.blake2b(name.encode(), digest_size=1).digest()[0] % SHARDS][name] = record
        return shards

    def _read(self) -> dict[str, Record]:
        records: dict[str, Record] = {}
        for shard in range(SHARDS):
            shard_records = read_pickle(self.shard_file(shard), self.header)
            if isinstance(shard_records, dict):
                records.update(shard_records)
        return records

    def _write(self, shard: int, records: dict[str, Record]) -> None:
        write_pickle(self.shard_file(shard), self.header, records)


def write_pickle(file: Path, header: bytes, data: object) -> None:
    """Replace a cache file in one rename (a crash never leaves half of one); a cache file that
    cannot be written is simply not kept."""
    temporary = None
    try:
        _make_cache_dir(file.parent)
        with tempfile.NamedTemporaryFile("wb", dir=file.parent, prefix=f".{file.stem}-", suffix=".tmp",
                                         delete=False) as stream:
            temporary = stream.name
            stream.write(header)
            pickle.dump(data, stream, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, file)
    except (OSError, pickle.PicklingError):
        if temporary is not None:
            Path(temporary).unlink(missing_ok=True)


def read_pickle(file: Path, header: bytes) -> object | None:
    """What write_pickle wrote with this header; None when missing, of another header, or damaged."""
    try:
        with open(file, "rb") as stream:
            if stream.readline() != header:
                return None
            return pickle.load(stream)
    except Exception:  # noqa: BLE001 - a damaged cache of any kind is only a slower build
        return None


def _make_cache_dir(cache_dir: Path) -> None:
    if cache_dir.is_dir():
        return
    cache_dir.mkdir(parents=True, exist_ok=True)
    # Kept out of git and of backups wherever the folder is put.
    (cache_dir / ".gitignore").write_text("*\n", encoding="utf-8")
    (cache_dir / "CACHEDIR.TAG").write_text(
        "Signature: 8a477f597d28d172789f06886806bc55\n"
        "# The build cache of the timeline tool; safe to delete. See https://bford.info/cachedir/\n",
        encoding="utf-8",
    )


def _code_identity() -> tuple:
    """What reads the files: a changed validator, parser or date library never trusts old results."""
    import dateutil  # here, not above: the no-op fast path imports this module without them
    import yaml

    package = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for module in LOAD_MODULES:
        digest.update(module.encode() + b"\0" + (package / f"{module}.py").read_bytes())
    libraries = (yaml.__version__, yaml.__with_libyaml__, dateutil.__version__)
    return __version__, digest.hexdigest(), sys.version_info[:2], libraries


def _sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()
