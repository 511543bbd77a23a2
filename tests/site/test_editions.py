"""Language editions (editions.py): the site in fr and fa-AF beside the original, each a full site under its
folder, with hreflang alternates, a language switcher, feeds, exports, sitemap alternates and permalinks."""
from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
from xml.etree import ElementTree

import pytest

from support import (CONTENT, FA_TITLE, FR_TITLE, OUTDATED, TRANSLATED, BuiltSite, Page, complete_editions, copy_content, options,
                     require, run_cli, vnu_jar, write_editions)
from timeline.links import check_links, read_site
from timeline.load import load_settings
from timeline.pipeline import check
from timeline.speed import Cold

BASE = "https://timeline.example.org/afghanistan-2021/"
ORIGINAL = load_settings(CONTENT)[0].language  # the shipped content's language, at the top of the site
EDITIONS = {ORIGINAL: "", "fr": "fr/", "fa-AF": "fa-AF/"}
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
XHTML = "{http://www.w3.org/1999/xhtml}"
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture(scope="module")
def plain_site(tmp_path_factory) -> BuiltSite:
    root = tmp_path_factory.mktemp("plain")
    content = copy_content(root / "content")
    assert run_cli("build", "--content", content, "--output", root / "site") == 0
    return BuiltSite(content, root / "site")


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> BuiltSite:
    root = tmp_path_factory.mktemp("editions")
    content = copy_content(root / "content")
    write_editions(content)
    assert run_cli("build", "--content", content, "--output", root / "site") == 0
    return BuiltSite(content, root / "site")


def _page(site: BuiltSite, path: str) -> Page:
    return Page((site.output / path).read_text(encoding="utf-8"))


def _alternates(page: Page) -> dict[str, str]:
    return {link["attrs"]["hreflang"]: link["attrs"]["href"] for link in page.all("link", rel="alternate")
            if "hreflang" in link["attrs"]}


def _text(site: BuiltSite, path: str) -> str:
    return html.unescape((site.output / path).read_text(encoding="utf-8"))


def _framed_pages(site: BuiltSite) -> list[str]:
    """The pages built on base.html (those with the site's header), relative to the output folder."""
    return sorted(str(path.relative_to(site.output)) for path in site.pages()
                  if 'class="site-name"' in path.read_text(encoding="utf-8"))


def test_each_edition_is_a_full_site_under_its_folder(site):
    files = site.files()
    for folder in ("fr/", "fa-AF/"):
        for path in ("index.html", f"entries/{TRANSLATED}/index.html", "tags/index.html", "tags/fighting/index.html",
                     "places/zaranj/index.html", "about/index.html", "changes/index.html", "feed.xml", "changes.xml",
                     "timeline.json", "timeline.csv", "timeline.ics", "embed/index.html", f"entries/{TRANSLATED}/share.png"):
            assert folder + path in files, folder + path
        assert folder + "sitemap.xml" not in files and folder + "robots.txt" not in files  # one for the whole site
    assert not any(path.startswith(("fr/static/", "fr/media/")) for path in files)
    card = _page(site, f"fr/entries/{TRANSLATED}/index.html").meta("og:image")
    assert card == f"{BASE}fr/entries/{TRANSLATED}/share.png"  # its own card, with the translated title
    assert files[f"fr/entries/{TRANSLATED}/share.png"] != files[f"entries/{TRANSLATED}/share.png"]


def test_hreflang_alternates_are_reciprocal_and_name_every_edition(site):
    pages = _framed_pages(site)
    checked = 0
    for path in pages:
        alternates = _alternates(_page(site, path))
        if path in ("404.html", "fr/404.html", "fa-AF/404.html"):
            continue
        assert set(alternates) == {*EDITIONS, "x-default"}, path
        canonical = _page(site, path).one("link", rel="canonical")["attrs"]["href"]
        assert canonical in alternates.values(), path  # a page names itself among its alternates
        assert alternates["x-default"] == alternates[ORIGINAL]
        for language, href in alternates.items():
            assert href.startswith(BASE + EDITIONS.get(language, ""))
            other = href.removeprefix(BASE)
            other_path = other + "index.html" if other.endswith("/") or not other else other
            other_page = site.output / other_path
            assert other_page.is_file(), f"{path} names {href}"
            assert _alternates(Page(other_page.read_text(encoding="utf-8"))) == alternates  # reciprocal
        checked += 1
    assert checked > 60


