"""A persistent cache for the load stage: unchanged entry files are neither parsed nor validated again.

SHARDS cache files per content folder, in .cache/ beside the content folder or
wherever --cache-dir says. For every entry file it keeps what loading the
file gave (the Entry or None, and its problems), valid while both of these hold:

- the file's bytes are the same as those that were parsed: its size and
  mtime_ns (taken before reading) are compared first, and only when they
  differ is the file hashed again (SHA-256);
- the context it was read in is the same: the time zone and its rules as
  installed (times without an offset depend on them), how paths are displayed, the tool's version and
  source code, the versions of Python, PyYAML and dateutil, and, for an entry
  with a media field, the list of files in the media folder (validation
  checks that they exist).

Deleting the cache is always safe. A cache file that cannot be read, for
whatever reason, is ignored and replaced; it is written to a temporary file
and renamed, so a crash never leaves half of one. Like .git/index it is a
private, local file: pickle runs code from what it reads, so never ship or
share a cache folder.
"""
from __future__ import annotations

import copyreg
import dataclasses
import functools
import hashlib
import io
import os
import pickle
import sys
import tempfile
import time
from functools import cached_property
from importlib.util import find_spec
from pathlib import Path
from typing import Callable, Iterable, NamedTuple, Sequence, TypeVar

from .. import __version__, model

CACHE_DIR_NAME = ".cache"
FORMAT = b"timeline-load-cache 4 "
# A file modified this close to the moment it is recorded may be modified again within the same
# filesystem timestamp tick, keeping size and mtime: its stat is not trusted (git's "racy clean").
RACY_NS = 2_000_000_000
# The records are kept in this many files (by file name): one edit rewrites one of them, where pickling
# all 10,000 records took 0.3 s (at 10,000 entries, one of 16 files took 0.015 s, one of 64 0.002 s;
# reading them all takes as long either way).
SHARDS = 64

Result = TypeVar("Result")


class Identity(NamedTuple):
    """What a file was when it was read."""

    size: int
    mtime_ns: int
    digest: bytes
    media: bytes | None  # the media folder's fingerprint, taken before validation; None: no media field


class Record(NamedTuple):
    size: int  # -1 when the stat is not to be trusted: hash the file again
    mtime_ns: int
    digest: bytes
    media: bytes | None  # fingerprint of the media folder it was checked against; None: names no media
    fingerprint: str  # digest of the bytes and of the context they were read in
    result: object

    def __reduce__(self):
        return unpickled_fast(self)


def unpickled_fast(value: tuple) -> tuple:
    """How a named tuple kept by the thousand in a cache file is pickled: remade with tuple.__new__
    (C) rather than its class's Python __new__; 10,000 of them load in 3 ms instead of 5.6."""
    return tuple.__new__, (type(value), tuple(value))


class Pack(NamedTuple):
    """What loading a batch of files gave.

    Sent from a worker process, its records travel pickled as a cache file keeps them, and stay
    so: the main process need not pickle them again to write its cache file.
    """

    records: dict[str, Record]
    unkept: dict[str, object]  # results not to keep: of files that could not be read, or all without a cache
    pickled: bytes | None = None  # the records, as they came from a worker

    def __reduce__(self):
        return _received_pack, (self.pickled or pickled_records(self.records), pickled_records(self.unkept))


def _received_pack(pickled: bytes, unkept: bytes) -> Pack:
    return Pack(pickle.loads(pickled), pickle.loads(unkept), pickled)


