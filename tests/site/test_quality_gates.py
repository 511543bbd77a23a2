"""Quality gates on the default site: valid HTML5 and XML, no broken internal link, no axe violation."""
from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from xml.etree import ElementTree

import pytest

from support import copy_content, require, run_cli, vnu_jar
from timeline.links import check_links, resolve
from timeline.load import load_settings

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


@pytest.fixture(scope="module")
def removed_page(tmp_path_factory) -> Path:
    """A site with one entry retired on purpose: its "removed" page must pass the same gates."""
    root = tmp_path_factory.mktemp("retired")
    content = copy_content(root / "content")
    (content / "entries" / "zaranj-falls.yaml").unlink()
    code = run_cli("build", "--content", content, "--output", root / "site", "--allow-removed", "zaranj-falls")
    assert code == 0
    return root / "site" / "entries" / "zaranj-falls" / "index.html"


def test_every_page_is_valid_html5(default_site, removed_page):
    java, jar = shutil.which("java"), vnu_jar()
    require(java is not None, "java is not installed (apt-get install -y default-jre-headless)")
    require(jar is not None, "the Nu HTML Checker is not installed (pip install -e '.[test]')")
    pages = default_site.pages() + [removed_page]
    assert len(pages) > 10 and default_site.output / "embed" / "index.html" in pages
    # One JVM for all pages: each start costs about two seconds.
    run = subprocess.run([java, "-jar", str(jar), "--format", "json", "--stdout", *map(str, pages)],
                         capture_output=True, text=True, timeout=600)
    messages = json.loads(run.stdout)["messages"]
    errors = [f"{m['url'].rsplit('/site/', 1)[-1]}:{m.get('lastLine')}: {m['message']}"
              for m in messages if m["type"] == "error" or m.get("subType") == "fatal"]
    assert errors == []


def test_feed_and_sitemap_are_valid_xml_with_absolute_urls(default_site):
    base_url = _base_url(default_site)
    feed = ElementTree.parse(default_site.output / "feed.xml").getroot()
    assert feed.tag == f"{ATOM}feed"
    links = [link.get("href") for link in feed.iter(f"{ATOM}link")]
    assert links and all(link.startswith(base_url) for link in links)
    sitemap = ElementTree.parse(default_site.output / "sitemap.xml").getroot()
    assert sitemap.tag == f"{SITEMAP}urlset"
    locations = [loc.text for loc in sitemap.iter(f"{SITEMAP}loc")]
    assert locations and all(loc.startswith(base_url) for loc in locations)


def test_every_internal_link_and_fragment_resolves(default_site):
    problems = check_links(default_site.files(), _base_url(default_site))
    assert [str(p) for p in problems] == []


def _base_url(site) -> str:
    settings, _ = load_settings(site.content)
    return settings.base_url


def _tag_page(site) -> str:
    return next(p for p in sorted((site.output / "tags").glob("*/index.html"))).relative_to(site.output).as_posix()


def _entry_page(site) -> str:
    return next(p for p in sorted((site.output / "entries").glob("*/index.html"))).relative_to(site.output).as_posix()


def _embed_card(site) -> str:
    return "embed/" + _entry_page(site)


@pytest.mark.parametrize("page", ["index.html", "entry", "tag", "404.html", "removed", "embed/index.html", "card"])
def test_no_accessibility_violations(default_site, removed_page, browser, page):
    try:
        from axe_playwright_python.sync_playwright import Axe
    except ImportError:
        require(False, "axe-playwright-python is not installed (pip install -e '.[test]')")
    path = {"entry": _entry_page, "tag": _tag_page, "card": _embed_card}.get(page, lambda site: page)(default_site)
    url = removed_page.as_uri() if page == "removed" else (default_site.output / path).as_uri()
    tab = browser.new_page(viewport={"width": 1280, "height": 900})
    try:
        tab.goto(url)
        result = Axe().run(tab)
    finally:
        tab.close()
    violations = [f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']]}"
                  for v in result.response["violations"]]
    assert violations == [], f"{path}: {result.generate_report()}"