def test_the_language_switcher_links_each_page_to_itself_in_every_edition(site):
    assert check_links(site.files(), BASE) == []
    for path in ("fr/entries/zaranj-falls/index.html", "tags/fighting/index.html", "fa-AF/index.html"):
        page = _page(site, path)
        links = [a["attrs"] for a in page.all("a") if "hreflang" in a["attrs"]]
        assert [a["hreflang"] for a in links] == list(EDITIONS)
        assert [a["lang"] for a in links] == list(EDITIONS)
        names = [a["text"] for a in page.all("a") if "hreflang" in a["attrs"]]
        assert names[0].startswith("English") and names[1:] == ["français", "فارسی (افغانستان)"]
        here = path.removeprefix("fr/").removeprefix("fa-AF/")
        for link in links:
            resolved = (site.output / path).parent / link["href"]
            assert resolved.resolve() == (site.output / EDITIONS[link["hreflang"]] / here).resolve()
        current = [a["hreflang"] for a in links if a.get("aria-current") == "page"]
        assert current == [next(lang for lang, folder in EDITIONS.items() if folder and path.startswith(folder)) if
                           path.startswith(("fr/", "fa-AF/")) else ORIGINAL]


def test_pages_carry_their_editions_language_and_direction(site):
    def html(path):
        element = re.search(r"<html[^>]*>", (site.output / path).read_text(encoding="utf-8"))[0]
        direction = re.search(r'dir="([^"]+)"', element)
        return re.search(r'lang="([^"]+)"', element)[1], direction[1] if direction else "ltr"

    assert html("index.html") == (ORIGINAL, "ltr")
    assert html("fr/entries/zaranj-falls/index.html") == ("fr", "ltr")
    assert html("fa-AF/index.html") == ("fa-AF", "rtl")


def test_a_translated_entry_shows_its_translation_and_the_rest_of_the_original(site):
    french = _text(site, f"fr/entries/{TRANSLATED}/index.html")
    assert FR_TITLE in french and "Corps d\u2019essai." in french and "Titre de source d'essai" in french
    assert 'class="untranslated"' not in french
    assert "Zarandj (essai)" in french  # its place's name in the edition
    assert FA_TITLE in _text(site, f"fa-AF/entries/{TRANSLATED}/index.html")
    assert "Combats (essai)" in _text(site, "fr/tags/fighting/index.html")  # a tag's label, at the tag's own address
    assert FR_TITLE not in _text(site, f"entries/{TRANSLATED}/index.html")


def test_an_untranslated_entry_is_shown_in_the_original_language_marked_as_such(site):
    html = (site.output / "fr/entries/doha-talks-stalled/index.html").read_text(encoding="utf-8")
    assert re.search(rf'<h1 lang="{ORIGINAL}" dir="auto">Peace talks in Doha', html)
    assert '<p class="untranslated" role="note">Pas encore traduit : affiché dans sa langue d’origine.</p>' in html
    index = (site.output / "fr/index.html").read_text(encoding="utf-8")
    assert re.search(rf'<h3 id="doha-talks-stalled_title" lang="{ORIGINAL}" dir="auto">', index)
    assert re.search(rf'<h3 id="{TRANSLATED}_title">', index)


