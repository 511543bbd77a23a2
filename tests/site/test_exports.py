"""The timeline for other programs: TimelineJS3's JSON (attributed slides, eras, dates at the precision
written), the spreadsheet (CSV, formulas made harmless) and the calendar (iCalendar, read back by a
real parser)."""
import csv
import io
import json
from datetime import date, datetime, timezone

import icalendar
import pytest

from support import Page, run_cli
from timeline import exports

BASE = "https://example.org/desk/"
SETTINGS = f"""title: "Exports, tested"
base_url: "{BASE}"
timezone: Asia/Kabul
publisher: Test desk
eras:
  - label: The test era
    start: 2021-07
    end: 2021-09
    note: A note, with a comma.
"""
ENTRIES = {
    "formula-title": """title: '=HYPERLINK("https://evil.example/","click")'
date: 2021-07
summary: |-
  One; with, commas \\ and a backslash
  and a second line.
tags: ["+cmd", "@mention"]
place: {name: Sydney, country: Australia, lat: -33.86, lon: 151.2}
sources:
  - name: "@somebody"
    url: https://example.org/a
  - name: "-2+3"
    via: EFE
media: {src: photo.jpg, alt: A photo, caption: Its caption, credit: Photo Agency}
""",
    "a-year": "title: A year\ndate: 2020\nsummary: Only the year.\nsources: [{name: Someone, via: EFE}]\n",
    "with-times": """title: With times
date: 2021-08-06T14:30+02:00
end_date: 2021-08-06 18:00
summary: From half past two to six.
sources: [{name: Someone, via: EFE}]
""",
    "the-week": """title: The week
date: 2021-08-01
end_date: 2021-08-07
date_label: The week to 7 August 2021
summary: A week.
body: The week's **body**.
tags: [Fighting]
sources: [{name: Someone, via: EFE, date: 2021-08-07, quote: What was said.}]
""",
    "day-to-month": """title: Day to month
date: 2021-08-30
end_date: 2021-09
circa: true
summary: From a day to the end of a month.
sources: [{name: Someone, url: "https://example.org/b", title: A report}]
""",
    "last-day": "title: Last day\ndate: 9999\nsummary: The last year.\nsources: [{name: Someone, via: EFE}]\n",
    "a-draft": "title: A draft\ndate: 2021-08-02\ndraft: true\nsources: [{name: Someone, via: EFE}]\n",
}
PUBLISHED = ["a-year", "formula-title", "the-week", "with-times", "day-to-month", "last-day"]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("exports")
    content = root / "content"
    (content / "entries").mkdir(parents=True)
    (content / "timeline.yaml").write_text(SETTINGS, encoding="utf-8")
    for entry_id, text in ENTRIES.items():
        (content / "entries" / f"{entry_id}.yaml").write_text(text, encoding="utf-8")
    (content / "media").mkdir()
    (content / "media" / "photo.jpg").write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\xff\xd9")
    patch = pytest.MonkeyPatch()
    patch.setenv("SOURCE_DATE_EPOCH", "1628400000")  # 2021-08-08 05:20 UTC: published on 8 August in Kabul
    assert run_cli("build", "--content", content, "--output", root / "site", "--no-cache") == 0
    first = {name: (root / "site" / name).read_bytes() for name in ("timeline.csv", "timeline.ics")}
    patch.setenv("SOURCE_DATE_EPOCH", "1700000000")  # a later day: what was published keeps its day
    assert run_cli("build", "--content", content, "--output", root / "site", "--no-cache") == 0
    patch.undo()
    return root / "site", first


def entry_url(entry_id: str) -> str:
    return f"{BASE}entries/{entry_id}/"


# ---------------------------------------------------------------- TimelineJS

def test_timelinejs_slides_link_to_their_pages_and_name_their_sources(site):
    data = json.loads((site[0] / "timeline.json").read_text(encoding="utf-8"))
    events = {event["unique_id"]: event for event in data["events"]}
    assert list(events) == PUBLISHED
    for entry_id, event in events.items():
        text = Page(event["text"]["text"])
        assert text.all("a", href=entry_url(entry_id)), entry_id
        assert text.all("li"), entry_id  # its sources
    week = Page(events["the-week"]["text"]["text"])
    assert week.one("span", **{"class": "source-name"})["text"] == "Someone"
    assert week.one("span", **{"class": "source-via"})["text"] == "EFE"
    assert week.one("q", **{"class": "source-quote"})["text"] == "What was said."
    assert week.one("a", **{"class": "timeline-tag"})["attrs"]["href"] == f"{BASE}tags/fighting/"
    formula = events["formula-title"]
    place = Page(formula["text"]["text"]).one("p", **{"class": "timeline-place"})
    assert (place["text"], place["attrs"]["data-lat"], place["attrs"]["data-lon"]) == (
        "Place: Sydney, Australia", "-33.86", "151.2")
    assert formula["media"] == {"url": f"{BASE}media/photo.jpg", "alt": "A photo", "caption": "Its caption",
                                "credit": "Photo Agency"}
    assert formula["group"] == "+cmd"
    assert data["eras"] == [{"start_date": {"year": 2021, "month": 7}, "end_date": {"year": 2021, "month": 9},
                             "text": {"headline": "The test era", "text": "A note, with a comma."}}]


