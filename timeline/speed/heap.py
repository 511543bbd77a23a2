"""The cyclic garbage collector during a build: paused while the heap grows, then told to leave it be.

What the load, the plan and the caches make lives at least as long as the build (a session keeps
some of it for the next) and holds no garbage cycles worth collecting: made with the collector
paused, then frozen, it is left out of every collection during the build, which would otherwise
scan it again and again (benchmarks/README.md). Frozen objects are still freed by reference
counting; `unfrozen` ends the build with everything collectable again.
"""
from __future__ import annotations

import gc
from contextlib import contextmanager
from typing import Iterator


@contextmanager
def long_lived() -> Iterator[None]:
    """What is made within lives as long as the build: made with the collector paused, then frozen."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if was_enabled:
            gc.enable()


@contextmanager
def unfrozen() -> Iterator[None]:
    """A build, at whose end what its stages froze can be collected again (by the next build of a session)."""
    try:
        yield
    finally:
        gc.unfreeze()


def exit_without_collecting() -> None:
    """Before a process exits: Python's last collection would search the whole heap a build leaves
    for cycles; frozen, exiting skips that."""
    gc.freeze()
