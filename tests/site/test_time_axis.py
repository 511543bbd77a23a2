"""The time axis, key moments, status, eras and gap markers as the built pages draw them.

The SVG of each page is parsed, and what docs/format.md ("The time axis") promises is measured on it:
one mark per entry, named with its title and its date as the page writes it, linking to it; positions
and lengths in proportion to the dates (one rate of units per day, a range as long as its range plus a
break's fixed width for each break it crosses, a month across its month, a time a point); a long empty
stretch cut out and labelled with its length in days, and said so in the list; eras as bands in rows;
the key moments; scheduled and ongoing events; the locator of each entry page.
"""
from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from xml.etree import ElementTree

import pytest

from support import Page, cold_build
from timeline.axis import BREAK_WIDTH, MARGIN, WIDTH

BASE_URL = "https://axis.example.org/t/"
SETTINGS = f"""\
title: "Axis test timeline"
base_url: "{BASE_URL}"
timezone: Asia/Kabul
language: en-GB
as_of: 2021-07-16
eras:
  - label: Early spring
    start: 2021-03-01
    end: 2021-03-20
    note: The first weeks.
  - label: The long season
    start: 2021-03-15
    end: 2021-07-15
"""
# id: (fields). Dates chosen so that 1 April to 30 June holds no entry (the month entry covers March): 91 days, cut out.
ENTRIES = {
    "first-day": "date: 2021-03-01\nkey: true",
    "a-time": "date: 2021-03-03 14:30",
    "the-month": "date: 2021-03",
    "long-range": "date: 2021-03-10\nend_date: 2021-07-02",
    "labelled": "date: 2021-03-12\ndate_label: The week to 12 March",
    "about-then": "date: 2021-03-20\ncirca: true",
    "july-first": "date: 2021-07-01",
    "still-going": "date: 2021-07-05\nstatus: ongoing",
    "due-later": "date: 2021-07-15\nstatus: scheduled\nkey: true",
}
TITLES = {entry_id: f"Event {entry_id.replace('-', ' ')} & <more>" for entry_id in ENTRIES}
SVG = "{http://www.w3.org/2000/svg}"


def write_content(folder: Path, entries: dict[str, str] = ENTRIES, settings: str = SETTINGS,
                  titles: dict[str, str] | None = None) -> Path:
    titles = titles or {entry_id: f"Event {entry_id.replace('-', ' ')}" for entry_id in entries}
    (folder / "entries").mkdir(parents=True)
    (folder / "timeline.yaml").write_text(settings, encoding="utf-8")
    for entry_id, fields in entries.items():
        (folder / "entries" / f"{entry_id}.yaml").write_text(
            f'title: "{titles[entry_id]}"\n{fields}\nsummary: What happened.\n'
            "sources:\n  - name: Wire\n    url: https://wire.example.org/\n", encoding="utf-8")
    return folder


def build_site(root: Path, **content) -> Path:
    folder = write_content(root / "content", **content)
    result = cold_build(folder, root / "site")
    assert result.ok, [str(p) for p in result.problems]
    return root / "site"


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    return build_site(tmp_path_factory.mktemp("axis"), titles=TITLES)


# ---------------------------------------------------------------- reading what was drawn

def svg_of(html: str, css_class: str = "axis-svg") -> ElementTree.Element:
    """The page's SVG of that class, parsed as the XML it is (HTML gives it the SVG namespace)."""
    match = re.search(rf'<svg class="{css_class}".*?</svg>', html, re.S)
    assert match, f"no <svg class={css_class}>"
    text = match.group(0).replace("<svg ", f'<svg xmlns="{SVG[1:-1]}" ', 1)
    return ElementTree.fromstring(text)


def classes(element) -> set[str]:
    return set((element.get("class") or "").split())


def of_class(root, tag: str, css_class: str) -> list:
    return [element for element in root.iter(f"{SVG}{tag}") if css_class in classes(element)]


def marks(svg) -> dict[str, ElementTree.Element]:
    """Each mark by the id it links to (a second mark for one id fails)."""
    found = {}
    for mark in of_class(svg, "a", "mark"):
        href = mark.get("href")
        assert href.startswith("#"), href
        assert href[1:] not in found, f"two marks link to {href}"
        found[href[1:]] = mark
    return found


