"""When entries were published, as docs/format.md ("When entries were published") promises it.

The first `build` that publishes an entry records the day it runs in content/permalinks.lock (in the
timeline's time zone; SOURCE_DATE_EPOCH fixes the moment), and every later build reads it from there:
the feed's order and dates, JSON-LD, the "Published ... · Updated ..." line, "Last updated", the new
and updated markers and the citation all come from the lock and the entries' `updated`, never from the
clock, so two builds of the same content on different days are byte-identical.
"""
from __future__ import annotations

import shutil
from datetime import datetime, timezone
from pathlib import Path
from xml.etree import ElementTree

import pytest

from support import TEMPLATES, Page, cold_build, options, run_cli
from timeline.commands.serve import Preview
from timeline.links import read_site
from timeline.permalinks import read_lock
from timeline.speed import Cold

ATOM = "{http://www.w3.org/2005/Atom}"
BASE_URL = "https://dates.example.org/t/"
SETTINGS = f'title: "Dates test"\nbase_url: "{BASE_URL}"\ntimezone: Asia/Kabul\nlanguage: en-GB\nas_of: 2021-08-07\n'


def epoch(moment: str) -> str:
    """SOURCE_DATE_EPOCH for a moment in UTC (YYYY-MM-DDTHH:MM)."""
    return str(int(datetime.fromisoformat(moment).replace(tzinfo=timezone.utc).timestamp()))


def write_entry(content: Path, entry_id: str, when: str = "2021-08-06", extra: str = "") -> None:
    (content / "entries" / f"{entry_id}.yaml").write_text(
        f'title: "Entry {entry_id}"\ndate: {when}\nsummary: What happened to {entry_id}.\n{extra}'
        "sources:\n  - name: Wire\n    url: https://wire.example.org/\n", encoding="utf-8")


def make_content(root: Path, ids=("one", "two")) -> Path:
    content = root / "content"
    (content / "entries").mkdir(parents=True)
    (content / "timeline.yaml").write_text(SETTINGS, encoding="utf-8")
    for number, entry_id in enumerate(ids, 1):
        write_entry(content, entry_id, f"2021-08-0{number}")
    return content


def build_on(monkeypatch, moment: str, content: Path, output: Path, *extra: str) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch(moment))
    assert run_cli("build", "--content", content, "--output", output, "--no-cache", *extra) == 0


def days(content: Path) -> dict[str, str | None]:
    return {path.split("/")[1]: permalink.published for path, (permalink, _) in read_lock(content)[0].items()}


def write_lock(content: Path, published: dict[str, str]) -> None:
    """A lock as a build leaves it, with the days given (an editor may write them for older lines)."""
    lines = [f"entries/{entry_id}/\tEntry {entry_id}\tpublished: {day}" for entry_id, day in sorted(published.items())]
    (content / "permalinks.lock").write_text("\n".join(lines) + "\n", encoding="utf-8")


def page(output: Path, path: str) -> Page:
    return Page((output / path).read_text(encoding="utf-8"))


def marked(parsed: Page) -> dict[str, set[str]]:
    """The new and updated badges of each listed entry, by id."""
    found, current = {}, None
    for element in parsed.elements:
        if element["tag"] == "article":
            current = element["attrs"]["id"]
            found[current] = set()
        elif current and element["classes"] & {"badge-new", "badge-updated"}:
            found[current].add(element["text"])
    return found


def text_of(parsed: Page, css_class: str) -> str:
    (element,) = [e for e in parsed.elements if css_class in e["classes"]]
    return " ".join(element["text"].split())


# ---------------------------------------------------------------- the lock records the day

def test_a_new_entry_gets_the_day_of_the_build_in_the_timelines_zone(tmp_path, monkeypatch):
    content = make_content(tmp_path)
    # 21:00 UTC on 10 March is 01:30 on 11 March in Kabul.
    build_on(monkeypatch, "2024-03-10T21:00", content, tmp_path / "site")
    assert days(content) == {"one": "2024-03-11", "two": "2024-03-11"}
    line = next(line for line in (content / "permalinks.lock").read_text().splitlines() if line.startswith("entries/one/"))
    assert line == "entries/one/\tEntry one\tpublished: 2024-03-11"


def test_the_day_survives_a_rebuild_on_another_day_and_a_fresh_copy(tmp_path, monkeypatch):
    content = make_content(tmp_path)
    build_on(monkeypatch, "2024-03-10T08:00", content, tmp_path / "site")
    write_entry(content, "three", "2021-08-05")
    build_on(monkeypatch, "2024-04-02T08:00", content, tmp_path / "site")
    assert days(content) == {"one": "2024-03-10", "two": "2024-03-10", "three": "2024-04-02"}
    clone = tmp_path / "clone"
    shutil.copytree(content, clone / "content")
    build_on(monkeypatch, "2025-01-01T08:00", clone / "content", clone / "site")
    assert days(clone / "content") == days(content)
    published = page(clone / "site", "entries/one/index.html")
    assert text_of(published, "published").startswith("Published 10 March 2024")


