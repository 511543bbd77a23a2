"""Plan stage: every page of the site, as plain data, before anything is rendered.

plan_site() lists every output file as a Page: its path, its template and a context of plain,
picklable values (the entries it shows, its labels), so that any page can be rendered on its own,
in any order or process, and two builds are byte-identical. A page also declares what it shows
as `inputs`, digests of its entries and values, when the caller asks for them (a cache keeps
pages whose inputs did not change; a build without one has no use for them).
"""
from __future__ import annotations

import hashlib
import itertools
from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Iterable, Mapping
from urllib.parse import quote

from .axis import Locator, locator
from .dates import period_key
from .layout import TIMELINES_DIR
from .locales import formats_for, text_direction
from .model import DAY, MINUTE, Entry, PartialDate, Place, Selection, Settings, Tag, Timeline

# Past this many distinct months the index is headed by year instead of by month.
MAX_MONTH_HEADINGS = 24
# The feed carries the latest events, as feeds do: a reader subscribes to what comes next, and
# an archive of thousands of full bodies would be megabytes fetched on every poll.
FEED_ENTRIES = 50
CHANGES_SHOWN = 200  # the changes page's length: the feeds hold the latest FEED_ENTRIES
TIMELINEJS = "timeline.json"  # the timeline in TimelineJS3's format: its path and template
SPREADSHEET, CALENDAR = "timeline.csv", "timeline.ics"  # the entries as CSV and iCalendar: paths and templates
# The "template" of an entry's share card: not a template of the templates folder, but drawn by
# cards.py from its context (its entry and the settings) and the few words of the language's catalogue
# it draws (the render environment's).
SHARE_CARD = "share card"


@dataclass(frozen=True)
class Page:
    """One output file to render: `path` is posix, relative to the output folder."""

    path: str
    template: str
    context: Mapping[str, object] = field(hash=False)
    inputs: tuple[str, ...]


def value_digest(value: object) -> str:
    """A digest of a value for a page's inputs. Model values are frozen dataclasses whose repr lists
    every field deterministically."""
    return hashlib.blake2b(repr(value).encode("utf-8"), digest_size=8).hexdigest()


def entry_digests(timeline: Timeline, known: Mapping[str, str] = {}) -> dict[str, str]:
    """A digest of each entry, by id: `known`'s (what a cache knows of the entry's source) where it has
    one, else one of its fields; with when it was published and its new or updated mark, which pages
    show besides its fields."""
    changes = changes_of(timeline)
    return {entry.id: entry_digest(entry, known.get(entry.id), changes) for entry in timeline.entries}


def entry_digest(entry: Entry, known: str | None, changes: Changes) -> str:
    """One entry's digest (entry_digests): `known` is what a cache knows of its source, if anything, which
    says nothing of the copy of a remote image (its name is made from the bytes fetched)."""
    copy = entry.media.copy if entry.media is not None and entry.media.copy else ""
    return f"{known or value_digest(entry)}|{changes.published.get(entry.id, '')}|{changes.marks.get(entry.id, '')}|{copy}"


@dataclass(frozen=True)
class Changes:
    """When the entries were published and changed, as pages, the feed and the markers say it: from
    content/permalinks.lock (the day each was first published) and each entry's `updated`, never from
    the build machine's clock."""

    published: Mapping[str, str]  # id -> YYYY-MM-DD it was first published
    changed: Mapping[str, str]  # id -> the later of that and its `updated` day
    marks: Mapping[str, str]  # id -> "new" or "updated": changed within recent_days of the latest change
    latest: str | None  # the day of the timeline's latest change
    times: Mapping[str, tuple[str, str]]  # id -> (published, updated) as full times, for the feed


