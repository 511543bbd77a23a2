"""The fields that let readers see time, checked as docs/format.md describes them: an entry's key,
status and sources' via; the settings' short_title, as_of, recent_days and eras. Each problem is told
with its file, line, column, field and the message in full."""
from __future__ import annotations

from pathlib import Path

import pytest

from support import CONTENT, SETTINGS, VALID, copy_content, run_cli
from timeline.load import load_content

ERA = "  - label: The withdrawal\n    start: 2021-05-01\n    end: 2021-08-31\n"


@pytest.fixture
def problems(tmp_path, monkeypatch):
    """problems(entry=..., settings=...) -> every line check prints, paths relative to the working folder."""
    monkeypatch.chdir(tmp_path)

    def run(entry: str = VALID, settings: str = SETTINGS) -> list[str]:
        content = tmp_path / "content"
        (content / "entries").mkdir(parents=True, exist_ok=True)
        (content / "timeline.yaml").write_text(settings, encoding="utf-8")
        (content / "entries" / "zaranj-falls.yaml").write_text(entry, encoding="utf-8")
        return [str(p) for p in load_content(Path("content")).problems]
    return run


ENTRY_FILE = "content/entries/zaranj-falls.yaml"
SETTINGS_FILE = "content/timeline.yaml"


# ---------------------------------------------------------------- an entry's key, status and via

def test_valid_key_status_and_via_pass(problems):
    entry = VALID.replace("sources:", "key: true\nstatus: scheduled\nsources:") + \
        "  - name: Zabihullah Mujahid, Taliban spokesman\n    via: EFE\n"
    assert problems(entry) == []


@pytest.mark.parametrize("line, expected", [
    ("key: maybe", 'key: expected true or false, found the text "maybe"'),
    ("key: 1", "key: expected true or false"),
    ('key: "true"', "key: expected true or false"),
])
def test_key_is_a_boolean(problems, line, expected):
    found = problems(VALID.replace("sources:", f"{line}\nsources:"))
    assert len(found) == 1 and found[0].startswith(f"{ENTRY_FILE}:4:6: error: {expected}"), found


@pytest.mark.parametrize("value, expected", [
    ("sheduled", 'status: "sheduled" is not one of scheduled, ongoing; did you mean "scheduled"?'),
    ("Ongoing", 'status: "Ongoing" is not one of scheduled, ongoing; did you mean "ongoing"?'),
    ("finished", 'status: "finished" is not one of scheduled, ongoing'),
])
def test_status_is_one_of_its_choices(problems, value, expected):
    assert problems(VALID.replace("sources:", f"status: {value}\nsources:")) == [
        f"{ENTRY_FILE}:4:9: error: {expected}"]


def test_via_is_one_line_of_text(problems):
    entry = VALID + "  - name: A spokesman\n    via: [EFE]\n"
    (found,) = [p for p in problems(entry) if "error" in p]
    assert found.startswith(f"{ENTRY_FILE}:8:10: error: sources[2].via: expected text")


@pytest.mark.parametrize("source, warned", [
    ("  - name: Nobody\n", True),
    ("  - name: A spokesman\n    via: EFE\n", False),
    ("  - name: Ministry of Defence\n    title: Daily report\n    date: 2021-08-07\n", False),
    ("  - name: Ministry of Defence\n    title: Daily report\n", True),
    ("  - name: Ministry of Defence\n    date: 2021-08-07\n", True),
    ("  - name: Wire\n    url: https://wire.example.org/\n", False),
])
def test_a_source_readers_cannot_trace_is_warned_about(problems, source, warned):
    found = problems(VALID + source)
    expected = [f"{ENTRY_FILE}:7:5: warning: sources[2].url: says neither where to read it nor who reported "
                "it: add its url, or via: the outlet or document that reported it (a source that is itself a "
                "document needs its title and date)"]
    assert found == (expected if warned else [])


def test_the_missing_summary_warnings_with_a_body_and_without(problems):
    without = VALID.replace("summary: The first provincial capital to fall.\n", "")
    assert problems(without) == [
        f"{ENTRY_FILE}:1:1: warning: summary: is missing, and so is the body: add a summary, or the lists, "
        "cards and feeds show the title alone"]
    assert problems(without + "body: Residents fled.\n") == [
        f"{ENTRY_FILE}:1:1: warning: summary: is missing: add one or two sentences for the lists, cards and "
        "feeds (until then they show the first paragraph of the body)"]


# ---------------------------------------------------------------- the settings

def test_valid_settings_for_time_pass(problems):
    settings = SETTINGS + 'short_title: "Afghanistan 2021"\nas_of: 2021-08-07\nrecent_days: 0\neras:\n' + ERA
    assert problems(settings=settings) == []
    assert problems(settings=SETTINGS + "recent_days: 366\nas_of: 7 August 2021\n") == []


