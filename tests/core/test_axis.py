"""The time axis's geometry (timeline/axis.py) against what docs/format.md promises of it.

One rate of units per day within the axis, except where a gap with no entry longer than BREAK_DAYS
and than BREAK_SHARE of the span is cut out as a break BREAK_WIDTH wide, labelled with its length;
precision drawn as written (a day covers its day, a month its month, a time is a point, a range as
long as its range, across the breaks in its way); the list's gap markers and era markers saying what
the axis draws; the locator of each entry page counting every entry once.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from timeline import axis
from timeline.axis import BREAK_DAYS, BREAK_SHARE, BREAK_WIDTH, DAY, MARGIN, WIDTH
from timeline.dates import end_instant, instant, parse_date
from timeline.model import Entry, Era, Source
from timeline.order import order_entries

UTC = ZoneInfo("UTC")
KABUL = ZoneInfo("Asia/Kabul")


def make(entry_id: str, when: str, end: str | None = None, tz=UTC, **fields) -> Entry:
    return Entry(id=entry_id, source_path=f"content/entries/{entry_id}.yaml", title=entry_id,
                 date=parse_date(when, tz), sources=(Source(name="EFE"),),
                 end_date=parse_date(end, tz) if end else None, **fields)


def era(label: str, start: str, end: str, tz=UTC) -> Era:
    return Era(label, parse_date(start, tz), parse_date(end, tz))


def moment(text: str, tz=UTC) -> int:
    return instant(parse_date(text, tz).start)


def per_day(scale: axis.Scale) -> float:
    stretch = scale.stretches[0]
    return (stretch.x1 - stretch.x0) / (stretch.end - stretch.start) * DAY


def mark_of(built: axis.Axis, entry_id: str) -> axis.Mark:
    (found,) = [mark for mark in built.marks if mark.entry.id == entry_id]
    return found


def listed_gaps(groups, eras=(), zone=UTC) -> list:
    """The gap markers of a listing, in order: those before each group and within it."""
    return [gap for runs in axis.listing_runs(groups, eras, zone) for run in runs for gap in run.gaps]


def groups_by_month(entries):
    """A listing's groups as plan.group_by_period makes them for a short timeline: by month."""
    groups = []
    for entry in entries:
        label = f"{entry.date.start:%B %Y}"
        if not groups or groups[-1][0] != label:
            groups.append((label, []))
        groups[-1][1].append(entry)
    return tuple((label, tuple(members)) for label, members in groups)


# ---------------------------------------------------------------- the scale

def test_one_rate_everywhere_and_the_axis_filled_from_margin_to_margin():
    entries = [make("a", "2021-01-01"), make("b", "2021-01-09"), make("c", "2021-01-20 06:00"),
               make("d", "2021-02-03")]
    built = axis.entry_axis(entries, zone=UTC)
    scale = built.scale
    assert scale.breaks == ()
    assert scale.stretches[0].x0 == MARGIN and scale.stretches[-1].x1 == pytest.approx(WIDTH - MARGIN)
    rate = per_day(scale)
    # 1 January to the end of 3 February: 34 days over the width between the margins.
    assert rate == pytest.approx((WIDTH - 2 * MARGIN) / 34)
    for first, second in [("a", "b"), ("b", "c"), ("a", "d"), ("c", "d")]:
        one, other = mark_of(built, first), mark_of(built, second)
        days = (instant(other.entry.date.start) - instant(one.entry.date.start)) / DAY
        assert other.x - one.x == pytest.approx(days * rate)


def test_a_long_gap_is_cut_out_as_a_break_of_fixed_width_labelled_with_its_true_length():
    # 1-2 January, then nothing until 1 June: 149 empty days, far longer than 30 and than a tenth of the span.
    entries = [make("a", "2021-01-01"), make("b", "2021-01-02"), make("c", "2021-06-01"), make("d", "2021-06-03")]
    scale = axis.entry_axis(entries, zone=UTC).scale
    (cut,) = scale.breaks
    assert (cut.start, cut.end) == (moment("2021-01-03"), moment("2021-06-01"))
    assert cut.days == (date(2021, 6, 1) - date(2021, 1, 3)).days == 149
    assert cut.x1 - cut.x0 == pytest.approx(BREAK_WIDTH)
    # Both stretches at the same rate: 2 days, then 3 days, share the width left beside the break.
    first, second = scale.stretches
    assert (first.x1 - first.x0) / 2 == pytest.approx((second.x1 - second.x0) / 3)
    assert first.x1 == cut.x0 and cut.x1 == second.x0
    assert (first.x1 - first.x0) + (second.x1 - second.x0) == pytest.approx(WIDTH - 2 * MARGIN - BREAK_WIDTH)


