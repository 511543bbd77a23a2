"""The timeline as data for other programs: schema.org JSON-LD for search engines, TimelineJS3's JSON,
and the values and escaping of the spreadsheet (CSV) and calendar (iCalendar) exports.

Plain functions from model values to dictionaries; the templates serialise them (tojson). What
depends on a converted body (a summary taken from it, an event's text) is given by the caller.
"""
from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime, timedelta, timezone, tzinfo
from decimal import Decimal
from urllib.parse import urlsplit

from markupsafe import escape

from .dates import end_instant, last_day
from .layout import MEDIA_DIR
from .model import MINUTE, Entry, PartialDate, Place, Settings, Source
from .plan import Period, public_path


def entry_url(entry: Entry, settings: Settings) -> str:
    return f"{settings.base_url}entries/{entry.id}/"


def site_origin(base_url: str) -> str:
    """The origin of the site's pages as a browser names it (a message's event.origin): the scheme and
    host in lower case, the port unless it is the scheme's own."""
    parts = urlsplit(base_url)
    scheme, host, port = parts.scheme.lower(), parts.hostname or "", parts.port
    host = f"[{host}]" if ":" in host else host
    return f"{scheme}://{host}" + (f":{port}" if port is not None and port != _DEFAULT_PORTS.get(scheme) else "")


_DEFAULT_PORTS = {"http": 80, "https": 443}


def media_url(entry: Entry, prefix: str) -> str:
    """The address of the entry's image under `prefix`media/: its file from content/media/, or the site's
    copy of a remote one. A remote image has no copy only in `check`, which renders without fetching."""
    media = entry.media
    if media.copy:
        return f"{prefix}{MEDIA_DIR}/{media.copy}"
    return f"{prefix}{MEDIA_DIR}/{media.src}" if media.is_local else media.src


def event_data(entry: Entry, settings: Settings, summary: str, published: str | None = None,
               modified: str | None = None, share_image: str | None = None) -> dict:
    """schema.org description of the page and its event, for the JSON-LD block; `published` and
    `modified`: the page's first publication and last change (full times); `share_image`: the address
    of the entry's share card, its picture when it has no media."""
    url = entry_url(entry, settings)
    described = {"description": summary} if summary else {}  # without one, no empty description
    event = {"@type": "Event", "name": entry.title, **described, "startDate": entry.date.iso(), "url": url}
    if entry.status == "scheduled":
        event["eventStatus"] = "https://schema.org/EventScheduled"
    if entry.end_date:
        event["endDate"] = entry.end_date.iso()
    if entry.place:
        event["location"] = place_data(entry.place)
    if entry.media:
        event["image"] = media_url(entry, settings.site_url)
    elif share_image:
        event["image"] = share_image
    page = {"@context": "https://schema.org", "@type": "WebPage", "name": entry.title, "url": url,
            **described, "inLanguage": settings.language,
            "isPartOf": {"@type": "WebSite", "name": settings.title, "url": settings.base_url},
            "about": event, "citation": [source_data(source) for source in entry.sources]}
    if published:
        page["datePublished"] = published
    if modified and modified != published:  # the later of its publication and its `updated` day, as the feed says
        page["dateModified"] = modified
    if settings.publisher:
        page["publisher"] = {"@type": "Organization", "name": settings.publisher}
    return page


def place_data(place: Place) -> dict:
    data = {"@type": "Place", "name": place.name}
    address = {key: value for key, value in (("addressRegion", place.region), ("addressCountry", place.country))
               if value}
    if address:
        data["address"] = {"@type": "PostalAddress", **address}
    if place.lat is not None and place.lon is not None:
        data["geo"] = {"@type": "GeoCoordinates", "latitude": place.lat, "longitude": place.lon}
    return data


def source_data(source: Source) -> dict:
    data = {"@type": "CreativeWork", "name": source.title or source.name, "author": source.name}
    if source.url:
        data["url"] = source.url
    if source.date:
        data["datePublished"] = source.date.iso()
    return data


def item_list_data(entries: tuple[Entry, ...], settings: Settings) -> dict:
    return item_list(settings.title, [entry_url(entry, settings) for entry in entries])


def item_list(name: str, urls: list[str]) -> dict:
    """schema.org ItemList of absolute URLs, as Google's summary-page list has them: each item its position
    and URL, the page it names saying the rest."""
    return {"@context": "https://schema.org", "@type": "ItemList", "name": name,
            "numberOfItems": len(urls),
            "itemListElement": [{"@type": "ListItem", "position": position, "url": url}
                                for position, url in enumerate(urls, 1)]}