def changes_of(timeline: Timeline) -> Changes:
    """The timeline's Changes. An entry is new when it was published within `recent_days` of the latest
    change, and after the day the timeline itself was first published (what was there from the start is
    not news); updated when its `updated` day is within that window."""
    settings = timeline.settings
    published = dict(timeline.published)
    changed = {}
    for entry in timeline.entries:
        days = [day for day in (published.get(entry.id), _day(entry.updated)) if day]
        if days:
            changed[entry.id] = max(days)
    latest = max(changed.values(), default=None)
    first = min(published.values(), default=None)
    marks = {}
    if latest is not None:
        since = (date.fromisoformat(latest) - timedelta(days=settings.recent_days)).isoformat()
        for entry in timeline.entries:
            day = published.get(entry.id)
            if day is not None and day > first and day >= since:
                marks[entry.id] = "new"
            elif (updated := _day(entry.updated)) is not None and updated >= since and updated != day:
                marks[entry.id] = "updated"
    zone = _zone(settings.timezone)
    times = {entry_id: (_midnight(published.get(entry_id) or day, zone), _midnight(day, zone))
             for entry_id, day in changed.items()}
    return Changes(published, changed, marks, latest, times)


@dataclass(frozen=True)
class Change:
    """One line of what changed: an entry added (first published), updated or corrected on `day`."""

    day: str  # YYYY-MM-DD
    time: str  # the day's start in the timeline's time zone, as feeds write it
    kind: str  # "added", "updated" or "corrected"
    entry: Entry
    text: str | None = None  # what a correction says
    number: int = 0  # which of the entry's corrections, from 1: with the day and kind, a stable id


CHANGE_KINDS = ("corrected", "updated", "added")  # on one day, the order a reader is told them


def change_log(entries: Iterable[Entry], changes: Changes, time_zone: str) -> tuple[Change, ...]:
    """Every change the content records, the latest first: each entry's first publication (from the
    lock), its corrections, and its `updated` day when no correction or publication explains it."""
    zone = _zone(time_zone)
    log = []
    for order, entry in enumerate(entries):
        published = changes.published.get(entry.id)
        if published is not None:
            log.append((Change(published, _midnight(published, zone), "added", entry), order))
        corrected = set()
        for number, correction in enumerate(entry.corrections, 1):
            day = _day(correction.date)
            corrected.add(day)
            log.append((Change(day, _midnight(day, zone), "corrected", entry, correction.text, number), order))
        updated = _day(entry.updated)
        if updated is not None and updated not in corrected and updated != published:
            log.append((Change(updated, _midnight(updated, zone), "updated", entry), order))
    log.sort(key=lambda item: (item[0].day, -CHANGE_KINDS.index(item[0].kind), -item[1], -item[0].number),
             reverse=True)
    return tuple(change for change, _ in log)


def _day(date_value: PartialDate | None) -> str | None:
    return date_value.start.date().isoformat() if date_value is not None else None


def _midnight(day: str, zone) -> str:
    from .model import internet_time

    start = datetime.combine(date.fromisoformat(day), datetime.min.time(), zone)
    return internet_time(start, "seconds")


def _zone(name: str):
    from zoneinfo import ZoneInfo

    return ZoneInfo(name)


# ---------------------------------------------------------------- planning

# The files of the whole site, which no language edition has a copy of.
SITE_WIDE = ("robots.txt", "sitemap.xml")


def plan_site(timeline: Timeline, entry_keys: Mapping[str, str] | None = None) -> tuple[Page, ...]:
    """Every page of the site, in a stable order, without rendering any of them: the original edition at the
    top, then each language edition under its folder (editions.py), the same pages at the same relative
    paths, each with the editions' links (`editions`) for its alternates and language switcher.

    `entry_keys`: a digest of each entry by id (entry_digests), for the pages' inputs; an edition's own
    entries, whose text is its translations', are digested as they are."""
    if not timeline.editions:
        return edition_pages(timeline, entry_keys)
    from .editions import edition_links, edition_timeline

    links = edition_links(timeline.settings)
    pages = list(edition_pages(timeline, entry_keys, links))
    for edition in timeline.editions:
        local = edition_timeline(timeline, edition)
        keys = entry_digests(local) if entry_keys is not None else None
        folder = local.settings.edition
        pages += [replace(page, path=folder + page.path) for page in edition_pages(local, keys, links)
                  if page.path not in SITE_WIDE]
    return tuple(pages)


