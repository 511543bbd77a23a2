"""Load stage: read content/timeline.yaml and every content/entries/*.yaml.

Each file is read and validated on its own (parse_entry: bytes in, an entry and its problems
out, nothing else); the checks that need all the entries at once (ids and aliases claimed twice,
tags spelled two ways) run last. All problems of all files are returned together.

How the entry files are read is the caller's choice (`read`): one after the other here, or by a
build state that takes unchanged files from its cache or spreads the work over processes.
Whatever it does, each file's EntryFile is what parse_entry makes of its bytes.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from datetime import tzinfo
from pathlib import Path
from typing import Callable, NamedTuple
from zoneinfo import ZoneInfo

from .folders import FILE, FOLDER, LINK, Refused, check_folder, listing, read_regular, refusal, walk
from .fields import MAX_TIMELINES
from .layout import (ABOUT_FILE, ENTRIES_DIR, MEDIA_DIR, SETTINGS_FILE, TIMELINES_DIR, TRANSLATIONS_DIR, display_path,
                     is_entry_file_name, is_passed_over)
from .model import Edition, Entry, Problem, Selection, Settings, Tag
from .validate import (Pool, Report, body_text, file_name_problem, validate_edition, validate_entry, validate_selection,
                       validate_settings, validate_translation)
from .yamlfile import MAX_FILE_BYTES, Mapping, Node, Scalar, YamlError, parse_yaml


@dataclass(frozen=True)
class Loaded:
    settings: Settings | None
    entries: tuple[Entry, ...]
    problems: tuple[Problem, ...]
    # `problems` are the settings' and the folder's, then each entry file's, then those found across
    # entries: the first two also apart, and each file's by its name.
    folder_problems: tuple[Problem, ...] = field(default=(), compare=False, repr=False)
    file_problems: dict[str, tuple[Problem, ...]] = field(default_factory=dict, compare=False, repr=False)
    about: str | None = None  # content/about.md, in Markdown
    selections: tuple[Selection, ...] = ()  # content/timelines/*.yaml, by file name
    editions: tuple[Edition, ...] = ()  # content/translations/<language>/, in the order of settings.translations

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.severity == "error")


class EntryFile(NamedTuple):
    """What reading one entry file gives."""

    entry: Entry | None  # None when the file has errors
    problems: tuple[Problem, ...]
    # Whether the file has a media field: what validation makes of it depends on the media folder too.
    names_media: bool = False


@dataclass(frozen=True)
class Reading:
    """How the entry files of one load are read: the folder, the time zone of times written without an
    offset, the media folder that validation checks images in."""

    folder: str  # absolute
    tz: tzinfo
    media_dir: Path

    @classmethod
    def of(cls, content_dir: Path, tz: tzinfo) -> Reading:
        return cls(os.path.join(os.path.abspath(content_dir), ENTRIES_DIR), tz, content_dir / MEDIA_DIR)

    def path(self, name: str) -> str:
        return os.path.join(self.folder, name)


EntryReader = Callable[[Reading, list[str]], list[EntryFile]]
ZoneReader = Callable[[str], tzinfo]


def read_entry_files(reading: Reading, names: list[str]) -> list[EntryFile]:
    """Each file's EntryFile, one after the other."""
    return [load_entry_file(name, reading) for name in names]


def load_entry_file(name: str, reading: Reading) -> EntryFile:
    try:
        data = read_regular(reading.path(name), MAX_FILE_BYTES)[0]
    except Refused as err:
        return EntryFile(None, (Problem(reading.path(name), str(err)),))
    return parse_entry(name, data, reading)


