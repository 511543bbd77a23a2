"""Dates in a second calendar, shown beside the Gregorian ones when the settings ask for it
(`calendars: [solar-hijri]`): `6 August 2021 (15 Asad 1400 SH)`.

- `solar-hijri`: the Solar Hijri calendar of Afghanistan and Iran, whose year begins at the March equinox
  reckoned at 52.5° E. persiantools converts: its leap years are the Iranian calendar authority's (checked
  in tests/core/test_calendars.py against that authority's table, 1300 to 1498 SH). The months are named as
  in Afghanistan, after the signs of the zodiac (Hamal, Sawr, ... Hut).
- `islamic-umalqura`: the Hijri lunar calendar in its Umm al-Qura form, Saudi Arabia's official calendar,
  computed in advance; hijridate converts, from 1 Muharram 1343 to the end of 1500 AH (1 August 1924 to
  16 November 2077), and a date outside that span has no Hijri date here. Religious months begin with the
  sighting of the crescent, which may come a day later than the table (1 Muharram 1443 was 9 August 2021 in
  the Umm al-Qura calendar and 10 August for the Saudi Supreme Court), and Afghanistan sights its own.

A date is converted at the precision it was written, each end of a span on its own, and written with CLDR's
names, patterns, era and digits for the locale (calendar_names.py, made by tools/cldr_calendars.py): a day
as a day, a time of day as its day, a month as the months of the other calendar it runs across
("Asad – Sonbola 1400 SH"), a year as the years ("1399–1400 SH"). Nothing here is ever a machine-readable
date: those stay ISO 8601 Gregorian.
"""
from __future__ import annotations

import functools
import re
from datetime import date

from hijridate import Gregorian
from persiantools.jdatetime import JalaliDate

from .calendar_names import NAMES
from .dates import last_day
from .fields import CALENDARS
from .model import DAY, MINUTE, MONTH, YEAR, PartialDate

SOLAR_HIJRI, ISLAMIC_UMALQURA = CALENDARS
FALLBACK_LOCALE = "en"
# The fields of each precision, coarsest first: a span is written from the coarsest field its ends differ in.
_FIELDS = {YEAR: "y", MONTH: "yM", DAY: "yMd"}
_TOKENS = re.compile(r"'(?P<quoted>(?:[^']|'')*)'|(?P<field>[GyMLd])(?P=field)*|[^GyMLd']+")
_RANK = {YEAR: 0, MONTH: 1, DAY: 2, MINUTE: 2}


@functools.lru_cache(maxsize=1 << 16)  # an entry's date is shown on its page, in each listing and each axis text
def other_date(start: PartialDate, calendar: str, locale: str, end: PartialDate | None = None) -> str | None:
    """The date (or the span from `start` to `end`) in `calendar`, as `locale` writes it: "15 Asad 1400 SH";
    None when a day of it lies outside the calendar's range. A span is written at its coarser end's precision."""
    precision = _precision(start, end)
    first, last = _first_day(start), last_day(end or start)
    first_date, last_date = _convert(first, calendar), _convert(last, calendar)
    if first_date is None or last_date is None:
        return None
    data = NAMES[calendar][_data_locale(calendar, locale)]
    fields = _FIELDS[precision]
    differing = next((field for field, a, b in zip("yMd", first_date, last_date) if field in fields and a != b), None)
    if differing is None:
        return _written(data["formats"][precision], first_date, data)
    head, tail = _halves(data["intervals"][precision][differing])
    return _written(head, first_date, data) + _written(tail, last_date, data)


@functools.cache
def names_language(calendar: str, locale: str) -> str | None:
    """The language of other_date's words for `locale`, when it is not the locale's own: "en" for a
    French timeline's Solar Hijri dates (CLDR names the Afghan months in no French), else None."""
    found = _data_locale(calendar, locale)
    return None if _language(found) == _language(locale) else found


def _precision(start: PartialDate, end: PartialDate | None) -> str:
    """A time of day is written as its day; a span as precisely as its coarser end."""
    rank = min(_RANK[start.precision], _RANK[end.precision] if end is not None else 2)
    return (YEAR, MONTH, DAY)[rank]


def _first_day(when: PartialDate) -> date:
    return when.start.date()  # a year or month starts on its first day; a time, on its own day



def _convert(day: date, calendar: str) -> tuple[int, int, int] | None:
    """(year, month, day) of `day` in `calendar`; None outside the library's range."""
    try:
        if calendar == SOLAR_HIJRI:
            converted = JalaliDate(day)
        else:
            converted = Gregorian(day.year, day.month, day.day).to_hijri()
    except (ValueError, OverflowError):  # before 1 SH; outside 1343-1500 AH
        return None
    return converted.year, converted.month, converted.day


@functools.cache
def _data_locale(calendar: str, locale: str) -> str:
    """The locale of the data that writes `locale`: itself, a broader tag (en-GB: en), a tag of the same
    language (fa: fa-AF, zh: zh-Hans), else English."""
    known = NAMES[calendar]
    tag = locale.replace("_", "-").lower()
    by_tag = {name.lower(): name for name in known}
    while tag:
        if tag in by_tag:
            return by_tag[tag]
        tag = tag.rpartition("-")[0]
    language = _language(locale)
    return next((name for name in known if _language(name) == language), FALLBACK_LOCALE)


def _language(tag: str) -> str:
    return tag.replace("_", "-").split("-")[0].lower()


def _halves(pattern: str) -> tuple[str, str]:
    """A CLDR interval pattern as the part written with the first date and the part written with the last:
    the last begins at the first field that comes again ("d–d MMM y G": "d–" and "d MMM y G")."""
    seen = set()
    for match in _TOKENS.finditer(pattern):
        field = match["field"]
        if field:
            field = "M" if field == "L" else field
            if field in seen:
                return pattern[:match.start()], pattern[match.start():]
            seen.add(field)
    return pattern, ""


def _written(pattern: str, when: tuple[int, int, int], data: dict) -> str:
    year, month, day = when
    digits = str.maketrans("0123456789", data["digits"])
    parts = []
    for match in _TOKENS.finditer(pattern):
        field, token = match["field"], match[0]
        if match["quoted"] is not None:
            parts.append(match["quoted"].replace("''", "'") or "'")
        elif field is None:
            parts.append(token)
        elif field == "G":
            parts.append(data["era"])
        elif field == "y":
            parts.append(str(year).translate(digits))
        elif field in "ML" and len(token) >= 3:  # every month name in full, as the site writes Gregorian ones
            parts.append(data["months" if field == "M" else "standalone"][month - 1])
        elif field in "ML":
            parts.append(str(month).zfill(len(token)).translate(digits))
        else:
            parts.append(str(day).zfill(len(token)).translate(digits))
    return "".join(parts)
