"""Forked worker processes for the load and the render: when they pay, how many, and what they do.

Work is handed to the workers by setting it here before they are forked: a forked process starts
with everything its parent knows (the parsed templates, the entries), so none of it is sent to
them. What comes back is the result, or in the render the pages and what was made on the way.
Nothing here changes a byte of what a build makes: a worker runs the stages' own functions.
"""
from __future__ import annotations

import copyreg
import dataclasses
import io
import os
import pickle
import signal
import threading
from concurrent.futures import Executor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable, Iterator, Mapping, NamedTuple, TypeVar

from .. import model
from ..load import EntryFile, Reading, load_entry_file, read_entry_files
from ..model import Entry, Settings
from ..plan import SHARE_CARD, TIMELINEJS, Page

if TYPE_CHECKING:
    import jinja2

# The render stage (Jinja, Markdown) is imported where it is used: `check` parses in workers and
# renders nothing.

# More worker processes than this only add memory on the machines this runs on (2 to 4 cores).
MAX_WORKERS = 4
# Worker processes pay from about this many files or pages (benchmarks/README.md).
PARALLEL_FROM = 1000
# Files are parsed in this many batches: enough for two to four workers to end together.
BATCHES = 64

Result = TypeVar("Result")
Shared = TypeVar("Shared")


def fork_workers(items: int, parallel_from: int | None = None) -> int:
    """How many worker processes to spread `items` pieces of work over: 1 (work here) below
    `parallel_from`, where processes cannot be forked, or while other threads run (a preview
    server: a fork may copy a lock another thread holds); else one per CPU, at most MAX_WORKERS.

    Only fork pays: other start methods import the program again in every worker."""
    if items < (PARALLEL_FROM if parallel_from is None else parallel_from) or threading.active_count() > 1:
        return 1
    import multiprocessing  # here: a build that has little to do (a warm one) need not import it

    if "fork" not in multiprocessing.get_all_start_methods():
        return 1
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return min(cpus, MAX_WORKERS)


