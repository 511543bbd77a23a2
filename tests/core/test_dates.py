"""Dates as editors write them: every accepted form, kept at the precision written."""
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from timeline.dates import DateError, format_date, parse_date, period_end
from timeline.model import DAY, MINUTE, MONTH, YEAR

KABUL = ZoneInfo("Asia/Kabul")
LONDON = ZoneInfo("Europe/London")


@pytest.mark.parametrize("written, precision, start, shown", [
    ("2021", YEAR, datetime(2021, 1, 1, tzinfo=KABUL), "2021"),
    ("2021-08", MONTH, datetime(2021, 8, 1, tzinfo=KABUL), "August 2021"),
    ("2021-08-06", DAY, datetime(2021, 8, 6, tzinfo=KABUL), "6 August 2021"),
    ("2021-08-06 14:30", MINUTE, datetime(2021, 8, 6, 14, 30, tzinfo=KABUL), "6 August 2021, 14:30 (UTC+4:30)"),
    ("2021-08-06T14:30", MINUTE, datetime(2021, 8, 6, 14, 30, tzinfo=KABUL), "6 August 2021, 14:30 (UTC+4:30)"),
    ("6 August 2021", DAY, datetime(2021, 8, 6, tzinfo=KABUL), "6 August 2021"),
    ("August 6, 2021", DAY, datetime(2021, 8, 6, tzinfo=KABUL), "6 August 2021"),
    ("6 Aug 2021", DAY, datetime(2021, 8, 6, tzinfo=KABUL), "6 August 2021"),
    ("Friday 6 August 2021", DAY, datetime(2021, 8, 6, tzinfo=KABUL), "6 August 2021"),
    ("August 2021", MONTH, datetime(2021, 8, 1, tzinfo=KABUL), "August 2021"),
    ("6 August 2021 14:30", MINUTE, datetime(2021, 8, 6, 14, 30, tzinfo=KABUL), "6 August 2021, 14:30 (UTC+4:30)"),
])
def test_accepted_forms_keep_the_precision_written(written, precision, start, shown):
    date = parse_date(written, KABUL)
    assert date.written == written
    assert date.precision == precision
    assert date.start == start
    assert format_date(date) == shown


def test_a_month_is_never_shown_as_its_first_day():
    date = parse_date("August 2021", KABUL)
    assert format_date(date) == "August 2021"
    assert date.day is None
    assert date.iso() == "2021-08"


def test_a_year_is_shown_as_the_year_alone():
    date = parse_date("2021", KABUL)
    assert (format_date(date), date.month, date.iso()) == ("2021", None, "2021")


def test_circa_is_shown():
    assert format_date(parse_date("2021-08", KABUL), circa=True) == "c. August 2021"


def test_surrounding_spaces_are_ignored():
    assert parse_date("  2021-08-06 ", KABUL).iso() == "2021-08-06"


@pytest.mark.parametrize("written, offset_minutes, shown", [
    ("2021-08-06T14:30+04:30", 270, "6 August 2021, 14:30 (UTC+4:30)"),
    ("2021-08-06T14:30+0430", 270, "6 August 2021, 14:30 (UTC+4:30)"),
    ("2021-08-06T14:30-05:00", -300, "6 August 2021, 14:30 (UTC-5)"),
    ("2021-08-06T09:00Z", 0, "6 August 2021, 09:00 (UTC)"),
    ("2021-08-06 14:30:00+04:30", 270, "6 August 2021, 14:30 (UTC+4:30)"),
    ("6 August 2021 14:30 +04:30", 270, "6 August 2021, 14:30 (UTC+4:30)"),
])
def test_an_explicit_offset_is_kept_and_shown(written, offset_minutes, shown):
    date = parse_date(written, KABUL)
    assert date.precision == MINUTE
    assert date.explicit_offset == offset_minutes
    assert date.start.utcoffset() == timedelta(minutes=offset_minutes)
    assert format_date(date) == shown


def test_a_time_without_offset_is_in_the_timeline_time_zone():
    kabul = parse_date("2021-08-06 14:30", KABUL)
    london = parse_date("2021-08-06 14:30", LONDON)
    assert kabul.explicit_offset is None
    assert kabul.start.astimezone(timezone.utc) == datetime(2021, 8, 6, 10, 0, tzinfo=timezone.utc)
    assert london.start.astimezone(timezone.utc) == datetime(2021, 8, 6, 13, 30, tzinfo=timezone.utc)
    assert format_date(london) == "6 August 2021, 14:30 (UTC+1)"