def pickled_records(records: object) -> bytes:
    """Records pickled for a cache file or on their way from a worker, the model's values by their __init__.

    Unpickled the usual way, an instance gets a dictionary of its own for its attributes; made by
    its __init__, it keeps them as ordinary instances do, in itself with keys shared by its class.
    Every later stage reads those attributes ten times faster (the ids of 10,000 entries: 2.3 ->
    0.24 ms; their dates, titles and tags: 8.9 -> 2.3 ms), and unpickling takes less too
    (10,000 entries: 150 -> 125 ms).
    """
    stream = io.BytesIO()
    pickler = pickle.Pickler(stream, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = _BY_INIT
    pickler.dump(records)
    return stream.getvalue()


def _by_init(value: object) -> tuple:
    cls = type(value)
    return cls, tuple([getattr(value, name) for name in _INIT_FIELDS[cls]])


# The model's frozen dataclasses that records hold, and the fields their __init__ takes, in order.
_INIT_FIELDS = {cls: tuple(f.name for f in dataclasses.fields(cls))
                for cls in (model.Entry, model.PartialDate, model.Source, model.Tag, model.Place, model.Media,
                            model.Correction, model.Problem)
                if all(f.init for f in dataclasses.fields(cls))}
_BY_INIT = {**copyreg.dispatch_table, **dict.fromkeys(_INIT_FIELDS, _by_init)}


def default_cache_dir(content_dir: Path) -> Path:
    return content_dir.resolve().parent / CACHE_DIR_NAME


class Recorder:
    """Makes the record of a file that was read; goes to the worker processes with their batches of files."""

    def __init__(self, header: bytes, media_dir: Path):
        self.header = header
        self.media_dir = media_dir
        self.racy_from_ns = time.time_ns() - RACY_NS

    def identify(self, data: bytes, stat: os.stat_result) -> Identity:
        """The identity of `data`, read from a file whose stat, taken before reading, was `stat`."""
        return Identity(stat.st_size, stat.st_mtime_ns, _sha256(data), None)

    def naming_media(self, identity: Identity) -> Identity:
        """The identity of a file whose entry has a media field (as parsed: YAML can spell the key
        without the letters "media" in a row). Taken before validation: a media file that appears
        or goes meanwhile changes the fingerprint this one is compared with next time."""
        return identity._replace(media=self.media_fingerprint)

    def pack(self, loaded: Iterable[tuple[str, Identity | None, object]]) -> Pack:
        """The records of (file name, identity, result); an unreadable file has no identity."""
        records, unkept = {}, {}
        for name, identity, result in loaded:
            if identity is None:
                unkept[name] = result
            else:
                records[name] = self.record(identity, result)
        return Pack(records, unkept)

    def record(self, identity: Identity, result: object) -> Record:
        fingerprint = _sha256_hex(self.header + identity.digest + (identity.media or b""))[:32]
        return Record(self.trusted_size(identity.size, identity.mtime_ns), identity.mtime_ns, identity.digest,
                      identity.media, fingerprint, result)

    def trusted_size(self, size: int, mtime_ns: int) -> int:
        """The size to record; -1, which never matches, for a file modified too recently to trust its stat."""
        return size if mtime_ns < self.racy_from_ns else -1

    @cached_property
    def media_fingerprint(self) -> bytes:
        """Which files the media folder holds: validation checks that a local image exists."""
        names = sorted(
            os.path.relpath(os.path.join(folder, name), self.media_dir)
            for folder, _, files in os.walk(self.media_dir) for name in files
        )
        return _sha256("\n".join(names).encode())


class EntryCache:
    """The cached results of loading entry files, for one content folder in one context."""

    def __init__(self, cache_dir: Path, content_dir: Path, media_dir: Path, context: tuple):
        self.cache_dir = cache_dir
        self.name = f"entries-{_sha256_hex(str(content_dir.resolve()).encode())[:16]}"
        header = FORMAT + _sha256_hex(repr((context, code_identity())).encode()).encode() + b"\n"
        self.recorder = Recorder(header, media_dir)
        self.fingerprints: list[str | None] = []

    def load(self, folder: Path, names: Sequence[str],
             parse: Callable[[list[list[str]], Recorder], Iterable[Pack]]) -> list[Result]:
        """What loading each file of `folder` gives: from the cache when still valid, else parsed (then cached).

        `parse` is given the other files in batches, one per cache file, and the recorder that
        identifies and packs them; it gives one Pack per batch.

        Afterwards `fingerprints` holds, for each name, a digest of the file's bytes and of the
        context they were read in (None for a file that could not be read): whatever loading
        the file gives depends on nothing else.
        """
        known_shards = self._read()
        known: dict[str, Record] = {}
        for shard_records in known_shards:
            known.update(shard_records)
        records: dict[str, Record] = {}
        stale: dict[int, list[str]] = {}  # by cache file
        touched: set[int] = set()  # cache files whose records change
        prefix = os.path.join(folder, "")
        for name in names:
            before = known.get(name)
            record = self._still_valid(prefix + name, before)
            if record is None:
                stale.setdefault(_shard_of(name), []).append(name)
            else:
                records[name] = record
                # A stat refreshed but still too recent to trust would be hashed again next time anyway.
                if record is not before and record.size >= 0:
                    touched.add(_shard_of(name))
        unkept: dict[str, Result] = {}
        fresh: dict[int, bytes] = {}  # records of a cache file as a worker pickled them
        for shard, pack in zip(stale, parse(list(stale.values()), self.recorder)):
            records.update(pack.records)
            unkept.update(pack.unkept)
            if pack.pickled is not None:
                fresh[shard] = pack.pickled
        touched.update(_shard_of(name) for name in known if name not in records)
        self._save(known_shards, records, stale, touched, fresh)
        self.fingerprints = [record.fingerprint if (record := records.get(name)) else None for name in names]
        return [records[name].result if name in records else unkept[name] for name in names]

    def _still_valid(self, path: str, record: object) -> Record | None:
        """The record, with the file's current stat, when it still describes the file."""
        if not isinstance(record, Record):
            return None
        try:
            stat = os.stat(path)
            if stat.st_size != record.size or stat.st_mtime_ns != record.mtime_ns:
                if file_digest(path) != record.digest:  # None when it cannot be read: never a digest
                    return None
                record = record._replace(size=self.recorder.trusted_size(stat.st_size, stat.st_mtime_ns),
                                         mtime_ns=stat.st_mtime_ns)
        except OSError:
            return None
        if record.media is not None and record.media != self.recorder.media_fingerprint:
            return None
        return record

    def _save(self, known_shards: list[dict[str, Record]], records: dict[str, Record], stale: dict[int, list[str]],
              touched: set[int], fresh: dict[int, bytes]) -> None:
        """Rewrite the cache files whose records changed. One that holds only files parsed now gets their
        records as the worker pickled them; the others are pickled here."""
        for shard in touched | stale.keys():
            parsed = set(stale.get(shard, ()))
            kept = {name: records[name] for name in known_shards[shard]
                    if name in records and name not in parsed and _shard_of(name) == shard}
            parsed_records = {name: records[name] for name in parsed if name in records}
            if not kept and shard in fresh:
                write_pickled(self.shard_file(shard), self.recorder.header, fresh[shard], parsed_records)
                continue
            kept.update(parsed_records)
            self._write_shard(shard, kept)

    def keep(self, records: dict[str, Record]) -> bool:
        """Put the records of files read outside load() (by a rebuild after an edit) into their cache
        files, as load() would have; False, and nothing written, when one of those files is missing or
        damaged (load() would replace it whole)."""
        by_shard: dict[int, dict[str, Record]] = {}
        for name, record in records.items():
            by_shard.setdefault(_shard_of(name), {})[name] = record
        known = {shard: read_pickle(self.shard_file(shard), self.recorder.header) for shard in by_shard}
        if not all(isinstance(shard_records, dict) for shard_records in known.values()):
            return False
        for shard, new in by_shard.items():
            self._write_shard(shard, {**known[shard], **new})
        return True

    def _write_shard(self, shard: int, records: dict[str, Record]) -> None:
        write_pickled(self.shard_file(shard), self.recorder.header, pickled_records(records), records)

    def shard_file(self, shard: int) -> Path:
        return self.cache_dir / f"{self.name}-{shard:02}.pickle"

    def _read(self) -> list[dict[str, Record]]:
        """The records of each cache file; none for a file that is missing, of another context, or damaged."""
        shards = [read_pickle(self.shard_file(shard), self.recorder.header) for shard in range(SHARDS)]
        return [records if isinstance(records, dict) else {} for records in shards]


def _shard_of(name: str) -> int:
    """Which cache file keeps the record of the entry file `name`: one edit rewrites one of them."""
    return hashlib.blake2b(name.encode(), digest_size=1).digest()[0] % SHARDS


def write_pickle(file: Path, header: bytes, data: object) -> None:
    """Replace a cache file in one rename (a crash never leaves half of one); a cache file that
    cannot be written is simply not kept."""
    try:
        pickled = pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL)
    except pickle.PicklingError:
        return
    write_pickled(file, header, pickled, data)


