"""Render stage: the ordered timeline becomes the site's files, all markup from templates/.

Planning and rendering are separate. plan_site() is cheap: it lists every
output file as a Page whose context is plain, picklable data and whose
`inputs` fingerprint everything the page shows, so that a cache can skip
unchanged pages and worker processes can render the rest. render_page()
depends on nothing but the template and the context (Markdown is converted
there, not while planning), so two builds are byte-identical.
"""
from __future__ import annotations

import hashlib
import itertools
import multiprocessing
import os
import threading
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Iterable, Mapping

import jinja2
from markupsafe import Markup, escape

from .dates import MONTH_NAMES, format_date, format_range, period_label
from .markup import first_paragraph, render_markdown
from .model import DAY, MINUTE, Entry, PartialDate, Place, Settings, Tag, Timeline

STATIC_DIR = "static"  # templates/static/ is copied to the output as static/
MEDIA_DIR = "media"  # content/media/ is copied to the output as media/
# Past this many distinct months the index is headed by year instead of by month.
MAX_MONTH_HEADINGS = 24
# Rendering in forked worker processes pays from this many pages (measured on 2 cores: see
# benchmarks/README.md); more than MAX_WORKERS processes only add memory.
PARALLEL_FROM = 1000
MAX_WORKERS = 4
# The feed carries the latest events, as feeds do: a reader subscribes to what comes next, and
# an archive of thousands of full bodies would be megabytes fetched on every poll.
FEED_ENTRIES = 50


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


def entry_fingerprint(entry: Entry) -> str:
    return fingerprint(entry)


def settings_fingerprint(settings: Settings) -> str:
    return fingerprint(settings)


def as_link(entry: Entry) -> Entry:
    """The entry reduced to what a link to it shows, so a neighbour's page depends on nothing more."""
    return replace(entry, sources=(), summary=None, body="", tags=(), place=None, media=None,
                   updated=None, corrections=(), aliases=(), source_path="")


# ---------------------------------------------------------------- planning

def plan_site(timeline: Timeline) -> tuple[Page, ...]:
    """Every page of the site, in a stable order, without rendering any of them."""
    settings = timeline.settings
    base = {"settings": settings, "drafts_included": timeline.drafts_included}
    shared = (settings_fingerprint(settings), fingerprint(timeline.drafts_included))
    known = timeline.fingerprints
    prints = {entry.id: known.get(entry.id) or entry_fingerprint(entry) for entry in timeline.entries}
    plan = _Planner(base, shared, prints)
    entries = timeline.entries
    published = tuple(e for e in entries if not e.draft)
    periods = split_into_periods(entries, settings.entries_per_page)
    pages = timeline_pages(plan, entries, periods)
    pages += plan.entry_pages(entries, period_homes(periods))
    pages += plan.alias_pages(entries)
    tags, places = tag_counts(entries), place_counts(entries)
    pages.append(plan.page("tags/index.html", "tags.html", (), (fingerprint(tags),), tags=tags))
    pages += [plan.listing(f"tags/{tag.slug}/index.html", "tag.html", tagged, tag=tag)
              for tag, tagged in entries_by_tag(entries)]
    pages.append(plan.page("places/index.html", "places.html", (), (fingerprint(places),), places=places))
    pages += [plan.listing(f"places/{place.slug}/index.html", "place.html", located, place=place)
              for place, located in entries_by_place(entries)]
    pages.append(plan.page("404.html", "404.html", (), root=settings.base_url))
    latest = tuple(reversed(published[-FEED_ENTRIES:]))
    pages.append(plan.page("feed.xml", "feed.xml", latest, entries=latest, updated=feed_updated(latest)))
    period_urls = tuple(public_path(period.path) for period, _ in periods)
    pages.append(plan.page("sitemap.xml", "sitemap.xml", published, (fingerprint(period_urls),), entries=published,
                           periods=period_urls,
                           tags=all_tags(published), places=tuple(p for p, _ in place_counts(published))))
    pages.append(plan.page("robots.txt", "robots.txt", ()))
    pages.append(plan.page("timeline.json", "timeline.json", published, entries=published))
    return tuple(pages)