def test_timelinejs_dates_keep_the_precision_written(site):
    events = {e["unique_id"]: e for e in json.loads((site[0] / "timeline.json").read_text())["events"]}
    week = events["the-week"]
    assert (week["start_date"], week["end_date"], week["display_date"]) == (
        {"year": 2021, "month": 8, "day": 1}, {"year": 2021, "month": 8, "day": 7}, "The week to 7 August 2021")
    assert events["formula-title"]["start_date"] == {"year": 2021, "month": 7}
    assert events["a-year"]["start_date"] == {"year": 2020}
    # 14:30 at UTC+2 is 17:00 on the timeline's clock (Kabul, UTC+4:30), which TimelineJS and an import read.
    times = events["with-times"]
    assert times["start_date"] == {"year": 2021, "month": 8, "day": 6, "hour": 17, "minute": 0}
    assert times["end_date"] == {"year": 2021, "month": 8, "day": 6, "hour": 18, "minute": 0}
    assert events["day-to-month"]["end_date"] == {"year": 2021, "month": 9}
    assert events["day-to-month"]["display_date"].startswith("c. ")


# ---------------------------------------------------------------- CSV

def rows(site) -> list[dict]:
    data = (site[0] / "timeline.csv").read_bytes()
    assert data.endswith(b"\r\n") and b"\r\n" in data
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"), newline="")))


def test_the_spreadsheet_has_a_row_per_published_entry(site):
    found = rows(site)
    assert [row["id"] for row in found] == PUBLISHED
    assert list(found[0]) == ["id", "date", "end_date", "circa", "date_label", "status", "title", "summary", "tags",
                              "place", "latitude", "longitude", "sources", "url"]
    week = next(row for row in found if row["id"] == "the-week")
    assert (week["date"], week["end_date"], week["date_label"], week["url"]) == (
        "2021-08-01", "2021-08-07", "The week to 7 August 2021", entry_url("the-week"))
    assert next(row for row in found if row["id"] == "day-to-month")["circa"] == "true"


def test_cells_a_spreadsheet_would_run_as_formulas_are_made_harmless(site):
    formula = next(row for row in rows(site) if row["id"] == "formula-title")
    assert formula["title"] == "'=HYPERLINK(\"https://evil.example/\",\"click\")"
    assert formula["tags"] == "'+cmd\n@mention"  # a cell is one text: its second line is no formula
    assert formula["sources"] == "'@somebody <https://example.org/a>\n-2+3 (via EFE)"
    assert formula["summary"] == "One; with, commas \\ and a backslash\nand a second line."
    assert (formula["latitude"], formula["longitude"]) == ("-33.86", "151.2")  # numbers stay numbers
    assert formula["place"] == "Sydney, Australia"


# ---------------------------------------------------------------- iCalendar

def calendar(site) -> icalendar.Calendar:
    return icalendar.Calendar.from_ical((site[0] / "timeline.ics").read_bytes())


def events_of(site) -> dict:
    return {str(event["UID"]): event for event in calendar(site).walk("VEVENT")}


def test_the_calendar_has_an_event_per_published_entry(site):
    events = events_of(site)
    assert list(events) == [entry_url(entry_id) for entry_id in PUBLISHED]
    for uid, event in events.items():
        assert str(event["URL"]) == uid
        assert str(event["DESCRIPTION"]).endswith("\n\n" + uid)
    # NAME (RFC 7986) is TEXT, which this parser keeps as written, escaped, as every property it does not know.
    assert str(calendar(site)["NAME"]) == "Exports\\, tested"


def test_calendar_dates_cover_what_was_written(site):
    events = events_of(site)

    def span(entry_id):
        event = events[entry_url(entry_id)]
        end = event.get("DTEND")
        return event["DTSTART"].dt, end.dt if end is not None else event["DURATION"].dt

    assert span("the-week") == (date(2021, 8, 1), date(2021, 8, 8))  # DTEND is the day after
    assert span("formula-title") == (date(2021, 7, 1), date(2021, 8, 1))  # the whole month
    assert span("a-year") == (date(2020, 1, 1), date(2021, 1, 1))
    assert span("day-to-month") == (date(2021, 8, 30), date(2021, 10, 1))
    start, length = span("last-day")
    assert start == date(9999, 1, 1) and length.days == 365  # the day after 9999 has no date: a duration
    start, end = span("with-times")
    assert (start, end) == (datetime(2021, 8, 6, 12, 30, tzinfo=timezone.utc),
                            datetime(2021, 8, 6, 13, 30, tzinfo=timezone.utc))


