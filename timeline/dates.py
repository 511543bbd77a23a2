"""Dates as editors write them: parsed at the precision written, shown the same way.

`August 2021` stays a month: it sorts at the start of August and is shown
as "August 2021", never as 1 August. Nothing is ever guessed: a value that
is not a real date, or that could be read two ways, is an error.
"""
from __future__ import annotations

import calendar
import re
import warnings
from datetime import datetime, timedelta, timezone, tzinfo

from dateutil import parser as dateutil_parser
from dateutil.relativedelta import relativedelta

from .model import DAY, MINUTE, MONTH, YEAR, PartialDate

MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July",
               "August", "September", "October", "November", "December")

_ISO = re.compile(
    r"(?P<year>\d{4})"
    r"(?:-(?P<month>\d{1,2})"
    r"(?:-(?P<day>\d{1,2})"
    r"(?:[T ](?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2}(?:\.\d+)?))?"
    r"\s*(?P<offset>Z|[+-]\d{2}(?::?\d{2})?)?"
    r")?)?)?"
)
_NUMERIC_ONLY = re.compile(r"[\d\s/.\-:]+")
_MONTH_WORD = re.compile(
    r"\b(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\b", re.IGNORECASE
)
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_WEEKDAY = re.compile(r"\b(mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?(?![a-z])", re.IGNORECASE)
_FULL_YEAR = re.compile(r"(?<!\d)\d{4}(?!\d)")
_EXAMPLES = '2021, 2021-08, 2021-08-06, "2021-08-06 14:30", "6 August 2021" or "August 2021"'


class DateError(ValueError):
    """A date value that cannot be accepted; the message says why and how to fix it."""


def parse_date(text: str, tz: tzinfo) -> PartialDate:
    """Read one date value; `tz` is the timeline's time zone for times without an offset."""
    text = text.strip()
    if not text:
        raise DateError(f"is empty; write it as {_EXAMPLES}")
    match = _ISO.fullmatch(text)
    if match:
        return _from_iso(text, match, tz)
    if _NUMERIC_ONLY.fullmatch(text):
        raise DateError(
            f'"{_short(text)}" is ambiguous or not a form this tool reads (day/month or month/day?); '
            "write it as 2021-08-06 or 6 August 2021"
        )
    if not _MONTH_WORD.search(text):
        raise DateError(f'"{_short(text)}" is not a date this tool can read; write it as {_EXAMPLES}')
    return _from_words(text, tz)


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _from_iso(text: str, m: re.Match, tz: tzinfo) -> PartialDate:
    year = int(m["year"])
    if m["month"] is None:
        return _make(text, YEAR, year, 1, 1, 0, 0, tz)
    month = _check_month(text, year, int(m["month"]))
    if m["day"] is None:
        return _make(text, MONTH, year, month, 1, 0, 0, tz)
    day = _check_day(text, year, month, int(m["day"]))
    if m["hour"] is None:
        return _make(text, DAY, year, month, day, 0, 0, tz)
    if m["second"] is not None and float(m["second"]) != 0:
        raise DateError(f'"{text}" gives seconds; times are kept to the minute, write {text[:m.end("minute")]}')
    hour, minute = int(m["hour"]), int(m["minute"])
    if hour > 23 or minute > 59:
        raise DateError(f'"{text}" is not a real time of day (00:00 to 23:59)')
    offset = None
    if m["offset"]:
        offset = _offset_minutes(text, m["offset"])
    return _make(text, MINUTE, year, month, day, hour, minute, tz, offset)


def _offset_minutes(text: str, raw: str) -> int:
    if raw == "Z":
        return 0
    sign = -1 if raw[0] == "-" else 1
    digits = raw[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:] or 0)
    if hours > 14 or minutes > 59:
        raise DateError(f'"{text}" has an impossible UTC offset {raw}')
    return sign * (hours * 60 + minutes)


def _check_month(text: str, year: int, month: int) -> int:
    if not 1 <= month <= 12:
        raise DateError(f'"{text}" is not a real date (there is no month {month})')
    return month


def _check_day(text: str, year: int, month: int, day: int) -> int:
    days = calendar.monthrange(year, month)[1]
    if not 1 <= day <= days:
        raise DateError(
            f'"{text}" is not a real date ({MONTH_NAMES[month - 1]} {year} has {days} days)'
        )
    return day


def _from_words(text: str, tz: tzinfo) -> PartialDate:
    named = _WEEKDAY.search(text)
    if named is None:
        return _from_plain_words(text, text, tz)
    # dateutil would move "Friday August 2021" to a Friday and ignore a weekday
    # that does not match the date, so the weekday is checked here instead.
    rest = (text[: named.start()] + text[named.end():]).strip(" ,")
    date = _from_plain_words(rest, text, tz)
    actual = WEEKDAY_NAMES[date.start.weekday()]
    if date.precision not in (DAY, MINUTE):
        raise DateError(f'"{_short(text)}" names {named[0]} but no day of the month; write it as "6 August 2021"')
    if not actual.lower().startswith(named[1].lower()):
        raise DateError(f'"{_short(text)}" names {named[0]}, but {format_date(date)} was a {actual}; check the date')
    return date


