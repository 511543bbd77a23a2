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

from timeline.load import load_content
from timeline.fields import ENTRY_FIELDS
from timeline.validate import Report, _url
from timeline.yamlfile import Scalar, _plain_kind

SETTINGS = 'title: Test timeline\nbase_url: "https://example.org/t/"\ntimezone: Asia/Kabul\n'
VALID = """\
title: Zaranj falls
date: 2021-08-06
summary: The first provincial capital to fall.
sources:
  - name: Tolo News
    url: https://tolonews.com/
"""


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
        "summary, body, tags, place, sources, media, draft, updated, corrections, aliases, found a list",
    ]


def test_top_level_text(errors):
    assert errors({"x.yaml": "Zaranj falls\n"}) == [
        "content/entries/x.yaml:1:1: error: expected a mapping of title, date, end_date, circa, date_label, "
        'summary, body, tags, place, sources, media, draft, updated, corrections, aliases, '
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
        "date_label, summary, body, tags, place, sources, media, draft, updated, corrections, aliases",
    ]


def test_unknown_nested_field(errors):
    assert errors({"x.yaml": VALID.replace("    url:", "    link:")}) == [
        "content/entries/x.yaml:6:5: error: sources[1].link: unknown field; known fields: name, url, title, date, quote",
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


def test_settings_required_title_empty_is_an_error_not_a_crash(errors):
    assert errors({"a.yaml": VALID}, settings=SETTINGS.replace("title: Test timeline", "title:")) == [
        "content/timeline.yaml:1:7: error: title: is required but empty; write it after the colon, "
        "for example title: The Taliban offensive of 2021",
    ]


def test_settings_not_a_mapping(errors):
    assert errors({"a.yaml": VALID}, settings="- title\n") == [
        "content/timeline.yaml:1:1: error: expected a mapping of title, base_url, timezone, description, "
        "language, publisher, entries_per_page, found a list",
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
        "content/entries/a.yaml:5:5: warning: sources[1].url: has no URL; add one so readers can check the source",
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
                      st.text(alphabet="hHtTpPsS:/.-[]@\\?#ÄäÀ0129 \t\u00a0\u2028\x1c\x00", max_size=24),
                      st.builds(lambda rest: "https://" + rest, st.text(max_size=16)))


def _url_by_urlsplit(value: str, https_only: bool) -> bool:
    """The rule the validator states: an http(s) scheme, a host, no space (as urlsplit reads them)."""
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    return parts.scheme.lower() in (("https",) if https_only else ("http", "https")) and bool(parts.netloc) \
        and not re.search(r"\s", value)


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
        assert accepted == _url_by_urlsplit(value, https_only)


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
