"""Dates as editors write them: parsed at the precision written (locales.py shows them the same way).

`August 2021` stays a month: it sorts at the start of August and is shown
as "August 2021", never as 1 August. Nothing is ever guessed: a value that
is not a real date, or that could be read two ways, is an error; and every
part of a value is read or the value is refused, so nothing written is lost.

Dates run from year 1 to 9999 in any time zone. A time of day must also fall
in those years in UTC (from 0001-01-01 00:00 to 9999-12-31 23:59 UTC), so that
every time can be written in UTC; a date without a time needs no such bound.
Written-out dates are read by the grammar below, not by a general parser:
dateutil, used before, read "6-7 August 2021" as 7 August 2006 at 20:21 and
"UTC+4:30" as UTC-4:30, and dropped the time from "6 August 2021 4pm".
"""
from __future__ import annotations

import calendar
import os
import re
from datetime import date, datetime, timedelta, timezone, tzinfo

from .model import DAY, MINUTE, MONTH, YEAR, PartialDate, shortened

MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July",
               "August", "September", "October", "November", "December")
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

_ISO = re.compile(
    r"(?P<year>\d{4})"
    r"(?:-(?P<month>\d{1,2})"
    r"(?:-(?P<day>\d{1,2})"
    r"(?:[T ](?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2}(?:\.\d+)?))?"
    r"\s*(?P<offset>Z|[+-]\d{2}(?::?\d{2})?)?"
    r")?)?)?"
)
_NUMERIC_ONLY = re.compile(r"[\d\s/.\-:]+")
# A year not written with four digits, alone or in an ISO-like date: 800, -44, 20210, 800-08-06.
_ODD_YEAR = re.compile(r"(?P<minus>-)?(?P<year>\d+)(?:-\d{1,2}(?:-\d{1,2})?)?")
_MONTH_WORD = re.compile(
    r"\b(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\b", re.IGNORECASE
)
_EXAMPLES = '2021, 2021-08, 2021-08-06, "2021-08-06 14:30", "6 August 2021" or "August 2021"'

_MONTHS = {**{name.lower(): number for number, name in enumerate(MONTH_NAMES, 1)},
           **{name[:3].lower(): number for number, name in enumerate(MONTH_NAMES, 1)}, "sept": 9}
_WEEKDAYS = {**{name.lower(): number for number, name in enumerate(WEEKDAY_NAMES)},
             **{name[:3].lower(): number for number, name in enumerate(WEEKDAY_NAMES)},
             "tues": 1, "weds": 2, "thur": 3, "thurs": 3}


def _words(table: dict) -> str:
    """A regex alternative of the table's words, longest first, each a whole word."""
    return "(?:" + "|".join(sorted(table, key=len, reverse=True)) + r")(?![^\W\d_])"


# The written-out dates read: [weekday] 6 [of] August 2021, [weekday] August 6, 2021, August 2021;
# the day may carry st/nd/rd/th, names may be abbreviated (Aug, Aug.), the year may carry AD or CE.
_WRITTEN = re.compile(rf"""
    (?:(?P<weekday>{_words(_WEEKDAYS)})\.?\s*,?\s+)?
    (?: (?:the\s+)?(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\.?\s+(?:of\s+)?(?P<month>{_words(_MONTHS)})\.?
      | (?P<month_first>{_words(_MONTHS)})\.?\s+(?P<day_after>\d{{1,2}})(?:st|nd|rd|th)?
      | (?P<month_alone>{_words(_MONTHS)})\.?
    )
    \s*,?\s+ (?:(?:AD|A\.D\.)\s+)? (?P<year>\d{{3,4}}) (?:\s+(?:AD|A\.D\.|CE|C\.E\.))?
""", re.IGNORECASE | re.VERBOSE)

