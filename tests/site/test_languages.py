"""Sites in other languages: the shipped content built in Dari (fa-AF) and in Arabic (ar), right to left,
with every interface string from their catalogues, the axis running right to left, valid, accessible and
without sideways scrolling at 320 px."""
from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from support import TEMPLATES, Page, copy_content, require, run_cli, vnu_jar
from timeline.locales import catalogue_path, placeholders

RTL = ("fa-AF", "ar")


def build_in(root: Path, language: str) -> Path:
    content = copy_content(root / "content")
    settings = content / "timeline.yaml"
    text = settings.read_text(encoding="utf-8")
    assert "\nlanguage: en-GB\n" in text
    settings.write_text(text.replace("\nlanguage: en-GB\n", f"\nlanguage: {language}\n"), encoding="utf-8")
    assert run_cli("build", "--content", content, "--output", root / "site") == 0
    return root / "site"


@pytest.fixture(scope="module", params=RTL)
def rtl_site(request, tmp_path_factory) -> tuple[str, Path]:
    language = request.param
    return language, build_in(tmp_path_factory.mktemp(f"site-{language}"), language)


def pages(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


def parse(path: Path) -> Page:
    return Page(path.read_text(encoding="utf-8"))


def test_every_page_says_its_language_and_runs_right_to_left(rtl_site):
    language, site = rtl_site
    for path in pages(site):
        html = parse(path).one("html")["attrs"]
        assert (html["lang"], html["dir"]) == (language, "rtl"), path


def visible_text(path: Path) -> str:
    """What a reader meets on a page: its text and the attributes read out or shown (no markup, no URLs)."""
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"<script type=\"application/ld\+json\">.*?</script>|<style>.*?</style>", " ", text, flags=re.S)
    said = " ".join(re.findall(r'(?:aria-label|title|alt|content|data-[a-z-]+)="([^"]*)"', text))
    return re.sub(r"<[^>]+>", " ", text) + " " + said


def content_text() -> str:
    from support import CONTENT

    return " ".join(path.read_text(encoding="utf-8") for path in sorted(CONTENT.rglob("*")) if path.is_file()
                    and path.suffix in (".yaml", ".md"))


def english_pieces(name: str) -> list[str]:
    """The English words of each message the catalogue translates otherwise: whole messages, and the
    runs of words between placeholders (at least two words), which no page in another language may show."""
    with open(TEMPLATES / catalogue_path(name), "rb") as stream:
        catalog = read_po(stream, locale=name)
    pieces = []
    for message in catalog:
        if not message.id:
            continue
        ids = (message.id,) if isinstance(message.id, str) else tuple(message.id)
        forms = (message.string,) if isinstance(message.string, str) else tuple(message.string)
        for text in ids:
            if text in forms:
                continue  # the same in both languages (a name such as TimelineJS, a comma)
            for piece in re.split(r"%\(\w+\)s", text):
                piece = piece.strip(" .,:;()“”")
                if len(piece.split()) >= 2 or (len(piece) >= 4 and not placeholders(text)):
                    pieces.append(piece)
    return sorted(set(pieces))


# Two timelines of the shipped entries, for a site of several (content/timelines/).
TIMELINES = {"capitals": "title: The first provincial capitals to fall\nselect:\n  tags: [Provincial capitals]\n",
             "withdrawal": "title: The foreign troop withdrawal\nselect:\n  tags: [Withdrawal]\n"}


@pytest.fixture(scope="module", params=RTL)
def rtl_several(request, tmp_path_factory) -> tuple[str, Path]:
    """The shipped content in the language, as a site of several timelines."""
    language, root = request.param, tmp_path_factory.mktemp(f"several-{request.param}")
    folder = root / "content" / "timelines"
    copy_content(root / "content")
    folder.mkdir()
    for name, text in TIMELINES.items():
        (folder / f"{name}.yaml").write_text(text, encoding="utf-8")
    settings = root / "content" / "timeline.yaml"
    settings.write_text(settings.read_text(encoding="utf-8").replace("\nlanguage: en-GB\n", f"\nlanguage: {language}\n"),
                        encoding="utf-8")
    assert run_cli("build", "--content", root / "content", "--output", root / "site") == 0
    return language, root / "site"