def write_pickled(file: Path, header: bytes, pickled: bytes, data: object) -> None:
    """write_pickle for `data` pickled already."""
    token, temporary = os.urandom(TOKEN_BYTES), None
    try:
        _make_cache_dir(file.parent)
        with tempfile.NamedTemporaryFile("wb", dir=file.parent, prefix=f".{file.stem}-", suffix=".tmp",
                                         delete=False) as stream:
            temporary = stream.name
            stream.write(header)
            stream.write(token)
            stream.write(pickled)
            stream.flush()
            written = os.fstat(stream.fileno())
        os.replace(temporary, file)
    except OSError:
        if temporary is not None:
            Path(temporary).unlink(missing_ok=True)
        return
    _held[str(file)] = (header, token, written.st_size, written.st_mtime_ns, data)


def read_pickle(file: Path, header: bytes) -> object | None:
    """What write_pickle wrote with this header; None when missing, of another header, or damaged.

    What is read or written is shared, not copied: callers never change it."""
    try:
        with open(file, "rb") as stream:
            if stream.readline() != header:
                return None
            token = stream.read(TOKEN_BYTES)
            stat = os.fstat(stream.fileno())
            identity = (header, token, stat.st_size, stat.st_mtime_ns)
            held = _held.get(str(file))
            if held is not None and held[:4] == identity:
                return held[4]
            data = pickle.load(stream)
    except Exception:  # noqa: BLE001 - a damaged cache of any kind is only a slower build
        return None
    _held[str(file)] = (*identity, data)
    return data


