"""The permalink guard: every entry URL ever published keeps leading somewhere.

content/permalinks.lock is a plain text file that editors commit with the
content. Each line is one URL path the site has published, a tab, and the
title of the entry it showed:

    entries/zaranj-falls/<TAB>Taliban capture Zaranj, capital of Nimroz

Every build checks that each path is still served by an entry's id or one
of its `aliases`; a path that would disappear stops the build. `build` adds
the paths it publishes for the first time (`check` writes nothing). An editor
retires a path on purpose with `--allow-removed PATH`; its line then gets a
third column, the reason shown to readers, which editors may reword:

    entries/old-id/<TAB>Title it had<TAB>removed: Withdrawn by the editors.

For a retired path the site serves a "removed" page (what was there, why it
is gone, where to go) instead of a 404. An id that comes back is served again.

A site with language editions (editions.py) publishes each entry in each of them, at
<language>/entries/<id>/: those are permanent addresses too, recorded and guarded like the
original's, so that dropping a language from `translations:` stops the build as removing an
entry does. An edition serves no aliases of its own: it was never published under an earlier id.
"""
from __future__ import annotations

import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Container, Iterable, Iterator, NamedTuple

from .fields import ID_PATTERN
from .folders import Refused, read_regular
from .layout import LOCK_FILE, display_path
from .model import Problem, Timeline

REMOVED_TEMPLATE = "removed.html"
DEFAULT_REASON = "The editors withdrew this entry from the timeline."
_REMOVED = "removed:"
_PUBLISHED = "published:"
_HEADER = """\
# Every entry URL this timeline has published, one a line:
#   path<TAB>title<TAB>published: YYYY-MM-DD[<TAB>removed: reason]
# `python build.py` adds new paths, with the day it first published each; do not delete lines. If an
# entry is renamed, add its old id to the new entry's `aliases`. To retire a path on purpose:
# python build.py --allow-removed PATH (the reason after "removed:" is shown to readers on the page
# that replaces it; reword it freely).
"""
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_LANGUAGE = r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*"  # an edition's folder, as validate.LANGUAGE_TAG allows
_PATH = re.compile(rf"(?:{_LANGUAGE}/)?entries/(?P<id>[^/\s]+)/")
# A lock of a million entries is well under this.
MAX_LOCK_BYTES = 200_000_000
# A line as Permalink.line writes it for a path in use: entries/<id>/, then a tab and the title, with
# no space around either, then the day it was published. Its path needs no normalising, its title no
# stripping.
_WRITTEN_LINE = re.compile(rf"((?:{_LANGUAGE}/)?entries/{ID_PATTERN.pattern}/)(?:\t(\S(?:[^\t]*\S)?))?(?:\t{_PUBLISHED} (\d{{4}}-\d\d-\d\d))?")


class Permalink(NamedTuple):
    """One line of the lock. A named tuple: a build makes one for every entry URL (10,000 frozen
    dataclasses took 0.006 s)."""

    path: str  # entries/<id>/
    title: str = ""
    removed_reason: str | None = None  # set when the path was retired on purpose
    published: str | None = None  # YYYY-MM-DD: the day a build first published it; None for lines older than that

    @property
    def removed(self) -> bool:
        return self.removed_reason is not None

    def line(self) -> str:
        columns = [self.path, " ".join(self.title.split())]  # a tab in a title would start a new column
        if self.published:
            columns.append(f"{_PUBLISHED} {self.published}")
        if self.removed:
            columns.append(f"{_REMOVED} {self.removed_reason}")
        return "\t".join(columns).rstrip("\t")


@dataclass(frozen=True)
class GuardResult:
    problems: tuple[Problem, ...]
    permalinks: tuple[Permalink, ...]  # the lock as it should be after this build, sorted by path

    @property
    def ok(self) -> bool:
        return not any(p.severity == "error" for p in self.problems)

    def published(self, timeline: Timeline) -> dict[str, str]:
        """The day each entry of the timeline was first published (YYYY-MM-DD), by id: the earliest of its
        address and its earlier ones (`aliases`), so that a renamed entry is not published anew; an entry
        not yet published (in a preview) has none."""
        days = {permalink.path: permalink.published for permalink in self.permalinks if permalink.published}
        published = {}
        for entry in timeline.entries:
            known = [days[path] for name in (entry.id, *entry.aliases) if (path := entry_path(name)) in days]
            if known:
                published[entry.id] = min(known)
        return published

    @property
    def removed(self) -> tuple[Permalink, ...]:
        return tuple(p for p in self.permalinks if p.removed)


