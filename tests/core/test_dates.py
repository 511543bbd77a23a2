"""Dates as editors write them: every accepted form, kept at the precision written."""
import re
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from timeline.dates import DateError, end_instant, format_offset, instant, parse_date
from timeline.locales import formats_for

# Dates as the English of the shipped timeline (en-GB) writes them, CLDR's patterns through Babel.
format_date = formats_for("en-GB").date
from timeline.model import DAY, MINUTE, MONTH, YEAR, Entry, Source, internet_time
from timeline.order import order_entries

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
                    'write it in full, as in "6 August 2021" (the year 21 is written 0021)'),
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
    ("31 February 2021", '"31 February 2021" is not a real date (February 2021 has 28 days)'),
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
def test_end_instant_is_the_first_instant_after_the_date(written, end):
    assert end_instant(parse_date(written, KABUL)) == instant(end)


# --- the range of years: 1 to 9999 in any zone; a time within those years in UTC too --------------

KIRITIMATI = ZoneInfo("Pacific/Kiritimati")  # UTC+14 today
ADAK = ZoneInfo("America/Adak")  # UTC-10 today; UTC+12:13:22 (local mean time) before 1867
EDGE_ZONES = [KABUL, KIRITIMATI, ADAK, ZoneInfo("Etc/GMT-14"), ZoneInfo("Etc/GMT+12")]


@pytest.mark.parametrize("tz", EDGE_ZONES, ids=str)
@pytest.mark.parametrize("written, precision, wall", [
    ("0001", YEAR, datetime(1, 1, 1)),
    ("0001-01", MONTH, datetime(1, 1, 1)),
    ("0001-01-01", DAY, datetime(1, 1, 1)),
    ("1 January 0001", DAY, datetime(1, 1, 1)),
    ("9999", YEAR, datetime(9999, 1, 1)),
    ("9999-12", MONTH, datetime(9999, 12, 1)),
    ("9999-12-31", DAY, datetime(9999, 12, 31)),
    ("31 December 9999", DAY, datetime(9999, 12, 31)),
    ("0001-01-02 00:00", MINUTE, datetime(1, 1, 2)),
    ("9999-12-30 23:59", MINUTE, datetime(9999, 12, 30, 23, 59)),
])
def test_dates_at_the_edges_of_the_years_are_read_in_every_zone(tz, written, precision, wall):
    date = parse_date(written, tz)
    assert (date.precision, date.start) == (precision, wall.replace(tzinfo=tz))
    assert end_instant(date) > instant(date.start)
    assert date.iso() and date.start_iso() and format_date(date)


@pytest.mark.parametrize("written, tz, message", [
    ("0001-01-01 00:00", KABUL, '"0001-01-01 00:00" falls before year 1 in UTC (Asia/Kabul is UTC+4:36:48 at that '
                                "time); a time must fall from 0001-01-01 00:00 to 9999-12-31 23:59 UTC: give the day "
                                "alone, as in 0001-01-01"),
    ("1 January 0001 00:00", ADAK, '"1 January 0001 00:00" falls before year 1 in UTC (America/Adak is UTC+12:13:22 '
                                   "at that time); a time must fall from 0001-01-01 00:00 to 9999-12-31 23:59 UTC: "
                                   "give the day alone, as in 0001-01-01"),
    ("0001-01-01T00:00+14:00", KABUL, '"0001-01-01T00:00+14:00" falls before year 1 in UTC (at UTC+14); a time must '
                                      "fall from 0001-01-01 00:00 to 9999-12-31 23:59 UTC: give the day alone, as in "
                                      "0001-01-01"),
    ("9999-12-31 23:59", ADAK, '"9999-12-31 23:59" falls after year 9999 in UTC (America/Adak is UTC-10 at that '
                               "time); a time must fall from 0001-01-01 00:00 to 9999-12-31 23:59 UTC: give the day "
                               "alone, as in 9999-12-31"),
    ("31 December 9999 23:59 -1200", KABUL, '"31 December 9999 23:59 -1200" falls after year 9999 in UTC (at UTC-12); '
                                            "a time must fall from 0001-01-01 00:00 to 9999-12-31 23:59 UTC: give the "
                                            "day alone, as in 9999-12-31"),
    ("2021-08-06T14:30+25:00", KABUL, '"2021-08-06T14:30+25:00" has an impossible UTC offset +25:00'),
    ("6 August 2021 14:30 +2500", KABUL, '"6 August 2021 14:30 +2500" has an impossible UTC offset +2500'),
    ("6 August 2021 14:30 UTC+25", KABUL, '"6 August 2021 14:30 UTC+25" has an impossible UTC offset UTC+25'),
])
def test_times_outside_the_years_in_utc_and_impossible_offsets_are_refused(written, tz, message):
    with pytest.raises(DateError) as caught:
        parse_date(written, tz)
    assert str(caught.value) == message


