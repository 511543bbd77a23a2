"""Load stage: read content/timeline.yaml and every content/entries/*.yaml.

Each file is read and validated on its own; the checks that need all the
entries at once (ids and aliases claimed twice, tags spelled two ways) run
last. All problems of all files are returned together.
"""
from __future__ import annotations

import gc
import os
import zoneinfo
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import tzinfo
from importlib import resources
from pathlib import Path
from typing import Callable, Iterator, NamedTuple, TypeVar
from zoneinfo import ZoneInfo

from .speed.store import SHARDS, EntryCache, Identity, Pack, Recorder, file_digest, unpickled_fast
from .layout import ENTRIES_DIR, MEDIA_DIR, SETTINGS_FILE, is_entry_file_name
from .model import Entry, Problem, Settings, Tag
from .fields import ID_PATTERN
from .validate import Report, slugify, validate_entry, validate_settings
from .speed.workers import fork_pool, fork_workers
from .yamlfile import Mapping, Node, Scalar, YamlError, parse_yaml, read_source, read_yaml

# Worker processes pay from a few hundred files; measured on 2 cores, serial against parallel:
# 500 files 0.14 / 0.11 s, 1,000 files 0.28 / 0.19 s, 10,000 files 2.9 / 1.8 s.
PARALLEL_FROM = 1000
# Files are parsed in this many batches (as many as the load cache has files, whose batches they are):
# enough for two to four workers to end together.
BATCHES = SHARDS

Result = TypeVar("Result")


@dataclass(frozen=True)
class Loaded:
    settings: Settings | None
    entries: tuple[Entry, ...]
    problems: tuple[Problem, ...]
    # Each entry's source fingerprint, where the load cache knows it (see model.Timeline).
    fingerprints: dict[str, str] = field(default_factory=dict, compare=False, repr=False)  # by entry id
    # `problems` are the settings' and the folder's, then each entry file's, then those found across
    # entries: the first two as well apart, for a rebuild that reads a few entry files again (edits.py).
    folder_problems: tuple[Problem, ...] = field(default=(), compare=False, repr=False)
    file_problems: dict[str, tuple[Problem, ...]] = field(default_factory=dict, compare=False, repr=False)  # by name

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.severity == "error")


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
    """The zone named `key` with the rules now installed (a tzdata update changes local times' offsets).

    zoneinfo keeps a zone it has read for the life of the process: a preview server would go on with
    the rules it read first, and cache what they give under the new files' digest. A zone whose files
    changed since this process read them is read again. Its files are read first: should one change
    in between, the rules read are newer than the digest kept, and are read again at the next build.
    """
    files = _zone_files(key)
    known = _zones_read.get(key)
    if known is None or known.files != files:
        ZoneInfo.clear_cache(only_keys=[key])
        known = _zones_read[key] = TimeZone(ZoneInfo(key), files)
    return known


def zone_files_read(key: str) -> dict[str, bytes | None]:
    """TimeZone.files of the zone `key` as this process last read it."""
    known = _zones_read.get(key)
    return dict(known.files) if known else {}


def _zone_files(key: str) -> dict[str, bytes | None]:
    """The files zoneinfo looks for the zone `key` in, as it does: each folder of zoneinfo.TZPATH, then
    the tzdata package; with their digests, up to the first that exists."""
    files: dict[str, bytes | None] = {}
    for folder in zoneinfo.TZPATH:
        path = os.path.join(folder, key)
        files[path] = file_digest(path)
        if files[path] is not None:
            return files
    *folders, name = key.split("/")
    try:
        path = str(resources.files(".".join(["tzdata.zoneinfo", *folders])).joinpath(name))
    except ImportError:  # no tzdata package, or no such folder in it
        return files
    files[path] = file_digest(path)
    return files


class EntryFile(NamedTuple):
    """What reading one entry file gives; the unit the load cache keeps."""

    entry: Entry | None  # None when the file has errors
    problems: tuple[Problem, ...]

    def __reduce__(self):
        return unpickled_fast(self)


@dataclass(frozen=True)
class Reading:
    """How the entry files of one load are read; what a worker process is given with each batch of names."""

    folder: str
    shown: str  # the folder as display_path shows it
    tz: tzinfo  # for times written without an offset
    media_dir: Path
    recorder: Recorder | None = None  # for the load cache: identifies each file as it is read

    @classmethod
    def of(cls, content_dir: Path, tz: tzinfo) -> Reading:
        folder = content_dir / ENTRIES_DIR
        return cls(str(folder), display_path(folder), tz, content_dir / MEDIA_DIR)

    def shown_path(self, name: str) -> str:
        """display_path of the file `name` in the folder, without its cost (0.01 ms, 10,000 times)."""
        return name if self.shown == os.curdir else os.path.join(self.shown, name)