def test_each_edition_has_its_own_feed_and_timelinejs_export(site):
    feed = ElementTree.parse(site.output / "fr" / "feed.xml").getroot()
    titles = [title.text for title in feed.iter(f"{ATOM}title")]
    assert titles[0] == "Texte d'essai : la chronologie en français" and FR_TITLE in titles
    links = [link.get("href") for link in feed.iter(f"{ATOM}link")]
    assert links and all(link.startswith(BASE + "fr/") for link in links)
    export = json.loads((site.output / "fa-AF" / "timeline.json").read_text(encoding="utf-8"))
    headlines = [event["text"]["headline"] for event in export["events"]]
    assert FA_TITLE in headlines and len(headlines) == 11
    assert all(BASE + "fa-AF/entries/" in event["text"]["text"] for event in export["events"])
    original = json.loads((site.output / "timeline.json").read_text(encoding="utf-8"))
    assert FA_TITLE not in [event["text"]["headline"] for event in original["events"]]


def test_the_sitemap_lists_every_page_in_every_edition_with_its_alternates(site, plain_site):
    sitemap = ElementTree.parse(site.output / "sitemap.xml").getroot()
    plain = ElementTree.parse(plain_site.output / "sitemap.xml").getroot()
    urls = list(sitemap.iter(f"{SITEMAP}url"))
    assert len(urls) == 3 * len(list(plain.iter(f"{SITEMAP}url")))
    locations = {url.find(f"{SITEMAP}loc").text for url in urls}
    for url in urls:
        alternates = {link.get("hreflang"): link.get("href") for link in url.iter(f"{XHTML}link")}
        assert set(alternates) == {*EDITIONS, "x-default"}
        assert url.find(f"{SITEMAP}loc").text in alternates.values()
        assert set(alternates.values()) <= locations


def test_the_original_edition_keeps_every_address_and_its_text(site, plain_site):
    """Adding editions adds their alternates and switcher to the original's pages, and nothing else."""
    plain, edited = plain_site.files(), site.files()
    originals = {path for path in edited if not path.startswith(("fr/", "fa-AF/"))}
    assert originals == set(plain) | {path for path in originals if path == ".timeline-site.json"}

    def without_editions(data: bytes) -> bytes:
        text = data.decode("utf-8")
        text = re.sub(r'<link rel="alternate" hreflang="[^"]+" href="[^"]+">\n', "", text)
        return re.sub(r'<nav class="editions" aria-label="Languages">.*?</nav>\n', "", text, flags=re.S).encode("utf-8")

    for path in sorted(originals):
        if path.endswith(".html") and path in plain:
            assert without_editions(edited[path]) == plain[path], path


def test_check_warns_of_missing_and_outdated_translations_and_strict_refuses_them(site, tmp_path):
    result = check(options(site.content), Cold())
    assert result.ok
    warnings = [str(problem) for problem in result.problems if problem.severity == "warning"]
    missing = [w for w in warnings if "translations: has no fr translation" in w]
    assert len(missing) == 9  # 11 entries, 2 translated into fr
    assert len([w for w in warnings if "translations: has no fa-AF translation" in w]) == 10
    outdated = [w for w in warnings if "is older than its original" in w]
    assert len(outdated) == 1 and re.search(rf"translations/fr/entries/{OUTDATED}\.yaml:1:13: warning: translates:", outdated[0])
    assert run_cli("check", "--content", site.content) == 0
    assert run_cli("check", "--strict", "--content", site.content) != 0


def test_a_complete_edition_passes_strict(tmp_path):
    content = copy_content(tmp_path / "content")
    write_editions(content)
    complete_editions(content)
    assert [str(p) for p in check(options(content), Cold()).problems if "translat" in p.message] == []
    assert run_cli("check", "--strict", "--content", content) == 0


