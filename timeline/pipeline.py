"""The whole build, stage by stage: load, validate, order, render, write.

A build with a cache folder whose inputs and outputs are exactly as its last
successful build left them is not done again (stamp.py); in a Session, which a
process that builds again and again (a live preview) keeps, one that follows
edits to entry files alone starts from the last build's load and plan
(edits.py). The stages are
imported only when a build runs: Jinja, Markdown and PyYAML take longer to
import than that check.
"""
from __future__ import annotations

import gc
import re
import traceback
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Iterator, NamedTuple

from .model import Problem, Timeline
from .speed.stamp import StampFile, rescanned, scan
from .write import OutputFolderError, WriteResult, write_site

if TYPE_CHECKING:
    from .speed.session import Edited, LastBuild
    from .load import Loaded
    from .permalinks import Permalink
    from .render import Memo, Page


@dataclass(frozen=True)
class BuildResult:
    problems: tuple[Problem, ...]
    timeline: Timeline | None = None
    files_written: int = 0
    # Output paths (relative to the output folder) this build created or changed, and removed:
    # what a live preview reports after each rebuild.
    written: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    # content/permalinks.lock as this build leaves it (retired paths included).
    permalinks: tuple[Permalink, ...] = ()
    # How many entries the site shows; set where `timeline` is not (a build skipped as unchanged).
    entry_count: int | None = None

    @property
    def entries(self) -> int:
        return self.entry_count if self.timeline is None else len(self.timeline.entries)

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.severity == "error")

    @property
    def ok(self) -> bool:
        return not self.errors


def load_timeline(content_dir: Path, include_drafts: bool = False, allow_removed: tuple[str, ...] = (),
                  *, cache_dir: Path | None = None) -> BuildResult:
    """Load, validate, order and check the permalinks; the timeline is None when any file has an error.

    With a `cache_dir`, entry files unchanged since an earlier run are taken from the cache there.
    """
    return _load_and_check(content_dir, include_drafts, allow_removed, cache_dir)[0]


def _load_and_check(content_dir: Path, include_drafts: bool, allow_removed: tuple[str, ...],
                    cache_dir: Path | None) -> tuple[BuildResult, Loaded | None]:
    """load_timeline, and what the load gave (for edits.LastBuild)."""
    from .load import load_content
    from .order import order_entries

    with _frozen_when_made():
        loaded = load_content(content_dir, cache_dir)
    if loaded.errors or loaded.settings is None:
        return BuildResult(loaded.problems), None
    entries = order_entries(loaded.entries, include_drafts)
    return _checked(content_dir, Timeline(loaded.settings, entries, include_drafts, loaded.fingerprints),
                    loaded, allow_removed), loaded


def _checked(content_dir: Path, timeline: Timeline, loaded: Loaded, allow_removed: tuple[str, ...]) -> BuildResult:
    """The build's result once the permalinks are checked: no timeline when one was lost."""
    from .permalinks import guard_permalinks

    guard = guard_permalinks(content_dir, timeline, allow_removed)
    problems = loaded.problems + guard.problems
    if not guard.ok:
        return BuildResult(problems)
    return BuildResult(problems, timeline, permalinks=guard.permalinks)


