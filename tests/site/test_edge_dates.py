"""Whole builds with dates at the edges of the years, in zones far east and west of UTC.

Before the fix these builds stopped with a traceback (OverflowError, ValueError) or wrote
times that RFC 3339 and HTML do not allow (an offset of +04:36:48); every page, the feed,
the sitemap and timeline.json must now be written and well-formed, and what the tool refuses
must be refused as a file:line:col error.
"""
from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from xml.etree import ElementTree

import pytest

from support import Page, copy_content, require, run_cli, vnu_jar

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
SOURCES = "sources:\n  - name: Test desk\n    url: https://example.org/\n"

EDGE_ENTRIES = {
    "year-one": 'title: Year one\ndate: "0001"\nend_date: 9999\nsummary: S.\nupdated: 0001-01-01\n'
                + SOURCES + "    date: 0001-01\ncorrections:\n  - date: 9999-12-31\n    text: Fixed.\n",
    "last-day": "title: The last day\ndate: 9999-12-31\nend_date: 9999-12-31\nsummary: S.\nupdated: 9999-12-31\n"
                + SOURCES,
    "last-year": "title: The last year\ndate: 2021\nend_date: 9999-12-31\nsummary: S.\n" + SOURCES,
    "first-time": 'title: The first time\ndate: "0001-01-02 00:00"\nend_date: 9999\nsummary: S.\n' + SOURCES,
    "last-time": 'title: The last time\ndate: "9999-12-30 23:59"\nsummary: S.\n' + SOURCES,
    "mean-time": 'title: Local mean time\ndate: "1850-08-06 14:30"\nsummary: S.\nupdated: "1850-08-07 10:00"\n'
                 + SOURCES + '    date: "6 August 1850 4pm"\n',
}


def edge_content(root: Path, timezone: str, entries: dict[str, str]) -> Path:
    content = copy_content(root / "content")
    (content / "permalinks.lock").unlink(missing_ok=True)
    settings = content / "timeline.yaml"
    settings.write_text(settings.read_text(encoding="utf-8").replace("timezone: Asia/Kabul", f"timezone: {timezone}"),
                        encoding="utf-8")
    for entry_id, text in entries.items():
        (content / "entries" / f"{entry_id}.yaml").write_text(text, encoding="utf-8")
    return content