@pytest.mark.parametrize("where, text, expected", [
    ("translations/fr/entries/no-such-entry.yaml", 'translates: "0123456789"\ntitle: Essai\n',
     r'no-such-entry\.yaml:1:1: error: translates "no-such-entry", but there is no entry with that id'),
    ("translations/fr/entries/zaranj-fals.yaml", 'translates: "0123456789"\ntitle: Essai\n',
     r'zaranj-fals\.yaml:1:1: error: .*did you mean "zaranj-falls"\? rename the file to zaranj-falls\.yaml'),
    ("translations/fr/entries/zaranj-falls.yaml", 'translates: "0123456789"\ntitle: Essai\ndate: 2021-08-06\n',
     r"zaranj-falls\.yaml:3:1: error: date: unknown field; known fields: translates, title, summary, body, "
     r"date_label, media, sources"),
    ("translations/fr/entries/zaranj-falls.yaml", "translates: abc\ntitle: Essai\n",
     r'zaranj-falls\.yaml:1:13: error: translates: "abc" is not a digest of ten hexadecimal digits'),
    ("translations/fr/entries/zaranj-falls.yaml", 'translates: "0123456789"\n',
     r"zaranj-falls\.yaml:1:1: error: title: is required"),
    ("translations/de/entries/zaranj-falls.yaml", 'translates: "0123456789"\ntitle: Essai\n',
     r'translations/de: error: is the folder of the language "de", which is not one of the site\'s translations '
     r"\(fr, fa-AF\); add de to translations: in timeline\.yaml, or remove the folder"),
    ("translations/FR/entries/zaranj-falls.yaml", 'translates: "0123456789"\ntitle: Essai\n',
     r"translations/FR: error: .*rename it to fr, as translations: spells it"),
    ("translations/fr/timeline.yaml", "title: Essai\nbase_url: https://example.org/\n",
     r"translations/fr/timeline\.yaml:2:1: error: base_url: unknown field"),
])
def test_a_wrong_translation_is_an_error_naming_its_file_line_and_column(tmp_path, where, text, expected):
    content = copy_content(tmp_path / "content")
    write_editions(content)
    path = content / where
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    result = check(options(content), Cold())
    errors = [str(problem) for problem in result.errors]
    assert any(re.search(expected, error) for error in errors), errors


def test_a_linked_edition_folder_is_refused_and_stray_files_are_named(tmp_path):
    content = copy_content(tmp_path / "content")
    write_editions(content)
    elsewhere = tmp_path / "elsewhere"
    (content / "translations" / "fa-AF").rename(elsewhere)
    (content / "translations" / "fa-AF").symlink_to(elsewhere, target_is_directory=True)
    (content / "translations" / "fr" / "notes.txt").write_text("notes\n", encoding="utf-8")
    problems = [str(problem) for problem in check(options(content), Cold()).problems]
    assert any(re.search(r"translations/fa-AF: error: .*link", p) for p in problems), problems
    assert any(re.search(r"translations/fr/notes\.txt: warning: is not read", p) for p in problems), problems


@pytest.mark.parametrize("languages, expected", [
    ("[fr, fr]", r'translations\[2\]: "fr" is listed twice'),
    (f"[{ORIGINAL}]", rf"translations\[1\]: \"{ORIGINAL}\" is the site's own language"),
    ("[xx]", r'translations\[1\]: "xx" is not a language the Unicode CLDR knows'),
    ("[fr_FR]", r'translations\[1\]: "fr_FR" is not a language tag'),
])
def test_a_wrong_list_of_translations_is_an_error(tmp_path, languages, expected):
    content = copy_content(tmp_path / "content")
    settings = content / "timeline.yaml"
    settings.write_text(re.sub(r"^(language: .*)$", rf"\1\ntranslations: {languages}", settings.read_text(encoding="utf-8"),
                               count=1, flags=re.M), encoding="utf-8")
    errors = [str(problem) for problem in check(options(content), Cold()).errors]
    assert any(re.search(r"timeline\.yaml:\d+:\d+: error: " + expected, error) for error in errors), errors


