"""Order stage: one total, deterministic chronological order."""
from __future__ import annotations

from typing import Iterable

from .model import Entry


def order_entries(entries: Iterable[Entry], include_drafts: bool = False) -> tuple[Entry, ...]:
    """Chronological by start; at equal starts the coarser date first, then the id.

    The id makes the order total, so two builds of the same content are identical.
    """
    kept = (e for e in entries if include_drafts or not e.draft)
    return tuple(sorted(kept, key=lambda e: e.sort_key))
