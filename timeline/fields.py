"""The fields an editor may write, each described once: the validator (validate.py), the JSON
Schema (commands/schema.py) and the `new` scaffold (commands/new.py) are all made from these tables."""
from __future__ import annotations

import re
from dataclasses import dataclass

ID_PATTERN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
# An id names a file (<id>.yaml) and a folder of the site; file systems allow 255 bytes a name.
MAX_ID = 200
MAX_TITLE = 120
MAX_SUMMARY = 300
MAX_LABEL = 40
# A local image is copied into the site at every build: a photograph for the web is a few megabytes.
MAX_MEDIA_BYTES = 25_000_000
# Lists an entry may hold, each far beyond what a newsroom writes, so that one file bounds the work of
# a build. An entry is listed on the page of each of its tags with all of them (the pages grow with the
# square of its tags): 1,000 tags made 76 MB; entries carry 3 to 10. Sources and corrections are shown
# in full on the entry's page: 1 to 10 sources, 0 to 3 corrections. Each alias is a page and a line of
# permalinks.lock, and an entry gets one per rename.
MAX_TAGS = 30
MAX_SOURCES = 100
MAX_CORRECTIONS = 50
MAX_ALIASES = 20
# The base_url is written into every page several times and into every line of the sitemap and feed.
MAX_BASE_URL = 200
MAX_SHORT_TITLE = 40
MAX_ERA_LABEL = 80
MAX_ERAS = 50  # each is a band on every axis
MAX_TIMELINES = 100  # content/timelines/*.yaml: each is a set of pages of its own
MAX_SELECTED = 10_000  # ids one timeline may list by name
MAX_TRANSLATIONS = 20  # languages a site may have besides its own: each is a full site of its own

# What an entry's status may say; without one, the event happened.
STATUSES = ("scheduled", "ongoing")
# The calendars a timeline may show dates in beside the Gregorian one (calendars.py).
CALENDARS = ("solar-hijri", "islamic-umalqura")
# What a build does with an https media.src: copy it into the site (remote.py), or refuse it.
COPY_REMOTE, REFUSE_REMOTE = "copy", "refuse"
REMOTE_MEDIA = (COPY_REMOTE, REFUSE_REMOTE)


@dataclass(frozen=True)
class Field:
    """One field an editor may write; the scaffold of `new` and the JSON Schema are made from these."""

    name: str
    description: str
    example: object
    required: bool = False
    kind: str = "line"  # line (one line of text), text, date, boolean, number, url or id
    limit: int | None = None  # most characters of a text; largest magnitude of a number
    fields: dict[str, "Field"] | None = None  # the keys of a mapping (kind is then unused)
    many: bool = False  # a list of such values
    max_items: int | None = None  # most values of such a list
    choices: tuple[str, ...] | None = None  # the values a "choice" allows


PLACE_FIELDS = {f.name: f for f in (
    Field("name", "Name of the place.", "Zaranj", required=True),
    Field("region", "Province, state or region.", "Nimroz"),
    Field("country", "Country.", "Afghanistan"),
    Field("lat", "Latitude in degrees, -90 to 90.", 30.96, kind="number", limit=90),
    Field("lon", "Longitude in degrees, -180 to 180.", 61.86, kind="number", limit=180),
)}

SOURCE_FIELDS = {f.name: f for f in (
    Field("name", "Who reported or said it: an outlet, agency, person or document.", "EFE", required=True),
    Field("url", "Link to the source (http or https).", "https://www.efe.com/", kind="url"),
    Field("title", "Title of the article or document.", "Taliban seize Sheberghan"),
    Field("date", "Date of the source, in the same forms as an entry's date.", "2021-08-07", kind="date"),
    Field("via", "The outlet or document that reported it, for a source without a URL: a statement "
          "made to EFE, a figure given in a news report.", "EFE"),
    Field("quote", "The passage relied on, quoted exactly.", "Sheberghan, the provincial capital, has fallen.",
          kind="text"),
)}

