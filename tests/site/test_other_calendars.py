"""A second calendar on the built site: the shipped timeline shows the Solar Hijri date beside each
Gregorian one (content/timeline.yaml: calendars: [solar-hijri]), and nothing machine-readable changes."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from support import BuiltSite, Page, copy_content, run_cli


def _built(root: Path, settings: callable) -> BuiltSite:
    content = copy_content(root / "content")
    path = content / "timeline.yaml"
    path.write_text(settings(path.read_text(encoding="utf-8")), encoding="utf-8")
    assert run_cli("build", "--content", content, "--output", root / "site", "--no-cache") == 0
    return BuiltSite(content, root / "site")


@pytest.fixture(scope="module")
def gregorian_only(tmp_path_factory) -> BuiltSite:
    """The shipped content without its second calendar."""
    return _built(tmp_path_factory.mktemp("gregorian"), lambda text: re.sub(r"(?m)^calendars: .*\n", "", text))


def _when(site: BuiltSite, page: str) -> dict:
    return Page((site.output / page).read_text(encoding="utf-8")).one("p", class_="when")


def test_the_entry_page_shows_the_solar_hijri_date_beside_the_gregorian_one(default_site):
    page = Page((default_site.output / "entries/zaranj-falls/index.html").read_text(encoding="utf-8"))
    when = page.one("p", class_="when")
    assert when["text"] == "6 August 2021, early afternoon (15 Asad 1400 SH)"
    other = page.one("span", class_="other-calendar")
    assert other["text"] == "(15 Asad 1400 SH)" and "lang" not in other["attrs"]  # English names, English page
    assert [e["attrs"]["datetime"] for e in page.all("time")][0] == "2021-08-06"  # still ISO 8601 Gregorian


def test_list_items_and_the_axis_text_show_it_too(default_site):
    page = Page((default_site.output / "index.html").read_text(encoding="utf-8"))
    item = next(e for e in page.all("p", class_="when") if e["text"].startswith("6 August 2021 ("))
    assert item["text"] == "6 August 2021 (15 Asad 1400 SH)"
    spans = [e["text"] for e in page.all("span", class_="other-calendar")]
    assert "(11 Sawr\u2009–\u200916 Asad 1400 SH)" in spans  # 1 May to 7 August 2021, both ends converted
    axis_text = [e["text"] for e in page.elements if e["tag"] == "a" and e["attrs"].get("href") == "#zaranj-falls"]
    assert "6 August 2021, early afternoon (15 Asad 1400 SH): Zaranj, capital of Nimroz, falls to the Taliban" \
        in axis_text
    # Not in the drawing: the marks' names and the ticks keep the Gregorian dates alone.
    svg = (default_site.output / "index.html").read_text(encoding="utf-8").split("<svg", 1)[1].split("</svg>", 1)[0]
    assert "Asad" not in svg


def test_machine_readable_dates_are_unchanged(default_site, gregorian_only):
    """Feed, sitemap, TimelineJS and JSON-LD are the same bytes; each page's datetime attributes too."""
    with_calendar, without = default_site.files(), gregorian_only.files()
    assert with_calendar.keys() == without.keys()
    for name in ("feed.xml", "sitemap.xml", "timeline.json"):
        assert with_calendar[name] == without[name], name
    for name in (n for n in with_calendar if n.endswith(".html")):
        ours, theirs = (Page(files[name].decode("utf-8")) for files in (with_calendar, without))
        assert [e["attrs"] for e in ours.all("time")] == [e["attrs"] for e in theirs.all("time")], name
        assert _ld(ours) == _ld(theirs), name
    assert b"Asad" in with_calendar["index.html"] and b"Asad" not in without["index.html"]


def _ld(page: Page) -> list:
    return [json.loads(e["text"]) for e in page.all("script", type="application/ld+json")]


def test_a_french_timeline_marks_the_english_month_names(tmp_path):
    site = _built(tmp_path, lambda text: text.replace("language: en", "language: fr"))
    page = Page((site.output / "entries/zaranj-falls/index.html").read_text(encoding="utf-8"))
    other = page.one("span", class_="other-calendar")
    assert other["text"] == "(15 Asad 1400 SH)" and other["attrs"]["lang"] == "en"


def test_a_dari_timeline_writes_dari_and_both_calendars_in_order(tmp_path):
    site = _built(tmp_path, lambda text: text.replace("language: en", "language: fa-AF").replace(
        "calendars: [solar-hijri]", "calendars: [solar-hijri, islamic-umalqura]"))
    page = Page((site.output / "entries/zaranj-falls/index.html").read_text(encoding="utf-8"))
    shown = [(e["text"], e["attrs"].get("lang"), e["attrs"]["dir"]) for e in page.all("span", class_="other-calendar")]
    assert shown == [("(۱۵ اسد ۱۴۰۰)", None, "auto"), ("(۲۷ ذیحجه ۱۴۴۲ ه\u200d.ق.)", None, "auto")]