def display_path(path: Path) -> str:
    """The path as an editor would type it: relative to the working folder when inside it."""
    absolute, here = os.path.abspath(path), os.path.abspath(os.curdir)
    if os.path.commonpath([absolute, here]) == here:
        return os.path.relpath(absolute, here)
    return absolute


def load_settings(content_dir: Path) -> tuple[Settings | None, list[Problem]]:
    path = content_dir / SETTINGS_FILE
    report = Report(display_path(path))
    if not path.is_file():
        report.error(None, "", f"the site settings file is missing; create {display_path(path)} "
                     "with at least title, base_url and timezone")
        return None, report.problems
    root = _read(report, path, "the settings file is empty; it needs at least title, base_url and timezone")
    settings = validate_settings(report, root) if root is not None else None
    return settings, report.problems


def entry_files(content_dir: Path) -> list[Path]:
    folder = content_dir / ENTRIES_DIR
    return [folder / name for name in _scan_entries(folder)[0]]


def _scan_entries(folder: Path) -> tuple[list[str], bool]:
    """The names of the entry files in `folder`, sorted, and whether it has subfolders (hidden ones aside).

    Names, not Paths, from one scandir, which tells files from folders without a stat each:
    Path.iterdir, is_file and a glob for misplaced files took 0.06 s over 10,000 files.
    """
    if not folder.is_dir():
        return [], False
    names, subfolders = [], False
    with os.scandir(folder) as found:
        for item in found:
            if is_entry_file_name(item.name) and item.is_file():
                names.append(item.name)
            elif not item.name.startswith(".") and item.is_dir():
                subfolders = True
    return sorted(names), subfolders


def _misplaced_entry_files(folder: Path) -> list[Problem]:
    """YAML files in subfolders of entries/ would silently not be published: say so."""
    return [Problem(display_path(path), f"is not directly in {display_path(folder)}/, so it would not be "
                    f"published; move it there (the file name alone is the entry's URL)")
            for path in sorted(folder.glob("*/**/*")) if is_entry_file_name(path.name) and path.is_file()
            and not any(part.startswith(".") for part in path.relative_to(folder).parts)]


def load_entry_file(name: str, reading: Reading) -> tuple[Identity | None, EntryFile]:
    """The file's EntryFile, and the Identity of the bytes it was made from (with a recorder, when readable)."""
    report = Report(reading.shown_path(name))
    entry_id = os.path.splitext(name)[0]
    if not ID_PATTERN.fullmatch(entry_id):
        report.error(None, "", f'the file name "{name}" is not a valid id: use lowercase letters, digits '
                     f'and single hyphens, as in zaranj-falls.yaml (rename it to {_suggest_id(entry_id)}.yaml)')
    identity = root = None
    try:
        data, stat = read_source(os.path.join(reading.folder, name))
        identity = reading.recorder.identify(data, stat) if reading.recorder else None
        root = parse_yaml(data)
    except YamlError as err:
        report.problems.append(Problem(report.file, err.message, line=err.line, column=err.column))
    else:
        if root is None:
            report.error(None, "", "the file is empty; an entry needs at least title, date and sources")
    entry = None
    if root is not None:
        if identity is not None and isinstance(root, Mapping) and "media" in root.by_key:
            identity = reading.recorder.naming_media(identity)  # validation checks the media folder
        entry = validate_entry(report, entry_id, root, reading.tz, reading.media_dir)
    # Top to bottom, as the editor reads the file; problems about the whole file first.
    problems = sorted(report.problems, key=lambda p: (p.line or 0, p.column or 0))
    return identity, EntryFile(None if report.failed else entry, tuple(problems))


def _list_marks(root: Node | None) -> dict[tuple[str, str], tuple[int, int]]:
    """(field, text) -> (line, column) of each alias and tag, and of the place's name (field "place")."""
    marks: dict[tuple[str, str], tuple[int, int]] = {}
    if isinstance(root, Mapping):
        for name in ("aliases", "tags"):
            for item in getattr(root.get(name), "items", ()):
                if isinstance(item, Scalar):
                    marks.setdefault((name, item.text.strip()), (item.line, item.column))
        name = getattr(root.get("place"), "by_key", {}).get("name")
        if isinstance(name, Scalar):
            marks[("place", name.text.strip())] = (name.line, name.column)
    return marks


def _suggest_id(stem: str) -> str:
    return slugify(stem) or "my-entry"