MEDIA_FIELDS = {f.name: f for f in (
    Field("src", "A file in content/media/ (zaranj.jpg) or an https URL, whose image is copied into the site "
          "when it is built.", "zaranj.jpg", required=True),
    Field("alt", "What the image shows, for readers who cannot see it.", "Map of Nimroz province", required=True),
    Field("caption", "Caption shown under the image.", "Nimroz borders Iran.", kind="text"),
    Field("credit", "Who made the image.", "EFE", kind="text"),
)}

CORRECTION_FIELDS = {f.name: f for f in (
    Field("date", "When the correction was made.", "2021-08-08", required=True, kind="date"),
    Field("text", "What was wrong and what is right.", "An earlier version misnamed the province.",
          required=True, kind="text"),
)}

ENTRY_FIELDS = {f.name: f for f in (
    Field("title", f"Headline of the event: plain text, one line, at most {MAX_TITLE} characters.",
          "Taliban capture Zaranj, capital of Nimroz", required=True, limit=MAX_TITLE),
    Field("date", "When the event happened or began: 2021, 2021-08, 2021-08-06, "
          "2021-08-06 14:30, 2021-08-06T14:30+04:30, 6 August 2021 or August 2021. "
          "The precision written is the precision shown.", "2021-08-06", required=True, kind="date"),
    Field("end_date", "Last day of an event that spans time; same forms as date, not before it.", "2021-08-31",
          kind="date"),
    Field("circa", "true when the date is approximate; it is then shown as c. ...", False, kind="boolean"),
    Field("date_label", "Free text shown instead of the computed date; ordering still uses date.",
          "Friday afternoon"),
    Field("summary", f"One or two plain sentences, at most {MAX_SUMMARY} characters, for lists, "
          "cards and feeds. Without it, the first paragraph of the body is used.",
          "The first provincial capital to fall since May.", kind="text", limit=MAX_SUMMARY),
    Field("body", "The full account, in Markdown.", "Residents fled towards the border with Iran.",
          kind="text"),
    Field("tags", f"Short labels (at most {MAX_LABEL} characters each, at most {MAX_TAGS} tags) that group "
          "entries.", ["Provincial capitals"], limit=MAX_LABEL, many=True, max_items=MAX_TAGS),
    Field("place", "Where it happened: name (required), region, country, lat, lon.",
          {"name": "Zaranj", "region": "Nimroz", "country": "Afghanistan"}, fields=PLACE_FIELDS),
    Field("sources", f"At least one source (at most {MAX_SOURCES}): name (required), url, title, date, quote.",
          [{"name": "Tolo News", "url": "https://tolonews.com/"}], required=True,
          fields=SOURCE_FIELDS, many=True, max_items=MAX_SOURCES),
    Field("media", "One image: src (a file in content/media/ or an https URL), alt (required), "
          "caption, credit.", {"src": "zaranj.jpg", "alt": "The border crossing at Zaranj"},
          fields=MEDIA_FIELDS),
    Field("draft", "true keeps the entry out of the build unless --drafts is given.", False, kind="boolean"),
    Field("key", "true for a key moment: shown with more weight in the list and on the axis, and listed "
          "among the key moments at the top of the timeline.", True, kind="boolean"),
    Field("status", "For an event that had not happened, or not ended, when it was written: scheduled "
          "(announced for its date) or ongoing (begun, not ended). Leave it out for an event that happened.",
          "scheduled", kind="choice", choices=STATUSES),
    Field("updated", "Date of the last substantive change to the entry.", "2021-08-08", kind="date"),
    Field("corrections", f"Published corrections (at most {MAX_CORRECTIONS}), each with date and text.",
          [{"date": "2021-08-08", "text": "An earlier version gave the wrong province."}],
          fields=CORRECTION_FIELDS, many=True, max_items=MAX_CORRECTIONS),
    Field("aliases", f"Earlier ids of this entry (at most {MAX_ALIASES}), whose URLs must keep working.",
          ["zaranj-captured"], kind="id", many=True, max_items=MAX_ALIASES),
)}