@pytest.mark.parametrize("written, message", [
    ("800", '"800" does not give the year in four digits; write it in full, as in 2021-08-06 (the year 800 is '
            "written 0800)"),
    ("800-08-06", '"800-08-06" does not give the year in four digits; write it in full, as in 2021-08-06 (the year '
                  "800 is written 0800)"),
    ("-44", '"-44" is before year 1; years start at 1 (there are no years BC)'),
    ("15 March 44 BC", '"15 March 44 BC" is before year 1; years start at 1 (there are no years BC)'),
    ("20210", '"20210" is after year 9999; years go from 1 to 9999'),
    ("6 August 20210", '"6 August 20210" has a year after 9999; years go from 1 to 9999'),
])
def test_years_outside_1_to_9999_or_not_in_four_digits_are_refused(written, message):
    with pytest.raises(DateError) as caught:
        parse_date(written, KABUL)
    assert str(caught.value) == message


@pytest.mark.parametrize("written, start", [
    ("0800-08-06", datetime(800, 8, 6)),
    ("6 August 800", datetime(800, 8, 6)),
    ("6 August 0021", datetime(21, 8, 6)),  # dateutil read this as 2021
    ("6 August 800 AD", datetime(800, 8, 6)),
    ("AD 800", None),
])
def test_early_years_are_read_exactly(written, start):
    if start is None:
        with pytest.raises(DateError):
            parse_date(written, KABUL)
        return
    assert parse_date(written, KABUL).start == start.replace(tzinfo=KABUL)


def test_a_period_that_runs_to_the_end_of_9999_ends_after_its_last_minute():
    utc = timezone.utc
    assert end_instant(parse_date("9999", utc)) == instant(datetime(9999, 12, 31, 23, 59, tzinfo=utc)) + 60
    assert end_instant(parse_date("9999-12", ADAK)) == instant(datetime(9999, 12, 31, 23, 59, tzinfo=ADAK)) + 60
    assert end_instant(parse_date("31 December 9999", KIRITIMATI)) == \
        instant(datetime(9999, 12, 31, 23, 59, tzinfo=KIRITIMATI)) + 60


def test_end_instant_counts_the_hour_a_day_gains_when_the_clocks_go_back():
    # 31 October 2021 lasted 25 hours in London.
    day = parse_date("2021-10-31", LONDON)
    assert end_instant(day) - instant(day.start) == 25 * 3600


@pytest.mark.parametrize("tz", [KABUL, ADAK, KIRITIMATI], ids=str)
def test_entries_at_the_edges_of_the_years_are_ordered_by_the_instant(tz):
    def entry(entry_id, written):
        return Entry(id=entry_id, source_path=f"{entry_id}.yaml", title=entry_id, date=parse_date(written, tz),
                     sources=(Source(name="EFE"),))
    # In year 1 Kabul was at UTC+4:36:48, Adak at UTC+12:13:22 and Kiritimati at UTC-10:29:20, so each
    # zone's year 1 began before 1 January 1, 12:00 UTC; and 31 December 9999 begins before 23:59 UTC.
    entries = [entry("last-minute", "9999-12-31T23:59Z"), entry("last-day", "9999-12-31"),
               entry("day-two", "0001-01-02T00:00Z"), entry("year-one", "0001"), entry("last-year", "9999"),
               entry("noon-utc", "0001-01-01T00:00-12:00")]
    assert [e.id for e in order_entries(entries)] == [
        "year-one", "noon-utc", "day-two", "last-year", "last-day", "last-minute"]


# --- the instant of a date in the time zone's local mean time -----------------------------------

def test_local_mean_time_is_shown_to_the_second():
    date = parse_date("1850-08-06 14:30", KABUL)
    assert format_offset(date.start) == "UTC+4:36:48"
    assert format_date(date) == "6 August 1850, 14:30 (UTC+4:36:48)"


def test_local_mean_time_is_written_in_utc_where_an_offset_must_be_whole_minutes():
    # RFC 3339 (the feed) and HTML's datetime take an offset in hours and minutes only.
    assert parse_date("1850-08-06 14:30", KABUL).iso() == "1850-08-06T09:53:12Z"
    assert parse_date("1850-08-06", KABUL).start_iso() == "1850-08-05T19:23:12Z"
    assert parse_date("1850-08-06", KABUL).iso() == "1850-08-06"


