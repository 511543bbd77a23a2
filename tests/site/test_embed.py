"""Embeds: the compact views other sites frame, their oEmbed descriptions and discovery links, the
embed code the site's pages offer, and (in Chromium) the frame on a page of another origin."""
from __future__ import annotations

import functools
import json
import re
import threading
from html.parser import HTMLParser
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from support import HOSTILE_ENTRY, HOSTILE_MEDIA, Page, copy_content, run_cli
from timeline.links import read_site, resolve
from timeline.load import load_settings

ENTRY = "sheberghan-falls"  # an entry far enough down the timeline to need scrolling to
OEMBED_REQUIRED = {"type", "version", "html", "width", "height"}  # oembed.com 2.3.4, for type "rich"


def base_url_of(site) -> str:
    return load_settings(site.content)[0].base_url


def parse(site, path: str) -> Page:
    return Page((site.output / path).read_text(encoding="utf-8"))


def entry_ids(site) -> list[str]:
    return sorted(path.name for path in (site.output / "entries").iterdir() if (path / "index.html").is_file())


def embed_pages(site) -> list[str]:
    return sorted(path.relative_to(site.output).as_posix() for path in (site.output / "embed").rglob("*.html"))


class Markup(HTMLParser):
    """The elements of an HTML fragment, with their attributes, and the text of its scripts."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.scripts: list[str] = []
        self._in_script = False
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"

    def handle_endtag(self, tag):
        self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.scripts.append(data)

    def all(self, tag: str) -> list[dict]:
        return [attrs for name, attrs in self.tags if name == tag]


# ---------------------------------------------------------------- the embed pages

def test_each_entry_has_a_card_and_the_timeline_a_compact_view(default_site):
    assert embed_pages(default_site) == sorted(["embed/index.html"] + [f"embed/entries/{e}/index.html"
                                                                       for e in entry_ids(default_site)])
    timeline = parse(default_site, "embed/index.html")
    assert [a["attrs"]["id"] for a in timeline.all("article")] == \
        [a["attrs"]["id"] for a in parse(default_site, "index.html").all("article")]
    assert timeline.all("figure", **{"class": "axis"})  # the time axis of macros.html
    card = parse(default_site, f"embed/entries/{ENTRY}/index.html")
    page = parse(default_site, f"entries/{ENTRY}/index.html")
    assert card.one("h1")["text"] == page.one("h1")["text"]
    assert card.one("time")["attrs"]["datetime"] == page.all("time")[0]["attrs"]["datetime"]
    count = len(page.all("span", **{"class": "source-name"}))
    assert count and card.one("p", **{"class": "embed-meta"})["text"].startswith(f"{count} sources ·")
    assert card.one("p", **{"class": "summary"})["text"] == page.meta("description")


def test_embed_pages_have_no_site_chrome_are_not_indexed_and_name_their_full_page(default_site):
    base_url = base_url_of(default_site)
    for path in embed_pages(default_site):
        page = parse(default_site, path)
        assert not page.all("header") and not page.all("footer") and not page.all("nav"), path
        assert page.meta("robots") == "noindex", path
        canonical = page.one("link", rel="canonical")["attrs"]["href"]
        full = "" if path == "embed/index.html" else path.removeprefix("embed/").removesuffix("index.html")
        assert canonical == base_url + full, path
        assert (default_site.output / full / "index.html").is_file()
    sitemap = (default_site.output / "sitemap.xml").read_text(encoding="utf-8")
    assert "/embed/" not in sitemap and "oembed" not in sitemap


def test_every_link_out_of_an_embed_opens_a_permanent_page_in_the_top_window(default_site):
    base_url = base_url_of(default_site)
    for path in embed_pages(default_site):
        page = parse(default_site, path)
        ids = page.ids()
        for link in page.all("a"):
            href = link["attrs"]["href"]
            if href.startswith("#"):  # the axis's marks: an entry of this embed, in the frame
                assert href[1:] in ids, (path, href)
                assert "target" not in link["attrs"]
                continue
            assert link["attrs"].get("target") == "_top", (path, href)
            assert href.startswith(base_url), (path, href)
            target = resolve(href, path, base_url)[0]
            assert (default_site.output / (target + "index.html" if target.endswith("/") or not target
                                           else target)).is_file(), (path, href)
        entry_links = [a["attrs"]["href"] for a in page.all("a") if "/entries/" in a["attrs"]["href"]]
        assert all(re.fullmatch(re.escape(base_url) + r"entries/[a-z0-9-]+/", href) for href in entry_links)


def test_embed_pages_load_nothing_from_elsewhere_and_run_no_inline_script(default_site):
    for path in embed_pages(default_site):
        page = parse(default_site, path)
        loaded = [e["attrs"].get("src") or e["attrs"].get("href") for e in page.elements
                  if e["tag"] in ("script", "img", "iframe", "link") and e["attrs"].get("rel") != "canonical"]
        assert loaded and all(address.startswith(("../", "data:")) for address in loaded), (path, loaded)
        assert all(e["attrs"].get("src") for e in page.all("script")), f"{path} has an inline script"
        assert "style" not in {e["tag"] for e in page.elements}


# ---------------------------------------------------------------- oEmbed

def oembed_of(site, path: str) -> dict:
    return json.loads((site.output / path).read_text(encoding="utf-8"))


def assert_an_oembed_description(site, path: str, title: str, frame: str, page: str) -> Markup:
    base_url = base_url_of(site)
    settings = load_settings(site.content)[0]
    data = oembed_of(site, path)
    assert OEMBED_REQUIRED <= data.keys(), path
    assert data["type"] == "rich" and data["version"] == "1.0"
    assert all(type(data[key]) is int and data[key] > 0 for key in ("width", "height", "cache_age"))
    assert data["title"] == title
    assert (data["provider_name"], data["provider_url"]) == (settings.site_name, base_url)
    assert data["author_name"] == settings.publisher
    html = Markup(data["html"])
    [iframe] = html.all("iframe")
    assert iframe["src"] == base_url + frame and iframe["title"].startswith(title)
    assert (iframe["width"], iframe["height"]) == (str(data["width"]), str(data["height"]))
    target = resolve(iframe["src"], "index.html", base_url)[0]
    assert (site.output / target / "index.html").is_file()
    # WordPress keeps only a first blockquote and the iframe of a provider it does not know.
    assert [name for name, _ in html.tags][:3] == ["blockquote", "a", "iframe"]
    assert html.all("a")[0]["href"] == base_url + page
    return html


def test_the_timeline_and_each_entry_have_an_oembed_description(default_site):
    settings = load_settings(default_site.content)[0]
    assert_an_oembed_description(default_site, "embed/oembed.json", settings.title, "embed/", "")
    for entry_id in entry_ids(default_site):
        title = parse(default_site, f"entries/{entry_id}/index.html").meta("og:title")
        assert_an_oembed_description(default_site, f"embed/entries/{entry_id}/oembed.json", title,
                                     f"embed/entries/{entry_id}/", f"entries/{entry_id}/")


def test_the_index_and_every_entry_page_link_their_oembed_description(default_site):
    base_url = base_url_of(default_site)
    pages = {"index.html": "embed/oembed.json"}
    pages.update({f"entries/{e}/index.html": f"embed/entries/{e}/oembed.json" for e in entry_ids(default_site)})
    for path, described in pages.items():
        page = parse(default_site, path)
        link = page.one("link", rel="alternate", type="application/json+oembed")["attrs"]
        assert link["href"] == base_url + described
        assert (default_site.output / resolve(link["href"], path, base_url)[0]).is_file()
        assert link["title"] == oembed_of(default_site, described)["title"]
        head = (default_site.output / path).read_text(encoding="utf-8").split("</head>")[0]
        assert link["href"] in head  # discovery reads the <head> alone


def test_an_oembed_description_shows_hostile_text_as_text(tmp_path):
    content = copy_content(tmp_path / "content")
    (content / "entries" / "hostile.yaml").write_text(HOSTILE_ENTRY, encoding="utf-8")
    (content / "media").mkdir(exist_ok=True)
    (content / "media" / HOSTILE_MEDIA).write_bytes(b"\xff\xd8\xff\xe0")
    assert run_cli("build", "--content", content, "--output", tmp_path / "site", "--no-cache") == 0
    site = read_site(tmp_path / "site")
    data = json.loads(site["embed/entries/hostile/oembed.json"])
    html = Markup(data["html"])
    assert [name for name, _ in html.tags] == ["blockquote", "a", "iframe", "script"]
    assert html.all("iframe")[0]["title"].startswith(data["title"]) and "<script>" in data["title"]
    listener = json.loads(site["embed/oembed.json"])["html"].split("<script>", 1)[1]
    assert data["html"].split("<script>", 1)[1] == listener  # the one script is the listener
    card = Markup(site["embed/entries/hostile/index.html"].decode())
    assert [attrs.get("src") for attrs in card.all("script")] == ["../../../static/embed.js"]
    assert not [name for _, attrs in card.tags for name in attrs if name.startswith("on")]
    assert Page(site["embed/entries/hostile/index.html"].decode()).one("h1")["text"] == data["title"]


# ---------------------------------------------------------------- the embed code offered

def embed_code(page: Page) -> Markup:
    details = page.one("details", **{"class": "embed-code"})
    textarea = page.one("textarea", id="embed_code")
    assert "readonly" in textarea["attrs"] and textarea["text"].strip() in details["text"]
    assert page.one("button", **{"data-copy-from": "embed_code"})["text"] == "Copy embed code"
    label = page.one("label", **{"for": "embed_code"})
    assert label["text"]
    return Markup(textarea["text"])


@pytest.mark.parametrize("path, frame", [("index.html", "embed/"),
                                         (f"entries/{ENTRY}/index.html", f"embed/entries/{ENTRY}/")])
def test_the_index_and_entry_pages_offer_their_embed_code(default_site, path, frame):
    base_url = base_url_of(default_site)
    code = embed_code(parse(default_site, path))
    [iframe] = code.all("iframe")
    assert iframe["src"] == base_url + frame and iframe["title"]
    assert iframe["loading"] == "lazy" and int(iframe["width"]) > 0 and int(iframe["height"]) > 0
    assert len(code.scripts) == 1 and "timeline:height" in code.scripts[0]
    described = oembed_of(default_site, frame + "oembed.json")
    assert iframe["height"] == str(described["height"])


# ---------------------------------------------------------------- a split timeline

SPLIT_URL = "https://split.example.org/t/"
SPLIT = {"2020": [f"2020-0{month}-10" for month in range(1, 6)], "2021": [f"2021-0{month}-20" for month in range(1, 7)]}


def split_site(folder: Path) -> Path:
    """Eleven entries with ten to a page: split into 2020 (five entries) and 2021 (six)."""
    entries = folder / "content" / "entries"
    entries.mkdir(parents=True)
    (folder / "content" / "timeline.yaml").write_text(
        f'title: "Split"\nbase_url: "{SPLIT_URL}"\ntimezone: UTC\nentries_per_page: 10\n', encoding="utf-8")
    for year, days in SPLIT.items():
        for day in days:
            (entries / f"event-{day}.yaml").write_text(
                f'title: "Event of {day}"\ndate: {day}\nsources:\n  - name: Wire\n', encoding="utf-8")
    assert run_cli("build", "--content", folder / "content", "--output", folder / "site", "--no-cache") == 0
    return folder / "site"


def test_a_split_timeline_is_embedded_by_period(tmp_path):
    output = split_site(tmp_path)
    index = Page((output / "embed/index.html").read_text(encoding="utf-8"))
    listed = [a["attrs"]["href"] for a in index.all("a") if "target" not in a["attrs"]]
    assert listed == [f"periods/{year}/index.html" for year in SPLIT]
    assert index.one("body")["attrs"]["data-periods-map"] == "../periods/map.js"
    assert not index.all("article")
    for year, days in SPLIT.items():
        period = Page((output / f"embed/periods/{year}/index.html").read_text(encoding="utf-8"))
        assert [a["attrs"]["id"] for a in period.all("article")] == [f"event-{day}" for day in days]
        assert period.one("link", rel="canonical")["attrs"]["href"] == f"{SPLIT_URL}periods/{year}/"
        assert period.one("a", href="../../index.html")  # back to the list of periods, in the frame


# ---------------------------------------------------------------- in a browser, across two origins

class _Files(SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


def _server(folder: Path) -> ThreadingHTTPServer:
    return ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Files, directory=str(folder)))


@pytest.fixture(scope="module")
def origins(tmp_path_factory):
    """The site built for, and served from, one origin (its base_url); host pages served from another."""
    root = tmp_path_factory.mktemp("origins")
    (root / "site").mkdir()
    (root / "host").mkdir()
    site_server, host_server = _server(root / "site"), _server(root / "host")
    base_url = f"http://127.0.0.1:{site_server.server_address[1]}/"
    content = copy_content(root / "content")
    settings = content / "timeline.yaml"
    settings.write_text(re.sub(r'(?m)^base_url: .*$', f'base_url: "{base_url}"', settings.read_text()))
    (root / "site").rmdir()
    assert run_cli("build", "--content", content, "--output", root / "site", "--no-cache") == 0
    threads = [threading.Thread(target=server.serve_forever, daemon=True) for server in (site_server, host_server)]
    for thread in threads:
        thread.start()
    host_url = f"http://127.0.0.1:{host_server.server_address[1]}/"
    assert urlsplit(host_url).netloc != urlsplit(base_url).netloc
    yield root, base_url, host_url
    for server in (site_server, host_server):
        server.shutdown()
        server.server_close()


RECORDER = ('<script>window.received = []; addEventListener("message", function (event) '
            '{ window.received.push(event.data); });</script>')


def host_page(origins, name: str, code: str) -> str:
    """A page of the host origin with `code` in an article, and a recorder of the messages it receives."""
    root, _, host_url = origins
    (root / "host" / name).write_text(
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Host</title>{RECORDER}</head>'
        f'<body style="margin: 0"><main style="max-width: 40rem; margin: 0 auto"><h1>An article</h1>'
        f'<p>Some text before the timeline.</p>{code}<p style="height: 3000px">Some text after it.</p>'
        f'</main></body></html>', encoding="utf-8")
    return host_url + name


def offered_code(origins, path: str) -> str:
    root = origins[0]
    return Page((root / "site" / path).read_text(encoding="utf-8")).one("textarea", id="embed_code")["text"]


def open_host(browser, url: str, height: int = 800):
    tab = browser.new_page(viewport={"width": 1000, "height": height})
    tab.goto(url)
    tab.wait_for_function("() => window.received.some(m => m && m.type === 'timeline:height')")
    return tab, tab.frames[1]


def frame_box(tab) -> dict:
    return tab.eval_on_selector("iframe", "f => { const b = f.getBoundingClientRect(); "
                                          "return {top: b.top, height: b.height}; }")


def content_height(frame) -> int:
    return frame.evaluate("Math.ceil(document.documentElement.getBoundingClientRect().height)")


@pytest.mark.parametrize("path", ["index.html", f"entries/{ENTRY}/index.html"])
def test_the_offered_code_embeds_across_origins_and_the_frame_takes_the_height_it_reports(browser, origins, path):
    _, base_url, host_url = origins
    code = offered_code(origins, path)
    tab, frame = open_host(browser, host_page(origins, "host.html", code))
    try:
        assert frame.url.startswith(base_url) and tab.url.startswith(host_url)
        assert frame.locator("h1").inner_text()
        height = content_height(frame)
        tab.wait_for_function(f"() => Math.abs(document.querySelector('iframe').getBoundingClientRect().height"
                              f" - {height}) <= 1")
        reports = [m for m in tab.evaluate("window.received") if m.get("type") == "timeline:height"]
        assert reports[-1] == {"type": "timeline:height", "height": height}
        fixed = int(Markup(code).all("iframe")[0]["height"])
        assert height != fixed
    finally:
        tab.close()


# A frame of a third origin on the host page (an advertisement, say) speaking the embed's messages.
HOSTILE_FRAME = ('<iframe id="other" title="Another frame" width="300" height="150" src="data:text/html,<script>'
                 "parent.postMessage({type: 'timeline:height', height: 20000, hostile: 1}, '*');"
                 "parent.postMessage({type: 'timeline:scroll', top: 15000, hostile: 1}, '*');"
                 '</script>"></iframe>')


def test_the_page_s_listener_heeds_only_the_embeds_of_the_site(browser, origins):
    _, base_url, _ = origins
    code = HOSTILE_FRAME + offered_code(origins, "index.html")
    tab = browser.new_page(viewport={"width": 1000, "height": 800})
    try:
        tab.goto(host_page(origins, "other.html", code))
        tab.wait_for_function("() => window.received.some(m => m && m.hostile === 1 && m.type === 'timeline:scroll')")
        height = content_height(next(frame for frame in tab.frames if frame.url.startswith(base_url)))
        tab.wait_for_function(f"() => Math.abs(document.querySelector('iframe[src=\"{base_url}embed/\"]')"
                              f".getBoundingClientRect().height - {height}) <= 1")
        other = tab.locator("iframe#other").evaluate("f => [f.style.height, f.getBoundingClientRect().height]")
        assert other[0] == "" and other[1] < 200 and tab.evaluate("scrollY") == 0
    finally:
        tab.close()


def test_the_copy_button_copies_the_code_shown(browser, origins):
    _, base_url, _ = origins
    context = browser.new_context()
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base_url.rstrip("/"))
    tab = context.new_page()
    try:
        tab.goto(base_url + "index.html")
        assert not tab.locator("details.embed-code").evaluate("d => d.open")
        tab.locator("details.embed-code summary").click()
        tab.get_by_role("button", name="Copy embed code").click()
        tab.wait_for_function("() => document.querySelector('.embed-code .copy-status').textContent")
        assert tab.evaluate("navigator.clipboard.readText()") == offered_code(origins, "index.html").strip()
    finally:
        context.close()


def test_a_listings_copy_link_copies_the_entrys_permanent_address(browser, origins):
    """The list's "Copy link" buttons carry no address of their own: site.js makes it from the site's
    entries/ and the entry's id, the same address the entry page's own button copies."""
    _, base_url, _ = origins
    context = browser.new_context()
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base_url.rstrip("/"))
    tab = context.new_page()
    try:
        tab.goto(base_url + "index.html")
        tab.locator(f"article#{ENTRY} button.copy-link").click()
        tab.wait_for_function(f"() => document.querySelector('article#{ENTRY} .copy-status').textContent")
        assert tab.evaluate("navigator.clipboard.readText()") == f"{base_url}entries/{ENTRY}/"
        tab.goto(f"{base_url}entries/{ENTRY}/index.html")
        assert tab.locator("button[data-copy]").first.get_attribute("data-copy") == f"{base_url}entries/{ENTRY}/"
    finally:
        context.close()


def test_a_link_to_an_entry_opens_the_embed_at_it_on_the_page_around_it(browser, origins):
    _, base_url, _ = origins
    code = offered_code(origins, "index.html").replace(f'src="{base_url}embed/"', f'src="{base_url}embed/#{ENTRY}"')
    assert f"embed/#{ENTRY}" in code
    tab, frame = open_host(browser, host_page(origins, "deep.html", code), height=700)
    try:
        tab.wait_for_function("() => window.received.some(m => m && m.type === 'timeline:scroll')")
        article = frame.locator(f"article#{ENTRY}")
        assert "is-target" in article.get_attribute("class") and article.evaluate("a => a.matches(':target')")
        shown = frame_box(tab)["top"] + article.evaluate("a => a.getBoundingClientRect().top")
        assert 0 <= shown < 700 and tab.evaluate("scrollY") > 0
    finally:
        tab.close()


def test_without_the_script_the_frame_keeps_its_height_and_opens_at_the_entry_within(browser, origins):
    _, base_url, _ = origins
    iframe = offered_code(origins, "index.html").split("<script>")[0].replace(
        f'src="{base_url}embed/"', f'src="{base_url}embed/#{ENTRY}"')
    tab, frame = open_host(browser, host_page(origins, "fixed.html", iframe))
    try:
        height = int(Markup(iframe).all("iframe")[0]["height"])
        assert round(frame_box(tab)["height"]) == height and tab.evaluate("scrollY") == 0
        top = frame.locator(f"article#{ENTRY}").evaluate("a => a.getBoundingClientRect().top")
        assert 0 <= top < height and frame.evaluate("scrollY") > 0
    finally:
        tab.close()


def test_a_click_in_the_embed_opens_the_permanent_page_in_the_top_window(browser, origins):
    _, base_url, _ = origins
    tab, frame = open_host(browser, host_page(origins, "click.html", offered_code(origins, "index.html")))
    try:
        title = frame.locator(f"#{ENTRY}_title a")
        expected = title.inner_text()
        title.click()
        tab.wait_for_url(f"{base_url}entries/{ENTRY}/")
        assert tab.locator("h1").inner_text() == expected and len(tab.frames) == 1
    finally:
        tab.close()


def test_in_a_sandboxed_frame_the_embed_speaks_wordpress_s_protocol(browser, origins):
    """As WordPress frames a provider it does not know (wp_filter_oembed_result): sandboxed, with a
    secret after the address, its height and links asked of the page through messages."""
    _, base_url, _ = origins
    secret = "Ab3dE6gH9j"
    frame_code = (f'<iframe sandbox="allow-scripts" security="restricted" class="wp-embedded-content" '
                  f'src="{base_url}embed/entries/{ENTRY}/#?secret={secret}" data-secret="{secret}" '
                  f'width="600" height="338" title="An entry"></iframe>')
    tab, frame = open_host(browser, host_page(origins, "wordpress.html", frame_code))
    try:
        tab.evaluate(f"document.querySelector('iframe').contentWindow.postMessage("
                     f"{{message: 'ready', secret: '{secret}'}}, '*')")
        tab.wait_for_function("() => window.received.filter(m => m && m.message === 'height').length >= 2")
        heights = [m for m in tab.evaluate("window.received") if m.get("message") == "height"]
        assert heights[-1] == {"message": "height", "value": content_height(frame), "secret": secret}
        frame.locator("h1 a").click()
        tab.wait_for_function("() => window.received.some(m => m && m.message === 'link')")
        [link] = [m for m in tab.evaluate("window.received") if m.get("message") == "link"]
        assert link == {"message": "link", "value": f"{base_url}entries/{ENTRY}/", "secret": secret}
        assert tab.url.endswith("/wordpress.html")
    finally:
        tab.close()


def test_a_link_to_an_entry_of_a_split_timeline_opens_its_period_in_the_frame(browser, tmp_path):
    output = split_site(tmp_path)
    entry = f"event-{SPLIT['2021'][2]}"
    tab = browser.new_page()
    try:
        tab.goto((output / "embed" / "index.html").as_uri() + f"#{entry}")
        tab.wait_for_url(re.compile(rf".*/embed/periods/2021/index\.html#{entry}$"))
        tab.wait_for_function(f"() => document.getElementById('{entry}').classList.contains('is-target')")
    finally:
        tab.close()


def test_a_card_pasted_under_an_entry_s_earlier_id_follows_the_entry(tmp_path):
    content = copy_content(tmp_path / "content")
    entry = content / "entries" / f"{ENTRY}.yaml"
    entry.write_text(entry.read_text(encoding="utf-8") + "aliases: [sheberghan-taken]\n", encoding="utf-8")
    assert run_cli("build", "--content", content, "--output", tmp_path / "site", "--no-cache") == 0
    moved = Page((tmp_path / "site/embed/entries/sheberghan-taken/index.html").read_text(encoding="utf-8"))
    assert moved.one("meta", **{"http-equiv": "refresh"})["attrs"]["content"] == f"0; url=../{ENTRY}/index.html"
    assert moved.meta("robots") == "noindex"
    assert (tmp_path / "site/embed/entries" / ENTRY / "index.html").is_file()


# ---------------------------------------------------------------- a site of several timelines

CAPITALS = "title: The first provincial capitals to fall\nselect:\n  tags: [Provincial capitals]\n"
EVERYTHING = "title: Everything, by month\nselect:\n  from: 2021-01-01\n"


@pytest.fixture(scope="module")
def several(tmp_path_factory) -> Path:
    """The shipped entries in two timelines, ten entries to a page: `everything` is split by month."""
    root = tmp_path_factory.mktemp("several-embeds")
    content = copy_content(root / "content")
    (content / "timelines").mkdir()
    (content / "timelines" / "capitals.yaml").write_text(CAPITALS, encoding="utf-8")
    (content / "timelines" / "everything.yaml").write_text(EVERYTHING, encoding="utf-8")
    settings = content / "timeline.yaml"
    settings.write_text(settings.read_text(encoding="utf-8") + "entries_per_page: 10\n", encoding="utf-8")
    assert run_cli("build", "--content", content, "--output", root / "site", "--no-cache") == 0
    return root / "site"


def test_each_timeline_of_several_has_its_embed_under_its_folder(several):
    base_url = load_settings(several.parent / "content")[0].base_url
    assert not (several / "embed" / "index.html").exists()  # the site's index lists timelines: no embed
    capitals = Page((several / "timelines/capitals/embed/index.html").read_text(encoding="utf-8"))
    index = Page((several / "timelines/capitals/index.html").read_text(encoding="utf-8"))
    assert [a["attrs"]["id"] for a in capitals.all("article")] == [a["attrs"]["id"] for a in index.all("article")]
    assert capitals.one("link", rel="canonical")["attrs"]["href"] == f"{base_url}timelines/capitals/"
    for name in ("capitals", "everything"):
        page = Page((several / f"timelines/{name}/index.html").read_text(encoding="utf-8"))
        link = page.one("link", rel="alternate", type="application/json+oembed")["attrs"]
        assert link["href"] == f"{base_url}timelines/{name}/embed/oembed.json"
        data = json.loads((several / f"timelines/{name}/embed/oembed.json").read_text(encoding="utf-8"))
        assert data["title"] == link["title"] == page.one("h1")["text"]
        assert Markup(data["html"]).all("iframe")[0]["src"] == f"{base_url}timelines/{name}/embed/"
        assert f'src="{base_url}timelines/{name}/embed/"' in page.one("textarea", id="embed_code")["text"]
    everything = Page((several / "timelines/everything/embed/index.html").read_text(encoding="utf-8"))
    months = [a["attrs"]["href"] for a in everything.all("a") if "target" not in a["attrs"]]
    assert months == ["periods/2021-05/index.html", "periods/2021-08/index.html"]
    assert all((several / "timelines/everything/embed" / month).is_file() for month in months)
    assert (several / "embed/entries" / ENTRY / "index.html").is_file()


def test_a_link_to_an_entry_of_a_split_timeline_of_several_opens_its_period(browser, several):
    tab = browser.new_page()
    try:
        tab.goto((several / "timelines/everything/embed/index.html").as_uri() + f"#{ENTRY}")
        tab.wait_for_url(re.compile(rf".*/timelines/everything/embed/periods/2021-08/index\.html#{ENTRY}$"))
        tab.wait_for_function(f"() => document.getElementById('{ENTRY}').classList.contains('is-target')")
    finally:
        tab.close()


def test_embeds_show_the_dates_in_the_timeline_s_other_calendars_as_its_pages_do(default_site):
    page = parse(default_site, f"entries/{ENTRY}/index.html")
    shown = [e["text"] for e in page.all("span", **{"class": "other-calendar"})]
    assert shown  # the shipped timeline names the Solar Hijri date too
    card = parse(default_site, f"embed/entries/{ENTRY}/index.html")
    assert [e["text"] for e in card.all("span", **{"class": "other-calendar"})] == shown[:1]
    timeline = parse(default_site, "embed/index.html")
    assert len(timeline.all("span", **{"class": "other-calendar"})) == len(timeline.all("article"))