def test_a_renamed_entry_keeps_the_day_it_was_first_published(tmp_path, monkeypatch):
    content = make_content(tmp_path)
    build_on(monkeypatch, "2024-03-10T08:00", content, tmp_path / "site")
    (content / "entries" / "one.yaml").unlink()
    write_entry(content, "one-renamed", "2021-08-01", "aliases: [one]\n")
    build_on(monkeypatch, "2024-05-20T08:00", content, tmp_path / "site")
    renamed = page(tmp_path / "site", "entries/one-renamed/index.html")
    assert text_of(renamed, "published").startswith("Published 10 March 2024")
    assert renamed.json_ld()["datePublished"].startswith("2024-03-10")
    assert "badge-new" not in (tmp_path / "site" / "index.html").read_text(encoding="utf-8")


def test_a_preview_records_no_day(tmp_path, monkeypatch):
    content = make_content(tmp_path)
    build_on(monkeypatch, "2024-03-10T08:00", content, tmp_path / "site")
    lock = (content / "permalinks.lock").read_bytes()
    write_entry(content, "unpublished", "2021-08-05")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch("2024-03-20T08:00"))
    result = Preview(options(content, tmp_path / "preview"), Cold(), TEMPLATES).rebuild()
    assert result.ok
    assert (content / "permalinks.lock").read_bytes() == lock
    shown = page(tmp_path / "preview", "entries/unpublished/index.html")
    assert text_of(shown, "published").startswith("Not yet published")
    assert "datePublished" not in shown.json_ld()
    assert not shown.all("meta", property="article:published_time")


def test_a_build_with_drafts_records_no_day(tmp_path, monkeypatch):
    content = make_content(tmp_path)
    build_on(monkeypatch, "2024-03-10T08:00", content, tmp_path / "site")
    lock = (content / "permalinks.lock").read_bytes()
    write_entry(content, "new-one", "2021-08-05")
    build_on(monkeypatch, "2024-03-20T08:00", content, tmp_path / "drafts", "--drafts")
    assert (content / "permalinks.lock").read_bytes() == lock
    assert text_of(page(tmp_path / "drafts", "entries/new-one/index.html"), "published").startswith("Not yet published")


# ---------------------------------------------------------------- what pages say of it

@pytest.fixture
def dated_site(tmp_path, monkeypatch) -> Path:
    """A timeline first published on 1 March 2024 (old-a, old-b), with later entries and updates:
    fresh (10 March), early (2 March), revised (published 1 March, updated 8 March), stale-update
    (updated 2 March). The latest change is 10 March; recent_days 7 reaches back to 3 March."""
    content = make_content(tmp_path, ("old-a", "old-b", "fresh", "early"))
    write_entry(content, "revised", "2021-08-07", "updated: 2024-03-08\n")
    write_entry(content, "stale-update", "2021-08-07", "updated: 2024-03-02\n")
    write_lock(content, {"old-a": "2024-03-01", "old-b": "2024-03-01", "revised": "2024-03-01",
                         "stale-update": "2024-03-01", "early": "2024-03-02", "fresh": "2024-03-10"})
    build_on(monkeypatch, "2024-06-01T08:00", content, tmp_path / "site")
    return tmp_path / "site"


def test_the_feed_is_ordered_by_change_the_latest_first_with_the_locks_days(dated_site):
    feed = ElementTree.parse(dated_site / "feed.xml").getroot()
    entries = feed.findall(f"{ATOM}entry")
    ids = [entry.find(f"{ATOM}id").text.removeprefix(BASE_URL + "entries/").rstrip("/") for entry in entries]
    dates = {entry_id: (entry.find(f"{ATOM}published").text, entry.find(f"{ATOM}updated").text)
             for entry_id, entry in zip(ids, entries)}
    # Changed on 10, 8, 2 (twice) and 1 March (twice); a tie in reverse timeline order, the latest event first.
    assert ids == ["fresh", "revised", "stale-update", "early", "old-b", "old-a"]
    assert dates["fresh"] == ("2024-03-10T00:00:00+04:30", "2024-03-10T00:00:00+04:30")
    assert dates["revised"] == ("2024-03-01T00:00:00+04:30", "2024-03-08T00:00:00+04:30")
    assert dates["stale-update"] == ("2024-03-01T00:00:00+04:30", "2024-03-02T00:00:00+04:30")
    assert feed.find(f"{ATOM}updated").text == "2024-03-10T00:00:00+04:30"


