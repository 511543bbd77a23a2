"""A rebuild after an edit, in a process that builds again and again (a live preview).

The session keeps its last successful build: the scan of its inputs, what the load gave, the
timeline and the plan of its pages. When the next build's scan differs from that one in entry files
alone, and no edited entry moved on the site (see `placement_key`), the edited files are read and
validated alone and the new entries are put into the last plan, in place of the old ones, instead
of loading every entry and planning every page again. Their records go into the load cache as a
load would put them; everything after the plan (page cache, rendering, writing, stamp) is the
ordinary build.

plan_site reads an entry's other fields only through the entry itself (which the pages' contexts
hold) or its key (which their inputs hold), so the last plan with the edited entries put in is the
plan of the new content: tests/speed/test_session.py compares the two for an edit of every field.
Anything else (a template, the settings, a file added or removed, an edit that makes an error, a
cache folder deleted or a load cache file damaged) is built in full. So is every edit of a site with
language editions: an edition's pages hold its own entries, made from the original and its translation
(editions.py), which putting the edited original in would not remake; an edit of a translation file,
outside content/entries/, is one of the other differences.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..layout import ENTRIES_DIR
from ..load import Loaded, Reading
from ..model import Entry, Problem, Timeline
from ..plan import Change, Page, changes_of, entry_digest
from ..remote import kept_copy
from .entries import EntryCache, entry_fingerprint
from .stamp import Scan, changed_files
from .zones import time_zone


def placement_key(entry: Entry) -> str:
    """What decides where an entry appears and what other pages say of it besides its own fields:
    its order and period (date, id), where the axes and the entry pages' locator draw it (its end date,
    and its status: an ongoing event runs on), the listings it is in (draft, tags, place), its other
    URLs (aliases, whose redirect pages carry its title), the feed's date and the new or updated marks
    (updated), the changes it adds to what changed (corrections), the media copied, and its file
    (problems name it). As a repr, which keys use: == takes
    -0.0 for 0.0."""
    return repr((entry.id, entry.source_path, entry.date, entry.end_date, entry.status, entry.draft, entry.tags,
                 entry.place, entry.aliases, entry.title if entry.aliases else None, entry.updated, entry.corrections,
                 entry.media))


@dataclass
class LastBuild:
    """A successful build with a cache folder (so without errors), as a session keeps it for the next one."""

    scan: Scan  # its inputs, as found before it read them
    loaded: Loaded  # what the load gave (drafts included), before ordering
    timeline: Timeline
    pages: tuple[Page, ...]
    zone_files: dict[str, bytes | None]  # the time zone's rules as read (zones.TimeZone.files)
    entry_keys: dict[str, str]  # each entry's key in the load cache, by id
    # pages_by_key(), once made, and handed on updated by an edited build.
    key_index: dict[str, list[int]] | None = field(default=None, repr=False)

    def pages_by_key(self) -> dict[str, list[int]]:
        """The positions in `pages` of the pages whose inputs hold each entry key: an entry's own page,
        its neighbours', its redirects, and the listings and exports that show it."""
        if self.key_index is None:
            self.key_index = {}
            known = set(self.entry_keys.values())
            for position, page in enumerate(self.pages):
                for value in page.inputs:
                    if value in known:
                        self.key_index.setdefault(value, []).append(position)
        return self.key_index


@dataclass(frozen=True)
class Edited:
    """The last build with the edited entries put in: what the load and the plan of the content now give."""

    loaded: Loaded
    timeline: Timeline
    pages: tuple[Page, ...]
    entry_keys: dict[str, str]
    key_index: dict[str, list[int]]  # LastBuild.pages_by_key() of these pages


@dataclass
class _Reread:
    """The edited files as read again: what replaces what in the last build."""

    entries: dict[int, Entry]  # id() of each old entry -> its new entry
    rekeyed: dict[str, str]  # each old entry's key -> the new one's
    entry_keys: dict[str, str]  # every entry's, by id, as now
    file_problems: dict[str, tuple[Problem, ...]]  # every file's, by name, as now