def test_a_gap_of_exactly_break_days_is_not_cut():
    # 1 January, then 31 January: 29 empty days (2 to 30 January); then 1 March, 29 more after the 31st.
    entries = [make("a", "2021-01-01"), make("b", "2021-01-31"), make("c", "2021-03-01")]
    assert axis.entry_axis(entries, zone=UTC).scale.breaks == ()
    # BREAK_DAYS days exactly, then a day: not longer than BREAK_DAYS, so not cut.
    start = date(2021, 1, 1)
    after = start + timedelta(days=BREAK_DAYS + 1)
    entries = [make("a", start.isoformat()), make("b", after.isoformat())]
    assert axis.entry_axis(entries, zone=UTC).scale.breaks == ()
    entries = [make("a", start.isoformat()), make("b", (after + timedelta(days=1)).isoformat())]
    assert [cut.days for cut in axis.entry_axis(entries, zone=UTC).scale.breaks] == [BREAK_DAYS + 1]


def test_a_gap_longer_than_break_days_but_not_than_a_tenth_of_the_span_is_not_cut():
    # A year of entries every 25 days, and one gap of 35 days: longer than 30, shorter than 36.5.
    start = date(2021, 1, 1)
    days = [start + timedelta(days=25 * n) for n in range(6)]
    days.append(days[-1] + timedelta(days=36))  # 35 empty days
    while days[-1] < date(2021, 12, 20):
        days.append(days[-1] + timedelta(days=25))
    entries = [make(f"e{n}", day.isoformat()) for n, day in enumerate(days)]
    span = (end_instant(entries[-1].date) - moment(days[0].isoformat())) / DAY
    assert 35 < BREAK_SHARE * span
    assert axis.entry_axis(entries, zone=UTC).scale.breaks == ()


def test_a_range_across_a_break_is_as_long_as_its_days_plus_the_break():
    entries = [make("range", "2021-01-01", "2021-06-03"), make("b", "2021-01-02"), make("c", "2021-06-01")]
    built = axis.entry_axis(order_entries(entries), zone=UTC)
    (cut,) = built.scale.breaks
    rate = per_day(built.scale)
    mark = mark_of(built, "range")
    assert mark.shape == "range"
    shown_days = (date(2021, 6, 4) - date(2021, 1, 1)).days - cut.days  # 1 January to the end of 3 June, less the break
    assert mark.width == pytest.approx(shown_days * rate + BREAK_WIDTH)


def test_precision_as_written_a_month_spans_its_month_a_time_is_a_point_a_day_its_day():
    entries = order_entries([make("february", "2021-02"), make("day", "2021-02-10"), make("time", "2021-02-12 15:30"),
                             make("year", "2021")])
    built = axis.entry_axis(entries, zone=UTC)
    rate = per_day(built.scale)
    february, day, time, year = (mark_of(built, name) for name in ("february", "day", "time", "year"))
    assert (february.shape, day.shape, time.shape, year.shape) == ("span", "day", "point", "span")
    assert february.width == pytest.approx(28 * rate)
    assert february.x == pytest.approx(built.scale.x(moment("2021-02-01")))
    assert day.width == pytest.approx(rate)
    assert time.width == 0 and time.x == pytest.approx(built.scale.x(moment("2021-02-12 15:30")))
    assert year.width == pytest.approx(365 * rate)


def test_an_ongoing_event_runs_to_the_end_of_the_axis():
    entries = [make("a", "2021-03-01"), make("ongoing", "2021-03-05", status="ongoing"), make("b", "2021-03-20")]
    built = axis.entry_axis(entries, zone=UTC)
    mark = mark_of(built, "ongoing")
    assert mark.shape == "open" and mark.x_end == built.scale.stretches[-1].x1


def test_a_moment_within_a_break_falls_on_the_break_in_proportion():
    entries = [make("a", "2021-01-01"), make("b", "2021-12-31")]
    scale = axis.entry_axis(entries, zone=UTC).scale
    (cut,) = scale.breaks
    middle = (cut.start + cut.end) // 2
    assert scale.x(middle) == pytest.approx((cut.x0 + cut.x1) / 2, abs=0.01)