def parse_entry(name: str, data: bytes, reading: Reading) -> EntryFile:
    """What the bytes of the entry file `name` give: the entry (None when it has errors) and the problems."""
    report = Report(reading.path(name))
    entry_id = os.path.splitext(name)[0]
    misnamed = file_name_problem(name)
    if misnamed:
        report.error(None, "", misnamed)
    root = None
    try:
        root = parse_yaml(data)
    except YamlError as err:
        report.problems.append(Problem(report.file, err.message, line=err.line, column=err.column))
    else:
        if root is None:
            report.error(None, "", "the file is empty; an entry needs at least title, date and sources")
    entry = None
    if root is not None:
        entry = validate_entry(report, entry_id, root, reading.tz, reading.media_dir)
    # Top to bottom, as the editor reads the file; problems about the whole file first.
    problems = sorted(report.problems, key=lambda p: (p.line or 0, p.column or 0))
    # As parsed: YAML can spell the key without the letters "media" in a row.
    names_media = isinstance(root, Mapping) and "media" in root.by_key
    return EntryFile(None if report.failed else entry, tuple(problems), names_media)


def load_settings(content_dir: Path) -> tuple[Settings | None, list[Problem]]:
    path = content_dir / SETTINGS_FILE
    report = Report(str(path.absolute()))
    if not path.exists() and not path.is_symlink():
        report.error(None, "", f"the site settings file is missing; create {display_path(path)} "
                     "with at least title, base_url and timezone")
        return None, report.problems
    root = _read(report, path, "the settings file is empty; it needs at least title, base_url and timezone")
    settings = validate_settings(report, root) if root is not None else None
    return settings, report.problems


def entry_files(content_dir: Path) -> list[Path]:
    folder = content_dir / ENTRIES_DIR
    return [folder / name for name in scan_entries(folder)[0]]


def scan_entries(folder: Path, kind: str = "entry") -> tuple[list[str], list[Problem]]:
    """The names of the YAML files in `folder` (entries/, or timelines/ with `kind` "timeline"), sorted,
    and a problem for everything else in it that is not hidden: a YAML file that is a link, a pipe or a
    folder is refused, other files are not entries."""
    if os.path.islink(folder):  # never listed: it would list a folder elsewhere
        return [], [Problem(str(folder.absolute()), f"{refusal(str(folder), LINK, 'folder')}; no {kind} is published")]
    try:
        items = listing(str(folder))
    except FileNotFoundError:
        return [], []
    except OSError as err:
        return [], [Problem(str(folder.absolute()), f"cannot read the folder: {err.strerror or err}")]
    names, problems, subfolders = [], [], False
    for item in items:
        if is_passed_over(item.name):
            continue
        if item.kind == FILE and is_entry_file_name(item.name):
            names.append(item.name)
        elif item.kind == FOLDER:
            subfolders = True
            if is_entry_file_name(item.name):  # named as an entry: never passed over in silence
                problems.append(Problem(item.path, f"{refusal(item.path, FOLDER)}; it is not published"))
        elif is_entry_file_name(item.name):
            problems.append(Problem(item.path, f"{refusal(item.path, item.kind)}; it is not published"))
        else:
            problems.append(Problem(item.path, f"is not {'an' if kind == 'entry' else 'a'} {kind} ({kind} files "
                                    f"end in .yaml), so it is not published; move it out of the "
                                    f"{display_path(folder)} folder", severity="warning"))
    if subfolders:
        problems.extend(_misplaced_entry_files(folder, kind))
    return names, problems


def _misplaced_entry_files(folder: Path, kind: str) -> list[Problem]:
    """YAML files in subfolders of entries/ would silently not be published: say so (links are not entered)."""
    return [Problem(item.path, f"is not directly in {display_path(folder)}/, so it would not be published; "
                    f"move it there (the file name alone is the {kind}'s URL)")
            for item in walk(str(folder)) if item.kind != FOLDER and is_entry_file_name(item.name)
            and os.path.dirname(item.path) != str(folder)]


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


