"""The time axis: where each entry falls, drawn to scale, with long empty stretches cut out and said so.

The scale. Time runs left to right at one rate (units per day) for the whole axis, except where
nothing happens for a long stretch: a gap with no entry longer than BREAK_DAYS and than
BREAK_SHARE of the whole span is cut out and drawn as a break of fixed width, labelled with its
length ("91 days"). An entry that spans time is drawn across a break, broken with it. Everywhere
else, distance is time: an entry's mark is at

    x = stretch.x0 + (moment - stretch.start) / (stretch.end - stretch.start) * (stretch.x1 - stretch.x0)

for the stretch that holds its moment, and every stretch has the same units per second. Entries
too close to tell apart (a cluster of events in one day) are stacked in lanes, so each has a mark.

On a right-to-left page time runs right to left: the geometry is made left to right, then mirrored
(`mirrored()`), so that every x is the width less what it was; a drawn thing's x is still its left
edge, and its label, drawn from `label_x`, begins on its right.

Precision is drawn as written: a date to the day covers its day, a month its month, a year its
year; an entry with an end date covers its range. A time of day is a point, and no break cuts into its
day (so a gap is whole empty days, and every stretch has room).

The list below the axis says the same in words: listing_runs gives the gaps the axis cuts out between
a listing's entries, era_marks where each era begins and ends.

Only geometry is made here, as plain values; the time_axis and locator macros of templates/macros.html
draw it.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from typing import Iterable, Iterator

from .dates import end_instant, instant
from .model import DAY as DAY_PRECISION
from .model import MINUTE, Entry, PartialDate

WIDTH = 1000.0  # of the axis's viewBox, in units
BREAK_WIDTH = 36.0
BREAK_DAYS = 30
BREAK_SHARE = 0.1
MARGIN = 12.0  # at each end, so that the first and last marks are whole
LANE_HEIGHT = 18.0
MARK_RADIUS = 5.0
LANE_GAP = 2 * MARK_RADIUS + 3  # the least distance between two marks in a lane
MAX_LANES = 12
DAY = 86_400


@dataclass(frozen=True)
class Stretch:
    """A part of the axis drawn to scale: the moments from `start` to `end` (seconds, dates.instant),
    drawn from `x0` to `x1` (left to right; `mirrored`: `start` is at x1)."""

    start: int
    end: int
    x0: float
    x1: float
    mirrored: bool = False

    def x(self, moment: int) -> float:
        share = (moment - self.start) / max(self.end - self.start, 1) * (self.x1 - self.x0)
        return self.x1 - share if self.mirrored else self.x0 + share

    def flipped(self, width: float):
        return type(self)(self.start, self.end, width - self.x1, width - self.x0, not self.mirrored)


@dataclass(frozen=True)
class Break(Stretch):
    """A stretch with no entry, cut out: drawn `x0` to `x1`, standing for `start` to `end`."""

    @property
    def days(self) -> int:
        return round((self.end - self.start) / DAY)


@dataclass(frozen=True)
class Scale:
    stretches: tuple[Stretch, ...]
    breaks: tuple[Break, ...]
    width: float = WIDTH

    def x(self, moment: int) -> float:
        """Where a moment is drawn; one inside a break falls on the break in proportion."""
        for part in (*self.stretches, *self.breaks):
            if part.start <= moment <= part.end:
                return part.x(moment)
        first, last = self.stretches[0], self.stretches[-1]
        return first.x(first.start) if moment < first.start else last.x(last.end)

    @property
    def left(self) -> float:
        """Where the axis begins on the left, and ends on the right (`right`)."""
        return min(stretch.x0 for stretch in self.stretches)

    @property
    def right(self) -> float:
        return max(stretch.x1 for stretch in self.stretches)

    def mirrored(self) -> Scale:
        return Scale(tuple(part.flipped(self.width) for part in self.stretches),
                     tuple(part.flipped(self.width) for part in self.breaks), self.width)

    @property
    def start(self) -> int:
        return self.stretches[0].start

    @property
    def end(self) -> int:
        return self.stretches[-1].end


@dataclass(frozen=True)
class Mark:
    """An entry on the axis: drawn from `x` to `x_end`, left to right (the same for a point), in lane
    `lane` from the top."""

    entry: Entry
    x: float
    x_end: float
    lane: int
    # point (a time), day (a date to the day), span (a month or a year: sometime within it), range (from
    # its date to its end date), open (begun, not ended when written: to the end of the axis)
    shape: str

    @property
    def width(self) -> float:
        return self.x_end - self.x

    def flipped(self, width: float) -> Mark:
        return Mark(self.entry, width - self.x_end, width - self.x, self.lane, self.shape)


LABEL_GAP = 2.0  # between a tick and its label
ERA_LABEL_GAP = 4.0  # between the edge an era begins at and its label


@dataclass(frozen=True)
class Tick:
    """A labelled moment on the axis: the first of a year, month or day (`unit`); `with_year` when its
    label should name the year too (the first of its unit in a stretch, or a January)."""

    x: float
    unit: str  # year, month or day
    year: int
    month: int
    day: int
    with_year: bool = False
    room: float = 0.0  # the width to the next tick of its unit (or the axis's end): what its label may take
    boundary: bool = True  # False: no first of its unit here, only the name of the one a stretch begins in
    mirrored: bool = False

    @property
    def label_x(self) -> float:
        """Where its label begins: after the tick, as time runs."""
        return self.x - LABEL_GAP if self.mirrored else self.x + LABEL_GAP

    def flipped(self, width: float) -> Tick:
        return replace(self, x=width - self.x, mirrored=not self.mirrored)


@dataclass(frozen=True)
class EraBand:
    """An era's band, drawn from `x` to `x_end`, left to right."""

    label: str
    x: float
    x_end: float
    row: int
    start: PartialDate
    end: PartialDate
    mirrored: bool = False

    @property
    def label_x(self) -> float:
        """Where its label begins: inside the edge the era begins at."""
        return self.x_end - ERA_LABEL_GAP if self.mirrored else self.x + ERA_LABEL_GAP

    def flipped(self, width: float) -> EraBand:
        return EraBand(self.label, width - self.x_end, width - self.x, self.row, self.start, self.end,
                       not self.mirrored)