def _read(report: Report, path: Path, if_empty: str) -> Node | None:
    try:
        root = read_yaml(path)
    except YamlError as err:
        report.problems.append(Problem(report.file, err.message, line=err.line, column=err.column))
        return None
    if root is None:
        report.error(None, "", if_empty)
    return root


def check_uniqueness(entries: list[Entry]) -> list[Problem]:
    """Ids and aliases name URLs, so no two entries may claim the same one; tags must be spelled one way,
    and so must places, and one place page must not stand for two places."""
    problems = []
    claimed: dict[str, Entry] = {}
    for entry in entries:
        first = claimed.setdefault(entry.id, entry)
        if first is not entry:
            problems.append(Problem(entry.source_path, f'the id "{entry.id}" is already taken by '
                                    f"{first.source_path}; rename one of the files"))
    spelling_problems = []
    firsts: dict[str, tuple[Tag, Entry]] = {}  # the first spelling of each tag slug, and who wrote it
    places = _Places()
    for entry in entries:  # one pass for aliases, tags and places: 10,000 entries take a few ms each time
        for index, alias in enumerate(entry.aliases, 1):
            owner = claimed.get(alias)
            if owner is not None and owner is not entry:
                what = "the id" if owner.id == alias else "an alias"
                problems.append(_at(entry, "aliases", alias, Problem(
                    entry.source_path, f'"{alias}" is already {what} of {owner.source_path}; '
                    "a URL can lead to one entry only, so remove it here or there", field=f"aliases[{index}]")))
            else:
                claimed[alias] = entry
        for index, tag in enumerate(entry.tags, 1):
            first = firsts.get(tag.slug)
            if first is None:
                firsts[tag.slug] = (tag, entry)
            elif first[0] is not tag and first[0].label != tag.label:  # one Tag per spelling, mostly
                spelling_problems.append(_at(entry, "tags", tag.label, Problem(
                    entry.source_path, f'"{tag.label}" and "{first[0].label}" ({first[1].source_path}) share '
                    f'the URL slug "{tag.slug}"; spell the tag one way', field=f"tags[{index}]")))
        if entry.place is not None:
            message = places.conflict(entry)
            if message is not None:
                spelling_problems.append(_at(entry, "place", entry.place.name, Problem(
                    entry.source_path, message, field="place.name")))
    problems += spelling_problems
    return problems


class _Places:
    """The places seen so far, by URL slug: the first spelling of each, and the first region and country
    given with it, each with the entry that gave it."""

    def __init__(self) -> None:
        self.names: dict[str, tuple[str, Entry]] = {}
        self.parts: dict[tuple[str, str], tuple[str, Entry]] = {}  # (slug, "region" or "country") -> value

    def conflict(self, entry: Entry) -> str | None:
        """Why the entry's place cannot share its page with the places seen before, if it cannot.

        A place written with less detail (no region) is the same place; coordinates may differ.
        """
        place = entry.place
        first = self.names.setdefault(place.slug, (place.name, entry))
        if first[0] != place.name:
            return (f'"{place.name}" and "{first[0]}" ({first[1].source_path}) share the URL slug '
                    f'"{place.slug}", so they would be one place page; spell the place one way, or name '
                    "them apart if they are two places")
        for part in ("region", "country"):
            value = getattr(place, part)
            if value is None:
                continue
            known = self.parts.setdefault((place.slug, part), (value, entry))
            if known[0] != value:
                return (f'"{place.name}" is in the {part} "{value}" here but "{known[0]}" in '
                        f"{known[1].source_path}, and one name makes one place page (places/{place.slug}/); "
                        f"if it is one place, write its {part} the same way in both; if two, tell them apart by "
                        f'name, as in "{place.name}, {known[0]}" and "{place.name}, {value}"')
        return None


def _at(entry: Entry, field: str, text: str, problem: Problem) -> Problem:
    """The problem, placed on the line where `text` is written in the list `field` of the entry's file.

    The file is read again: such problems are rare, and keeping the line of every list item of every
    entry for them made up a fifth of what the load cache and the worker processes pickle.
    """
    try:
        mark = _list_marks(read_yaml(Path(entry.source_path))).get((field, text))
    except YamlError:  # changed since it was loaded: the problem without its line
        mark = None
    return replace(problem, line=mark[0], column=mark[1]) if mark else problem