def extent(mark) -> tuple[float, float]:
    """Where a mark's shape begins and ends along the axis (a point: where it is)."""
    (shape,) = [child for child in mark if child.tag != f"{SVG}title"]
    if shape.tag == f"{SVG}circle":
        x = float(shape.get("cx"))
        return x, x
    x = float(shape.get("x"))
    return x, x + float(shape.get("width"))


def month_ticks(svg) -> dict[str, float]:
    """The month ticks' positions, by their label."""
    return {label.text: float(label.get("x")) - 2 for label in of_class(svg, "text", "tick-label-month")}


def when_texts(page: Page) -> dict[str, str]:
    """Each listed entry's date as the list writes it, by id: without its duration in days, nor the date
    in the settings' other calendars (which the text version gives, and a mark's short name leaves out)."""
    texts, current = {}, None
    for index, element in enumerate(page.elements):
        if element["tag"] == "article":
            current = element["attrs"]["id"]
        elif element["tag"] == "p" and "when" in element["classes"] and current and current not in texts:
            text = element["text"]
            for inner in page.elements[index + 1:]:
                if inner["tag"] not in ("time", "span"):
                    break  # past the date, at the headline
                if "other-calendar" in inner["classes"]:
                    text = text.replace(inner["text"], "", 1)
            texts[current] = " ".join(re.sub(r"\(\d+ days\)", "", text).split())
    return texts


def label_text(element) -> str:
    return " ".join(" ".join(element.itertext()).split())


def read(site: Path, path: str) -> str:
    return (site / path).read_text(encoding="utf-8")


def unit_per_day(svg) -> float:
    """The axis's units per day, from a mark drawn to the day (its width is written to 0.01)."""
    (mark,) = [mark for mark in of_class(svg, "a", "mark") if "mark-day" in classes(mark)][:1]
    start, end = extent(mark)
    return end - start


def near(days: float) -> float:
    """How far a length of `days` days may be from days * unit_per_day: the coordinates are written to 0.01."""
    return 0.02 + 0.005 * days


def assert_marks_name_and_link_every_entry(html: str) -> None:
    page = Page(html)
    listed = [a["attrs"]["id"] for a in page.all("article")]
    svg = svg_of(html)
    drawn = marks(svg)
    assert sorted(drawn) == sorted(listed)
    whens = when_texts(page)
    titles = {a["attrs"]["id"]: " ".join(next(h for h in page.elements if h["attrs"].get("id") == f"{a['attrs']['id']}_title")["text"].split())
              for a in page.all("article")}
    for entry_id, mark in drawn.items():
        label = mark.get("aria-label")
        (title,) = [child.text for child in mark if child.tag == f"{SVG}title"]
        assert label == title
        assert label.startswith(titles[entry_id] + " — "), (label, titles[entry_id])
        assert whens[entry_id] in label, (label, whens[entry_id])
    ids = page.ids()
    for element in page.elements:
        href = element["attrs"].get("href") or ""
        if href.startswith("#"):
            assert href[1:] in ids, f"{href} leads nowhere on the page"
    for mark in drawn.values():
        assert mark.get("href")[1:] in ids


# ---------------------------------------------------------------- marks

def test_every_entry_has_one_mark_named_with_its_title_and_its_date_as_the_page_writes_it(site):
    assert_marks_name_and_link_every_entry(read(site, "index.html"))


def test_the_shipped_timelines_pages_each_have_one_mark_per_entry_linking_to_it(default_site):
    pages = ["index.html", *(p.relative_to(default_site.output).as_posix()
                             for folder in ("tags", "places") for p in sorted((default_site.output / folder).glob("*/index.html")))]
    assert len(pages) > 5
    for path in pages:
        assert_marks_name_and_link_every_entry(read(default_site.output, path))