def timelinejs_date(date: PartialDate, zone: tzinfo | None = None) -> dict:
    """A TimelineJS3 date object carrying only the parts the editor wrote: 2021-08 is {year, month},
    never the 1st. TimelineJS knows no time zones: a time is given on the clock of `zone`, the
    timeline's, which an import reads it in (a time written with another offset keeps its moment)."""
    moment = date.start
    if date.precision == "minute" and zone is not None:
        try:
            moment = moment.astimezone(zone)
        except (OverflowError, ValueError):  # within minutes of year 1 or 9999: kept on its own clock
            pass
    parts = {"year": moment.year}
    if date.month is not None:
        parts["month"] = moment.month
    if date.day is not None:
        parts["day"] = moment.day
    if date.precision == "minute":
        parts["hour"], parts["minute"] = moment.hour, moment.minute
    return parts


def timelinejs_title(settings: Settings) -> dict:
    """The title slide of TimelineJS3's JSON format; headline and text are HTML there, so text is escaped."""
    return {"text": {"headline": str(escape(settings.title)), "text": str(escape(settings.description))}}


def timelinejs_eras(settings: Settings) -> list[dict]:
    """The timeline's eras as TimelineJS3's eras: spans labelled on its time axis."""
    eras = []
    for era in settings.eras:
        text = {"headline": str(escape(era.label))}
        if era.note:
            text["text"] = str(escape(era.note))
        eras.append({"start_date": timelinejs_date(era.start), "end_date": timelinejs_date(era.end), "text": text})
    return eras


def timelinejs_event(entry: Entry, settings: Settings, shown_date: str, text_html: str,
                     zone: tzinfo | None = None) -> dict:
    """One event of TimelineJS3's JSON: `shown_date` as readers see it (its date_label, or its date at
    the precision written), `text_html` its text as HTML (templates/timelinejs_text.html), its times
    on the clock of `zone`. The group is the entry's first tag: TimelineJS gives a slide one row."""
    event = {"unique_id": entry.id, "start_date": timelinejs_date(entry.date, zone)}
    if entry.end_date:
        event["end_date"] = timelinejs_date(entry.end_date, zone)
    event["display_date"] = shown_date
    event["text"] = {"headline": str(escape(entry.title)), "text": text_html}
    if entry.media:
        media = {"url": media_url(entry, settings.site_url), "alt": entry.media.alt}
        media.update({key: value for key, value in (("caption", entry.media.caption),
                                                      ("credit", entry.media.credit)) if value})
        event["media"] = media
    if entry.tags:
        event["group"] = entry.tags[0].label
    return event


def periods_list_data(spans: tuple[tuple[Period, PartialDate, PartialDate], ...], settings: Settings) -> dict:
    """schema.org ItemList of the period pages, for the index of a split timeline."""
    return item_list(settings.title, [settings.base_url + public_path(period.path) for period, _, _ in spans])


def period_item_list_data(entries: tuple[Entry, ...], period: Period, settings: Settings) -> dict:
    return {**item_list_data(entries, settings), "name": f"{settings.title}: {period.label}"}


def coordinate(value: float) -> str:
    """A latitude or longitude in decimal notation, as written: 0.00001, never Python's 1e-05, which is
    no FLOAT in iCalendar and which a spreadsheet does not read as a number."""
    return format(Decimal(repr(value)), "f")


# ---------------------------------------------------------------- CSV (timeline.csv)

# A cell a spreadsheet would read as a formula (=HYPERLINK(...), +cmd, -2+3, @SUM(...)) or whose first
# character it drops (a tab, a carriage return): CSV injection, as OWASP describes it.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
# Excel opens a .csv with its locale's list separator, a semicolon in much of Europe: there "a;=b" is
# two cells, the second a formula. An apostrophe after such a semicolon (past any quotes) makes it text.
_FORMULA_AFTER_SEMICOLON = re.compile(r";(?=[\"']*[=+\-@\t\r])")


def csv_cell(value) -> str:
    """One cell's text: None empty, and a text a spreadsheet would run as a formula prefixed with an
    apostrophe, which spreadsheets show as text and do not display (a number such as -33.9 is left as
    it is: no spreadsheet runs it); so is a formula after a semicolon, where the cell may be split."""
    text = "" if value is None else str(value)
    if ";" in text:
        text = _FORMULA_AFTER_SEMICOLON.sub(";'", text)
    if text.startswith(_FORMULA_START) and not _NUMBER.fullmatch(text):
        return "'" + text
    return text


