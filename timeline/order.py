"""Order stage: one total, deterministic chronological order."""
from __future__ import annotations

from typing import Iterable

from .dates import end_instant, instant
from .model import PRECISIONS, Entry, Selection

# PartialDate.rank, without a property call and a list search for each of thousands of entries.
_RANKS = {precision: rank for rank, precision in enumerate(PRECISIONS)}


def order_entries(entries: Iterable[Entry], include_drafts: bool = False) -> tuple[Entry, ...]:
    """Chronological by start; at equal starts the coarser date first, then the id.

    The id makes the order total, so two builds of the same content are identical.
    """
    kept = entries if include_drafts else [e for e in entries if not e.draft]
    return tuple(sorted(kept, key=chronological_key))


def chronological_key(entry: Entry) -> tuple:
    # Python compares two times in one zone by their wall clocks but times in different zones by
    # UTC; the POSIX timestamp is the UTC instant (exactly: offsets are whole seconds), so the order
    # stays total across a daylight-saving change. It is also cheaper to make and compare than the
    # time in UTC, and cannot overflow where that would (early in year 1 east of UTC, late in 9999
    # west of it): for an aware time it is a subtraction from the epoch, never a conversion.
    date = entry.date
    return (date.start.timestamp(), _RANKS[date.precision], entry.id)


def select_members(selection: Selection, entries: Iterable[Entry]) -> tuple[str, ...]:
    """The ids of the entries one timeline of several shows, in the order given: those it lists, and
    those matching every other rule it has (any of its tags, any of its places, from, to)."""
    listed = set(selection.ids)
    rules = selection.tags or selection.places or selection.start or selection.end
    chosen = []
    for entry in entries:
        if entry.id in listed or rules and _matches(selection, entry):
            chosen.append(entry.id)
    return tuple(chosen)


def _matches(selection: Selection, entry: Entry) -> bool:
    if selection.tags and not any(tag.slug in selection.tags for tag in entry.tags):
        return False
    if selection.places and (entry.place is None or entry.place.slug not in selection.places):
        return False
    begins = instant(entry.date.start)
    if selection.start and begins < instant(selection.start.start):
        return False
    return not (selection.end and begins >= end_instant(selection.end))  # `to: 2021-08` takes in August