# What this process last read from or wrote to each cache file: a process that builds again and
# again (a live preview) does not unpickle, at every save, the files it wrote itself (at 10,000
# entries, 0.2 s of each rebuild). Every write puts a random token after the header, and every
# writer replaces a cache file by renaming a new one over it: a file with the same token, size and
# mtime is the one this process read or wrote, however coarse the filesystem's timestamps, and
# however soon it reuses inode numbers.
_held: dict[str, tuple[bytes, bytes, int, int, object]] = {}
TOKEN_BYTES = 16


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


# The libraries whose behaviour shapes what a build makes: a new version (or a reinstall) means new code.
LIBRARIES = ("jinja2", "markupsafe", "markdown", "yaml", "_yaml", "dateutil")


@functools.cache
def code_identity() -> str:
    """What the running tool is: the bytes of every module of the package, where each library the
    output depends on lives and when it was installed, and the Python running them. Every cache
    file and the stamp are keyed on it, so a changed validator, template filter or library never
    trusts an old result.

    Taken once per process, at its first build: a long-running preview keeps running the code it
    imported whatever is on disk later, and must record what that code made under that code's
    identity. No library is imported here (the no-op build does without them)."""
    return identity_of(Path(__file__).resolve().parent.parent)


@functools.cache
def identity_of(package: Path) -> str:
    """code_identity of the package in the folder `package`."""
    digest = hashlib.sha256(repr((__version__, sys.version, sys.executable)).encode())
    for path in sorted(package.rglob("*.py")):
        digest.update(b"\0" + path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes())
    for name in LIBRARIES:
        spec = find_spec(name)
        origin = spec.origin if spec is not None else None
        stat = os.stat(origin) if origin and os.path.exists(origin) else None
        digest.update(repr((name, origin, stat and (stat.st_size, stat.st_mtime_ns))).encode())
    return digest.hexdigest()


def file_digest(path: str) -> bytes | None:
    """The SHA-256 of the file's bytes; None when it cannot be read (or is no file)."""
    try:
        with open(path, "rb") as stream:
            return _sha256(stream.read())
    except OSError:
        return None


def _sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()
