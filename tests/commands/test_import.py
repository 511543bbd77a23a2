"""`timeline import`: TimelineJS JSON and sheets (current and version 1 headers) and TimelineSetter CSV as
draft entries, every problem placed in the file imported, all or nothing, never over an existing file."""
import html
import json
import re
import shutil
import time
from pathlib import Path

import pytest

from timeline import imports
from timeline.commands.cli import main
from timeline.load import load_content
from timeline.markup import render_markdown

from support import CONTENT

SHEET_HEADER = ("Year,Month,Day,Time,End Year,End Month,End Day,End Time,Display Date,Headline,Text,Media,"
                "Media Credit,Media Caption,Media Thumbnail,Type,Group,Background,Alt Text")

GOOD_SHEET = SHEET_HEADER + """
,,,,,,,,,A test timeline,<p>What the sheet is about.</p>,,,,,title,,,
2019,3,1,,2019,6,30,,,A test era,The era's note.,,,,,era,,,
2019,,,,,,,,,A year alone,"<p>Only the <b>year</b> is known; see <a href=""https://example.org/report"">the report</a>.</p>",,,,,,Politics,,
2019,4,,,,,,,,A month alone,<p>Only the month.</p>,,,,,,Politics,,
2019,4,12,14:30,,,,,Friday afternoon,A day and a time,<p>With a photo.</p>,https://example.org/photo.jpg,Example Agency,A caption,,,Weather,,A street in the rain
2019,5,2,,2019,5,9,,,A week,<p>Spans a week.</p>,,,,,,,,
"""


@pytest.fixture
def project(tmp_path, monkeypatch) -> Path:
    """A working folder with the shipped settings and no entries; commands run from it."""
    (tmp_path / "content" / "entries").mkdir(parents=True)
    shutil.copy(CONTENT / "timeline.yaml", tmp_path / "content" / "timeline.yaml")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(capsys, *args) -> tuple[int, str, str]:
    code = main([str(arg) for arg in args])
    out, err = capsys.readouterr()
    return code, out, err


