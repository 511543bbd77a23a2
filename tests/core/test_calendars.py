"""Dates in a second calendar (timeline/calendars.py), checked against published tables.

Sources of the expected values:

- [UT] The Iranian calendar authority's table of Solar Hijri leap years and of the Gregorian day of each
  1 Farvardin (1 Hamal), 1206 to 1498 SH: Center for Calendar, Institute of Geophysics, University of
  Tehran, "KabiseShamsi1206-1498-new.pdf" (calendar.ut.ac.ir), in the plain-text transcription
  kabise.txt of github.com/roozbehp/persiancalendar (CC0). The leap years and the new years below are
  read from it.
- [LAW] The Solar Hijri year's months: the first six of 31 days, the next five of 30, the last of 29 (30 in
  a leap year); Afghanistan names them Hamal ... Hut, after the signs of the zodiac (Encyclopaedia Iranica,
  "Calendars", part iii, Afghan calendars). A day of the year follows from its new year [UT] and these lengths.
- [AF] Constitution of Afghanistan (2004), article 18: the 28th of Asad (Independence Day, 19 August) is a
  public holiday.
- [SPA] Saudi Press Agency, statement of the Supreme Court, 10 August 2021 (as republished by the Saudi
  Gazette and moonsighting.org.uk): "Monday 1/1/1443 AH corresponding to 09th August 2021 [...] according
  to the Umm Al-Qura calendar", Sunday 8 August being 29/12/1442; the Court began the religious month on
  Tuesday 10 August, the crescent not having been sighted. And its statement of 28 July 2022: Saturday
  30 July 2022 is the first day of Muharram 1444 "according to Umm Al Qura calendar".
"""
from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest

from timeline.calendar_names import NAMES, SOURCES
from timeline.calendars import _convert, names_language, other_date
from timeline.dates import parse_date

KABUL = ZoneInfo("Asia/Kabul")

# [UT]: every leap year from 1300 to 1498 SH. 1403 is followed by a five-year gap: 1408, not 1407.
LEAP_YEARS = (1300, 1304, 1309, 1313, 1317, 1321, 1325, 1329, 1333, 1337, 1342, 1346, 1350, 1354, 1358, 1362,
              1366, 1370, 1375, 1379, 1383, 1387, 1391, 1395, 1399, 1403, 1408, 1412, 1416, 1420, 1424, 1428,
              1432, 1436, 1441, 1445, 1449, 1453, 1457, 1461, 1465, 1469, 1474, 1478, 1482, 1486, 1490, 1494,
              1498)
# [UT]: the Gregorian day of 1 Hamal (1 Farvardin), at the edges of the range and where it moves.
NEW_YEARS = {1300: date(1921, 3, 21), 1301: date(1922, 3, 22), 1336: date(1957, 3, 21), 1338: date(1959, 3, 22),
             1343: date(1964, 3, 21), 1375: date(1996, 3, 20), 1399: date(2020, 3, 20), 1400: date(2021, 3, 21),
             1403: date(2024, 3, 20), 1404: date(2025, 3, 21), 1407: date(2028, 3, 20), 1408: date(2029, 3, 20),
             1409: date(2030, 3, 21), 1469: date(2090, 3, 20), 1470: date(2091, 3, 21), 1479: date(2100, 3, 21),
             1498: date(2119, 3, 21)}


def when(text: str):
    return parse_date(text, KABUL)


def year_length(year: int) -> int:
    start = _new_year(year)
    return (_new_year(year + 1) - start).days


def _new_year(year: int) -> date:
    """The Gregorian day of 1 Hamal `year`, as the converter finds it: the day after the last of the year before."""
    guess = date(year + 621, 3, 18)
    while _convert(guess, "solar-hijri")[:2] != (year, 1):
        guess += timedelta(days=1)
    return guess


@pytest.mark.parametrize("year", range(1300, 1499))
def test_the_leap_years_are_the_calendar_authoritys(year):
    assert year_length(year) == (366 if year in LEAP_YEARS else 365)