# A clock time: 4pm, 4 p.m., 4:30am, 14:30, 14:30:00, 16h, 14h30; then perhaps an offset:
# +04:30, +0430, -05, Z, UTC, GMT, UTC+4:30, (UTC+4:30) as times are shown, or an uppercase zone name.
_CLOCK = r"""
    (?P<hour>\d{1,2})
    (?: (?::(?P<minute12>\d{2})(?::(?P<second12>\d{2}))?)?\s*(?P<half>[ap])\.?\s?m\.?(?![^\W\d_])
      | :(?P<minute>\d{2})(?::(?P<second>\d{2}))?
      | h(?P<minute_h>\d{2})?(?![^\W\d_])
    )
    (?:\s*(?P<open>\()?\s*(?P<offset>Z|(?:UTC|GMT)?\s*[+-]\d{1,2}(?::?\d{2})?|UTC|GMT)(?![^\W\d_])\s*(?(open)\)))?
    (?:\s+(?P<zone>(?-i:[A-Z]{2,5})))?
"""
_TIME_LAST = re.compile(rf"(?:\s*,\s*|\s+at\s+|\s+){_CLOCK}$", re.IGNORECASE | re.VERBOSE)
_TIME_FIRST = re.compile(rf"^{_CLOCK}(?:\s*,\s*|\s+on\s+|\s+)", re.IGNORECASE | re.VERBOSE)
_ANY_CLOCK = re.compile(r"\d{1,2}(?::\d{2}|\s*[ap]\.?\s?m\b|h\d{0,2}\b)", re.IGNORECASE)
_OFFSET = re.compile(r"(?:UTC|GMT)?\s*(?P<sign>[+-])(?P<hours>\d{1,2})(?::?(?P<minutes>\d{2}))?", re.IGNORECASE)
# A number after a whole date that could only be an hour: "6 August 2021 13", "at 4", "4 o'clock".
_BARE_HOUR = re.compile(r"(?P<date>.*?)(?:\s*,\s*|\s+at\s+|\s+)(?P<hour>\d{1,2})(?:\s*o'?\s?clock)?", re.IGNORECASE)
_DOTTED_TIME = re.compile(r"(?<![\d.])\d{1,2}\.\d{2}(?![\d.])")
_APPROXIMATE = {"c", "ca", "circa", "about", "around", "approximately", "early", "mid", "late", "sometime",
                "before", "after", "by", "until", "end", "beginning", "start"}
# Words the grammar reads, or pieces of them (a.m., A.D., o'clock), that are no clue to what went wrong.
_PARTS = {"the", "of", "at", "on", "st", "nd", "rd", "th", "ad", "ce", "a", "d", "e", "am", "pm", "p", "m", "h", "o",
          "clock", "utc", "gmt", "z"}
_MORE_THAN_ONE = "names more than one date; write one, as in \"6 August 2021\" (an event that spans time takes end_date)"

# The longest value read: "Wednesday, the 22nd of September 2021 at 10:30 a.m. (UTC+4:30)" has 62
# characters. The patterns above backtrack over runs of spaces, so a far longer value is refused unread.
_LONGEST = 100

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_SECOND = timedelta(seconds=1)
_FIRST_TIME = datetime(1, 1, 1, tzinfo=timezone.utc)
_LAST_TIME = datetime(9999, 12, 31, 23, 59, tzinfo=timezone.utc)
_TIME_RANGE = "a time must fall from 0001-01-01 00:00 to 9999-12-31 23:59 UTC"


class DateError(ValueError):
    """A date value that cannot be accepted; the message says why and how to fix it."""


def parse_date(text: str, tz: tzinfo) -> PartialDate:
    """Read one date value; `tz` is the timeline's time zone for times without an offset."""
    text = text.strip()
    if not text:
        raise DateError(f"is empty; write it as {_EXAMPLES}")
    if len(text) > _LONGEST:
        raise DateError(f'"{shortened(text)}" is {len(text):,} characters long, too long for a date; write it as {_EXAMPLES}')
    match = _ISO.fullmatch(text)
    if match:
        return _from_iso(text, match, tz)
    odd_year = _ODD_YEAR.fullmatch(text)
    if odd_year:
        raise DateError(_odd_year(text, odd_year))
    if _NUMERIC_ONLY.fullmatch(text):
        raise DateError(
            f'"{shortened(text)}" is ambiguous or not a form this tool reads (day/month or month/day?); '
            "write it as 2021-08-06 or 6 August 2021"
        )
    if not _MONTH_WORD.search(text):
        raise DateError(f'"{shortened(text)}" is not a date this tool can read; write it as {_EXAMPLES}')
    return _from_words(text, tz)