def _read(report: Report, path: Path, if_empty: str) -> Node | None:
    try:
        root = parse_yaml(read_regular(str(path), MAX_FILE_BYTES)[0])
    except Refused as err:
        report.error(None, "", str(err))
        return None
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
                                    f"{display_path(first.source_path)}; rename one of the files"))
    spelling_problems = []
    firsts: dict[str, tuple[Tag, Entry]] = {}  # the first spelling of each tag slug, and who wrote it
    places = _Places()
    for entry in entries:  # one pass for aliases, tags and places: 10,000 entries take a few ms each time
        for index, alias in enumerate(entry.aliases, 1):
            owner = claimed.get(alias)
            if owner is not None and owner is not entry:
                what = "the id" if owner.id == alias else "an alias"
                problems.append(_at(entry, "aliases", alias, Problem(
                    entry.source_path, f'"{alias}" is already {what} of {display_path(owner.source_path)}; '
                    "a URL can lead to one entry only, so remove it here or there", field=f"aliases[{index}]")))
            else:
                claimed[alias] = entry
        for index, tag in enumerate(entry.tags, 1):
            first = firsts.get(tag.slug)
            if first is None:
                firsts[tag.slug] = (tag, entry)
            elif first[0] is not tag and first[0].label != tag.label:  # one Tag per spelling, mostly
                spelling_problems.append(_at(entry, "tags", tag.label, Problem(
                    entry.source_path, f'"{tag.label}" and "{first[0].label}" ({display_path(first[1].source_path)}) '
                    f'share the URL slug "{tag.slug}"; spell the tag one way', field=f"tags[{index}]")))
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
            return (f'"{place.name}" and "{first[0]}" ({display_path(first[1].source_path)}) share the URL slug '
                    f'"{place.slug}", so they would be one place page; spell the place one way, or name '
                    "them apart if they are two places")
        for part in ("region", "country"):
            value = getattr(place, part)
            if value is None:
                continue
            known = self.parts.setdefault((place.slug, part), (value, entry))
            if known[0] != value:
                return (f'"{place.name}" is in the {part} "{value}" here but "{known[0]}" in '
                        f"{display_path(known[1].source_path)}, and one name makes one place page (places/{place.slug}/); "
                        f"if it is one place, write its {part} the same way in both; if two, tell them apart by "
                        f'name, as in "{place.name}, {known[0]}" and "{place.name}, {value}"')
        return None


def _at(entry: Entry, field: str, text: str, problem: Problem) -> Problem:
    """The problem, placed on the line where `text` is written in the list `field` of the entry's file.

    The file is read again: such problems are rare, and keeping the line of every list item of every
    entry for them would make every load carry them.
    """
    try:
        mark = _list_marks(parse_yaml(read_regular(entry.source_path, MAX_FILE_BYTES)[0])).get((field, text))
    except (Refused, YamlError):  # changed since it was loaded: the problem without its line
        mark = None
    return replace(problem, line=mark[0], column=mark[1]) if mark else problem


def load_content(content_dir: Path, read: EntryReader = read_entry_files,
                 time_zone: ZoneReader = ZoneInfo.no_cache) -> Loaded:
    """Read the settings and every entry; entries with errors are left out and their problems returned.

    `read` reads the entry files (read_entry_files, or a build state's reader); `time_zone` gives the
    zone of times written without an offset, by name, with its rules as now installed.
    """
    unusable = check_folder(content_dir, "content")
    if unusable or not content_dir.is_dir():
        problem = Problem(str(content_dir.absolute()), unusable or "is not a folder; pass --content DIR with "
                          "the folder that holds timeline.yaml and entries/")
        return Loaded(None, (), (problem,))
    settings, problems = load_settings(content_dir)
    about = load_about(content_dir, problems)
    # Entries are checked even when the settings are broken: one run reports everything.
    reading = Reading.of(content_dir, time_zone(settings.timezone if settings else "UTC"))
    names, found = scan_entries(content_dir / ENTRIES_DIR)
    problems.extend(found)
    if not names and not any(problem.severity == "error" for problem in found):  # else they say why
        problems.append(Problem(str((content_dir / ENTRIES_DIR).absolute()),
                                "no entries found; add YAML files here (python build.py new \"Title\")"))
    folder_problems = tuple(problems)
    entries = []
    file_problems: dict[str, tuple[Problem, ...]] = {}
    for name, loaded in zip(names, read(reading, names)):
        problems.extend(loaded.problems)
        file_problems[name] = loaded.problems
        if loaded.entry is not None:
            entries.append(loaded.entry)
    problems.extend(check_uniqueness(entries))
    selections = load_selections(content_dir, reading.tz, entries, problems)
    editions = load_editions(content_dir, settings, problems)
    if editions:
        from .editions import check_translations

        problems.extend(check_translations(entries, editions, settings.language))
        if selections:
            problems.append(Problem(str((content_dir / TIMELINES_DIR).absolute()), "a site of several timelines "
                                    "cannot have language editions yet; remove translations: from "
                                    f"{SETTINGS_FILE}, or the timelines"))
    return Loaded(settings, tuple(entries), tuple(problems), folder_problems, file_problems, about, selections, editions)