def edition_pages(timeline: Timeline, entry_keys: Mapping[str, str] | None = None,
                  editions: tuple = ()) -> tuple[Page, ...]:
    """Every page of one edition, paths relative to its top.

    `entry_keys`: a digest of each entry by id (entry_digests), for the pages' inputs; without them
    the inputs are left empty, which a build without a page cache has no use for.

    A context holds entries alone, in tuples or as the entry of a Change, and a page whose context holds an entry has its
    digest among its inputs: a rebuild after an edit relies on both to put the new entry in
    (speed/session.py)."""
    settings = timeline.settings
    changes = changes_of(timeline)
    base = {"settings": settings, "drafts_included": timeline.drafts_included, "changes": changes,
            "about": timeline.about is not None, "home": ""}
    if timeline.selections:
        base["several_timelines"] = True
    if editions:
        base["editions"] = editions
    declared = entry_keys is not None
    shared = (value_digest(settings), value_digest(timeline.drafts_included), changes.latest or "",
              str(timeline.about is not None), str(bool(timeline.selections))) if declared else None
    if editions and shared is not None:
        shared += (value_digest(editions),)
    plan = _Planner(base, shared, entry_keys if declared else defaultdict(str))
    entries = timeline.entries
    published = tuple(e for e in entries if not e.draft)
    if timeline.selections:
        pages, placed = several_timelines(plan, timeline)
        pages += plan.entry_pages(entries, placed)
    else:
        periods = split_into_periods(entries, settings.entries_per_page, language=settings.language)
        pages = timeline_pages(plan, entries, periods)
        if periods:
            pages.append(plan.page(PERIODS_STYLE, "periods.css", ()))
        pages += plan.entry_pages(entries, Placed.on_one_timeline(entries, period_homes(periods), right_to_left(settings)))
        pages += timeline_embeds(plan, entries, periods)
    pages += entry_embeds(plan, entries)
    pages += plan.alias_pages(entries)
    by_tag, by_place = entries_by_tag(entries), entries_by_place(entries)
    tags = tuple((tag, len(tagged)) for tag, tagged in by_tag)
    places = tuple((place, len(located)) for place, located in by_place)
    pages.append(plan.page("tags/index.html", "tags.html", (), (value_digest(tags),), tags=tags))
    pages += [plan.listing(f"tags/{tag.slug}/index.html", "tag.html", tagged, tag=tag) for tag, tagged in by_tag]
    pages.append(plan.page("places/index.html", "places.html", (), (value_digest(places),), places=places))
    pages += [plan.listing(f"places/{place.slug}/index.html", "place.html", located, place=place)
              for place, located in by_place]
    pages.append(plan.page("404.html", "404.html", (), root=settings.base_url))
    if timeline.about is not None:
        pages.append(plan.page("about/index.html", "about.html", (), (value_digest(timeline.about),),
                               body=timeline.about))
    latest = feed_entries(published, changes)
    pages.append(plan.page("feed.xml", "feed.xml", latest, entries=latest, updated=feed_updated(latest, changes)))
    pages += plan.change_pages(change_log(published, changes, settings.timezone), feed_updated(latest, changes))
    period_urls = tuple(public_path(page.path) for page in pages if page.path != "index.html"
                        and page.template in ("index.html", "periods.html", "period.html"))
    if len(published) < len(entries):  # drafts shown in this preview stay out of the sitemap
        by_tag, by_place = entries_by_tag(published), entries_by_place(published)
    pages.append(plan.page("sitemap.xml", "sitemap.xml", published, (value_digest(period_urls),), entries=published,
                           periods=period_urls, tags=tuple(tag for tag, _ in by_tag),
                           places=tuple(place for place, _ in by_place)))
    pages.append(plan.page("robots.txt", "robots.txt", ()))
    pages.append(plan.page(TIMELINEJS, TIMELINEJS, published, entries=published))
    pages += [plan.page(export, export, published, entries=published) for export in (SPREADSHEET, CALENDAR)]
    return tuple(pages)