def test_short_title_is_at_most_40_characters(problems):
    settings = SETTINGS + f'short_title: "{"x" * 41}"\n'
    assert problems(settings=settings) == [
        f"{SETTINGS_FILE}:4:14: error: short_title: is 41 characters long; the limit is 40, shorten it"]
    assert problems(settings=SETTINGS + f'short_title: "{"x" * 40}"\n') == []


@pytest.mark.parametrize("value, expected", [
    ("2021-02-30", 'as_of: "2021-02-30" is not a real date (February 2021 has 28 days)'),
    ("soon", 'as_of: "soon"'),
])
def test_as_of_is_a_date(problems, value, expected):
    (found,) = problems(settings=SETTINGS + f"as_of: {value}\n")
    assert found.startswith(f"{SETTINGS_FILE}:4:8: error: {expected}"), found


@pytest.mark.parametrize("value, expected", [
    ("367", "recent_days: 367 is out of range; it must be from 0 to 366"),
    ("-1", "recent_days: -1 is out of range; it must be from 0 to 366"),
    ("2.5", "recent_days: must be a whole number of days"),
    ("a week", "recent_days: expected a number"),
])
def test_recent_days_is_a_whole_number_from_0_to_366(problems, value, expected):
    (found,) = problems(settings=SETTINGS + f"recent_days: {value}\n")
    assert found.startswith(f"{SETTINGS_FILE}:4:14: error: {expected}"), found


def test_an_era_needs_a_label(problems):
    settings = SETTINGS + "eras:\n  - start: 2021-05-01\n    end: 2021-08-31\n"
    assert problems(settings=settings) == [
        f"{SETTINGS_FILE}:5:5: error: eras[1].label: is required; add it, for example label: Final phase of "
        "the foreign troop withdrawal"]


def test_an_era_may_not_end_before_it_starts(problems):
    settings = SETTINGS + "eras:\n  - label: Backwards\n    start: 2021-08-31\n    end: 2021-05-01\n"
    assert problems(settings=settings) == [
        f'{SETTINGS_FILE}:7:10: error: eras[1].end: "2021-05-01" is before the start "2021-08-31"; swap them '
        "or fix the typo"]


@pytest.mark.parametrize("field, value, expected", [
    ("start", "2021-13", 'eras[1].start: "2021-13" is not a real date (there is no month 13)'),
    ("end", "2021-02-30", 'eras[1].end: "2021-02-30" is not a real date (February 2021 has 28 days)'),
])
def test_an_eras_dates_are_real_dates(problems, field, value, expected):
    settings = SETTINGS + "eras:\n" + ERA.replace(f"{field}: " + ("2021-05-01" if field == "start" else "2021-08-31"),
                                                  f"{field}: {value}")
    line = 6 if field == "start" else 7
    column = 12 if field == "start" else 10
    assert problems(settings=settings) == [f"{SETTINGS_FILE}:{line}:{column}: error: {expected}"]


def test_an_eras_label_is_at_most_80_characters(problems):
    settings = SETTINGS + "eras:\n" + ERA.replace("The withdrawal", "x" * 81)
    assert problems(settings=settings) == [
        f"{SETTINGS_FILE}:5:12: error: eras[1].label: is 81 characters long; the limit is 80, shorten it"]


def test_at_most_50_eras(problems):
    settings = SETTINGS + "eras:\n" + ERA * 51
    (found,) = problems(settings=settings)
    assert found.startswith(f"{SETTINGS_FILE}:5:3: error: eras: ") and "at most 50" in found, found
    assert "keep the periods readers need to place the events" in found
    assert problems(settings=SETTINGS + "eras:\n" + ERA * 50) == []


def test_eras_may_overlap(problems):
    settings = SETTINGS + "eras:\n" + ERA + ERA.replace("The withdrawal", "Overlapping").replace("2021-05-01", "2021-06-01")
    assert problems(settings=settings) == []


def test_an_unknown_era_field_is_named(problems):
    settings = SETTINGS + "eras:\n" + ERA + "    colour: red\n"
    (found,) = problems(settings=settings)
    assert found.startswith(f"{SETTINGS_FILE}:8:5: error: eras[1].colour: unknown field"), found


# ---------------------------------------------------------------- the shipped content

def test_check_strict_passes_on_the_shipped_content(tmp_path, capsys):
    content = copy_content(tmp_path / "content", CONTENT)
    assert run_cli("check", "--strict", "--content", content) == 0
    assert "warning" not in capsys.readouterr().err
