"""Render stage: the ordered timeline becomes the site's files, all markup from templates/.

Planning and rendering are separate. plan_site() is cheap: it lists every
output file as a Page whose context is plain, picklable data and whose
`inputs` fingerprint everything the page shows, so that a cache can skip
unchanged pages and worker processes can render the rest. render_page()
depends on nothing but the template and the context (Markdown is converted
there, not while planning), so two builds are byte-identical.

What renders reuse travels in a Memo: each converted body and each entry's
fragments (its listing item, its TimelineJS event), made once and joined by
every listing and by the export; the page cache keeps it between builds.
Pages are yielded as they are made (each_page), so the write stage stores
them while the next ones render.
"""
from __future__ import annotations

import hashlib
import itertools
from collections import defaultdict
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Iterable, Iterator, Mapping

import jinja2
from jinja2.utils import htmlsafe_json_dumps
from markupsafe import Markup, escape

from .dates import MONTH_NAMES, format_date, format_range, period_key, period_label
from .markup import first_paragraph, render_markdown
from .model import DAY, MINUTE, Entry, PartialDate, Place, Settings, Tag, Timeline
from .speed.workers import fork_pool, fork_workers

STATIC_DIR = "static"  # templates/static/ is copied to the output as static/
MEDIA_DIR = "media"  # content/media/ is copied to the output as media/
# Past this many distinct months the index is headed by year instead of by month.
MAX_MONTH_HEADINGS = 24
# Rendering in forked worker processes pays from this many pages (measured on 2 cores: see
# benchmarks/README.md).
PARALLEL_FROM = 1000
# The feed carries the latest events, as feeds do: a reader subscribes to what comes next, and
# an archive of thousands of full bodies would be megabytes fetched on every poll.
FEED_ENTRIES = 50
TIMELINEJS = "timeline.json"  # the timeline in TimelineJS3's format: its path and template


@dataclass(frozen=True)
class Page:
    """One output file to render: `path` is posix, relative to the output folder."""

    path: str
    template: str
    context: Mapping[str, object] = field(hash=False)
    inputs: tuple[str, ...]


def fingerprint(value: object) -> str:
    # Model values are frozen dataclasses whose repr lists every field deterministically.
    return hashlib.blake2b(repr(value).encode("utf-8"), digest_size=8).hexdigest()


def entry_prints(timeline: Timeline) -> dict[str, str]:
    """Each entry's fingerprint, by id: the load's where it knows the entry, else from its fields."""
    known = timeline.fingerprints
    return {entry.id: known.get(entry.id) or fingerprint(entry) for entry in timeline.entries}


# ---------------------------------------------------------------- planning

def plan_site(timeline: Timeline, fingerprinted: bool = True) -> tuple[Page, ...]:
    """Every page of the site, in a stable order, without rendering any of them.

    Without `fingerprinted`, the pages' inputs are left empty: a build without a page cache has no
    use for them, and fingerprinting entries the load cache did not is the costliest part.

    A context holds entries alone or in tuples, and a page whose context holds an entry has its
    fingerprint among its inputs: a rebuild after an edit relies on both to put the new entry in
    (edits.py)."""
    settings = timeline.settings
    base = {"settings": settings, "drafts_included": timeline.drafts_included}
    shared = (fingerprint(settings), fingerprint(timeline.drafts_included)) if fingerprinted else None
    plan = _Planner(base, shared, entry_prints(timeline) if fingerprinted else defaultdict(str))
    entries = timeline.entries
    published = tuple(e for e in entries if not e.draft)
    periods = split_into_periods(entries, settings.entries_per_page)
    pages = timeline_pages(plan, entries, periods)
    pages += plan.entry_pages(entries, period_homes(periods))
    pages += plan.alias_pages(entries)
    by_tag, by_place = entries_by_tag(entries), entries_by_place(entries)
    tags = tuple((tag, len(tagged)) for tag, tagged in by_tag)
    places = tuple((place, len(located)) for place, located in by_place)
    pages.append(plan.page("tags/index.html", "tags.html", (), (fingerprint(tags),), tags=tags))
    pages += [plan.listing(f"tags/{tag.slug}/index.html", "tag.html", tagged, tag=tag) for tag, tagged in by_tag]
    pages.append(plan.page("places/index.html", "places.html", (), (fingerprint(places),), places=places))
    pages += [plan.listing(f"places/{place.slug}/index.html", "place.html", located, place=place)
              for place, located in by_place]
    pages.append(plan.page("404.html", "404.html", (), root=settings.base_url))
    latest = tuple(reversed(published[-FEED_ENTRIES:]))
    pages.append(plan.page("feed.xml", "feed.xml", latest, entries=latest, updated=feed_updated(latest)))
    period_urls = tuple(public_path(period.path) for period, _ in periods)
    if len(published) < len(entries):  # drafts shown in this preview stay out of the sitemap
        by_tag, by_place = entries_by_tag(published), entries_by_place(published)
    pages.append(plan.page("sitemap.xml", "sitemap.xml", published, (fingerprint(period_urls),), entries=published,
                           periods=period_urls, tags=tuple(tag for tag, _ in by_tag),
                           places=tuple(place for place, _ in by_place)))
    pages.append(plan.page("robots.txt", "robots.txt", ()))
    pages.append(plan.page(TIMELINEJS, TIMELINEJS, published, entries=published))
    return tuple(pages)


