"""Share cards in the built site: a card for each entry without media, named by the entry page's sharing
tags and JSON-LD with its absolute address and a description of what it shows; none for an entry with
media, which keeps its picture; none at all when the settings turn them off."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from PIL import Image

from support import TEMPLATES, Page, cold_build
from timeline import cards
from timeline.links import read_site
from timeline.load import load_content

BASE_URL = "https://example.org/sub/path/"
SETTINGS = f"""\
title: "A test timeline with a long title"
short_title: "Test timeline"
base_url: "{BASE_URL}"
timezone: Asia/Kabul
language: en-GB
"""
SOURCE = "sources:\n  - name: Test desk\n    url: https://example.org/source\n"
ENTRIES = {
    "plain": "title: Zaranj, capital of Nimroz, falls to the Taliban\ndate: 2021-08-06\n",
    "key-and-scheduled": "title: The mission is due to end\ndate: 2021-08-31\nkey: true\nstatus: scheduled\n",
    "labelled": "title: Fighting in Lashkargah\ndate: 2021-08-01\nend_date: 2021-08-07\ncirca: true\n"
                "date_label: The week to 7 August\n",
    "ranged": "title: Taliban capture district centres\ndate: 2021-05-01\nend_date: 2021-08-07\n",
    "timed": "title: A meeting at a stated time\ndate: 2021-08-06 14:30\n",
    "arabic": "title: طالبان تسيطر على زرنج\ndate: 2021-08-05\n",
    "chinese": "title: 塔利班占领扎兰季\ndate: 2021-08-04\n",
    "local-media": "title: With a picture of its own\ndate: 2021-07-01\nmedia:\n  src: picture.png\n"
                   "  alt: A test picture\n  credit: Test desk\n",
}
WITH_MEDIA = {"local-media"}


def make_content(folder: Path, settings: str = SETTINGS) -> Path:
    (folder / "entries").mkdir(parents=True)
    (folder / "media").mkdir()
    (folder / "media" / "picture.png").write_bytes(b"\x89PNG\r\n\x1a\n not really an image")
    (folder / "timeline.yaml").write_text(settings, encoding="utf-8")
    for entry_id, text in ENTRIES.items():
        (folder / "entries" / f"{entry_id}.yaml").write_text(text + SOURCE, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> tuple[Path, dict]:
    root = tmp_path_factory.mktemp("cards")
    content = make_content(root / "content")
    assert cold_build(content, root / "site").ok
    loaded = load_content(content)
    return root / "site", {entry.id: entry for entry in loaded.entries}, loaded.settings


def page_of(site: Path, entry_id: str) -> Page:
    return Page((site / "entries" / entry_id / "index.html").read_text(encoding="utf-8"))


def test_each_entry_without_media_has_a_card_of_the_share_size(site):
    output, entries, _ = site
    for entry_id in entries:
        card = output / "entries" / entry_id / "share.png"
        if entry_id in WITH_MEDIA:
            assert not card.exists(), entry_id
            continue
        with Image.open(card) as image:
            assert image.format == "PNG" and image.size == (1200, 630)
            image.verify()


def test_the_page_names_its_card_with_its_absolute_address_size_and_description(site):
    output, entries, settings = site
    for entry_id, entry in entries.items():
        page = page_of(output, entry_id)
        assert page.meta("twitter:card") == "summary_large_image"
        if entry_id in WITH_MEDIA:
            assert page.meta("og:image") == f"{BASE_URL}media/{entry.media.src}" == page.json_ld()["about"]["image"]
            assert page.meta("og:image:alt") == entry.media.alt
            continue
        address = f"{BASE_URL}entries/{entry_id}/share.png"
        assert page.meta("og:image") == address == page.meta("twitter:image") == page.json_ld()["about"]["image"]
        assert (page.meta("og:image:width"), page.meta("og:image:height")) == ("1200", "630")
        assert page.meta("og:image:type") == "image/png"
        card = cards.card_for(entry, settings)
        words = f" ({', '.join(card.words)})" if card.words else ""
        alt = f"{card.title + ', ' if card.title else ''}{card.when}{words}, Test timeline"
        assert page.meta("og:image:alt") == alt == page.meta("twitter:image:alt")


def test_the_alternative_text_says_what_the_card_shows(site):
    output, _, _ = site
    assert page_of(output, "plain").meta("og:image:alt") == \
        "Zaranj, capital of Nimroz, falls to the Taliban, 6 August 2021, Test timeline"
    assert page_of(output, "key-and-scheduled").meta("og:image:alt") == \
        "The mission is due to end, 31 August 2021 (Scheduled, Key moment), Test timeline"
    # The font cannot draw these titles as written: the card shows the date, and so says its text.
    assert page_of(output, "arabic").meta("og:image:alt") == "5 August 2021, Test timeline"
    assert page_of(output, "chinese").meta("og:image:alt") == "4 August 2021, Test timeline"


def test_the_card_shows_the_date_the_page_shows(site):
    output, entries, settings = site
    for entry_id, entry in entries.items():
        if entry_id in WITH_MEDIA:
            continue
        page = page_of(output, entry_id)
        [when] = [element for element in page.all("p") if "when" in element["classes"]]
        shown = re.sub(r" \(\d+ days\)$", "", when["text"].strip())
        assert cards.card_for(entry, settings).when == shown, entry_id


def test_the_card_shows_the_date_in_the_other_calendars_as_the_page_does(tmp_path):
    content = make_content(tmp_path / "content", SETTINGS + "calendars: [solar-hijri, islamic-umalqura]\n")
    assert cold_build(content, tmp_path / "site").ok
    loaded = load_content(content)
    for entry in loaded.entries:
        if entry.id in WITH_MEDIA:
            continue
        [when] = [element for element in page_of(tmp_path / "site", entry.id).all("p") if "when" in element["classes"]]
        card = cards.card_for(entry, loaded.settings)
        assert card.when == re.sub(r" \(\d+ days\)$", "", when["text"].strip()), entry.id
    assert cards.card_for(next(e for e in loaded.entries if e.id == "plain"), loaded.settings).when == \
        "6 August 2021 (15 Asad 1400 SH) (27 Dhuʻl-Hijjah 1442 AH)"


def test_two_cold_builds_make_the_same_cards(site, tmp_path):
    output, _, _ = site
    content = make_content(tmp_path / "content")
    assert cold_build(content, tmp_path / "again").ok
    first, again = read_site(output), read_site(tmp_path / "again")
    names = [name for name in first if name.endswith("share.png")]
    assert len(names) == len(ENTRIES) - len(WITH_MEDIA)
    assert {name: first[name] for name in names} == {name: again[name] for name in names}


def test_cards_are_left_out_when_the_settings_say_so(tmp_path):
    content = make_content(tmp_path / "content", SETTINGS + "share_images: false\n")
    assert cold_build(content, tmp_path / "site").ok
    assert not [name for name in read_site(tmp_path / "site") if name.endswith(".png") and "media/" not in name]
    page = page_of(tmp_path / "site", "plain")
    assert not [meta for meta in page.all("meta") if meta["attrs"].get("property", "").startswith("og:image")]
    assert "image" not in page.json_ld()["about"]
    assert page_of(tmp_path / "site", "local-media").meta("og:image") == f"{BASE_URL}media/picture.png"


def test_share_images_must_be_true_or_false(tmp_path):
    content = make_content(tmp_path / "content", SETTINGS + "share_images: sometimes\n")
    result = cold_build(content, tmp_path / "site")
    assert [str(problem).split(": error: ")[1] for problem in result.errors] == [
        'share_images: expected true or false, found the text "sometimes"']


def test_a_card_is_drawn_whatever_the_templates_hold(site, tmp_path):
    """A card is the package's drawing: a templates folder with a file named like it changes nothing."""
    output, _, _ = site
    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES, templates)
    (templates / "share card").write_text("{{ 1/0 }}", encoding="utf-8")
    content = make_content(tmp_path / "content")
    assert cold_build(content, tmp_path / "site", templates).ok
    assert read_site(tmp_path / "site")["entries/plain/share.png"] == (output / "entries/plain/share.png").read_bytes()


def test_the_card_in_the_site_is_the_entrys_card(site):
    output, entries, settings = site
    for entry_id in ("plain", "arabic"):
        assert (output / "entries" / entry_id / "share.png").read_bytes() == cards.draw_card(entries[entry_id], settings)