ERA_FIELDS = {f.name: f for f in (
    Field("label", "Name of the period.", "Final phase of the foreign troop withdrawal", required=True,
          limit=MAX_ERA_LABEL),
    Field("start", "When it began, in the same forms as an entry's date.", "2021-05-01", required=True, kind="date"),
    Field("end", "When it ended (or is due to end), not before start.", "2021-08-31", required=True, kind="date"),
    Field("note", "One sentence about it, shown with it.", "Announced to end with August.", kind="text",
          limit=MAX_SUMMARY),
)}

SETTINGS_FIELDS = {f.name: f for f in (
    Field("title", "Title of the timeline.", "The Taliban offensive of 2021", required=True),
    Field("short_title", f"A short name for the site, at most {MAX_SHORT_TITLE} characters, shown in the "
          "header of every page (default: the title).", "Afghanistan 2021", limit=MAX_SHORT_TITLE),
    Field("base_url", "Absolute http or https URL where the site is published, used for canonical links, "
          f"feeds and sharing: a host and a path, no query, no fragment, at most {MAX_BASE_URL} characters.",
          "https://example.org/afghanistan-2021/", required=True, limit=MAX_BASE_URL),
    Field("timezone", "IANA time zone of the events (an Area/City name), for times written without an "
          "offset.", "Asia/Kabul", required=True),
    Field("description", "One or two sentences about the timeline.", "How the Taliban advanced."),
    Field("language", "Language of the content, a BCP 47 tag.", "en"),
    Field("publisher", "Who publishes the timeline.", "The Newsroom"),
    Field("entries_per_page", "Past this many entries the index is split into period pages.", 500),
    Field("as_of", "The date the timeline's account runs to: what it says is as of then (shown with it, "
          "and printed).", "2021-08-07", kind="date"),
    Field("recent_days", "Entries first published or updated within this many days of the timeline's "
          "latest change are marked new or updated.", 7, kind="number", limit=366),
    Field("eras", f"Periods drawn as bands on the time axis and marked in the list (at most {MAX_ERAS}), "
          "each with label, start, end and an optional note; they may overlap.",
          [{"label": "Final phase of the foreign troop withdrawal", "start": "2021-05-01", "end": "2021-08-31"}],
          fields=ERA_FIELDS, many=True, max_items=MAX_ERAS),
    Field("calendars", "Calendars to show each date in beside the Gregorian one: solar-hijri (the Solar Hijri "
          "calendar, with the months named as in Afghanistan: 15 Asad 1400 SH) and islamic-umalqura (the Hijri "
          "lunar calendar of Umm al-Qura, 1924 to 2077: 27 Dhuʻl-Hijjah 1442 AH).", ["solar-hijri"],
          kind="choice", choices=CALENDARS, many=True, max_items=len(CALENDARS)),
    Field("remote_media", "What a build does with an image given as an https URL: copy (fetch it and publish "
          "the copy; the default) or refuse (an error: images must be files in content/media/).", COPY_REMOTE,
          kind="choice", choices=REMOTE_MEDIA),
    Field("share_images", "Draw a share card (the picture social sites and chat apps show with a link) for "
          "each entry without media; false leaves them out.", True, kind="boolean"),
    Field("translations", f"The languages of the site's other editions (at most {MAX_TRANSLATIONS}), BCP 47 tags: "
          "each is published under /<language>/ from content/translations/<language>/.", ["fa-AF", "ps"],
          many=True, max_items=MAX_TRANSLATIONS, limit=35),
)}

# content/translations/<language>/timeline.yaml: what an edition says in its own language.
EDITION_FIELDS = {f.name: f for f in (
    Field("title", "Title of the timeline in this language.", "L'offensive des talibans en 2021"),
    Field("short_title", f"The site's short name in this language, at most {MAX_SHORT_TITLE} characters.",
          "Afghanistan 2021", limit=MAX_SHORT_TITLE),
    Field("description", "One or two sentences about the timeline in this language.", "Comment les talibans ont avancé."),
    Field("tags", "Each tag's label in this language, by its label in the original: the tag keeps its address.",
          {"Provincial capitals": "Capitales provinciales"}, kind="labels", limit=MAX_LABEL),
    Field("places", "Each place's name in this language, by its name in the original.", {"Zaranj": "Zarandj"},
          kind="labels", limit=100),
)}

