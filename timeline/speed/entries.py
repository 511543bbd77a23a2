"""The load cache: unchanged entry files are neither parsed nor validated again.

SHARDS cache files per content folder (store.py: signed, in the user's cache folder). For every
entry file it keeps what parsing the file gave (load.parse_entry's EntryFile), valid while both of
these hold:

- the file's bytes are the same as those that were parsed: its size and mtime_ns (taken before
  reading) are compared first, and only when they differ is the file hashed again (SHA-256);
- the context it was read in is the same: the entries folder, the time zone and its rules as
  installed (times without an offset depend on them), the tool's code identity, and, for an entry
  with a media field, the list of files in the media folder (validation checks that they exist).

Whatever the cache gives for a file is what parse_entry gives for its bytes (tests/speed holds the
proof: every warm build is compared with a cold one).
"""
from __future__ import annotations

import hashlib
import os
import pickle
import time
from functools import cached_property
from pathlib import Path
from typing import Callable, Iterable, NamedTuple, Sequence

from .. import model
from ..folders import FOLDER, Refused, read_regular, walk
from ..load import EntryFile, Reading, parse_entry
from ..write import RACY_NS
from ..yamlfile import MAX_FILE_BYTES
from .store import code_identity, file_digest, read_cached, write_pickled
from .workers import each_batch, pickled_records

FORMAT = b"timeline-load-cache 5 "
# The records are kept in this many files (by file name): one edit rewrites one of them (benchmarks/README.md).
SHARDS = 64


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
    result: EntryFile

    def __reduce__(self):
        return unpickled_fast(self)


def unpickled_fast(value: tuple) -> tuple:
    """How a named tuple kept by the thousand in a cache file is pickled: remade with tuple.__new__
    (C) rather than its class's Python __new__ (benchmarks/README.md)."""
    return tuple.__new__, (type(value), tuple(value))


class Pack(NamedTuple):
    """What loading a batch of files gave.

    Sent from a worker process, its records travel pickled as a cache file keeps them, and stay
    so: the main process need not pickle them again to write its cache file.
    """

    records: dict[str, Record]
    unkept: dict[str, EntryFile]  # results not to keep: of files that could not be read
    pickled: bytes | None = None  # the records, as they came from a worker

    def __reduce__(self):
        return _received_pack, (self.pickled or pickled_records(self.records), pickled_records(self.unkept))


def _received_pack(pickled: bytes, unkept: bytes) -> Pack:
    return Pack(pickle.loads(pickled), pickle.loads(unkept), pickled)


class Recorder:
    """Reads, parses and records files; goes to the worker processes with their batches of files."""

    def __init__(self, header: bytes, reading: Reading):
        self.header = header
        self.reading = reading
        self.racy_from_ns = time.time_ns() - RACY_NS

    def read(self, name: str) -> tuple[Identity | None, EntryFile]:
        """The file's EntryFile, and the Identity of the bytes it was made from (None: unreadable)."""
        try:
            data, stat = read_regular(self.reading.path(name), MAX_FILE_BYTES)
        except Refused as err:
            return None, EntryFile(None, (model.Problem(self.reading.path(name), str(err)),))
        identity = Identity(stat.st_size, stat.st_mtime_ns, hashlib.sha256(data).digest(), None)
        loaded = parse_entry(name, data, self.reading)
        if loaded.names_media:  # taken before validation: see media_fingerprint
            identity = identity._replace(media=self.media_fingerprint)
        return identity, loaded

    def pack(self, names: Iterable[str]) -> Pack:
        records, unkept = {}, {}
        for name in names:
            identity, loaded = self.read(name)
            if identity is None:
                unkept[name] = loaded
            else:
                records[name] = self.record(identity, loaded)
        return Pack(records, unkept)

    def record(self, identity: Identity, result: EntryFile) -> Record:
        fingerprint = hashlib.sha256(self.header + identity.digest + (identity.media or b"")).hexdigest()[:32]
        return Record(self.trusted_size(identity.size, identity.mtime_ns), identity.mtime_ns, identity.digest,
                      identity.media, fingerprint, result)

    def trusted_size(self, size: int, mtime_ns: int) -> int:
        """The size to record; -1, which never matches, for a file modified too recently to trust its stat."""
        return size if mtime_ns < self.racy_from_ns else -1

    @cached_property
    def media_fingerprint(self) -> bytes:
        """Which files the media folder holds: validation checks that a local image exists. Taken once,
        before the first file that names media is validated: a media file that appears or goes meanwhile
        changes the fingerprint this one is compared with next time."""
        folder = os.path.abspath(self.reading.media_dir)
        # What each one is too: a file that becomes a link is valid no more. Links are not entered.
        names = [f"{item.path[len(folder) + 1:]}\0{item.kind}" for item in walk(folder, hidden=True)
                 if item.kind != FOLDER]
        return hashlib.sha256("\n".join(names).encode("utf-8", "surrogateescape")).digest()