class _Planner:
    def __init__(self, base: dict, shared: tuple[str, ...] | None, keys: Mapping[str, str]):
        self.base, self.shared, self.keys = base, shared, keys

    def page(self, path: str, template: str, shown: Iterable[Entry], inputs: tuple[str, ...] = (),
             **context) -> Page:
        """A page showing the entries `shown` in full; `inputs` adds what else it shows."""
        context = {**self.base, "root": "../" * path.count("/"), "path": path,
                   "url": self.base["settings"].base_url + quote(public_path(path)), **context}
        if self.shared is None:  # no inputs asked for
            return Page(path, template, context, ())
        own = self.shared + tuple([self.keys[e.id] for e in shown])
        return Page(path, template, context, own + inputs + (value_digest(sorted_context(context)),))

    def listing(self, path: str, template: str, entries: tuple[Entry, ...], **context) -> Page:
        language = self.base["settings"].language
        return self.page(path, template, entries, groups=group_by_period(entries, language), entries=entries,
                         **context)

    def within(self, settings: Settings, home: str) -> _Planner:
        """A planner for the pages of one timeline of several: its settings, under its folder."""
        base = {**self.base, "settings": settings, "home": home}
        shared = None if self.shared is None else (*self.shared, value_digest(settings), home)
        return _Planner(base, shared, self.keys)

    def entry_pages(self, entries: tuple[Entry, ...], placed: Placed) -> list[Page]:
        """`placed`: where each entry is shown among the timelines, and the locator each page draws.

        A page links to its neighbours by title and date; it depends on their whole digest, which
        costs a rendering of two pages when a neighbour's body changes, where reducing every neighbour
        to its link and digesting that costs more than it saves (benchmarks/README.md).

        Planned here rather than by page(), as every build plans all of them: a page's other values
        (its path, root and URL) follow from the entry's id, which its digest covers, and from
        the settings, which `shared` covers; its timeline page is an input of its own.

        After them, the share card of each entry that has one (share_image), whose inputs are only what
        it shows (the entry, the site's name and address, the calendars and language of its date; the
        catalogue's words it draws are a cached build's part, speed/pages.py): the footer's "last updated"
        of every page and the locator of every entry page change with each new entry, and would redraw
        every card."""
        base, shared = self.base, self.shared
        settings = base["settings"]
        url = settings.base_url + "entries/"
        where_keys = {id(where): value_digest(where) for where in placed.locators} if shared is not None else {}
        card_inputs = (SHARE_CARD, value_digest((settings.site_name, settings.base_url, settings.calendars,
                                                 settings.language)))
        links = [None, *entries, None]  # each entry's neighbours: links[index], links[index + 2]
        keys = ["", *[self.keys[entry.id] for entry in entries], ""]
        pages, cards = [], []
        for index, entry in enumerate(entries):
            home = placed.homes.get(entry.id, placed.default_home)
            where = placed.locator_of(entry.id)
            path = f"entries/{entry.id}/index.html"
            extra = placed.extra(entry.id)
            card = share_image(entry, settings)
            context = {**base, "root": "../../", "path": path, "url": f"{url}{entry.id}/", "entry": entry,
                       "previous": links[index], "next": links[index + 2], "timeline_page": home,
                       "locator": where, "share_image": card, **extra}
            inputs = () if shared is None else (*shared, where_keys.get(id(where), ""), keys[index + 1], keys[index],
                                                keys[index + 2], home or "", value_digest(extra) if extra else "")
            pages.append(Page(path, "entry.html", context, inputs))
            if card is not None:
                cards.append(Page(card, SHARE_CARD, {"entry": entry, "settings": settings},
                                  () if shared is None else (*card_inputs, keys[index + 1])))
        return pages + cards

    def change_pages(self, log: tuple[Change, ...], quiet_since: str) -> list[Page]:
        """The changes page and its two feeds: every change, and the corrections alone. A feed with
        nothing in it yet is dated by the latest change, or `quiet_since` when there is none."""
        corrections = tuple(change for change in log if change.kind == "corrected")
        pages = []
        for path, template, shown in (("changes/index.html", "changes.html", log[:CHANGES_SHOWN]),
                                      ("changes.xml", "changes.xml", log[:FEED_ENTRIES]),
                                      ("corrections.xml", "corrections.xml", corrections[:FEED_ENTRIES])):
            described = tuple((change.day, change.kind, change.text, change.number) for change in shown)
            pages.append(self.page(path, template, tuple(change.entry for change in shown), (value_digest(described),),
                                   log=shown, total=len(log) if template == "changes.html" else len(shown),
                                   updated=shown[0].time if shown else log[0].time if log else quiet_since))
        return pages

    def alias_pages(self, entries: tuple[Entry, ...]) -> list[Page]:
        return [self.page(f"entries/{alias}/index.html", "redirect.html", (), (self.keys[entry.id],),
                          title=entry.title, target=f"../{entry.id}/index.html",
                          canonical=self.base["settings"].base_url + f"entries/{entry.id}/")
                for entry in entries for alias in entry.aliases]