class _Planner:
    def __init__(self, base: dict, shared: tuple[str, ...], prints: dict[str, str]):
        self.base, self.shared, self.prints = base, shared, prints

    def page(self, path: str, template: str, shown: Iterable[Entry], inputs: tuple[str, ...] = (),
             **context) -> Page:
        """A page showing the entries `shown` in full; `inputs` adds what else it shows."""
        context = {**self.base, "root": "../" * path.count("/"), "path": path,
                   "url": self.base["settings"].base_url + public_path(path), **context}
        own = (fingerprint(path),) + self.shared + tuple(self.prints[e.id] for e in shown)
        return Page(path, template, context, own + inputs + (fingerprint(sorted_context(context)),))

    def listing(self, path: str, template: str, entries: tuple[Entry, ...], **context) -> Page:
        return self.page(path, template, entries, groups=group_by_period(entries), entries=entries, **context)

    def entry_pages(self, entries: tuple[Entry, ...], homes: Mapping[str, str] = {}) -> list[Page]:
        """`homes`: the period page showing each entry, when the timeline is split (else the index)."""
        links = [None, *map(as_link, entries), None]  # each entry's neighbours: links[index], links[index + 2]
        prints = [fingerprint(link) for link in links]
        pages = []
        for index, entry in enumerate(entries):
            pages.append(self.page(f"entries/{entry.id}/index.html", "entry.html", (entry,),
                                   (prints[index], prints[index + 2]),
                                   entry=entry, previous=links[index], next=links[index + 2],
                                   timeline_page=homes.get(entry.id, "index.html")))
        return pages

    def alias_pages(self, entries: tuple[Entry, ...]) -> list[Page]:
        return [self.page(f"entries/{alias}/index.html", "redirect.html", (), (fingerprint(as_link(entry)),),
                          title=entry.title, target=f"../{entry.id}/index.html",
                          canonical=self.base["settings"].base_url + f"entries/{entry.id}/")
                for entry in entries for alias in entry.aliases]


def feed_updated(entries: tuple[Entry, ...]) -> str:
    """The feed's <updated>: its latest entry change, so the feed never depends on the build time."""
    moments = [(entry.updated or entry.date).start for entry in entries]
    return max(moments).isoformat() if moments else "1970-01-01T00:00:00+00:00"


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
    months = {(e.date.start.year, e.date.start.month) for e in entries}
    by_year = len(months) > MAX_MONTH_HEADINGS
    groups: list[tuple[str, list[Entry]]] = []
    for entry in entries:
        label = period_label(entry.date, by_year)
        if not groups or groups[-1][0] != label:
            groups.append((label, []))
        groups[-1][1].append(entry)
    return tuple((label, tuple(members)) for label, members in groups)


def all_tags(entries: Iterable[Entry]) -> tuple[Tag, ...]:
    unique = {tag.slug: tag for entry in entries for tag in entry.tags}
    return tuple(sorted(unique.values(), key=lambda tag: (tag.label.casefold(), tag.slug)))


def entries_by_tag(entries: tuple[Entry, ...]) -> list[tuple[Tag, tuple[Entry, ...]]]:
    tagged: dict[str, list[Entry]] = {}
    for entry in entries:
        for slug in dict.fromkeys(tag.slug for tag in entry.tags):
            tagged.setdefault(slug, []).append(entry)
    return [(tag, tuple(tagged[tag.slug])) for tag in all_tags(entries)]


def tag_counts(entries: tuple[Entry, ...]) -> tuple[tuple[Tag, int], ...]:
    return tuple((tag, len(tagged)) for tag, tagged in entries_by_tag(entries))


def entries_by_place(entries: tuple[Entry, ...]) -> list[tuple[Place, tuple[Entry, ...]]]:
    places: dict[str, Place] = {}
    located: dict[str, list[Entry]] = {}
    for entry in entries:
        if entry.place is not None:
            places.setdefault(entry.place.slug, entry.place)
            located.setdefault(entry.place.slug, []).append(entry)
    ordered = sorted(places.values(), key=lambda place: (place.name.casefold(), place.slug))
    return [(place, tuple(located[place.slug])) for place in ordered]