def csv_row(cells) -> str:
    """One CSV record as RFC 4180 writes it: quoted where needed, ended by CRLF."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow([csv_cell(cell) for cell in cells])
    return buffer.getvalue()


# ---------------------------------------------------------------- iCalendar (timeline.ics, RFC 5545)

_ICS_SPECIAL = re.compile(r"\r\n|[\\;,\r\n]")
_ICS_ESCAPES = {"\\": "\\\\", ";": "\\;", ",": "\\,", "\r\n": "\\n", "\r": "\\n", "\n": "\\n"}
_FOLD = 75  # octets of a content line, RFC 5545 §3.1; a continuation line starts with one space


def ics_text(value) -> str:
    """A TEXT value (RFC 5545 §3.3.11): backslash, semicolon, comma and line breaks escaped."""
    return _ICS_SPECIAL.sub(lambda match: _ICS_ESCAPES[match[0]], "" if value is None else str(value))


def ics_lines(text: str) -> str:
    """The calendar as RFC 5545 content lines: each line of the template's output that holds something,
    folded at 75 octets (never inside a UTF-8 character), each ended by CRLF."""
    return "".join(_folded(line) + "\r\n" for line in text.split("\n") if line.strip())


def _folded(line: str) -> str:
    if len(line) <= _FOLD // 4 or len(line.encode("utf-8")) <= _FOLD:
        return line
    data, chunks, start, limit = line.encode("utf-8"), [], 0, _FOLD
    while len(data) - start > limit:
        end = start + limit
        while data[end] & 0xC0 == 0x80:  # a continuation byte: the character starts before it
            end -= 1
        chunks.append(data[start:end])
        start, limit = end, _FOLD - 1
    chunks.append(data[start:])
    return "\r\n ".join(chunk.decode("utf-8") for chunk in chunks)


def ics_dates(entry: Entry) -> tuple[str, ...]:
    """DTSTART and DTEND (or DURATION) of the entry's VEVENT. A date without a time is an all-day event
    covering what was written (a day, a month, a year, or through the end_date's), DTEND being the
    day after, as RFC 5545 counts; a time is given in UTC, and one with no end_date has no DTEND."""
    start, end = entry.date, entry.end_date
    if start.precision == MINUTE:
        lines = [f"DTSTART:{_utc(start.start)}"]
        if end is not None:
            lines.append(f"DTEND:{_utc(end.start) if end.precision == MINUTE else _utc_after(end)}")
        return tuple(lines)
    first, last = start.start.date(), last_day(end or start)
    lines = [f"DTSTART;VALUE=DATE:{_ics_day(first)}"]
    if last < date.max:
        lines.append(f"DTEND;VALUE=DATE:{_ics_day(last + timedelta(days=1))}")
    else:  # the day after 9999-12-31 cannot be written: the same span as a duration
        lines.append(f"DURATION:P{(last - first).days + 1}D")
    return tuple(lines)


def ics_stamp(entry: Entry, changes, settings: Settings) -> str:
    """DTSTAMP: the start (in UTC) of the day the entry last changed, as the lock and its `updated` say,
    never the build's clock; before it is published, the timeline's as_of day, else the entry's date."""
    times = changes.times.get(entry.id) if changes is not None else None
    if times:
        return _utc(datetime.fromisoformat(times[1]))
    moment = (settings.as_of or entry.date).start
    return _utc(moment.replace(hour=0, minute=0))



def _ics_day(day: date) -> str:
    return f"{day.year:04d}{day.month:02d}{day.day:02d}"


def _utc(moment: datetime) -> str:
    try:
        moment = moment.astimezone(timezone.utc)
    except (OverflowError, ValueError):  # minutes from year 1 or 9999 in UTC: the first or last moment
        moment = datetime(1, 1, 1, tzinfo=timezone.utc) if moment.year == 1 else datetime.max
    return f"{_ics_day(moment)}T{moment.hour:02d}{moment.minute:02d}{moment.second:02d}Z"


def _utc_after(moment: PartialDate) -> str:
    """The first moment after the period a date covers, in UTC (dates.end_instant)."""
    try:
        return _utc(datetime(1970, 1, 1, tzinfo=timezone.utc) + timedelta(seconds=end_instant(moment)))
    except OverflowError:
        return "99991231T235959Z"
