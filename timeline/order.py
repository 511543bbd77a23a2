"""Order stage: one total, deterministic chronological order."""
from __future__ import annotations

from datetime import timezone
from typing import Iterable

from .model import Entry


def order_entries(entries: Iterable[Entry], include_drafts: bool = False) -> tuple[Entry, ...]:
    """Chronological by start; at equal starts the coarser date first, then the id.

    The id makes the order total, so two builds of the same content are identical.
    """
    kept = (e for e in entries if include_drafts or not e.draft)
    return tuple(sorted(kept, key=chronological_key))


def chronological_key(entry: Entry) -> tuple:
    # Python compares two times in one zone by their wall clocks but times in
    # different zones by UTC; in UTC both agree, so the order stays total
    # across a daylight-saving change.
    return (entry.date.start.astimezone(timezone.utc), entry.date.rank, entry.id)