def _odd_year(text: str, match: re.Match) -> str:
    if match["minus"]:
        return f'"{shortened(text)}" is before year 1; years start at 1 (there are no years BC)'
    if len(match["year"]) > 4:
        return f'"{shortened(text)}" is after year 9999; years go from 1 to 9999'
    year = int(match["year"])
    return (f'"{shortened(text)}" does not give the year in four digits; write it in full, as in 2021-08-06 '
            f"(the year {year} is written {year:04d})")


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
    hour, minute = _check_time_of_day(text, int(m["hour"]), int(m["minute"]))
    offset = _offset_minutes(text, m["offset"]) if m["offset"] else None
    return _make(text, MINUTE, year, month, day, hour, minute, tz, offset)


def _check_time_of_day(text: str, hour: int, minute: int) -> tuple[int, int]:
    if hour > 23 or minute > 59:
        raise DateError(f'"{shortened(text)}" is not a real time of day (00:00 to 23:59)')
    return hour, minute


def _offset_minutes(text: str, raw: str) -> int:
    if raw.upper() in ("Z", "UTC", "GMT"):
        return 0
    m = _OFFSET.fullmatch(raw)
    hours, minutes = int(m["hours"]), int(m["minutes"] or 0)
    if hours > 14 or minutes > 59:
        raise DateError(f'"{shortened(text)}" has an impossible UTC offset {raw}')
    return (-1 if m["sign"] == "-" else 1) * (hours * 60 + minutes)


def _check_month(text: str, year: int, month: int) -> int:
    if not 1 <= month <= 12:
        raise DateError(f'"{text}" is not a real date (there is no month {month})')
    return month


def _check_day(text: str, year: int, month: int, day: int) -> int:
    days = calendar.monthrange(year, month)[1]
    if not 1 <= day <= days:
        raise DateError(
            f'"{shortened(text)}" is not a real date ({MONTH_NAMES[month - 1]} {year} has {days} days)'
        )
    return day


# --- written-out dates -------------------------------------------------------------

def _from_words(text: str, tz: tzinfo) -> PartialDate:
    date_part, clock = _split_time(text)
    match = _WRITTEN.fullmatch(date_part)
    if match is None:
        raise DateError(_unreadable(date_part, text))
    year, month, day = _written_day(match, text)
    if clock is None:
        precision = DAY if day else MONTH
        return _make(text, precision, year, month, day or 1, 0, 0, tz)
    if day is None:
        raise DateError(f'"{shortened(text)}" gives a time but no day; add the day, as in "6 August 2021 14:30"')
    hour, minute, offset = _read_clock(clock, text)
    return _make(text, MINUTE, year, month, day, hour, minute, tz, offset)


def _split_time(text: str) -> tuple[str, re.Match | None]:
    """The date part of a written-out value, and its clock time, written after or before the date."""
    last, first = _TIME_LAST.search(text), _TIME_FIRST.match(text)
    if last and first:
        raise DateError(f'"{shortened(text)}" gives two times; keep one, as in "6 August 2021 14:30"')
    if last:
        return text[:last.start()], last
    if first:
        return text[first.end():], first
    return text, None


def _written_day(match: re.Match, text: str) -> tuple[int, int, int | None]:
    """Year, month and day (None for a month) of a match of _WRITTEN, checked against any weekday named."""
    year = _check_year(text, int(match["year"]))
    month = _MONTHS[(match["month"] or match["month_first"] or match["month_alone"]).lower()]
    written_day = match["day"] or match["day_after"]
    day = _check_day(text, year, month, int(written_day)) if written_day else None
    weekday = match["weekday"]
    if weekday and day is None:
        raise DateError(f'"{shortened(text)}" names {weekday} but no day of the month; write it as "6 August 2021"')
    if weekday:
        actual = calendar.weekday(year, month, day)
        if actual != _WEEKDAYS[weekday.lower()]:
            shown = f"{day} {MONTH_NAMES[month - 1]} {year}"
            raise DateError(f'"{shortened(text)}" names {weekday}, but {shown} was a {WEEKDAY_NAMES[actual]}; '
                            "check the date")
    return year, month, day