@dataclass(frozen=True)
class Axis:
    scale: Scale
    marks: tuple[Mark, ...]
    ticks: tuple[Tick, ...]
    eras: tuple[EraBand, ...]
    lanes: int
    era_rows: int
    first: PartialDate  # the entries' first date, and their last (an end date, when the last to end has one)
    last: PartialDate

    lane_height: float = LANE_HEIGHT

    @property
    def marks_top(self) -> float:
        """Where the first lane of marks begins, below the rows of era bars."""
        return 8 + self.era_rows * 18

    @property
    def ticks_y(self) -> float:
        """Where the line of the axis runs, below the lanes; the tick labels hang from it in rows."""
        return self.marks_top + self.lanes * self.lane_height + 6

    @property
    def height(self) -> float:
        return self.ticks_y + 52

    def mirrored(self) -> Axis:
        """The same axis running right to left."""
        width = self.scale.width
        return replace(self, scale=self.scale.mirrored(), marks=tuple(mark.flipped(width) for mark in self.marks),
                       ticks=tuple(tick.flipped(width) for tick in self.ticks),
                       eras=tuple(era.flipped(width) for era in self.eras))


def covered(date: PartialDate, end: PartialDate | None = None) -> tuple[int, int]:
    """The moments an entry's date covers, as written: its day, month or year (a time: an instant);
    with an end date, from the first to the last moment of its range."""
    start = instant(date.start)
    if end is not None:
        return start, end_instant(end)
    return start, (start if date.precision == MINUTE else end_instant(date))


def anchored(date: PartialDate) -> tuple[int, int]:
    """What of a date no break may cut: what it covers, but for a time of day its whole day, so that a
    stretch around a moment has room to be drawn and a gap is whole empty days."""
    if date.precision != MINUTE:
        return covered(date)
    day = replace(date, precision=DAY_PRECISION, start=date.start.replace(hour=0, minute=0))
    return covered(day)


def scale_of(entries: Iterable[Entry], eras=()) -> Scale:
    """The scale of an axis of `entries` and `eras`: what the axis draws and what its list says."""
    entries = tuple(entries)
    anchors = [anchored(e.date) for e in entries] + [anchored(e.end_date) for e in entries if e.end_date]
    anchors += [anchored(era.start) for era in eras] + [anchored(era.end) for era in eras]
    spans = [covered(e.date, e.end_date) for e in entries] + [covered(era.start, era.end) for era in eras]
    return scale_for(spans + anchors, anchors)


