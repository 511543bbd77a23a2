"""Load stage: read content/timeline.yaml and every content/entries/*.yaml.

Each file is read and validated on its own; the checks that need all the
entries at once (ids and aliases claimed twice, tags spelled two ways) run
last. All problems of all files are returned together.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, replace
from datetime import tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo

from .model import Entry, Problem, Settings
from .validate import ID_PATTERN, Report, slugify, validate_entry, validate_settings
from .yamlfile import Mapping, Node, Scalar, YamlError, read_yaml

SETTINGS_FILE = "timeline.yaml"
ENTRIES_DIR = "entries"
MEDIA_DIR = "media"


@dataclass(frozen=True)
class Loaded:
    settings: Settings | None
    entries: tuple[Entry, ...]
    problems: tuple[Problem, ...]

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.severity == "error")


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
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.suffix in (".yaml", ".yml") and not p.name.startswith("."))


def load_entry(path: Path, settings: Settings | None, content_dir: Path) -> tuple[Entry | None, list[Problem]]:
    """Read and validate one entry file.

    Without valid settings the entry is still checked, so that one run reports
    every file's problems; times without an offset are then read as UTC.
    """
    entry, problems, _ = _load_entry(path, ZoneInfo(settings.timezone if settings else "UTC"), content_dir)
    return entry, problems


def _load_entry(path: Path, tz: tzinfo, content_dir: Path) -> tuple[Entry | None, list[Problem], Node | None]:
    report = Report(display_path(path))
    entry_id = path.stem
    if not ID_PATTERN.fullmatch(entry_id):
        report.error(None, "", f'the file name "{path.name}" is not a valid id: use lowercase letters, digits '
                     f'and single hyphens, as in zaranj-falls.yaml (rename it to {_suggest_id(entry_id)}.yaml)')
    root = _read(report, path, "the file is empty; an entry needs at least title, date and sources")
    entry = None
    if root is not None:
        entry = validate_entry(report, entry_id, root, tz, content_dir / MEDIA_DIR)
    # Top to bottom, as the editor reads the file; problems about the whole file first.
    problems = sorted(report.problems, key=lambda p: (p.line or 0, p.column or 0))
    return (None if report.failed else entry), problems, root


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


def check_uniqueness(entries: list[Entry], roots: dict[str, Node] | None = None) -> list[Problem]:
    """Ids and aliases name URLs, so no two entries may claim the same one; tags must be spelled one way.

    `roots` (the YAML tree of each entry, by id) lets a problem point at the line of the alias or tag.
    """
    roots = roots or {}
    problems = []
    claimed: dict[str, Entry] = {}
    for entry in entries:
        first = claimed.setdefault(entry.id, entry)
        if first is not entry:
            problems.append(Problem(entry.source_path, f'the id "{entry.id}" is already taken by '
                                    f"{first.source_path}; rename one of the files"))
    for entry in entries:
        for index, alias in enumerate(entry.aliases, 1):
            owner = claimed.get(alias)
            if owner is not None and owner is not entry:
                what = "the id" if owner.id == alias else "an alias"
                problems.append(_at(roots.get(entry.id), "aliases", alias, Problem(
                    entry.source_path, f'"{alias}" is already {what} of {owner.source_path}; '
                    "a URL can lead to one entry only, so remove it here or there", field=f"aliases[{index}]")))
            else:
                claimed[alias] = entry
    labels: dict[str, tuple[str, Entry]] = {}
    for entry in entries:
        for index, tag in enumerate(entry.tags, 1):
            label, first = labels.setdefault(tag.slug, (tag.label, entry))
            if label != tag.label:
                problems.append(_at(roots.get(entry.id), "tags", tag.label, Problem(
                    entry.source_path, f'"{tag.label}" and "{label}" ({first.source_path}) share the URL slug '
                    f'"{tag.slug}"; spell the tag one way', field=f"tags[{index}]")))
    return problems


def _at(root: Node | None, field: str, text: str, problem: Problem) -> Problem:
    """The problem, placed on the line where `text` is written in the list `field` of `root`."""
    items = root.get(field) if isinstance(root, Mapping) else None
    for item in getattr(items, "items", ()):
        if isinstance(item, Scalar) and item.text.strip() == text:
            return replace(problem, line=item.line, column=item.column)
    return problem


def load_content(content_dir: Path) -> Loaded:
    """Read the settings and every entry; entries with errors are left out and their problems returned."""
    if not content_dir.is_dir():
        problem = Problem(display_path(content_dir), "is not a folder; pass --content DIR with the folder "
                          "that holds timeline.yaml and entries/")
        return Loaded(None, (), (problem,))
    settings, problems = load_settings(content_dir)
    # Entries are checked even when the settings are broken: one run reports everything.
    tz = ZoneInfo(settings.timezone if settings else "UTC")
    files = entry_files(content_dir)
    if not files:
        problems.append(Problem(display_path(content_dir / ENTRIES_DIR),
                                "no entries found; add YAML files here (python build.py new \"Title\")"))
    entries = []
    roots: dict[str, Node] = {}
    for path in files:
        entry, found, root = _load_entry(path, tz, content_dir)
        problems.extend(found)
        if entry is not None:
            entries.append(entry)
            roots.setdefault(entry.id, root)
    problems.extend(check_uniqueness(entries, roots))
    return Loaded(settings, tuple(entries), tuple(problems))