def test_check_links_from_the_command_line(tmp_path, capsys):
    content = copy_content(tmp_path / "content")
    assert run_cli("check", "--links", "--content", content) == 0
    templates = tmp_path / "templates"
    shutil.copytree(Path(__file__).resolve().parents[2] / "templates", templates)
    footer = templates / "base.html"
    footer.write_text(footer.read_text().replace("</footer>", '<a href="{{ root }}missing.html">x</a></footer>'))
    assert run_cli("check", "--links", "--content", content, "--templates", templates) == 1
    err = capsys.readouterr().err
    assert 'index.html:' in err and '"missing.html" leads to missing.html, which the site does not have' in err
    assert not (tmp_path / "site").exists()


# --- the link checker itself --------------------------------------------------------------

PAGES = {
    "index.html": b'<main id="top"><a href="entries/a/">a</a> <a href="entries/a/index.html#when">when</a></main>',
    "entries/a/index.html": b'<p id="when"><a href="../../index.html#top">up</a> <a href="../../feed.xml">feed</a>'
                            b' <a href="https://example.org/x">out</a> <a href="mailto:desk@example.org">mail</a>'
                            b' <a href="#when">here</a></p>',
    "feed.xml": b'<feed xmlns="http://www.w3.org/2005/Atom"><link href="https://t.example/entries/a/"/></feed>',
}


def test_a_site_whose_links_all_resolve_has_no_problem():
    assert check_links(PAGES, "https://t.example/") == []


@pytest.mark.parametrize("link, message", [
    ('<a href="entries/b/">b</a>', "entries/b/index.html, which the site does not have"),
    ('<a href="entries/a/index.html#nowhere">x</a>', 'has no element with id="nowhere"'),
    ('<a href="#nowhere">x</a>', 'index.html has no element with id="nowhere"'),
    ('<img src="media/missing.jpg" alt="">', "media/missing.jpg"),
    ('<link rel="canonical" href="https://t.example/entries/gone/">', "entries/gone/index.html"),
    ('<meta http-equiv="refresh" content="0; url=entries/gone/index.html">', "entries/gone/index.html"),
    ('<a href="/entries/a/">root</a>', "relative to the server's root"),
    ('<a href="../outside.html">up</a>', "../outside.html"),
])
def test_each_kind_of_broken_link_is_reported(link, message):
    pages = {**PAGES, "index.html": PAGES["index.html"] + b"\n" + link.encode()}
    problems = check_links(pages, "https://t.example/")
    assert len(problems) == 1 and message in problems[0].message
    assert (problems[0].file, problems[0].line) == ("index.html", 2)


def test_a_broken_address_in_the_sitemap_is_reported():
    sitemap = b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>https://t.example/nope/</loc></url></urlset>'
    problems = check_links({**PAGES, "sitemap.xml": sitemap}, "https://t.example/")
    assert [p.file for p in problems] == ["sitemap.xml"]


@pytest.mark.parametrize("address, page, expected", [
    ("entries/a/", "index.html", ("entries/a/", "")),
    ("../b/index.html#x", "entries/a/index.html", ("entries/b/index.html", "x")),
    ("#top", "tags/index.html", ("tags/index.html", "top")),
    ("https://t.example/", "entries/a/index.html", ("", "")),
    ("caf%C3%A9.html", "index.html", ("café.html", "")),
    ("https://elsewhere.example/", "index.html", None),
    ("mailto:x@example.org", "index.html", None),
])
def test_addresses_resolve_to_site_paths(address, page, expected):
    assert resolve(address, page, "https://t.example/") == expected


# --- gates never pass by skipping in CI ---------------------------------------------------

def test_a_missing_tool_fails_the_gate_in_ci(monkeypatch):
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI=true but java is missing"):
        require(False, "java is missing")


def test_a_missing_tool_skips_the_gate_with_its_reason_outside_ci(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="java is missing"):
        require(False, "java is missing")
