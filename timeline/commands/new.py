"""The `new` command: start an entry file that already passes `check`.

The file holds the fields the editor gave, one source to fill in, and every
other field as a comment saying what it is for, with an example that works
when uncommented. Everything comes from the field tables in fields.py.

A source is required, and `new` cannot know it unless told (--source): the
file then names what to write there, and starts as a draft (like Hugo's
archetypes), so nothing half-written is published until the editor deletes
the `draft: true` line.
"""
from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml

from ..layout import ENTRIES_DIR, MEDIA_DIR, display_path
from ..load import check_uniqueness, load_content, load_settings
from ..model import Entry, Problem
from ..speed import Cached
from ..speed.store import default_cache_dir
from .schema import schema_json
from ..fields import ENTRY_FIELDS, ID_PATTERN, MAX_ID, SOURCE_FIELDS, Field
from ..validate import Report, escape_unprintable, file_name_problem, slugify, suggest_id, validate_entry
from ..yamlfile import YamlError, parse_yaml

SCHEMA_FILE = "entry.schema.json"
MODELINE = f"# yaml-language-server: $schema=../{SCHEMA_FILE}"
SOURCE_TO_NAME = "Who reported or said it"
MAX_ID_LENGTH = 60
_WIDTH = 88


class ScaffoldError(Exception):
    """Nothing was written; the message (and problems, if any) say why."""

    def __init__(self, message: str, problems: tuple[Problem, ...] = (), usage: bool = False):
        super().__init__(message)
        self.message = message
        self.problems = problems
        self.usage = usage  # the command line was wrong, rather than the content


@dataclass(frozen=True)
class NewEntry:
    path: Path
    schema_written: bool  # the content folder had no entry.schema.json, so it got one


def create_entry(content_dir: Path, title: str, *, date: str | None = None, tags: tuple[str, ...] = (),
                 source: str | None = None, url: str | None = None, entry_id: str | None = None) -> NewEntry:
    """Write content/entries/<id>.yaml; never replaces an existing file."""
    _refuse_unencodable(title, date, *tags, source, url, entry_id)
    if entry_id is not None:
        _check_id(entry_id)  # before the disk is touched: the id is a path
    settings, problems = load_settings(content_dir)
    if settings is None:
        raise ScaffoldError(f"{display_path(content_dir)} has no usable timeline.yaml", tuple(problems))
    entry_id = entry_id or _id_from(title)
    folder = content_dir / ENTRIES_DIR
    path = folder / f"{entry_id}.yaml"
    taken = [p for p in (path, path.with_suffix(".yml")) if p.exists()]
    if taken:
        raise ScaffoldError(f"{display_path(taken[0])} already exists; nothing was written. "
                            "Edit that file, or choose another title or --id")
    zone = ZoneInfo(settings.timezone)
    values = {
        "title": title,
        "date": date or datetime.now(zone).date(),
        "tags": list(tags) or None,
        "sources": [{"name": source or SOURCE_TO_NAME, "url": url}],
        "draft": True,
    }
    text = entry_text(values)
    entry = _validate(text, path, entry_id, zone, content_dir)
    _check_against_the_others(entry, content_dir)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with open(path, "x", encoding="utf-8") as stream:  # "x": a file created meanwhile is not replaced
            stream.write(text)
    except OSError as err:
        raise ScaffoldError(f"cannot write {display_path(path)}: {err.strerror or err}") from None
    return NewEntry(path, _write_schema(content_dir))


def _refuse_unencodable(*values: str | None) -> None:
    """A command-line argument that is not valid UTF-8 reaches Python as lone surrogates."""
    for value in values:
        if value is not None and _UNENCODABLE.search(value):
            raise ScaffoldError(f'"{escape_unprintable(_UNENCODABLE.sub("?", value))}" is not valid UTF-8 text '
                                "(as the terminal passed it); type it again", usage=True)


_UNENCODABLE = re.compile("[\ud800-\udfff]")


def _check_id(entry_id: str) -> None:
    """The id given with --id, checked as `check` checks the file name it becomes."""
    problem = file_name_problem(f"{entry_id}.yaml")
    if problem is None and len(entry_id) > MAX_ID:
        raise ScaffoldError(f"--id is {len(entry_id):,} characters long; an id may have at most {MAX_ID}, "
                            "shorten it", usage=True)
    if problem is not None:
        raise ScaffoldError(f"{problem}; nothing was written: give --id {suggest_id(entry_id)}", usage=True)