def load_editions(content_dir: Path, settings: Settings | None, problems: list[Problem]) -> tuple[Edition, ...]:
    """The edition of each language of settings.translations, from content/translations/<language>/ (a
    language without a folder has every entry untranslated); a folder of no such language is an error."""
    folder = content_dir / TRANSLATIONS_DIR
    languages = settings.translations if settings is not None else ()
    if os.path.islink(folder):
        problems.append(Problem(str(folder.absolute()), f"{refusal(str(folder), LINK, 'folder')}; no translation is published"))
        return ()
    try:
        items = listing(str(folder))
    except FileNotFoundError:
        items = []
    except OSError as err:
        problems.append(Problem(str(folder.absolute()), f"cannot read the folder: {err.strerror or err}"))
        return ()
    listed = {language.casefold(): language for language in languages}
    for item in items:
        if is_passed_over(item.name):
            continue
        if item.kind != FOLDER:
            problems.append(Problem(item.path, f"is not a language's folder; {display_path(folder)}/ holds one folder "
                                    "per language of translations:, named by its tag (fr, fa-AF)", severity="warning"))
        elif item.name not in languages:
            spelt = listed.get(item.name.casefold())
            fix = (f'rename it to {spelt}, as translations: spells it' if spelt else
                   f"add {item.name} to translations: in {SETTINGS_FILE}, or remove the folder")
            problems.append(Problem(item.path, f'is the folder of the language "{item.name}", which is not one of the '
                                    f"site's translations ({', '.join(languages) or 'none'}); {fix}"))
    return tuple(_load_edition(folder / language, language, problems) for language in languages)


_EDITION_FILES = (SETTINGS_FILE, ABOUT_FILE, ENTRIES_DIR)


def _load_edition(folder: Path, language: str, problems: list[Problem]) -> Edition:
    if os.path.islink(folder):  # never followed: it would publish a folder from elsewhere
        problems.append(Problem(str(folder.absolute()), f"{refusal(str(folder), LINK, 'folder')}; the {language} edition "
                                "shows every entry untranslated"))
        return Edition(language)
    try:
        items = listing(str(folder))
    except OSError:  # a language without a folder (nothing translated yet), or one that cannot be read
        items = []
    problems.extend(Problem(item.path, f"is not read: an edition's folder holds {', '.join(_EDITION_FILES)} (its "
                            "entries' translations) and nothing else; move it out", severity="warning")
                    for item in items if item.name not in _EDITION_FILES and not is_passed_over(item.name))
    settings_path = folder / SETTINGS_FILE
    edition = Edition(language)
    if settings_path.exists() or settings_path.is_symlink():
        report = Report(str(settings_path.absolute()))
        root = _read(report, settings_path, "the edition's settings file is empty; give at least its title, or remove it")
        if root is not None:
            edition = validate_edition(report, root, language) or edition
        problems.extend(report.problems)
    about = load_about(folder, problems)
    names, found = scan_entries(folder / ENTRIES_DIR, "translation")
    problems.extend(found)
    translations = []
    for name in names:
        path = folder / ENTRIES_DIR / name
        report = Report(str(path.absolute()))
        misnamed = file_name_problem(name)
        if misnamed:
            report.error(None, "", misnamed)
        root = _read(report, path, "the translation is empty; it needs translates and title")
        if root is not None and not misnamed:
            translation = validate_translation(report, root, os.path.splitext(name)[0], language)
            if translation is not None:
                translations.append(translation)
        problems.extend(sorted(report.problems, key=lambda p: (p.line or 0, p.column or 0)))
    return replace(edition, about=about, translations=tuple(translations))