def test_marks_too_close_to_tell_apart_are_stacked_in_lanes():
    entries = [make(f"same-day-{n}", "2021-08-07") for n in range(4)] + [make("later", "2021-09-20")]
    built = axis.entry_axis(entries, zone=UTC)
    lanes = [mark_of(built, f"same-day-{n}").lane for n in range(4)]
    assert sorted(lanes) == [0, 1, 2, 3]
    assert mark_of(built, "later").lane == 0
    assert built.lanes == 4


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 3000), st.integers(0, 60), st.sampled_from(["day", "time", "range"])),
                min_size=1, max_size=25))
def test_any_timeline_keeps_the_scale_and_break_rules(items):
    """Whatever the dates: the stretches and breaks tile the axis, every stretch has one rate, every
    break is a gap longer than the rule's least, and no entry's start or end falls inside a break."""
    start = date(2000, 1, 1)
    entries = []
    for n, (offset, length, kind) in enumerate(items):
        day = start + timedelta(days=offset)
        if kind == "time":
            entries.append(make(f"e{n}", f"{day.isoformat()} 12:00"))
        elif kind == "range":
            entries.append(make(f"e{n}", day.isoformat(), (day + timedelta(days=length)).isoformat()))
        else:
            entries.append(make(f"e{n}", day.isoformat()))
    entries = order_entries(entries)
    scale = axis.entry_axis(entries, zone=UTC).scale
    parts = sorted([*scale.stretches, *scale.breaks], key=lambda part: part.x0)
    assert parts[0].x0 == MARGIN and parts[-1].x1 == pytest.approx(WIDTH - MARGIN)
    for one, following in zip(parts, parts[1:]):
        assert one.x1 == pytest.approx(following.x0) and one.end == following.start
    rates = {round((s.x1 - s.x0) / (s.end - s.start) * DAY, 6) for s in scale.stretches}
    assert max(rates) - min(rates) < 1e-5
    span = scale.end - scale.start
    for cut in scale.breaks:
        assert cut.x1 - cut.x0 == pytest.approx(BREAK_WIDTH)
        assert cut.end - cut.start > max(BREAK_DAYS * DAY, BREAK_SHARE * span)
        for entry in entries:
            for edge in axis.covered(entry.date) + (axis.covered(entry.end_date) if entry.end_date else ()):
                assert not cut.start < edge < cut.end


# ---------------------------------------------------------------- ticks

def test_day_ticks_stand_at_each_midnight_of_the_timelines_zone_one_day_apart():
    entries = [make("a", "2021-08-01", tz=KABUL), make("b", "2021-08-07", tz=KABUL)]
    built = axis.entry_axis(entries, zone=KABUL)
    days = [tick for tick in built.ticks if tick.unit == "day"]
    assert [tick.day for tick in days] == [1, 2, 3, 4, 5, 6, 7]
    rate = per_day(built.scale)
    for tick, following in zip(days, days[1:]):
        assert following.x - tick.x == pytest.approx(rate)
    assert days[0].x == pytest.approx(built.scale.x(instant(datetime(2021, 8, 1, tzinfo=KABUL))))
    months = [tick for tick in built.ticks if tick.unit == "month"]
    assert [(tick.month, tick.with_year) for tick in months] == [(8, True)]


def test_a_stretch_after_a_break_names_its_month_with_the_year_and_every_january_does():
    entries = [make("a", "2021-11-20"), make("b", "2022-01-15"), make("c", "2023-06-01")]
    built = axis.entry_axis(entries, zone=UTC)
    months = [tick for tick in built.ticks if tick.unit == "month"]
    assert (2022, 1) in {(tick.year, tick.month) for tick in months if tick.with_year}
    assert all(tick.room > 0 for tick in built.ticks)


# ---------------------------------------------------------------- eras

def test_eras_are_bands_overlapping_ones_in_rows_of_their_own():
    entries = [make("a", "2021-01-01"), make("b", "2021-03-01")]
    eras = [era("One", "2021-01-01", "2021-01-31"), era("Two", "2021-01-15", "2021-02-15"),
            era("Three", "2021-02-20", "2021-03-01")]
    built = axis.entry_axis(entries, eras, UTC)
    rows = {band.label: band.row for band in built.eras}
    assert rows["One"] != rows["Two"]
    assert rows["Three"] == 0 and built.era_rows == 2
    one = next(band for band in built.eras if band.label == "One")
    assert one.x == pytest.approx(built.scale.x(moment("2021-01-01")))
    assert one.x_end == pytest.approx(built.scale.x(moment("2021-02-01")))
    assert built.marks_top > built.era_rows * 14  # the marks begin below the era bars


