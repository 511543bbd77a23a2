"""Tags and places in any script get pages of their own at readable, stable URLs: the folder is named
in the label's own letters, and every address the site writes carries it percent-encoded."""
import re
from urllib.parse import quote, unquote

import pytest

from support import Page, cold_build, copy_content
from timeline.links import check_links, read_site
from timeline.load import load_settings

ENTRY = "zaranj-falls"
TAG, PLACE = "تصرف ولایت‌ها", "Заранж"  # the tag with a zero-width non-joiner, as Dari writes it
TAG_SLUG, PLACE_SLUG = "تصرف-ولایت-ها", "заранж"  # the joiner, invisible, is never in a URL


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("labels")
    content = copy_content(root / "content")
    entry = content / "entries" / f"{ENTRY}.yaml"
    text = entry.read_text(encoding="utf-8")
    text = re.sub(r"^tags: \[", f"tags: [{TAG}, ", text, count=1, flags=re.M)
    text = re.sub(r"^place:\n  name: .*$", f"place:\n  name: {PLACE}", text, count=1, flags=re.M)
    entry.write_text(text, encoding="utf-8")
    result = cold_build(content, root / "site")
    assert result.ok, [str(p) for p in result.problems]
    return content, root / "site"


def test_the_labels_pages_are_named_in_their_own_script(site):
    _, output = site
    tag_page = output / "tags" / TAG_SLUG / "index.html"
    place_page = output / "places" / PLACE_SLUG / "index.html"
    assert tag_page.is_file() and place_page.is_file()
    assert TAG in Page(tag_page.read_text(encoding="utf-8")).one("h1")["text"]


def test_every_link_to_them_resolves(site):
    content, output = site
    base_url = load_settings(content)[0].base_url
    assert check_links(read_site(output), base_url) == []
    entry_page = Page((output / "entries" / ENTRY / "index.html").read_text(encoding="utf-8"))
    written = [element["attrs"]["href"] for element in entry_page.elements if element["tag"] == "a"
               and "href" in element["attrs"]]
    assert all(href.isascii() for href in written)  # percent-encoded, as every address the site writes
    hrefs = {unquote(href) for href in written}
    assert f"../../tags/{TAG_SLUG}/index.html" in hrefs and f"../../places/{PLACE_SLUG}/index.html" in hrefs


def test_absolute_addresses_are_percent_encoded(site):
    content, output = site
    base_url = load_settings(content)[0].base_url
    sitemap = (output / "sitemap.xml").read_text(encoding="utf-8")
    assert f"<loc>{base_url}tags/{quote(TAG_SLUG)}/</loc>" in sitemap
    assert f"<loc>{base_url}places/{quote(PLACE_SLUG)}/</loc>" in sitemap
    assert not re.search(r"<loc>[^<]*[^\x00-\x7f]", sitemap)  # every address in ASCII
    canonical = [element["attrs"]["href"] for element in
                 Page((output / "places" / PLACE_SLUG / "index.html").read_text(encoding="utf-8")).elements
                 if element["tag"] == "link" and element["attrs"].get("rel") == "canonical"]
    assert canonical == [f"{base_url}places/{quote(PLACE_SLUG)}/"]
    timelinejs = (output / "timeline.json").read_text(encoding="utf-8")
    assert f"tags/{quote(TAG_SLUG)}/" in timelinejs


def test_the_tag_filter_offers_the_tag_by_its_slug(site):
    _, output = site
    index = Page((output / "index.html").read_text(encoding="utf-8"))
    options = {element["attrs"].get("value"): element["text"].strip() for element in index.elements
               if element["tag"] == "option"}
    assert options.get(TAG_SLUG) == TAG
    items = [element for element in index.elements if element["tag"] == "li" and TAG_SLUG in
             (element["attrs"].get("data-tags") or "").split()]
    assert len(items) == 1