def _pack(names: list[str], recorder: Recorder) -> Pack:
    return recorder.pack(names)


class EntryCache:
    """The cached results of loading the entry files of one folder, in one context."""

    def __init__(self, cache_dir: Path, reading: Reading, zone_rules: bytes | None):
        self.cache_dir = cache_dir
        self.name = f"entries-{hashlib.sha256(os.fsencode(reading.folder)).hexdigest()[:16]}"
        context = (reading.folder, str(reading.tz), zone_rules, code_identity())
        self.recorder = Recorder(FORMAT + hashlib.sha256(repr(context).encode()).hexdigest().encode() + b"\n",
                                 reading)
        self.fingerprints: list[str | None] = []

    def load(self, names: Sequence[str],
             parse: Callable[[Callable[[list[str], Recorder], Pack], list[list[str]], Recorder], list[Pack]]
             = each_batch) -> list[EntryFile]:
        """What loading each file gives: from the cache when still valid, else parsed (then cached).

        `parse` gives a Pack for each batch of the other files, one batch per cache file.

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
        prefix = os.path.join(self.recorder.reading.folder, "")
        for name in names:
            before = known.get(name)
            record = self._still_valid(prefix + name, before)
            if record is None:
                stale.setdefault(shard_of(name), []).append(name)
            else:
                records[name] = record
                # A stat refreshed but still too recent to trust would be hashed again next time anyway.
                if record is not before and record.size >= 0:
                    touched.add(shard_of(name))
        unkept: dict[str, EntryFile] = {}
        fresh: dict[int, bytes] = {}  # records of a cache file as a worker pickled them
        packs = parse(_pack, list(stale.values()), self.recorder) if stale else []
        for shard, pack in zip(stale, packs):
            records.update(pack.records)
            unkept.update(pack.unkept)
            if pack.pickled is not None:
                fresh[shard] = pack.pickled
        touched.update(shard_of(name) for name in known if name not in records)
        self._save(known_shards, records, stale, touched, fresh)
        self.fingerprints = [record.fingerprint if (record := records.get(name)) else None for name in names]
        return [records[name].result if name in records else unkept[name] for name in names]

    def _still_valid(self, path: str, record: object) -> Record | None:
        """The record, with the file's current stat, when it still describes the file."""
        if not isinstance(record, Record):
            return None
        try:
            stat = os.lstat(path)
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
                    if name in records and name not in parsed and shard_of(name) == shard}
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
            by_shard.setdefault(shard_of(name), {})[name] = record
        known = {shard: read_cached(self.shard_file(shard), self.recorder.header) for shard in by_shard}
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
        shards = [read_cached(self.shard_file(shard), self.recorder.header) for shard in range(SHARDS)]
        return [records if isinstance(records, dict) else {} for records in shards]


def shard_of(name: str) -> int:
    """Which cache file keeps the record of the entry file `name`: one edit rewrites one of them."""
    return hashlib.blake2b(name.encode("utf-8", "surrogateescape"), digest_size=1).digest()[0] % SHARDS


def entry_fingerprint(entry_id: str, file_fingerprint: str) -> str:
    """An entry's key (plan.entry_digests) from its file's fingerprint in the load cache. That one digests
    the file's bytes, not its name, which is the entry's id: two files that swap their contents (or a
    renamed one) keep their digests, so the id goes in too."""
    return f"{entry_id}:{file_fingerprint}"
