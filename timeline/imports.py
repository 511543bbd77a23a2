"""Import: another tool's timeline (TimelineJS JSON or sheet, TimelineSetter CSV) as entry files.

plan_import() reads the file and returns what to write, as plain data: one draft entry file per
event, each already validated as `check` validates it, and every problem placed in the file imported
(`sheet.csv:ROW:COLUMN`, or the line and column of a JSON value). The command writes the files only
when there is no error at all, and never over an existing file: an id whose file exists is reported
and left alone, so importing the same file twice writes nothing the second time.

- Dates keep the precision the file gives: a year alone is `2021`, a year and month `2021-08`, never
  the 1st. Times are in the timeline's time zone.
- Display dates become `date_label`, unless they say just what the date says (TimelineJS JSON written
  by this tool always has one), and "c. " before that makes `circa: true`.
- HTML becomes Markdown (imported_html.py); scripts, event handlers and javascript: links are refused.
- Sources come from the links in the text, the media credit and TimelineSetter's link (a source is
  named by the credit or the link's host); a slide of this tool's own timeline.json gives back its
  summary, tags and sources. An event with none gets a source to fill in, and a warning.
- The title slide and eras are never written into timeline.yaml: they are returned as YAML to add.
"""
from __future__ import annotations

import calendar
import os
import re
from dataclasses import dataclass, field
from datetime import tzinfo
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import yaml

from . import dates
from .fields import ID_PATTERN, MAX_ID, MAX_SOURCES, MAX_SUMMARY, MAX_TITLE
from .folders import Refused, check_folder, read_regular
from .import_formats import EVENT, ERA, TITLE, Cell, DateCells, Slide, read_records
from .imported_html import ReadHtml, body_markdown, plain_text
from .layout import ENTRIES_DIR, MEDIA_DIR, display_path
from .load import EntryReader, Reading, check_uniqueness, load_content, load_settings, parse_entry, read_entry_files
from .locales import formats_for
from .model import PartialDate, Problem, Settings, shortened
from .validate import Report, slugify, validate_settings
from .yamlfile import parse_yaml

MAX_IMPORT_BYTES = 50_000_000
MAX_ID_LENGTH = 60  # as `new` makes ids from titles
PLACEHOLDER_SOURCE = "Who reported or said it"
SCHEMA_FILE = "entry.schema.json"
NEW, EXISTS, UNCHANGED = "new", "exists", "unchanged"
_IMAGE = re.compile(r"\.(?:jpe?g|png|gif|webp|avif|svg)$", re.IGNORECASE)
_HEADING = re.compile(r"^#{1,6} +(.+)\n*", re.MULTILINE)
_SENTENCE = re.compile(r"(.+?[.!?])(?:\s|$)")


@dataclass(frozen=True)
class EntryToWrite:
    id: str
    path: str  # absolute: content/entries/<id>.yaml
    text: str
    origin: str  # where in the file it came from: "row 5", "events[3]"
    status: str  # NEW; EXISTS (another file has the id) or UNCHANGED (that file says the same): not written


@dataclass(frozen=True)
class ImportPlan:
    source: str
    format: str
    entries: tuple[EntryToWrite, ...]
    problems: tuple[Problem, ...]  # placed in the file imported
    entry_warnings: int = 0  # what `check` will warn about in the new files (no summary, ...)
    settings_text: str | None = None  # YAML for timeline.yaml: the file's eras (and title) it lacks

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(problem for problem in self.problems if problem.severity == "error")

    @property
    def to_write(self) -> tuple[EntryToWrite, ...]:
        return () if self.errors else tuple(entry for entry in self.entries if entry.status == NEW)


def plan_import(source: Path, content_dir: Path, id_prefix: str = "",
                read: EntryReader = read_entry_files) -> ImportPlan:
    """What importing `source` into `content_dir` would write; `read` reads the existing entries."""
    settings, problems = load_settings(content_dir)
    unusable = check_folder(content_dir / ENTRIES_DIR, "entries")
    if unusable:
        problems.append(Problem(str((content_dir / ENTRIES_DIR).absolute()), unusable))
    if settings is None or unusable:
        return ImportPlan(str(source), "", (), tuple(problems))
    path = str(source.absolute())
    text, problem = read_text(path)
    if problem is not None:
        return ImportPlan(path, "", (), (problem,))
    records = read_records(path, text)
    converter = _Converter(path, settings, content_dir)
    drafts = [converter.event(slide) for slide in records.slides if slide.kind == EVENT]
    settings_text = converter.settings_text(records.slides)
    plan = _Entries(path, content_dir, settings, id_prefix, read)
    entries = plan.entries([draft for draft in drafts if draft is not None])
    found = (*records.problems, *converter.problems, *plan.problems)
    return ImportPlan(path, records.format, entries, _in_order(found), plan.warnings, settings_text)


