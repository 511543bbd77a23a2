"""The files other timeline tools keep events in, read into plain records that say where each value was.

- TimelineJS3's JSON: `events` (slides with start_date, end_date, text, media, group, display_date,
  unique_id), an optional `title` slide and `eras` (website/docs/json-format.njk of TimelineJS3).
- A TimelineJS Google Sheet downloaded as CSV, with its documented headers (Year, Month, Day, Time,
  End Year, ..., Alt Text), or the headers of version 1 sheets (Start Date, End Date, ..., Tag), which
  TimelineJS3 still reads (src/js/core/ConfigFactory.js).
- TimelineSetter's CSV (date, display_date, description, link, series, html; doc/doc.markdown).

Each value is a Cell: its text, and its place as a problem names it: the spreadsheet row (the header
is row 1) and the column's number, or the line and column of the value in the JSON, with the
column's header or the value's path (events[3].start_date.month). Nothing here judges a value;
imports.py does, and says where.
"""
from __future__ import annotations

import bisect
import csv
import io
import json
import re
from dataclasses import dataclass
from json.decoder import scanstring

from .model import Problem

EVENT, TITLE, ERA = "event", "title", "era"
TIMELINEJS_JSON, TIMELINEJS_SHEET, TIMELINEJS_V1_SHEET, TIMELINESETTER = (
    "TimelineJS JSON", "TimelineJS sheet", "TimelineJS sheet (version 1 headers)", "TimelineSetter CSV")

_SHEET_COLUMNS = ("Display Date", "Headline", "Text", "Media", "Media Credit", "Media Caption", "Media Thumbnail",
                  "Type", "Group", "Background", "Alt Text")
SHEET_HEADERS = ("Year", "Month", "Day", "Time", "End Year", "End Month", "End Day", "End Time", *_SHEET_COLUMNS)
V1_SHEET_HEADERS = ("Start Date", "End Date", *_SHEET_COLUMNS, "Tag")
TIMELINESETTER_HEADERS = ("date", "display_date", "description", "link", "series", "html", "thumbnail")
_SLIDE_KEYS = {"start_date", "end_date", "text", "media", "group", "display_date", "background", "autolink",
               "unique_id"}
_DATE_KEYS = {"year", "month", "day", "hour", "minute", "second", "millisecond", "display_date", "format"}


@dataclass(frozen=True)
class Cell:
    text: str  # stripped; a sheet's blank cell is "" (and None where the sheet has no such column)
    line: int
    column: int
    name: str  # the column's header, or the value's path in the JSON


@dataclass(frozen=True)
class DateCells:
    """A date as a tool splits it: parts (a sheet's Year, Month, Day and Time; the JSON's year ...
    second), or one cell holding the whole date (a version 1 sheet, TimelineSetter)."""

    year: Cell | None = None
    month: Cell | None = None
    day: Cell | None = None
    time: Cell | None = None
    hour: Cell | None = None
    minute: Cell | None = None
    second: Cell | None = None
    written: Cell | None = None
    display_date: Cell | None = None


@dataclass(frozen=True)
class Slide:
    """One record: an event, the title slide or an era. Text cells hold HTML."""

    kind: str
    row: Cell  # where the record is: its row (named ""), or its object in the JSON (named "events[3]")
    headline: Cell | None = None
    text: Cell | None = None
    start: DateCells | None = None
    end: DateCells | None = None
    display_date: Cell | None = None
    media: Cell | None = None
    credit: Cell | None = None
    caption: Cell | None = None
    alt: Cell | None = None
    group: Cell | None = None
    unique_id: Cell | None = None
    link: Cell | None = None  # TimelineSetter's "read more" link
    description: Cell | None = None  # TimelineSetter's description, below its html


@dataclass(frozen=True)
class ReadFile:
    format: str
    slides: tuple[Slide, ...]
    problems: tuple[Problem, ...]


def read_records(path: str, text: str) -> ReadFile:
    """The slides of a TimelineJS JSON file, or of a CSV in one of the sheet formats, and the problems."""
    if text.lstrip()[:1] in ("{", "["):
        return _Json(path, text).read()
    return _Sheet(path, text).read()


# ---------------------------------------------------------------- TimelineJS JSON