def test_positions_and_lengths_are_in_proportion_to_the_dates(site):
    svg = svg_of(read(site, "index.html"))
    drawn = marks(svg)
    rate = unit_per_day(svg)
    start = {entry_id: extent(mark)[0] for entry_id, mark in drawn.items()}
    # One rate within each stretch: from pairs of marks days apart, before the break and after it.
    for first, second, days in (("first-day", "labelled", 11), ("first-day", "about-then", 19),
                                ("long-range", "labelled", 2), ("july-first", "still-going", 4),
                                ("july-first", "due-later", 14)):
        assert start[second] - start[first] == pytest.approx(days * rate, abs=near(days)), (first, second)
    ticks = month_ticks(svg)
    assert ticks["March 2021"] == pytest.approx(start["first-day"]) == pytest.approx(MARGIN)
    assert ticks["July 2021"] == pytest.approx(start["july-first"])
    a_time, the_month = extent(drawn["a-time"]), extent(drawn["the-month"])
    assert a_time[0] == a_time[1]  # a time: a point
    assert a_time[0] == pytest.approx(start["first-day"] + (2 + 14.5 / 24) * rate, abs=0.02)
    # A month: the whole of March, up to the break, which begins on 1 April.
    (cut,) = of_class(svg, "rect", "break-cover")
    cut_x0, cut_width = float(cut.get("x")), float(cut.get("width"))
    assert cut_width == BREAK_WIDTH
    assert the_month == (pytest.approx(start["first-day"], abs=0.01), pytest.approx(MARGIN + 31 * rate, abs=near(31)))
    assert the_month[1] == pytest.approx(cut_x0, abs=0.02)
    # A range: 10 March to the end of 2 July, less the 91 days cut out, plus the break's width.
    first, last = extent(drawn["long-range"])
    days = (date(2021, 7, 3) - date(2021, 3, 10)).days - 91
    assert last - first == pytest.approx(days * rate + BREAK_WIDTH, abs=near(days))
    # Ongoing: to the end of the axis; scheduled: its day, the last of the axis.
    assert extent(drawn["still-going"])[1] == pytest.approx(WIDTH - MARGIN, abs=0.01)
    due = extent(drawn["due-later"])
    assert due[1] == pytest.approx(WIDTH - MARGIN, abs=0.01) and due[1] - due[0] == pytest.approx(rate, abs=0.02)
    # Everything shown, at one rate, fills the axis: 1 March to the end of 15 July less the break.
    shown = (date(2021, 7, 16) - date(2021, 3, 1)).days - 91
    assert shown * rate + BREAK_WIDTH == pytest.approx(WIDTH - 2 * MARGIN, abs=near(shown))


def test_a_long_empty_stretch_is_cut_out_and_labelled_with_its_days_and_the_list_says_so(site):
    html = read(site, "index.html")
    svg = svg_of(html)
    (label,) = of_class(svg, "text", "break-label")
    assert label_text(label) == "91 days"
    page = Page(html)
    (marker,) = [e for e in page.elements if "gap-marker" in e["classes"]]
    assert " ".join(marker["text"].split()) == (
        f"No entries for 91 days, 1 April 2021 to 30 June 2021; “{TITLES['long-range']}” runs through it.")
    assert "91 days without entries" in " ".join(page.one("figcaption", id="axis_caption")["text"].split())


def test_no_break_where_no_gap_is_long_enough(tmp_path):
    entries = {f"day-{n}": f"date: 2021-03-{n:02d}" for n in (1, 8, 20, 28)}
    entries["april"] = "date: 2021-04-28"  # 30 empty days after 28 March: not more than 30
    site = build_site(tmp_path, entries=entries, settings=SETTINGS.split("eras:")[0])
    html = read(site, "index.html")
    svg = svg_of(html)
    assert of_class(svg, "g", "axis-break") == []
    assert "gap-marker" not in html
    rate = unit_per_day(svg)
    assert rate == pytest.approx((WIDTH - 2 * MARGIN) / 59, abs=0.01)  # 1 March to the end of 28 April
    start = {entry_id: extent(mark)[0] for entry_id, mark in marks(svg).items()}
    assert start["april"] - start["day-1"] == pytest.approx(58 * rate, abs=near(58))