@pytest.mark.parametrize("year, day", NEW_YEARS.items())
def test_the_new_years_are_the_calendar_authoritys(year, day):
    assert _convert(day, "solar-hijri") == (year, 1, 1)
    assert _convert(day - timedelta(days=1), "solar-hijri")[0] == year - 1


@pytest.mark.parametrize("day, expected", [
    (date(2021, 8, 6), (1400, 5, 15)),     # [UT][LAW]: the day Zaranj fell
    (date(2021, 8, 15), (1400, 5, 24)),    # [UT][LAW]: the day Kabul fell
    (date(2021, 8, 19), (1400, 5, 28)),    # [AF]: Independence Day, 28 Asad
    (date(2021, 5, 1), (1400, 2, 11)),     # [UT][LAW]
    (date(2021, 8, 31), (1400, 6, 9)),     # [UT][LAW]
    (date(2021, 3, 20), (1399, 12, 30)),   # [UT]: 1399 is leap, so Hut has a 30th day
    (date(2025, 3, 20), (1403, 12, 30)),   # [UT]: so does 1403
    (date(2026, 3, 20), (1404, 12, 29)),   # [UT]: 1404 is not leap
    (date(2021, 9, 22), (1400, 6, 31)),    # [LAW]: Sonbola, the sixth month, has 31 days
    (date(2021, 9, 23), (1400, 7, 1)),
    (date(2022, 3, 20), (1400, 12, 29)),   # [UT][LAW]: the last day of 1400, a common year
])
def test_days_against_the_tables(day, expected):
    assert _convert(day, "solar-hijri") == expected


@pytest.mark.parametrize("day, expected", [
    (date(2021, 8, 9), (1443, 1, 1)),      # [SPA]: the Umm al-Qura day, not the Court's religious one (10 August)
    (date(2021, 8, 8), (1442, 12, 29)),    # [SPA]
    (date(2021, 8, 6), (1442, 12, 27)),    # [SPA], two days before the 29th
    (date(2022, 7, 30), (1444, 1, 1)),     # [SPA]
    (date(2022, 7, 29), (1443, 12, 30)),   # [SPA]: "the completion of the month of Dhul-Hijjah 1443"
])
def test_umm_al_qura_days_against_the_announcements(day, expected):
    assert _convert(day, "islamic-umalqura") == expected


# --- as readers see them -------------------------------------------------------------------------------

@pytest.mark.parametrize("written, expected", [
    ("2021-08-06", "15 Asad 1400 SH"),
    ("6 August 2021", "15 Asad 1400 SH"),
    ("2021-08-06 13:00", "15 Asad 1400 SH"),           # a time of day: its day
    ("2021-08-06T23:30+00:00", "15 Asad 1400 SH"),     # the day as written, not as in Kabul (7 August)
    ("2021-08", "Asad\u2009–\u2009Sonbola 1400 SH"),   # a Gregorian month runs across two Solar Hijri months
    ("2021-03", "Hut 1399\u2009–\u2009Hamal 1400 SH"),  # ... and here across two years
    ("2021", "1399–1400 SH"),
    ("2021-03-21", "1 Hamal 1400 SH"),
])
def test_written_at_the_precision_given(written, expected):
    assert other_date(when(written), "solar-hijri", "en") == expected


@pytest.mark.parametrize("start, end, expected", [
    ("2021-08-06", "2021-08-07", "15–16 Asad 1400 SH"),
    ("2021-05-01", "2021-08-07", "11 Sawr\u2009–\u200916 Asad 1400 SH"),
    ("2021-03-01", "2021-04-01", "11 Hut 1399\u2009–\u200912 Hamal 1400 SH"),  # [UT][LAW]: 30 Hut is 20 March
    ("2021-08-06", "2021-09", "Asad\u2009–\u2009Mizan 1400 SH"),  # written as precisely as the coarser end
    ("2021-08", "2021-08", "Asad\u2009–\u2009Sonbola 1400 SH"),
    ("2020", "2021", "1398–1400 SH"),
])
def test_spans_convert_both_ends(start, end, expected):
    assert other_date(when(start), "solar-hijri", "en", when(end)) == expected


