"""Period pages: past `entries_per_page` entries the index lists periods, each a page of its own.

A synthetic timeline (support.write_period_content, limit 10) spans four years: 2019 (4 entries) and 2020 (exactly 10) stay
whole years, 2021 (31 entries) is split by month and its August (15 entries) stays one page
however large, 2022 has one entry.
"""
from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from support import PERIODS_BASE_URL as BASE_URL, PERIODS_EXPECTED as EXPECTED, PERIODS_LIMIT as LIMIT
from support import Page, cold_build, require, write_period_content
from timeline.links import check_links, read_site


def built(folder: Path, limit: int = LIMIT) -> tuple[Path, dict[str, str]]:
    homes = write_period_content(folder / "content", limit)
    output = folder / "site"
    result = cold_build(folder / "content", output)
    assert result.ok, [str(p) for p in result.problems]
    return output, homes


@pytest.fixture(scope="module")
def split_site(tmp_path_factory) -> tuple[Path, dict[str, str]]:
    return built(tmp_path_factory.mktemp("split"))


def page(output: Path, path: str) -> Page:
    return Page((output / path).read_text(encoding="utf-8"))


def articles(parsed: Page) -> list[str]:
    return [e["attrs"]["id"] for e in parsed.all("article")]


def period_map(output: Path) -> dict[str, list[str]]:
    text = (output / "periods" / "map.js").read_text(encoding="utf-8")
    return json.loads(re.search(r"window\.timelinePeriods = (\{.*\});", text, re.S).group(1))


# ---------------------------------------------------------------- the split

def test_periods_are_years_and_months_of_years_too_large(split_site):
    output, _ = split_site
    folders = sorted(p.name for p in (output / "periods").iterdir() if p.is_dir())
    assert folders == sorted(EXPECTED)
    for slug, count in EXPECTED.items():
        assert len(articles(page(output, f"periods/{slug}/index.html"))) == count, slug


def test_every_entry_is_on_exactly_one_period_page_its_own(split_site):
    output, homes = split_site
    seen: dict[str, list[str]] = {}
    for slug in EXPECTED:
        for entry_id in articles(page(output, f"periods/{slug}/index.html")):
            seen.setdefault(entry_id, []).append(slug)
    assert seen == {entry_id: [slug] for entry_id, slug in homes.items()}


def test_a_period_page_shows_its_entries_like_the_index(split_site):
    output, _ = split_site
    august = page(output, "periods/2021-08/index.html")
    assert [h["text"] for h in august.all("h2") if "period-label" in h["classes"]] == ["August 2021"]
    assert august.one("div", id="filters")["classes"] == {"filters"}  # shown by the "js" class (site.css)
    assert {o["attrs"]["value"] for o in august.all("option")} == {"", "courts", "floods", "elections"}
    ranged = [li for li in august.all("li") if "is-range" in li["classes"]]
    assert len(ranged) == 1 and "2 September 2021" in ranged[0]["text"]
    body = august.one("body")
    assert "with-timeline" in body["classes"]
    item_list = json.loads(august.one("script", type="application/ld+json")["text"])
    assert item_list["@type"] == "ItemList" and item_list["numberOfItems"] == 15
    assert item_list["name"] == "Periods test: August 2021"
    assert [i["url"].rsplit("/", 2)[-2] for i in item_list["itemListElement"]] == articles(august)


def test_the_index_lists_the_periods_with_counts_and_spans(split_site):
    output, _ = split_site
    index = page(output, "index.html")
    assert articles(index) == [] and index.all("div", id="filters") == []
    assert index.one("h1")["text"] == "Periods test"
    links = [a for a in index.all("a") if a["attrs"]["href"].startswith("periods/")]
    assert [a["attrs"]["href"] for a in links] == [f"periods/{slug}/index.html" for slug in EXPECTED]
    rows = [li["text"] for li in index.all("li") if li["text"].split(" ")[0] in
            {"2019", "2020", "January", "March", "August", "November", "December", "2022"}]
    assert "2019 4 entries, 1 March 2019 to 4 March 2019" in rows
    assert "August 2021 15 entries, 1 August 2021 to 16 August 2021" in rows
    assert "March 2021 3 entries, 1 March 2021 to 3 March 2021" in rows  # times left out of spans
    assert "2022 1 entry, 1 May 2022" in rows
    item_list = json.loads(index.one("script", type="application/ld+json")["text"])
    assert [i["url"] for i in item_list["itemListElement"]] == [f"{BASE_URL}periods/{slug}/" for slug in EXPECTED]


def test_navigation_between_periods(split_site):
    output, _ = split_site
    slugs = list(EXPECTED)
    for position, slug in enumerate(slugs):
        parsed = page(output, f"periods/{slug}/index.html")
        nav = parsed.one("nav", **{"aria-label": "Periods"})
        listed = [a for a in parsed.all("a") if a["attrs"]["href"].startswith("../../periods/")
                  and "(" in a["text"]]
        assert [a["attrs"]["href"] for a in listed] == [f"../../periods/{s}/index.html" for s in slugs]
        assert [a["attrs"]["href"] for a in listed if a["attrs"].get("aria-current") == "page"] == \
            [f"../../periods/{slug}/index.html"]
        assert f"({EXPECTED[slug]} {'entry' if EXPECTED[slug] == 1 else 'entries'})" in nav["text"]
        parsed.one("nav", **{"aria-label": "Previous and next periods"})
        previous = [a["attrs"]["href"] for a in parsed.all("a", rel="prev")]
        following = [a["attrs"]["href"] for a in parsed.all("a", rel="next")]
        assert previous == ([f"../../periods/{slugs[position - 1]}/index.html"] if position else [])
        assert following == ([f"../../periods/{slugs[position + 1]}/index.html"]
                             if position + 1 < len(slugs) else [])