def share_image(entry: Entry, settings: Settings) -> str | None:
    """The path of the entry's share card (cards.py), its picture on social sites; None for an entry with
    media, which is its picture, or when the settings turn cards off."""
    if entry.media is not None or not settings.share_images:
        return None
    return f"entries/{entry.id}/share.png"


def feed_entries(published: tuple[Entry, ...], changes: Changes) -> tuple[Entry, ...]:
    """The feed's entries: the FEED_ENTRIES last published or updated, the latest first. Entries with no
    publication day (published before the lock recorded days) come after, the latest event first."""
    order = sorted(range(len(published)), key=lambda index: (changes.changed.get(published[index].id, ""), index),
                   reverse=True)
    return tuple(published[index] for index in order[:FEED_ENTRIES])


def feed_updated(entries: tuple[Entry, ...], changes: Changes) -> str:
    """The feed's <updated>: its latest entry change, so the feed never depends on the build time."""
    times = [changes.times[entry.id][1] for entry in entries if entry.id in changes.times]
    if times:
        return max(times)
    moments = [entry.updated or entry.date for entry in entries]
    return max(moments, key=lambda date: date.start).start_iso() if moments else "1970-01-01T00:00:00+00:00"


def sorted_context(context: Mapping[str, object]) -> tuple:
    """The page's own scalar values (labels, paths), in a stable order, for its digest."""
    return tuple((key, value) for key, value in sorted(context.items())
                 if isinstance(value, (str, Tag, Place, type(None))))


def public_path(path: str) -> str:
    """The URL path a server shows for a file: entries/x/ for entries/x/index.html; percent-encoded
    (quote) where an address is written, as a tag or place in another script has its own letters."""
    if path == "index.html":
        return ""
    return path.removesuffix("index.html")


def group_by_period(entries: tuple[Entry, ...], language: str = "en") -> tuple[tuple[str, tuple[Entry, ...]], ...]:
    """Consecutive entries under month headings, or year headings for long spans, as `language` writes them."""
    formats = formats_for(language)
    by_year = _spans_many_months(entries)
    groups: list[tuple[str, list[Entry]]] = []
    heading = None
    for entry in entries:
        # Labels made once per heading, not once per entry (190,000 in the listings of 50,000 entries).
        key = period_key(entry.date, by_year)
        if key != heading:
            heading = key
            groups.append((formats.heading(*key), []))
        groups[-1][1].append(entry)
    return tuple((label, tuple(members)) for label, members in groups)


def _spans_many_months(entries: tuple[Entry, ...]) -> bool:
    """Whether the entries fall in more than MAX_MONTH_HEADINGS months: most listings of an archive
    do, and stop being counted as soon as they do."""
    months = set()
    for entry in entries:
        start = entry.date.start
        months.add(start.year * 12 + start.month)
        if len(months) > MAX_MONTH_HEADINGS:
            return True
    return False


def all_tags(entries: Iterable[Entry]) -> tuple[Tag, ...]:
    unique = {tag.slug: tag for entry in entries for tag in entry.tags}
    return tuple(sorted(unique.values(), key=_tag_order))


def _tag_order(tag: Tag) -> tuple[str, str]:
    return tag.label.casefold(), tag.slug