def fork_pool(workers: int) -> Executor:
    """A pool of `workers` forked processes (fork_workers said how many)."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    # Ctrl-C reaches every process of the terminal's group: the workers leave it to the parent, which
    # stops the pool and reports it once (a worker stopped by it would leave the pool waiting for it).
    return ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"),
                               initializer=signal.signal, initargs=(signal.SIGINT, signal.SIG_IGN))


def in_batches(names: list[str], count: int = BATCHES) -> list[list[str]]:
    size = -(-len(names) // count) or 1
    return [names[start:start + size] for start in range(0, len(names), size)]


def each_batch(work: Callable[[list[str], Shared], Result], batches: list[list[str]], shared: Shared) -> list[Result]:
    """work(batch, shared) for each batch of file names, in worker processes when there are many files."""
    workers = fork_workers(sum(map(len, batches)))
    if workers < 2:
        return [work(batch, shared) for batch in batches]
    with fork_pool(workers) as pool:
        return list(pool.map(work, batches, [shared] * len(batches)))


def read_entries(reading: Reading, names: list[str]) -> list[EntryFile]:
    """load.read_entry_files, spread over worker processes when there are many files."""
    if fork_workers(len(names)) < 2:
        return read_entry_files(reading, names)
    loaded: dict[str, EntryFile] = {}
    for batch in each_batch(_read_batch, in_batches(names), reading):
        loaded.update(batch.results)
    return [loaded[name] for name in names]


class _Batch(NamedTuple):
    """What a worker read of a batch of files, on its way to the parent as the load cache pickles records."""

    results: dict[str, EntryFile]

    def __reduce__(self):
        return _received_batch, (pickled_records(self.results),)


def _received_batch(pickled: bytes) -> _Batch:
    return _Batch(pickle.loads(pickled))


def _read_batch(names: list[str], reading: Reading) -> _Batch:
    return _Batch({name: load_entry_file(name, reading) for name in names})


def pickled_records(records: object) -> bytes:
    """Records pickled for a cache file or on their way from a worker, the model's values by their __init__.

    Unpickled the usual way, an instance gets a dictionary of its own for its attributes; made by
    its __init__, it keeps them as ordinary instances do, in itself with keys shared by its class,
    and every later stage reads those attributes several times faster (benchmarks/README.md).
    """
    stream = io.BytesIO()
    pickler = pickle.Pickler(stream, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = _BY_INIT
    pickler.dump(records)
    return stream.getvalue()


def _by_init(value: object) -> tuple:
    cls = type(value)
    return cls, tuple([getattr(value, name) for name in _INIT_FIELDS[cls]])


# The model's frozen dataclasses that records hold, and the fields their __init__ takes, in order.
_INIT_FIELDS = {cls: tuple(f.name for f in dataclasses.fields(cls))
                for cls in (model.Entry, model.PartialDate, model.Source, model.Tag, model.Place, model.Media,
                            model.Correction, model.Problem)
                if all(f.init for f in dataclasses.fields(cls))}
_BY_INIT = {**copyreg.dispatch_table, **dict.fromkeys(_INIT_FIELDS, _by_init)}


# ---------------------------------------------------------------- the render

@dataclass
class _EntryWork:
    """What a worker makes for one entry: its page (when pending), its listing items, its event."""

    entry: Entry
    settings: Settings
    changes: object  # plan.Changes, as the listings' contexts hold it
    page: Page | None = None
    roots: set[str] = field(default_factory=set)  # of the pending listings that show it
    event: bool = False  # shown in a pending timeline.json


def _entry_work(pages: tuple[Page, ...]) -> list[_EntryWork]:
    """What the pending pages need of each entry, read from what plan_site puts in their contexts:
    an entry page holds its `entry`, a listing its `groups`, the export is TIMELINEJS."""
    work: dict[str, _EntryWork] = {}

    def of(entry: Entry, context: Mapping[str, object]) -> _EntryWork:
        return work.get(entry.id) or work.setdefault(entry.id, _EntryWork(entry, context["settings"],
                                                                          context["changes"]))

    for page in pages:
        context = page.context
        if page.template == SHARE_CARD:  # drawn on its own (_pending_cards)
            continue
        if "entry" in context:
            of(context["entry"], context).page = page
        elif "groups" in context:
            for entry in context["entries"]:
                of(entry, context).roots.add(context["root"])
        elif page.template == TIMELINEJS:
            for entry in context["entries"]:
                of(entry, context).event = True
    return list(work.values())


# What the worker processes make, and the environment they make it with: set before they are
# forked, so none of it is sent to them (and templates compiled here are not compiled again there).
_pending: list[_EntryWork] = []
_pending_cards: list[Page] = []  # the share cards, spread over the same tasks as the entries
_pending_env: jinja2.Environment | None = None


def render_page(env: jinja2.Environment, page: Page) -> bytes:
    """render.render_page (looked up here, so that a test can count or interrupt the pages rendered)."""
    from ..render import render_page as rendered

    return rendered(env, page)


def render(env: jinja2.Environment, pages: tuple[Page, ...]) -> Iterator[tuple[str, bytes]]:
    """Each page's bytes, the same as render.render_pages gives, in worker processes when that pays.

    What belongs to one entry (its body, page, listing items, event and share card) is made in parallel,
    entry by entry, so that no work is done twice; the pages that join them (listings, exports) follow
    here. Joining is cheap, and workers that rendered listings would each render most items again."""
    from ..render import ITEM_TEMPLATE

    workers = fork_workers(len(pages))
    if workers < 2:
        yield from ((page.path, render_page(env, page)) for page in pages)
        return
    global _pending, _pending_cards, _pending_env
    _pending, _pending_env = _entry_work(pages), env
    _pending_cards = [page for page in pages if page.template == SHARE_CARD]
    for template in {work.page.template for work in _pending if work.page} | {ITEM_TEMPLATE}:
        env.get_template(template)  # compiled once, before the workers are forked
    made = set()
    pool = fork_pool(workers)
    try:
        step = workers * 4  # every n-th entry to each task: costly entries are spread evenly
        starts = range(min(step, max(len(_pending), len(_pending_cards))))
        for done, bodies, fragments in pool.map(_make_entries, starts, [step] * len(starts)):
            env.fragments.gain(bodies, fragments)
            made.update(path for path, _ in done)
            yield from done
    finally:  # also when the consumer stops early (a full disk): tasks not started are dropped
        pool.shutdown(wait=True, cancel_futures=True)
        _pending, _pending_cards, _pending_env = [], [], None
    yield from ((page.path, render_page(env, page)) for page in pages if page.path not in made)


def _make_entries(start: int, step: int) -> tuple[list, dict, dict]:
    """In a worker: every `step`-th entry's work from `start`; the pages made, and the bodies and
    fragments gained, for the parent."""
    from ..render import LISTING_HEADING_LEVEL, listing_item, timelinejs_event_json

    env = _pending_env
    fragments = env.fragments
    fragments.gained_bodies, fragments.gained_fragments = {}, {}
    done = []
    for work in _pending[start::step]:
        for root in sorted(work.roots):
            listing_item(env, work.entry, root, LISTING_HEADING_LEVEL, work.settings, work.changes)
        if work.event:
            timelinejs_event_json(env, work.entry, work.settings)
        if work.page is not None:
            done.append((work.page.path, render_page(env, work.page)))
    done += [(card.path, render_page(env, card)) for card in _pending_cards[start::step]]
    return done, fragments.gained_bodies, fragments.gained_fragments