def load_selections(content_dir: Path, tz: tzinfo, entries: list[Entry], problems: list[Problem]
                    ) -> tuple[Selection, ...]:
    """The timelines of content/timelines/, each checked against the entries it may choose from; their
    problems go to `problems`, with a warning for each entry none of them shows."""
    folder = content_dir / TIMELINES_DIR
    names, found = scan_entries(folder, "timeline")
    problems.extend(found)
    if len(names) > MAX_TIMELINES:
        problems.append(Problem(str(folder.absolute()), f"holds {len(names)} timelines; a site may have at most "
                                f"{MAX_TIMELINES}: combine some, or make several sites"))
        return ()
    pool = Pool(frozenset(entry.id for entry in entries), frozenset(tag.slug for entry in entries for tag in entry.tags),
                frozenset(entry.place.slug for entry in entries if entry.place is not None))
    selections, seen = [], {}
    for name in names:
        path = folder / name
        report = Report(str(path.absolute()))
        stem = name.rsplit(".", 1)[0]
        wrong_name = file_name_problem(name) or _same_name(seen.setdefault(stem, name), name)
        if wrong_name:
            report.error(None, "", wrong_name)
        root = _read(report, path, "the timeline file is empty; it needs a title and a select")
        if root is not None and not wrong_name:
            selection = validate_selection(report, root, stem, tz, pool)
            if selection is not None:
                selections.append(selection)
        problems.extend(report.problems)
    if selections:
        problems.extend(_unselected(entries, selections))
    return tuple(selections)


def _same_name(first: str, name: str) -> str | None:
    """Why a second file naming one timeline (capitals.yaml, capitals.YML) is refused: one URL for two."""
    if first == name:
        return None
    stem = name.rsplit(".", 1)[0]
    return (f"names the timeline {stem} as {first} does, so both would be published at {TIMELINES_DIR}/{stem}/; "
            "rename one of the files or remove it")


def _unselected(entries: list[Entry], selections: list[Selection]) -> list[Problem]:
    from .order import select_members

    shown = {entry_id for selection in selections for entry_id in select_members(selection, entries)}
    return [Problem(entry.source_path, f"is shown by none of the timelines in {TIMELINES_DIR}/ (it still has its own "
                    "page); add it to one, by its id under select: entries:, or by a tag that one selects", severity="warning")
            for entry in entries if entry.id not in shown and not entry.draft]


def load_about(content_dir: Path, problems: list[Problem]) -> str | None:
    """content/about.md, the about page's Markdown, when there is one (its problems go to `problems`)."""
    path = content_dir / ABOUT_FILE
    if not path.exists() and not path.is_symlink():
        return None
    try:
        text = read_regular(str(path), MAX_FILE_BYTES)[0].decode("utf-8-sig")
    except Refused as err:
        problems.append(Problem(str(path.absolute()), str(err)))
        return None
    except UnicodeDecodeError:
        problems.append(Problem(str(path.absolute()), "is not UTF-8; save it as UTF-8"))
        return None
    report = Report(str(path.absolute()))
    checked = body_text(report, text, ABOUT_FILE)
    problems.extend(report.problems)
    return checked