def entries_by_tag(entries: tuple[Entry, ...]) -> list[tuple[Tag, tuple[Entry, ...]]]:
    """Each tag (in all_tags order) with its entries."""
    tags: dict[str, Tag] = {}
    tagged: dict[str, list[Entry]] = {}
    for entry in entries:
        for tag in entry.tags:
            members = tagged.get(tag.slug)
            if members is None:
                tags[tag.slug], members = tag, tagged.setdefault(tag.slug, [])
            if not members or members[-1] is not entry:  # an entry tagged twice is listed once
                members.append(entry)
    return [(tag, tuple(tagged[tag.slug])) for tag in sorted(tags.values(), key=_tag_order)]


def entries_by_place(entries: tuple[Entry, ...]) -> list[tuple[Place, tuple[Entry, ...]]]:
    places: dict[str, Place] = {}
    located: dict[str, list[Entry]] = {}
    for entry in entries:
        if entry.place is not None:
            places.setdefault(entry.place.slug, entry.place)
            located.setdefault(entry.place.slug, []).append(entry)
    ordered = sorted(places.values(), key=lambda place: (place.name.casefold(), place.slug))
    return [(place, tuple(located[place.slug])) for place in ordered]


# ---------------------------------------------------------------- period pages

PERIODS_DIR = "periods"
# The index's script loads this map (entry ids by period) to follow an index.html#<id> link of a
# split timeline. A script file, not JSON: a page opened from disk may load a script but not fetch.
PERIODS_MAP = f"{PERIODS_DIR}/map.js"
# Styles of the period pages and list only, so a timeline that is not split keeps its files as they were.
PERIODS_STYLE = f"{PERIODS_DIR}/style.css"


@dataclass(frozen=True)
class Period:
    """One page of a split timeline: a year, or a month of a year too large for one page."""

    slug: str  # "2021" or "2021-08"
    label: str  # "2021" or "August 2021", as the site's language writes them
    count: int
    home: str = ""  # the folder of its timeline: timelines/<name>/ on a site of several

    @property
    def path(self) -> str:
        return f"{self.home}{PERIODS_DIR}/{self.slug}/index.html"


def split_into_periods(entries: tuple[Entry, ...], limit: int, home: str = "",
                       language: str = "en") -> tuple[tuple[Period, tuple[Entry, ...]], ...]:
    """The period pages and their entries: none up to `limit` entries, else by year, and by month
    for a year of more than `limit` entries (a month is never split, however large); labelled as
    `language` writes a year or a month."""
    if len(entries) <= limit:
        return ()
    formats = formats_for(language)
    periods = []
    for year, in_year in _runs(entries, lambda entry: entry.date.start.year):
        if len(in_year) <= limit:
            periods.append((Period(f"{year:04d}", formats.heading(year), len(in_year), home), in_year))
            continue
        for month, in_month in _runs(in_year, lambda entry: entry.date.start.month):
            periods.append((Period(f"{year:04d}-{month:02d}", formats.heading(year, month), len(in_month), home), in_month))
    return tuple(periods)


def _runs(entries: tuple[Entry, ...], key) -> list[tuple[object, tuple[Entry, ...]]]:
    """Consecutive entries with the same key (entries come in date order, so each key is one run)."""
    return [(value, tuple(members)) for value, members in itertools.groupby(entries, key)]


def period_homes(periods: tuple[tuple[Period, tuple[Entry, ...]], ...]) -> dict[str, str]:
    """The period page of each entry, by entry id."""
    return {entry.id: period.path for period, members in periods for entry in members}


