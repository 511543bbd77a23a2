"""The ordering rule: start, then coarser precision first, then earlier times, then id."""
import itertools
import random
from zoneinfo import ZoneInfo

from timeline.dates import parse_date
from timeline.model import Entry, Source
from timeline.order import order_entries

KABUL = ZoneInfo("Asia/Kabul")


def make(entry_id: str, date: str, tz=KABUL, **fields) -> Entry:
    return Entry(id=entry_id, source_path=f"content/entries/{entry_id}.yaml", title=entry_id.title(),
                 date=parse_date(date, tz), sources=(Source(name="EFE"),), **fields)


def ids(entries) -> list[str]:
    return [e.id for e in order_entries(entries)]


def test_chronological_by_start():
    entries = [make("c", "2021-08-31"), make("a", "2021-05-01"), make("b", "2021-08-06")]
    assert ids(entries) == ["a", "b", "c"]


def test_coarser_precision_first_at_equal_starts():
    entries = [make("day", "2021-08-01"), make("minute", "2021-08-01 00:00"),
               make("month", "2021-08"), make("year", "2021-01-01"), make("whole-year", "2021")]
    assert ids(entries) == ["whole-year", "year", "month", "day", "minute"]


def test_a_month_comes_before_the_days_in_it_even_with_an_earlier_id():
    assert ids([make("a-day", "2021-08-06"), make("z-month", "August 2021")]) == ["z-month", "a-day"]


def test_earlier_times_first():
    entries = [make("late", "2021-08-06 18:00"), make("early", "2021-08-06 09:15"), make("day", "2021-08-06")]
    assert ids(entries) == ["day", "early", "late"]


def test_times_with_offsets_are_ordered_by_the_instant():
    # 14:30 in Kabul is 10:00 UTC; 12:00+04:30... is 07:30 UTC; 11:00Z is after both.
    entries = [make("kabul", "2021-08-06 14:30"), make("offset", "2021-08-06T12:00+04:30"),
               make("utc", "2021-08-06T11:00Z")]
    assert ids(entries) == ["offset", "kabul", "utc"]


def test_id_breaks_ties():
    entries = [make("zaranj", "2021-08-06"), make("aybak", "2021-08-06"), make("kunduz", "2021-08-06")]
    assert ids(entries) == ["aybak", "kunduz", "zaranj"]


def test_same_instant_same_precision_written_two_ways_is_ordered_by_id():
    entries = [make("b", "6 August 2021"), make("a", "2021-08-06")]
    assert ids(entries) == ["a", "b"]


def test_a_range_sorts_by_its_start():
    entries = [make("point", "2021-06-01"), make("range", "2021-05-01", end_date=parse_date("2021-08-07", KABUL))]
    assert ids(entries) == ["range", "point"]


def test_drafts_are_left_out_unless_asked_for():
    entries = [make("draft", "2021-08-06", draft=True), make("published", "2021-08-07")]
    assert [e.id for e in order_entries(entries)] == ["published"]
    assert [e.id for e in order_entries(entries, include_drafts=True)] == ["draft", "published"]


def test_order_does_not_depend_on_the_input_order():
    entries = [make("a", "2021"), make("b", "2021-08"), make("c", "2021-08-06"), make("d", "2021-08-06"),
               make("e", "2021-08-06 09:00"), make("f", "2021-08-06T04:30Z"), make("g", "2021-08-06T09:00+04:30")]
    expected = ids(entries)
    # e, f and g are the same instant (04:30 UTC) written three ways: the id decides.
    assert expected == ["a", "b", "c", "d", "e", "f", "g"]
    for permutation in itertools.islice(itertools.permutations(entries), 0, 5040, 97):
        assert ids(permutation) == expected
    rng = random.Random(7)
    for _ in range(20):
        shuffled = entries[:]
        rng.shuffle(shuffled)
        assert ids(shuffled) == expected


def test_order_is_total_across_a_daylight_saving_change():
    london = ZoneInfo("Europe/London")
    # 02:00 on 28 March 2021 in London is 01:00 UTC, before 01:15 UTC written with an offset.
    entries = [make("bst", "2021-03-28 02:00", london), make("utc", "2021-03-28T01:15Z", london),
               make("gmt", "2021-03-28 00:30", london)]
    for permutation in itertools.permutations(entries):
        assert ids(permutation) == ["gmt", "bst", "utc"]


def test_the_order_is_that_of_the_instants_in_utc_in_every_zone_and_century():
    """Dates in zones with daylight saving, old local mean times (offsets with seconds), explicit offsets
    and far years: ordered as their instants in UTC, then coarser first, then by id."""
    rng = random.Random(11)
    zones = [ZoneInfo(name) for name in ("Asia/Kabul", "Europe/London", "America/St_Johns", "Australia/Lord_Howe")]
    forms = ["{y:04d}", "{y:04d}-{m:02d}", "{y:04d}-{m:02d}-{d:02d}", "{y:04d}-{m:02d}-{d:02d} {h:02d}:{mi:02d}",
             "{y:04d}-{m:02d}-{d:02d}T{h:02d}:{mi:02d}{sign}{oh:02d}:{om:02d}"]
    entries = []
    for number in range(400):
        year = rng.choice([2, 1066, 1850, 1889, 1890, 1970, 2021, 2021, 2021, 9998])
        written = rng.choice(forms).format(y=year, m=rng.choice([1, 3, 10, 12]), d=rng.choice([1, 28]),
                                            h=rng.choice([0, 1, 2, 23]), mi=rng.choice([0, 30, 59]),
                                            sign=rng.choice("+-"), oh=rng.randint(0, 14), om=rng.choice([0, 30, 45]))
        entries.append(make(f"e{number % 37}-{number}", written, rng.choice(zones)))
    utc = ZoneInfo("UTC")
    expected = sorted(entries, key=lambda e: (e.date.start.astimezone(utc), e.date.rank, e.id))
    assert ids(entries) == [e.id for e in expected]