def _read_clock(clock: re.Match, text: str) -> tuple[int, int, int | None]:
    """Hour, minute and offset (None for the timeline's time zone) of a match of _CLOCK."""
    if clock["zone"]:
        raise DateError(f'"{shortened(text)}" names a time zone; write a numeric offset such as +04:30')
    seconds = clock["second"] or clock["second12"]
    if seconds and int(seconds):
        raise DateError(f'"{shortened(text)}" gives seconds; times are kept to the minute')
    hour = int(clock["hour"])
    minute = int(clock["minute"] or clock["minute12"] or clock["minute_h"] or 0)
    if clock["half"]:
        hour = _twelve_hour(text, hour, minute, clock["half"].lower())
    hour, minute = _check_time_of_day(text, hour, minute)
    offset = _offset_minutes(text, clock["offset"].strip()) if clock["offset"] else None
    return hour, minute, offset


def _twelve_hour(text: str, hour: int, minute: int, half: str) -> int:
    """The 24-hour clock's hour for 4am or 4pm."""
    if hour == 12:
        # 12am and 12pm are read both ways (midnight or noon?), so neither is guessed.
        raise DateError(f'"{shortened(text)}": 12am and 12pm are read both ways; write the time on the 24-hour clock, '
                        f"00:{minute:02d} after midnight or 12:{minute:02d} after noon")
    if not 1 <= hour <= 11:
        raise DateError(f'"{shortened(text)}" is not a real time: am and pm go with the hours 1 to 11; '
                        "write the time on the 24-hour clock, as in 14:30")
    return hour + (12 if half == "p" else 0)


def _unreadable(part: str, text: str) -> str:
    """Why the date part of a written-out value is not a date this tool reads, and what to write."""
    quoted = f'"{shortened(text)}"'
    words = re.findall(r"[^\W\d_]+", part.lower())
    for check in (_bare_hour, _era, _named_time, _dotted_time, _misplaced_clock, _approximate, _many_dates,
                  _year_count):
        message = check(quoted, part, words)
        if message:
            return message
    unknown = [word for word in words if word not in _MONTHS and word not in _WEEKDAYS and word not in _PARTS]
    if unknown:
        return f'{quoted}: this tool does not read "{unknown[0]}" in a date; write it as {_EXAMPLES}'
    return f"{quoted} is not a date this tool can read; write it as {_EXAMPLES}"


def _bare_hour(quoted: str, part: str, words: list[str]) -> str | None:
    bare = _BARE_HOUR.fullmatch(part)
    date = _WRITTEN.fullmatch(bare["date"]) if bare else None
    if date is None or not (date["day"] or date["day_after"]):
        return None
    day, hour = bare["date"].strip(), int(bare["hour"])
    if hour > 23:
        return f"{quoted} ends with a number that is neither a time nor part of the date; remove it"
    shown = f'"{day} {hour:02d}:00"' + (f' or "{day} {hour + 12:02d}:00"' if 1 <= hour <= 11 else "")
    return f"{quoted} gives an hour without minutes or am/pm, which could be read two ways; write it as {shown}"


def _many_dates(quoted: str, part: str, words: list[str]) -> str | None:
    if sum(word in _MONTHS for word in words) > 1:
        return f"{quoted} {_MORE_THAN_ONE}"
    if sum(word in _WEEKDAYS for word in words) > 1:
        return f"{quoted} names more than one weekday; keep the one that goes with the date"
    numbers = re.findall(r"\d+", part)
    days = [number for number in numbers if len(number) <= 2]
    if len(days) > 1 and len(numbers) > len(days):
        return (f"{quoted} has more than one day, or a number this tool cannot place ({', '.join(days)}); "
                'write one date, as in "6 August 2021" (an event that spans time takes end_date)')
    return None


