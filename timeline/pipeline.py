"""The whole build, stage by stage: load, validate, order, render, write."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .load import MEDIA_DIR, load_content
from .model import Problem, Timeline
from .order import order_entries
from .render import render_site
from .write import write_site


@dataclass(frozen=True)
class BuildResult:
    problems: tuple[Problem, ...]
    timeline: Timeline | None = None
    files_written: int = 0
    # Output paths (relative to the output folder) this build created or changed, and removed:
    # what a live preview reports after each rebuild.
    written: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.severity == "error")

    @property
    def ok(self) -> bool:
        return not self.errors


def load_timeline(content_dir: Path, include_drafts: bool = False) -> BuildResult:
    """Load, validate and order; the timeline is None when any file has an error."""
    loaded = load_content(content_dir)
    if loaded.errors or loaded.settings is None:
        return BuildResult(loaded.problems)
    entries = order_entries(loaded.entries, include_drafts)
    return BuildResult(loaded.problems, Timeline(loaded.settings, entries, include_drafts))


def build(content_dir: Path, output_dir: Path, templates_dir: Path, include_drafts: bool = False) -> BuildResult:
    """Build the site; with any content error nothing is written."""
    result = load_timeline(content_dir, include_drafts)
    if not result.ok:
        return result
    files = render_site(result.timeline, templates_dir, content_dir / MEDIA_DIR)
    written = write_site(files, output_dir)
    return BuildResult(result.problems, result.timeline, len(files), written.written, written.removed)