def test_edition_entry_addresses_are_permanent(site, tmp_path):
    lock = (site.content / "permalinks.lock").read_text(encoding="utf-8")
    assert f"fr/entries/{TRANSLATED}/\t{FR_TITLE}\tpublished: " in lock
    assert re.search(r"^fa-AF/entries/doha-talks-stalled/\tPeace talks in Doha", lock, re.M)
    content = copy_content(tmp_path / "content", site.content)
    settings = content / "timeline.yaml"
    settings.write_text(settings.read_text(encoding="utf-8").replace("[fr, fa-AF]", "[fr]"), encoding="utf-8")
    shutil.rmtree(content / "translations" / "fa-AF")
    errors = [str(problem) for problem in check(options(content), Cold()).errors]
    assert len(errors) == 11 and all("was published in the fa-AF edition but is not served any more. If fa-AF was "
                                     "taken out of translations:, put it back" in error for error in errors)


def test_a_retired_entry_leaves_a_removed_page_in_every_edition(tmp_path):
    content = copy_content(tmp_path / "content")
    write_editions(content)
    assert run_cli("build", "--content", content, "--output", tmp_path / "site") == 0
    (content / "entries" / "doha-talks-stalled.yaml").unlink()
    paths = ["entries/doha-talks-stalled/", "fr/entries/doha-talks-stalled/", "fa-AF/entries/doha-talks-stalled/"]
    allowed = [argument for path in paths for argument in ("--allow-removed", path)]
    assert run_cli("build", "--content", content, "--output", tmp_path / "site", *allowed[:2]) != 0
    assert run_cli("build", "--content", content, "--output", tmp_path / "site", *allowed) == 0
    files = read_site(tmp_path / "site")
    for path in paths:
        assert "Entry removed" in files[path + "index.html"].decode("utf-8")
    assert check_links(files, BASE) == []


def test_a_site_without_translations_has_no_switcher_nor_alternates(plain_site):
    for path in ("index.html", "entries/zaranj-falls/index.html"):
        text = (plain_site.output / path).read_text(encoding="utf-8")
        assert "hreflang" not in text and 'class="editions"' not in text
    assert "xhtml" not in (plain_site.output / "sitemap.xml").read_text(encoding="utf-8")


# --- in a browser and the Nu checker -------------------------------------------------------

EDITION_PAGES = ["fr/index.html", f"fr/entries/{TRANSLATED}/index.html", "fr/entries/doha-talks-stalled/index.html",
                 "fa-AF/index.html", f"fa-AF/entries/{TRANSLATED}/index.html", "fa-AF/tags/fighting/index.html",
                 "fr/about/index.html"]


def test_edition_pages_are_valid_html5(site):
    java, jar = shutil.which("java"), vnu_jar()
    require(java is not None, "java is not installed (apt-get install -y default-jre-headless)")
    require(jar is not None, "the Nu HTML Checker is not installed (pip install -e '.[test]')")
    pages = [str(site.output / path) for path in EDITION_PAGES + ["index.html"]]
    run = subprocess.run([java, "-jar", str(jar), "--format", "json", "--stdout", *pages],
                         capture_output=True, text=True, timeout=600)
    messages = json.loads(run.stdout)["messages"]
    errors = [f"{m['url'].rsplit('/site/', 1)[-1]}:{m.get('lastLine')}: {m['message']}"
              for m in messages if m["type"] == "error" or m.get("subType") == "fatal"]
    assert errors == []


@pytest.mark.parametrize("path", EDITION_PAGES)
def test_edition_pages_have_no_accessibility_violations(site, browser, path):
    try:
        from axe_playwright_python.sync_playwright import Axe
    except ImportError:
        require(False, "axe-playwright-python is not installed (pip install -e '.[test]')")
    tab = browser.new_page(viewport={"width": 1280, "height": 900})
    try:
        tab.goto((site.output / path).as_uri())
        result = Axe().run(tab)
    finally:
        tab.close()
    violations = [f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']]}"
                  for v in result.response["violations"]]
    assert violations == [], f"{path}: {result.generate_report()}"