def test_the_same_instant_written_two_ways_is_equal():
    assert parse_date("2021-08-06 14:30", KABUL).start == parse_date("2021-08-06T10:00Z", KABUL).start


@pytest.mark.parametrize("written, message", [
    ("06/08/2021", '"06/08/2021" is ambiguous or not a form this tool reads (day/month or month/day?); '
                   "write it as 2021-08-06 or 6 August 2021"),
    ("08/06/2021", '"08/06/2021" is ambiguous or not a form this tool reads (day/month or month/day?); '
                   "write it as 2021-08-06 or 6 August 2021"),
    ("6.8.2021", '"6.8.2021" is ambiguous or not a form this tool reads (day/month or month/day?); '
                 "write it as 2021-08-06 or 6 August 2021"),
    ("6 August 21", '"6 August 21" gives the year in two digits, which could be read two ways; '
                    'write it in full, as in "6 August 2021"'),
    ("6 August", '"6 August" has no year; add one, as in "6 August 2021"'),
    ("Monday 6 August 2021", '"Monday 6 August 2021" names Monday, but 6 August 2021 was a Friday; check the date'),
    ("Friday August 2021", '"Friday August 2021" names Friday but no day of the month; write it as "6 August 2021"'),
    ("6 August 2021 14:30 PDT", '"6 August 2021 14:30 PDT" names a time zone; write a numeric offset such as +04:30'),
    ("sometime in summer", '"sometime in summer" is not a date this tool can read; write it as 2021, 2021-08, '
                           '2021-08-06, "2021-08-06 14:30", "6 August 2021" or "August 2021"'),
    ("", 'is empty; write it as 2021, 2021-08, 2021-08-06, "2021-08-06 14:30", "6 August 2021" or "August 2021"'),
])
def test_ambiguous_and_unreadable_dates_are_refused(written, message):
    with pytest.raises(DateError) as caught:
        parse_date(written, KABUL)
    assert str(caught.value) == message


@pytest.mark.parametrize("written, message", [
    ("2021-02-30", '"2021-02-30" is not a real date (February 2021 has 28 days)'),
    ("2020-02-30", '"2020-02-30" is not a real date (February 2020 has 29 days)'),
    ("2021-04-31", '"2021-04-31" is not a real date (April 2021 has 30 days)'),
    ("2021-13", '"2021-13" is not a real date (there is no month 13)'),
    ("2021-00-10", '"2021-00-10" is not a real date (there is no month 0)'),
    ("2021-08-06 24:00", '"2021-08-06 24:00" is not a real time of day (00:00 to 23:59)'),
    ("2021-08-06 14:61", '"2021-08-06 14:61" is not a real time of day (00:00 to 23:59)'),
    ("2021-08-06 14:30:15", '"2021-08-06 14:30:15" gives seconds; times are kept to the minute, write 2021-08-06 14:30'),
    ("2021-08-06T14:30+15:00", '"2021-08-06T14:30+15:00" has an impossible UTC offset +15:00'),
    ("31 February 2021", '"31 February 2021" is not a real date (there is no such day in that month)'),
    ("0000-01-01", '"0000-01-01" has year 0; years start at 1'),
])
def test_impossible_dates_are_refused(written, message):
    with pytest.raises(DateError) as caught:
        parse_date(written, KABUL)
    assert str(caught.value) == message


def test_february_29_in_a_leap_year_is_real():
    assert format_date(parse_date("2020-02-29", KABUL)) == "29 February 2020"


def test_a_time_skipped_by_daylight_saving_is_refused():
    with pytest.raises(DateError) as caught:
        parse_date("2021-03-28 01:30", LONDON)
    assert str(caught.value).startswith('"2021-03-28 01:30" does not exist in the time zone Europe/London')
    # The same time with an explicit offset is unambiguous.
    assert parse_date("2021-03-28T01:30+00:00", LONDON).explicit_offset == 0


@pytest.mark.parametrize("written, end", [
    ("2021", datetime(2022, 1, 1, tzinfo=KABUL)),
    ("2021-12", datetime(2022, 1, 1, tzinfo=KABUL)),
    ("2021-08-06", datetime(2021, 8, 7, tzinfo=KABUL)),
    ("2021-08-06 14:30", datetime(2021, 8, 6, 14, 31, tzinfo=KABUL)),
])
def test_period_end_is_the_first_instant_after_the_date(written, end):
    assert period_end(parse_date(written, KABUL)) == end
