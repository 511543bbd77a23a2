"""A rebuild after an edit, in a process that builds again and again (a live preview).

The process keeps its last successful build: the scan of its inputs, what the
load gave, the timeline and the plan of its pages. When the next build's scan
differs from that one in entry files alone, and no edited entry moved on the
site (see `placement`), the edited files are read and validated alone and the
new entries are put into the last plan, in place of the old ones, instead of
loading 10,000 entries and planning every page again. Everything after the
plan (page cache, rendering, writing, stamp) is the ordinary build.

plan_site reads an entry's other fields only through the entry itself (which
the pages' contexts hold) or its fingerprint (which their inputs hold), so the
last plan with the edited entries put in is the plan of the new content:
tests/test_edits.py compares the two for an edit of every field. Anything
else (a template, the settings, a file added or removed, an edit that makes
an error) is built in full.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path

from .cache import EntryCache
from .load import ENTRIES_DIR, Loaded, Reading, is_entry_file_name, load_entry_file, time_zone
from .model import Entry, Problem, Timeline
from .render import Page
from .stamp import Scan, changed


def placement(entry: Entry) -> tuple:
    """What decides where an entry appears and what other pages say of it besides its own fields:
    its order and period (date, id), the listings it is in (draft, tags, place), its other URLs
    (aliases, whose redirect pages carry its title), the feed's date (updated), the media copied,
    and its file (problems name it)."""
    return (entry.id, entry.source_path, entry.date, entry.draft, entry.tags, entry.place, entry.aliases,
            entry.title if entry.aliases else None, entry.updated, entry.media)


@dataclass
class LastBuild:
    """A successful build with a cache folder, as its process keeps it for the next one."""

    scan: Scan  # its inputs, as found before it read them
    loaded: Loaded  # what the load gave (drafts included), before ordering
    timeline: Timeline
    pages: tuple[Page, ...]
    zone_files: dict[str, bytes | None]  # the time zone's rules as read (load.TimeZone.files)
    # The positions in `pages` of the pages whose inputs hold each entry fingerprint, made when first needed.
    pages_by_print: dict[str, list[int]] | None = field(default=None, repr=False)

    def pages_holding(self) -> dict[str, list[int]]:
        """pages_by_print; an entry page holds its neighbours' prints, a listing its entries'."""
        if self.pages_by_print is None:
            self.pages_by_print = {}
            known = set(self.timeline.fingerprints.values())
            for position, page in enumerate(self.pages):
                for value in page.inputs:
                    if value in known:
                        self.pages_by_print.setdefault(value, []).append(position)
        return self.pages_by_print


@dataclass(frozen=True)
class Edited:
    """The last build with the edited entries put in: what the load and the plan of the content now give."""

    loaded: Loaded
    timeline: Timeline
    pages: tuple[Page, ...]
    last: LastBuild  # the build it started from
    renamed: dict[str, str]  # each edited entry's fingerprint before -> now

    def pages_by_print(self) -> dict[str, list[int]] | None:
        """LastBuild.pages_by_print of the build this one makes, from the last one's."""
        index = self.last.pages_by_print
        if index is None:
            return None
        index = dict(index)
        for old, new in self.renamed.items():
            if old != new and old in index:
                index[new] = index.pop(old)
        return index


_last: LastBuild | None = None


def remember(build: LastBuild | None) -> None:
    global _last
    _last = build


def edited_build(now: Scan, content_dir: Path, cache_dir: Path) -> Edited | None:
    """The last build of this process with the entry files edited since put in; None when the content
    changed otherwise, or an edit moved an entry or made it fail."""
    last = _last
    if last is None:
        return None
    names = _edited_names(last.scan, now, os.path.join(os.path.abspath(content_dir), ENTRIES_DIR))
    if names is None:
        return None
    zone = time_zone(last.timeline.settings.timezone)
    if zone.files != last.zone_files:  # times without an offset read anew: every entry may change
        return None
    reading = Reading.of(content_dir, zone.info)
    context = (str(zone.info), zone.rules, reading.shown)  # as load_entry_files gives it to the load cache
    recorder = EntryCache(cache_dir, content_dir, reading.media_dir, context).recorder
    reading = replace(reading, recorder=recorder)
    old_by_file = {entry.source_path: entry for entry in last.loaded.entries}
    fingerprints = dict(last.loaded.fingerprints)
    file_problems = dict(last.loaded.file_problems)
    # Problems found across entries hold a line of the file they name: one that names an edited file
    # may have moved with the edit.
    crossed = {problem.file for problem in last.loaded.cross_problems}
    swaps: dict[int, Entry] = {}  # id() of each old entry -> its new entry
    renamed: dict[str, str] = {}
    for name in names:
        identity, loaded = load_entry_file(name, reading)
        shown = reading.shown_path(name)
        old, new = old_by_file.get(shown), loaded.entry
        if identity is None or old is None or new is None or old.id not in fingerprints or shown in crossed:
            return None
        if placement(new) != placement(old):
            return None
        renamed[fingerprints[old.id]] = fingerprints[new.id] = f"{new.id}:{recorder.record(identity, loaded).fingerprint}"
        file_problems[shown] = loaded.problems
        swaps[id(old)] = new
    loaded = replace(last.loaded, entries=_swapped(last.loaded.entries, swaps), fingerprints=fingerprints,
                     problems=_problems(last.loaded, file_problems), file_problems=file_problems)
    timeline = replace(last.timeline, entries=_swapped(last.timeline.entries, swaps),
                       fingerprints=fingerprints)
    return Edited(loaded, timeline, _edited_pages(last, swaps, renamed), last, renamed)


def _edited_names(last: Scan, now: Scan, entries_dir: str) -> list[str] | None:
    """The names of the entry files that differ between the two scans; None when anything else differs."""
    if now.key != last.key or now.files.keys() != last.files.keys():
        return None
    names = []
    for path, record in now.files.items():
        before = last.files[path]
        if record == before or not changed(path, before, record):
            continue
        folder, name = os.path.split(path)
        if folder != entries_dir or not is_entry_file_name(name):
            return None
        names.append(name)
    return sorted(names)


def _problems(last: Loaded, file_problems: dict[str, tuple[Problem, ...]]) -> tuple[Problem, ...]:
    """The load's problems with each file's as now: the settings' and the folder's (which come first
    and did not change), each file's in file order, those found across entries."""
    first = len(last.problems) - len(last.cross_problems) - sum(map(len, last.file_problems.values()))
    each_file = [problem for problems in file_problems.values() for problem in problems]
    return last.problems[:first] + tuple(each_file) + last.cross_problems


def _swapped(value, swaps: dict[int, Entry]):
    """`value` with each old entry replaced, within tuples (a context's entries, its groups of them)."""
    if type(value) is tuple:  # items looked up here: the export's and the sitemap's hold 10,000 entries
        return tuple([_swapped(item, swaps) if type(item) is tuple else swaps.get(id(item), item) for item in value])
    return swaps.get(id(value), value)


def _edited_pages(last: LastBuild, swaps: dict[int, Entry], renamed: dict[str, str]) -> tuple[Page, ...]:
    """The last plan with the new entries in the contexts, and their fingerprints in the inputs, of the
    pages whose inputs held the old ones."""
    by_print = last.pages_holding()
    pages = list(last.pages)
    for position in sorted({position for old in renamed for position in by_print.get(old, ())}):
        page = pages[position]
        context = {key: _swapped(value, swaps) for key, value in page.context.items()}
        inputs = tuple([renamed.get(value, value) for value in page.inputs])
        pages[position] = Page(page.path, page.template, context, inputs)
    return tuple(pages)