def test_a_timeline_of_times_of_day_weeks_apart_builds_with_its_break(tmp_path):
    entries = {"morning": "date: 2021-05-01 09:00", "evening": "date: 2021-08-07 18:00"}
    site = build_site(tmp_path, entries=entries, settings=SETTINGS.split("eras:")[0])
    html = read(site, "index.html")
    (label,) = of_class(svg_of(html), "text", "break-label")
    # 2 May to 6 August: no entry on any of those 97 days.
    assert label_text(label) == "97 days"
    marker = " ".join(next(e for e in Page(html).elements if "gap-marker" in e["classes"])["text"].split())
    assert marker == "No entries for 97 days, 2 May 2021 to 6 August 2021."


def test_the_text_version_lists_every_era_and_entry_with_its_date(site):
    html = read(site, "index.html")
    page = Page(html)
    whens = when_texts(page)
    (details,) = [e for e in page.elements if e["tag"] == "details" and "axis-text" in e["classes"]]
    start = page.elements.index(details)
    items = [e for e in page.elements[start:] if e["tag"] == "li"][:len(ENTRIES) + 2]
    eras = [" ".join(e["text"].split()) for e in items if "axis-text-era" in e["classes"]]
    assert eras == ["Period: Early spring, 1 March 2021 to 20 March 2021",
                    "Period: The long season, 15 March 2021 to 15 July 2021"]
    listed = [e for e in page.elements[start:] if e["tag"] == "a" and (e["attrs"].get("href") or "").startswith("#")]
    listed = listed[:len(ENTRIES)]
    assert [a["attrs"]["href"][1:] for a in listed] == [a["attrs"]["id"] for a in page.all("article")]
    for link in listed:
        entry_id = link["attrs"]["href"][1:]
        assert " ".join(link["text"].split()).startswith(whens[entry_id])
        assert " ".join(link["text"].split()).endswith(TITLES[entry_id])


def test_the_caption_gives_the_span_of_the_entries_as_dates(tmp_path):
    entries = {"labelled": "date: 2021-03-12\ndate_label: The week to 12 March",
               "ranged": "date: 2021-03-01\nend_date: 2021-03-31"}
    site = build_site(tmp_path, entries=entries, settings=SETTINGS.split("eras:")[0])
    caption = " ".join(Page(read(site, "index.html")).one("figcaption", id="axis_caption")["text"].split())
    assert caption == "2 entries, 1 March 2021 to 31 March 2021, drawn to scale."


# ---------------------------------------------------------------- eras

def test_eras_are_a_band_and_a_bar_each_with_its_label_overlapping_ones_in_rows(site):
    svg = svg_of(read(site, "index.html"))
    groups = of_class(svg, "g", "axis-era")
    assert [of_class(g, "text", "era-label")[0].text for g in groups] == ["Early spring", "The long season"]
    bars = [of_class(g, "rect", "era-bar")[0] for g in groups]
    bands = [of_class(g, "rect", "era-band")[0] for g in groups]
    assert len(bands) == 2
    assert bars[0].get("y") != bars[1].get("y")  # they overlap from 15 to 20 March: two rows
    rate = unit_per_day(svg)
    assert float(bars[0].get("width")) == pytest.approx(20 * rate, abs=near(20))
    assert float(bars[0].get("x")) == pytest.approx(MARGIN)
    # Every mark below the bars.
    lowest = max(float(bar.get("y")) + float(bar.get("height")) for bar in bars)
    for mark in marks(svg).values():
        (shape,) = [child for child in mark if child.tag != f"{SVG}title"]
        assert float(shape.get("y") or shape.get("cy")) >= lowest


def test_era_markers_in_the_list_begin_once_and_end_once(site):
    page = Page(read(site, "index.html"))
    markers = [" ".join(e["text"].split()) for e in page.elements if "era-marker" in e["classes"]]
    assert markers == [
        "Period begins: Early spring, 1 March 2021 to 20 March 2021. The first weeks.",
        "Period begins: The long season, 15 March 2021 to 15 July 2021",
        "Period ends: Early spring, 20 March 2021",
        "Period ends: The long season, 15 July 2021",
    ]


