"""Build the shipped content into a temporary folder and read the entries back from index.html.

The markup is free to change: entries are found by the id attribute that
carries their entry id, and their titles by the text that follows it.
"""
import html.parser
import re
from pathlib import Path

import pytest
import yaml

from timeline.commands.cli import main

ROOT = Path(__file__).resolve().parents[2]
CONTENT = ROOT / "content"

# The shipped timeline in the order the rule gives: start, then coarser first, then id.
EXPECTED_ORDER = [
    "final-withdrawal-phase-begins",          # 2021-05-01
    "taliban-capture-125-district-centres",   # 2021-05-01 to 2021-08-07
    "lashkargah-counteroffensive",            # the week to 7 August
    "zaranj-falls",                           # 2021-08-06
    "zaranj-residents-flee-to-iran-border",   # 2021-08-06
    "defence-ministry-24-hour-toll",          # 2021-08-07
    "doha-talks-stalled",
    "sheberghan-falls",
    "sheberghan-prison-taken",
    "taliban-amnesty-statement",
    "us-military-mission-ends",               # 2021-08-31
]


class EntryText(html.parser.HTMLParser):
    """Entry ids in document order (first appearance), with the text that follows each."""

    def __init__(self, entry_ids):
        super().__init__()
        self.entry_ids = set(entry_ids)
        self.order: list[str] = []
        self.text: dict[str, list[str]] = {}
        self.current = None

    def handle_starttag(self, tag, attrs):
        element_id = dict(attrs).get("id")
        if element_id in self.entry_ids and element_id not in self.text:
            self.order.append(element_id)
            self.text[element_id] = []
            self.current = element_id

    def handle_data(self, data):
        if self.current is not None:
            self.text[self.current].append(data)


def shipped_titles() -> dict[str, str]:
    return {path.stem: yaml.safe_load(path.read_text(encoding="utf-8"))["title"]
            for path in sorted((CONTENT / "entries").glob("*.yaml"))}


@pytest.fixture(scope="module")
def index_html(tmp_path_factory) -> str:
    output = tmp_path_factory.mktemp("site") / "site"
    assert main(["build", "--content", str(CONTENT), "--output", str(output)]) == 0
    return (output / "index.html").read_text(encoding="utf-8")


def test_the_expected_order_covers_every_shipped_entry():
    assert sorted(EXPECTED_ORDER) == sorted(shipped_titles())


def test_index_lists_the_entries_in_chronological_order(index_html):
    parser = EntryText(shipped_titles())
    parser.feed(index_html)
    assert parser.order == EXPECTED_ORDER


def test_each_entry_shows_its_title_after_its_id(index_html):
    titles = shipped_titles()
    parser = EntryText(titles)
    parser.feed(index_html)
    for entry_id, title in titles.items():
        following = re.sub(r"\s+", " ", "".join(parser.text[entry_id]))
        # The title comes before the next entry's title.
        assert title in following, entry_id
        later = [titles[other] for other in EXPECTED_ORDER[EXPECTED_ORDER.index(entry_id) + 1:]]
        assert all(following.index(title) < following.find(t) or following.find(t) < 0 for t in later)


def test_ranges_and_months_are_shown_as_written(index_html):
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", index_html))
    assert "6 August 2021" in text
    assert "The week to 7 August 2021" in text  # the date_label, shown instead of the month it is dated
    # Nothing shipped is dated 1 August: the month-precision entry must not become its first day.
    assert not re.search(r"(?<!\d)1 August 2021", text)
