"""Every way an editor can get an entry or the settings wrong, and the exact line they are told.

Each test writes a small content folder, loads it and compares the error
lines in full: file, line, column, field and message.
"""
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from support import SETTINGS, VALID
from timeline.load import load_content
from timeline.fields import ENTRY_FIELDS
from timeline.validate import Report, _url
from timeline.yamlfile import Scalar, _plain_kind



def write_content(root: Path, entries: dict, settings: str | None = SETTINGS) -> Path:
    content = root / "content"
    (content / "entries").mkdir(parents=True)
    if settings is not None:
        (content / "timeline.yaml").write_text(settings, encoding="utf-8")
    for name, text in entries.items():
        data = text if isinstance(text, bytes) else text.encode("utf-8")
        (content / "entries" / name).parent.mkdir(parents=True, exist_ok=True)
        (content / "entries" / name).write_bytes(data)
    return content


@pytest.fixture
def errors(tmp_path, monkeypatch):
    """errors(entries, settings=...) -> the error lines a run prints, paths relative to the working folder."""
    monkeypatch.chdir(tmp_path)

    def run(entries: dict, settings: str | None = SETTINGS) -> list[str]:
        write_content(tmp_path, entries, settings)
        return [str(p) for p in load_content(Path("content")).errors]
    return run


def entry(**changes) -> str:
    """The valid entry with some top-level lines replaced (value None drops the line)."""
    lines = VALID.splitlines()
    for key, value in changes.items():
        index = next((i for i, line in enumerate(lines) if line.startswith(f"{key}:")), None)
        if index is None:
            lines.insert(2, f"{key}: {value}")
        elif value is None:
            del lines[index]
        else:
            lines[index] = f"{key}: {value}"
    return "\n".join(lines) + "\n"


def test_the_valid_entry_has_no_errors(errors):
    assert errors({"zaranj-falls.yaml": VALID}) == []


# --- files that are not a YAML mapping -------------------------------------------------

def test_yaml_syntax_error(errors):
    assert errors({"x.yaml": "title: Zaranj: the fall\ndate: 2021\n"}) == [
        'content/entries/x.yaml:1:14: error: YAML syntax: mapping values are not allowed in this context; '
        'a value that contains ": " must be put in quotes',
    ]


def test_unclosed_list(errors):
    assert errors({"x.yaml": "title: A\ntags: [a, b\ndate: 2021\n"}) == [
        "content/entries/x.yaml:3:5: error: YAML syntax: did not find expected ',' or ']'; "
        "close the [ list ] or put a value containing a comma in quotes",
    ]


def test_tab_indentation(errors):
    assert errors({"x.yaml": "title: A\nplace:\n\tname: Zaranj\n"}) == [
        "content/entries/x.yaml:3:1: error: YAML syntax: found character that cannot start any token; "
        "a value starting with @, ` or a tab must be put in quotes",
    ]


@pytest.mark.parametrize("text", ["", "\n\n", "# just a comment\n"])
def test_empty_file(errors, text):
    assert errors({"x.yaml": text}) == [
        "content/entries/x.yaml: error: the file is empty; an entry needs at least title, date and sources",
    ]


def test_top_level_list(errors):
    assert errors({"x.yaml": "- title: A\n"}) == [
        "content/entries/x.yaml:1:1: error: expected a mapping of title, date, end_date, circa, date_label, "
        "summary, body, tags, place, sources, media, draft, key, status, updated, corrections, aliases, found a list",
    ]


def test_top_level_text(errors):
    assert errors({"x.yaml": "Zaranj falls\n"}) == [
        "content/entries/x.yaml:1:1: error: expected a mapping of title, date, end_date, circa, date_label, "
        'summary, body, tags, place, sources, media, draft, key, status, updated, corrections, aliases, '
        'found the text "Zaranj falls"',
    ]


def test_file_not_utf8(errors):
    latin1 = VALID.replace("Zaranj falls", "Zaranj café").encode("latin-1")
    assert errors({"x.yaml": latin1}) == [
        "content/entries/x.yaml:1:18: error: the file is not UTF-8 (byte 0xe9); save it as UTF-8",
    ]


def test_utf8_with_byte_order_mark_is_fine(errors):
    assert errors({"x.yaml": b"\xef\xbb\xbf" + VALID.encode()}) == []


def test_control_character(errors):
    assert errors({"x.yaml": VALID.replace("Zaranj falls", "Zaranj\x07falls")}) == [
        "content/entries/x.yaml:1:14: error: the file contains the control character U+0007, "
        "which YAML does not allow; delete it",
    ]


def test_two_documents(errors):
    assert errors({"x.yaml": VALID + "---\n" + VALID}) == [
        "content/entries/x.yaml:7:1: error: a second YAML document (---); a file holds exactly one entry",
    ]


def test_python_tag_is_refused(errors):
    assert errors({"x.yaml": entry(title="!!python/object/apply:os.system [ls]")}) == [
        "content/entries/x.yaml:1:8: error: the YAML tag !!python/object/apply:os.system is not allowed; remove it",
    ]


def test_alias_bomb_is_refused(errors):
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
    for level in "bcdefg":
        previous = chr(ord(level) - 1)
        bomb += f"{level}: &{level} [*{previous}, *{previous}, *{previous}, *{previous}, *{previous}, " \
                f"*{previous}, *{previous}, *{previous}, *{previous}, *{previous}]\n"
    (found,) = errors({"x.yaml": bomb})
    assert found.startswith("content/entries/x.yaml:4:")
    assert found.endswith("error: the document expands to more than 50,000 values (too many aliases?)")


def test_deep_nesting_is_refused(errors):
    assert errors({"x.yaml": "title: " + "[" * 100 + "]" * 100 + "\n"}) == [
        "content/entries/x.yaml:1:47: error: values are nested more than 40 levels deep",
    ]


# --- keys and fields ---------------------------------------------------------------------

def test_duplicate_key(errors):
    assert errors({"x.yaml": VALID + "title: Zaranj falls again\n"}) == [
        'content/entries/x.yaml:7:1: error: duplicate key "title" (first given on line 1); '
        "YAML would silently keep only the last one, so keep one of them",
    ]


def test_duplicate_key_in_a_nested_mapping(errors):
    assert errors({"x.yaml": VALID + "    name: EFE\n"}) == [
        'content/entries/x.yaml:7:5: error: duplicate key "name" (first given on line 5); '
        "YAML would silently keep only the last one, so keep one of them",
    ]


def test_unknown_field_with_did_you_mean(errors):
    # The misspelt field is not reported a second time as missing.
    assert errors({"x.yaml": VALID.replace("title:", "titel:")}) == [
        'content/entries/x.yaml:1:1: error: titel: unknown field; did you mean "title"?',
    ]


def test_unknown_field_without_a_close_match(errors):
    assert errors({"x.yaml": entry(colour="red")}) == [
        "content/entries/x.yaml:3:1: error: colour: unknown field; known fields: title, date, end_date, circa, "
        "date_label, summary, body, tags, place, sources, media, draft, key, status, updated, corrections, aliases",
    ]