def scale_for(spans: Iterable[tuple[int, int]], anchors: Iterable[tuple[int, int]], width: float = WIDTH) -> Scale:
    """The scale for items covering `spans`; `anchors` are the moments items begin and end at, which no
    break may cut (the inside of a range may be cut: it is drawn across the break)."""
    spans, anchors = list(spans), sorted(anchors)
    first, last = min(s for s, _ in spans), max(e for _, e in spans)
    if last - first < DAY:  # everything within a day: a day wide
        last = first + DAY
    gaps = _gaps(anchors, first, last)
    kept = sum(end - start for start, end in _stretches(first, last, gaps))
    usable = width - 2 * MARGIN - BREAK_WIDTH * len(gaps)
    per_second = usable / kept
    stretches, breaks, x = [], [], MARGIN
    for index, (start, end) in enumerate(_stretches(first, last, gaps)):
        stretches.append(Stretch(start, end, x, x + (end - start) * per_second))
        x = stretches[-1].x1
        if index < len(gaps):
            breaks.append(Break(gaps[index][0], gaps[index][1], x, x + BREAK_WIDTH))
            x += BREAK_WIDTH
    return Scale(tuple(stretches), tuple(breaks), width)


def _gaps(anchors: list[tuple[int, int]], first: int, last: int) -> list[tuple[int, int]]:
    """The stretches no item begins, ends or stands in, long enough to cut out."""
    least = max(BREAK_DAYS * DAY, BREAK_SHARE * (last - first))
    gaps, reach = [], None
    for start, end in anchors:
        if reach is not None and start - reach > least:
            gaps.append((reach, start))
        reach = end if reach is None else max(reach, end)
    return gaps


def _stretches(first: int, last: int, gaps: list[tuple[int, int]]) -> list[tuple[int, int]]:
    bounds = [first, *(moment for gap in gaps for moment in gap), last]
    return [(bounds[i], bounds[i + 1]) for i in range(0, len(bounds), 2)]


def entry_axis(entries: Iterable[Entry], eras=(), zone: tzinfo = timezone.utc, mirrored: bool = False) -> Axis | None:
    """The axis of `entries` (in timeline order) and the timeline's eras, its ticks at the days of `zone`
    (the timeline's), running right to left when `mirrored`; None for no entries."""
    entries = tuple(entries)
    if not entries:
        return None
    spans = [covered(e.date, e.end_date) for e in entries]
    scale = scale_of(entries, eras)
    marks, lanes = _marks(entries, spans, scale)
    bands, rows = _eras(eras, scale)
    drawn = Axis(scale, marks, ticks(scale, zone), bands, lanes, rows, entries[0].date, last_date(entries))
    return drawn.mirrored() if mirrored else drawn


def _marks(entries: tuple[Entry, ...], spans: list[tuple[int, int]], scale: Scale) -> tuple[tuple[Mark, ...], int]:
    lanes: list[float] = []  # where each lane is free from
    marks = []
    for entry, (start, end) in zip(entries, spans):
        x, x_end = scale.x(start), scale.x(end)
        shape = ("range" if entry.end_date else "point" if start == end
                 else "day" if entry.date.precision == DAY_PRECISION else "span")
        if entry.status == "ongoing" and not entry.end_date:
            shape, x_end = "open", scale.stretches[-1].x1
        lane = next((n for n, free in enumerate(lanes) if free <= x), None)
        if lane is None:
            lane = len(lanes) if len(lanes) < MAX_LANES else min(range(len(lanes)), key=lanes.__getitem__)
            lanes.extend([0.0] * (lane + 1 - len(lanes)))
        lanes[lane] = max(x_end, x) + LANE_GAP
        marks.append(Mark(entry, x, x_end, lane, shape))
    return tuple(marks), max(len(lanes), 1)


def _eras(eras, scale: Scale) -> tuple[tuple[EraBand, ...], int]:
    rows: list[float] = []
    bands = []
    for era in sorted(eras, key=lambda era: instant(era.start.start)):
        start, end = covered(era.start, era.end)
        x, x_end = scale.x(start), scale.x(end)
        row = next((n for n, free in enumerate(rows) if free <= x), len(rows))
        if row == len(rows):
            rows.append(0.0)
        rows[row] = x_end
        bands.append(EraBand(era.label, x, x_end, row, era.start, era.end))
    return tuple(bands), len(rows)


# The least distance between two labelled ticks of a unit: day numbers are short, month names longer.
TICKS_APART = {"day": 22.0, "month": 80.0, "year": 40.0}


