"""The whole build, stage by stage: load, validate, order, render, write."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .load import MEDIA_DIR, display_path, load_content
from .model import Problem, Timeline
from .order import order_entries
from .permalinks import Permalink, guard_permalinks, removed_pages, save_lock
from .pagecache import PageCache
from .render import Page, plan_site, render_pages, render_site
from .write import OutputFolderError, WriteResult, write_site


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
    loaded = load_content(content_dir, cache_dir)
    if loaded.errors or loaded.settings is None:
        return BuildResult(loaded.problems)
    entries = order_entries(loaded.entries, include_drafts)
    timeline = Timeline(loaded.settings, entries, include_drafts)
    guard = guard_permalinks(content_dir, timeline, allow_removed)
    problems = loaded.problems + guard.problems
    if not guard.ok:
        return BuildResult(problems)
    return BuildResult(problems, timeline, permalinks=guard.permalinks)


def build(content_dir: Path, output_dir: Path, templates_dir: Path, include_drafts: bool = False,
          allow_removed: tuple[str, ...] = (), *, cache_dir: Path | None = None,
          record_permalinks: bool = True) -> BuildResult:
    """Build the site; with any content error nothing is written.

    `record_permalinks` adds new entry URLs to content/permalinks.lock: a published build
    does, a live preview does not (what an editor previews has not been published).
    """
    result = load_timeline(content_dir, include_drafts, allow_removed, cache_dir=cache_dir)
    if not result.ok:
        return result
    try:
        written = render_and_write(result, content_dir, output_dir, templates_dir, cache_dir)
    except OutputFolderError as err:
        return BuildResult(result.problems + (Problem(display_path(output_dir), str(err)),))
    except OSError as err:
        return BuildResult(result.problems + (_write_problem(err, output_dir, "the site was not updated"),))
    if record_permalinks and not include_drafts:  # a build with drafts publishes nothing for good
        try:
            save_lock(content_dir, result.permalinks)
        except OSError as err:
            return BuildResult(result.problems + (_write_problem(err, content_dir, "the permalink lock was not updated"),))
    return BuildResult(result.problems, result.timeline, len(written.fingerprints), written.written, written.removed,
                       result.permalinks)


def render_and_write(result: BuildResult, content_dir: Path, output_dir: Path, templates_dir: Path,
                     cache_dir: Path | None) -> WriteResult:
    """Render the pages the page cache does not know unchanged, and write the site."""
    timeline = result.timeline
    pages = plan_site(timeline)
    cache = PageCache(cache_dir, content_dir, output_dir, templates_dir) if cache_dir is not None else None
    kept = cache.unchanged(pages) if cache is not None else {}
    bodies = cache.known_bodies(e.body for e in timeline.entries if e.body) if cache is not None else {}
    files = render_files(result, content_dir, templates_dir, [p for p in pages if p.path not in kept], bodies)
    by_path = {page.path: page for page in pages}

    def render_kept(paths: list[str]) -> dict[str, bytes]:  # kept pages the output folder lost
        return render_pages(templates_dir, tuple(by_path[path] for path in paths), timeline.entries, bodies)

    written = write_site(files, output_dir, kept, render_kept)
    if cache is not None:
        cache.save(pages, written, bodies)
    return written


def render_files(result: BuildResult, content_dir: Path, templates_dir: Path, pages: list[Page] | None = None,
                 bodies: dict[str, str] | None = None) -> dict[str, bytes]:
    """Every output file (or only `pages` of the site): the rendered site and a "removed" page at
    each retired permalink. `bodies`: converted bodies kept by the cache, filled with new ones."""
    files = render_site(result.timeline, templates_dir, content_dir / MEDIA_DIR, pages, bodies)
    files.update(removed_pages(result.timeline, (p for p in result.permalinks if p.removed), templates_dir))
    return files


def _write_problem(err: OSError, folder: Path, consequence: str) -> Problem:
    return Problem(display_path(Path(err.filename or folder)), f"cannot write: {err.strerror or err}; {consequence}")