@pytest.fixture(scope="module", params=["Asia/Kabul", "Pacific/Kiritimati", "America/Adak"])
def edge_site(request, tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("edge-" + request.param.replace("/", "-"))
    content = edge_content(root, request.param, EDGE_ENTRIES)
    assert run_cli("build", "--content", content, "--output", root / "site") == 0
    return root / "site"


def test_every_page_feed_sitemap_and_export_is_written_and_well_formed(edge_site):
    for entry_id in EDGE_ENTRIES:
        page = Page((edge_site / "entries" / entry_id / "index.html").read_text(encoding="utf-8"))
        assert page.json_ld()["about"]["startDate"]
    feed = ElementTree.parse(edge_site / "feed.xml").getroot()
    published = {entry.find(f"{ATOM}id").text.rsplit("/", 2)[-2]: entry.find(f"{ATOM}published").text
                 for entry in feed.iter(f"{ATOM}entry")}
    assert set(EDGE_ENTRIES) <= set(published)
    sitemap = ElementTree.parse(edge_site / "sitemap.xml").getroot()
    locations = [loc.text for loc in sitemap.iter(f"{SITEMAP}loc")]
    assert all(any(loc.endswith(f"entries/{entry_id}/") for loc in locations) for entry_id in EDGE_ENTRIES)
    events = {event["unique_id"]: event for event in json.loads((edge_site / "timeline.json").read_text())["events"]}
    assert events["year-one"]["start_date"] == {"year": 1}
    assert events["year-one"]["end_date"] == {"year": 9999}
    assert events["last-time"]["start_date"] == {"year": 9999, "month": 12, "day": 30, "hour": 23, "minute": 59}


def test_the_index_orders_the_edges_by_their_instant(edge_site):
    index = Page((edge_site / "index.html").read_text(encoding="utf-8"))
    order = [article["attrs"]["id"] for article in index.all("article")]
    edges = [entry_id for entry_id in order if entry_id in EDGE_ENTRIES]
    assert edges == ["year-one", "first-time", "mean-time", "last-year", "last-time", "last-day"]


def test_times_in_the_feed_are_rfc_3339(edge_site):
    feed = (edge_site / "feed.xml").read_text(encoding="utf-8")
    times = [element.text for element in ElementTree.fromstring(feed).iter()
             if element.tag in (f"{ATOM}published", f"{ATOM}updated")]
    for text in times:
        # RFC 3339: an offset in hours and minutes, never seconds.
        assert text.endswith("Z") or text[-6] in "+-" and text[-3] == ":", text


def test_local_mean_time_is_written_in_utc_on_the_page_and_the_feed_says_when_it_was_published(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1628330400")  # 2021-08-07T10:00:00Z, 14:30 in Kabul
    content = edge_content(tmp_path, "Asia/Kabul", {"mean-time": EDGE_ENTRIES["mean-time"]})
    assert run_cli("build", "--content", content, "--output", tmp_path / "site") == 0
    page = Page((tmp_path / "site" / "entries" / "mean-time" / "index.html").read_text(encoding="utf-8"))
    assert {time["attrs"]["datetime"] for time in page.all("time")} >= {"1850-08-06T09:53:12Z", "1850-08-07T05:23:12Z"}
    assert "6 August 1850, 14:30 (UTC+4:36:48)" in page.one("time", datetime="1850-08-06T09:53:12Z")["text"]
    feed = (tmp_path / "site" / "feed.xml").read_text(encoding="utf-8")
    assert "<published>2021-08-07T00:00:00+04:30</published>" in feed
    assert "1850-08-06T09:53:12Z" in page.one("script", type="application/ld+json")["text"]


def test_pages_with_edge_dates_are_valid_html5(edge_site):
    java, jar = shutil.which("java"), vnu_jar()
    require(java is not None, "java is not installed (apt-get install -y default-jre-headless)")
    require(jar is not None, "the Nu HTML Checker is not installed (pip install -e '.[test]')")
    pages = [edge_site / "entries" / entry_id / "index.html" for entry_id in EDGE_ENTRIES] + [edge_site / "index.html"]
    run = subprocess.run([java, "-jar", str(jar), "--format", "json", "--stdout", *map(str, pages)],
                         capture_output=True, text=True, timeout=600)
    messages = json.loads(run.stdout)["messages"]
    assert [m["message"] for m in messages if m["type"] == "error" or m.get("subType") == "fatal"] == []


@pytest.mark.parametrize("timezone, field, value, message", [
    ("Asia/Kabul", "date", '"0001-01-01 00:00"',
     '"0001-01-01 00:00" falls before year 1 in UTC (Asia/Kabul is UTC+4:36:48 at that time)'),
    ("America/Adak", "date", '"9999-12-31 23:59"',
     '"9999-12-31 23:59" falls after year 9999 in UTC (America/Adak is UTC-10 at that time)'),
    ("Asia/Kabul", "date", "2021-08-06T14:30+25:00", '"2021-08-06T14:30+25:00" has an impossible UTC offset +25:00'),
    ("Asia/Kabul", "date", "6 August 2021 14:30 +2500", '"6 August 2021 14:30 +2500" has an impossible UTC offset'),
    ("Asia/Kabul", "date", "6 August 2021 4", '"6 August 2021 4" gives an hour without minutes or am/pm'),
    ("Pacific/Kiritimati", "updated", '"0001-01-01T05:00+14:00"', "falls before year 1 in UTC (at UTC+14)"),
    ("America/Adak", "updated", '"31 December 9999 11pm"', "falls after year 9999 in UTC (America/Adak is UTC-10"),
])
def test_refused_edges_are_file_line_column_errors(tmp_path, capsys, timezone, field, value, message):
    text = f"title: Edge\ndate: 2021\n{field}: {value}\nsummary: S.\n{SOURCES}"
    if field == "date":
        text = f"title: Edge\ndate: {value}\nsummary: S.\n{SOURCES}"
    content = edge_content(tmp_path, timezone, {"edge": text})
    assert run_cli("check", "--content", content) == 1
    line = 2 if field == "date" else 3
    printed = capsys.readouterr()
    errors = [row for row in (printed.out + printed.err).splitlines() if ": error: " in row]
    assert len(errors) == 1, errors
    assert f"edge.yaml:{line}:{len(field) + 3}: error: {field}: " in errors[0]
    assert message in errors[0]