class _Json:
    def __init__(self, path: str, text: str):
        self.path, self.text = path, text
        self.problems: list[Problem] = []
        self.offsets: dict[tuple, int] = {}
        self.lines: list[int] = []

    def read(self) -> ReadFile:
        try:
            data = json.loads(self.text, parse_constant=_no_constant)
        except json.JSONDecodeError as err:
            return self._fail(err.lineno, err.colno, f"is not valid JSON: {err.msg}")
        except ValueError as err:
            return self._fail(1, 1, f"is not valid JSON: {err}")
        except RecursionError:
            return self._fail(1, 1, "is nested too deeply to be a timeline")
        self.offsets = value_offsets(self.text, depth=4)
        self.lines = [match.start() for match in re.finditer("\n", self.text)]
        if not isinstance(data, dict) or not isinstance(data.get("events"), list):
            return self._fail(1, 1, 'is not a TimelineJS timeline: it needs an "events" list '
                                    '({"events": [{"start_date": {"year": 2021}, ...}]})')
        slides = [self._slide(EVENT, ("events", index), event) for index, event in enumerate(data["events"])]
        if data.get("title") is not None:
            slides.insert(0, self._slide(TITLE, ("title",), data["title"]))
        eras = data.get("eras")
        if eras is not None and not isinstance(eras, list):
            self._problem(("eras",), "eras", "must be a list of eras")
        slides += [self._slide(ERA, ("eras", index), era) for index, era in enumerate(eras or ())]
        return ReadFile(TIMELINEJS_JSON, tuple(slide for slide in slides if slide), tuple(self.problems))

    def _fail(self, line: int, column: int, message: str) -> ReadFile:
        return ReadFile(TIMELINEJS_JSON, (), (Problem(self.path, message, line=line, column=column),))

    def _slide(self, kind: str, path: tuple, value) -> Slide | None:
        if not isinstance(value, dict):
            self._problem(path, _path_name(path), "must be an object ({...}) holding a slide")
            return None
        for key in value:
            if key not in _SLIDE_KEYS:
                self._problem(path + (key,), _path_name(path + (key,)), "is not a TimelineJS slide field; "
                              "it is not imported", "warning")
        text, media = self._object(value, path, "text"), self._object(value, path, "media")
        return Slide(kind, self._cell(path, "", force=True),
                     headline=self._cell(path + ("text", "headline"), text.get("headline")),
                     text=self._cell(path + ("text", "text"), text.get("text")),
                     start=self._date(value, path, "start_date"), end=self._date(value, path, "end_date"),
                     display_date=self._cell(path + ("display_date",), value.get("display_date")),
                     media=self._cell(path + ("media", "url"), media.get("url")),
                     credit=self._cell(path + ("media", "credit"), media.get("credit")),
                     caption=self._cell(path + ("media", "caption"), media.get("caption")),
                     alt=self._cell(path + ("media", "alt"), media.get("alt")),
                     group=self._cell(path + ("group",), value.get("group")),
                     unique_id=self._cell(path + ("unique_id",), value.get("unique_id")))

    def _object(self, value: dict, path: tuple, key: str) -> dict:
        found = value.get(key)
        if found is None:
            return {}
        if not isinstance(found, dict):
            self._problem(path + (key,), _path_name(path + (key,)), "must be an object ({...})")
            return {}
        return found

    def _date(self, value: dict, path: tuple, key: str) -> DateCells | None:
        found = self._object(value, path, key)
        if not found:
            return None
        where = path + (key,)
        for part in found:
            if part not in _DATE_KEYS:
                self._problem(where + (part,), _path_name(where + (part,)), "is not a part of a TimelineJS "
                              "date; it is not imported", "warning")
        cells = {part: self._cell(where + (part,), found.get(part))
                 for part in ("year", "month", "day", "hour", "minute", "second", "display_date")}
        return DateCells(**cells)

    def _cell(self, path: tuple, value, force: bool = False) -> Cell | None:
        line, column = self._position(path)
        if force:
            return Cell("", line, column, _path_name(path))
        if value is None or value == "":
            return None
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            self._problem(path, _path_name(path), "must be text or a number")
            return None
        text = str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)
        return Cell(text, line, column, _path_name(path))

    def _position(self, path: tuple) -> tuple[int, int]:
        while path not in self.offsets and path:
            path = path[:-1]
        offset = self.offsets.get(path, 0)
        line = bisect.bisect_left(self.lines, offset)
        return line + 1, offset - (self.lines[line - 1] + 1 if line else 0) + 1

    def _problem(self, path: tuple, name: str, message: str, severity: str = "error") -> None:
        line, column = self._position(path)
        self.problems.append(Problem(self.path, message, field=name, line=line, column=column, severity=severity))