class _Planner:
    def __init__(self, base: dict, shared: tuple[str, ...] | None, prints: Mapping[str, str]):
        self.base, self.shared, self.prints = base, shared, prints

    def page(self, path: str, template: str, shown: Iterable[Entry], inputs: tuple[str, ...] = (),
             **context) -> Page:
        """A page showing the entries `shown` in full; `inputs` adds what else it shows."""
        context = {**self.base, "root": "../" * path.count("/"), "path": path,
                   "url": self.base["settings"].base_url + public_path(path), **context}
        if self.shared is None:  # not fingerprinted
            return Page(path, template, context, ())
        own = self.shared + tuple([self.prints[e.id] for e in shown])
        return Page(path, template, context, own + inputs + (fingerprint(sorted_context(context)),))

    def listing(self, path: str, template: str, entries: tuple[Entry, ...], **context) -> Page:
        return self.page(path, template, entries, groups=group_by_period(entries), entries=entries, **context)

    def entry_pages(self, entries: tuple[Entry, ...], homes: Mapping[str, str] = {}) -> list[Page]:
        """`homes`: the period page showing each entry, when the timeline is split (else the index).

        A page links to its neighbours by title and date; it depends on their whole fingerprint,
        which costs a rendering of two pages when a neighbour's body changes, where reducing every
        neighbour to its link and fingerprinting that cost a third of a second at 10,000 entries.

        Planned here rather than by page(), as every build plans all of them: a page's other values
        (its path, root and URL) follow from the entry's id, which its fingerprint covers, and from
        the settings, which `shared` covers; its timeline page is an input of its own."""
        base, shared = self.base, self.shared
        url = base["settings"].base_url + "entries/"
        links = [None, *entries, None]  # each entry's neighbours: links[index], links[index + 2]
        prints = ["", *[self.prints[entry.id] for entry in entries], ""]
        pages = []
        for index, entry in enumerate(entries):
            home = homes.get(entry.id, "index.html")
            path = f"entries/{entry.id}/index.html"
            context = {**base, "root": "../../", "path": path, "url": f"{url}{entry.id}/", "entry": entry,
                       "previous": links[index], "next": links[index + 2], "timeline_page": home}
            inputs = () if shared is None else (*shared, prints[index + 1], prints[index], prints[index + 2], home)
            pages.append(Page(path, "entry.html", context, inputs))
        return pages

    def alias_pages(self, entries: tuple[Entry, ...]) -> list[Page]:
        return [self.page(f"entries/{alias}/index.html", "redirect.html", (), (self.prints[entry.id],),
                          title=entry.title, target=f"../{entry.id}/index.html",
                          canonical=self.base["settings"].base_url + f"entries/{entry.id}/")
                for entry in entries for alias in entry.aliases]