def test_the_start_of_year_one_east_of_utc_is_written_on_the_day_before_it():
    assert parse_date("0001", KABUL).start_iso() == "0000-12-31T19:23:12Z"


@pytest.mark.parametrize("moment, timespec, written", [
    (datetime(2021, 8, 6, 14, 30, tzinfo=KABUL), "minutes", "2021-08-06T14:30+04:30"),
    (datetime(2021, 8, 6, tzinfo=KABUL), "seconds", "2021-08-06T00:00:00+04:30"),
    (datetime(9999, 12, 31, 23, 59, tzinfo=ADAK), "seconds", "9999-12-31T23:59:00-10:00"),
    (datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=14))), "seconds", "0001-01-01T00:00:00+14:00"),
])
def test_whole_minute_offsets_are_written_as_they_are(moment, timespec, written):
    assert internet_time(moment, timespec) == written


# --- clock changes -------------------------------------------------------------------------------

def test_a_time_the_clocks_pass_twice_is_refused():
    with pytest.raises(DateError) as caught:
        parse_date("2021-10-31 01:30", LONDON)
    assert str(caught.value) == (
        '"2021-10-31 01:30" happens twice in the time zone Europe/London: the clocks went back over it; write the '
        "offset, as in 2021-10-31T01:30+01:00 (the first time) or 2021-10-31T01:30+00:00 (the second)")
    assert parse_date("2021-10-31T01:30+00:00", LONDON).explicit_offset == 0


def test_a_time_the_clocks_skip_is_refused_in_words_too():
    with pytest.raises(DateError) as caught:
        parse_date("28 March 2021 1:30am", LONDON)
    assert "does not exist in the time zone Europe/London" in str(caught.value)


# --- written-out times: read exactly, or refused with the fix -----------------------------------

@pytest.mark.parametrize("written, hour, minute", [
    ("6 August 2021 4am", 4, 0),
    ("6 August 2021 4 am", 4, 0),
    ("6 August 2021 4 a.m.", 4, 0),
    ("6 August 2021 4AM", 4, 0),
    ("6 August 2021 4pm", 16, 0),
    ("6 August 2021 11pm", 23, 0),
    ("6 August 2021 4:30am", 4, 30),
    ("6 August 2021 4:30 p.m.", 16, 30),
    ("6 August 2021 16h", 16, 0),
    ("6 August 2021 4h", 4, 0),
    ("6 August 2021 14h30", 14, 30),
    ("6 August 2021 14:30", 14, 30),
    ("6 August 2021 14:30:00", 14, 30),
    ("6 August 2021, 14:30", 14, 30),
    ("6 August 2021 at 4pm", 16, 0),
    ("August 6, 2021, 4 p.m.", 16, 0),
    ("4pm 6 August 2021", 16, 0),
    ("4pm on 6 August 2021", 16, 0),
    ("14:30, 6 August 2021", 14, 30),
    ("14:30 Friday 6 August 2021", 14, 30),
])
def test_written_out_times_are_read_to_the_minute(written, hour, minute):
    date = parse_date(written, KABUL)
    assert (date.precision, date.start) == (MINUTE, datetime(2021, 8, 6, hour, minute, tzinfo=KABUL))


@pytest.mark.parametrize("written, offset_minutes", [
    ("6 August 2021 14:30 +04:30", 270),
    ("6 August 2021 14:30 +0430", 270),
    ("6 August 2021 4 pm +0430", 270),
    ("6 August 2021 14:30 UTC+4:30", 270),  # dateutil read this as UTC-4:30
    ("6 August 2021 14:30 GMT+3", 180),  # and this as UTC-3
    ("6 August 2021 14:30 GMT-5", -300),
    ("6 August 2021 14:30 UTC", 0),
    ("6 August 2021 14:30Z", 0),
    ("6 August 2021, 14:30 (UTC+4:30)", 270),  # as the site shows it
    ("6 August 2021, 14:30 (UTC)", 0),
])
def test_written_out_offsets_are_read_with_their_sign(written, offset_minutes):
    assert parse_date(written, KABUL).explicit_offset == offset_minutes