@dataclass(frozen=True)
class Placed:
    """Where the entry pages place each entry: the timeline page that shows it (`homes`, else
    `default_home`), the locator drawn on its page, and, on a site of several timelines, the timelines
    that show it (`also`: title and index path of each, the first its home's)."""

    homes: Mapping[str, str]
    default_home: str | None
    locators: tuple[Locator | None, ...]  # each distinct locator once
    locator_by_id: Mapping[str, int]  # id -> position in locators
    also: Mapping[str, tuple[tuple[str, str], ...]] | None = None

    @classmethod
    def on_one_timeline(cls, entries: tuple[Entry, ...], homes: Mapping[str, str], mirrored: bool = False) -> Placed:
        return cls(homes, "index.html", (locator(entries, mirrored),), {})  # the whole timeline in brief, on every page

    def locator_of(self, entry_id: str) -> Locator | None:
        return self.locators[self.locator_by_id.get(entry_id, 0)]

    def extra(self, entry_id: str) -> dict:
        """What an entry page of a site of several timelines says besides: the timelines that show it."""
        return {} if self.also is None else {"in_timelines": self.also.get(entry_id, ())}


def right_to_left(settings: Settings) -> bool:
    """Whether the site's pages run right to left, and with them its locators."""
    return text_direction(settings.language) == "rtl"


def selection_settings(settings: Settings, selection: Selection) -> Settings:
    """The settings the pages of one timeline of several are made with: its title, description, as-of
    date and eras, under the site's name."""
    return replace(settings, title=selection.title, short_title=settings.site_name,
                   description=selection.description, as_of=selection.as_of or settings.as_of, eras=selection.eras)


def several_timelines(plan: _Planner, timeline: Timeline) -> tuple[list[Page], Placed]:
    """A site of several timelines: the site index listing them, and each timeline's pages under
    timelines/<name>/ (index or periods, feed, TimelineJS export), each entry placed on the first
    timeline that shows it."""
    settings, entries = timeline.settings, timeline.entries
    by_id = {entry.id: entry for entry in entries}
    homes, also, locators, locator_by_id, listed, pages = {}, defaultdict(list), [None], {}, [], []
    for selection in timeline.selections:
        members = tuple(by_id[entry_id] for entry_id in selection.members if entry_id in by_id)
        home = f"{TIMELINES_DIR}/{selection.name}/"
        view = plan.within(selection_settings(settings, selection), home)
        periods = split_into_periods(members, settings.entries_per_page, home, settings.language)
        pages += timeline_pages(view, members, periods, home)
        pages += timeline_embeds(view, members, periods, home)
        shown = tuple(entry for entry in members if not entry.draft)
        latest = feed_entries(shown, view.base["changes"])
        pages.append(view.page(f"{home}feed.xml", "feed.xml", latest, entries=latest,
                               updated=feed_updated(latest, view.base["changes"])))
        pages.append(view.page(f"{home}{TIMELINEJS}", TIMELINEJS, shown, entries=shown))
        locators.append(locator(members, right_to_left(settings)))
        period_of = period_homes(periods)
        for entry in members:
            homes.setdefault(entry.id, period_of.get(entry.id, f"{home}index.html"))
            locator_by_id.setdefault(entry.id, len(locators) - 1)
            also[entry.id].append((selection.title, f"{home}index.html"))
        listed.append((selection, len(members), span_date(members[0].date) if members else None,
                       span_date(members[-1].date) if members else None))
    pages.insert(0, plan.page("index.html", "timelines.html", (), (value_digest(listed),), timelines=tuple(listed)))
    if any(page.template == "period.html" for page in pages):
        pages.append(plan.page(PERIODS_STYLE, "periods.css", ()))
    placed = Placed(homes, None, tuple(locators), locator_by_id, {key: tuple(value) for key, value in also.items()})
    return pages, placed


def timeline_pages(plan: _Planner, entries: tuple[Entry, ...],
                   periods: tuple[tuple[Period, tuple[Entry, ...]], ...], home: str = "") -> list[Page]:
    """The index showing every entry; or, split, the index listing the periods, a page per
    period and the map of entries to periods (the periods' stylesheet is the site's: site_pages)."""
    if not periods:
        return [plan.listing(f"{home}index.html", "index.html", entries, tags=all_tags(entries))]
    nav = tuple(period for period, _ in periods)
    spans = period_spans(periods)
    ids = {period.path: [entry.id for entry in members] for period, members in periods}
    pages = [plan.page(f"{home}index.html", "periods.html", (), (value_digest(spans),), periods=spans,
                       periods_map=f"{home}{PERIODS_MAP}", periods_style=PERIODS_STYLE),
             plan.page(f"{home}{PERIODS_MAP}", "periods.js", (), (value_digest(ids),), ids=ids)]
    nav_key = value_digest(nav)  # once, not once per period page (there are hundreds at 50,000 entries)
    for index, (period, members) in enumerate(periods):
        neighbours = nav[index - 1] if index else None, nav[index + 1] if index + 1 < len(nav) else None
        pages.append(plan.page(period.path, "period.html", members, (nav_key,),
                               groups=group_by_period(members, plan.base["settings"].language), entries=members, tags=all_tags(members),
                               period=period, periods=nav, previous=neighbours[0], next=neighbours[1],
                               periods_style=PERIODS_STYLE))
    return pages