def test_calendar_text_is_escaped_and_read_back_whole(site):
    event = events_of(site)[entry_url("formula-title")]
    assert str(event["SUMMARY"]) == '=HYPERLINK("https://evil.example/","click")'
    assert str(event["DESCRIPTION"]).startswith("One; with, commas \\ and a backslash\nand a second line.\n\n")
    assert str(event["LOCATION"]) == "Sydney, Australia"
    assert [str(category) for category in event["CATEGORIES"].cats] == ["+cmd", "@mention"]
    assert event["GEO"].latitude == -33.86 and event["GEO"].longitude == 151.2


def test_calendar_lines_are_folded_at_75_octets_and_end_with_crlf(site):
    data = (site[0] / "timeline.ics").read_bytes()
    assert data.endswith(b"\r\n") and b"\n" not in data.replace(b"\r\n", b"")
    lines = data.split(b"\r\n")[:-1]
    assert max(len(line) for line in lines) == 75  # some are long enough to fold
    assert all(len(line) <= 75 for line in lines)
    for line in lines:
        line.decode("utf-8")  # never folded inside a character


def test_calendar_stamps_come_from_the_publication_day_never_the_clock(site):
    built_first = site[1]
    assert (site[0] / "timeline.ics").read_bytes() == built_first["timeline.ics"]
    assert (site[0] / "timeline.csv").read_bytes() == built_first["timeline.csv"]
    # First published on 8 August 2021 in Kabul: its midnight is 19:30 UTC on the 7th.
    stamps = {event["DTSTAMP"].dt for event in events_of(site).values()}
    assert stamps == {datetime(2021, 8, 7, 19, 30, tzinfo=timezone.utc)}


# ---------------------------------------------------------------- where readers find them

def test_every_page_links_to_the_exports(site):
    footer = Page((site[0] / "index.html").read_text(encoding="utf-8"))
    hrefs = {link["attrs"]["href"] for link in footer.all("a")}
    assert {"timeline.json", "timeline.csv", "timeline.ics"} <= hrefs


def test_a_cell_split_at_a_semicolon_starts_no_formula_either():
    # Excel opens a .csv with the list separator of its locale, a semicolon in much of Europe: a cell
    # holding ";=" would be two cells there, the second a formula (OWASP: mind the field separator).
    row = exports.csv_row(["Kabul;=HYPERLINK(\"https://evil.example/\",\"click\")", "a;+cmd", "b;\"@x", "3;-2+1"])
    for delimiter in (",", ";"):
        for cell in next(csv.reader(io.StringIO(row, newline=""), delimiter=delimiter)):
            assert not cell.lstrip('"').startswith(("=", "+", "-", "@")), (delimiter, cell)
    assert next(csv.reader(io.StringIO(row, newline="")))[:2] == [
        "Kabul;'=HYPERLINK(\"https://evil.example/\",\"click\")", "a;'+cmd"]


def test_coordinates_near_zero_are_written_without_an_exponent(tmp_path):
    # Python writes 0.00001 as 1e-05, which is no FLOAT in iCalendar (RFC 5545 3.3.8), and a
    # spreadsheet cell "-2e-06" was taken for a formula and given an apostrophe.
    content = tmp_path / "content"
    (content / "entries").mkdir(parents=True)
    (content / "timeline.yaml").write_text(SETTINGS, encoding="utf-8")
    (content / "entries" / "near-zero.yaml").write_text(
        "title: Near zero\ndate: 2021-08-01\nsummary: On the lines.\nsources: [{name: Someone, via: EFE}]\n"
        "place: {name: Null Island, lat: 0.00001, lon: -0.000002}\n", encoding="utf-8")
    assert run_cli("build", "--content", content, "--output", tmp_path / "site", "--no-cache") == 0
    built = (tmp_path / "site", None)
    assert b"\r\nGEO:0.00001;-0.000002\r\n" in (tmp_path / "site" / "timeline.ics").read_bytes()
    [event] = calendar(built).walk("VEVENT")
    assert (event["GEO"].latitude, event["GEO"].longitude) == (0.00001, -0.000002)
    [row] = rows(built)
    assert (row["latitude"], row["longitude"]) == ("0.00001", "-0.000002")