def test_unknown_nested_field(errors):
    assert errors({"x.yaml": VALID.replace("    url:", "    link:")}) == [
        "content/entries/x.yaml:6:5: error: sources[1].link: unknown field; known fields: name, url, title, date, via, quote",
    ]


def test_missing_required_fields(errors):
    assert errors({"x.yaml": "summary: Something happened.\n"}) == [
        "content/entries/x.yaml:1:1: error: title: is required; add it, for example "
        "title: Taliban capture Zaranj, capital of Nimroz",
        "content/entries/x.yaml:1:1: error: date: is required; add it, for example date: 2021-08-06",
        "content/entries/x.yaml:1:1: error: sources: is required; add it, for example "
        "sources: [{name: Tolo News, url: 'https://tolonews.com/'}]",
    ]


def test_required_field_left_empty(errors):
    assert errors({"x.yaml": entry(title="")}) == [
        "content/entries/x.yaml:1:7: error: title: is required but empty; write it after the colon, "
        "for example title: Taliban capture Zaranj, capital of Nimroz",
    ]


def test_missing_source_name(errors):
    assert errors({"x.yaml": VALID.replace("  - name: Tolo News\n    url:", "  - url:")}) == [
        "content/entries/x.yaml:5:5: error: sources[1].name: is required; add it, for example name: EFE",
    ]


def test_no_sources(errors):
    text = VALID.split("sources:")[0] + "sources: []\n"
    assert errors({"x.yaml": text}) == [
        "content/entries/x.yaml:4:10: error: sources: needs at least one source; add - name: ... for each",
    ]


# --- wrong types, including YAML's implicit conversions ----------------------------------------

@pytest.mark.parametrize("written, reads_as", [
    ("no", "a boolean"), ("yes", "a boolean"), ("off", "a boolean"), ("2021", "a number"),
    ("3.5", "a number"), ("2021-08-06 10:00:00", "a date"),
])
def test_implicit_conversion_is_shown_as_written(errors, written, reads_as):
    assert errors({"x.yaml": entry(title=written)}) == [
        f"content/entries/x.yaml:1:8: error: title: expected text, but YAML reads {written} as {reads_as}; "
        f'put it in quotes: title: "{written}"',
    ]


def test_title_no_never_prints_false(errors):
    (line,) = errors({"x.yaml": entry(title="no")})
    assert "False" not in line and "no" in line


def test_required_title_written_as_null(errors):
    assert errors({"x.yaml": entry(title="null")}) == [
        'content/entries/x.yaml:1:8: error: title: is required, but YAML reads null as empty; '
        'to mean the text, put it in quotes: title: "null"',
    ]


def test_quoted_no_is_text(errors):
    assert errors({"x.yaml": entry(title='"no"')}) == []


def test_list_where_text_is_expected(errors):
    assert errors({"x.yaml": entry(title="[Zaranj, falls]")}) == [
        "content/entries/x.yaml:1:8: error: title: expected text, found a list",
    ]


def test_title_on_two_lines(errors):
    assert errors({"x.yaml": entry(title='"Zaranj\\nfalls"')}) == [
        "content/entries/x.yaml:1:8: error: title: must be a single line; remove the line breaks",
    ]


def test_title_too_long(errors):
    assert errors({"x.yaml": entry(title="x" * 121)}) == [
        "content/entries/x.yaml:1:8: error: title: is 121 characters long; the limit is 120, shorten it",
    ]


def test_boolean_written_as_text(errors):
    assert errors({"x.yaml": entry(circa="maybe")}) == [
        'content/entries/x.yaml:3:8: error: circa: expected true or false, found the text "maybe"',
    ]


def test_date_written_as_a_decimal_number(errors):
    assert errors({"x.yaml": entry(date="2021.08")}) == [
        "content/entries/x.yaml:2:7: error: date: expected a date such as 2021-08-06 or 6 August 2021, "
        "found 2021.08, which YAML reads as a number",
    ]


def test_sources_written_as_a_mapping(errors):
    text = VALID.replace("  - name: Tolo News\n    url:", "  name: Tolo News\n  url:")
    assert errors({"x.yaml": text}) == [
        "content/entries/x.yaml:5:3: error: sources: expected a list (lines starting with '- '), "
        "found a mapping (key: value pairs)",
    ]


# --- dates -------------------------------------------------------------------------------------------

def test_impossible_date(errors):
    assert errors({"zaranj-falls.yaml": entry(date="2021-02-30")}) == [
        'content/entries/zaranj-falls.yaml:2:7: error: date: "2021-02-30" is not a real date (February 2021 has 28 days)',
    ]


def test_impossible_source_date(errors):
    assert errors({"x.yaml": VALID + "    date: 2021-06-31\n"}) == [
        'content/entries/x.yaml:7:11: error: sources[1].date: "2021-06-31" is not a real date (June 2021 has 30 days)',
    ]


def test_end_before_start(errors):
    assert errors({"x.yaml": entry(end_date="2021-08-01")}) == [
        'content/entries/x.yaml:3:11: error: end_date: "2021-08-01" is before the date "2021-08-06"; '
        "an end_date must not come before date: swap them or fix the typo",
    ]


@pytest.mark.parametrize("end", ["2021-08-06", "2021-08", "2021", "2021-08-06 10:00"])
def test_end_that_contains_or_equals_the_start_is_fine(errors, end):
    assert errors({"x.yaml": entry(end_date=end)}) == []


def test_ambiguous_date(errors):
    assert errors({"x.yaml": entry(date="06/08/2021")}) == [
        'content/entries/x.yaml:2:7: error: date: "06/08/2021" is ambiguous or not a form this tool reads '
        "(day/month or month/day?); write it as 2021-08-06 or 6 August 2021",
    ]


# --- URLs, coordinates, ids ----------------------------------------------------------------------------

def test_javascript_url(errors):
    assert errors({"x.yaml": VALID.replace("https://tolonews.com/", "javascript:alert(1)")}) == [
        'content/entries/x.yaml:6:10: error: sources[1].url: "javascript:alert(1)" is not an http or https URL; '
        "write a full address such as https://example.org/page",
    ]


def test_javascript_media_src(errors):
    text = VALID + "media:\n  src: javascript:alert(1)\n  alt: A map\n  credit: EFE\n"
    assert errors({"x.yaml": text}) == [
        'content/entries/x.yaml:8:8: error: media.src: "javascript:alert(1)" is not an https URL; '
        "write a full address such as https://example.org/page",
    ]


def test_out_of_range_coordinates(errors):
    text = entry(place="{name: Zaranj, lat: 91, lon: -180.5}")
    assert errors({"x.yaml": text}) == [
        "content/entries/x.yaml:3:28: error: place.lat: 91 is out of range; it must be from -90 to 90",
        "content/entries/x.yaml:3:37: error: place.lon: -180.5 is out of range; it must be from -180 to 180",
    ]