def feed_updated(entries: tuple[Entry, ...]) -> str:
    """The feed's <updated>: its latest entry change, so the feed never depends on the build time."""
    moments = [entry.updated or entry.date for entry in entries]
    return max(moments, key=lambda date: date.start).start_iso() if moments else "1970-01-01T00:00:00+00:00"


def sorted_context(context: Mapping[str, object]) -> tuple:
    """The page's own scalar values (labels, paths), in a stable order, for its fingerprint."""
    return tuple((key, value) for key, value in sorted(context.items())
                 if isinstance(value, (str, Tag, Place, type(None))))


def public_path(path: str) -> str:
    """The URL path a server shows for a file: entries/x/ for entries/x/index.html."""
    if path == "index.html":
        return ""
    return path.removesuffix("index.html")


def group_by_period(entries: tuple[Entry, ...]) -> tuple[tuple[str, tuple[Entry, ...]], ...]:
    """Consecutive entries under month headings, or year headings for long spans."""
    by_year = _spans_many_months(entries)
    groups: list[tuple[str, list[Entry]]] = []
    heading = None
    for entry in entries:
        # Labels made once per heading, not once per entry (190,000 in the listings of 50,000 entries).
        key = period_key(entry.date, by_year)
        if key != heading:
            heading = key
            groups.append((period_label(entry.date, by_year), []))
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
    label: str  # "2021" or "August 2021"
    count: int

    @property
    def path(self) -> str:
        return f"{PERIODS_DIR}/{self.slug}/index.html"


def split_into_periods(entries: tuple[Entry, ...], limit: int) -> tuple[tuple[Period, tuple[Entry, ...]], ...]:
    """The period pages and their entries: none up to `limit` entries, else by year, and by month
    for a year of more than `limit` entries (a month is never split, however large)."""
    if len(entries) <= limit:
        return ()
    periods = []
    for year, in_year in _runs(entries, lambda entry: entry.date.start.year):
        if len(in_year) <= limit:
            periods.append((Period(f"{year:04d}", f"{year:04d}", len(in_year)), in_year))
            continue
        for month, in_month in _runs(in_year, lambda entry: entry.date.start.month):
            label = f"{MONTH_NAMES[month - 1]} {year:04d}"
            periods.append((Period(f"{year:04d}-{month:02d}", label, len(in_month)), in_month))
    return tuple(periods)


def _runs(entries: tuple[Entry, ...], key) -> list[tuple[object, tuple[Entry, ...]]]:
    """Consecutive entries with the same key (entries come in date order, so each key is one run)."""
    return [(value, tuple(members)) for value, members in itertools.groupby(entries, key)]


def period_homes(periods: tuple[tuple[Period, tuple[Entry, ...]], ...]) -> dict[str, str]:
    """The period page of each entry, by entry id."""
    return {entry.id: period.path for period, members in periods for entry in members}


def timeline_pages(plan: _Planner, entries: tuple[Entry, ...],
                   periods: tuple[tuple[Period, tuple[Entry, ...]], ...]) -> list[Page]:
    """The index showing every entry; or, split, the index listing the periods, a page per
    period and the map of entries to periods."""
    if not periods:
        return [plan.listing("index.html", "index.html", entries, tags=all_tags(entries))]
    nav = tuple(period for period, _ in periods)
    spans = tuple((period, span_date(members[0].date), span_date(members[-1].date)) for period, members in periods)
    ids = {period.path: [entry.id for entry in members] for period, members in periods}
    pages = [plan.page("index.html", "periods.html", (), (fingerprint(spans),), periods=spans,
                       periods_map=PERIODS_MAP, periods_style=PERIODS_STYLE),
             plan.page(PERIODS_MAP, "periods.js", (), (fingerprint(ids),), ids=ids),
             plan.page(PERIODS_STYLE, "periods.css", ())]
    nav_print = fingerprint(nav)  # once, not per period: for the 300 periods of 50,000 entries, 0.2 s a build
    for index, (period, members) in enumerate(periods):
        neighbours = nav[index - 1] if index else None, nav[index + 1] if index + 1 < len(nav) else None
        pages.append(plan.page(period.path, "period.html", members, (nav_print,),
                               groups=group_by_period(members), entries=members, tags=all_tags(members),
                               period=period, periods=nav, previous=neighbours[0], next=neighbours[1],
                               periods_style=PERIODS_STYLE))
    return pages