def read_text(path: str) -> tuple[str, Problem | None]:
    """The file's text: UTF-8, with or without a byte order mark; else the problem, placed where it is."""
    try:
        data = read_regular(path, MAX_IMPORT_BYTES)[0]
    except Refused as err:
        return "", Problem(path, str(err))
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "", Problem(path, "is UTF-16 text (Excel's \"Unicode text\"); save it as CSV UTF-8 or JSON in UTF-8",
                           line=1, column=1)
    if b"\x00" in data:
        return "", Problem(path, "is not a text file (it holds NUL bytes); give a CSV or JSON file", line=1, column=1)
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        column = len(data[data.rfind(b"\n", 0, err.start) + 1:err.start].decode("utf-8", "replace")) + 1
        return "", Problem(path, f"is not UTF-8 (byte 0x{data[err.start]:02X} here cannot be UTF-8): save it as "
                           "UTF-8, in Excel as \"CSV UTF-8\", in LibreOffice with the character set Unicode "
                           "(UTF-8); Google Sheets downloads are UTF-8 already", line=line, column=column)


def _in_order(problems) -> tuple[Problem, ...]:
    """Top to bottom, each once (a cell read for two fields reports what it holds once)."""
    return tuple(sorted(dict.fromkeys(problems), key=lambda p: (p.line or 0, p.column or 0)))


# ---------------------------------------------------------------- one event to an entry's values

@dataclass
class _Draft:
    """An entry's values as they will be written, with the cell each came from."""

    row: Cell
    values: dict
    origins: dict[str, Cell] = field(default_factory=dict)
    unique_id: str | None = None


