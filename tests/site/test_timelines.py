"""Several timelines in one site: content/timelines/<name>.yaml each choose entries from the one pool
and are published under timelines/<name>/ with their own index, feed and TimelineJS export, while
every entry keeps its one permanent page. A site without content/timelines/ is as it always was."""
from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from xml.etree import ElementTree

import pytest

from support import TEMPLATES, Page, Project, copy_content, run_cli

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"

CAPITALS = """\
title: The first provincial capitals to fall
description: Zaranj and Sheberghan, taken on 6 and 7 August 2021.
select:
  tags: [Provincial capitals]
"""
WITHDRAWAL = """\
title: The foreign troop withdrawal
eras:
  - label: Final phase of the foreign troop withdrawal
    start: 2021-05-01
    end: 2021-08-31
select:
  tags: [Withdrawal]
  entries: [taliban-capture-125-district-centres, zaranj-falls]
"""
CAPITALS_IDS = ["zaranj-falls", "sheberghan-falls", "sheberghan-prison-taken"]


def with_timelines(content: Path, **files: str) -> Path:
    folder = content / "timelines"
    folder.mkdir(exist_ok=True)
    for name, text in files.items():
        (folder / f"{name}.yaml").write_text(text, encoding="utf-8")
    return content


@pytest.fixture(scope="module")
def several(tmp_path_factory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("several")
    content = with_timelines(copy_content(root / "content"), capitals=CAPITALS, withdrawal=WITHDRAWAL)
    assert run_cli("build", "--content", content, "--output", root / "site") == 0
    return content, root / "site"


def page(site: Path, path: str) -> Page:
    return Page((site / path).read_text(encoding="utf-8"))


def listed(site: Path, path: str) -> list[str]:
    return [article["attrs"]["id"] for article in page(site, path).all("article")]


def test_the_site_index_lists_each_timeline_with_its_count_and_dates(several):
    _, site = several
    index = page(site, "index.html")
    index.one("a", href="timelines/capitals/index.html")
    index.one("a", href="timelines/withdrawal/index.html")
    text = " ".join(index.one("main")["text"].split())
    assert "The first provincial capitals to fall" in text and "3 entries, 6 August 2021 to 7 August 2021" in text
    assert index.all("article") == []  # the index of timelines, not a timeline


def test_each_timeline_shows_the_entries_it_selects_in_order(several):
    _, site = several
    assert listed(site, "timelines/capitals/index.html") == CAPITALS_IDS
    assert listed(site, "timelines/withdrawal/index.html") == [
        "final-withdrawal-phase-begins", "taliban-capture-125-district-centres", "zaranj-falls",
        "us-military-mission-ends"]
    capitals = page(site, "timelines/capitals/index.html")
    assert capitals.one("h1")["text"].strip() == "The first provincial capitals to fall"
    html = (site / "timelines/capitals/index.html").read_text(encoding="utf-8")
    assert re.findall(r'<a class="mark [^"]*" href="(#[^"]+)"', html) == [f"#{entry_id}" for entry_id in CAPITALS_IDS]
    withdrawal = (site / "timelines/withdrawal/index.html").read_text(encoding="utf-8")
    assert "Final phase of the foreign troop withdrawal" in withdrawal  # its own era
    assert "Final phase of the foreign troop withdrawal" not in (site / "timelines/capitals/index.html").read_text()


def test_an_entry_keeps_one_page_that_leads_to_its_first_timeline_and_names_the_others(several):
    _, site = several
    zaranj = page(site, "entries/zaranj-falls/index.html")
    assert len(zaranj.all("a", href="../../timelines/capitals/index.html#zaranj-falls")) == 2  # back, locator
    also = zaranj.one("p", **{"class": "also-in"})
    assert " ".join(also["text"].split()) == "Also in The foreign troop withdrawal"
    zaranj.one("a", href="../../timelines/withdrawal/index.html#zaranj-falls")
    sheberghan = page(site, "entries/sheberghan-falls/index.html")
    assert sheberghan.all("p", **{"class": "also-in"}) == []  # in one timeline only


def test_an_entry_no_timeline_shows_has_its_page_and_a_warning(several, capsys):
    content, site = several
    doha = page(site, "entries/doha-talks-stalled/index.html")
    assert doha.all("p", **{"class": "back"}) == []  # no timeline to go back to
    assert run_cli("check", "--content", content) == 0
    err = capsys.readouterr().err
    assert "doha-talks-stalled.yaml: warning: is shown by none of the timelines in timelines/" in err
    assert run_cli("check", "--content", content, "--strict") == 1


def test_each_timeline_has_its_own_feed_and_timelinejs_export(several):
    _, site = several
    feed = ElementTree.parse(site / "timelines/capitals/feed.xml").getroot()
    assert feed.find(f"{ATOM}id").text == "https://timeline.example.org/afghanistan-2021/timelines/capitals/"
    assert feed.find(f"{ATOM}title").text == "The first provincial capitals to fall"
    ids = [element.find(f"{ATOM}id").text.rsplit("/", 2)[-2] for element in feed.findall(f"{ATOM}entry")]
    assert sorted(ids) == sorted(CAPITALS_IDS)
    export = json.loads((site / "timelines/capitals/timeline.json").read_text(encoding="utf-8"))
    assert [event["unique_id"] for event in export["events"]] == CAPITALS_IDS
    sitemap = [loc.text for loc in ElementTree.parse(site / "sitemap.xml").getroot().iter(f"{SITEMAP}loc")]
    assert "https://timeline.example.org/afghanistan-2021/timelines/capitals/" in sitemap


def test_every_link_of_a_site_of_several_timelines_resolves(several):
    content, _ = several
    assert run_cli("check", "--links", "--content", content) == 0


def test_the_permanent_entry_urls_do_not_change(several):
    content, _ = several
    assert (content / "permalinks.lock").read_bytes() == (Path(__file__).parents[2] / "content" / "permalinks.lock").read_bytes()


def test_a_long_timeline_of_several_is_split_into_period_pages_under_its_folder(tmp_path):
    content = copy_content(tmp_path / "content")
    settings = content / "timeline.yaml"
    settings.write_text(settings.read_text(encoding="utf-8") + "entries_per_page: 10\n", encoding="utf-8")
    with_timelines(content, everything="title: Everything\nselect:\n  from: 2021-01-01\n")
    assert run_cli("build", "--content", content, "--output", tmp_path / "site") == 0
    site = tmp_path / "site"
    assert (site / "timelines/everything/periods/2021-05/index.html").is_file()
    assert (site / "timelines/everything/periods/map.js").is_file()
    index = page(site, "timelines/everything/index.html")
    index.one("a", href="../../timelines/everything/periods/2021-08/index.html")
    august = page(site, "timelines/everything/periods/2021-08/index.html")
    august.one("a", href="../../../../timelines/everything/index.html")
    assert run_cli("check", "--links", "--content", content) == 0


@pytest.mark.parametrize("text, expected", [
    ("title: T\nselect:\n  entries: [zaranj-fall]\n",
     'capitals.yaml:3:13: error: select.entries[1]: "zaranj-fall" is the id of no entry (the name of a file in '
     'entries/, without .yaml); did you mean "zaranj-falls"?'),
    ("title: T\nselect:\n  from: 2021-08-07\n  to: 2021-08-01\n",
     'capitals.yaml:4:7: error: select.to: "2021-08-01" is before from "2021-08-07"; swap them or fix the typo'),
    ("title: T\n", "capitals.yaml:1:1: error: select: is required; add it"),
    ("title: T\nselect: {}\n", "capitals.yaml:2:9: error: select: chooses nothing; give tags, places, from, to or entries"),
    ("title: T\nselect:\n  tag: [Fighting]\n", 'capitals.yaml:3:3: error: select.tag: unknown field; did you mean "tags"?'),
    ("title: T\nselect:\n  tags: [Elections]\n", 'capitals.yaml:3:10: warning: select.tags[1]: no entry has the tag "Elections"'),
    ("title: T\neras:\n  - label: E\n    start: 2021-08-02\n    end: 2021-08-01\nselect:\n  from: 2021-01-01\n",
     'capitals.yaml:5:10: error: eras[1].end: "2021-08-01" is before the start "2021-08-02"; swap them or fix the typo'),
])
def test_a_timeline_file_is_checked_like_every_file(tmp_path, capsys, text, expected):
    content = with_timelines(copy_content(tmp_path / "content"), capitals=text)
    run_cli("check", "--content", content)
    err = capsys.readouterr().err
    assert expected in err, err


def test_a_timeline_file_name_must_be_an_id(tmp_path, capsys):
    content = with_timelines(copy_content(tmp_path / "content"), **{"Capitals_2021": CAPITALS})
    assert run_cli("check", "--content", content) == 1
    assert "timelines/Capitals_2021.yaml: error:" in capsys.readouterr().err


def test_two_timeline_files_of_one_name_are_refused(tmp_path, capsys):
    # capitals.yaml and capitals.YML would both be published at timelines/capitals/, one over the other.
    content = with_timelines(copy_content(tmp_path / "content"), capitals=CAPITALS, withdrawal=WITHDRAWAL)
    (content / "timelines" / "capitals.YML").write_text(WITHDRAWAL, encoding="utf-8")
    assert run_cli("build", "--content", content, "--output", tmp_path / "site", "--no-cache") == 1
    err = capsys.readouterr().err
    assert "timelines/capitals.yaml: error:" in err and "capitals.YML" in err, err
    assert not (tmp_path / "site").exists()


def test_a_warm_build_of_several_timelines_equals_a_cold_one(tmp_path):
    content = with_timelines(copy_content(tmp_path / "content"), capitals=CAPITALS, withdrawal=WITHDRAWAL)
    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES, templates)
    project = Project(tmp_path, content, templates)
    project.assert_warm_equals_cold()
    project.edit(content / "entries" / "zaranj-falls.yaml", "title: Zaranj, capital", "title: Zaranj, the capital")
    project.assert_warm_equals_cold()
    project.edit(content / "timelines" / "capitals.yaml", "tags: [Provincial capitals]", "tags: [Provincial capitals, Civilians]")
    project.assert_warm_equals_cold()
    (content / "timelines" / "withdrawal.yaml").unlink()
    project.assert_warm_equals_cold()
    shutil.rmtree(content / "timelines")
    project.assert_warm_equals_cold()