def english_left(language: str, texts: dict[str, str]) -> dict[str, list[str]]:
    """The English pieces of the catalogue's messages (english_pieces) that the texts still show, by name."""
    shipped = content_text() + " ".join(TIMELINES.values())
    pieces = [piece for piece in english_pieces(language.replace("-", "_")) if piece not in shipped]
    assert len(pieces) > 100
    left = {}
    for name, text in texts.items():
        found = [piece for piece in pieces if re.search(rf"(?<![\w-]){re.escape(piece)}(?![\w-])", text)]
        if found:
            left[name] = found
    return left


def page_texts(site: Path, paths: list[Path]) -> dict[str, str]:
    return {path.relative_to(site).as_posix(): visible_text(path) for path in paths}


def test_no_english_interface_string_is_left_on_any_page(rtl_site):
    language, site = rtl_site
    checked = {path.relative_to(site).as_posix() for path in pages(site)}
    # Every kind of page: the changes page, the embed of the timeline and of an entry's card among them.
    assert {"index.html", "changes/index.html", "embed/index.html", "embed/entries/zaranj-falls/index.html",
            "entries/zaranj-falls/index.html", "about/index.html", "404.html"} <= checked
    assert english_left(language, page_texts(site, pages(site))) == {}


def test_no_english_interface_string_is_left_in_the_feeds_or_the_slides(rtl_site):
    language, site = rtl_site
    texts = page_texts(site, [site / name for name in ("feed.xml", "changes.xml", "corrections.xml")])
    events = json.loads((site / "timeline.json").read_text(encoding="utf-8"))["events"]
    texts["timeline.json"] = re.sub(r"<[^>]+>", " ", " ".join(event["text"]["text"] for event in events))
    assert english_left(language, texts) == {}


def test_a_site_of_several_timelines_shows_no_english_interface_string(rtl_several):
    language, site = rtl_several
    index = parse(site / "index.html")
    assert index.one("html")["attrs"]["dir"] == "rtl"
    assert len(index.all("li", class_="timelines-item")) == 2
    assert english_left(language, page_texts(site, pages(site))) == {}


def test_dates_and_counts_are_written_in_the_languages_digits(rtl_site):
    language, site = rtl_site
    index = (site / "index.html").read_text(encoding="utf-8")
    if language == "fa-AF":  # CLDR: Dari writes Extended Arabic-Indic digits
        assert '<time datetime="2021-08-06">۶ اگست ۲۰۲۱</time>' in index
        assert "۱۱ رویداد" in index and "(۹۹ روز)" in index
        assert 'data-numbering="arabext"' in index
    else:  # CLDR: Arabic's default numbering system is latn
        assert '<time datetime="2021-08-06">6 أغسطس 2021</time>' in index
        assert 'data-numbering="latn"' in index
    feed = (site / "feed.xml").read_text(encoding="utf-8")  # machine-readable dates stay ISO 8601
    assert re.search(r"<updated>\d{4}-\d\d-\d\dT", feed) and not re.search("[۰-۹]", feed)
    entry = parse(site / "entries" / "zaranj-falls" / "index.html")
    assert json.loads(entry.one("script", type="application/ld+json")["text"])["about"]["startDate"] == "2021-08-06"


def test_the_scripts_messages_are_the_languages(rtl_site):
    language, site = rtl_site
    page = parse(site / "index.html")
    script = page.one("script", src="static/site.js")["attrs"]
    with open(TEMPLATES / catalogue_path(language.replace("-", "_")), "rb") as stream:
        catalog = read_po(stream)
    assert script["data-copied"] == catalog["Copied: %(text)s"].string.replace("%(text)s", "{text}")
    status = page.one("p", id="filter_status")["attrs"]
    assert "{shown}" in status["data-shown"] and "entries" not in status["data-shown"]