def period_spans(periods: tuple[tuple[Period, tuple[Entry, ...]], ...]) -> tuple:
    """Each period with the dates of its first and last entries, as the index of periods lists them."""
    return tuple((period, span_date(members[0].date), span_date(members[-1].date)) for period, members in periods)


def span_date(date: PartialDate) -> PartialDate:
    """A date as the first or last of a period's span: to the day at most."""
    return replace(date, precision=DAY) if date.precision == MINUTE else date


# ---------------------------------------------------------------- embeds

EMBED_DIR = "embed"
OEMBED = "oembed.json"


def timeline_embeds(plan: _Planner, entries: tuple[Entry, ...],
                    periods: tuple[tuple[Period, tuple[Entry, ...]], ...], home: str = "") -> list[Page]:
    """What other sites frame of a timeline (README "Embedding"), under its folder (`home`): a compact
    view of it, split as the timeline is (its index then listing the periods), and its oEmbed
    description. Each page names the full page it stands for, its `canonical`; none is in the sitemap.
    Their contexts hold their entries as `sections`, never as `groups`, which names a listing of
    entry_item.html's items."""
    base_url = plan.base["settings"].base_url
    folder = f"{home}{EMBED_DIR}/"
    if periods:
        spans = period_spans(periods)
        pages = [plan.page(f"{folder}index.html", "embed/periods.html", (), (value_digest(spans),), periods=spans,
                           periods_map=f"{home}{PERIODS_MAP}", canonical=base_url + home)]
        pages += [embed_listing(plan, folder + period.path.removeprefix(home), members, period,
                                base_url + public_path(period.path)) for period, members in periods]
    else:
        pages = [embed_listing(plan, f"{folder}index.html", entries, None, base_url + home)]
    pages.append(plan.page(folder + OEMBED, f"embed/{OEMBED}", (), subject=None))
    return pages


def embed_listing(plan: _Planner, path: str, entries: tuple[Entry, ...], period: Period | None,
                  canonical: str) -> Page:
    return plan.page(path, "embed/timeline.html", entries, sections=group_by_period(entries, plan.base["settings"].language), entries=entries,
                     period=period, canonical=canonical)


def entry_embeds(plan: _Planner, entries: tuple[Entry, ...]) -> list[Page]:
    """Each entry as other sites frame it: a card, its oEmbed description, and a redirect from the card
    of each earlier id (its aliases). Their contexts hold the entry as `card` and `subject`, never as
    `entry`, which names an entry's own page."""
    base_url = plan.base["settings"].base_url
    pages = []
    for entry in entries:
        folder = f"{EMBED_DIR}/entries/{entry.id}"
        pages.append(plan.page(f"{folder}/index.html", "embed/entry.html", (entry,), card=entry,
                               canonical=f"{base_url}entries/{entry.id}/"))
        pages.append(plan.page(f"{folder}/{OEMBED}", f"embed/{OEMBED}", (entry,), subject=entry))
        # A frame already pasted elsewhere under an earlier id follows the entry, as its page does.
        pages += [plan.page(f"{EMBED_DIR}/entries/{alias}/index.html", "redirect.html", (), (plan.keys[entry.id],),
                            title=entry.title, target=f"../{entry.id}/index.html",
                            canonical=f"{base_url}entries/{entry.id}/") for alias in entry.aliases]
    return pages