class _Converter:
    def __init__(self, path: str, settings: Settings, content_dir: Path):
        self.path, self.settings = path, settings
        self.tz: tzinfo = ZoneInfo(settings.timezone)
        self.media_dir = content_dir / MEDIA_DIR
        self.problems: list[Problem] = []

    def error(self, cell: Cell, message: str, severity: str = "error") -> None:
        self.problems.append(Problem(self.path, message, field=cell.name, line=cell.line, column=cell.column,
                                     severity=severity))

    def warn(self, cell: Cell, message: str) -> None:
        self.error(cell, message, "warning")

    def html(self, cell: Cell | None, read) -> ReadHtml | None:
        if not _text(cell):
            return None
        result = read(cell.text)
        for message in result.refused:
            self.error(cell, message)
        for message in result.dropped:
            self.warn(cell, message)
        return result

    def event(self, slide: Slide) -> _Draft | None:
        start = self.date(slide.start, slide.row, "start")
        end = self.date(slide.end, slide.row, "end") if slide.end else None
        body = self.html(slide.text, body_markdown)
        title = self.title(slide, body)
        if start is None or title is None:
            return None
        draft = _Draft(slide.row, {"draft": True, "title": title[0]}, {"title": title[1]})
        draft.values["date"], draft.origins["date"] = _written(start[0]), start[1]
        if end is not None:
            draft.values["end_date"], draft.origins["end_date"] = _written(end[0]), end[1]
        self.display_date(slide, draft, start[0], end[0] if end else None)
        self.texts(slide, draft, body)
        self.media(slide, draft)
        self.sources(slide, draft, body)
        if _text(slide.unique_id):
            draft.unique_id = slide.unique_id.text
        return draft

    def title(self, slide: Slide, body: ReadHtml | None) -> tuple[str, Cell] | None:
        if slide.kind == EVENT and slide.headline is None and slide.description is not None:
            return self.title_from_description(slide, body)
        headline = self.html(slide.headline, plain_text)
        if headline is None or not headline.text:
            where = slide.headline or _missing(slide.row, "text.headline")
            self.error(where, "is empty; an entry needs a headline for its title")
            return None
        return headline.text, slide.headline

    def title_from_description(self, slide: Slide, body: ReadHtml | None) -> tuple[str, Cell] | None:
        """TimelineSetter has no headline: the html's first heading, else the description's first sentence."""
        heading = _HEADING.search(body.text) if body else None
        if heading:
            return _heading_text(heading), slide.text
        description = self.html(slide.description, plain_text)
        if description is None or not description.text:
            self.error(slide.description or slide.row, "is empty; an event needs a description (or a heading in "
                       "its html) to make its title from")
            return None
        sentence = _SENTENCE.match(description.text)
        title = sentence[1] if sentence and len(sentence[1]) <= MAX_TITLE else description.text
        if len(title) > MAX_TITLE:
            title = title[:MAX_TITLE - 1].rsplit(" ", 1)[0] + "…"
        self.warn(slide.description, f'has no headline in TimelineSetter\'s format; the title "{title}" is made '
                  "from it: check it")
        return title, slide.description

    def display_date(self, slide: Slide, draft: _Draft, start: PartialDate, end: PartialDate | None) -> None:
        cell = slide.display_date if _text(slide.display_date) else (slide.start.display_date if slide.start else None)
        shown = self.html(cell, plain_text)
        if shown is None or not shown.text:
            return
        for circa in (False, True):
            if shown.text in self.written_dates(start, end, circa):
                if circa:
                    draft.values["circa"] = True
                return
        draft.values["date_label"], draft.origins["date_label"] = shown.text, cell

    def written_dates(self, start: PartialDate, end: PartialDate | None, circa: bool) -> set[str]:
        """The date as the builder writes it, on one line as a cell is read: in the project's language
        and in English (en-GB), as its versions before languages did."""
        written = set()
        for language in dict.fromkeys((self.settings.language, "en-GB")):
            formats = formats_for(language)
            text = "".join(formats.range(start, end, circa)) if end else formats.date(start, circa)
            written.add(" ".join(text.split()))
        return written

    def texts(self, slide: Slide, draft: _Draft, body: ReadHtml | None) -> None:
        """Summary, body and tags."""
        if slide.description is not None and slide.headline is None:  # TimelineSetter
            self.setter_texts(slide, draft, body)
        elif body is not None and body.summary:
            draft.values["summary"], draft.origins["summary"] = body.summary, slide.text
        if body is not None and body.text:
            text = body.text
            heading = _HEADING.match(text)
            if heading and _heading_text(heading) == draft.values["title"]:
                text = text[heading.end():]
            if text.strip():
                draft.values["body"], draft.origins["body"] = text.strip(), slide.text
        if body is not None and body.place:
            draft.values["place"], draft.origins["place"] = _place_values(body.place), slide.text
        if body is not None and body.tags is not None:
            draft.values["tags"], draft.origins["tags"] = list(body.tags), slide.text
        elif _text(slide.group):
            group = self.html(slide.group, plain_text)
            draft.values["tags"], draft.origins["tags"] = [group.text], slide.group

    def setter_texts(self, slide: Slide, draft: _Draft, body: ReadHtml | None) -> None:
        description = self.html(slide.description, plain_text)
        if description is None or not description.text:
            return
        if len(description.text) <= MAX_SUMMARY:
            draft.values["summary"], draft.origins["summary"] = description.text, slide.description
        else:
            # Too long for a summary: the body, after the html (TimelineSetter shows it there).
            draft.values["description_body"] = body_markdown(slide.description.text).text
            draft.origins.setdefault("body", slide.description)

    def media(self, slide: Slide, draft: _Draft) -> None:
        url = slide.media.text if _text(slide.media) else ""
        if not url:
            return
        if url.startswith("<"):
            if not self.html(slide.media, plain_text).refused:
                self.warn(slide.media, "holds embedded markup, which is not imported (the site embeds nothing "
                          "from elsewhere)")
            return
        src = self.image_src(url)
        if src is None:
            draft.values.setdefault("links", []).append((url, slide.media))
            self.warn(slide.media, "is not an image file (.jpg, .png, .gif, .webp, .avif or .svg); it is kept as a "
                      "link among the sources")
            return
        media = {"src": src}
        alt = self.html(slide.alt, plain_text)
        caption = self.html(slide.caption, plain_text)
        credit = self.html(slide.credit, plain_text)
        if alt is not None and alt.text:
            media["alt"] = alt.text
        elif caption is not None and caption.text:
            media["alt"] = caption.text
            self.warn(slide.media, "has no Alt Text; its caption is used, as TimelineJS does: say what the image "
                      "shows in the entry's media.alt")
        else:
            self.error(slide.media, "has no Alt Text; say what the image shows, for readers who cannot see it")
            return
        for key, read in (("caption", caption), ("credit", credit)):
            if read is not None and read.text:
                media[key] = read.text
        draft.values["media"] = media
        draft.origins.update({"media": slide.media, "media.src": slide.media, "media.alt": slide.alt or slide.media,
                              "media.caption": slide.caption, "media.credit": slide.credit})

    def image_src(self, url: str) -> str | None:
        """The media src for an image URL (a file of content/media/ when the URL is this site's own);
        None for a URL that is not an image."""
        own = f"{self.settings.base_url}{MEDIA_DIR}/"
        if url.startswith(own) and (self.media_dir / url[len(own):]).is_file():
            return url[len(own):]
        parts = urlsplit(url)
        if parts.scheme.lower() in ("http", "https") and not _IMAGE.search(parts.path):
            return None
        return url

    def sources(self, slide: Slide, draft: _Draft, body: ReadHtml | None) -> None:
        if body is not None and body.sources:
            draft.values["sources"] = [_source_values(source) for source in body.sources]
            draft.origins.update({f"sources[{index}]": slide.text for index in range(1, len(body.sources) + 1)})
            return
        found: list[tuple[dict, Cell]] = []
        credit = self.html(slide.credit, plain_text)
        for url, cell in draft.values.pop("links", []):
            named = credit.text if credit is not None and credit.text else _host(url)
            found.append(({"name": named, "url": url}, cell))
        for url, _ in (body.links if body else ()):
            found.append(({"name": _host(url), "url": url}, slide.text))
        if _text(slide.link):
            found.append(({"name": _host(slide.link.text), "url": slide.link.text}, slide.link))
        if credit is not None and credit.text and not any(source["name"] == credit.text for source, _ in found):
            links = credit.links
            found.append(({"name": credit.text, **({"url": links[0][0]} if links else {})}, slide.credit))
        self.keep_sources(slide, draft, found)

    def keep_sources(self, slide: Slide, draft: _Draft, found: list[tuple[dict, Cell]]) -> None:
        unique, seen = [], set()
        for source, cell in found:
            key = source.get("url") or source["name"]
            if key not in seen:
                seen.add(key)
                unique.append((source, cell))
        if len(unique) > MAX_SOURCES:
            self.warn(slide.row, f"gives {len(unique)} links and credits; the first {MAX_SOURCES} are its sources")
            unique = unique[:MAX_SOURCES]
        if not unique:
            self.warn(slide.row, "names no source (no link, no media credit); the entry has one to fill in: "
                      f'"{PLACEHOLDER_SOURCE}"')
            unique = [({"name": PLACEHOLDER_SOURCE}, slide.row)]
        draft.values["sources"] = [source for source, _ in unique]
        draft.origins.update({f"sources[{index}]": cell for index, (_, cell) in enumerate(unique, 1)})

    # ------------------------------------------------------------ dates

    def date(self, cells: DateCells | None, row: Cell, role: str) -> tuple[PartialDate, Cell] | None:
        """The date the cells give, at the precision they give, and the cell that names it; None (and a
        problem) when they give none or a wrong one."""
        if cells is None or not any(_text(getattr(cells, part)) for part in ("year", "written")):
            given = [cell for cell in (cells.month, cells.day, cells.time) if _text(cell)] if cells else []
            where = given[0] if given else (cells and (cells.year or cells.written) or
                                            _missing(row, f"{role}_date.year"))
            self.error(where, f"gives no {'end ' if role == 'end' else ''}year; "
                       + ("an event needs at least its year" if role == "start" else
                          "an end date needs at least its year (or leave the end empty)"))
            return None
        if _text(cells.written):
            return self.written_date(cells.written)
        return self.date_from_parts(cells)

    def written_date(self, cell: Cell) -> tuple[PartialDate, Cell] | None:
        """A whole date in one cell, as TimelineJS's version 1 sheets and TimelineSetter take it: ISO 8601, a
        date written out (Mar. 20, 2010 11:59 PM), or month/day/year, the order both tools read."""
        text = cell.text
        numeric = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})(?:\s+(.+))?|(\d{1,2})/(\d{4})", text)
        if numeric and numeric[5]:
            text = f"{numeric[6]}-{int(numeric[5]):02d}"
        elif numeric:
            text = f"{numeric[3]}-{int(numeric[1]):02d}-{int(numeric[2]):02d}"
            if numeric[4]:
                clock = self.clock(Cell(numeric[4], cell.line, cell.column, cell.name))
                if clock is None:
                    return None
                text += f" {clock[0]:02d}:{clock[1]:02d}"
        return self.parsed(text, cell)

    def date_from_parts(self, cells: DateCells) -> tuple[PartialDate, Cell] | None:
        year = self.number(cells.year, "a year", 1, 9999)
        month = self.number(cells.month, "a month", 1, 12) if _text(cells.month) else None
        day = self.day(cells, year, month) if _text(cells.day) else None
        if year is None or _text(cells.month) and month is None or _text(cells.day) and day is None:
            return None
        text = f"{year:04d}" + (f"-{month:02d}" if month else "") + (f"-{day:02d}" if day else "")
        clock = self.time_of_day(cells, day)
        if clock is False:
            return None
        if clock:
            text += f" {clock[0]:02d}:{clock[1]:02d}"
        return self.parsed(text, cells.year)

    def number(self, cell: Cell, what: str, low: int, high: int) -> int | None:
        cleaned = re.sub(r"[\s,]", "", cell.text)  # "2,021", as TimelineJS reads it
        if not re.fullmatch(r"-?\d+", cleaned):
            self.error(cell, f'"{shortened(cell.text)}" is not {what}; write a whole number such as '
                       f'{ {"a year": 2021, "a month": 8, "a day": 6}.get(what, low)}')
            return None
        value = int(cleaned)
        if not low <= value <= high:
            if what == "a year":
                self.error(cell, f"{value} is {'before year 1' if value < 1 else 'after year 9999'}; years go from 1 "
                           "to 9999 (there are no years BC)")
            else:
                self.error(cell, f"{value} is not {what}; write a number from {low} to {high}")
            return None
        return value

    def day(self, cells: DateCells, year: int | None, month: int | None) -> int | None:
        if not _text(cells.month):
            self.error(cells.day, "gives a day without its month; fill in the month too")
            return None
        if year is None or month is None:
            return None
        days = calendar.monthrange(year, month)[1]
        if re.fullmatch(r"\d+", cells.day.text) and not 1 <= int(cells.day.text) <= days:
            self.error(cells.day, f"{int(cells.day.text)} is not a day of {dates.MONTH_NAMES[month - 1]} {year}, "
                       f"which has {days} days")
            return None
        return self.number(cells.day, "a day", 1, days)

    def time_of_day(self, cells: DateCells, day: int | None) -> tuple[int, int] | None | bool:
        """(hour, minute), None for no time, False for a wrong one (reported)."""
        given = [cell for cell in (cells.time, cells.hour, cells.minute) if _text(cell)]
        if not given:
            return None
        if day is None:
            self.error(given[0], "gives a time without the day; fill in the month and day too")
            return False
        if _text(cells.time):
            return self.clock(cells.time) or False
        if not _text(cells.hour):
            self.error(cells.minute, "gives minutes without the hour")
            return False
        hour = self.number(cells.hour, "an hour", 0, 23)
        minute = self.number(cells.minute, "a minute", 0, 59) if _text(cells.minute) else 0
        second = self.number(cells.second, "a second", 0, 59) if _text(cells.second) else 0
        if second:
            self.error(cells.second, f"gives {second} seconds; times are kept to the minute: leave the seconds out")
            return False
        return (hour, minute) if hour is not None and minute is not None and second is not None else False

    def clock(self, cell: Cell) -> tuple[int, int] | None:
        """A time as TimelineJS reads its Time column: 14:30, 14:30:00, 2:30 PM, 1430, 14.30, 4 pm."""
        match = re.fullmatch(r"(\d{1,2})(?:[:.](\d{2})(?:[:.](\d{2})(?:[.,]\d+)?)?)?\s*(?:([ap])\.?\s*m\.?)?|(\d{1,2})(\d{2})",
                             cell.text.strip(), re.IGNORECASE)
        if match is None:
            self.error(cell, f'"{shortened(cell.text)}" is not a time of day; write it as 14:30 or 2:30 PM')
            return None
        hour, minute = int(match[1] or match[5]), int(match[2] or match[6] or 0)
        if match[3] and int(match[3]):
            self.error(cell, f'"{cell.text}" gives seconds; times are kept to the minute: write {hour:02d}:{minute:02d}')
            return None
        half = (match[4] or "").lower()
        if half and not 1 <= hour <= 12:
            self.error(cell, f'"{cell.text}" is not a time of day: am and pm go with the hours 1 to 12')
            return None
        hour = hour % 12 + (12 if half == "p" else 0) if half else hour
        if hour > 23 or minute > 59:
            self.error(cell, f'"{cell.text}" is not a time of day (00:00 to 23:59)')
            return None
        return hour, minute

    def parsed(self, text: str, cell: Cell) -> tuple[PartialDate, Cell] | None:
        try:
            return dates.parse_date(text, self.tz), cell
        except dates.DateError as err:
            self.error(cell, str(err))
        except (OverflowError, ValueError):
            self.error(cell, f'"{shortened(text)}" is too close to the first or last day a date can have; give the '
                       "day without a time")
        return None

    # ------------------------------------------------------------ the title slide and eras

    def settings_text(self, slides: tuple[Slide, ...]) -> str | None:
        """The YAML to add to timeline.yaml for the file's eras it lacks, and its title slide if it differs."""
        eras = [era for era in (self.era(slide) for slide in slides if slide.kind == ERA) if era]
        self.check_eras(eras)
        known = {(era.label, era.start.iso(), era.end.iso()) for era in self.settings.eras}
        missing = [values for values, _ in eras
                   if (values["label"], values["start"].iso(), values["end"].iso()) not in known]
        title = next((slide for slide in slides if slide.kind == TITLE), None)
        parts = [self.title_lines(title)] if title is not None else []
        if missing:
            dumped = _dump({"eras": [_era_yaml(era) for era in missing]}).splitlines()
            below = " (below its eras:)" if self.settings.eras else ":"
            parts.append([f"# eras to add to content/timeline.yaml{below}", *(dumped[1:] if self.settings.eras
                                                                             else dumped)])
        text = "\n\n".join("\n".join(part) for part in parts if part)
        return text + "\n" if text else None

    def title_lines(self, slide: Slide) -> list[str]:
        headline = self.html(slide.headline, plain_text)
        text = self.html(slide.text, plain_text)
        values = {key: read.text for key, read in (("title", headline), ("description", text)) if read and read.text}
        differ = {key: value for key, value in values.items() if value != getattr(self.settings, key)}
        if not differ:
            return []
        return ["# the file's title slide, if you want it in content/timeline.yaml instead of what it says:",
                *("# " + line for line in _dump(differ).splitlines())]

    def era(self, slide: Slide) -> tuple[dict, dict[str, Cell]] | None:
        label = self.html(slide.headline, plain_text)
        if label is None or not label.text:
            self.error(slide.headline or _missing(slide.row, "text.headline"), "is empty; an era needs a headline "
                       "for its label")
        start = self.date(slide.start, slide.row, "start")
        end = self.date(slide.end, slide.row, "end") if slide.end else None
        if slide.end is None:
            self.error(slide.row, "is an era without an end date; give at least its End Year")
        if label is None or not label.text or start is None or end is None:
            return None
        values = {"label": label.text, "start": start[0], "end": end[0]}
        note = self.html(slide.text, plain_text)
        if note is not None and note.text:
            values["note"] = note.text
        return values, {"label": slide.headline, "start": start[1], "end": end[1], "note": slide.text}

    def check_eras(self, eras: list[tuple[dict, dict[str, Cell]]]) -> None:
        """Validate the eras as timeline.yaml would hold them; problems placed on their cells."""
        if not eras:
            return
        text = _dump({"title": self.settings.title, "base_url": self.settings.base_url,
                      "timezone": self.settings.timezone, "eras": [_era_yaml(era) for era, _ in eras]})
        report = Report(self.path)
        validate_settings(report, parse_yaml(text.encode("utf-8")))
        for problem in report.problems:
            match = re.match(r"eras\[(\d+)\]\.?(\w*)", problem.field)
            if match is None:
                continue
            values, origins = eras[int(match[1]) - 1]
            cell = origins.get(match[2]) or next(iter(origins.values()))
            self.problems.append(Problem(self.path, f"{problem.field}: {problem.message}", field=cell.name,
                                         line=cell.line, column=cell.column, severity=problem.severity))


