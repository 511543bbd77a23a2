"""Quality gates on the default site: valid HTML5 and XML, no broken internal link, no axe violation."""
from __future__ import annotations

import json
import re
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


# --- the time axis and the timeline in a browser ---------------------------------------------

WIDTHS = (320, 1280)
SCHEMES = ("light", "dark")


def _tab(browser, width: int, scheme: str = "light", height: int = 800):
    return browser.new_page(viewport={"width": width, "height": height}, color_scheme=scheme)


def _entry_ids(site) -> list[str]:
    return sorted(path.name for path in (site.output / "entries").iterdir() if (path / "index.html").is_file())


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("width", WIDTHS)
def test_a_link_to_an_entry_lands_below_the_sticky_month_bar_and_highlights_it(default_site, browser, width, scheme):
    tab = _tab(browser, width, scheme)
    try:
        for entry_id in _entry_ids(default_site):
            tab.goto(f"{(default_site.output / 'index.html').as_uri()}#{entry_id}")
            found = tab.evaluate("""id => {
              const article = document.getElementById(id);
              const bar = article.closest('section.period').querySelector('.period-label').getBoundingClientRect();
              const top = selector => article.querySelector(selector).getBoundingClientRect();
              const style = getComputedStyle(article);
              return {bar: bar.bottom, title: top('h3').top, titleEnd: top('h3').bottom, when: top('.when').top,
                      whenEnd: top('.when').bottom, height: innerHeight, target: article.matches(':target'),
                      background: style.backgroundColor,
                      page: getComputedStyle(document.body).backgroundColor};
            }""", entry_id)
            assert found["target"], entry_id
            assert found["title"] >= found["bar"] and found["when"] >= found["bar"], (entry_id, found)
            assert found["titleEnd"] <= found["height"] and found["whenEnd"] <= found["height"], (entry_id, found)
            assert found["background"] not in ("rgba(0, 0, 0, 0)", found["page"]), (entry_id, found)
    finally:
        tab.close()


@pytest.mark.parametrize("path", ["index.html", "entry", "tag"])
def test_no_horizontal_overflow_at_320px_the_axis_scrolls_in_its_own_region(default_site, browser, path):
    path = {"entry": _entry_page, "tag": _tab_page_path}.get(path, lambda site: path)(default_site)
    tab = _tab(browser, 320)
    try:
        tab.goto((default_site.output / path).as_uri())
        widths = tab.evaluate("""() => ({page: document.documentElement.scrollWidth,
                                         view: document.documentElement.clientWidth})""")
        assert widths["page"] <= widths["view"], widths
        if path.startswith("entries/"):
            return  # an entry page's locator is drawn to the page's width
        region = tab.locator(".axis-scroll")
        assert region.get_attribute("tabindex") == "0" and region.get_attribute("role") == "region"
        assert region.evaluate("element => element.scrollWidth > element.clientWidth")
        region.focus()
        tab.keyboard.press("ArrowRight")
        tab.wait_for_timeout(200)
        assert region.evaluate("element => element.scrollLeft") > 0
    finally:
        tab.close()


def _tab_page_path(site) -> str:
    return _tag_page(site)


@pytest.mark.parametrize("scheme", SCHEMES)
def test_every_axis_mark_is_reached_by_tab_with_a_visible_focus_indicator(default_site, browser, scheme):
    tab = _tab(browser, 320, scheme)
    try:
        tab.goto((default_site.output / "index.html").as_uri())
        marks = tab.evaluate("() => [...document.querySelectorAll('.axis-svg a.mark')].map(a => a.getAttribute('href'))")
        assert len(marks) == len(_entry_ids(default_site))
        reached = {}
        for _ in range(len(marks) + 30):
            tab.keyboard.press("Tab")
            focused = tab.evaluate("""() => {
              const element = document.activeElement;
              if (!element.matches('a.mark')) return null;
              const shape = element.querySelector('.mark-shape');
              const style = getComputedStyle(shape), outline = getComputedStyle(element);
              const box = element.getBoundingClientRect(), region = element.closest('.axis-scroll').getBoundingClientRect();
              return {href: element.getAttribute('href'), stroke: style.stroke, width: parseFloat(style.strokeWidth),
                      outline: outline.outlineStyle, inView: box.right > region.left && box.left < region.right};
            }""")
            if focused:
                reached[focused["href"]] = focused
        assert sorted(reached) == sorted(marks)
        for href, focused in reached.items():
            assert focused["inView"], href
            assert (focused["stroke"] != "none" and focused["width"] >= 3) or focused["outline"] != "none", focused
        # The same mark unfocused is drawn otherwise: the indicator is the focus, not the mark.
        tab.evaluate("() => document.activeElement.blur()")
        resting = tab.evaluate("""() => [...document.querySelectorAll('.axis-svg a.mark .mark-shape')]
                                  .map(shape => parseFloat(getComputedStyle(shape).strokeWidth))""")
        assert max(resting) < 3
    finally:
        tab.close()