def marks(page: Page) -> list[tuple[str, float, float]]:
    """Each mark of the time axis, in the order drawn (the timeline's), with the x and width of its shape."""
    found, current = [], None
    for element in page.elements:
        if element["tag"] == "a" and "mark" in element["classes"]:
            current = element["attrs"]["href"]
        elif current and element["tag"] in ("circle", "rect"):
            attrs = element["attrs"]
            found.append((current, float(attrs.get("cx") or attrs["x"]), float(attrs.get("width", 0))))
            current = None
    return found


def test_the_time_axis_runs_right_to_left(rtl_site, default_site):
    _, site = rtl_site
    drawn = marks(parse(site / "index.html"))
    english = {href: (x, width) for href, x, width in marks(parse(default_site.output / "index.html"))}
    assert len(drawn) == 11 and drawn[0][0] == "#final-withdrawal-phase-begins"
    assert drawn[0][1] > 900 > drawn[-1][1]  # the first entry at the right, the last at the left
    points = [x for href, x, _ in drawn if href in ("#zaranj-falls", "#sheberghan-falls")]
    assert points[0] > points[1]  # a later entry has a smaller x
    page = parse(site / "index.html")
    width = float(page.one("svg", class_="axis-svg")["attrs"]["viewbox"].split()[2])
    for href, x, drawn_width in drawn:  # the mirror image of the English axis: each shape's left edge was its right
        assert (x + drawn_width) == pytest.approx(width - english[href][0], abs=0.02)
        assert drawn_width == english[href][1]
    ticks = [float(e["attrs"]["x"]) for e in page.elements if "tick-label-month" in e["classes"]]
    assert ticks == sorted(ticks, reverse=True)  # May at the right, August to its left
    here = parse(site / "entries" / "final-withdrawal-phase-begins" / "index.html").one("path", class_="locator-here")
    assert float(here["attrs"]["d"][1:].split()[0]) > 900


def test_check_warns_of_a_language_without_a_catalogue(tmp_path, capsys):
    content = copy_content(tmp_path / "content")
    settings = content / "timeline.yaml"
    settings.write_text(settings.read_text(encoding="utf-8").replace("language: en-GB", "language: he"), encoding="utf-8")
    assert run_cli("check", "--content", content) == 0
    err = capsys.readouterr().err
    assert "warning: language: \"he\" has no catalogue of interface strings" in err
    assert "ar, de, en, es, fa-AF, fr, ps, ru, tr, uk, ur, zh-Hans" in err
    assert run_cli("check", "--strict", "--content", content) == 1


def test_a_site_owner_may_correct_a_translation_in_the_templates_folder(tmp_path):
    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES, templates)
    catalogue = templates / catalogue_path("fa_AF")
    text = catalogue.read_text(encoding="utf-8")
    catalogue.write_text(text.replace('msgstr "منابع"', 'msgstr "سرچشمه‌ها"'), encoding="utf-8")
    content = copy_content(tmp_path / "content")
    settings = content / "timeline.yaml"
    settings.write_text(settings.read_text(encoding="utf-8").replace("language: en-GB", "language: fa-AF"),
                        encoding="utf-8")
    assert run_cli("build", "--content", content, "--output", tmp_path / "site", "--templates", templates) == 0
    page = (tmp_path / "site" / "entries" / "zaranj-falls" / "index.html").read_text(encoding="utf-8")
    assert '<h2 id="sources_heading">سرچشمه‌ها</h2>' in page


def test_a_broken_catalogue_stops_check_and_build_with_its_file_and_line(tmp_path, capsys):
    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES, templates)
    catalogue = templates / catalogue_path("fa_AF")
    text = catalogue.read_text(encoding="utf-8")
    catalogue.write_text(text.replace('msgstr "منابع"', 'msgstr "منابع %(count)s"'), encoding="utf-8")
    line = text[:text.index('msgstr "منابع"')].count("\n")
    content = copy_content(tmp_path / "content")
    settings = content / "timeline.yaml"
    settings.write_text(settings.read_text(encoding="utf-8").replace("language: en-GB", "language: fa-AF"),
                        encoding="utf-8")
    for command in (["check"], ["build", "--output", tmp_path / "site"]):
        assert run_cli(*command, "--content", content, "--templates", templates) == 1
        err = capsys.readouterr().err
        assert f"{catalogue}:" in err and 'the translation of "Sources" has placeholders' in err
        assert re.search(rf"{re.escape(str(catalogue))}:(\d+)", err).group(1) in (str(line), str(line + 1))
    assert not (tmp_path / "site").exists()