def test_an_era_that_begins_between_two_months_is_marked_once(tmp_path):
    settings = SETTINGS.split("eras:")[0] + "eras:\n  - label: Late\n    start: 2021-03-28\n    end: 2021-04-20\n"
    entries = {"one": "date: 2021-03-05", "two": "date: 2021-03-25", "three": "date: 2021-04-10"}
    page = Page(read(build_site(tmp_path, entries=entries, settings=settings), "index.html"))
    markers = [" ".join(e["text"].split()) for e in page.elements if "era-marker" in e["classes"]]
    assert markers == ["Period begins: Late, 28 March 2021 to 20 April 2021", "Period ends: Late, 20 April 2021"]


# ---------------------------------------------------------------- key moments, status, circa

def test_key_moments_list_exactly_the_key_entries_in_date_order(site):
    html = read(site, "index.html")
    page = Page(html)
    section = page.one("section", **{"aria-labelledby": "key_moments_heading"})
    start = page.elements.index(section)
    end = page.elements.index(page.one("div", id="filters"))
    links = [e for e in page.elements[start:end] if e["tag"] == "a"]
    assert [a["attrs"]["href"] for a in links] == ["#first-day", "#due-later"]
    assert [" ".join(a["text"].split()) for a in links] == [f"1 March 2021 {TITLES['first-day']}",
                                                            f"15 July 2021 (scheduled) {TITLES['due-later']}"]
    drawn = marks(svg_of(html))
    assert {entry_id for entry_id, mark in drawn.items() if "is-key" in classes(mark)} == {"first-day", "due-later"}


def test_scheduled_and_ongoing_are_said_in_words_and_drawn_hollow(site):
    html = read(site, "index.html")
    page = Page(html)
    drawn = marks(svg_of(html))
    assert "is-scheduled" in classes(drawn["due-later"]) and "is-ongoing" in classes(drawn["still-going"])
    assert "mark-open" in classes(drawn["still-going"])
    assert "is-circa" in classes(drawn["about-then"])
    assert "mark-span" in classes(drawn["the-month"]) and "mark-point" in classes(drawn["a-time"])
    assert drawn["due-later"].get("aria-label").endswith("15 July 2021 (scheduled)")
    listed = {}
    current = None
    for element in page.elements:
        if element["tag"] == "article":
            current = element["attrs"]["id"]
        elif current and "badge" in element["classes"]:
            listed.setdefault(current, []).append(element["text"])
    assert listed["due-later"] == ["Scheduled", "Key moment"] and listed["still-going"] == ["Ongoing"]
    assert not any(word in listed.get(entry_id, []) for entry_id in ENTRIES if entry_id not in ("due-later", "still-going")
                   for word in ("Scheduled", "Ongoing"))
    for entry_id, word in (("due-later", "Scheduled"), ("still-going", "Ongoing")):
        entry = Page(read(site, f"entries/{entry_id}/index.html"))
        assert [e["text"] for e in entry.elements if "badge" in e["classes"]][0] == word
    data = Page(read(site, "entries/due-later/index.html")).json_ld()
    assert data["about"]["eventStatus"] == "https://schema.org/EventScheduled"
    assert "eventStatus" not in Page(read(site, "entries/july-first/index.html")).json_ld()["about"]


# ---------------------------------------------------------------- the entry page's locator

def locator_of(html: str) -> tuple[float, list[tuple[float, float, float, bool]], str]:
    svg = svg_of(html, "locator-svg")
    (here,) = of_class(svg, "path", "locator-here")
    x = float(re.match(r"M([\d.]+) ", here.get("d")).group(1))
    bins = [(float(r.get("x")), float(r.get("width")), float(r.get("height")), "is-here" in classes(r))
            for r in of_class(svg, "rect", "locator-bin")]
    caption = " ".join(Page(html).elements[[e["tag"] for e in Page(html).elements].index("figcaption")]["text"].split())
    return x, bins, caption


