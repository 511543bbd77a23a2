"""Everything that makes a build faster and never changes a byte of what it makes, behind one door.

The pipeline (timeline/pipeline.py) holds a build state and asks it, at each step, whether anything
can be reused and how the work is spread; it never reads a cache itself. The states:

    Cold       reuses nothing from an earlier build: the reference every other state must equal
               (tests compare them byte for byte). Spreads the load and the render over worker
               processes when that pays, and keeps the garbage collector out of the way.
    Cached     keeps caches in a cache folder (entries.py, pages.py) and skips a build whose inputs
               and outputs are as its last build left them (stamp.py).
    InSession  what `serve` holds: also keeps its last build in memory, so that a rebuild after an
               edit to entry files alone starts from it (session.py).

Only the stdlib-only parts are imported here: a build with nothing to do must not wait for Jinja,
Markdown or PyYAML.
"""
from __future__ import annotations

import os
from contextlib import AbstractContextManager
from datetime import tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Iterator, Mapping, Protocol
from zoneinfo import ZoneInfo

from ..model import Problem
from . import heap

if TYPE_CHECKING:
    import jinja2

    from ..load import EntryFile, Reading
    from ..model import Timeline
    from ..pipeline import BuildOptions, BuildResult, Planned
    from ..plan import Page
    from ..render import Fragments
    from ..write import Kept, WriteResult
    from .pages import PageCache
    from .session import LastBuild
    from .stamp import Scan, StampFile


class BuildState(Protocol):
    """What a build may reuse, and how it does its work; the pipeline's one door to this package."""

    cache_dir: Path | None

    def afresh(self) -> BuildState: ...
    def problems(self, options: BuildOptions) -> tuple[Problem, ...]: ...
    def building(self) -> AbstractContextManager: ...
    def long_lived(self) -> AbstractContextManager: ...
    def unchanged(self, options: BuildOptions) -> BuildResult | None: ...
    def time_zone(self, key: str) -> tzinfo: ...
    def read_entries(self, reading: Reading, names: list[str]) -> list[EntryFile]: ...
    def replanned(self, options: BuildOptions) -> Planned | None: ...
    def entry_keys(self, timeline: Timeline) -> Mapping[str, str] | None: ...
    def kept_pages(self, options: BuildOptions, pages: tuple[Page, ...]) -> Mapping[str, Kept]: ...
    def fragments(self, options: BuildOptions, timeline: Timeline) -> Fragments: ...
    def render(self, env: jinja2.Environment, pages: tuple[Page, ...]) -> Iterator[tuple[str, bytes]]: ...
    def built(self, options: BuildOptions, planned: Planned, fragments: Fragments, written: WriteResult) -> None: ...


class Cold:
    """A build that reuses nothing: the reference."""

    cache_dir: Path | None = None

    def afresh(self) -> BuildState:
        """A state of the same kind that keeps nothing from this one's builds in memory."""
        return type(self)() if self.cache_dir is None else type(self)(self.cache_dir)

    def problems(self, options: BuildOptions) -> tuple[Problem, ...]:
        return ()

    def building(self) -> AbstractContextManager:
        return heap.unfrozen()

    def long_lived(self) -> AbstractContextManager:
        return heap.long_lived()

    def unchanged(self, options: BuildOptions) -> BuildResult | None:
        return None

    def time_zone(self, key: str) -> tzinfo:
        return ZoneInfo.no_cache(key)  # the rules as installed now, not as this process first read them

    def read_entries(self, reading: Reading, names: list[str]) -> list[EntryFile]:
        from .workers import read_entries

        return read_entries(reading, names)

    def replanned(self, options: BuildOptions) -> Planned | None:
        return None

    def entry_keys(self, timeline: Timeline) -> Mapping[str, str] | None:
        return None

    def kept_pages(self, options: BuildOptions, pages: tuple[Page, ...]) -> Mapping[str, Kept]:
        return {}

    def fragments(self, options: BuildOptions, timeline: Timeline) -> Fragments:
        from ..render import Fragments

        return Fragments()

    def render(self, env: jinja2.Environment, pages: tuple[Page, ...]) -> Iterator[tuple[str, bytes]]:
        from .workers import render

        return render(env, pages)

    def built(self, options: BuildOptions, planned: Planned, fragments: Fragments, written: WriteResult) -> None:
        pass