def test_every_link_and_fragment_of_a_split_site_resolves(split_site):
    output, _ = split_site
    assert [str(p) for p in check_links(read_site(output), BASE_URL)] == []


def test_entry_pages_link_to_their_period_page(split_site):
    output, homes = split_site
    for entry_id, slug in homes.items():
        back = page(output, f"entries/{entry_id}/index.html").one("p", **{"class": "back"})
        assert f'../../periods/{slug}/index.html#{entry_id}' in (output / f"entries/{entry_id}/index.html").read_text()
        assert back["text"] == "See this entry in the timeline"


def test_the_fragment_map_names_every_entry_once_with_its_period_page(split_site):
    output, homes = split_site
    mapped = period_map(output)
    assert list(mapped) == [f"periods/{slug}/index.html" for slug in EXPECTED]
    flat = {entry_id: path for path, ids in mapped.items() for entry_id in ids}
    assert sum(map(len, mapped.values())) == len(flat) == len(homes)
    assert flat == {entry_id: f"periods/{slug}/index.html" for entry_id, slug in homes.items()}
    for path, ids in mapped.items():
        assert articles(page(output, path)) == ids


def test_sitemap_lists_the_period_pages(split_site):
    output, _ = split_site
    locations = re.findall(r"<loc>([^<]+)</loc>", (output / "sitemap.xml").read_text())
    assert [loc for loc in locations if "/periods/" in loc] == [f"{BASE_URL}periods/{slug}/" for slug in EXPECTED]


# ---------------------------------------------------------------- below the threshold

def test_below_the_threshold_nothing_changes_but_the_index_entry_links_sitemap_and_embed(split_site, tmp_path):
    split, homes = split_site
    whole, _ = built(tmp_path, limit=len(homes))
    whole_files, split_files = read_site(whole), read_site(split)
    assert not (whole / "periods").exists()
    assert articles(page(whole, "index.html")) == list(homes)
    assert "/periods/" not in (whole / "sitemap.xml").read_text()
    changed = {path for path in whole_files.keys() | split_files.keys()
               if whole_files.get(path) != split_files.get(path)}
    entry_pages = {f"entries/{entry_id}/index.html" for entry_id in homes}
    period_files = {path for path in split_files if path.startswith(("periods/", "embed/periods/"))}
    assert changed == {"index.html", "sitemap.xml", "embed/index.html"} | entry_pages | period_files
    for entry_id, slug in homes.items():
        path = f"entries/{entry_id}/index.html"
        assert split_files[path].replace(f"../../periods/{slug}/index.html#".encode(), b"../../index.html#") \
            == whole_files[path]


def test_the_default_timeline_is_not_split(default_site):
    files = default_site.files()
    assert not any(path.startswith("periods/") for path in files)
    index = Page(files["index.html"].decode())
    assert len(articles(index)) == 11


# ---------------------------------------------------------------- in a browser

def test_an_index_link_to_an_entry_opens_its_period_page(split_site, browser):
    output, homes = split_site
    entry_id = next(e for e, slug in homes.items() if slug == "2021-08")
    tab = browser.new_page()
    try:
        for url in (f"{(output / 'index.html').as_uri()}#{entry_id}",):
            tab.goto(url)
            tab.wait_for_url(re.compile(r"periods/2021-08/index\.html#"), timeout=10_000)
            assert tab.url.endswith(f"periods/2021-08/index.html#{entry_id}")
            assert tab.locator(f"article#{entry_id}").is_visible()
        # A fragment the index has (or no entry has) stays on the index.
        tab.goto(f"{(output / 'index.html').as_uri()}#main_content")
        tab.wait_for_timeout(300)
        assert tab.url.endswith("/index.html#main_content")
        tab.goto(f"{(output / 'index.html').as_uri()}#no-such-entry")
        tab.wait_for_timeout(300)
        assert tab.url.endswith("/index.html#no-such-entry")
    finally:
        tab.close()


# ---------------------------------------------------------------- quality gates

def test_a_split_site_is_valid_html5(split_site):
    from support import vnu_jar
    java, jar = shutil.which("java"), vnu_jar()
    require(java is not None, "java is not installed (apt-get install -y default-jre-headless)")
    require(jar is not None, "the Nu HTML Checker is not installed (pip install -e '.[test]')")
    output, homes = split_site
    pages = [output / "index.html", *sorted((output / "periods").glob("*/index.html")),
             output / "entries" / next(iter(homes)) / "index.html"]
    run = subprocess.run([java, "-jar", str(jar), "--format", "json", "--stdout", *map(str, pages)],
                         capture_output=True, text=True, timeout=600)
    messages = json.loads(run.stdout)["messages"]
    assert [f"{m['url']}:{m.get('lastLine')}: {m['message']}" for m in messages
            if m["type"] == "error" or m.get("subType") == "fatal"] == []


@pytest.mark.parametrize("path", ["index.html", "periods/2021-08/index.html"])
def test_no_accessibility_violations_on_split_pages(split_site, browser, path):
    try:
        from axe_playwright_python.sync_playwright import Axe
    except ImportError:
        require(False, "axe-playwright-python is not installed (pip install -e '.[test]')")
    output, _ = split_site
    tab = browser.new_page(viewport={"width": 1280, "height": 900})
    try:
        tab.goto((output / path).as_uri())
        result = Axe().run(tab)
    finally:
        tab.close()
    assert result.response["violations"] == [], result.generate_report()