TRANSLATED_SOURCE_FIELDS = {f.name: f for f in (
    Field("title", "The source's title in this language.", "Les talibans prennent Sheberghan"),
    Field("quote", "The passage relied on, in this language (the original's quote stays the authority).",
          "Sheberghan, la capitale provinciale, est tombée.", kind="text"),
)}

TRANSLATED_MEDIA_FIELDS = {f.name: f for f in (
    Field("alt", "What the image shows, in this language.", "Carte de la province de Nimroz"),
    Field("caption", "The caption in this language.", "Le Nimroz borde l'Iran.", kind="text"),
)}

# content/translations/<language>/entries/<id>.yaml: the fields of an entry a reader reads, in one language.
TRANSLATION_FIELDS = {f.name: f for f in (
    Field("translates", "The digest of the original's text this translation was made from, as `check` prints "
          "it: when the original's text changes, `check` warns that the translation is older.", "3f2a9c1b0d",
          required=True),
    Field("title", f"The headline in this language, at most {MAX_TITLE} characters.", "Les talibans prennent Zaranj",
          required=True, limit=MAX_TITLE),
    Field("summary", f"The summary in this language, at most {MAX_SUMMARY} characters.", "La première capitale "
          "provinciale à tomber.", kind="text", limit=MAX_SUMMARY),
    Field("body", "The body in this language, in Markdown.", "Zaranj est tombée.", kind="text"),
    Field("date_label", "The date as the edition shows it instead of the date, when the original has one.",
          "Le 6 août 2021", limit=80),
    Field("media", "The image's alt and caption in this language.", {"alt": "Carte du Nimroz"},
          fields=TRANSLATED_MEDIA_FIELDS),
    Field("sources", "Each source's title and quote in this language, in the original's order (an empty item, "
          "{}, keeps the original's).", [{"title": "Les talibans prennent Sheberghan"}],
          fields=TRANSLATED_SOURCE_FIELDS, many=True, max_items=MAX_SOURCES),
)}

SELECT_FIELDS = {f.name: f for f in (
    Field("tags", "Entries with any of these tags.", ["Provincial capitals"], many=True, max_items=MAX_TAGS,
          limit=MAX_LABEL),
    Field("places", "Entries at any of these places (their place name).", ["Zaranj"], many=True,
          max_items=MAX_TAGS, limit=100),
    Field("from", "Entries that begin on or after this date.", "2021-08-01", kind="date"),
    Field("to", "Entries that begin on or before this date.", "2021-08-31", kind="date"),
    Field("entries", f"These entries, by id, whatever else is said (at most {MAX_SELECTED:,}).",
          ["zaranj-falls"], kind="id", many=True, max_items=MAX_SELECTED),
)}

TIMELINE_FIELDS = {f.name: f for f in (
    Field("title", "Title of this timeline.", "The fall of the provincial capitals", required=True),
    Field("description", "One or two sentences about it.", "The first provincial capitals the Taliban took."),
    Field("as_of", "The date its account runs to (default: the site's).", "2021-08-07", kind="date"),
    Field("eras", f"Its own periods, as in the site settings (at most {MAX_ERAS}).",
          [{"label": "Final phase of the foreign troop withdrawal", "start": "2021-05-01", "end": "2021-08-31"}],
          fields=ERA_FIELDS, many=True, max_items=MAX_ERAS),
    Field("select", "Which entries it shows: those listed under entries, and those that match every other "
          "rule given (any of the tags, any of the places, from, to).",
          {"tags": ["Provincial capitals"], "from": "2021-08-01"}, required=True, fields=SELECT_FIELDS),
)}
