"""Order stage: one total, deterministic chronological order."""
from __future__ import annotations

from typing import Iterable

from .model import PRECISIONS, Entry

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
