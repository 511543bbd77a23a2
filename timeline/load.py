"""Load stage: read content/timeline.yaml and every content/entries/*.yaml.

Each file is read and validated on its own; the checks that need all the
entries at once (ids and aliases claimed twice, tags spelled two ways) run
last. All problems of all files are returned together.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from .model import Entry, Problem, Settings
from .validate import ID_PATTERN, Report, slugify, validate_entry, validate_settings
from .yamlfile import YamlError, read_yaml

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
    try:
        return os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return str(path)


def load_settings(content_dir: Path) -> tuple[Settings | None, list[Problem]]:
    path = content_dir / SETTINGS_FILE
    report = Report(display_path(path))
    if not path.is_file():
        report.error(None, "", f"the site settings file is missing; create {display_path(path)} "
                     "with at least title, base_url and timezone")
        return None, report.problems
    root = _read(report, path)
    settings = validate_settings(report, root) if root is not None else None
    return settings, report.problems


def entry_files(content_dir: Path) -> list[Path]:
    folder = content_dir / ENTRIES_DIR
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.suffix in (".yaml", ".yml") and not p.name.startswith("."))


def load_entry(path: Path, settings: Settings, content_dir: Path) -> tuple[Entry | None, list[Problem]]:
    """Read and validate one entry file."""
    report = Report(display_path(path))
    entry_id = path.stem
    if not ID_PATTERN.fullmatch(entry_id):
        report.error(None, "", f'the file name "{path.name}" is not a valid id: use lowercase letters, digits '
                     f'and single hyphens, as in zaranj-falls.yaml (rename it to {_suggest_id(entry_id)}.yaml)')
    root = _read(report, path)
    if root is None:
        return None, report.problems
    entry = validate_entry(report, entry_id, root, ZoneInfo(settings.timezone), content_dir / MEDIA_DIR)
    return (None if report.failed else entry), report.problems


def _suggest_id(stem: str) -> str:
    return slugify(stem) or "my-entry"


def _read(report: Report, path: Path):
    try:
        root = read_yaml(path)
    except YamlError as err:
        report.problems.append(Problem(report.file, err.message, line=err.line, column=err.column))
        return None
    if root is None:
        report.error(None, "", "the file is empty; an entry needs at least title, date and sources")
    return root


def check_uniqueness(entries: list[Entry]) -> list[Problem]:
    """Ids and aliases name URLs, so no two entries may claim the same one; tags must be spelled one way."""
    problems = []
    claimed: dict[str, Entry] = {}
    for entry in entries:
        first = claimed.setdefault(entry.id, entry)
        if first is not entry:
            problems.append(Problem(entry.source_path, f'the id "{entry.id}" is already taken by '
                                    f"{first.source_path}; rename one of the files"))
    for entry in entries:
        for alias in entry.aliases:
            owner = claimed.get(alias)
            if owner is not None and owner is not entry:
                what = "the id" if owner.id == alias else "an alias"
                problems.append(Problem(entry.source_path, f'"{alias}" is already {what} of {owner.source_path}; '
                                        "an URL can lead to one entry only", field="aliases"))
            else:
                claimed[alias] = entry
    labels: dict[str, tuple[str, Entry]] = {}
    for entry in entries:
        for tag in entry.tags:
            label, first = labels.setdefault(tag.slug, (tag.label, entry))
            if label != tag.label:
                problems.append(Problem(entry.source_path, f'"{tag.label}" and "{label}" ({first.source_path}) '
                                        f'share the URL slug "{tag.slug}"; spell the tag one way', field="tags"))
    return problems


def load_content(content_dir: Path) -> Loaded:
    """Read the settings and every entry; entries with errors are left out and their problems returned."""
    if not content_dir.is_dir():
        problem = Problem(display_path(content_dir), "the content folder does not exist; pass --content DIR")
        return Loaded(None, (), (problem,))
    settings, problems = load_settings(content_dir)
    if settings is None:
        return Loaded(None, (), tuple(problems))
    files = entry_files(content_dir)
    if not files:
        problems.append(Problem(display_path(content_dir / ENTRIES_DIR),
                                "no entries found; add YAML files here (python build.py new \"Title\")"))
    entries = []
    for path in files:
        entry, found = load_entry(path, settings, content_dir)
        problems.extend(found)
        if entry is not None:
            entries.append(entry)
    problems.extend(check_uniqueness(entries))
    return Loaded(settings, tuple(entries), tuple(problems))
