"""Time zones as a process reads them again and again, with the files their rules come from.

Times written without an offset are read in the timeline's time zone, so what a cached entry says
depends on the zone's rules as installed (a tzdata update changes local times' offsets): the load
cache and the stamp are keyed on the digests of those files. zoneinfo keeps a zone it has read for
the life of the process: a preview server would go on with the rules it read first, and cache what
they give under the new files' digest. A zone whose files changed since this process read them is
read again.
"""
from __future__ import annotations

import os
import zoneinfo
from importlib import resources
from typing import NamedTuple
from zoneinfo import ZoneInfo

from .store import read_digest


class TimeZone(NamedTuple):
    """A time zone as this process reads it, and where its rules come from."""

    info: ZoneInfo
    # Each file zoneinfo looks for it in, in order, up to the one it reads: path -> digest of the
    # bytes (None: no file there).
    files: dict[str, bytes | None]

    @property
    def rules(self) -> bytes | None:
        """The digest of the file read; None for a zone zoneinfo knows without one."""
        return next((digest for digest in self.files.values() if digest is not None), None)


_zones_read: dict[str, TimeZone] = {}  # by key: the rules this process reads each zone with


def time_zone(key: str) -> TimeZone:
    """The zone named `key` with the rules now installed. Its files are read first: should one change
    in between, the rules read are newer than the digest kept, and are read again at the next build."""
    files = zone_files(key)
    known = _zones_read.get(key)
    if known is None or known.files != files:
        ZoneInfo.clear_cache(only_keys=[key])
        known = _zones_read[key] = TimeZone(ZoneInfo(key), files)
    return known


def zone_files(key: str) -> dict[str, bytes | None]:
    """The files zoneinfo looks for the zone `key` in, as it does: each folder of zoneinfo.TZPATH, then
    the tzdata package; with their digests, up to the first that exists."""
    files: dict[str, bytes | None] = {}
    for folder in zoneinfo.TZPATH:
        path = os.path.join(folder, key)
        files[path] = read_digest(path)
        if files[path] is not None:
            return files
    *folders, name = key.split("/")
    try:
        path = str(resources.files(".".join(["tzdata.zoneinfo", *folders])).joinpath(name))
    except (ImportError, ValueError):  # no tzdata package, or no such folder in it
        return files
    files[path] = read_digest(path)
    return files