def _heading_text(heading: re.Match) -> str:
    """A Markdown heading's text as plain text: markdownify's escapes undone."""
    return re.sub(r"\\([\\`*_{}\[\]()#+.!|-])", r"\1", heading[1]).strip()


def _era_yaml(era: dict) -> dict:
    return {key: _written(value) if key in ("start", "end") else value for key, value in era.items()}


_SHEET_NAMES = {"text.headline": "Headline", "start_date.year": "Year", "end_date.year": "End Year"}


def _missing(row: Cell, part: str) -> Cell:
    """Where a value the file does not give would be: its row (or its object, in JSON)."""
    return Cell("", row.line, row.column, f"{row.name}.{part}" if row.name else _SHEET_NAMES[part])


def _origin_label(row: Cell) -> str:
    return row.name or f"row {row.line}"


def _text(cell: Cell | None) -> str:
    return cell.text if cell is not None else ""


def _host(url: str) -> str:
    host = (urlsplit(url).hostname or url).removeprefix("www.")
    return host


def _place_values(parts: tuple[tuple[str, str], ...]) -> dict:
    values = {}
    for name, text in parts:
        try:
            values[name] = float(text) if name in ("lat", "lon") else text
        except ValueError:
            values[name] = text  # validation says what is wrong with it
    return values