def test_each_entry_page_marks_the_entry_once_on_bins_that_count_every_entry(site):
    heres, bins_seen = {}, None
    for entry_id in ENTRIES:
        x, bins, caption = locator_of(read(site, f"entries/{entry_id}/index.html"))
        heres[entry_id] = x
        bins_seen = bins_seen or bins
        assert [b[:3] for b in bins] == [b[:3] for b in bins_seen]  # the same timeline in brief on every page
        holding = [b for b in bins if b[3]]
        assert len(holding) == 1, entry_id
        assert holding[0][0] <= x < holding[0][0] + holding[0][1] + 1.5 + 0.01, entry_id
        assert caption.endswith(f"which runs from March 2021 to 15 July 2021 ({len(ENTRIES)} entries).")  # the month first
    # The bins' heights are in proportion to the entries whose marks fall in them.
    counts = []
    for x0, width, height, _ in bins_seen:
        counts.append(sum(1 for x in heres.values() if x0 <= x < x0 + width + 1.5))
    assert sum(counts) == len(ENTRIES)
    most = max(counts)
    for (x0, width, height, _), count in zip(bins_seen, counts):
        assert height == pytest.approx(38 * count / most, abs=0.01)
    assert heres["first-day"] < heres["a-time"] < heres["july-first"] < heres["due-later"]
    # At one rate on each side of the break: 19 days in March, 14 in July.
    march, july = heres["about-then"] - heres["first-day"], heres["due-later"] - heres["july-first"]
    assert march / 19 == pytest.approx(july / 14, rel=0.01)
    assert heres["a-time"] - heres["first-day"] == pytest.approx(march / 19 * (2 + 14.5 / 24), abs=0.05)


def test_the_last_entry_at_a_time_of_day_is_marked_on_its_bin(tmp_path):
    entries = {"first": "date: 2021-03-01", "last": "date: 2021-03-09 18:00"}
    site = build_site(tmp_path, entries=entries, settings=SETTINGS.split("eras:")[0])
    for entry_id in entries:
        _, bins, _ = locator_of(read(site, f"entries/{entry_id}/index.html"))
        assert [b[3] for b in bins].count(True) == 1, entry_id


# ---------------------------------------------------------------- a split timeline

def test_the_marks_of_period_pages_link_to_entries_on_the_same_page(tmp_path):
    entries = {f"y2020-{n}": f"date: 2020-0{n}-10" for n in range(1, 8)}
    entries.update({f"y2021-{n}": f"date: 2021-0{n}-10" for n in range(1, 7)})
    settings = SETTINGS.split("eras:")[0] + "entries_per_page: 10\n"
    site = build_site(tmp_path, entries=entries, settings=settings)
    for year, count in (("2020", 7), ("2021", 6)):
        html = read(site, f"periods/{year}/index.html")
        assert_marks_name_and_link_every_entry(html)
        assert len(marks(svg_of(html))) == count
    locator_link = Page(read(site, "entries/y2021-3/index.html")).all("a")
    assert any(a["attrs"].get("href") == "../../periods/2021/index.html#y2021-3" for a in locator_link)


def test_a_break_within_a_years_entries_is_said_in_the_list_where_it_falls(tmp_path):
    """Past 24 months the list is headed by year: a stretch the axis cuts out within a year is said
    between that year's entries, as one between two years is said between them."""
    entries = {f"m{year}-{month:02d}": f"date: {year}-{month:02d}-15" for year in (2019, 2020, 2021)
               for month in range(1, 13) if not (year == 2020 and 3 <= month <= 8)}
    site = build_site(tmp_path, entries=entries, settings=SETTINGS.split("eras:")[0])
    html = read(site, "index.html")
    (label,) = of_class(svg_of(html), "text", "break-label")
    assert label_text(label) == "212 days"
    page = Page(html)
    order = [(e["tag"], e["attrs"].get("id") or " ".join(e["text"].split())) for e in page.elements
             if e["tag"] == "article" or "gap-marker" in e["classes"]]
    at = order.index(("p", "No entries for 212 days, 16 February 2020 to 14 September 2020."))
    assert order[at - 1] == ("article", "m2020-02") and order[at + 1] == ("article", "m2020-09")
    assert [a["attrs"]["id"] for a in page.all("article")] == sorted(entries)