def span_date(date: PartialDate) -> PartialDate:
    """A date as the first or last of a period's span: to the day at most."""
    return replace(date, precision=DAY) if date.precision == MINUTE else date


def periods_list_data(spans: tuple[tuple[Period, PartialDate, PartialDate], ...], settings: Settings) -> dict:
    """schema.org ItemList of the period pages, for the index of a split timeline."""
    return item_list(settings.title, [(period.label, settings.base_url + public_path(period.path))
                                      for period, _, _ in spans])


def period_item_list_data(entries: tuple[Entry, ...], period: Period, settings: Settings) -> dict:
    return {**item_list_data(entries, settings), "name": f"{settings.title}: {period.label}"}


# ---------------------------------------------------------------- rendering

@dataclass
class Memo:
    """What a render reuses: each body converted to HTML, by its Markdown, and each entry's fragments
    (its listing item, its TimelineJS event), by kind and entry id. A page cache seeds it with what an
    earlier build made (bodies through `stored_body`, looked up when first needed) and keeps what was
    `gained`."""

    bodies: dict[str, str] = field(default_factory=dict)
    fragments: dict[tuple, str] = field(default_factory=dict)
    stored_body: Callable[[str], str | None] | None = None
    compiled: jinja2.BytecodeCache | None = None  # the templates compiled by an earlier build
    gained_bodies: dict[str, str] = field(default_factory=dict)
    gained_fragments: dict[tuple, str] = field(default_factory=dict)

    def body(self, body: str) -> str:
        html = self.bodies.get(body)
        if html is None:
            html = self.stored_body(body) if self.stored_body else None
            if html is None:
                html = self.gained_bodies[body] = render_markdown(body)
            self.bodies[body] = html
        return html

    def fragment(self, key: tuple, make: Callable[..., str], *args) -> str:
        """The fragment under `key`, made by make(*args) when not known (the arguments, not a closure:
        asked 10,000 times by every listing and export)."""
        text = self.fragments.get(key)
        if text is None:
            text = self.fragments[key] = self.gained_fragments[key] = make(*args)
        return text

    def gain(self, bodies: Mapping[str, str], fragments: Mapping[tuple, str]) -> None:
        """Take in what a worker process made."""
        self.bodies.update(bodies)
        self.gained_bodies.update(bodies)
        self.fragments.update(fragments)
        self.gained_fragments.update(fragments)


# The memo of the render under way: the template filters below use it. Worker processes are forked
# with it, so they start with everything the parent knows.
_memo = Memo()


def body_html(body: str) -> Markup:
    """The entry body as safe HTML; render_markdown escapes raw HTML and drops unsafe links."""
    return Markup(_memo.body(body))


# The heading level of listing items as the timeline macro (macros.html) renders them by default:
# items are prepared at this level before the listings are rendered. An item at another level is
# rendered when a listing asks for it, so this only decides what is prepared, never what is shown.
LISTING_HEADING_LEVEL = 2
ITEM_TEMPLATE = "entry_item.html"


def listing_item(env: jinja2.Environment, entry: Entry, root: str, heading_level: int, settings: Settings) -> Markup:
    """An entry's listing item (templates/entry_item.html), rendered once per root and level."""
    key = ("item", entry.id, root, heading_level)
    return Markup(_memo.fragment(key, _render_item, env, entry, root, heading_level, settings))


def _render_item(env: jinja2.Environment, entry: Entry, root: str, heading_level: int, settings: Settings) -> str:
    return env.get_template(ITEM_TEMPLATE).render(entry=entry, root=root, heading_level=heading_level,
                                                  settings=settings)


@jinja2.pass_context
def entry_items(context, entries: Iterable[Entry], root: str, heading_level: int) -> Markup:
    """The listing items of `entries`, one after the other (joined here: a template loop over
    thousands of items cost a Jinja call each)."""
    env, settings = context.environment, context["settings"]
    return Markup("".join([listing_item(env, entry, root, heading_level, settings) for entry in entries]))