def _no_constant(name: str):
    raise ValueError(f"{name} is not a number JSON allows")


def _path_name(path: tuple) -> str:
    """("events", 3, "start_date", "month") as events[3].start_date.month (the index from 0, as in JSON)."""
    name = ""
    for part in path:
        name += f"[{part}]" if isinstance(part, int) else (f".{part}" if name else part)
    return name


_SCALAR = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?|true|false|null")
_SPACE = re.compile(r"[ \t\n\r]*")


def value_offsets(text: str, depth: int) -> dict[tuple, int]:
    """Where each value of a valid JSON document starts, by its path (keys and list indexes), for the
    paths at most `depth` deep: json.loads says what a value is, never where it was. Walked without
    recursion, in one pass; a key given twice is placed where json.loads takes it from, the last."""
    offsets: dict[tuple, int] = {}
    open_ones: list[list] = []  # each open list or object: [is_object, its path, the next index]
    path: tuple = ()
    at = _SPACE.match(text, 0).end()
    while True:
        if len(path) <= depth:
            offsets[path] = at
        if text[at] in "[{":
            open_ones.append([text[at] == "{", path, 0])
            at = _SPACE.match(text, at + 1).end()
            if text[at] not in "]}":
                at, path = _next_item(text, at, open_ones[-1])
                continue
        elif text[at] == '"':
            at = scanstring(text, at + 1)[1]
        else:
            at = _SCALAR.match(text, at).end()
        while open_ones:  # after a value: close what ends here, or go on to the next item
            at = _SPACE.match(text, at).end()
            if text[at] == ",":
                at, path = _next_item(text, _SPACE.match(text, at + 1).end(), open_ones[-1])
                break
            open_ones.pop()
            at += 1
        else:
            return offsets


def _next_item(text: str, at: int, container: list) -> tuple[int, tuple]:
    """The start of the next item of an open list or object (its key read), and that item's path."""
    is_object, path, index = container
    container[2] += 1
    if not is_object:
        return at, path + (index,)
    key, at = scanstring(text, at + 1)
    at = _SPACE.match(text, at).end() + 1  # the colon
    return _SPACE.match(text, at).end(), path + (key,)


# ---------------------------------------------------------------- CSV sheets