def test_coordinates_in_range(errors):
    assert errors({"x.yaml": entry(place="{name: Zaranj, lat: 30.96, lon: 61.86}")}) == []


@pytest.mark.parametrize("name, suggestion", [
    ("Zaranj_Falls.yaml", "zaranj-falls"), ("zaranj--falls.yaml", "zaranj-falls"), ("-zaranj.yaml", "zaranj"),
])
def test_file_name_that_is_not_a_valid_id(errors, name, suggestion):
    assert errors({name: VALID}) == [
        f'content/entries/{name}: error: the file name "{name}" is not a valid id: use lowercase letters, '
        f"digits and single hyphens, as in zaranj-falls.yaml (rename it to {suggestion}.yaml)",
    ]


def test_two_entries_with_the_same_id(errors):
    assert errors({"zaranj-falls.yaml": VALID, "zaranj-falls.yml": VALID}) == [
        'content/entries/zaranj-falls.yml: error: the id "zaranj-falls" is already taken by '
        "content/entries/zaranj-falls.yaml; rename one of the files",
    ]


def test_alias_that_is_another_entrys_id(errors):
    assert errors({"a.yaml": VALID + "aliases:\n  - b\n", "b.yaml": VALID}) == [
        'content/entries/a.yaml:8:5: error: aliases[1]: "b" is already the id of content/entries/b.yaml; '
        "a URL can lead to one entry only, so remove it here or there",
    ]


def test_alias_claimed_by_two_entries(errors):
    assert errors({"a.yaml": VALID + "aliases: [old]\n", "b.yaml": VALID + "aliases: [older, old]\n"}) == [
        'content/entries/b.yaml:7:18: error: aliases[2]: "old" is already an alias of content/entries/a.yaml; '
        "a URL can lead to one entry only, so remove it here or there",
    ]


def test_alias_that_is_not_a_valid_id(errors):
    assert errors({"a.yaml": VALID + "aliases: [Old Name]\n"}) == [
        'content/entries/a.yaml:7:11: error: aliases[1]: "Old Name" is not a valid id: use lowercase letters, '
        "digits and single hyphens, as in zaranj-falls",
    ]


def test_tags_with_the_same_slug_in_one_entry(errors):
    assert errors({"a.yaml": VALID + "tags: [Human rights, Human Rights]\n"}) == [
        'content/entries/a.yaml:7:22: error: tags[2]: "Human Rights" has the same URL slug "human-rights" as '
        '"Human rights"; keep one of them',
    ]


def test_tag_spelled_two_ways_across_entries(errors):
    assert errors({"a.yaml": VALID + "tags: [Human rights]\n", "b.yaml": VALID + "tags: [Civilians, Human Rights]\n"}) == [
        'content/entries/b.yaml:7:19: error: tags[2]: "Human Rights" and "Human rights" (content/entries/a.yaml) '
        'share the URL slug "human-rights"; spell the tag one way',
    ]


# --- the settings file -----------------------------------------------------------------------------------

def test_settings_file_missing(errors):
    assert errors({"a.yaml": VALID}, settings=None) == [
        "content/timeline.yaml: error: the site settings file is missing; create content/timeline.yaml "
        "with at least title, base_url and timezone",
    ]


def test_settings_file_empty(errors):
    assert errors({"a.yaml": VALID}, settings="") == [
        "content/timeline.yaml: error: the settings file is empty; it needs at least title, base_url and timezone",
    ]


def test_relative_base_url(errors):
    assert errors({"a.yaml": VALID}, settings=SETTINGS.replace('"https://example.org/t/"', "/timeline/")) == [
        'content/timeline.yaml:2:11: error: base_url: "/timeline/" is not an http or https URL; '
        "write a full address such as https://example.org/page",
    ]


def test_unknown_time_zone_with_suggestion(errors):
    assert errors({"a.yaml": VALID}, settings=SETTINGS.replace("Asia/Kabul", "asia/kabul")) == [
        'content/timeline.yaml:3:11: error: timezone: "asia/kabul" is not an IANA time zone name; '
        'did you mean "Asia/Kabul"?',
    ]


def test_unknown_time_zone(errors):
    assert errors({"a.yaml": VALID}, settings=SETTINGS.replace("Asia/Kabul", "Kabul Time")) == [
        'content/timeline.yaml:3:11: error: timezone: "Kabul Time" is not an IANA time zone name '
        "such as Asia/Kabul or Europe/London",
    ]


@pytest.mark.parametrize("value, expected", [
    ("[islamic]", '4:13: error: calendars[1]: "islamic" is not one of solar-hijri, islamic-umalqura; '
                  'did you mean "islamic-umalqura"?'),
    ("[solar-hijri, persian]", '4:26: error: calendars[2]: "persian" is not one of solar-hijri, islamic-umalqura'),
    ("[solar-hijri, solar-hijri]", '4:26: error: calendars[2]: "solar-hijri" is listed twice; remove one'),
    ("solar-hijri", "4:12: error: calendars: expected a list (lines starting with '- '), found the text "
                    '"solar-hijri"'),
    ("[solar-hijri, islamic-umalqura, solar-hijri]",
     "4:12: error: calendars: has 3 items; a timeline may have at most 2 calendars, name each calendar once"),
])
def test_settings_calendars_errors(errors, value, expected):
    assert errors({"a.yaml": VALID}, settings=SETTINGS + f"calendars: {value}\n") == [
        f"content/timeline.yaml:{expected}"]


def test_settings_calendars_are_read_in_order(tmp_path):
    content = write_content(tmp_path, {"a.yaml": VALID}, SETTINGS + "calendars:\n  - islamic-umalqura\n  - solar-hijri\n")
    loaded = load_content(content)
    assert not loaded.errors and loaded.settings.calendars == ("islamic-umalqura", "solar-hijri")


def test_settings_required_title_empty_is_an_error_not_a_crash(errors):
    assert errors({"a.yaml": VALID}, settings=SETTINGS.replace("title: Test timeline", "title:")) == [
        "content/timeline.yaml:1:7: error: title: is required but empty; write it after the colon, "
        "for example title: The Taliban offensive of 2021",
    ]


def test_settings_not_a_mapping(errors):
    assert errors({"a.yaml": VALID}, settings="- title\n") == [
        "content/timeline.yaml:1:1: error: expected a mapping of title, short_title, base_url, timezone, "
        "description, language, publisher, entries_per_page, as_of, recent_days, eras, calendars, remote_media, share_images, "
            "translations, found a list",
    ]


# --- everything in one run ----------------------------------------------------------------------------------