@jinja2.pass_eval_context
def timelinejs_events(eval_ctx: jinja2.nodes.EvalContext, entries: Iterable[Entry], settings: Settings) -> str:
    """The events of timeline.json, as the tojson filter writes a list's items: one fragment per
    entry, made once (joined here: a template loop over 10,000 events took a tenth of a second).

    Markup only where the template escapes: timeline.json is 20 MB at 10,000 entries, and each
    copy of it (Markup(), then str() of the Markup) costs 20 ms. A template that asks for escaping
    where it does not autoescape (`| e`) gets the events escaped, as it asked."""
    env = eval_ctx.environment
    joined = ", ".join([timelinejs_event_json(env, entry, settings) for entry in entries])
    return Markup(joined) if eval_ctx.autoescape else joined


def timelinejs_event_json(env: jinja2.Environment, entry: Entry, settings: Settings) -> str:
    return _memo.fragment(("event", entry.id), _event_json, env, entry, settings)


def _event_json(env: jinja2.Environment, entry: Entry, settings: Settings) -> str:
    # A str, not the Markup htmlsafe_json_dumps gives: kept by the thousand, it unpickles faster.
    return str(htmlsafe_json_dumps(timelinejs_event(entry, settings), **env.policies["json.dumps_kwargs"]))


def summary_text(entry: Entry) -> str:
    """Plain-text summary: the editor's, else the body's first paragraph."""
    return entry.summary or first_paragraph(body_html(entry.body))


def date_range(entry: Entry) -> tuple[str, str, str]:
    return format_range(entry.date, entry.end_date, entry.circa)


def media_url(entry: Entry, prefix: str) -> str:
    media = entry.media
    return media.src if not media.is_local else f"{prefix}{MEDIA_DIR}/{media.src}"


def place_label(place: Place) -> str:
    """'Zaranj, Nimroz, Afghanistan'; a part is named once ('Afghanistan', not 'Afghanistan, Afghanistan')."""
    return ", ".join(dict.fromkeys(part for part in (place.name, place.region, place.country) if part))


def event_data(entry: Entry, settings: Settings) -> dict:
    """schema.org description of the page and its event, for the JSON-LD block."""
    url = f"{settings.base_url}entries/{entry.id}/"
    event = {"@type": "Event", "name": entry.title, "description": summary_text(entry),
             "startDate": entry.date.iso(), "url": url}
    if entry.end_date:
        event["endDate"] = entry.end_date.iso()
    if entry.place:
        event["location"] = place_data(entry.place)
    if entry.media:
        event["image"] = media_url(entry, settings.base_url)
    page = {"@context": "https://schema.org", "@type": "WebPage", "name": entry.title, "url": url,
            "description": summary_text(entry), "inLanguage": settings.language,
            "isPartOf": {"@type": "WebSite", "name": settings.title, "url": settings.base_url},
            "about": event, "citation": [source_data(source) for source in entry.sources]}
    if entry.updated:
        page["dateModified"] = entry.updated.iso()
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


def source_data(source) -> dict:
    data = {"@type": "CreativeWork", "name": source.title or source.name, "author": source.name}
    if source.url:
        data["url"] = source.url
    if source.date:
        data["datePublished"] = source.date.iso()
    return data


def item_list_data(entries: tuple[Entry, ...], settings: Settings) -> dict:
    return item_list(settings.title, [(entry.title, f"{settings.base_url}entries/{entry.id}/")
                                      for entry in entries])


def item_list(name: str, items: list[tuple[str, str]]) -> dict:
    """schema.org ItemList of (name, absolute URL) pairs."""
    return {"@context": "https://schema.org", "@type": "ItemList", "name": name,
            "numberOfItems": len(items),
            "itemListElement": [{"@type": "ListItem", "position": position, "name": item_name, "url": url}
                                for position, (item_name, url) in enumerate(items, 1)]}