def test_umm_al_qura_in_english_and_arabic():
    assert other_date(when("2021-08-09"), "islamic-umalqura", "en") == "1 Muharram 1443 AH"
    assert other_date(when("2021-08-06"), "islamic-umalqura", "ar") == "27 ذو الحجة 1442 هـ"
    assert other_date(when("2021-08"), "islamic-umalqura", "en") == "Dhuʻl-Hijjah 1442\u2009–\u2009Muharram 1443 AH"


def test_dari_and_pashto_name_the_months_and_write_the_digits_as_cldr_does():
    assert other_date(when("2021-08-06"), "solar-hijri", "fa-AF") == "۱۵ اسد ۱۴۰۰"
    assert other_date(when("2021-08-06"), "solar-hijri", "fa-AF", when("2021-08-07")) == "۱۵ تا ۱۶ اسد ۱۴۰۰"
    assert other_date(when("2021-08-06"), "solar-hijri", "ps") == "AP ۱۴۰۰ زمری ۱۵"


def test_the_afghan_month_names_are_never_irans():
    for locale in NAMES["solar-hijri"]:
        assert NAMES["solar-hijri"][locale]["months"][4] not in ("Mordad", "مرداد", "мордад")
    assert NAMES["solar-hijri"]["fa-AF"]["months"][:2] == ("حمل", "ثور")
    # A French timeline's Solar Hijri dates are in English, marked as such; its Hijri dates are French.
    assert other_date(when("2021-08-06"), "solar-hijri", "fr") == "15 Asad 1400 SH"
    assert names_language("solar-hijri", "fr") == "en"
    assert names_language("islamic-umalqura", "fr") is None


@pytest.mark.parametrize("locale, expected, language", [
    ("en-GB", "15 Asad 1400 SH", None),
    ("EN_us", "15 Asad 1400 SH", None),
    ("fa", "۱۵ اسد ۱۴۰۰", None),          # Persian written in Iran still gets the Afghan names of this calendar
    ("fa-AF", "۱۵ اسد ۱۴۰۰", None),
    ("it", "15 Asad 1400 SH", "en"),
    ("zh", "波斯历1400年5月15日", None),
    ("zh-Hant-TW", "波斯历1400年5月15日", None),
])
def test_locales_are_matched_by_tag_then_language_then_english(locale, expected, language):
    assert other_date(when("2021-08-06"), "solar-hijri", locale) == expected
    assert names_language("solar-hijri", locale) == language


@pytest.mark.parametrize("calendar, written", [
    ("solar-hijri", "0600"),             # before 1 Hamal 1 (22 March 622)
    ("islamic-umalqura", "1924-07-31"),  # before the Umm al-Qura tables begin
    ("islamic-umalqura", "2077-11-17"),  # after they end
    ("islamic-umalqura", "1924"),        # a year that begins before them
])
def test_dates_outside_the_calendar_have_none(calendar, written):
    assert other_date(when(written), calendar, "en") is None


def test_the_edges_of_the_umm_al_qura_tables():
    """hijridate's range, as its documentation gives it: 1343 to 1500 AH, 1 August 1924 to 16 November 2077."""
    assert other_date(when("1924-08-01"), "islamic-umalqura", "en") == "1 Muharram 1343 AH"
    assert other_date(when("2077-11-16"), "islamic-umalqura", "en").endswith(" Dhuʻl-Hijjah 1500 AH")


def test_the_data_says_where_it_comes_from():
    assert SOURCES["solar-hijri"].startswith("cldr-cal-persian-full 46.1.0 (CLDR 46.1")
    assert SOURCES["islamic-umalqura"].startswith("cldr-cal-islamic-full 48.2.0 (CLDR 48")
    for calendar in NAMES.values():
        for data in calendar.values():
            assert len(data["months"]) == len(data["standalone"]) == 12
            assert len(data["digits"]) == 10