def lock_path(content_dir: Path) -> Path:
    return content_dir / LOCK_FILE


def entry_path(entry_id: str) -> str:
    return f"entries/{entry_id}/"


def normalise_path(text: str) -> str | None:
    """entries/x/ from what an editor may type: entries/x, /entries/x/, entries/x/index.html or x."""
    cleaned = text.strip().strip("/").removesuffix("/index.html")
    if ID_PATTERN.fullmatch(cleaned):
        cleaned = f"entries/{cleaned}"
    path = cleaned + "/"
    match = _PATH.fullmatch(path)
    return path if match and ID_PATTERN.fullmatch(match["id"]) else None


def _is_entry_path(text: str) -> bool:
    """Already written as normalise_path writes it (as every line the tool writes is): entries/<id>/."""
    match = _PATH.fullmatch(text)
    return match is not None and ID_PATTERN.fullmatch(match["id"]) is not None


def read_lock(content_dir: Path) -> tuple[dict[str, tuple[Permalink, int]], list[Problem]]:
    """The recorded permalinks with their line numbers; a missing file is an empty lock."""
    lines, problems = _read_lines(content_dir)[0::2]
    return ({path: (Permalink(path, title, reason, published), number)
             for path, (title, reason, number, published) in lines.items()}, problems)


def _read_lines(content_dir: Path, served: Container[str] = frozenset()
                ) -> tuple[dict[str, tuple[str, str | None, int, str | None]], dict[str, str | None], list[Problem]]:
    """What read_lock gives, as (title, removed reason, line number, published) by path, but for the
    `served` paths, of which only the day they were published is read: whatever else their lines say,
    the guard records them as served now."""
    from .validate import text_problem  # here: the validator imports PyYAML, which a no-op build does without

    path = lock_path(content_dir)
    shown = str(path.absolute())
    if not path.exists() and not path.is_symlink():
        return {}, {}, []
    try:
        # utf-8-sig: an editor on Windows may save the file with a byte-order mark; the lock is written without.
        text = read_regular(str(path), MAX_LOCK_BYTES)[0].decode("utf-8-sig")
    except (Refused, UnicodeDecodeError) as err:
        reason = str(err) if isinstance(err, Refused) else "it is not UTF-8"
        return {}, {}, [Problem(shown, f"cannot read the permalink lock: {reason}; restore it from version control")]
    records: dict[str, tuple[str, str | None, int, str | None]] = {}
    published: dict[str, str | None] = {}  # of the served paths listed; None: listed with no day
    problems = []
    # A title or reason kept here is shown on the page that replaces a retired path. Lines are split
    # at line feeds alone, as editors number them (splitlines also splits at U+2028 and kin).
    suspect = not text.replace("\n", "").replace("\t", "").isprintable()
    for number, raw in enumerate(text.split("\n"), 1):
        raw = raw.removesuffix("\r")
        first = raw.partition("\t")[0]
        if first in served:  # an entry path, as is: no problem to report, only the day it was published to keep
            published.setdefault(first, _published_column(raw))
            continue
        if suspect and (problem := text_problem(raw, one_line=False)) is not None:
            problems.append(Problem(shown, problem, line=number, column=1))
            continue
        written = _WRITTEN_LINE.fullmatch(raw)
        if written:  # as the tool writes it (nearly every line): nothing to strip or normalise
            records.setdefault(written[1], (written[2] or "", None, number, written[3]))
            continue
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        columns = [column.strip() for column in raw.split("\t")]
        path_text = columns[0] if _is_entry_path(columns[0]) else normalise_path(columns[0])
        if path_text is None or columns[0] != path_text:
            problems.append(Problem(shown, f'"{columns[0][:80]}" is not an entry path such as entries/zaranj-falls/ '
                                    "(a path, then a tab, then the title)", line=number, column=1))
            continue
        reason = next((c[len(_REMOVED):].strip() for c in columns[2:] if c.startswith(_REMOVED)), None)
        day = next((c[len(_PUBLISHED):].strip() for c in columns[2:] if c.startswith(_PUBLISHED)), None)
        if day is not None and not _valid_day(day):
            problems.append(Problem(shown, f'"{_PUBLISHED} {day[:20]}" is not a day written as YYYY-MM-DD, such '
                                    "as 2021-08-07; fix it or remove the column", line=number, column=1))
            continue
        title = columns[1] if len(columns) > 1 else ""
        records.setdefault(path_text, (title, reason, number, day))
    return records, published, problems