def _source_values(source) -> dict:
    values = {"name": source.name}
    for key in ("url", "title", "date", "via", "quote"):
        value = getattr(source, key)
        if value:
            values[key] = _WrittenDate(value) if key == "date" else value
    return values



# ---------------------------------------------------------------- ids, files and validation

class _Entries:
    """The drafts as entry files: ids, text, validation, and whether each file exists."""

    def __init__(self, path: str, content_dir: Path, settings: Settings, id_prefix: str, read: EntryReader):
        self.path, self.content_dir, self.settings = path, content_dir, settings
        self.prefix = id_prefix.strip("-")
        self.read = read
        self.reading = Reading.of(content_dir, ZoneInfo(settings.timezone))
        self.problems: list[Problem] = []
        self.warnings = 0
        self.modeline = (content_dir / SCHEMA_FILE).is_file()

    def entries(self, drafts: list[_Draft]) -> tuple[EntryToWrite, ...]:
        ids = self.ids(drafts)
        written = []
        new_entries, origins = [], {}
        for draft, entry_id in zip(drafts, ids):
            text = self.text(draft)
            name = f"{entry_id}.yaml"
            loaded = parse_entry(name, text.encode("utf-8"), self.reading)
            self.place(loaded.problems, draft)
            status = self.status(entry_id, text)
            if loaded.entry is not None and status == NEW:
                new_entries.append(loaded.entry)
                origins[loaded.entry.source_path] = draft
            written.append(EntryToWrite(entry_id, self.reading.path(name), text, _origin_label(draft.row), status))
        if new_entries:
            self.check_against_the_others(new_entries, origins)
        return tuple(written)

    def ids(self, drafts: list[_Draft]) -> list[str]:
        """Each draft's id: its unique_id when that is a valid id, else made from its title; the same file
        always gives the same ids (a repeated one gets -2, -3 in the order of the file)."""
        taken: set[str] = set()
        ids = []
        for draft in drafts:
            base = draft.unique_id if draft.unique_id and ID_PATTERN.fullmatch(draft.unique_id) else None
            base = base or _id_from(draft.values["title"]) or f"event-{slugify(str(draft.values['date']))}"
            base = f"{self.prefix}-{base}" if self.prefix else base
            base = base[:MAX_ID].rstrip("-")
            entry_id, number = base, 1
            while entry_id in taken:
                number += 1
                entry_id = f"{base}-{number}"
            taken.add(entry_id)
            ids.append(entry_id)
        return ids

    def text(self, draft: _Draft) -> str:
        values = dict(draft.values)
        extra = values.pop("description_body", None)
        if extra:
            values["body"] = f"{values['body']}\n\n{extra}" if values.get("body") else extra
        order = ("draft", "title", "date", "end_date", "circa", "date_label", "summary", "body", "tags", "place",
                 "sources", "media")
        header = [f"# yaml-language-server: $schema=../{SCHEMA_FILE}"] if self.modeline else []
        header.append(f"# Imported from {os.path.basename(self.path)}, {_origin_label(draft.row)}, as a draft: check it, "
                      "then delete `draft: true` to publish it.")
        return "\n".join(header) + "\n" + _dump({key: values[key] for key in order if key in values})

    def status(self, entry_id: str, text: str) -> str:
        folder = self.content_dir / ENTRIES_DIR
        for existing in (folder / f"{entry_id}.yaml", folder / f"{entry_id}.yml"):
            if os.path.lexists(existing):
                try:
                    same = read_regular(str(existing), len(text.encode("utf-8")) + 1)[0] == text.encode("utf-8")
                except Refused:
                    same = False
                return UNCHANGED if same else EXISTS
        return NEW

    def place(self, problems, draft: _Draft) -> None:
        """The problems `check` finds in a draft's file, placed on the cells the values came from."""
        for problem in problems:
            if problem.severity == "warning":
                self.warnings += 1
                continue
            cell = _origin(draft, problem.field)
            label = f"{problem.field}: " if problem.field else ""
            self.problems.append(Problem(self.path, label + problem.message, field=cell.name, line=cell.line,
                                         column=cell.column))

    def check_against_the_others(self, new_entries: list, origins: dict[str, _Draft]) -> None:
        """What `check` finds across entries (ids and aliases claimed twice, tags spelled two ways)."""
        loaded = load_content(self.content_dir, self.read)
        for problem in check_uniqueness([*loaded.entries, *new_entries]):
            if problem.severity != "error":
                continue
            if problem.file in origins:
                cell, message = _origin(origins[problem.file], problem.field), problem.message
            else:  # an existing entry claims, as an alias, the id made for a row
                path = next((path for path in origins if display_path(path) in problem.message), None)
                if path is None:
                    continue
                cell = origins[path].row
                message = (f'the id "{Path(path).stem}" made for this row is an alias of '
                           f"{display_path(problem.file)} already; give the row another headline (or unique_id), "
                           "or import with --id-prefix")
            self.problems.append(Problem(self.path, message, field=cell.name, line=cell.line, column=cell.column))