def test_an_era_beyond_the_entries_widens_the_axis():
    entries = [make("a", "2021-05-01"), make("b", "2021-05-10")]
    built = axis.entry_axis(entries, [era("Longer", "2021-04-20", "2021-05-31")], UTC)
    assert built.scale.start == moment("2021-04-20") and built.scale.end == moment("2021-06-01")


def groups_by_year(entries):
    groups = []
    for entry in entries:
        if not groups or groups[-1][0] != entry.date.start.year:
            groups.append((entry.date.start.year, []))
        groups[-1][1].append(entry)
    return tuple((str(year), tuple(members)) for year, members in groups)


# ---------------------------------------------------------------- the list says what the axis draws

def test_a_gap_between_two_months_is_said_with_its_days_and_its_first_and_last_empty_days():
    entries = order_entries([make("a", "2021-05-01"), make("range", "2021-05-01", "2021-08-07"),
                             make("b", "2021-08-01"), make("c", "2021-08-31")])
    groups = groups_by_month(entries)
    runs = axis.listing_runs(groups, zone=UTC)
    (cut,) = axis.entry_axis(entries, zone=UTC).scale.breaks
    assert [[run.gaps for run in group] for group in runs] == [[()], [runs[1][0].gaps]]
    (found,) = runs[1][0].gaps
    assert (found.days, found.first, found.last) == (91, date(2021, 5, 2), date(2021, 7, 31))
    assert found.days == cut.days
    assert [entry.id for entry in found.through] == ["range"]


def test_the_list_marks_the_gaps_the_axis_cuts_and_no_other_when_eras_widen_the_axis():
    """An era longer than the entries widens the axis, so a tenth of its span is more: a gap of 35 days
    the axis does not cut must not be announced in the list as one it does."""
    entries = [make("a", "2021-01-01"), make("b", "2021-02-06"), make("c", "2021-04-10")]
    eras = [era("The year", "2021-01-01", "2021-12-31")]
    built = axis.entry_axis(entries, eras, UTC)
    groups = groups_by_month(entries)
    listed = listed_gaps(groups, eras)
    between = [cut for cut in built.scale.breaks if cut.end <= moment("2021-04-10")]
    assert [(gap.days, gap.first) for gap in listed] == [
        (cut.days, datetime.fromtimestamp(cut.start, UTC).date()) for cut in between]
    assert between, "the axis cuts the gap of 62 days before April"
    assert all(gap.days != 35 for gap in listed)


def test_eras_begin_once_and_end_once_in_the_list_the_beginning_first():
    a, b, c, m = make("a", "2021-01-05"), make("b", "2021-01-25"), make("c", "2021-02-10"), make("m", "2021-03-20")
    cases = [
        ((("January", (a, b)), ("February", (c,))), era("Starts between the months", "2021-01-28", "2021-03-01")),
        ((("January", (a,)), ("March", (m,))), era("Within the gap", "2021-02-01", "2021-02-20")),
        ((("January", (a, b)), ("February", (c,))), era("Before everything", "2020-06-01", "2020-07-01")),
        ((("January", (a, b)), ("February", (c,))), era("After everything", "2021-06-01", "2021-07-01")),
        ((("January", (a, b)), ("February", (c,))), era("Over everything", "2020-01-01", "2022-01-01")),
        ((("January", (a, b)), ("February", (c,))), era("From the first entry", "2021-01-05", "2021-01-25")),
    ]
    for groups, one in cases:
        marks = axis.era_marks(groups, [one])
        begins = [index for index, (started, _) in enumerate(marks) if one in started]
        ends = [index for index, (_, ended) in enumerate(marks) if one in ended]
        assert len(begins) == 1 and len(ends) == 1, (one.label, begins, ends)
        assert begins[0] <= ends[0], one.label


def test_an_era_begins_where_its_first_entries_are_and_ends_after_its_last():
    a, b, c = make("a", "2021-01-05"), make("b", "2021-02-10"), make("c", "2021-03-10")
    groups = (("January", (a,)), ("February", (b,)), ("March", (c,)))
    marks = axis.era_marks(groups, [era("February", "2021-02-01", "2021-02-28")])
    assert [(len(started), len(ended)) for started, ended in marks] == [(0, 0), (1, 1), (0, 0)]


# ---------------------------------------------------------------- the locator of an entry page