def timelinejs_date(date, display: str | None = None) -> dict:
    """A TimelineJS3 date object carrying only the parts the editor wrote."""
    parts = {"year": date.start.year}
    if date.month is not None:
        parts["month"] = date.start.month
    if date.day is not None:
        parts["day"] = date.start.day
    if date.precision == "minute":
        parts["hour"], parts["minute"] = date.start.hour, date.start.minute
    if display:
        parts["display_date"] = display
    return parts


def timelinejs_title(settings: Settings) -> dict:
    """The title slide of TimelineJS3's JSON format; headline and text are HTML there, so text is escaped."""
    return {"text": {"headline": str(escape(settings.title)), "text": str(escape(settings.description))}}


def timelinejs_event(entry: Entry, settings: Settings) -> dict:
    shown = entry.date_label or (format_date(entry.date, entry.circa) if not entry.end_date
                                 else "".join(date_range(entry)))
    event = {"unique_id": entry.id, "start_date": timelinejs_date(entry.date)}
    if entry.end_date:
        event["end_date"] = timelinejs_date(entry.end_date)
    event["display_date"] = shown
    body = body_html(entry.body) if entry.body else escape(summary_text(entry))
    event["text"] = {"headline": str(escape(entry.title)), "text": str(body)}
    if entry.media:
        media = {"url": media_url(entry, settings.base_url), "alt": entry.media.alt}
        media.update({key: value for key, value in (("caption", entry.media.caption),
                                                      ("credit", entry.media.credit)) if value})
        event["media"] = media
    if entry.tags:
        event["group"] = entry.tags[0].label
    return event


def make_environment(templates_dir: Path, compiled: jinja2.BytecodeCache | None = None) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir)),
        bytecode_cache=compiled,
        auto_reload=False,  # an environment lives for one render: a stat per template use is wasted
        autoescape=jinja2.select_autoescape(("html", "xml"), default_for_string=True, default=False),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.policies["json.dumps_kwargs"] = {"sort_keys": False, "ensure_ascii": False}
    env.globals["entry_items"] = entry_items
    env.filters.update(display_date=format_date, markdown=body_html, summary_text=summary_text,
                       date_range=date_range, media_url=media_url, place_label=place_label,
                       event_data=event_data, item_list_data=item_list_data, timelinejs_title=timelinejs_title,
                       timelinejs_events=timelinejs_events,
                       periods_list_data=periods_list_data, period_item_list_data=period_item_list_data)
    return env


def render_page(env: jinja2.Environment, page: Page) -> bytes:
    return env.get_template(page.template).render(page.context).encode("utf-8")


def static_files(templates_dir: Path) -> dict[str, bytes]:
    """templates/static/ copied as static/, in a stable order."""
    folder = templates_dir / STATIC_DIR
    if not folder.is_dir():
        return {}
    return {f"{STATIC_DIR}/{path.relative_to(folder).as_posix()}": path.read_bytes()
            for path in sorted(folder.rglob("*")) if path.is_file()}


def media_files(timeline: Timeline, media_dir: Path | None) -> dict[str, bytes]:
    """The local images the entries use, copied from content/media/ as media/."""
    if media_dir is None:
        return {}
    used = sorted({e.media.src for e in timeline.entries if e.media and e.media.is_local})
    return {f"{MEDIA_DIR}/{src}": (media_dir / src).read_bytes() for src in used}


def render_site(timeline: Timeline, templates_dir: Path, media_dir: Path | None = None,
                pages: Iterable[Page] | None = None, memo: Memo | None = None) -> dict[str, bytes]:
    """Every output file of the site (or only `pages`, with the static and media files), by its path."""
    return dict(site_files(timeline, templates_dir, media_dir, pages, memo))


def site_files(timeline: Timeline, templates_dir: Path, media_dir: Path | None = None,
               pages: Iterable[Page] | None = None, memo: Memo | None = None) -> Iterator[tuple[str, bytes]]:
    """render_site's files as they are made, so that writing them overlaps the rendering.

    `memo`: what an earlier build made (see Memo); what this render makes is added to it.
    """
    pages = plan_site(timeline, fingerprinted=False) if pages is None else tuple(pages)
    yield from each_page(templates_dir, pages, memo)
    yield from static_files(templates_dir).items()
    yield from media_files(timeline, media_dir).items()