def ticks(scale: Scale, zone: tzinfo) -> tuple[Tick, ...]:
    """The first of each day, month and year (in `zone`) within the stretches, for each unit whose ticks
    stand far enough apart to be labelled there (TICKS_APART): a template draws each unit in a row of its own."""
    found = []
    for stretch in scale.stretches:
        per_day = (stretch.x1 - stretch.x0) * DAY / max(stretch.end - stretch.start, 1)
        named = False  # whether the month (or year) the stretch begins in is named at its start
        for unit, days in (("day", 1), ("month", 30), ("year", 365)):
            if per_day * days < TICKS_APART[unit]:
                continue
            first = True
            for day in _firsts(unit, _day_of(stretch.start, zone), _day_of(stretch.end, zone)):
                moment = _midnight(day, zone)
                if stretch.start <= moment < stretch.end or moment == stretch.start:
                    if first and unit != "day" and not named and stretch.x(moment) > stretch.x0:
                        found.append(_context_tick(stretch, unit, zone))
                    found.append(Tick(stretch.x(moment), unit, day.year, day.month, day.day,
                                      first or (unit == "month" and day.month == 1)))
                    first = False
            if unit != "day" and not named:
                if first:  # no first of a month (or year) in the stretch: name the one it lies in
                    found.append(_context_tick(stretch, unit, zone))
                named = True
    return _with_room(found, scale.stretches[-1].x1)


def _context_tick(stretch: Stretch, unit: str, zone: tzinfo) -> Tick:
    """The name of the month (or year) a stretch begins in, at its start, where no first of one is."""
    day = _day_of(stretch.start, zone)
    return Tick(stretch.x0, unit, day.year, day.month, 1, with_year=True, boundary=False)


def _with_room(found: list[Tick], end: float) -> tuple[Tick, ...]:
    following: dict[str, float] = {}
    ticks = []
    for tick in reversed(sorted(found, key=lambda tick: tick.x)):
        ticks.append(replace(tick, room=following.get(tick.unit, end) - tick.x))
        following[tick.unit] = tick.x
    return tuple(sorted(ticks, key=lambda tick: (["day", "month", "year"].index(tick.unit), tick.x)))


def _firsts(unit: str, first: date, last: date) -> Iterator[date]:
    """The first days of each `unit` from `first` to `last`, `first` itself if it is one."""
    if unit == "day":
        day = first
    elif unit == "month":
        day = first if first.day == 1 else _month_after(first)
    else:
        day = first if (first.month, first.day) == (1, 1) else (date(first.year + 1, 1, 1) if first.year < 9999 else None)
    while day is not None and day <= last:
        yield day
        if unit == "day":
            day = day + timedelta(days=1) if day < date.max else None
        elif unit == "month":
            day = _month_after(day)
        else:
            day = date(day.year + 1, 1, 1) if day.year < 9999 else None


def _month_after(day: date) -> date | None:
    if (day.year, day.month) == (9999, 12):
        return None
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def _day_of(moment: int, zone: tzinfo) -> date:
    """The day, in `zone`, of a moment (dates.instant's seconds)."""
    at = _EPOCH + timedelta(seconds=moment)
    try:
        return at.astimezone(zone).date()
    except (OverflowError, ValueError):  # at the very ends of the calendar: the day in UTC
        return at.date()


def _midnight(day: date, zone: tzinfo) -> int:
    """The moment a day begins in `zone`."""
    return instant(datetime.combine(day, time(0), zone))


# ---------------------------------------------------------------- the locator of an entry page

BINS = 60


@dataclass(frozen=True)
class Locator:
    """The whole timeline in brief, for each entry page: how many entries fall in each bin of the axis."""

    scale: Scale
    bins: tuple[tuple[float, float, int], ...]  # x, x_end, count
    most: int
    first: PartialDate  # the timeline's first date, and its last (an end date, when the last entry has one)
    last: PartialDate
    count: int

    mirrored: bool = False
    counted_on: Scale | None = None  # mirrored: the scale the bins were counted on, left to right

    def x(self, entry: Entry) -> float:
        start, end = covered(entry.date, entry.end_date)
        return self.scale.x(start)

    def bin_of(self, entry: Entry) -> tuple[float, float]:
        """Where the bin that counts the entry begins and ends (its left edge first, as time runs or not):
        on a mirrored locator, found where the bins were counted and mirrored as they were, since an x
        mirrored back differs from the one counted by a rounding, enough to fall in the next bin."""
        scale = self.counted_on or self.scale
        x0, x1 = _bin_bounds(_bin(scale.x(covered(entry.date)[0]), scale), scale)
        return (self.scale.width - x1, self.scale.width - x0) if self.mirrored else (x0, x1)


def _bin(x: float, scale: Scale) -> int:
    return min(int((x - MARGIN) / ((scale.width - 2 * MARGIN) / BINS)), BINS - 1)