class _Sheet:
    def __init__(self, path: str, text: str):
        self.path, self.text = path, text
        self.problems: list[Problem] = []

    def read(self) -> ReadFile:
        rows = csv.reader(io.StringIO(self.text, newline=""))
        try:
            header = next(rows, None)
        except csv.Error as err:
            return self._fail(1, f"is not a CSV file this tool can read: {err}")
        if not header or not any(cell.strip() for cell in header):
            return self._fail(1, "has no header row; a TimelineJS sheet starts with Year, Month, Day, ..., and a "
                                 "TimelineSetter sheet with date, display_date, description, ...")
        kind, known = _sheet_kind([cell.strip() for cell in header])
        if kind is None:
            return self._fail(1, self._unknown_format(header))
        columns = self._columns(header, known)
        slides, number = [], 1
        try:
            for number, row in enumerate(rows, 2):
                slide = self._row(kind, columns, number, row, len(header))
                if slide is not None:
                    slides.append(slide)
        except csv.Error as err:  # a cell too long, a stray quote at the end of the file
            self.problems.append(Problem(self.path, f"cannot be read as CSV from here: {err}", line=number))
        return ReadFile(kind, tuple(slides), tuple(self.problems))

    def _fail(self, line: int, message: str) -> ReadFile:
        return ReadFile("CSV", (), (Problem(self.path, message, line=line, column=1),))

    def _unknown_format(self, header: list[str]) -> str:
        if len(header) == 1 and (";" in header[0] or "\t" in header[0]):
            return ("has its cells separated by semicolons or tabs; download or save it as comma-separated "
                    "values (CSV)")
        return ("does not start with the header row of a TimelineJS sheet (Year, Month, Day, Time, ..., "
                "Headline, Text, ...; or Start Date, End Date, Headline, ...) or of a TimelineSetter sheet "
                "(date, display_date, description, link, series, html); keep the sheet's first row as it was")

    def _columns(self, header: list[str], known: dict[str, str]) -> dict[str, tuple[int, str]]:
        """Each known column by its documented name: its index and its header as written."""
        columns: dict[str, tuple[int, str]] = {}
        for index, written in enumerate(header):
            name = known.get(written.strip().casefold())
            if name is None:
                if written.strip():
                    self.problems.append(Problem(self.path, "is not a column this format has; it is not imported",
                                                 field=written.strip(), line=1, column=index + 1, severity="warning"))
            elif name in columns:
                self.problems.append(Problem(self.path, f"is given twice, as columns {columns[name][0] + 1} and "
                                             f"{index + 1}; keep one", field=name, line=1, column=index + 1))
            else:
                columns[name] = (index, written.strip())
        return columns

    def _row(self, kind: str, columns: dict, number: int, row: list[str], width: int) -> Slide | None:
        if not any(cell.strip() for cell in row):
            return None
        if len(row) > width and any(cell.strip() for cell in row[width:]):
            self.problems.append(Problem(self.path, f"the row has {len(row)} cells but the header row names "
                                         f"{width} columns; the cells past column {width} are not imported",
                                         line=number, column=width + 1, severity="warning"))

        def cell(name: str) -> Cell | None:
            index, written = columns.get(name, (None, name))
            if index is None:
                return None
            return Cell(row[index].strip() if index < len(row) else "", number, index + 1, written)

        where = Cell("", number, 1, "")
        if kind == TIMELINESETTER:
            return Slide(EVENT, where, start=DateCells(written=cell("date")), display_date=cell("display_date"),
                         description=cell("description"), link=cell("link"), group=cell("series"),
                         text=cell("html"))
        slide_kind = self._type(cell("Type"))
        group = cell("Group") if _text(cell("Group")) else cell("Tag")
        if kind == TIMELINEJS_SHEET:
            start = DateCells(cell("Year"), cell("Month"), cell("Day"), cell("Time"))
            end = DateCells(cell("End Year"), cell("End Month"), cell("End Day"), cell("End Time"))
        else:
            start, end = DateCells(written=cell("Start Date")), DateCells(written=cell("End Date"))
        return Slide(slide_kind, where, headline=cell("Headline"), text=cell("Text"), start=start,
                     end=_given(end), display_date=cell("Display Date"), media=cell("Media"),
                     credit=cell("Media Credit"), caption=cell("Media Caption"), alt=cell("Alt Text"),
                     group=group)

    def _type(self, cell: Cell | None) -> str:
        if not _text(cell):
            return EVENT
        kind = cell.text.casefold()
        if kind in (TITLE, ERA):
            return kind
        self.problems.append(Problem(self.path, f'"{cell.text}" is not a type TimelineJS knows (title or era); '
                                     "the row is imported as an event", field=cell.name, line=cell.line,
                                     column=cell.column, severity="warning"))
        return EVENT


def _given(date: DateCells) -> DateCells | None:
    return date if any(_text(getattr(date, part)) for part in ("year", "month", "day", "time", "written")) else None


def _text(cell: Cell | None) -> str:
    return cell.text if cell is not None else ""


def _sheet_kind(header: list[str]) -> tuple[str | None, dict[str, str]]:
    """Which sheet the header row is of, and its columns by their folded names."""
    folded = {cell.casefold() for cell in header}
    for kind, names, marks in ((TIMELINEJS_SHEET, SHEET_HEADERS, {"year"}),
                               (TIMELINEJS_V1_SHEET, V1_SHEET_HEADERS, {"start date"}),
                               (TIMELINESETTER, TIMELINESETTER_HEADERS, {"date", "description"})):
        if marks <= folded:
            return kind, {name.casefold(): name for name in names}
    return None, {}