def place_counts(entries: tuple[Entry, ...]) -> tuple[tuple[Place, int], ...]:
    return tuple((place, len(located)) for place, located in entries_by_place(entries))


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
    for index, (period, members) in enumerate(periods):
        neighbours = nav[index - 1] if index else None, nav[index + 1] if index + 1 < len(nav) else None
        pages.append(plan.page(period.path, "period.html", members, (fingerprint(nav),),
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

# Bodies converted during this render, by their Markdown: a page shows a body (or the summary taken
# from it) again on the index, tag, place, feed and export pages. Cleared after each render.
_converted: dict[str, Markup] = {}


def body_html(body: str) -> Markup:
    """The entry body as safe HTML; render_markdown escapes raw HTML and drops unsafe links."""
    html = _converted.get(body)
    if html is None:
        html = _converted[body] = Markup(render_markdown(body))
    return html


# Listing items rendered during this render, by entry id, root and heading level: an entry shows
# in the timeline (or its period page), its tags' pages and its place's page. Cleared after each render.
_items: dict[tuple[str, str, int], Markup] = {}


@jinja2.pass_context
def entry_item(context, entry: Entry, root: str, heading_level: int) -> Markup:
    """An entry's listing item (templates/entry_item.html), rendered once per render."""
    key = (entry.id, root, heading_level)
    html = _items.get(key)
    if html is None:
        template = context.environment.get_template("entry_item.html")
        html = _items[key] = Markup(template.render(entry=entry, root=root, heading_level=heading_level,
                                                    settings=context["settings"]))
    return html


def convert_bodies(bodies: Iterable[str]) -> list[str]:
    return [str(body_html(body)) for body in bodies]


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


def timelinejs_data(entries: tuple[Entry, ...], settings: Settings) -> dict:
    """The timeline in TimelineJS3's JSON format; headline and text are HTML there, so text is escaped."""
    return {"title": {"text": {"headline": str(escape(settings.title)), "text": str(escape(settings.description))}},
            "events": [timelinejs_event(entry, settings) for entry in entries]}


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


def make_environment(templates_dir: Path) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir)),
        autoescape=jinja2.select_autoescape(("html", "xml"), default_for_string=True, default=False),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.policies["json.dumps_kwargs"] = {"sort_keys": False, "ensure_ascii": False}
    env.globals["entry_item"] = entry_item
    env.filters.update(display_date=format_date, markdown=body_html, summary_text=summary_text,
                       date_range=date_range, media_url=media_url, place_label=place_label,
                       event_data=event_data, item_list_data=item_list_data, timelinejs_data=timelinejs_data,
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
                pages: Iterable[Page] | None = None, bodies: dict[str, str] | None = None) -> dict[str, bytes]:
    """Every output file of the site (or only `pages`, with the static and media files), by its path.

    `bodies` is a memo of converted bodies (Markdown -> HTML) an earlier build kept; the bodies
    converted now are added to it.
    """
    pages = plan_site(timeline) if pages is None else tuple(pages)
    files = render_pages(templates_dir, pages, timeline.entries, bodies)
    files.update(static_files(templates_dir))
    files.update(media_files(timeline, media_dir))
    return files


def render_pages(templates_dir: Path, pages: tuple[Page, ...], entries: tuple[Entry, ...] = (),
                 bodies: dict[str, str] | None = None) -> dict[str, bytes]:
    """The pages' bytes, the same whether rendered here or in worker processes (when that pays)."""
    if bodies:
        _converted.update((body, Markup(html)) for body, html in bodies.items())
    try:
        workers = _workers(len(pages))
        if workers < 2:
            env = make_environment(templates_dir)
            rendered = {page.path: render_page(env, page) for page in pages}
        else:
            rendered = _render_in_workers(templates_dir, pages, entries, workers)
        if bodies is not None:
            bodies.update((body, str(html)) for body, html in _converted.items())
        return rendered
    finally:
        _converted.clear()
        _items.clear()


def _workers(pages: int) -> int:
    """How many processes to render with: forked workers from PARALLEL_FROM pages, else 1."""
    if pages < PARALLEL_FROM or "fork" not in multiprocessing.get_all_start_methods():
        return 1
    if threading.active_count() > 1:  # forking while other threads run (a preview server) may copy a held lock
        return 1
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return min(cpus, MAX_WORKERS)


# What the worker processes render: set before they are forked, so pages are not sent to them.
_pending: tuple[Page, ...] = ()


def _render_in_workers(templates_dir: Path, pages: tuple[Page, ...], entries: tuple[Entry, ...],
                       workers: int) -> dict[str, bytes]:
    """Convert the bodies in parallel first (most pages show some), then render the pages in parallel."""
    global _pending
    fork = multiprocessing.get_context("fork")
    missing = list(dict.fromkeys(e.body for e in entries if e.body and e.body not in _converted))
    if len(missing) >= PARALLEL_FROM:
        with ProcessPoolExecutor(workers, mp_context=fork) as pool:
            size = -(-len(missing) // (workers * 4))
            for chunk, html in zip(_chunks(missing, size), pool.map(convert_bodies, _chunks(missing, size))):
                _converted.update((body, Markup(text)) for body, text in zip(chunk, html))
    _pending = pages
    try:
        with ProcessPoolExecutor(workers, mp_context=fork) as pool:
            # Every n-th page to each task: the costly listings (index, tags, feed) are planned together.
            step = workers * 4
            starts = range(min(step, len(pages)))
            parts = pool.map(_render_every, [str(templates_dir)] * len(starts), starts, [step] * len(starts))
            return {page.path: data for start, part in zip(starts, parts)
                    for page, data in zip(pages[start::step], part)}
    finally:
        _pending = ()


def _render_every(templates_dir: str, start: int, step: int) -> list[bytes]:
    env = make_environment(Path(templates_dir))
    return [render_page(env, page) for page in _pending[start::step]]


def _chunks(items: list, size: int) -> list[list]:
    return [items[start:start + size] for start in range(0, len(items), size)]