def test_all_problems_in_all_files_are_reported_in_one_run(errors):
    found = errors({
        "a-syntax.yaml": "title: [\n",
        "b-duplicate.yaml": VALID + "date: 2021-08-07\n",
        "c-date.yaml": entry(date="2021-02-30", circa="maybe"),
        "d-fine.yaml": VALID,
        "e-url.yaml": VALID.replace("https://tolonews.com/", "javascript:x"),
    }, settings=SETTINGS.replace("Asia/Kabul", "Mars/Olympus"))
    assert [line.split(": error: ")[0] for line in found] == [
        "content/timeline.yaml:3:11",
        "content/entries/a-syntax.yaml:2:1",
        "content/entries/b-duplicate.yaml:7:1",
        "content/entries/c-date.yaml:2:7",
        "content/entries/c-date.yaml:3:8",
        "content/entries/e-url.yaml:6:10",
    ]


def test_no_entries(errors):
    assert errors({}) == [
        'content/entries: error: no entries found; add YAML files here (python build.py new "Title")',
    ]


def test_warnings_do_not_fail_the_build(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write_content(tmp_path, {"a.yaml": VALID.replace("    url: https://tolonews.com/\n", "")})
    loaded = load_content(Path("content"))
    assert loaded.errors == ()
    assert [str(p) for p in loaded.problems] == [
        "content/entries/a.yaml:5:5: warning: sources[1].url: says neither where to read it nor who reported it: add its url, or via: the outlet or document that reported it (a source that is itself a document needs its title and date)",
    ]
    assert [e.id for e in loaded.entries] == ["a"]


# --- the documentation's examples are valid -------------------------------------------------------------

def yaml_blocks(markdown_text: str) -> list[str]:
    return [block.split("\n", 1)[1] for block in markdown_text.split("```")[1::2] if block.startswith("yaml\n")]


def test_the_documented_examples_are_valid(errors):
    blocks = yaml_blocks((Path(__file__).resolve().parents[2] / "docs" / "format.md").read_text(encoding="utf-8"))
    example = blocks[0]
    settings = next(block for block in blocks if block.startswith("title:") and "base_url:" in block)
    assert set(yaml.safe_load(example)) == set(ENTRY_FIELDS)  # the complete example shows every field
    assert errors({"zaranj-falls.yaml": example}, settings=settings) == []


# --- where entry files may stand ---------------------------------------------------------

def test_an_entry_in_a_subfolder_is_an_error_not_silently_skipped(errors):
    assert errors({"zaranj-falls.yaml": VALID, "2021/kunduz-falls.yaml": VALID}) == [
        "content/entries/2021/kunduz-falls.yaml: error: is not directly in content/entries/, so it would "
        "not be published; move it there (the file name alone is the entry's URL)"
    ]


def test_editor_backups_and_hidden_files_are_not_entries(errors):
    assert errors({"zaranj-falls.yaml": VALID, "zaranj-falls.yaml~": "titel: x", ".draft.yaml": "- x",
                   "notes.txt": "not yaml"}) == []


def test_an_upper_case_extension_is_still_read(errors):
    assert errors({"Zaranj.YAML": VALID})[0].startswith(
        'content/entries/Zaranj.YAML: error: the file name "Zaranj.YAML" is not a valid id')


# --- values read once and shared between entries --------------------------------------------

def test_a_date_read_in_one_time_zone_is_not_reused_in_another(tmp_path):
    """In winter London and UTC give the same instant: the date must still carry the zone it was read in."""
    content = write_content(tmp_path, {"a.yaml": entry(date="2021-01-06")})
    london = load_content(content).entries[0].date.start
    (content / "timeline.yaml").write_text(SETTINGS.replace("Asia/Kabul", "UTC"), encoding="utf-8")
    utc = load_content(content).entries[0].date.start
    assert str(london.tzinfo) == "Asia/Kabul" and str(utc.tzinfo) == "UTC"
    (content / "timeline.yaml").write_text(SETTINGS.replace("Asia/Kabul", "Europe/London"), encoding="utf-8")
    assert str(load_content(content).entries[0].date.start.tzinfo) == "Europe/London"


def test_places_equal_but_for_the_sign_of_zero_stay_apart(tmp_path):
    place = "place:\n  name: Null Island\n  lat: {}\n  lon: 0\n"
    content = write_content(tmp_path, {"a.yaml": VALID + place.format("0.0"), "b.yaml": VALID + place.format("-0.0")})
    places = {e.id: e.place for e in load_content(content).entries}
    assert places["a"] == places["b"]  # 0.0 == -0.0, yet each page shows what its editor wrote
    assert (repr(places["a"].lat), repr(places["b"].lat)) == ("0.0", "-0.0")


def test_entries_with_the_same_tags_and_place_get_the_same_values(tmp_path):
    shared = "tags: [Provincial capitals]\nplace:\n  name: Zaranj\n  lat: 30.96\n  lon: 61.86\n"
    content = write_content(tmp_path, {"a.yaml": VALID + shared, "b.yaml": VALID.replace("Zaranj", "Kunduz") + shared})
    a, b = load_content(content).entries
    assert a.tags == b.tags and a.place == b.place
    assert a.place.slug == "zaranj" and a.tags[0].slug == "provincial-capitals"


URL_TEXTS = ["https://example.org/", "HTTP://EXAMPLE.ORG", "https://a..b/x?y#z", "https://-", "https:///x", "https://",
             "https://host:8080/x", "https://[::1]/x", "https://[::1/x", "https://user@host/x", "https://ex ample.org",
             "https://example.org/\u00a0x", "https://example.org/\x1cx", "https://example.org/\x00", "https://é.org/",
             "ftp://example.org/", "//example.org", "https:example.org", "https://example.org\\x",
             "javascript:alert(1)",
             "https://example.org/ä?q=ü", "https://ex.org/\u2028", "http://x.org#", " https://x.org"]
url_texts = st.one_of(st.sampled_from(URL_TEXTS),
                      st.text(alphabet="hHtTpPsS:/.-[]@\\?#ÄäÀ0129 \t\u00a0\u2028\u2067\u2069\u202e\x1c\x00\x85",
                              max_size=24),
                      st.builds(lambda rest: "https://" + rest, st.text(max_size=16)))


def _url_by_urlsplit(value: str, https_only: bool) -> bool:
    """The rule the validator states: an http(s) scheme, a host with no user name before it, no space
    (as urlsplit reads them)."""
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    return parts.scheme.lower() in (("https",) if https_only else ("http", "https")) and bool(parts.netloc) \
        and not re.search(r"\s", value) and "@" not in parts.netloc


def _publishable_line(text: str) -> bool:
    """What a one-line text may hold, stated apart from the validator's regular expressions."""
    opened = 0
    for char in text:
        number = ord(char)
        if (number < 0x20 and char != "\n") or 0x7F <= number <= 0x9F or 0xD800 <= number <= 0xDFFF \
                or number in (0x2028, 0x2029) or 0x202A <= number <= 0x202E or 0xFDD0 <= number <= 0xFDEF \
                or number & 0xFFFE == 0xFFFE:
            return False
        if 0x2066 <= number <= 0x2068:
            opened += 1
        elif number == 0x2069:
            if not opened:
                return False
            opened -= 1
    return not opened


@given(url_texts, st.booleans())
@settings(max_examples=400, deadline=None)
def test_urls_are_accepted_exactly_as_urlsplit_reads_them(text, https_only):
    report = Report("x.yaml")
    node = Scalar(text, "str", 1, 1)
    accepted = _url(report, node, "url", https_only=https_only) is not None
    value = text.strip()
    if not value or "\n" in value or len(value) > 2000:
        assert not accepted
    else:
        assert accepted == (_url_by_urlsplit(value, https_only) and _publishable_line(text))


PLAIN_TEXTS = ["yes", "No", "ON", "off", "y", "n", "~", "null", "Null", "NULL", "", "true", "True", "TRUE", "false",
               "1", "-1", "+1", "0x1F", "0o17", "0b101", "1_000", "1:20", "1e3", "1.5", ".5", "-.inf", ".NaN", "2021",
               "2021-08-06", "2021-08-06 14:30", "2021-8-6", "=", "<<", "!", "&", "*", "title", "sources", "name",
               "Friday", "t", "f", "o", "0", "00", "0.", "-", "+", ".", "1,000", "1.0.0", "Zaranj"]


@given(st.one_of(st.sampled_from(PLAIN_TEXTS),
                 st.text(alphabet="0123456789.+-_:eExXoObB~nNuUlLtTrRfFaAsSyY<=", max_size=8)))
@settings(max_examples=400, deadline=None)
def test_plain_values_are_read_as_yaml_reads_them(text):
    """The kind remembered for a plain text (or decided by its first character) is PyYAML's."""
    resolved = yaml.resolver.Resolver().resolve(yaml.ScalarNode, text, (True, False))
    expected = resolved.removeprefix("tag:yaml.org,2002:") if resolved.startswith("tag:yaml.org,2002:") else "str"
    if expected not in ("str", "int", "float", "bool", "null", "timestamp", "binary", "merge", "map", "seq"):
        expected = "str"
    for _ in range(2):  # read, then remembered
        assert _plain_kind(text) == expected


# --- characters a page or feed cannot hold ----------------------------------------------------------

# Written in YAML's double-quoted escapes, as an editor (or a tool) can write them; the YAML reader
# itself refuses them written raw.
@pytest.mark.parametrize("escape, named", [
    ("\\0", "the control character U+0000"), ("\\e", "the control character U+001B"),
    ("\\x07", "the control character U+0007"), ("\\r", "the control character U+000D"),
    ("\\x7f", "the control character U+007F"), ("\\N", "the control character U+0085"),
    ("\\x9f", "the control character U+009F"), ("\\uFFFE", "the noncharacter U+FFFE"),
    ("\\uFFFF", "the noncharacter U+FFFF"), ("\\uFDD0", "the noncharacter U+FDD0"),
    ("\\U0010FFFF", "the noncharacter U+10FFFF"),
])
def test_a_character_no_page_or_feed_can_hold_is_refused_with_its_code_and_position(errors, escape, named):
    assert errors({"x.yaml": entry(title=f'"Zaranj {escape}falls"')}) == [
        f"content/entries/x.yaml:1:8: error: title: contains {named} at character 8, which cannot appear "
        "in a web page or feed; delete it",
    ]


def test_a_lone_surrogate_is_refused():
    # libyaml refuses the escape itself; the pure-Python parser, the fallback, reads it.
    report = Report("x.yaml")
    from timeline.validate import _text
    assert _text(report, Scalar("Zaranj \ud800", "str", 1, 8), "title", one_line=True) is None
    assert [p.message for p in report.problems] == [
        "contains the lone surrogate U+D800 (half of a UTF-16 pair, not a character) at character 8, which "
        "cannot appear in a web page or feed; delete it"]


@pytest.mark.parametrize("field, line", [
("date_label", 'date_label: "Friday \\e"'),
    ("body", 'body: "Zaranj \\efalls"'), ("tags[1]", 'tags: ["Zaranj \\efalls"]'),
    ("place.name", 'place: {name: "Zaranj \\efalls"}'), ("place.region", 'place: {name: Zaranj, region: "N\\e"}'),
    ("place.country", 'place: {name: Zaranj, country: "A\\e"}'),
    ("corrections[1].text", 'corrections: [{date: 2021-08-07, text: "Zaranj \\efalls"}]'),
    ("aliases[1]", 'aliases: ["zaranj\\e"]'),
])
def test_every_text_field_refuses_them(errors, field, line):
    (found,) = errors({"x.yaml": VALID + line + "\n"})
    assert f" error: {field}: contains the control character U+001B at character " in found


def test_the_summary_refuses_them(errors):
    assert errors({"x.yaml": entry(summary='"Zaranj \\efalls"')}) == [
        "content/entries/x.yaml:3:10: error: summary: contains the control character U+001B at character 8, "
        "which cannot appear in a web page or feed; delete it",
    ]


@pytest.mark.parametrize("field", ["name", "title", "quote"])
def test_source_fields_refuse_them(errors, field):
    text = VALID.replace("  - name: Tolo News\n", f'  - name: Tolo News\n    {field}: "x\\ey"\n', 1)
    if field == "name":
        text = VALID.replace("name: Tolo News", 'name: "x\\ey"')
    (found,) = errors({"x.yaml": text})
    assert f"error: sources[1].{field}: contains the control character U+001B at character 2" in found


@pytest.mark.parametrize("field", ["src", "alt", "caption", "credit"])
def test_media_fields_refuse_them(errors, tmp_path, field):
    values = {"src": "https://example.org/z.jpg", "alt": "A map", "caption": "Nimroz", "credit": "EFE"}
    values[field] = values[field] + "\\e"
    text = VALID + "media:\n" + "".join(f'  {key}: "{value}"\n' for key, value in values.items())
    (found,) = errors({"x.yaml": text})
    assert f"error: media.{field}: contains the control character U+001B" in found


@pytest.mark.parametrize("key", ["title", "description", "publisher"])
def test_settings_texts_refuse_them(errors, key):
    settings = SETTINGS + ("" if key == "title" else f"{key}: x\n")
    settings = re.sub(rf"^{key}: .*$", f'{key}: "The \\\\u2028desk"', settings, flags=re.M)
    (found,) = errors({"a.yaml": VALID}, settings=settings)
    assert found.endswith(f"error: {key}: contains U+2028 (LINE SEPARATOR) at character 5, an invisible line "
                          "break that pages ignore; remove it (this text is one line)")


def test_the_position_in_a_text_of_several_lines(errors):
    assert errors({"x.yaml": VALID + 'body: "First paragraph.\\n\\nSecond \\x07one."\n'}) == [
        "content/entries/x.yaml:7:7: error: body: contains the control character U+0007 at line 3, character 8 "
        "of the text, which cannot appear in a web page or feed; delete it",
    ]


def test_a_tab_in_a_one_line_text_is_refused_but_not_in_a_body(errors):
    assert errors({"x.yaml": entry(title='"Zaranj\\tfalls"'), "y.yaml": VALID + 'body: "    code\\tblock"\n'}) == [
        "content/entries/x.yaml:1:8: error: title: contains a tab (U+0009) at character 7; a one-line text "
        "holds none: replace it with a space",
    ]


def test_a_paragraph_separator_in_a_body_is_refused(errors):
    assert errors({"x.yaml": VALID + 'body: "One.\\PTwo."\n'}) == [
        "content/entries/x.yaml:7:7: error: body: contains U+2029 (PARAGRAPH SEPARATOR) at character 5, an "
        "invisible line break that pages ignore; replace it with an ordinary line break",
    ]


@pytest.mark.parametrize("code", ["202A", "202B", "202C", "202D", "202E"])
def test_bidirectional_embeddings_and_overrides_are_refused(errors, code):
    (found,) = errors({"x.yaml": entry(title=f'"Zaranj \\u{code}falls"')})
    assert found.startswith(f"content/entries/x.yaml:1:8: error: title: contains the bidirectional control "
                            f"U+{code} (")
    assert found.endswith(") at character 8, which makes text display otherwise than it is written and spills "
                          "over the text around it; delete it (for right-to-left text use the isolates U+2066 "
                          "to U+2069 or the marks U+200E and U+200F)")


@pytest.mark.parametrize("title", [
    "\u0633\u0642\u0648\u0637 \u0632\u0631\u0646\u062c",  # Arabic
    "Zaranj \u2067\u0632\u0631\u0646\u062c\u2069 falls",  # an isolate, closed
    "\u2068\u2066a\u2069 \u2067b\u2069\u2069",  # nested
    "Zaranj\u200f falls \u200e\u061c",  # marks
    "Zaranj\u200b falls",  # a zero-width space beside visible text
])
def test_right_to_left_text_with_isolates_and_marks_is_accepted(errors, title):
    assert errors({"x.yaml": entry(title=f'"{title}"')}) == []


def test_an_isolate_must_be_closed_within_its_text(errors):
    assert errors({"x.yaml": entry(title='"Zaranj \\u2067falls"'), "y.yaml": entry(title='"Zaranj\\u2069 falls"')}) == [
        "content/entries/x.yaml:1:8: error: title: contains the directional isolate U+2067 (RIGHT-TO-LEFT "
        "ISOLATE) at character 8, which is not closed: the text after it would be laid out apart from the rest "
        "of the page; add U+2069 (POP DIRECTIONAL ISOLATE) where the isolated text ends",
        "content/entries/y.yaml:1:8: error: title: contains U+2069 (POP DIRECTIONAL ISOLATE) at character 7, "
        "which closes no isolate (U+2066, U+2067 or U+2068) before it; delete it",
    ]


@pytest.mark.parametrize("reference, meaning", [
    ("&#27;", "stands for the control character U+001B, which cannot appear in a web page or feed; delete it"),
    ("&#x1B;", "stands for the control character U+001B, which cannot appear in a web page or feed; delete it"),
    ("&#xfffe;", "stands for the noncharacter U+FFFE, which cannot appear in a web page or feed; delete it"),
    ("&#x202e;", "stands for the bidirectional control U+202E (RIGHT-TO-LEFT OVERRIDE), which makes text "
                 "display otherwise than it is written and spills over the text around it; delete it (for "
                 "right-to-left text use the isolates U+2066 to U+2069 or the marks U+200E and U+200F)"),
    ("&#0;", "names no character; delete it"), ("&#x110000;", "names no character; delete it"),
])
def test_a_body_may_not_name_them_by_character_reference(errors, reference, meaning):
    # Markdown keeps the reference, and the summary made from the body holds the character itself.
    assert errors({"x.yaml": VALID + f'body: "A {reference} B"\n'}) == [
        f'content/entries/x.yaml:7:7: error: body: has the character reference "{reference}" at character 3, '
        f"which {meaning}",
    ]


def test_a_body_may_name_other_characters_by_reference(errors):
    assert errors({"x.yaml": VALID + 'body: "Caf&#233; &#x2067;x&#x2069; &amp; &#x200F;"\n'}) == []


def test_a_message_shows_what_it_quotes_without_control_characters(errors):
    # A date echoes the text it could not read: a terminal must not act on an escape in it.
    assert errors({"x.yaml": entry(date='"2021-08-06 \\e[2J"'), "y.yaml": VALID + '"\\u202ecolour": red\n'}) == [
        'content/entries/x.yaml:2:7: error: date: "2021-08-06 <U+001B>[2J" is not a date this tool can read; '
        'write it as 2021, 2021-08, 2021-08-06, "2021-08-06 14:30", "6 August 2021" or "August 2021"',
        "content/entries/y.yaml:7:1: error: <U+202E>colour: unknown field; known fields: title, date, end_date, "
        "circa, date_label, summary, body, tags, place, sources, media, draft, key, status, updated, corrections, aliases",
    ]


# --- texts that show nothing ------------------------------------------------------------------------

@pytest.mark.parametrize("written, shown", [
    ("\\u200B", "U+200B (ZERO WIDTH SPACE)"), ("\\u200C\\u200D", "U+200C (ZERO WIDTH NON-JOINER), U+200D (ZERO WIDTH JOINER)"),
    ("\\u2060", "U+2060 (WORD JOINER)"), ("\\uFEFF", "U+FEFF (ZERO WIDTH NO-BREAK SPACE)"),
    ("\\u0301\\u0308", "U+0301 (COMBINING ACUTE ACCENT), U+0308 (COMBINING DIAERESIS)"),
    ("\\u3164", "U+3164 (HANGUL FILLER)"), ("\\u2800", "U+2800 (BRAILLE PATTERN BLANK)"),
    ("\\u200B \\u00A0\\u200B", "U+200B (ZERO WIDTH SPACE)"),
])
def test_a_title_of_invisible_characters_is_refused(errors, written, shown):
    assert errors({"x.yaml": entry(title=f'"{written}"')}) == [
        f"content/entries/x.yaml:1:8: error: title: has no visible character, only {shown}; write the text or "
        "remove the field",
    ]


@pytest.mark.parametrize("line, field", [
    ('tags: ["\\u200B"]', "tags[1]"), ('place: {name: "\\u2060"}', "place.name"),
    ('place: {name: Zaranj, region: "\\u200D"}', "place.region"),
])
def test_labels_of_invisible_characters_are_refused(errors, line, field):
    (found,) = errors({"x.yaml": VALID + line + "\n"})
    assert f"error: {field}: has no visible character, only U+20" in found


def test_a_source_name_of_invisible_characters_is_refused(errors):
    assert errors({"x.yaml": VALID.replace("name: Tolo News", 'name: "\\u200B\\u200B"')}) == [
        "content/entries/x.yaml:5:11: error: sources[1].name: has no visible character, only U+200B (ZERO WIDTH "
        "SPACE); write the text or remove the field",
    ]


@pytest.mark.parametrize("title", ["—", "🙂", "…", "№ 5", "\u0662\u0660\u0662\u0661", "_", "١"])
def test_punctuation_symbols_and_digits_alone_are_visible(errors, title):
    assert errors({"x.yaml": entry(title=f'"{title}"')}) == []


# --- lists that would multiply the work of a build -------------------------------------------------

@pytest.mark.parametrize("field, most, item, advice", [
    ("tags", 30, "T{}", "keep the ones readers will look for"),
    ("aliases", 20, "old-{}", "keep the ids that were published (permalinks.lock lists them)"),
    ("corrections", 50, "{{date: 2021-08-07, text: Fixed {}.}}", "combine them into fewer corrections"),
])
def test_a_list_longer_than_its_limit_is_refused_naming_count_and_limit(errors, field, most, item, advice):
    items = ", ".join(item.format(number) for number in range(most + 1))
    fine = ", ".join(item.format(number) for number in range(most))
    assert errors({"x.yaml": VALID + f"{field}: [{items}]\n", "y.yaml": VALID + f"{field}: [{fine}]\n"}) == [
        f"content/entries/x.yaml:7:{len(field) + 3}: error: {field}: has {most + 1} items; an entry may have at "
        f"most {most} {field}, {advice}",
    ]


def test_more_sources_than_the_limit_are_refused(errors):
    sources = "".join(f"  - name: Source {number}\n    url: https://example.org/{number}\n" for number in range(101))
    assert errors({"x.yaml": VALID.split("sources:")[0] + "sources:\n" + sources}) == [
        "content/entries/x.yaml:5:3: error: sources: has 101 items; an entry may have at most 100 sources, "
        "cite the ones the entry relies on",
    ]


def test_the_schema_carries_the_same_limits():
    from timeline.commands.schema import entry_schema
    properties = entry_schema()["properties"]
    assert {name: properties[name]["maxItems"] for name in ("tags", "sources", "corrections", "aliases")} == {
        "tags": 30, "sources": 100, "corrections": 50, "aliases": 20}


# --- places -------------------------------------------------------------------------------------------

def place(name: str, region: str | None = None, country: str | None = None, lat: float | None = None) -> str:
    lines = [f"  name: {name}"] + [f"  {key}: {value}" for key, value in
                                     (("region", region), ("country", country), ("lat", lat)) if value is not None]
    return VALID + "place:\n" + "\n".join(lines) + "\n"


def test_two_places_of_one_name_in_different_regions_are_an_error_naming_both_files(errors):
    assert errors({"a.yaml": place("Springfield", "Illinois", "United States"),
                   "b.yaml": place("Springfield", "Missouri", "United States")}) == [
        'content/entries/b.yaml:8:9: error: place.name: "Springfield" is in the region "Missouri" here but '
        '"Illinois" in content/entries/a.yaml, and one name makes one place page (places/springfield/); if it is '
        "one place, write its region the same way in both; if two, tell them apart by name, as in "
        '"Springfield, Illinois" and "Springfield, Missouri"',
    ]


def test_two_places_of_one_name_in_different_countries_are_an_error(errors):
    (found,) = errors({"a.yaml": place("Hyderabad", country="India"), "b.yaml": place("Hyderabad", country="Pakistan")})
    assert found.startswith('content/entries/b.yaml:8:9: error: place.name: "Hyderabad" is in the country '
                            '"Pakistan" here but "India" in content/entries/a.yaml')


def test_a_place_written_with_less_detail_or_other_coordinates_is_the_same_place(errors):
    assert errors({"a.yaml": place("Zaranj", "Nimroz", "Afghanistan", 30.96), "b.yaml": place("Zaranj"),
                   "c.yaml": place("Zaranj", country="Afghanistan", lat=31), "d.yaml": place("Zaranj", "Nimroz")}) == []


def test_a_region_given_after_one_written_without_is_still_compared(errors):
    (found,) = errors({"a.yaml": place("Springfield"), "b.yaml": place("Springfield", "Illinois"),
                       "c.yaml": place("Springfield", "Missouri")})
    assert found.startswith('content/entries/c.yaml:8:9: error: place.name: "Springfield" is in the region '
                            '"Missouri" here but "Illinois" in content/entries/b.yaml')


def test_places_spelled_two_ways_with_one_slug_are_an_error(errors):
    assert errors({"a.yaml": place("Kābul"), "b.yaml": VALID + "place: {name: Kabul}\n"}) == [
        'content/entries/b.yaml:7:15: error: place.name: "Kabul" and "Kābul" (content/entries/a.yaml) share the '
        'URL slug "kabul", so they would be one place page; spell the place one way, or name them apart if they '
        "are two places",
    ]


def test_places_named_apart_have_pages_apart(tmp_path):
    content = write_content(tmp_path, {"a.yaml": place('"Springfield, Illinois"', "Illinois"),
                                       "b.yaml": place('"Springfield, Missouri"', "Missouri")})
    loaded = load_content(content)
    assert loaded.errors == ()
    assert sorted(e.place.slug for e in loaded.entries) == ["springfield-illinois", "springfield-missouri"]


# --- the settings' base_url and time zone ----------------------------------------------------------------

def base_url_errors(errors, url: str) -> list[str]:
    settings = SETTINGS.replace('"https://example.org/t/"', yaml.safe_dump(url, default_style='"').strip())
    return [line.split("error: ", 1)[1] for line in errors({"a.yaml": VALID}, settings=settings)]


@pytest.mark.parametrize("url, message", [
    ('https://example.org/t/"><script>', 'has the character " (U+0022) in its path, which is not allowed in an '
                                          "address; write it percent-encoded (%22) or remove it"),
    ("https://example.org/<t>/", "has the character < (U+003C) in its path"),
    ("https://example.org/my timeline/", "has a space (U+0020) in its path, which is not allowed in an address; "
                                          "write it percent-encoded (%20) or remove it"),
    ("https://example.org/a\\b/", "has the character \\ (U+005C) in its path"),
    ("https://example.org/it's/", "has the character ' (U+0027) in its path"),
    ("https://example.org/t/#top", "has a fragment (#top), which would end up in the middle of every address of "
                                   "the site; the base_url is the site's folder: write it as https://example.org/t/"),
    ("https://example.org/t/?lang=en", "has a query (?lang=en), which would end up in the middle of every address "
                                       "of the site; the base_url is the site's folder: write it as "
                                       "https://example.org/t/"),
    ("https://user:secret@example.org/t/", "gives a user name or password before the host; an address on a public "
                                           "page needs none, and it can disguise where a link leads: remove it, "
                                           "as in https://example.org/t/"),
    ("https://exa_mple.org/", "does not have a host name such as example.org: letters a-z, digits, hyphens and "
                              "dots, then an optional :port (a name with accents in its xn-- form)"),
    ("https://example.org:99999/", "has the port 99999, beyond 65535; check the port number"),
    ("https://example.org/%zz/", "has a % in its path that is not followed by two hex digits; write it as %25"),
    ("https://example.org/a/../t/", 'has a "." or ".." folder in its path; write the path it leads to'),
    ("https://example.org/" + "t" * 190, "is 210 characters long; the limit is 200, publish the site at a "
                                         "shorter address"),
])
def test_a_base_url_that_would_break_every_address_is_refused(errors, url, message):
    (found,) = base_url_errors(errors, url)
    assert found.startswith("base_url: ") and message in found


@pytest.mark.parametrize("url", ["https://example.org/t/", "http://localhost:8000", "https://example.org",
                                 "https://[::1]/t/", "https://example.org/caf%C3%A9/", "https://xn--caf-dma.org/",
                                 "HTTPS://Example.ORG/T/", "https://example.org/a-b_c~d.e/"])
def test_ordinary_base_urls_are_accepted(errors, url):
    assert base_url_errors(errors, url) == []


@pytest.mark.parametrize("zone, reason", [
    ("localtime", "is the time zone of the computer that runs the build"),
    ("LocalTime", "is the time zone of the computer that runs the build"),
    ("posixrules", "is a file of the computer's time zone database that follows its own zone"),
    ("Factory", 'is the "no time zone set" placeholder, which shows every time as -00'),
])
def test_a_time_zone_that_depends_on_the_build_machine_is_refused(errors, zone, reason):
    assert errors({"a.yaml": VALID}, settings=SETTINGS.replace("Asia/Kabul", zone)) == [
        f'content/timeline.yaml:3:11: error: timezone: "{zone}" {reason}, so the times of the site would change '
        "with the machine that builds it; write the zone of the events as an IANA Area/City name such as "
        "Asia/Kabul or Europe/London",
    ]


@pytest.mark.parametrize("zone, fix", [
    ("posix/Asia/Kabul", 'write "Asia/Kabul"'), ("right/Europe/London", 'write "Europe/London"'),
    ("right/localtime", "write the zone of the events as an IANA Area/City name such as Asia/Kabul or Europe/London"),
])
def test_a_time_zone_from_the_posix_or_right_copies_is_refused(errors, zone, fix):
    assert errors({"a.yaml": VALID}, settings=SETTINGS.replace("Asia/Kabul", zone)) == [
        f'content/timeline.yaml:3:11: error: timezone: "{zone}" is read from a copy of the time zone database '
        f"that only some machines have (right/ also counts leap seconds); {fix}",
    ]


@pytest.mark.parametrize("zone", ["Asia", "Etc", "Asia/../Europe/London", "/etc/localtime", "zone.tab", "x" * 60])
def test_a_time_zone_that_is_a_folder_or_path_is_an_error_not_a_crash(errors, zone):
    (found,) = errors({"a.yaml": VALID}, settings=SETTINGS.replace("Asia/Kabul", f'"{zone}"'))
    assert found.startswith(f'content/timeline.yaml:3:11: error: timezone: "{zone}" is not an IANA time zone name')


@pytest.mark.parametrize("zone", ["UTC", "Etc/GMT+5", "America/Argentina/Buenos_Aires", "EST5EDT"])
def test_ordinary_time_zones_are_accepted(errors, zone):
    assert errors({"a.yaml": VALID}, settings=SETTINGS.replace("Asia/Kabul", zone)) == []


# --- dates at the ends of the calendar ------------------------------------------------------------------

def test_a_time_pushed_out_of_the_calendar_by_the_time_zone_is_an_error_not_a_crash(errors):
    assert errors({"x.yaml": entry(date='"0001-01-01 00:00"')}) == [
        'content/entries/x.yaml:2:7: error: date: "0001-01-01 00:00" falls before year 1 in UTC (Asia/Kabul is '
        "UTC+4:36:48 at that time); a time must fall from 0001-01-01 00:00 to 9999-12-31 23:59 UTC: give the day "
        "alone, as in 0001-01-01",
    ]


def test_a_period_that_ends_in_the_last_year_of_the_calendar_is_fine(errors):
    assert errors({"x.yaml": entry(date="9999", end_date="9999")}) == []


# --- local images ---------------------------------------------------------------------------------------

def media_entry(src: str) -> str:
    return VALID + f"media:\n  src: {yaml.safe_dump(src, default_style=chr(34)).strip()}\n  alt: A map\n  credit: EFE\n"


@pytest.mark.parametrize("name, mark", [("a#b.jpg", "#"), ("x?.jpg", "?"), ("%41.jpg", "%")])
def test_a_local_image_whose_name_an_address_reads_otherwise_is_refused(errors, tmp_path, name, mark):
    (tmp_path / "content" / "media").mkdir(parents=True)
    (tmp_path / "content" / "media" / name).write_bytes(b"\xff\xd8\xff")
    assert errors({"x.yaml": media_entry(name)}) == [
        f'content/entries/x.yaml:8:8: error: media.src: "{name}" has {mark} in its name, which a web address '
        "reads otherwise; rename the file without #, ? or %",
    ]


def test_a_local_image_that_is_a_link_is_refused_wherever_it_leads(errors, tmp_path):
    media = tmp_path / "content" / "media"
    (media / "inside").mkdir(parents=True)
    secret = tmp_path / "secret.txt"
    secret.write_text("not for publication")
    (media / "photo.jpg").symlink_to(secret)
    (media / "outside").symlink_to(tmp_path)
    (media / "inside" / "real.jpg").write_bytes(b"\xff\xd8\xff")
    (media / "again.jpg").symlink_to(media / "inside" / "real.jpg")  # within the folder: refused all the same
    found = errors({"a.yaml": media_entry("photo.jpg"), "b.yaml": media_entry("outside/secret.txt"),
                    "c.yaml": media_entry("again.jpg"), "d.yaml": media_entry("inside/real.jpg")})
    assert [line.split(": error: ")[0] for line in found] == [f"content/entries/{name}.yaml:8:8" for name in "abc"]
    assert all("is a symbolic link" in line and "the builder follows no links" in line for line in found)
    assert not any("not for publication" in line for line in found)


def test_tag_with_nothing_to_spell_a_url(errors):
    assert errors({"a.yaml": VALID + 'tags: ["!!!"]\n'}) == [
        'content/entries/a.yaml:7:8: error: tags[1]: "!!!" needs at least one letter or digit (in any script) for its URL',
    ]


def test_tags_in_arabic_script_with_the_same_slug(errors):
    composed, decomposed = "آمریکا", "\u0627\u0653مریکا"  # alef with madda, written as one character or two
    assert errors({"a.yaml": VALID + f"tags: [{composed}, {decomposed}]\n"}) == [
        f'content/entries/a.yaml:7:{8 + len(composed) + 2}: error: tags[2]: "{decomposed}" has the same URL slug '
        f'"{composed}" as "{composed}"; keep one of them',
    ]


def test_place_in_cyrillic_script_gets_its_own_url(errors):
    assert errors({"a.yaml": VALID + "place:\n  name: Кабул\n"}) == []