def _year_count(quoted: str, part: str, words: list[str]) -> str | None:
    numbers = re.findall(r"\d+", part)
    years = [number for number in numbers if len(number) in (3, 4)]
    if any(len(number) > 4 for number in numbers):
        return f"{quoted} has a year after 9999; years go from 1 to 9999"
    if len(years) > 1:
        return (f"{quoted} has more than one year ({', '.join(years)}), or a time without a colon; "
                'write one date, and any time with a colon, as in "6 August 2021 14:30"')
    if years:
        return None
    if len(numbers) >= 2 and len(numbers[-1]) == 2:
        return (f"{quoted} gives the year in two digits, which could be read two ways; write it in full, "
                f'as in "6 August 2021" (the year {int(numbers[-1])} is written {int(numbers[-1]):04d})')
    return f'{quoted} has no year; add one, as in "6 August 2021"'


def _era(quoted: str, part: str, words: list[str]) -> str | None:
    if {"bc", "bce"} & set(words) or re.search(r"\bb\.\s?c\.", part, re.IGNORECASE):
        return f"{quoted} is before year 1; years start at 1 (there are no years BC)"
    return None


def _named_time(quoted: str, part: str, words: list[str]) -> str | None:
    named = re.search(r"(?:\s*,\s*|\s+at\s+|\s+)(noon|midnight)$", part, re.IGNORECASE)
    if named is None:
        return None
    written = _WRITTEN.fullmatch(part[:named.start()])
    day = _date_of(written) if written and (written["day"] or written["day_after"]) else None
    if named[1].lower() == "noon":
        return f'{quoted}: write noon as 12:00, as in "{_day_text(day) if day else "6 August 2021"} 12:00"'
    if day is None or day == date.max:
        return f'{quoted}: midnight could begin or end a day; write 00:00 with the day it begins, as in "7 August 2021 00:00"'
    return (f'{quoted}: midnight could begin or end the day; write "{_day_text(day)} 00:00" for the one that begins it, '
            f'or "{_day_text(day + timedelta(days=1))} 00:00" for the one that ends it')


def _date_of(match: re.Match) -> date | None:
    """The day a match of _WRITTEN names, when it is a real one."""
    try:
        return date(int(match["year"]), _MONTHS[(match["month"] or match["month_first"]).lower()],
                    int(match["day"] or match["day_after"]))
    except (ValueError, OverflowError):
        return None


def _day_text(day: date) -> str:
    return f"{day.day} {MONTH_NAMES[day.month - 1]} {day.year}"


def _dotted_time(quoted: str, part: str, words: list[str]) -> str | None:
    if _DOTTED_TIME.search(part):
        return f'{quoted}: write the time with a colon, as in "6 August 2021 14:30"'
    return None


def _misplaced_clock(quoted: str, part: str, words: list[str]) -> str | None:
    if re.search(r"\s(?:UTC|GMT)?\s*[+-]\d{1,2}(?::?\d{2})?$", part, re.IGNORECASE) and not _ANY_CLOCK.search(
            part[:part.rfind(" ")]):
        return f'{quoted} gives a UTC offset without a time; write the time before it, as in "6 August 2021 14:30 +04:30"'
    if _ANY_CLOCK.search(part):
        return (f"{quoted} gives a time this tool cannot place; write one time after the date, "
                'as in "6 August 2021 14:30" or "6 August 2021 4pm"')
    return None


def _approximate(quoted: str, part: str, words: list[str]) -> str | None:
    vague = next((word for word in words if word in _APPROXIMATE), None)
    if vague:
        return (f'{quoted} is approximate ("{vague}"); write the date you know, as in "August 2021", '
                "and for an entry mark it with circa: true")
    return None


# --- the moment a date stands for ---------------------------------------------------

def _check_year(text: str, year: int) -> int:
    if year < 1:
        raise DateError(f'"{shortened(text)}" has year 0; years start at 1')
    return year


def _make(text, precision, year, month, day, hour, minute, tz, offset=None) -> PartialDate:
    _check_year(text, year)
    zone = timezone(timedelta(minutes=offset)) if offset is not None else tz
    start = datetime(year, month, day, hour, minute, tzinfo=zone)
    if precision == MINUTE:
        if offset is None:
            _check_wall_clock(text, start, tz)
        _check_time_range(text, start, tz if offset is None else None)
    return PartialDate(written=text, precision=precision, start=start, explicit_offset=offset)