def _from_plain_words(text: str, written: str, tz: tzinfo) -> PartialDate:
    # Parsing with two different defaults shows which parts the text really gave.
    try:
        with warnings.catch_warnings():
            # An unknown zone name (PDT, IST...) would silently become local time.
            warnings.simplefilter("error", dateutil_parser.UnknownTimezoneWarning)
            first = dateutil_parser.parse(text, default=datetime(1, 1, 1), dayfirst=True)
            second = dateutil_parser.parse(text, default=datetime(2, 2, 2, 2, 2), dayfirst=True)
    except dateutil_parser.UnknownTimezoneWarning:
        raise DateError(f'"{_short(written)}" names a time zone; write a numeric offset such as +04:30') from None
    except (ValueError, OverflowError) as err:
        raise DateError(_unreadable(written, err)) from None
    given = {
        "year": first.year == second.year,
        "month": first.month == second.month,
        "day": first.day == second.day,
        "time": first.hour == second.hour and first.minute == second.minute,
    }
    if not given["year"]:
        raise DateError(f'"{_short(written)}" has no year; add one, as in "6 August 2021"')
    if not _FULL_YEAR.search(written):
        raise DateError(f'"{_short(written)}" gives the year in two digits, which could be read two ways; '
                        'write it in full, as in "6 August 2021"')
    if given["day"] and not given["month"]:
        raise DateError(f'"{_short(written)}" gives a day without a month')
    offset = None
    if first.tzinfo is not None:
        offset = int(first.utcoffset().total_seconds() // 60)
    if given["time"]:
        precision = MINUTE
    elif given["day"]:
        precision = DAY
    elif given["month"]:
        precision = MONTH
    else:
        precision = YEAR
    if first.second:
        raise DateError(f'"{_short(written)}" gives seconds; times are kept to the minute')
    hour, minute = (first.hour, first.minute) if precision == MINUTE else (0, 0)
    return _make(written, precision, first.year, first.month if precision != YEAR else 1,
                 first.day if precision in (DAY, MINUTE) else 1, hour, minute, tz, offset)


def _unreadable(text: str, err: Exception) -> str:
    message = str(err.args[0]) if err.args else str(err)
    if "day is out of range" in message:
        return f'"{_short(text)}" is not a real date (there is no such day in that month)'
    if "month must be" in message:
        return f'"{_short(text)}" is not a real date (there is no such month)'
    return f'"{_short(text)}" is not a date this tool can read; write it as {_EXAMPLES}'


def _make(text, precision, year, month, day, hour, minute, tz, offset=None) -> PartialDate:
    if year < 1:
        raise DateError(f'"{text}" has year 0; years start at 1')
    zone = timezone(timedelta(minutes=offset)) if offset is not None else tz
    start = datetime(year, month, day, hour, minute, tzinfo=zone)
    if precision == MINUTE and offset is None and _skipped(start):
        raise DateError(f'"{text}" does not exist in the time zone {tz}: the clocks went forward '
                        "over it; check the time, or write the offset, as in 2021-08-06T14:30+04:30")
    return PartialDate(written=text, precision=precision, start=start, explicit_offset=offset)


def _skipped(moment: datetime) -> bool:
    """True for a wall-clock time that a daylight-saving change jumps over."""
    there_and_back = moment.astimezone(timezone.utc).astimezone(moment.tzinfo)
    return there_and_back.replace(tzinfo=None) != moment.replace(tzinfo=None)


def period_end(date: PartialDate) -> datetime:
    """The first instant after the period the date covers: 2021-08 ends at 2021-09-01 00:00."""
    step = {YEAR: relativedelta(years=1), MONTH: relativedelta(months=1),
            DAY: relativedelta(days=1), MINUTE: relativedelta(minutes=1)}[date.precision]
    return date.start + step


def format_offset(moment: datetime) -> str:
    """UTC+4:30, UTC-5, UTC."""
    minutes = int(moment.utcoffset().total_seconds() // 60)
    if minutes == 0:
        return "UTC"
    sign = "+" if minutes > 0 else "-"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")


def format_date(date: PartialDate, circa: bool = False) -> str:
    """The date as a reader sees it, at the precision written: 'August 2021', 'c. 6 August 2021'."""
    start = date.start
    if date.precision == YEAR:
        shown = str(start.year)
    elif date.precision == MONTH:
        shown = f"{MONTH_NAMES[start.month - 1]} {start.year}"
    elif date.precision == DAY:
        shown = f"{start.day} {MONTH_NAMES[start.month - 1]} {start.year}"
    else:
        shown = (f"{start.day} {MONTH_NAMES[start.month - 1]} {start.year}, "
                 f"{start:%H:%M} ({format_offset(start)})")
    return f"c. {shown}" if circa else shown


def format_range(start: PartialDate, end: PartialDate, circa: bool = False) -> tuple[str, str, str]:
    """A range as (first, separator, last), naming only once what both ends share.

    ('1 May', ' – ', '31 August 2021'), ('2', '–', '7 August 2021'), ('May', ' – ', 'August 2021');
    ends written at different precisions, or with times, are shown in full.
    """
    first, last = format_date(start), format_date(end)
    same_year = start.start.year == end.start.year
    if start.precision == end.precision and same_year and start.precision in (MONTH, DAY):
        same_month = start.start.month == end.start.month
        if start.precision == DAY and same_month:
            return (f"c. {start.start.day}" if circa else str(start.start.day)), "–", last
        if start.precision == DAY:
            first = f"{start.start.day} {MONTH_NAMES[start.start.month - 1]}"
        else:
            first = MONTH_NAMES[start.start.month - 1]
    separator = " – " if " " in first + last else "–"
    return (f"c. {first}" if circa else first), separator, last


def period_key(date: PartialDate, by_year: bool = False) -> tuple[int, int]:
    """The heading a date is grouped under, as (year, month), month 0 by year or for a year-only date."""
    return date.start.year, 0 if by_year or date.precision == YEAR else date.start.month


def period_label(date: PartialDate, by_year: bool = False) -> str:
    """The heading of period_key: 'August 2021', or '2021'."""
    year, month = period_key(date, by_year)
    return f"{MONTH_NAMES[month - 1]} {year}" if month else str(year)
