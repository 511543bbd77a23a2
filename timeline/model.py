"""The plain data passed between the stages of the pipeline.

Everything here is a frozen dataclass: a stage receives values, never a
mutable structure another stage may still change.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Mapping

from .layout import display_path

# Precision of a written date, coarsest first; the order matters for sorting.
YEAR, MONTH, DAY, MINUTE = "year", "month", "day", "minute"
PRECISIONS = (YEAR, MONTH, DAY, MINUTE)


@dataclass(frozen=True)
class PartialDate:
    """A date kept at the precision the editor wrote it.

    `start` is the first instant the date covers, in the timeline's time
    zone (an aware datetime), used only for ordering; nothing finer than
    `precision` is ever displayed.
    """

    written: str
    precision: str
    start: datetime
    # Minutes east of UTC, when the editor wrote an explicit offset.
    explicit_offset: int | None = None

    @property
    def year(self) -> int:
        return self.start.year

    @property
    def month(self) -> int | None:
        return self.start.month if self.rank >= 1 else None

    @property
    def day(self) -> int | None:
        return self.start.day if self.rank >= 2 else None

    @property
    def rank(self) -> int:
        return PRECISIONS.index(self.precision)

    def iso(self) -> str:
        """ISO 8601 at the precision written: 2021, 2021-08, 2021-08-06, 2021-08-06T14:30+04:30."""
        if self.precision == YEAR:
            return f"{self.start.year:04d}"
        if self.precision == MONTH:
            return f"{self.start.year:04d}-{self.start.month:02d}"
        if self.precision == DAY:
            return self.start.date().isoformat()
        return internet_time(self.start, "minutes")

    def start_iso(self) -> str:
        """The first instant the date covers, as a full RFC 3339 time (Atom's): 2021-08-06T00:00:00+04:30."""
        return internet_time(self.start, "seconds")


_SECOND, _MINUTE = timedelta(seconds=1), timedelta(minutes=1)


def internet_time(moment: datetime, timespec: str) -> str:
    """An aware time in ISO 8601 as RFC 3339 and HTML restrict it: 2021-08-06T14:30+04:30.

    A zone's local mean time, before it took a standard offset, is off UTC by seconds (Kabul:
    +4:36:48), which an RFC 3339 or HTML offset cannot carry: such a time is given in UTC, to the second.
    """
    offset = moment.utcoffset()
    if not offset % _MINUTE:
        return moment.isoformat(timespec=timespec)
    # Counted without a conversion, which overflows for a time early on 1 January of year 1 east of UTC.
    seconds = (moment.replace(tzinfo=None) - datetime(1, 1, 1)) // _SECOND - offset // _SECOND
    days, second = divmod(seconds, 86400)
    day = date.fromordinal(days + 1).isoformat() if days >= 0 else "0000-12-31"
    return f"{day}T{second // 3600:02d}:{second // 60 % 60:02d}:{second % 60:02d}Z"


@dataclass(frozen=True)
class Position:
    """Where a value stands in its file (1-based, as editors count)."""

    line: int
    column: int


# Control characters as a problem's line shows them: a file name or a value holding a line break, an
# escape sequence or a carriage return (a repository may hold one) would otherwise print lines of its
# own in a terminal or a CI log, where a line that starts with "::" is a command to GitHub Actions.
_SHOWN = {code: f"\\x{code:02x}" for code in (*range(0x20), *range(0x7f, 0xa0))}


def shortened(text: str, limit: int = 60) -> str:
    """`text` on one line (each run of white space one space), cut with "…" past `limit` characters: how a
    problem message quotes what it found."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass(frozen=True)
class Problem:
    """One finding about the content, printed as file:line:col: severity: field: message (one line).

    `file` is kept as found (the load gives absolute paths, so that what it makes does not depend on
    the working folder) and shown as an editor would type it."""

    file: str
    message: str
    field: str = ""
    line: int | None = None
    column: int | None = None
    severity: str = "error"

    def __str__(self) -> str:
        where = display_path(self.file)
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        label = f"{self.field}: " if self.field else ""
        return f"{where}: {self.severity}: {label}{self.message}".translate(_SHOWN)

    def as_dict(self) -> dict:
        return {
            "file": display_path(self.file),
            "line": self.line,
            "column": self.column,
            "field": self.field,
            "severity": self.severity,
            "message": self.message,
        }


@dataclass(frozen=True)
class Tag:
    label: str
    slug: str


@dataclass(frozen=True)
class Place:
    name: str
    slug: str
    region: str | None = None
    country: str | None = None
    lat: float | None = None
    lon: float | None = None


@dataclass(frozen=True)
class Source:
    name: str
    url: str | None = None
    title: str | None = None
    date: PartialDate | None = None
    quote: str | None = None
    via: str | None = None  # the outlet or document that reported it


@dataclass(frozen=True)
class Media:
    src: str
    alt: str
    caption: str | None = None
    credit: str | None = None
    # The path below the site's media/ of the copy of a remote image (remote/<digest>.png), once the
    # build has one (remote.py): never set for a local image, nor by `check`, which fetches nothing.
    copy: str | None = None

    @property
    def is_local(self) -> bool:
        return self.src[:8].lower() != "https://"


@dataclass(frozen=True)
class Correction:
    date: PartialDate
    text: str


@dataclass(frozen=True)
class Entry:
    """One event of the timeline, validated."""

    id: str
    source_path: str
    title: str
    date: PartialDate
    sources: tuple[Source, ...]
    end_date: PartialDate | None = None
    circa: bool = False
    date_label: str | None = None
    summary: str | None = None
    body: str = ""
    tags: tuple[Tag, ...] = ()
    place: Place | None = None
    media: Media | None = None
    draft: bool = False
    updated: PartialDate | None = None
    corrections: tuple[Correction, ...] = ()
    aliases: tuple[str, ...] = ()
    key: bool = False  # a key moment: weightier in the list and on the axis, listed on the index
    status: str | None = None  # "scheduled" or "ongoing" as of the timeline's writing; None: it happened
    # In a language edition, the language its text is in when that is not the edition's: an entry not yet
    # translated is shown in its original language, marked as such (editions.py).
    text_language: str | None = None


@dataclass(frozen=True)
class Era:
    """A period of the timeline, drawn as a band on the axis and marked in the list."""

    label: str
    start: PartialDate
    end: PartialDate
    note: str | None = None


@dataclass(frozen=True)
class Settings:
    """Site-wide settings from content/timeline.yaml."""

    title: str
    base_url: str
    timezone: str
    description: str = ""
    language: str = "en"
    publisher: str = ""
    # Past this many entries the index is split into period pages.
    entries_per_page: int = 500
    short_title: str | None = None  # the site's name in every page's header; the title when not given
    as_of: PartialDate | None = None  # the date the account runs to
    recent_days: int = 7  # how long an entry is marked new or updated, from the timeline's latest change
    remote_media: str = "copy"  # copy: an https media.src is copied into the site; refuse: an error
    eras: tuple[Era, ...] = ()
    calendars: tuple[str, ...] = ()  # calendars shown beside the Gregorian one (calendars.py), in this order
    share_images: bool = True  # a share card (cards.py) for each entry without media
    translations: tuple[str, ...] = ()  # the languages of the site's other editions, BCP 47 tags, in this order
    # The folder of the edition these settings are of ("fr/"), whose address `base_url` then is; "" for the
    # original edition at the site's top.
    edition: str = ""

    @property
    def site_name(self) -> str:
        return self.short_title or self.title

    @property
    def up_to_site(self) -> str:
        """From the top of this edition to the top of the site, where static/ and media/ are."""
        return "../" * self.edition.count("/")

    @property
    def site_url(self) -> str:
        """The address of the site's top (where static/ and media/ are), whichever edition these are of."""
        return self.base_url[:len(self.base_url) - len(self.edition)]


@dataclass(frozen=True)
class Translation:
    """One entry's text in another language (content/translations/<language>/entries/<id>.yaml): only the
    fields a reader reads; everything else is the original's."""

    entry_id: str
    language: str
    source_path: str
    translates: str  # the digest of the original's text it was made from (editions.text_digest)
    title: str
    summary: str | None = None
    body: str | None = None
    date_label: str | None = None
    media_alt: str | None = None
    media_caption: str | None = None
    # (title, quote) of each source, in the original's order; None where the original's stays.
    sources: tuple[tuple[str | None, str | None], ...] = ()
    translates_at: Position | None = None  # where `translates` is written, for the warning that it is older


@dataclass(frozen=True)
class Edition:
    """The site in one more language: its settings (content/translations/<language>/timeline.yaml), its
    about page and the translations of its entries."""

    language: str
    title: str | None = None
    short_title: str | None = None
    description: str | None = None
    tags: tuple[tuple[str, str], ...] = ()  # (original label, label in this language)
    places: tuple[tuple[str, str], ...] = ()  # (original place name, name in this language)
    about: str | None = None  # content/translations/<language>/about.md, in Markdown
    translations: tuple[Translation, ...] = ()  # by entry id


@dataclass(frozen=True)
class EditionLink:
    """One edition as every page names it: in the language switcher and the hreflang alternates."""

    language: str  # BCP 47
    name: str  # the language's name in itself: français, دری
    folder: str  # "" for the original edition, "fr/" otherwise
    url: str  # the address of its top
    direction: str = "ltr"  # or "rtl"


@dataclass(frozen=True)
class Selection:
    """One of several timelines of a site (content/timelines/<name>.yaml): its own title, description
    and eras over entries chosen from the site's one pool, published under timelines/<name>/."""

    name: str
    title: str
    source_path: str
    description: str = ""
    as_of: PartialDate | None = None
    eras: tuple[Era, ...] = ()
    tags: tuple[str, ...] = ()  # tag slugs: entries with any of them
    places: tuple[str, ...] = ()  # place slugs: entries at any of them
    start: PartialDate | None = None  # entries beginning on or after it
    end: PartialDate | None = None  # entries beginning on or before it
    ids: tuple[str, ...] = ()  # entries chosen by name, whatever the rules above say
    members: tuple[str, ...] = ()  # the ids of the entries it shows, in order (the order stage's)


@dataclass(frozen=True)
class Timeline:
    """The validated, ordered content: what the render stage receives."""

    settings: Settings
    entries: tuple[Entry, ...]
    drafts_included: bool = False
    # The day each entry was first published (YYYY-MM-DD), by id, as content/permalinks.lock records it;
    # an entry not yet published (in a preview) has none.
    published: Mapping[str, str] = field(default_factory=dict)
    about: str | None = None  # the about page (content/about.md), in Markdown
    selections: tuple[Selection, ...] = ()  # a site of several timelines: each of them, by name
    editions: tuple[Edition, ...] = ()  # the site's other languages, in the order of settings.translations
