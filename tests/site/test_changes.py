"""What changed: the changes page and its two Atom feeds, from the days the lock records and the
entries' `updated` and `corrections`, the latest first, never from the build machine's clock."""
from __future__ import annotations

from pathlib import Path
from xml.etree import ElementTree

import pytest

from support import Page, run_cli

ATOM = "{http://www.w3.org/2005/Atom}"
DAY_1, DAY_2, DAY_3 = "1628330400", "1628416800", "1628503200"  # 7, 8 and 9 August 2021, 10:00 UTC

SETTINGS = ('title: Changes test\nbase_url: "https://example.org/t/"\ntimezone: Asia/Kabul\n'
            "language: en\npublisher: Test desk\n")


def entry(title: str, date: str, extra: str = "") -> str:
    return (f"title: {title}\ndate: {date}\nsummary: About {title.lower()}.\n{extra}"
            "sources:\n  - name: Test desk\n    url: https://example.org/source\n")


@pytest.fixture
def content(tmp_path) -> Path:
    folder = tmp_path / "content"
    (folder / "entries").mkdir(parents=True)
    (folder / "timeline.yaml").write_text(SETTINGS, encoding="utf-8")
    return folder


def build(content: Path, day: str, monkeypatch) -> Path:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", day)
    output = content.parent / "site"
    assert run_cli("build", "--content", content, "--output", output) == 0
    return output


def write(content: Path, name: str, text: str) -> None:
    (content / "entries" / f"{name}.yaml").write_text(text, encoding="utf-8")


@pytest.fixture
def history(content, monkeypatch) -> Path:
    """Two entries published on 7 August, a third on 8 August; on 9 August the first is corrected and
    the second updated."""
    write(content, "first", entry("First", "2021-08-01"))
    write(content, "second", entry("Second", "2021-08-02"))
    build(content, DAY_1, monkeypatch)
    write(content, "third", entry("Third", "2021-07-30"))
    build(content, DAY_2, monkeypatch)
    write(content, "first", entry("First", "2021-08-01", "corrections:\n  - date: 2021-08-09\n    text: The date was wrong.\n"))
    write(content, "second", entry("Second", "2021-08-02", "updated: 2021-08-09\n"))
    return build(content, DAY_3, monkeypatch)


def test_the_changes_page_lists_additions_updates_and_corrections_latest_first(history):
    page = Page((history / "changes" / "index.html").read_text(encoding="utf-8"))
    days = [time["attrs"]["datetime"] for time in page.all("time") if len(time["attrs"].get("datetime", "")) == 10]
    assert days[:3] == ["2021-08-09", "2021-08-08", "2021-08-07"]
    lines = [" ".join(item["text"].split()) for item in page.all("li") if "change" in item["attrs"].get("class", "")]
    assert lines == ["Correction First: The date was wrong.", "Updated Second", "Added Third",
                     "Added First", "Added Second"]
    assert len(page.all("a", href="../entries/first/index.html")) == 2  # added, then corrected


def test_the_changes_feed_gives_each_change_its_own_id_and_day(history):
    feed = ElementTree.parse(history / "changes.xml").getroot()
    entries = feed.findall(f"{ATOM}entry")
    ids = [element.find(f"{ATOM}id").text for element in entries]
    assert len(ids) == len(set(ids)) == 5
    assert ids[0] == "https://example.org/t/entries/first/#corrected-2021-08-09-1"
    assert [element.find(f"{ATOM}updated").text for element in entries] == [
        "2021-08-09T00:00:00+04:30", "2021-08-09T00:00:00+04:30", "2021-08-08T00:00:00+04:30",
        "2021-08-07T00:00:00+04:30", "2021-08-07T00:00:00+04:30"]
    assert feed.find(f"{ATOM}updated").text == "2021-08-09T00:00:00+04:30"
    assert entries[0].find(f"{ATOM}summary").text == "The date was wrong."
    assert entries[0].find(f"{ATOM}link").get("href") == "https://example.org/t/entries/first/"


def test_the_corrections_feed_holds_the_corrections_alone(history):
    feed = ElementTree.parse(history / "corrections.xml").getroot()
    titles = [element.find(f"{ATOM}title").text for element in feed.findall(f"{ATOM}entry")]
    assert titles == ["Correction: First"]
    assert feed.find(f"{ATOM}title").text == "Changes test: corrections"


def test_a_corrections_feed_with_no_correction_yet_is_valid_atom(content, monkeypatch):
    write(content, "first", entry("First", "2021-08-01"))
    site = build(content, DAY_1, monkeypatch)
    feed = ElementTree.parse(site / "corrections.xml").getroot()
    assert feed.findall(f"{ATOM}entry") == []
    assert feed.find(f"{ATOM}updated").text == "2021-08-07T00:00:00+04:30"  # the latest change, not 1970


def test_what_changed_never_depends_on_the_day_of_the_build(history, content, monkeypatch):
    before = {name: (history / name).read_bytes() for name in ("changes/index.html", "changes.xml", "corrections.xml")}
    build(content, str(int(DAY_3) + 86400 * 400), monkeypatch)  # a year later, nothing changed
    assert {name: (history / name).read_bytes() for name in before} == before


def test_every_page_links_to_what_changed_and_its_feed(history):
    for path in ("index.html", "entries/first/index.html", "tags/index.html"):
        page = Page((history / path).read_text(encoding="utf-8"))
        root = "../" * path.count("/")
        page.one("a", href=f"{root}changes/index.html")
        page.one("link", rel="alternate", href=f"{root}changes.xml")