def load_entry_files(reading: Reading, names: list[str], content_dir: Path, cache_dir: Path | None,
                     zone_rules: bytes | None) -> tuple[list[EntryFile], list[str | None]]:
    """Each file's EntryFile: from the cache in `cache_dir` while the file is unchanged, else parsed;
    and its source fingerprint where the cache knows it. `zone_rules`: TimeZone.rules of reading.tz."""
    if cache_dir is None:
        return parse_entry_files(reading, names), [None] * len(names)
    cache = entry_cache(reading, content_dir, cache_dir, zone_rules)
    loaded = cache.load(Path(reading.folder), names, lambda batches, recorder: _in_workers(
        _load_pack, batches, replace(reading, recorder=recorder)))
    return loaded, cache.fingerprints


def entry_cache(reading: Reading, content_dir: Path, cache_dir: Path, zone_rules: bytes | None) -> EntryCache:
    """The load cache of the files `reading` reads: what they give depends on the time zone and its
    rules, and on how their paths are shown."""
    return EntryCache(cache_dir, content_dir, reading.media_dir, (str(reading.tz), zone_rules, reading.shown))


def parse_entry_files(reading: Reading, names: list[str]) -> list[EntryFile]:
    """Read and validate each file, spread over worker processes when there are many."""
    size = -(-len(names) // BATCHES) or 1
    batches = [names[start:start + size] for start in range(0, len(names), size)]
    loaded: dict[str, EntryFile] = {}
    for pack in _in_workers(_load_batch, batches, reading):
        loaded.update(pack.unkept)
    return [loaded[name] for name in names]


def _load_batch(names: list[str], reading: Reading) -> Pack:
    """The files' EntryFiles, as a Pack: from a worker process, they come as the load cache pickles them."""
    return Pack({}, {name: load_entry_file(name, reading)[1] for name in names})


def _load_pack(names: list[str], reading: Reading) -> Pack:
    """The records of the files for the load cache (from a worker process, they come pickled: see Pack)."""
    return reading.recorder.pack((name, *load_entry_file(name, reading)) for name in names)


def _in_workers(load_batch: Callable[[list[str], Reading], Result], batches: list[list[str]],
                reading: Reading) -> list[Result]:
    """load_batch of each batch of file names, in worker processes when there are many files."""
    workers = fork_workers(sum(map(len, batches)), PARALLEL_FROM)
    if workers < 2:
        return [load_batch(batch, reading) for batch in batches]
    with fork_pool(workers) as pool:
        return list(pool.map(load_batch, batches, [reading] * len(batches)))


@contextmanager
def _collector_paused() -> Iterator[None]:
    # Parsing or unpickling thousands of entries creates millions of objects and no garbage cycles
    # worth collecting; the cyclic collector would scan them over and over (a third of the time).
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def entry_fingerprint(entry: Entry, file_fingerprint: str) -> str:
    """An entry's fingerprint (model.Timeline) from its file's in the load cache. That one digests the
    file's bytes, not its name, which is the entry's id: two files that swap their contents (or a
    renamed one) keep their digests, so the id goes in too."""
    return f"{entry.id}:{file_fingerprint}"


def load_content(content_dir: Path, cache_dir: Path | None = None) -> Loaded:
    """Read the settings and every entry; entries with errors are left out and their problems returned.

    With a `cache_dir`, entry files unchanged since a previous load are not read again.
    """
    if not content_dir.is_dir():
        problem = Problem(display_path(content_dir), "is not a folder; pass --content DIR with the folder "
                          "that holds timeline.yaml and entries/")
        return Loaded(None, (), (problem,))
    settings, problems = load_settings(content_dir)
    # Entries are checked even when the settings are broken: one run reports everything.
    zone = time_zone(settings.timezone if settings else "UTC")
    reading = Reading.of(content_dir, zone.info)
    names, subfolders = _scan_entries(content_dir / ENTRIES_DIR)
    if subfolders:
        problems.extend(_misplaced_entry_files(content_dir / ENTRIES_DIR))
    if not names:
        problems.append(Problem(display_path(content_dir / ENTRIES_DIR),
                                "no entries found; add YAML files here (python build.py new \"Title\")"))
    folder_problems = tuple(problems)
    entries = []
    fingerprints: dict[str, str] = {}
    file_problems: dict[str, tuple[Problem, ...]] = {}
    with _collector_paused():
        loaded_files, prints = load_entry_files(reading, names, content_dir, cache_dir, zone.rules)
    for name, loaded, fingerprint in zip(names, loaded_files, prints):
        problems.extend(loaded.problems)
        file_problems[name] = loaded.problems
        if loaded.entry is not None:
            entries.append(loaded.entry)
            if fingerprint is not None:
                fingerprints[loaded.entry.id] = entry_fingerprint(loaded.entry, fingerprint)
    problems.extend(check_uniqueness(entries))
    return Loaded(settings, tuple(entries), tuple(problems), fingerprints, folder_problems, file_problems)