def _published_column(line: str) -> str | None:
    """The day a line says its path was published, when it says so as the tool writes it."""
    at = line.find(f"\t{_PUBLISHED} ")
    if at < 0:
        return None
    day = line[at + len(_PUBLISHED) + 2:].partition("\t")[0].strip()
    return day if _valid_day(day) else None


def _valid_day(day: str) -> bool:
    from datetime import date

    try:
        return bool(_DAY.fullmatch(day)) and date.fromisoformat(day) is not None
    except ValueError:
        return False


def guard_permalinks(content_dir: Path, timeline: Timeline, allow_removed: Iterable[str] = (),
                     published_by: Path | None = None, today: str | None = None) -> GuardResult:
    """Check that every recorded path is still served or deliberately retired; the updated lock.

    `published_by`: an output folder whose marker records the permalinks it published: a lock that
    lost some of them (deleted, truncated, a merge gone wrong) would otherwise turn the guard off.
    `today` (YYYY-MM-DD): the day of a build that publishes, recorded for the paths it adds."""
    served = _served_paths(timeline)
    records, days, problems = _read_lines(content_dir, served)  # the paths not served any more, nearly all
    shown = str(lock_path(content_dir).absolute())
    if published_by is not None and not problems:
        problems += _lost_lines(published_by, records.keys() | days.keys(), served, shown)
    retiring, usage = _retiring(allow_removed, records, served, shown)
    problems += usage
    # A served path is recorded with the title it has now, and is no longer retired; a new one with today.
    for path, (_, _, _, day) in records.items():
        if path in served:  # served, though its line is written otherwise than the tool writes it
            days.setdefault(path, day)
    result = {path: Permalink(path, title, None, days[path] if path in days else today)
              for path, title in served.items()}
    for path, (title, reason, number, day) in records.items():
        if path in result:
            continue
        if reason is None and path in retiring:
            reason = DEFAULT_REASON
        elif reason is None:
            problems.append(_missing(shown, number, path))
        result[path] = Permalink(path, title, reason, day)
    return GuardResult(tuple(problems), tuple(map(result.__getitem__, sorted(result))))


def _served_paths(timeline: Timeline) -> dict[str, str]:
    """Every entry path the site serves (ids and aliases, and each id in each edition), with the title of the
    entry behind it (its translation's in an edition that has one)."""
    served = {}
    for entry in timeline.entries:
        served[entry_path(entry.id)] = entry.title
        for alias in entry.aliases:
            served[entry_path(alias)] = entry.title
    for edition in timeline.editions:
        titles = {translation.entry_id: translation.title for translation in edition.translations}
        for entry in timeline.entries:
            served[f"{edition.language}/{entry_path(entry.id)}"] = titles.get(entry.id, entry.title)
    return served


def _retiring(requested: Iterable[str], records, served, shown: str) -> tuple[set[str], list[Problem]]:
    paths, problems = set(), []
    for text in requested:
        path = normalise_path(text)
        if path is None:
            problems.append(Problem("--allow-removed", f'"{text}" is not an entry path; write it as entries/<id>/'))
        elif path in served:
            problems.append(Problem("--allow-removed", f"{path} is still served by an entry; "
                                    "remove the entry (or the alias) first"))
        elif path not in records:
            problems.append(Problem("--allow-removed", f"{path} is not in {display_path(shown)}; only published paths can be retired"))
        else:
            paths.add(path)
    return paths, problems