def _check_wall_clock(text: str, start: datetime, tz: tzinfo) -> None:
    """Refuse a time the clocks skip, or pass twice, in the zone.

    Read without a conversion to UTC, which overflows at the edges of year 1 and 9999: a zone
    gives a skipped or repeated time the offset before the change (fold=0) and after it (fold=1).
    """
    before, after = start.utcoffset(), start.replace(fold=1).utcoffset()
    if before < after:
        raise DateError(f'"{shortened(text)}" does not exist in the time zone {tz}: the clocks went forward '
                        "over it; check the time, or write the offset, as in 2021-08-06T14:30+04:30")
    if before > after:
        raise DateError(f'"{shortened(text)}" happens twice in the time zone {tz}: the clocks went back over it; '
                        f"write the offset, as in {start.isoformat(timespec='minutes')} (the first time) "
                        f"or {start.replace(fold=1).isoformat(timespec='minutes')} (the second)")


def _check_time_range(text: str, start: datetime, tz: tzinfo | None) -> None:
    if _FIRST_TIME <= start <= _LAST_TIME:
        return
    side = "before year 1" if start < _FIRST_TIME else "after year 9999"
    where = f"{tz} is {format_offset(start)} at that time" if tz else f"at {format_offset(start)}"
    raise DateError(f'"{shortened(text)}" falls {side} in UTC ({where}); {_TIME_RANGE}: '
                    f"give the day alone, as in {start.date().isoformat()}")


def instant(moment: datetime) -> int:
    """Seconds from 1970-01-01 00:00 UTC to an aware time, exact over years 1 to 9999 in any zone:
    subtracting aware times never converts them to UTC, which overflows at the edges."""
    return (moment - _EPOCH) // _SECOND


def last_day(when: PartialDate) -> date:
    """The last day a date covers as written: a year's 31 December, a month's last day, else its own day."""
    start = when.start
    if when.precision == YEAR:
        return date(start.year, 12, 31)
    if when.precision == MONTH:
        return date(start.year, start.month, calendar.monthrange(start.year, start.month)[1])
    return start.date()


def end_instant(date: PartialDate) -> int:
    """The first instant after the period the date covers, as `instant` counts: 2021-08 ends at
    2021-09-01 00:00. Counted from the period's last minute, so that a period that runs to the end
    of 9999 needs no time after it; fold=1 reads that minute after any change of the clocks."""
    start = date.start
    if date.precision == YEAR:
        last = start.replace(month=12, day=31, hour=23, minute=59)
    elif date.precision == MONTH:
        last = start.replace(day=calendar.monthrange(start.year, start.month)[1], hour=23, minute=59)
    elif date.precision == DAY:
        last = start.replace(hour=23, minute=59)
    else:
        last = start
    return instant(last.replace(fold=1)) + 60


def format_offset(moment: datetime) -> str:
    """UTC+4:30, UTC-5, UTC; a zone's local mean time to the second, UTC+4:36:48."""
    seconds = moment.utcoffset() // _SECOND
    if seconds == 0:
        return "UTC"
    sign = "+" if seconds > 0 else "-"
    minutes, rest_seconds = divmod(abs(seconds), 60)
    hours, rest = divmod(minutes, 60)
    shown = f"UTC{sign}{hours}" + (f":{rest:02d}" if rest or rest_seconds else "")
    return shown + (f":{rest_seconds:02d}" if rest_seconds else "")


def period_key(date: PartialDate, by_year: bool = False) -> tuple[int, int]:
    """The heading a date is grouped under, as (year, month), month 0 by year or for a year-only date."""
    return date.start.year, 0 if by_year or date.precision == YEAR else date.start.month


def today_in(zone: tzinfo) -> str:
    """The day it is now in `zone` (YYYY-MM-DD), the day a build that publishes records for what it adds;
    with SOURCE_DATE_EPOCH set (reproducible builds), the day of that moment."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    now = datetime.fromtimestamp(int(epoch), timezone.utc) if epoch.isdigit() else datetime.now(timezone.utc)
    return now.astimezone(zone).date().isoformat()