def test_print_hides_the_way_back_and_shows_as_of_and_the_axis(default_site, browser):
    tab = _tab(browser, 700, height=1000)
    try:
        tab.emulate_media(media="print")
        tab.goto((default_site.output / _entry_page(default_site)).as_uri())
        assert not tab.get_by_text("See this entry in the timeline").is_visible()
        assert tab.locator(".published .as-of").is_visible()
        assert "As of 7 August 2021" in tab.locator(".published").inner_text()
        printed = tab.locator("footer .print-only")
        assert printed.is_visible() and "as of 7 August 2021" in printed.inner_text()
        tab.goto((default_site.output / "index.html").as_uri())
        axis = tab.locator(".axis-svg")
        assert axis.is_visible()
        box = axis.bounding_box()
        assert box["width"] > 300 and box["height"] > 50
        assert box["x"] + box["width"] <= 700
        assert not tab.locator(".axis-text").is_visible()
        assert not tab.locator(".filters").is_visible()
    finally:
        tab.close()


def _luminance(colour: str) -> float:
    red, green, blue = (int(part) / 255 for part in re.findall(r"[\d.]+", colour)[:3])

    def linear(value: float) -> float:
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4
    return 0.2126 * linear(red) + 0.7152 * linear(green) + 0.0722 * linear(blue)


def _contrast(one: str, other: str) -> float:
    lighter, darker = sorted((_luminance(one), _luminance(other)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def _blend(colour: str, opacity: float, background: str) -> str:
    top, bottom = (list(map(float, re.findall(r"[\d.]+", value)[:3])) for value in (colour, background))
    return "rgb({})".format(", ".join(str(round(t * opacity + b * (1 - opacity))) for t, b in zip(top, bottom)))


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("page", ["index.html", "tag"])
def test_the_axis_text_and_marks_meet_contrast(default_site, browser, scheme, page):
    path = {"tag": _tag_page}.get(page, lambda site: page)(default_site)
    tab = _tab(browser, 1280, scheme)
    try:
        tab.goto((default_site.output / path).as_uri())
        drawn = tab.evaluate("""() => {
          const card = getComputedStyle(document.querySelector('.axis-scroll')).backgroundColor;
          const band = document.querySelector('.axis-svg .era-band');
          const behind = band ? {fill: getComputedStyle(band).fill, opacity: parseFloat(getComputedStyle(band).opacity)} : null;
          const texts = [...document.querySelectorAll('.axis-svg text')].map(text => {
            const bar = text.closest('.axis-era') && text.closest('.axis-era').querySelector('.era-bar');
            const style = getComputedStyle(text);
            return {text: text.textContent, fill: style.fill, size: parseFloat(style.fontSize),
                    background: bar ? getComputedStyle(bar).fill : card};
          });
          const marks = [...document.querySelectorAll('.axis-svg .mark-shape')].map(shape => {
            const style = getComputedStyle(shape);
            return {mark: shape.parentNode.getAttribute('href'), fill: style.fill, opacity: parseFloat(style.fillOpacity),
                    stroke: style.stroke, strokeWidth: parseFloat(style.strokeWidth)};
          });
          return {card, behind, texts, marks};
        }""")
    finally:
        tab.close()
    assert drawn["texts"] and drawn["marks"]
    for text in drawn["texts"]:
        assert text["size"] < 18  # small text: WCAG AA asks 4.5:1
        assert _contrast(text["fill"], text["background"]) >= 4.5, (scheme, text)
    # The marks stand on the era's band where there is one (the shipped timeline's era spans it all).
    behind = drawn["card"] if drawn["behind"] is None else _blend(drawn["behind"]["fill"], drawn["behind"]["opacity"],
                                                                 drawn["card"])
    for mark in drawn["marks"]:  # a graphical object: 3:1 for its fill, or for its outline where the fill is faint
        fill = _contrast(_blend(mark["fill"], mark["opacity"], behind), behind)
        stroke = _contrast(mark["stroke"], behind) if mark["stroke"] != "none" and mark["strokeWidth"] >= 1 else 0
        assert max(fill, stroke) >= 3, (scheme, mark, fill, stroke)


@pytest.mark.parametrize("page", ["index.html", "entry"])
def test_no_accessibility_violations_in_dark_mode(default_site, browser, page):
    try:
        from axe_playwright_python.sync_playwright import Axe
    except ImportError:
        require(False, "axe-playwright-python is not installed (pip install -e '.[test]')")
    path = {"entry": _entry_page}.get(page, lambda site: page)(default_site)
    tab = _tab(browser, 1280, "dark")
    try:
        tab.goto((default_site.output / path).as_uri())
        result = Axe().run(tab)
    finally:
        tab.close()
    assert result.response["violations"] == [], f"{path}: {result.generate_report()}"


LAYOUT_SHIFTS = """
window.layoutShift = 0;
new PerformanceObserver(list => {
  for (const entry of list.getEntries()) if (!entry.hadRecentInput) window.layoutShift += entry.value;
}).observe({type: "layout-shift", buffered: true});
"""


@pytest.mark.parametrize("viewport", [(360, 740), (1280, 900)])
@pytest.mark.parametrize("page", ["index.html", "entry"])
def test_the_page_does_not_shift_as_it_loads(default_site, browser, page, viewport):
    path = {"entry": _entry_page}.get(page, lambda site: page)(default_site)
    context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]})
    try:
        context.add_init_script(LAYOUT_SHIFTS)
        tab = context.new_page()
        tab.goto((default_site.output / path).as_uri(), wait_until="load")
        tab.wait_for_timeout(1000)
        shift = tab.evaluate("() => window.layoutShift")
    finally:
        context.close()
    assert shift < 0.02, f"{path} at {viewport}: cumulative layout shift {shift:.4f}"


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