def test_the_locator_counts_every_entry_once_in_the_bin_under_it():
    entries = order_entries([make(f"d{n}", f"2021-08-{n:02d}") for n in range(1, 29)]
                            + [make("same", "2021-08-10"), make("range", "2021-05-01", "2021-08-07"),
                               make("time", "2021-09-01 18:00")])
    found = axis.locator(entries)
    assert sum(count for _, _, count in found.bins) == found.count == len(entries)
    assert found.most == max(count for _, _, count in found.bins)
    assert found.first.written == "2021-05-01" and found.last.written == "2021-09-01 18:00"
    for entry in entries:
        x = found.x(entry)
        holding = [(x0, x1) for x0, x1, _ in found.bins if x0 <= x < x1]
        assert holding == [found.bin_of(entry)], entry.id


@pytest.mark.parametrize("step, count", [(1, 3), (1, 6), (1, 30), (1, 60)])
def test_a_mirrored_locator_marks_the_bin_that_counts_the_entry_mirrored(step, count):
    """Entries evenly spaced fall on the bins' edges, where an x mirrored back and forth rounds into the
    next bin: the mirrored locator marks the very bin the left-to-right one does, mirrored."""
    start = date(2021, 1, 1)
    entries = order_entries([make(f"e{n}", (start + timedelta(days=n * step)).isoformat()) for n in range(count)])
    upright, mirrored = axis.locator(entries), axis.locator(entries, mirrored=True)
    assert [(WIDTH - x1, WIDTH - x0, n) for x0, x1, n in upright.bins] == list(mirrored.bins)
    for entry in entries:
        x0, x1 = upright.bin_of(entry)
        assert mirrored.bin_of(entry) == (WIDTH - x1, WIDTH - x0), entry.id
        assert mirrored.bin_of(entry) in [(b0, b1) for b0, b1, _ in mirrored.bins], entry.id


def test_the_locator_ends_with_the_last_moment_any_entry_covers():
    entries = order_entries([make("long", "2021-01-01", "2021-12-31"), make("short", "2021-03-01")])
    found = axis.locator(entries)
    assert found.first.written == "2021-01-01" and found.last.written == "2021-12-31"


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 1500), st.booleans()), min_size=1, max_size=20),
       st.lists(st.tuples(st.integers(-100, 1600), st.integers(0, 400)), max_size=3), st.booleans())
def test_the_list_names_each_break_between_its_entries_and_no_other_gap(items, era_days, by_year):
    """Whatever the entries, eras and headings: every gap marker of the list is a break of the axis, with
    its days and its first and last empty days; every break between two entries is named, once."""
    start = date(2000, 1, 1)
    entries = order_entries([make(f"e{n}", (start + timedelta(days=offset)).isoformat() + (" 12:00" if timed else ""))
                             for n, (offset, timed) in enumerate(items)])
    eras = [era(f"era {n}", (start + timedelta(days=first)).isoformat(),
                (start + timedelta(days=first + length)).isoformat()) for n, (first, length) in enumerate(era_days)]
    groups = groups_by_year(entries) if by_year else groups_by_month(entries)
    cuts = axis.entry_axis(entries, eras, UTC).scale.breaks
    listed = listed_gaps(groups, eras)
    starts = [axis.covered(entry.date)[0] for entry in entries[1:]]
    between = [cut for cut in cuts if any(cut.end <= start for start in starts)
               and cut.start >= axis.covered(entries[0].date)[0]]
    assert [(gap.days, gap.first, gap.last) for gap in listed] == [
        (cut.days, datetime.fromtimestamp(cut.start, UTC).date(), datetime.fromtimestamp(cut.end - 1, UTC).date())
        for cut in between]
    for gap in listed:
        for entry in entries:  # no entry on the days it names
            day = entry.date.start.date()
            assert not gap.first <= day <= gap.last


def test_a_break_within_a_years_entries_is_said_between_them():
    entries = order_entries([make("jan", "2020-01-15"), make("feb", "2020-02-15"), make("sep", "2020-09-15"),
                             make("next", "2021-06-01"), make("last", "2022-12-01")])
    runs = axis.listing_runs(groups_by_year(entries), zone=UTC)
    shape = [[([gap.days for gap in run.gaps], [entry.id for entry in run.entries]) for run in group] for group in runs]
    assert shape[0] == [([], ["jan", "feb"]), ([212], ["sep"])]
    assert [entry.id for group in runs for run in group for entry in run.entries] == [e.id for e in entries]