def _bin_bounds(index: int, scale: Scale) -> tuple[float, float]:
    width = (scale.width - 2 * MARGIN) / BINS
    return MARGIN + index * width, MARGIN + (index + 1) * width


def locator(entries: Iterable[Entry], mirrored: bool = False) -> Locator | None:
    """The locator of the timeline's `entries`, running right to left when `mirrored`."""
    entries = tuple(entries)
    if not entries:
        return None
    scale = scale_of(entries)
    counts = [0] * BINS
    for entry in entries:
        counts[_bin(scale.x(covered(entry.date)[0]), scale)] += 1
    bins = tuple((*_bin_bounds(i, scale), count) for i, count in enumerate(counts) if count)
    if mirrored:
        counted_on, scale = scale, scale.mirrored()
        bins = tuple((scale.width - x1, scale.width - x0, count) for x0, x1, count in bins)
        return Locator(scale, bins, max(counts), entries[0].date, last_date(entries), len(entries), True, counted_on)
    return Locator(scale, bins, max(counts), entries[0].date, last_date(entries), len(entries))


def last_date(entries: tuple[Entry, ...]) -> PartialDate:
    """The last moment any entry covers, as the date of those ending there written most finely."""
    ends = [(covered(e.date, e.end_date)[1], (e.end_date or e.date).rank, e.end_date or e.date) for e in entries]
    return max(ends, key=lambda end: end[:2])[2]


# ---------------------------------------------------------------- the list

@dataclass(frozen=True)
class Gap:
    """A stretch with no entry between two groups of a listing, as the axis cuts it out."""

    days: int
    first: date  # its first and last empty days
    last: date
    through: tuple[Entry, ...]  # entries that span it (begun before, ended after)


@dataclass(frozen=True)
class Run:
    """Entries of a listing's group that no break of its axis divides, and the gaps cut out before them."""

    gaps: tuple[Gap, ...]
    entries: tuple[Entry, ...]


def listing_runs(groups, eras=(), zone: tzinfo = timezone.utc) -> tuple[tuple[Run, ...], ...]:
    """For each group (a heading and its entries) of a listing, its entries in runs divided where the
    listing's axis (of the same entries and `eras`) cuts out a gap, each run with the gaps before it (their
    days in `zone`): the list says in words each break the axis draws between two of its entries."""
    entries = [entry for _, members in groups for entry in members]
    if not entries:
        return ()
    cuts = scale_of(entries, eras).breaks
    found, reach, pending = [], None, 0
    for _, members in groups:
        runs, current, gaps = [], [], ()
        for entry in members:
            start, end = covered(entry.date)
            before = []
            while pending < len(cuts) and cuts[pending].end <= start:
                if reach is not None and reach < cuts[pending].end:
                    before.append(_gap(cuts[pending], entries, zone))
                pending += 1
            if before and current:
                runs.append(Run(gaps, tuple(current)))
                current = []
            if before:
                gaps = tuple(before)
            current.append(entry)
            reach = end if reach is None else max(reach, end)
        runs.append(Run(gaps, tuple(current)))
        found.append(tuple(runs))
    return tuple(found)


def _gap(cut: Break, entries, zone: tzinfo) -> Gap:
    through = tuple(e for e in entries if e.end_date and covered(e.date)[0] <= cut.start
                    and covered(e.date, e.end_date)[1] >= cut.end)
    return Gap(cut.days, _day_of(cut.start, zone), _day_of(cut.end - 1, zone), through)


def _reach(entries) -> int:
    return max(covered(e.date)[1] for e in entries)


def era_marks(groups, eras) -> tuple[tuple[tuple, tuple], ...]:
    """For each group of a listing, the eras that begin and the eras that end within it, so that the list
    can say so at the group's head and foot: once each, an era begins with the first group that has an
    entry after its start (else the last), and ends with the last group that starts before its end, never
    before the group it begins with."""
    bounds = [(min(covered(e.date)[0] for e in members), _reach(members)) for _, members in groups]
    if not bounds:
        return ()
    begins: list[list] = [[] for _ in bounds]
    ends: list[list] = [[] for _ in bounds]
    for era in eras:
        start, end = instant(era.start.start), end_instant(era.end)
        first = next((index for index, (_, reach) in enumerate(bounds) if reach > start), len(bounds) - 1)
        last = max((index for index, (begin, _) in enumerate(bounds) if begin < end), default=0)
        begins[first].append(era)
        ends[max(first, last)].append(era)
    return tuple((tuple(began), tuple(ended)) for began, ended in zip(begins, ends))