def write(project: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = project / name
    path.write_bytes(text.encode(encoding))
    return path


def entries(project: Path) -> dict:
    loaded = load_content(project / "content")
    assert not loaded.errors, loaded.errors
    return {entry.id: entry for entry in loaded.entries}


def files(project: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted((project / "content" / "entries").iterdir())}


def error_lines(err: str) -> list[str]:
    return [line for line in err.splitlines() if ": error: " in line]


# ---------------------------------------------------------------- what a sheet gives

def test_a_sheet_imports_as_drafts_at_the_precision_it_gives(project, capsys):
    write(project, "sheet.csv", GOOD_SHEET)
    code, out, err = run(capsys, "import", "sheet.csv")
    assert code == 0, err
    assert out.count("wrote content/entries/") == 4
    assert run(capsys, "check", "--content", "content")[0] == 0
    found = entries(project)
    assert set(found) == {"a-year-alone", "a-month-alone", "a-day-and-a-time", "a-week"}
    assert all(entry.draft for entry in found.values())
    year, month = found["a-year-alone"], found["a-month-alone"]
    assert (year.date.precision, year.date.iso()) == ("year", "2019")
    assert (month.date.precision, month.date.iso()) == ("month", "2019-04")
    day = found["a-day-and-a-time"]
    assert day.date.precision == "minute" and day.date.start.strftime("%Y-%m-%d %H:%M") == "2019-04-12 14:30"
    assert str(day.date.start.tzinfo) == "Asia/Kabul"
    assert day.date_label == "Friday afternoon"
    assert [tag.label for tag in day.tags] == ["Weather"]
    assert (day.media.src, day.media.alt, day.media.caption, day.media.credit) == (
        "https://example.org/photo.jpg", "A street in the rain", "A caption", "Example Agency")
    assert [(source.name, source.url) for source in day.sources] == [("Example Agency", None)]
    assert year.body == "Only the **year** is known; see [the report](https://example.org/report)."
    assert [(source.name, source.url) for source in year.sources] == [("example.org", "https://example.org/report")]
    week = found["a-week"]
    assert (week.date.iso(), week.end_date.iso()) == ("2019-05-02", "2019-05-09")


def test_the_title_slide_and_eras_are_suggested_never_written(project, capsys):
    write(project, "sheet.csv", GOOD_SHEET)
    settings = (project / "content" / "timeline.yaml").read_bytes()
    code, out, _ = run(capsys, "import", "sheet.csv")
    assert code == 0
    assert (project / "content" / "timeline.yaml").read_bytes() == settings
    suggested = out[out.index("content/timeline.yaml was left as it is"):]
    assert "# title: A test timeline" in suggested and "# description: What the sheet is about." in suggested
    assert "  - label: A test era\n    start: 2019-03-01\n    end: 2019-06-30\n    note: The era's note." in suggested
    # The shipped settings have eras: the suggestion is the items to add below them.
    assert "\neras:" not in suggested


def test_the_version_1_headers_are_read(project, capsys):
    write(project, "v1.csv", "Start Date,End Date,Headline,Text,Media,Media Credit,Media Caption,Media Thumbnail,"
                             "Type,Tag\n"
                             "8/6/2019,8/9/2019,Read month first,<p>As TimelineJS reads it.</p>,,,,,,Old sheets\n"
                             "2019-09,,A month in ISO form,,,,,,,\n"
                             "10/2019,,A month and year,,,,,,,\n")
    code, _, err = run(capsys, "import", "v1.csv")
    assert code == 0, err
    found = entries(project)
    first = found["read-month-first"]
    assert (first.date.iso(), first.end_date.iso()) == ("2019-08-06", "2019-08-09")
    assert [tag.label for tag in first.tags] == ["Old sheets"]
    assert found["a-month-in-iso-form"].date.iso() == "2019-09"
    assert found["a-month-and-year"].date.iso() == "2019-10"


def test_a_timelinesetter_sheet_is_read(project, capsys):
    write(project, "setter.csv", "date,display_date,description,link,series,html\n"
                                 '"Aug. 6, 2019",,The river floods the old town.,https://www.example.org/flood,'
                                 'Weather,<h2>The river floods</h2><p>Water in the streets.</p>\n'
                                 "8/7/2019,Oct-19,Schools close for a week. Parents are told on the radio.,,,\n")
    code, _, err = run(capsys, "import", "setter.csv")
    assert code == 0, err
    found = entries(project)
    flood = found["the-river-floods"]
    assert (flood.date.iso(), flood.summary, flood.body) == ("2019-08-06", "The river floods the old town.",
                                                             "Water in the streets.")
    assert [(source.name, source.url) for source in flood.sources] == [("example.org", "https://www.example.org/flood")]
    assert [tag.label for tag in flood.tags] == ["Weather"]
    schools = found["schools-close-for-a-week"]
    assert (schools.title, schools.date.iso(), schools.date_label) == ("Schools close for a week.", "2019-08-07",
                                                                       "Oct-19")
    assert "the title \"Schools close for a week.\" is made from it" in err


def test_a_timelinejs_json_file_is_read(project, capsys):
    data = {"title": {"text": {"headline": "A JSON timeline"}},
            "eras": [{"start_date": {"year": 2019}, "end_date": {"year": 2020}, "text": {"headline": "Two years"}}],
            "events": [{"start_date": {"year": "2019", "month": 7}, "text": {"headline": "July, from JSON",
                                                                              "text": "<p>A <i>month</i>.</p>"},
                        "group": "JSON", "unique_id": "july-event", "display_date": "July 2019"},
                       {"start_date": {"year": 2019, "month": 8, "day": 6, "hour": 9, "minute": 5},
                        "end_date": {"year": 2019, "month": 8, "day": 6, "hour": 11},
                        "text": {"headline": "Morning"}, "media": {"url": "https://example.org/page",
                                                                    "credit": "Example Radio"}}]}
    write(project, "timeline.json", json.dumps(data, indent=2))
    code, out, err = run(capsys, "import", "timeline.json")
    assert code == 0, err
    found = entries(project)
    july = found["july-event"]
    assert (july.date.iso(), july.date_label, july.body) == ("2019-07", None, "A *month*.")
    morning = found["morning"]
    assert morning.date.start.strftime("%H:%M") == "09:05" and morning.end_date.start.strftime("%H:%M") == "11:00"
    assert morning.media is None  # a page, not an image: kept as a source
    assert [(s.name, s.url) for s in morning.sources] == [("Example Radio", "https://example.org/page")]
    assert "media.url: is not an image file" in err
    assert "  - label: Two years\n    start: 2019\n    end: 2020\n" in out


# ---------------------------------------------------------------- problems, placed, and nothing written

BROKEN_SHEET = SHEET_HEADER + ",Notes" + """
2019,13,1,,,,,,,Bad month,,,,,,,,,,
2019,5,2,,2019,5,1,,,Ends before it starts,,,,,,,,,,
2019,5,3,,,,,,,,No headline,,,,,,,,,
2019,5,4,,,,,,,Unsafe,"<p onclick=""steal()"">Hi</p><script>alert(1)</script>",,,,,,,,,
2019,5,5,,,,,,,Fine,<p>This one is fine.</p>,,,,,,,,,a note
2019,2,30,,,,,,,No such day,,,,,,,,,,
0,,,,,,,,,Year zero,,,,,,,,,,
2019,5,6,25:00,,,,,,Bad time,,,,,,,,,,
2019,5,7,,,,,,,Bad link,"<a href=""javascript:alert(1)"">x</a>",,,,,,,,,
"""


def test_broken_rows_are_reported_where_they_are_and_nothing_is_written(project, capsys):
    write(project, "sheet.csv", BROKEN_SHEET)
    code, _, err = run(capsys, "import", "sheet.csv")
    assert code == 1
    assert files(project) == {}
    assert error_lines(err) == [
        "sheet.csv:2:2: error: Month: 13 is not a month; write a number from 1 to 12",
        'sheet.csv:3:5: error: End Year: end_date: "2019-05-01" is before the date "2019-05-02"; an end_date must '
        "not come before date: swap them or fix the typo",
        "sheet.csv:4:10: error: Headline: is empty; an entry needs a headline for its title",
        'sheet.csv:5:11: error: Text: has an event handler (onclick="..."), which is code, not text: remove it',
        "sheet.csv:5:11: error: Text: has <script> markup, which is code, not text: remove it",
        "sheet.csv:7:3: error: Day: 30 is not a day of February 2019, which has 28 days",
        "sheet.csv:8:1: error: Year: 0 is before year 1; years go from 1 to 9999 (there are no years BC)",
        'sheet.csv:9:4: error: Time: "25:00" is not a time of day (00:00 to 23:59)',
        "sheet.csv:10:11: error: Text: has a javascript: link, which the site never follows: remove it",
    ]
    assert "sheet.csv:1:20: warning: Notes: is not a column this format has; it is not imported" in err
    assert err.strip().endswith("9 error(s) in sheet.csv; nothing was written: fix them and import again.")
    assert "Traceback" not in err


def test_json_problems_are_placed_on_their_values(project, capsys):
    write(project, "broken.json", '{"events": [\n  {"start_date": {"year": 2019, "month": 13},\n'
                                  '   "text": {"headline": "Bad month"}},\n'
                                  '  {"start_date": {"year": 2019}, "text": {"headline": ""}},\n'
                                  '  {"start_date": {"year": 10000}, "text": {"headline": "Far"}, "colour": "red"}\n]}')
    code, _, err = run(capsys, "import", "broken.json")
    assert code == 1
    assert error_lines(err) == [
        "broken.json:2:42: error: events[0].start_date.month: 13 is not a month; write a number from 1 to 12",
        "broken.json:4:3: error: events[1].text.headline: is empty; an entry needs a headline for its title",
        "broken.json:5:27: error: events[2].start_date.year: 10000 is after year 9999; years go from 1 to 9999 "
        "(there are no years BC)",
    ]
    assert "broken.json:5:74: warning: events[2].colour: is not a TimelineJS slide field" in err


def test_what_check_refuses_is_placed_on_the_cell_it_came_from(project, capsys):
    """The files are validated as `check` validates them before anything is written."""
    long_title = "A headline far longer than any title may be " * 3
    write(project, "sheet.csv", SHEET_HEADER + f"\n2019,5,1,,,,,,,{long_title},,http://example.org/a.jpg,,,,,,,Alt\n"
                                               "2019,5,2,,,,,,,Human rights,,,,,,,Human rights,,\n"
                                               "2019,5,3,,,,,,,Human Rights,,,,,,,Human Rights,,\n")
    code, _, err = run(capsys, "import", "sheet.csv")
    assert code == 1
    lines = error_lines(err)
    assert lines[0].startswith("sheet.csv:2:10: error: Headline: title: is 131 characters long")
    assert lines[1].startswith('sheet.csv:2:12: error: Media: media.src: "http://example.org/a.jpg" is not an https URL')
    assert lines[2].startswith('sheet.csv:4:17: error: Group: "Human Rights" and "Human rights"')
    assert files(project) == {}


# ---------------------------------------------------------------- ids, re-import, existing files

def test_ids_are_stable_and_existing_files_are_never_replaced(project, capsys):
    write(project, "sheet.csv", GOOD_SHEET + "2019,5,10,,,,,,,A week,<p>Another event with the same headline.</p>,,,,,,,,\n")
    assert run(capsys, "import", "sheet.csv")[0] == 0
    first = files(project)
    assert {"a-week.yaml", "a-week-2.yaml"} <= set(first)
    edited = project / "content" / "entries" / "a-week.yaml"
    edited.write_text(edited.read_text(encoding="utf-8").replace("title: A week", "title: A week, edited"),
                      encoding="utf-8")
    code, out, err = run(capsys, "import", "sheet.csv")
    assert code == 0
    assert "wrote" not in out and "imported 0 of 5 event(s)" in out
    assert "skipped content/entries/a-week.yaml (row 7): it exists, with other text" in err
    assert "skipped content/entries/a-year-alone.yaml (row 4): it exists, with the same text" in err
    again = files(project)
    assert again["a-week.yaml"] == edited.read_bytes() != first["a-week.yaml"]
    assert {name: data for name, data in again.items() if name != "a-week.yaml"} == \
           {name: data for name, data in first.items() if name != "a-week.yaml"}


def test_an_id_prefix_goes_before_every_id(project, capsys):
    write(project, "sheet.csv", GOOD_SHEET)
    assert run(capsys, "import", "sheet.csv", "--id-prefix", "weather")[0] == 0
    assert set(files(project)) == {"weather-a-year-alone.yaml", "weather-a-month-alone.yaml",
                                   "weather-a-day-and-a-time.yaml", "weather-a-week.yaml"}
    code, _, err = run(capsys, "import", "sheet.csv", "--id-prefix", "Bad Prefix")
    assert code == 2 and "is not an id prefix" in err


def test_a_dry_run_writes_nothing(project, capsys):
    write(project, "sheet.csv", GOOD_SHEET)
    code, out, _ = run(capsys, "import", "sheet.csv", "--dry-run")
    assert code == 0 and "would write content/entries/a-week.yaml" in out
    assert files(project) == {}


def test_an_id_taken_by_another_entrys_alias_is_refused(project, capsys):
    (project / "content" / "entries" / "older.yaml").write_text(
        "title: Older\ndate: 2019-01-01\naliases: [a-week]\nsources:\n  - name: Someone\n    via: Somewhere\n",
        encoding="utf-8")
    write(project, "sheet.csv", GOOD_SHEET)
    code, _, err = run(capsys, "import", "sheet.csv")
    assert code == 1
    assert ('sheet.csv:7:1: error: the id "a-week" made for this row is an alias of content/entries/older.yaml '
            "already") in err
    assert set(files(project)) == {"older.yaml"}


# ---------------------------------------------------------------- the site's own export, imported back

def _visible(body: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", render_markdown(body))).split())


def test_the_sites_own_timeline_json_imports_back_as_its_entries(default_site, project, capsys):
    code, _, err = run(capsys, "import", default_site.output / "timeline.json")
    assert code == 0, err
    assert run(capsys, "check", "--content", "content")[0] == 0
    imported = entries(project)
    shipped = {entry.id: entry for entry in load_content(default_site.content).entries if not entry.draft}
    assert set(imported) == set(shipped)
    for entry_id, entry in shipped.items():
        back = imported[entry_id]
        assert back.title == entry.title
        for mine, theirs in ((back.date, entry.date), (back.end_date, entry.end_date)):
            assert (mine.iso(), mine.precision) == (theirs.iso(), theirs.precision) if theirs else mine is None
        assert (back.date_label, back.circa, back.summary) == (entry.date_label, entry.circa, entry.summary)
        assert _visible(back.body) == _visible(entry.body)
        assert [tag.label for tag in back.tags] == [tag.label for tag in entry.tags]
        assert back.place == entry.place
        assert [(s.name, s.url, s.title, s.date and s.date.iso(), s.via, s.quote) for s in back.sources] == \
               [(s.name, s.url, s.title, s.date and s.date.iso(), s.via, s.quote) for s in entry.sources]


RICHER = {
    "with-everything": """title: "A title with <markup> & an ampersand"
date: 2019-06
end_date: 2019-08
circa: true
summary: A summary; with a semicolon.
body: |
  A body with *emphasis*, a [link](https://example.org/link) and a list:

  - one
  - two
tags: [Weather, Floods]
place: {name: Sydney, region: New South Wales, country: Australia, lat: -33.86, lon: 151.2}
sources:
  - name: Example Radio
    url: https://example.org/radio
    title: The report
    date: 2019-08-02 09:15
media: {src: photo.jpg, alt: A flooded street, caption: The street, credit: Example Photo}
""",
    "a-time": """title: At a time
date: 2019-06-03 14:30
summary: At half past two in the afternoon.
sources: [{name: Someone, via: Example Radio}]
""",
}


JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"


def test_a_richer_export_imports_back(project, capsys, tmp_path):
    content = tmp_path / "built" / "content"
    (content / "entries").mkdir(parents=True)
    shutil.copy(CONTENT / "timeline.yaml", content / "timeline.yaml")
    for entry_id, text in RICHER.items():
        (content / "entries" / f"{entry_id}.yaml").write_text(text, encoding="utf-8")
    for folder in (content, project / "content"):  # a local image comes back as itself where the same file is
        (folder / "media").mkdir(exist_ok=True)
        (folder / "media" / "photo.jpg").write_bytes(JPEG)
    assert run(capsys, "build", "--content", content, "--output", tmp_path / "built" / "site", "--no-cache")[0] == 0
    assert run(capsys, "import", tmp_path / "built" / "site" / "timeline.json")[0] == 0
    imported, original = entries(project), {entry.id: entry for entry in load_content(content).entries}
    for entry_id, entry in original.items():
        back = imported[entry_id]
        assert (back.title, back.date, back.end_date, back.circa, back.summary, back.place, back.media) == \
               (entry.title, entry.date, entry.end_date, entry.circa, entry.summary, entry.place, entry.media)
        assert [tag.label for tag in back.tags] == [tag.label for tag in entry.tags]
        assert [(s.name, s.url, s.title, s.date and s.date.iso()) for s in back.sources] == \
               [(s.name, s.url, s.title, s.date and s.date.iso()) for s in entry.sources]
        assert _visible(back.body) == _visible(entry.body)


# ---------------------------------------------------------------- hostile files

@pytest.mark.parametrize("data, message", [
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "is not a text file (it holds NUL bytes)"),
    ("Year,Headline\n2019,Caf\xe9\n".encode("latin-1"), "2:9: error: is not UTF-8 (byte 0xE9"),
    ("Year,Headline\n2019,Café\n".encode("utf-16"), "is UTF-16 text"),
    (b"[" * 100_000 + b"]" * 100_000, "is nested too deeply to be a timeline"),
    (b'{"events": [{"start_date": {"year": 2019}, }]}', "1:44: error: is not valid JSON: Expecting property name"),
    (b'{"events": [{"start_date": {"year": NaN}}]}', "is not valid JSON: NaN is not a number JSON allows"),
    (b"Name;Date\nx;y\n", "has its cells separated by semicolons or tabs"),
    (b"", "has no header row"),
])
def test_hostile_files_get_a_clear_error_and_nothing_is_written(project, capsys, data, message):
    (project / "file.csv").write_bytes(data)
    code, _, err = run(capsys, "import", "file.csv")
    assert code == 1
    assert message in err and "Traceback" not in err
    assert files(project) == {}


def test_a_cell_of_deeply_nested_markup_is_refused_in_time_in_proportion(project, capsys):
    # A cell may hold up to a million characters: 330,000 nested tags. Each tag was looked at once per
    # tag below it, which took minutes for a file of a few hundred kilobytes.
    def seconds(depth: int) -> float:
        text = {"events": [{"start_date": {"year": 2019}, "text": {"headline": "Deep", "text": "<b>" * depth}}]}
        path = write(project, f"deep{depth}.json", json.dumps(text))
        started = time.perf_counter()
        code, _, err = run(capsys, "import", path)
        assert code == 1 and "is nested too deeply to be read as text" in err and "Traceback" not in err
        return time.perf_counter() - started

    seconds(1_500)  # the libraries loaded
    small, large = seconds(1_500), seconds(12_000)
    assert large < 16 * max(small, 0.05)  # 8 times as deep: linear, with room for a busy machine
    assert files(project) == {}


def test_a_byte_order_mark_is_no_problem(project, capsys):
    write(project, "sheet.csv", "\ufeff" + GOOD_SHEET)
    assert run(capsys, "import", "sheet.csv")[0] == 0
    assert "a-week.yaml" in files(project)


def test_a_file_past_the_size_limit_is_refused_unread(project, capsys, monkeypatch):
    monkeypatch.setattr(imports, "MAX_IMPORT_BYTES", 100)
    write(project, "sheet.csv", GOOD_SHEET)
    code, _, err = run(capsys, "import", "sheet.csv")
    assert code == 1 and "a file here may hold at most 100" in err
    assert files(project) == {}


def test_a_missing_file_is_an_error_without_a_traceback(project, capsys):
    code, _, err = run(capsys, "import", "nowhere.csv")
    assert code == 1 and "cannot read the file" in err and "Traceback" not in err


def test_thousands_of_rows_take_time_in_proportion(project):
    def sheet(rows: int) -> Path:
        lines = [SHEET_HEADER] + [f"{2000 + i % 20},{i % 12 + 1},{i % 28 + 1},,,,,,,Event {i},"
                                  f"<p>Body {i} <a href='https://example.org/{i}'>link</a></p>,,,,,,Group {i % 5},,"
                                  for i in range(rows)]
        return write(project, f"rows{rows}.csv", "\n".join(lines) + "\n")

    def seconds(path: Path) -> float:
        started = time.perf_counter()
        plan = imports.plan_import(path, project / "content")
        assert not plan.errors and len(plan.entries) == int(path.stem[4:])
        return time.perf_counter() - started

    small, large = sheet(500), sheet(4000)
    seconds(small)  # the libraries loaded
    assert seconds(large) < 16 * seconds(small)  # 8 times the rows: linear, with room for a busy machine


def test_an_image_needs_alt_text_or_at_least_a_caption(project, capsys):
    write(project, "sheet.csv", SHEET_HEADER + "\n2019,5,1,,,,,,,No alt,,https://example.org/a.png,,,,,,,\n"
                                               "2019,5,2,,,,,,,A caption,,https://example.org/b.png,,The caption,,,,,\n")
    code, _, err = run(capsys, "import", "sheet.csv")
    assert code == 1
    assert error_lines(err) == ["sheet.csv:2:12: error: Media: has no Alt Text; say what the image shows, for "
                                "readers who cannot see it"]
    assert "sheet.csv:3:12: warning: Media: has no Alt Text; its caption is used" in err