def _origin(draft: _Draft, field_name: str) -> Cell:
    """The cell a field of the draft came from: sources[2].url from the cell of sources[2], else of sources."""
    name = field_name
    while name:
        if draft.origins.get(name) is not None:
            return draft.origins[name]
        name = re.sub(r"(\.[^.\[]*|\[\d+\])$", "", name) if re.search(r"(\.[^.\[]*|\[\d+\])$", name) else ""
    return draft.row


def _id_from(title: str) -> str:
    """An id from a title, as `new` makes it: its words, at most MAX_ID_LENGTH characters."""
    words = [word for word in slugify(title).split("-") if word]
    if not words:
        return ""
    entry_id = words[0][:MAX_ID_LENGTH]
    for word in words[1:]:
        if len(entry_id) + 1 + len(word) > MAX_ID_LENGTH:
            break
        entry_id += "-" + word
    return entry_id


# ---------------------------------------------------------------- YAML as the shipped entries are written

class _WrittenDate(str):
    """A date written bare (2021-08-06), as editors write it, not quoted."""


def _written(date: PartialDate) -> _WrittenDate:
    """A date as the file gives it: ISO 8601 at its precision; a time in the timeline's zone without an offset."""
    if date.precision == "minute" and date.explicit_offset is None:
        return _WrittenDate(f"{date.start:%Y-%m-%d %H:%M}")
    return _WrittenDate(date.iso())


class _Dumper(yaml.SafeDumper):
    """List items indented under their key and multi-line text as a literal block, as in content/entries."""

    def increase_indent(self, flow=False, indentless=False):
        return super().increase_indent(flow, False)


def _represent_text(dumper: _Dumper, value: str):
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


def _represent_date(dumper: _Dumper, value: _WrittenDate):
    # Tagged with what YAML reads the bare text as, so that it is written bare.
    return dumper.represent_scalar(dumper.resolve(yaml.ScalarNode, value, (True, False)), value)


_Dumper.add_representer(str, _represent_text)
_Dumper.add_representer(_WrittenDate, _represent_date)


def _dump(values: dict) -> str:
    return yaml.dump(values, Dumper=_Dumper, sort_keys=False, allow_unicode=True, default_flow_style=False,
                     width=88)