def edited_build(last: LastBuild, now: Scan, content_dir: Path, cache_dir: Path) -> Edited | None:
    """The last build with the entry files edited since put in; None when the content changed
    otherwise, or an edit moved an entry or made it fail."""
    if not cache_dir.is_dir() or last.timeline.editions:  # a cache deleted is made again by a full build
        return None
    names = _edited_names(last.scan, now, os.path.join(os.path.abspath(content_dir), ENTRIES_DIR))
    if names is None:
        return None
    if len(last.loaded.problems) != len(_problems(last.loaded, last.loaded.file_problems)):
        return None  # problems found across entries, which only a full load finds again
    zone = time_zone(last.timeline.settings.timezone)
    if zone.files != last.zone_files:  # times without an offset read anew: every entry may change
        return None
    reread = _reread(names, last, EntryCache(cache_dir, Reading.of(content_dir, zone.info), zone.rules))
    if reread is None:
        return None
    swaps = reread.entries
    loaded = replace(last.loaded, entries=_swapped(last.loaded.entries, swaps),
                     problems=_problems(last.loaded, reread.file_problems), file_problems=reread.file_problems)
    timeline = replace(last.timeline, entries=_swapped(last.timeline.entries, swaps))
    index = last.pages_by_key()
    pages = _edited_pages(last.pages, index, swaps, reread.rekeyed)
    return Edited(loaded, timeline, pages, reread.entry_keys, _rekeyed_index(index, reread.rekeyed))


def _edited_names(last: Scan, now: Scan, entries_dir: str) -> list[str] | None:
    """The names of the entry files that differ between the two scans; None when anything else differs."""
    differences = changed_files(last, now)
    if differences is None or differences[0]:  # files appeared or gone
        return None
    names = []
    for path in differences[1]:
        folder, name = os.path.split(path)
        if folder != entries_dir:
            return None
        names.append(name)
    return sorted(names)


def _reread(names: list[str], last: LastBuild, cache: EntryCache) -> _Reread | None:
    """Read and validate the files `names` (with their records kept in the load cache); None when one
    has an error or moved its entry, or their load cache files are damaged."""
    old_by_file = {entry.source_path: entry for entry in last.loaded.entries}
    reread = _Reread({}, {}, dict(last.entry_keys), dict(last.loaded.file_problems))
    changes = changes_of(last.timeline)  # the same after edits that leave every entry where it was
    on_pages = {entry.id for entry in last.timeline.entries}
    records = {}
    recorder = cache.recorder
    for name in names:
        identity, loaded = recorder.read(name)
        old, new = old_by_file.get(recorder.reading.path(name)), loaded.entry
        if identity is None or old is None or new is None or old.id not in last.entry_keys:
            return None
        new = kept_copy(old, new)  # its remote image, unchanged, as the last build copied it
        if placement_key(new) != placement_key(old):
            return None
        records[name] = recorder.record(identity, loaded)
        file_key = entry_fingerprint(new.id, records[name].fingerprint)
        new_key = reread.entry_keys[new.id] = entry_digest(new, file_key, changes) if old.id in on_pages else file_key
        reread.rekeyed[last.entry_keys[old.id]] = new_key
        reread.file_problems[name] = loaded.problems
        reread.entries[id(old)] = new
    return reread if cache.keep(records) else None


def _problems(last: Loaded, file_problems: dict[str, tuple[Problem, ...]]) -> tuple[Problem, ...]:
    """The load's problems, each file's as now (in file order). A kept build has none found across
    entries: those are all errors (load.check_uniqueness)."""
    each_file = [problem for problems in file_problems.values() for problem in problems]
    return last.folder_problems + tuple(each_file)


def _swapped(value, swaps: dict[int, Entry]):
    """`value` with each old entry replaced, within tuples and changes (plan_site puts entries in a
    context alone, in tuples, its entries and its groups of them, or as what a Change is about)."""
    if type(value) is tuple:  # items looked up here: the export's and the sitemap's hold every entry
        return tuple([_swapped(item, swaps) if type(item) in (tuple, Change) else swaps.get(id(item), item)
                      for item in value])
    if type(value) is Change:
        return replace(value, entry=swaps.get(id(value.entry), value.entry))
    return swaps.get(id(value), value)


def _edited_pages(pages: tuple[Page, ...], index: dict[str, list[int]], swaps: dict[int, Entry],
                  rekeyed: dict[str, str]) -> tuple[Page, ...]:
    """The plan with the new entries in the contexts, and their keys in the inputs, of the pages whose
    inputs held the old ones."""
    edited = list(pages)
    for position in sorted({position for old in rekeyed for position in index.get(old, ())}):
        page = edited[position]
        context = {key: _swapped(value, swaps) for key, value in page.context.items()}
        inputs = tuple([rekeyed.get(value, value) for value in page.inputs])
        edited[position] = Page(page.path, page.template, context, inputs)
    return tuple(edited)


def _rekeyed_index(index: dict[str, list[int]], rekeyed: dict[str, str]) -> dict[str, list[int]]:
    """The index of pages by key once the edited entries' keys are the new ones."""
    index = dict(index)
    for old, new in rekeyed.items():
        if old != new and old in index:
            index[new] = index.pop(old)
    return index
