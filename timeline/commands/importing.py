"""The `import` command: draft entry files from a TimelineJS or TimelineSetter file, all of them or none.

imports.plan_import says what to write; this writes it. Each file is created, never replaced ("x"):
one that appeared since the plan was made stops the import, and so does a write that fails; the
files this run created are then removed, so that an import is never left half done.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from ..imports import EntryToWrite, ImportPlan, plan_import
from ..layout import display_path
from ..speed import Cached
from ..speed.store import default_cache_dir


class ImportFailed(Exception):
    """Writing the entry files failed; the ones this run had created were removed."""


@dataclass(frozen=True)
class Imported:
    plan: ImportPlan
    written: tuple[EntryToWrite, ...]


def import_file(source: Path, content_dir: Path, id_prefix: str = "", dry_run: bool = False) -> Imported:
    """Plan the import and, when it has no error and is not a dry run, write its new files."""
    state = Cached(default_cache_dir(content_dir))  # the existing entries are read as `check` reads them
    plan = plan_import(source, content_dir, id_prefix, state.read_entries)
    if plan.errors or dry_run:
        return Imported(plan, ())
    return Imported(plan, write_entries(plan.to_write))


def write_entries(entries: tuple[EntryToWrite, ...]) -> tuple[EntryToWrite, ...]:
    created: list[str] = []
    try:
        for entry in entries:
            os.makedirs(os.path.dirname(entry.path), exist_ok=True)
            with open(entry.path, "x", encoding="utf-8", newline="\n") as stream:
                created.append(entry.path)
                stream.write(entry.text)
    except BaseException as err:
        for path in created:
            try:
                os.unlink(path)
            except OSError:
                pass
        if isinstance(err, FileExistsError):
            raise ImportFailed(f"{display_path(err.filename or entry.path)} appeared while importing; nothing "
                               "was written: run the import again") from None
        if isinstance(err, OSError):
            raise ImportFailed(f"cannot write {display_path(entry.path)}: {err.strerror or err}; nothing was "
                               "written") from None
        raise
    return entries