# --- the quality gates, on right-to-left pages ---------------------------------------------------

def test_right_to_left_pages_are_valid_html5(rtl_site):
    java, jar = shutil.which("java"), vnu_jar()
    require(java is not None, "java is not installed (apt-get install -y default-jre-headless)")
    require(jar is not None, "the Nu HTML Checker is not installed (pip install -e '.[test]')")
    _, site = rtl_site
    run = subprocess.run([java, "-jar", str(jar), "--format", "json", "--stdout", *map(str, pages(site))],
                         capture_output=True, text=True, timeout=600)
    messages = json.loads(run.stdout)["messages"]
    errors = [f"{m['url'].rsplit('/site/', 1)[-1]}:{m.get('lastLine')}: {m['message']}"
              for m in messages if m["type"] == "error" or m.get("subType") == "fatal"]
    assert errors == []


@pytest.mark.parametrize("path", ["index.html", "entries/zaranj-falls/index.html", "tags/index.html",
                                  "places/zaranj/index.html", "404.html"])
def test_right_to_left_pages_have_no_accessibility_violation(rtl_site, browser, path):
    try:
        from axe_playwright_python.sync_playwright import Axe
    except ImportError:
        require(False, "axe-playwright-python is not installed (pip install -e '.[test]')")
    _, site = rtl_site
    tab = browser.new_page(viewport={"width": 1280, "height": 900})
    try:
        tab.goto((site / path).as_uri())
        result = Axe().run(tab)
    finally:
        tab.close()
    violations = [f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']]}"
                  for v in result.response["violations"]]
    assert violations == [], f"{path}: {result.generate_report()}"


@pytest.mark.parametrize("path", ["index.html", "entries/taliban-capture-125-district-centres/index.html",
                                  "tags/provincial-capitals/index.html"])
def test_right_to_left_pages_do_not_scroll_sideways_at_320_pixels(rtl_site, browser, path):
    _, site = rtl_site
    tab = browser.new_page(viewport={"width": 320, "height": 800})
    try:
        tab.goto((site / path).as_uri())
        overflow = tab.evaluate("""() => {
            const page = document.documentElement;
            const wide = [...document.querySelectorAll("body *")].filter(element => {
                const box = element.getBoundingClientRect();
                // The axis and, on phones, the key moments scroll sideways inside their own boxes.
                return !element.closest(".axis-scroll, .key-moments ol") && box.width
                    && (box.left < -1 || box.right > page.clientWidth + 1);
            }).map(element => element.tagName + "." + element.className);
            return {scroll: page.scrollWidth - page.clientWidth, wide: wide.slice(0, 5)};
        }""")
        assert overflow == {"scroll": 0, "wide": []}
        # The axis scrolls inside its own box, and opens at its start: the right, where time begins.
        start = tab.evaluate("""() => { const box = document.querySelector(".axis-scroll");
            return box ? [box.scrollLeft, box.scrollWidth > box.clientWidth] : null; }""")
        assert start is None or start[0] == 0
        # The row of key moments opens at its start too, the right, with the first of them.
        first = tab.evaluate("""() => { const row = document.querySelector(".key-moments ol");
            if (!row) return null; const item = row.querySelector("li").getBoundingClientRect();
            return [row.scrollLeft, Math.round(row.getBoundingClientRect().right - item.right)]; }""")
        assert first is None or (first[0] == 0 and 0 <= first[1] <= 1)
    finally:
        tab.close()


def test_the_filter_says_its_count_in_the_pages_words_and_digits(browser, tmp_path):
    site = build_in(tmp_path, "fa-AF")
    tab = browser.new_page(viewport={"width": 1280, "height": 900})
    try:
        tab.goto((site / "index.html").as_uri())
        tab.fill("#filter_text", "Zaranj")
        status = tab.text_content("#filter_status")
    finally:
        tab.close()
    assert re.fullmatch(r"[۰-۹]+ از ۱۱ رویداد نشان داده شده", status), status