@pytest.mark.parametrize("written, message", [
    ("6 August 2021 13", '"6 August 2021 13" gives an hour without minutes or am/pm, which could be read two ways; '
                         'write it as "6 August 2021 13:00"'),
    ("6 August 2021 at 4", '"6 August 2021 at 4" gives an hour without minutes or am/pm, which could be read two '
                           'ways; write it as "6 August 2021 04:00" or "6 August 2021 16:00"'),
    ("6 August 2021 4 o'clock", '"6 August 2021 4 o\'clock" gives an hour without minutes or am/pm, which could be '
                                'read two ways; write it as "6 August 2021 04:00" or "6 August 2021 16:00"'),
    ("6 August 2021 12am", '"6 August 2021 12am": 12am and 12pm are read both ways; write the time on the 24-hour '
                           "clock, 00:00 after midnight or 12:00 after noon"),
    ("6 August 2021 12:30pm", '"6 August 2021 12:30pm": 12am and 12pm are read both ways; write the time on the '
                              "24-hour clock, 00:30 after midnight or 12:30 after noon"),
    ("6 August 2021 13pm", '"6 August 2021 13pm" is not a real time: am and pm go with the hours 1 to 11; write the '
                           "time on the 24-hour clock, as in 14:30"),
    ("6 August 2021 0am", '"6 August 2021 0am" is not a real time: am and pm go with the hours 1 to 11; write the '
                          "time on the 24-hour clock, as in 14:30"),
    ("6 August 2021 24h", '"6 August 2021 24h" is not a real time of day (00:00 to 23:59)'),
    ("6 August 2021 noon", '"6 August 2021 noon": write noon as 12:00, as in "6 August 2021 12:00"'),
    ("6 August 2021 midnight", '"6 August 2021 midnight": midnight could begin or end the day; write "6 August 2021 '
                               '00:00" for the one that begins it, or "7 August 2021 00:00" for the one that ends it'),
    ("6 August 2021 14.30", '"6 August 2021 14.30": write the time with a colon, as in "6 August 2021 14:30"'),
    ("6 August 2021 2.30pm", '"6 August 2021 2.30pm": write the time with a colon, as in "6 August 2021 14:30"'),
    ("6 August 2021 1430", '"6 August 2021 1430" has more than one year (2021, 1430), or a time without a colon; '
                           'write one date, and any time with a colon, as in "6 August 2021 14:30"'),
    ("6 August 2021 14:30:15", '"6 August 2021 14:30:15" gives seconds; times are kept to the minute'),
    ("6 August 2021 14:30 15:00", '"6 August 2021 14:30 15:00" gives a time this tool cannot place; write one time '
                                  'after the date, as in "6 August 2021 14:30" or "6 August 2021 4pm"'),
    ("4pm 6 August 2021 5pm", '"4pm 6 August 2021 5pm" gives two times; keep one, as in "6 August 2021 14:30"'),
    ("6 August 2021 +04:30", '"6 August 2021 +04:30" gives a UTC offset without a time; write the time before it, '
                             'as in "6 August 2021 14:30 +04:30"'),
    ("August 2021 14:30", '"August 2021 14:30" gives a time but no day; add the day, as in "6 August 2021 14:30"'),
    ("August 2021 4pm", '"August 2021 4pm" gives a time but no day; add the day, as in "6 August 2021 14:30"'),
    ("6 August 2021 14:30 CET", '"6 August 2021 14:30 CET" names a time zone; write a numeric offset such as +04:30'),
])
def test_written_out_times_that_could_be_misread_are_refused_with_the_fix(written, message):
    with pytest.raises(DateError) as caught:
        parse_date(written, KABUL)
    assert str(caught.value) == message


# --- the rest of a written-out date: every part read, or refused --------------------------------

@pytest.mark.parametrize("written, precision, start", [
    ("August 6th 2021", DAY, datetime(2021, 8, 6)),
    ("August 6th, 2021", DAY, datetime(2021, 8, 6)),
    ("6th August 2021", DAY, datetime(2021, 8, 6)),
    ("6th of August 2021", DAY, datetime(2021, 8, 6)),
    ("the 6th of August 2021", DAY, datetime(2021, 8, 6)),
    ("1st May 2021", DAY, datetime(2021, 5, 1)),
    ("Aug. 6, 2021", DAY, datetime(2021, 8, 6)),
    ("6 Sept 2021", DAY, datetime(2021, 9, 6)),
    ("6 august 2021", DAY, datetime(2021, 8, 6)),
    ("Fri, 6 Aug 2021", DAY, datetime(2021, 8, 6)),
    ("Friday, August 6, 2021", DAY, datetime(2021, 8, 6)),
    ("August, 2021", MONTH, datetime(2021, 8, 1)),
])
def test_written_out_dates_are_read_exactly(written, precision, start):
    date = parse_date(written, KABUL)
    assert (date.precision, date.start) == (precision, start.replace(tzinfo=KABUL))


