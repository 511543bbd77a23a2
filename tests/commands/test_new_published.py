"""An entry started with `new` and published as it is (its draft line deleted, no summary, no body):
every page, the feed and the data show it without a literal "None" and without an empty summary or
description, and check says what is missing in the words validate.py writes."""
from __future__ import annotations

import re
import shutil
from pathlib import Path
from xml.etree import ElementTree

import pytest

from support import CONTENT, Page, run_cli
from timeline.links import read_site

ATOM = "{http://www.w3.org/2005/Atom}"
TITLE = "Test scaffold entry"
ENTRY_ID = "test-scaffold-entry"


@pytest.fixture(scope="module")
def published(tmp_path_factory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("scaffold")
    content = root / "content"
    shutil.copytree(CONTENT, content)
    assert run_cli("new", TITLE, "--date", "2021-08-07", "--content", content) == 0
    path = content / "entries" / f"{ENTRY_ID}.yaml"
    text = path.read_text(encoding="utf-8")
    assert "\ndraft: true\n" in text
    path.write_text(text.replace("\ndraft: true\n", "\n"), encoding="utf-8")
    assert run_cli("build", "--content", content, "--output", root / "site", "--no-cache") == 0
    return content, root / "site"


def test_no_page_or_feed_says_none(published):
    _, site = published
    for path, data in read_site(site).items():
        if path.endswith((".html", ".xml", ".json")):
            text = data.decode("utf-8")
            assert not re.search(r"\bNone\b", text), path


def test_the_entry_page_has_a_description_and_no_empty_summary(published):
    _, site = published
    page = Page((site / "entries" / ENTRY_ID / "index.html").read_text(encoding="utf-8"))
    for key in ("description", "og:description"):  # X reads og:description
        assert page.meta(key).strip(), key
    assert TITLE in page.meta("description")
    assert not [e for e in page.elements if "lede" in e["classes"] and not e["text"].strip()]
    data = page.json_ld()
    for value in (data.get("description"), data["about"].get("description")):
        assert value is None or value.strip()


def test_the_listing_shows_the_title_alone(published):
    _, site = published
    index = Page((site / "index.html").read_text(encoding="utf-8"))
    article = index.one("article", id=ENTRY_ID)
    position = index.elements.index(article)
    following = index.elements[position + 1:position + 12]
    assert not [e for e in following if "summary" in e["classes"]]


def test_the_feed_has_no_empty_summary(published):
    _, site = published
    feed = ElementTree.parse(site / "feed.xml").getroot()
    (entry,) = [e for e in feed.findall(f"{ATOM}entry") if e.find(f"{ATOM}title").text == TITLE]
    summary = entry.find(f"{ATOM}summary")
    assert summary is None or (summary.text or "").strip()


def test_check_warns_of_the_missing_summary_and_the_untraceable_source(published, capsys):
    content, _ = published
    assert run_cli("check", "--content", content) == 0
    warnings = [line for line in capsys.readouterr().err.splitlines() if ": warning: " in line]
    name = f"entries/{ENTRY_ID}.yaml"
    assert any(name in line and line.endswith(
        "warning: summary: is missing, and so is the body: add a summary, or the lists, cards and feeds show "
        "the title alone") for line in warnings), warnings
    assert any(name in line and "sources[1].url: says neither where to read it nor who reported it" in line
               for line in warnings), warnings
    assert run_cli("check", "--strict", "--content", content) == 1