class Cached(Cold):
    """Builds that keep caches in `cache_dir`: the load cache, the page cache and the no-op stamp."""

    def __init__(self, cache_dir: Path):
        self.cache_dir = cache_dir
        self._scan: Scan | None = None
        self._stamp: StampFile | None = None
        self._zones: dict[str, dict[str, bytes | None]] = {}  # the rules each zone was read with
        self._file_keys: dict[str, str] = {}  # each entry's key in the load cache, by id
        self._entry_keys: dict[str, str] = {}
        self._pages: PageCache | None = None

    def problems(self, options: BuildOptions) -> tuple[Problem, ...]:
        from ..folders import check_not_linked
        from ..layout import user_cache_folder

        # A folder the user named (in a repository, perhaps) is no link, as the other folders are not; the
        # user's own cache folder is the user's to arrange.
        if not Path(os.path.abspath(self.cache_dir)).is_relative_to(user_cache_folder()):
            unusable = check_not_linked(self.cache_dir, "cache")
            if unusable:
                return (Problem(str(self.cache_dir.absolute()), unusable),)
        cache = self.cache_dir.resolve()
        for what, folder in (("output", options.output), ("content", options.content),
                             ("templates", options.templates)):
            if folder is not None and (cache == folder.resolve() or cache.is_relative_to(folder.resolve())):
                return (Problem(str(self.cache_dir.absolute()), f"is inside the {what} folder; keep the cache "
                                "apart (--cache-dir DIR elsewhere, or leave it out for the user's cache folder)"),)
        return ()

    def unchanged(self, options: BuildOptions) -> BuildResult | None:
        from .stamp import StampFile, scan

        with heap.long_lived():  # every file of the inputs and outputs, and in a session much kept besides
            self._scan = scan(options.content, options.templates, _stamped_options(options, self.cache_dir),
                              skip=(self.cache_dir, options.output))
            self._stamp = StampFile(self.cache_dir, options.content, options.output)
            return self._stamp.result_if_unchanged(self._scan)

    def time_zone(self, key: str) -> tzinfo:
        from .zones import time_zone

        zone = time_zone(key)
        self._zones[key] = zone.files
        return zone.info

    def read_entries(self, reading: Reading, names: list[str]) -> list[EntryFile]:
        from .entries import EntryCache, entry_fingerprint
        from .zones import time_zone

        cache = EntryCache(self.cache_dir, reading, time_zone(str(reading.tz)).rules)
        loaded = cache.load(names)
        self._file_keys = {result.entry.id: entry_fingerprint(result.entry.id, fingerprint)
                           for result, fingerprint in zip(loaded, cache.fingerprints)
                           if result.entry is not None and fingerprint is not None}
        return loaded

    def entry_keys(self, timeline: Timeline) -> Mapping[str, str] | None:
        from ..plan import entry_digests

        self._entry_keys = entry_digests(timeline, self._file_keys)
        return self._entry_keys

    def kept_pages(self, options: BuildOptions, pages: tuple[Page, ...]) -> Mapping[str, Kept]:
        from .pages import PageCache

        self._pages = PageCache(self.cache_dir, options.content, options.output, options.templates,
                                self._known_page_keys())
        return self._pages.unchanged(pages)

    def fragments(self, options: BuildOptions, timeline: Timeline) -> Fragments:
        if self._pages is None:  # check --links renders without writing
            from .pages import PageCache

            self._pages = PageCache(self.cache_dir, options.content, options.output or options.content,
                                    options.templates)
        return self._pages.fragments(timeline, self._entry_keys or self.entry_keys(timeline))

    def built(self, options: BuildOptions, planned: Planned, fragments: Fragments, written: WriteResult) -> None:
        from ..layout import LOCK_FILE
        from ..pipeline import BuildResult
        from .stamp import rescanned

        self._pages.save(planned.pages, written, fragments, planned.timeline)
        if self._scan is None:
            return
        after = self._scan
        if options.records_permalinks:
            after = rescanned(after, options.content / LOCK_FILE)  # this build wrote it: as it is now
        summary = BuildResult(planned.problems, None, len(written.fingerprints), entry_count=len(planned.timeline.entries))
        self._stamp.record(after, written.stats, written.fingerprints, summary, self._zones_read(planned))
        self._scan = after

    def _zones_read(self, planned: Planned) -> dict[str, bytes | None]:
        return dict(self._zones.get(planned.timeline.settings.timezone, {}))

    def _known_page_keys(self) -> tuple[str, dict] | None:
        return None


def _stamped_options(options: BuildOptions, cache_dir: Path) -> tuple:
    """What a build is asked to do, as the stamp keys it (the folders by where they are)."""
    return ("build", str(options.output.resolve()), str(options.templates.resolve()), options.drafts,
            options.allow_removed, str(cache_dir.resolve()), options.publish, options.offline)


class InSession(Cached):
    """What a process that builds one site again and again (serve) keeps from one build to the next:
    its last successful build, which a build after edits to entry files alone starts from, and the
    page keys of its last build."""

    def __init__(self, cache_dir: Path):
        super().__init__(cache_dir)
        self.last: LastBuild | None = None
        self.page_keys: tuple[str, dict] | None = None
        self._edited = None

    def replanned(self, options: BuildOptions) -> Planned | None:
        from ..pipeline import Planned, guarded
        from .session import edited_build

        self._edited = None
        if self.last is None or self._scan is None:
            return None
        edited = edited_build(self.last, self._scan, options.content, self.cache_dir)
        if edited is None:
            return None
        guard, timeline = guarded(options, edited.timeline)
        if not guard.ok or timeline.published != self.last.timeline.published:
            return None  # what the pages say of when entries were published changed: planned in full
        self._edited = edited
        self._file_keys = self._entry_keys = edited.entry_keys
        self._zones[edited.timeline.settings.timezone] = self.last.zone_files
        return Planned(edited.loaded, timeline, guard, edited.pages)

    def _known_page_keys(self) -> tuple[str, dict] | None:
        return self.page_keys

    def built(self, options: BuildOptions, planned: Planned, fragments: Fragments, written: WriteResult) -> None:
        from .session import LastBuild

        super().built(options, planned, fragments, written)
        self.page_keys = (self._pages.site_key, self._pages.keys)
        if self._scan is not None:
            index = self._edited.key_index if self._edited is not None else None
            keys = {**self._file_keys, **self._entry_keys}  # drafts left out of the timeline too
            self.last = LastBuild(self._scan, planned.loaded, planned.timeline, planned.pages,
                                  self._zones_read(planned), keys, index)