@pytest.mark.parametrize("written, message", [
    ("6 August 2021 and 7 August", '"6 August 2021 and 7 August" names more than one date; write one, as in "6 '
                                   'August 2021" (an event that spans time takes end_date)'),
    ("6 August 2021 - 7 August 2021", '"6 August 2021 - 7 August 2021" names more than one date; write one, as in '
                                      '"6 August 2021" (an event that spans time takes end_date)'),
    # dateutil read these two as 7 August 2006, 20:21.
    ("6-7 August 2021", '"6-7 August 2021" has more than one day, or a number this tool cannot place (6, 7); write '
                        'one date, as in "6 August 2021" (an event that spans time takes end_date)'),
    ("6 7 August 2021", '"6 7 August 2021" has more than one day, or a number this tool cannot place (6, 7); write '
                        'one date, as in "6 August 2021" (an event that spans time takes end_date)'),
    # and this one as 6 August 2021, 20:21.
    ("6 August 2021 2021", '"6 August 2021 2021" has more than one year (2021, 2021), or a time without a colon; '
                           'write one date, and any time with a colon, as in "6 August 2021 14:30"'),
    # and this one as 6 August 2021, 14:30, though its year has two digits.
    ("6 August 21 1430", '"6 August 21 1430" has more than one day, or a number this tool cannot place (6, 21); '
                         'write one date, as in "6 August 2021" (an event that spans time takes end_date)'),
    ("early August 2021", '"early August 2021" is approximate ("early"); write the date you know, as in "August '
                          '2021", and for an entry mark it with circa: true'),
    ("mid-August 2021", '"mid-August 2021" is approximate ("mid"); write the date you know, as in "August 2021", '
                        "and for an entry mark it with circa: true"),
    ("c. August 2021", '"c. August 2021" is approximate ("c"); write the date you know, as in "August 2021", and '
                       "for an entry mark it with circa: true"),
    ("Friday Saturday 6 August 2021", '"Friday Saturday 6 August 2021" names more than one weekday; keep the one '
                                      "that goes with the date"),
    ("6 August September 2021", '"6 August September 2021" names more than one date; write one, as in "6 August '
                                '2021" (an event that spans time takes end_date)'),
    ("the 6th", '"the 6th" is not a date this tool can read; write it as 2021, 2021-08, 2021-08-06, '
                '"2021-08-06 14:30", "6 August 2021" or "August 2021"'),
    ("6th August", '"6th August" has no year; add one, as in "6 August 2021"'),
    ("6/8/2021", '"6/8/2021" is ambiguous or not a form this tool reads (day/month or month/day?); write it as '
                 "2021-08-06 or 6 August 2021"),
    ("6 August 2021 in the morning", '"6 August 2021 in the morning": this tool does not read "in" in a date; write '
                                     'it as 2021, 2021-08, 2021-08-06, "2021-08-06 14:30", "6 August 2021" or '
                                     '"August 2021"'),
    ("31 February 2021", '"31 February 2021" is not a real date (February 2021 has 28 days)'),
])
def test_written_out_dates_with_parts_that_would_be_lost_are_refused(written, message):
    with pytest.raises(DateError) as caught:
        parse_date(written, KABUL)
    assert str(caught.value) == message


def test_the_refusals_documented_in_the_format_guide_are_refused_and_their_fixes_read():
    guide = (Path(__file__).resolve().parents[2] / "docs" / "format.md").read_text(encoding="utf-8")
    table = guide.split("Refused, with the fix in the message", 1)[1].split("\n\n", 2)[1]
    rows = [row.strip().strip("|").split(" | ") for row in table.splitlines()[2:]]
    assert len(rows) > 10
    for refused, _, fixes in rows:
        for written in re.findall(r"`([^`]+)`", refused):
            with pytest.raises(DateError):
                parse_date(written, KABUL)
        for written in re.findall(r"`([^`]*\d{4}[^`]*)`", fixes):
            parse_date(written.removeprefix("date: ").removeprefix("end_date: "), KABUL)


def test_the_longest_written_out_form_is_read():
    date = parse_date("Wednesday, the 22nd of September 2021 at 10:30 a.m. (UTC+4:30)", KABUL)
    assert (date.start, date.explicit_offset) == (datetime(2021, 9, 22, 10, 30, tzinfo=KABUL), 270)


def test_a_value_far_longer_than_any_date_is_refused_unread():
    # Spaces between the parts made the patterns backtrack for minutes over such a value.
    written = "4pm" + " " * 20_000 + "on 6 August 2021 x"
    with pytest.raises(DateError) as caught:
        parse_date(written, KABUL)
    assert str(caught.value).endswith('is 20,021 characters long, too long for a date; write it as 2021, 2021-08, '
                                      '2021-08-06, "2021-08-06 14:30", "6 August 2021" or "August 2021"')