@contextmanager
def _frozen_when_made() -> Iterator[None]:
    """What the stamp, the load, the plan and the caches make lives at least as long as the build (a
    Session keeps some of it for the next) and holds no garbage cycles: made with the cyclic collector
    paused, then frozen, it is left out of every collection during the build (at 10,000 entries,
    collections rescanning it cost 0.1-0.2 s of a cold build and 0.04 s of planning). Frozen objects
    are still freed by reference counting; build() unfreezes them at its end."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if was_enabled:
            gc.enable()


@dataclass
class Session:
    """What a process that builds one site again and again (serve) keeps from one build to the next:
    its last successful build, which a build after edits to entry files alone starts from (edits.py),
    and the page keys of its last build (pagecache.PageCache)."""

    last: LastBuild | None = None
    page_keys: tuple[str, dict[tuple[str, ...], str]] = ("", {})


class _Made(NamedTuple):
    """A build's result, and what it made on the way: for its stamp, and for a session's next build."""

    result: BuildResult
    written: WriteResult | None = None
    loaded: Loaded | None = None
    pages: tuple[Page, ...] = ()


def build(content_dir: Path, output_dir: Path, templates_dir: Path, include_drafts: bool = False,
          allow_removed: tuple[str, ...] = (), *, cache_dir: Path | None = None,
          record_permalinks: bool = True, session: Session | None = None) -> BuildResult:
    """Build the site; with any content error nothing is written.

    `record_permalinks` adds new entry URLs to content/permalinks.lock: a published build
    does, a live preview does not (what an editor previews has not been published).
    With a `cache_dir`, a build whose inputs and outputs have not changed since the last one
    returns that build's result (without `timeline`, with `entry_count`) and does nothing; and
    with a `session` too, a build after edits to entry files alone starts from the session's last.
    """
    try:
        return _build_if_changed(content_dir, output_dir, templates_dir, include_drafts, allow_removed, cache_dir,
                                 record_permalinks, session)
    finally:
        # The stages froze what they made, for the build's duration: what a build leaves but a session
        # keeps must be collectable by the next.
        gc.unfreeze()


def _build_if_changed(content_dir: Path, output_dir: Path, templates_dir: Path, include_drafts: bool,
                      allow_removed: tuple[str, ...], cache_dir: Path | None, record_permalinks: bool,
                      session: Session | None) -> BuildResult:
    if cache_dir is None:
        return _load_render_write(content_dir, output_dir, templates_dir, include_drafts, allow_removed, None,
                                  record_permalinks).result
    options = ("build", str(output_dir.resolve()), str(templates_dir.resolve()), include_drafts, allow_removed,
               str(cache_dir.resolve()), record_permalinks)
    with _frozen_when_made():  # 20,000 stats, and in a preview a large heap of cache kept from the last build
        before = scan(content_dir, templates_dir, options, skip=(cache_dir, output_dir))
        stamp = StampFile(cache_dir, content_dir, output_dir)
        unchanged = stamp.result_if_unchanged(before)
    if isinstance(unchanged, BuildResult):
        return unchanged
    from .speed import session as edits
    from .load import zone_files_read
    from .permalinks import lock_path

    last = session.last if session is not None else None
    edited = edits.edited_build(last, before, content_dir, cache_dir) if last is not None else None
    made = _load_render_write(content_dir, output_dir, templates_dir, include_drafts, allow_removed, cache_dir,
                              record_permalinks, edited, session)
    result = made.result
    if result.ok and made.written is not None:
        after = before
        if record_permalinks and not include_drafts:
            after = rescanned(before, lock_path(content_dir))  # this build wrote it: as it is now
        zone_files = zone_files_read(result.timeline.settings.timezone)
        summary = BuildResult(result.problems, None, result.files_written, entry_count=result.entries)
        stamp.record(after, made.written.stats, made.written.fingerprints, summary, zone_files)
        if session is not None:
            session.last = edits.LastBuild(after, made.loaded, result.timeline, made.pages, zone_files,
                                           edited.print_index if edited is not None else None)
    return result


def _load_render_write(content_dir: Path, output_dir: Path, templates_dir: Path, include_drafts: bool,
                       allow_removed: tuple[str, ...], cache_dir: Path | None, record_permalinks: bool,
                       edited: Edited | None = None, session: Session | None = None) -> _Made:
    """The build: from what loading and planning the content give, or what `edited` gives of them."""
    from .load import display_path
    from .permalinks import save_lock
    from .render import plan_site

    if edited is None:
        result, loaded = _load_and_check(content_dir, include_drafts, allow_removed, cache_dir)
    else:
        loaded = edited.loaded
        result = _checked(content_dir, edited.timeline, loaded, allow_removed)
    if not result.ok:
        return _Made(result)
    with _frozen_when_made():
        pages = edited.pages if edited is not None else plan_site(result.timeline, fingerprinted=cache_dir is not None)
    import jinja2

    try:
        written = render_and_write(result, pages, content_dir, output_dir, templates_dir, cache_dir, session)
    except jinja2.TemplateError as err:
        return _Made(BuildResult(result.problems + (_template_problem(err, templates_dir),)))
    except OutputFolderError as err:
        return _Made(BuildResult(result.problems + (Problem(display_path(output_dir), str(err)),)))
    except OSError as err:
        return _Made(BuildResult(result.problems + (_write_problem(err, output_dir, "the site was not updated"),)))
    if record_permalinks and not include_drafts:  # a build with drafts publishes nothing for good
        try:
            save_lock(content_dir, result.permalinks)
        except OSError as err:
            problem = _write_problem(err, content_dir, "the permalink lock was not updated")
            return _Made(BuildResult(result.problems + (problem,)))
    built = BuildResult(result.problems, result.timeline, len(written.fingerprints), written.written,
                        written.removed, result.permalinks)
    return _Made(built, written, loaded, pages)


def render_and_write(result: BuildResult, pages: tuple[Page, ...], content_dir: Path, output_dir: Path,
                     templates_dir: Path, cache_dir: Path | None, session: Session | None = None) -> WriteResult:
    """Render the pages the page cache does not know unchanged, and write the site."""
    from .speed.pages import PageCache
    from .render import Memo, render_pages

    timeline = result.timeline
    with _frozen_when_made():
        cache = None
        if cache_dir is not None:
            known_keys = session.page_keys if session is not None else None
            cache = PageCache(cache_dir, content_dir, output_dir, templates_dir, known_keys)
        kept = cache.unchanged(pages) if cache is not None else {}
        memo = cache.memo(timeline) if cache is not None else Memo()
    files = output_files(result, content_dir, templates_dir, [p for p in pages if p.path not in kept], memo)
    by_path = {page.path: page for page in pages}

    def render_kept(paths: list[str]) -> dict[str, bytes]:  # kept pages the output folder lost
        return render_pages(templates_dir, tuple(by_path[path] for path in paths), memo)

    written = write_site(files, output_dir, kept, render_kept)
    if cache is not None:
        cache.save(pages, written, memo, timeline)
        if session is not None:
            session.page_keys = (cache.site_key, cache.keys)
    return written


def render_files(result: BuildResult, content_dir: Path, templates_dir: Path) -> dict[str, bytes]:
    """Every output file: the rendered site and a "removed" page at each retired permalink."""
    return dict(output_files(result, content_dir, templates_dir))


def output_files(result: BuildResult, content_dir: Path, templates_dir: Path, pages: list[Page] | None = None,
               memo: Memo | None = None) -> Iterator[tuple[str, bytes]]:
    """render_files as the files are made (or only `pages` of the site). `memo`: what the cache kept
    of earlier renders (render.Memo)."""
    from .load import MEDIA_DIR
    from .permalinks import removed_pages
    from .render import site_files

    yield from site_files(result.timeline, templates_dir, content_dir / MEDIA_DIR, pages, memo)
    yield from removed_pages(result.timeline, (p for p in result.permalinks if p.removed), templates_dir).items()


def _template_problem(err: Exception, templates_dir: Path) -> Problem:
    """Where a template went wrong: the template file and line from Jinja's rewritten traceback,
    or from the worker process's traceback when a worker rendered the page."""
    from .load import display_path

    message = f"template error: {getattr(err, 'message', None) or err}; the site was not updated"
    if getattr(err, "lineno", None) and getattr(err, "filename", None):  # a syntax error
        return Problem(display_path(Path(err.filename)), message, line=err.lineno)
    folder = templates_dir.resolve()
    frames = [(frame.filename, frame.lineno) for frame in traceback.extract_tb(err.__traceback__)]
    remote = getattr(err.__cause__, "tb", "")  # concurrent.futures keeps a worker's traceback as text
    frames += [(name, int(line)) for name, line in re.findall(r'File "([^"]+)", line (\d+)', remote)]
    for filename, line in reversed(frames):
        if Path(filename).resolve().is_relative_to(folder):
            return Problem(display_path(Path(filename)), message, line=line)
    return Problem(display_path(templates_dir), message)


def _write_problem(err: OSError, folder: Path, consequence: str) -> Problem:
    from .load import display_path

    return Problem(display_path(Path(err.filename or folder)), f"cannot write: {err.strerror or err}; {consequence}")