def _lost_lines(output_dir: Path, listed: Container[str], served: Container[str], shown: str) -> list[Problem]:
    """A problem for the permalinks the output folder's marker says were published but the lock lacks."""
    from .write import published_permalinks

    try:
        published = published_permalinks(output_dir)
    except ValueError as err:
        return [Problem(str(output_dir.absolute()), str(err))]
    # Lost with them: the days they were published; named first, those no entry serves any more.
    lost = sorted((path for path in published if path not in listed), key=lambda path: (path in served, path))
    if not lost:
        return []
    listed = ", ".join(lost[:3]) + (f" and {len(lost) - 3} more" if len(lost) > 3 else "")
    return [Problem(shown, f"does not list {listed}, which {display_path(output_dir)} published (its marker "
                    f"says so); the lock lost lines: restore it from version control (git checkout -- "
                    f"{display_path(shown)}) and build again")]


def _missing(shown: str, number: int, path: str) -> Problem:
    old_id = _PATH.fullmatch(path)["id"]
    if not path.startswith("entries/"):
        language = path.partition("/")[0]
        return Problem(shown, f"{path} was published in the {language} edition but is not served any more. If "
                       f"{language} was taken out of translations:, put it back; if the entry was removed or renamed, "
                       f"retire the path on purpose: --allow-removed {path}", line=number, column=1)
    return Problem(shown, f"{path} was published but no entry serves it any more. If an entry replaced it, add "
                   f'"{old_id}" to that entry\'s aliases; to retire it on purpose, build with '
                   f"--allow-removed {path}", line=number, column=1)


def _lock_mode(path: Path) -> int:
    """The lock's permissions as they are, or as the umask makes a new file's."""
    try:
        return os.lstat(path).st_mode & 0o777
    except OSError:
        umask = os.umask(0o022)
        os.umask(umask)
        return 0o666 & ~umask


def lock_text(permalinks: Iterable[Permalink]) -> str:
    return _HEADER + "".join(permalink.line() + "\n" for permalink in permalinks)


class LockUpdate:
    """The lock as a build leaves it, saved together with the site: prepared (written beside the lock,
    which fails early in a read-only content folder) before the site's commit point, put in place just
    after it, or discarded when the site was not updated."""

    def __init__(self, content_dir: Path, permalinks: Iterable[Permalink]):
        self.permalinks = tuple(permalinks)
        self.path = lock_path(content_dir)
        self.temporary: str | None = None

    @property
    def paths(self) -> tuple[str, ...]:
        return tuple(permalink.path for permalink in self.permalinks)

    def prepare(self) -> None:
        text = lock_text(self.permalinks)
        try:
            if read_regular(str(self.path), MAX_LOCK_BYTES)[0].removeprefix(b"\xef\xbb\xbf") == text.encode("utf-8"):
                return  # unchanged: a byte order mark an editor added is no reason to rewrite it
        except Refused:
            pass
        try:
            handle, self.temporary = tempfile.mkstemp(prefix=f".{LOCK_FILE}.", dir=self.path.parent)
            os.chmod(handle, _lock_mode(self.path))  # mkstemp's 0600 would lock out the others who read it
            with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
                stream.write(text)
                stream.flush()
                os.fsync(stream.fileno())
        except OSError as err:  # reported as the lock's, not as the temporary file's
            self.discard()
            why = f"{err.strerror or err} (a new lock is written beside it first)"
            raise OSError(err.errno, why, str(self.path)) from None
        except BaseException:
            self.discard()
            raise

    def commit(self) -> None:
        if self.temporary is not None:
            os.replace(self.temporary, self.path)  # the folder was writable a moment ago: this holds
            self.temporary = None

    def discard(self) -> None:
        if self.temporary is not None:
            Path(self.temporary).unlink(missing_ok=True)
            self.temporary = None


def removed_pages(env, timeline: Timeline, removed: Iterable[Permalink]) -> Iterator[tuple[str, bytes]]:
    """The "removed" page served at each retired path instead of a 404 (rendered with `env`)."""
    from .plan import Page, changes_of
    from .render import render_page

    settings = timeline.settings
    # What the frame of every page shows: the about page's link, when the timeline was last updated.
    frame = {"about": timeline.about is not None, "changes": changes_of(timeline)}
    for permalink in removed:
        path = permalink.path + "index.html"
        context = {"settings": settings, "drafts_included": timeline.drafts_included, "root": "../" * path.count("/"),
                   "path": path, "url": settings.base_url + permalink.path,
                   "title": permalink.title, "reason": permalink.removed_reason, **frame}
        yield path, render_page(env, Page(path, REMOVED_TEMPLATE, context, ()))