def _check_against_the_others(entry: Entry, content_dir: Path) -> None:
    """What `check` finds across entries, for the new one: its id taken as another's alias, its tags
    spelled otherwise elsewhere."""
    state = Cached(default_cache_dir(content_dir))
    loaded = load_content(content_dir, state.read_entries, state.time_zone)
    problems = [problem for problem in check_uniqueness([*loaded.entries, entry])
                if problem.file == entry.source_path or entry.source_path in problem.message]
    if problems:
        raise ScaffoldError(f"{entry.source_path} was not written: it would clash with other entries",
                            tuple(problems))


def _id_from(title: str) -> str:
    words = slugify(title).split("-")
    entry_id = words[0][:MAX_ID_LENGTH]
    for word in words[1:]:
        if len(entry_id) + 1 + len(word) > MAX_ID_LENGTH:
            break
        entry_id += "-" + word
    if not ID_PATTERN.fullmatch(entry_id):
        raise ScaffoldError(f'"{title}" has no letters a-z or digits to make a file name from; '
                            "give one with --id, such as --id zaranj-falls", usage=True)
    return entry_id


def entry_text(values: dict) -> str:
    """The scaffold: given values filled in, the other fields commented with an example."""
    lines = [MODELINE, *_comment(
        "A new timeline entry. Its file name is its id and permanent URL. Fill it in, uncomment the "
        "optional fields you need, then run `python build.py check`. It stays a draft (left out of "
        "the site; `python build.py serve --drafts` previews it) until you delete the line "
        "`draft: true`.")]
    for spec in ENTRY_FIELDS.values():
        lines.append("")
        lines.extend(_comment(spec.description))
        value = values.get(spec.name)
        if value is None:
            lines.extend(_comment(_dump(spec, spec.example)))
            continue
        lines.extend(_dump(spec, value))
        if spec.name == "sources":
            lines.extend(_unset_fields(SOURCE_FIELDS, value[-1], indent="    "))
    return "\n".join(lines) + "\n"


def _unset_fields(fields: dict[str, Field], given: dict, indent: str) -> list[str]:
    lines = []
    for spec in fields.values():
        if given.get(spec.name) is None:
            lines.extend(indent + line for line in _comment(spec.description))
            lines.extend(indent + line for line in _comment(_dump(spec, spec.example)))
    return lines


def _comment(text: str | list[str]) -> list[str]:
    if isinstance(text, str):
        return ["# " + line for line in textwrap.wrap(text, _WIDTH - 2)]
    return ["# " + line for line in text]


class _WrittenDate(str):
    """A date kept as the editor wrote it: 2021-08-06, not the quoted '2021-08-06' PyYAML would write."""


class _Dumper(yaml.SafeDumper):
    """Indents list items under their key, as the shipped entries do."""

    def increase_indent(self, flow=False, indentless=False):
        return super().increase_indent(flow, False)

    def represent_written_date(self, value: _WrittenDate):
        # Tagged with the type YAML reads the bare text as, so it is written bare.
        return self.represent_scalar(self.resolve(yaml.ScalarNode, value, (True, False)), value)


_Dumper.add_representer(_WrittenDate, _Dumper.represent_written_date)


def _dump(spec: Field, value) -> list[str]:
    text = yaml.dump({spec.name: _typed(spec, value)}, Dumper=_Dumper, sort_keys=False, allow_unicode=True,
                     default_flow_style=False, width=_WIDTH)
    return text.splitlines()


def _typed(spec: Field, value):
    """The value to dump: unset keys left out, dates marked as written."""
    if isinstance(value, list):
        return [_typed(spec, item) for item in value]
    if isinstance(value, dict):
        return {key: _typed(spec.fields[key], item) for key, item in value.items() if item is not None}
    return _WrittenDate(value) if spec.kind == "date" and isinstance(value, str) else value


def _validate(text: str, path: Path, entry_id: str, zone: ZoneInfo, content_dir: Path) -> Entry:
    report = Report(display_path(path))
    try:
        root = parse_yaml(text.encode("utf-8"))
    except YamlError as err:  # the values are dumped by PyYAML, so only their size can fail here
        raise ScaffoldError(f"cannot write {display_path(path)}: {err.message}") from None
    entry = validate_entry(report, entry_id, root, zone, content_dir / MEDIA_DIR)
    errors = tuple(p for p in report.problems if p.severity == "error")
    if errors or entry is None:
        raise ScaffoldError(f"{display_path(path)} was not written: fix the values given", errors)
    return entry


def _write_schema(content_dir: Path) -> bool:
    """Give the content folder the schema the modeline points to, if it has none."""
    try:
        with open(content_dir / SCHEMA_FILE, "x", encoding="utf-8") as stream:
            stream.write(schema_json())
    except FileExistsError:
        return False
    return True
