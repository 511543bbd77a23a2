"""The timeline as data for other programs: schema.org JSON-LD for search engines, TimelineJS3's JSON.

Plain functions from model values to dictionaries; the templates serialise them (tojson). What
depends on a converted body (a summary taken from it, an event's text) is given by the caller.
"""
from __future__ import annotations

from markupsafe import escape

from .layout import MEDIA_DIR
from .model import Entry, PartialDate, Place, Settings, Source
from .plan import Period, public_path


def entry_url(entry: Entry, settings: Settings) -> str:
    return f"{settings.base_url}entries/{entry.id}/"


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
    event = {"@type": "Event", "name": entry.title, "description": summary,
             "startDate": entry.date.iso(), "url": url}
    if entry.status == "scheduled":
        event["eventStatus"] = "https://schema.org/EventScheduled"
    if entry.end_date:
        event["endDate"] = entry.end_date.iso()
    if entry.place:
        event["location"] = place_data(entry.place)
    if entry.media:
        event["image"] = media_url(entry, settings.base_url)
    elif share_image:
        event["image"] = share_image
    page = {"@context": "https://schema.org", "@type": "WebPage", "name": entry.title, "url": url,
            "description": summary, "inLanguage": settings.language,
            "isPartOf": {"@type": "WebSite", "name": settings.title, "url": settings.base_url},
            "about": event, "citation": [source_data(source) for source in entry.sources]}
    if published:
        page["datePublished"] = published
    if modified and modified != published:
        page["dateModified"] = modified
    elif entry.updated:
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


def source_data(source: Source) -> dict:
    data = {"@type": "CreativeWork", "name": source.title or source.name, "author": source.name}
    if source.url:
        data["url"] = source.url
    if source.date:
        data["datePublished"] = source.date.iso()
    return data


def item_list_data(entries: tuple[Entry, ...], settings: Settings) -> dict:
    return item_list(settings.title, [(entry.title, entry_url(entry, settings)) for entry in entries])


def item_list(name: str, items: list[tuple[str, str]]) -> dict:
    """schema.org ItemList of (name, absolute URL) pairs."""
    return {"@context": "https://schema.org", "@type": "ItemList", "name": name,
            "numberOfItems": len(items),
            "itemListElement": [{"@type": "ListItem", "position": position, "name": item_name, "url": url}
                                for position, (item_name, url) in enumerate(items, 1)]}


def timelinejs_date(date: PartialDate, display: str | None = None) -> dict:
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


def timelinejs_event(entry: Entry, settings: Settings, shown_date: str, text_html: str) -> dict:
    """One event of TimelineJS3's JSON: `shown_date` as readers see it, `text_html` its text as HTML."""
    event = {"unique_id": entry.id, "start_date": timelinejs_date(entry.date)}
    if entry.end_date:
        event["end_date"] = timelinejs_date(entry.end_date)
    event["display_date"] = shown_date
    event["text"] = {"headline": str(escape(entry.title)), "text": text_html}
    if entry.media:
        media = {"url": media_url(entry, settings.base_url), "alt": entry.media.alt}
        media.update({key: value for key, value in (("caption", entry.media.caption),
                                                      ("credit", entry.media.credit)) if value})
        event["media"] = media
    if entry.tags:
        event["group"] = entry.tags[0].label
    return event


def periods_list_data(spans: tuple[tuple[Period, PartialDate, PartialDate], ...], settings: Settings) -> dict:
    """schema.org ItemList of the period pages, for the index of a split timeline."""
    return item_list(settings.title, [(period.label, settings.base_url + public_path(period.path))
                                      for period, _, _ in spans])


def period_item_list_data(entries: tuple[Entry, ...], period: Period, settings: Settings) -> dict:
    return {**item_list_data(entries, settings), "name": f"{settings.title}: {period.label}"}