def render_pages(templates_dir: Path, pages: tuple[Page, ...], memo: Memo | None = None) -> dict[str, bytes]:
    """The pages' bytes, the same whether rendered here or in worker processes (when that pays)."""
    return dict(each_page(templates_dir, pages, memo))


def each_page(templates_dir: Path, pages: tuple[Page, ...], memo: Memo | None = None) -> Iterator[tuple[str, bytes]]:
    """render_pages, page by page as they are made."""
    global _memo
    _memo = memo if memo is not None else Memo()
    try:
        workers = fork_workers(len(pages), PARALLEL_FROM)
        env = make_environment(templates_dir, _memo.compiled)
        if workers < 2:
            yield from ((page.path, render_page(env, page)) for page in pages)
        else:
            yield from _render_in_workers(env, pages, workers)
    finally:
        _memo = Memo()


@dataclass
class _EntryWork:
    """What a worker makes for one entry: its page (when pending), its listing items, its event."""

    entry: Entry
    settings: Settings
    page: Page | None = None
    roots: set[str] = field(default_factory=set)  # of the pending listings that show it
    event: bool = False  # shown in a pending timeline.json


def _entry_work(pages: tuple[Page, ...]) -> list[_EntryWork]:
    """What the pending pages need of each entry, read from what plan_site puts in their contexts:
    an entry page holds its `entry`, a listing its `groups`, the export is TIMELINEJS."""
    work: dict[str, _EntryWork] = {}

    def of(entry: Entry, context: Mapping[str, object]) -> _EntryWork:
        return work.get(entry.id) or work.setdefault(entry.id, _EntryWork(entry, context["settings"]))

    for page in pages:
        context = page.context
        if "entry" in context:
            of(context["entry"], context).page = page
        elif "groups" in context:
            for entry in context["entries"]:
                of(entry, context).roots.add(context["root"])
        elif page.template == TIMELINEJS:
            for entry in context["entries"]:
                of(entry, context).event = True
    return list(work.values())


# What the worker processes make, and the environment they make it with: set before they are
# forked, so none of it is sent to them (and templates compiled here are not compiled again there).
_pending: list[_EntryWork] = []
_pending_env: jinja2.Environment | None = None


def _render_in_workers(env: jinja2.Environment, pages: tuple[Page, ...], workers: int) -> Iterator[tuple[str, bytes]]:
    """What belongs to one entry (its body, page, listing items and event) is made in parallel, entry
    by entry, so that no work is done twice; the pages that join them (listings, exports) follow here.

    Joining is cheap, and workers that rendered listings would each render most items again."""
    global _pending, _pending_env
    _pending, _pending_env = _entry_work(pages), env
    for template in {work.page.template for work in _pending if work.page} | {ITEM_TEMPLATE}:
        env.get_template(template)  # compiled once, before the workers are forked
    made = set()
    pool = fork_pool(workers)
    try:
        step = workers * 4  # every n-th entry to each task: costly entries are spread evenly
        starts = range(min(step, len(_pending)))
        for done, bodies, fragments in pool.map(_make_entries, starts, [step] * len(starts)):
            _memo.gain(bodies, fragments)
            made.update(path for path, _ in done)
            yield from done
    finally:  # also when the consumer stops early (a full disk): tasks not started are dropped
        pool.shutdown(wait=True, cancel_futures=True)
        _pending, _pending_env = [], None
    yield from ((page.path, render_page(env, page)) for page in pages if page.path not in made)


def _make_entries(start: int, step: int) -> tuple[list, dict, dict]:
    """In a worker: every `step`-th entry's work from `start`; the pages made, and the bodies and
    fragments gained, for the parent."""
    env = _pending_env
    _memo.gained_bodies, _memo.gained_fragments = {}, {}
    done = []
    for work in _pending[start::step]:
        for root in sorted(work.roots):
            listing_item(env, work.entry, root, LISTING_HEADING_LEVEL, work.settings)
        if work.event:
            timelinejs_event_json(env, work.entry, work.settings)
        if work.page is not None:
            done.append((work.page.path, render_page(env, work.page)))
    return done, _memo.gained_bodies, _memo.gained_fragments