def test_entry_pages_say_when_they_were_published_and_updated(dated_site):
    revised = page(dated_site, "entries/revised/index.html")
    assert text_of(revised, "published") == "Published 1 March 2024 · Updated 8 March 2024 · As of 7 August 2021"
    data = revised.json_ld()
    assert (data["datePublished"], data["dateModified"]) == ("2024-03-01T00:00:00+04:30", "2024-03-08T00:00:00+04:30")
    assert revised.meta("article:published_time") == "2024-03-01T00:00:00+04:30"
    assert revised.meta("article:modified_time") == "2024-03-08T00:00:00+04:30"
    citation = " ".join(revised.one("p", id="citation")["text"].split())
    assert "Published 1 March 2024; this version 8 March 2024." in citation
    fresh = page(dated_site, "entries/fresh/index.html")
    assert text_of(fresh, "published") == "Published 10 March 2024 · As of 7 August 2021"
    assert "dateModified" not in fresh.json_ld()
    assert not fresh.all("meta", property="article:modified_time")
    assert "Published 10 March 2024." in " ".join(fresh.one("p", id="citation")["text"].split())


def test_the_index_and_every_footer_say_when_the_timeline_was_last_updated(dated_site):
    index = page(dated_site, "index.html")
    assert text_of(index, "as-of-line") == "As of 7 August 2021 · Last updated 10 March 2024"
    for path in ("index.html", "entries/old-a/index.html", "tags/index.html", "about/index.html"):
        if (dated_site / path).exists():
            footer = " ".join(page(dated_site, path).one("footer", **{"class": "site"})["text"].split())
            assert "Last updated 10 March 2024" in footer, path


def test_new_and_updated_markers_only_within_recent_days_of_the_latest_change(dated_site):
    assert marked(page(dated_site, "index.html")) == {"old-a": set(), "old-b": set(), "stale-update": set(), "early": set(),
                      "fresh": {"New"}, "revised": {"Updated"}}


def test_what_the_timeline_was_first_published_with_is_never_new(tmp_path, monkeypatch):
    content = make_content(tmp_path)
    build_on(monkeypatch, "2024-03-10T08:00", content, tmp_path / "site")
    assert "badge-new" not in (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    write_entry(content, "next-day", "2021-08-05")
    build_on(monkeypatch, "2024-03-11T08:00", content, tmp_path / "site")
    assert {entry_id for entry_id, words in marked(page(tmp_path / "site", "index.html")).items() if words} == {"next-day"}


def test_recent_days_sets_the_window(tmp_path, monkeypatch):
    content = make_content(tmp_path, ("first", "later", "latest"))
    (content / "timeline.yaml").write_text(SETTINGS + "recent_days: 30\n", encoding="utf-8")
    write_lock(content, {"first": "2024-01-01", "later": "2024-02-15", "latest": "2024-03-10"})
    build_on(monkeypatch, "2024-06-01T08:00", content, tmp_path / "site")
    assert marked(page(tmp_path / "site", "index.html")) == {"first": set(), "later": {"New"}, "latest": {"New"}}


# ---------------------------------------------------------------- determinism

def test_two_builds_on_different_days_of_unchanged_content_are_byte_identical(tmp_path, monkeypatch):
    content = make_content(tmp_path)
    write_entry(content, "revised", "2021-08-07", "updated: 2024-03-12\n")
    build_on(monkeypatch, "2024-03-10T08:00", content, tmp_path / "first")
    build_on(monkeypatch, "2026-11-30T23:59", content, tmp_path / "second")
    first, second = read_site(tmp_path / "first"), read_site(tmp_path / "second")
    assert first.keys() == second.keys()
    assert [path for path in first if first[path] != second[path]] == []


def test_the_shipped_site_depends_on_no_clock(tmp_path, monkeypatch, default_site):
    clone = tmp_path / "content"
    shutil.copytree(default_site.content, clone)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch("2031-01-01T00:00"))
    result = cold_build(clone, tmp_path / "site")
    assert result.ok
    again = read_site(tmp_path / "site")
    shipped = default_site.files()
    assert [path for path in shipped if shipped[path] != again.get(path)] == []


def test_an_update_written_before_the_first_publication_never_dates_the_page_before_it(tmp_path, monkeypatch):
    """`updated` is the content's own date (2021-08-08 in the documented example); a page first published
    in 2024 was not modified in 2021: its data say it was published then, and modified never earlier."""
    content = make_content(tmp_path, ("plain",))
    write_entry(content, "corrected", "2021-08-07", "updated: 2021-08-08\n")
    write_lock(content, {"plain": "2024-03-01", "corrected": "2024-03-01"})
    build_on(monkeypatch, "2024-06-01T08:00", content, tmp_path / "site")
    shown = page(tmp_path / "site", "entries/corrected/index.html")
    data = shown.json_ld()
    assert data["datePublished"] == "2024-03-01T00:00:00+04:30"
    assert data.get("dateModified", data["datePublished"]) >= data["datePublished"]
    assert not shown.all("meta", property="article:modified_time")
    feed = ElementTree.parse(tmp_path / "site" / "feed.xml").getroot()
    for entry in feed.findall(f"{ATOM}entry"):
        assert entry.find(f"{ATOM}updated").text >= entry.find(f"{ATOM}published").text
