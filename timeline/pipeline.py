"""The whole build, stage by stage: load, validate, order, plan, render, write.

    build(options, state)
      load_content      read and validate timeline.yaml and every entry       (load.py, validate.py)
      copy_media        remote images fetched (or taken from the store)       (remote.py)
      order_entries     one chronological order                               (order.py)
      guard_permalinks  every URL ever published still leads somewhere        (permalinks.py)
      plan_site         every page as plain data                              (plan.py)
      render            each page through its template                        (render.py)
      write_site        into the output folder, all or nothing                (write.py)
      save the lock     the new URLs, together with the site                  (permalinks.py)

`state` is a build state (timeline/speed): what a build may reuse from earlier ones and how it
spreads its work. It never changes a byte of what is made: the cold state reuses nothing and is the
reference every other state is tested against. This module does not import it; the commands choose
one and pass it in.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

from .folders import Refused, check_folder
from .layout import MEDIA_DIR, display_path
from .model import Problem, Timeline
from .permalinks import GuardResult, LockUpdate, Permalink, guard_permalinks, removed_pages
from .write import OutputFolderError, write_site

if TYPE_CHECKING:
    from .load import Loaded
    from .plan import Page
    from .remote import RemoteAccess
    from .speed import BuildState

# The stages that need PyYAML, Markdown or Jinja are imported where they are used: a build with
# nothing to do (the build state says so) returns before any of them would be imported.


@dataclass(frozen=True)
class BuildOptions:
    """What a build is asked to do."""

    content: Path
    templates: Path
    output: Path | None = None  # none for `check`
    drafts: bool = False  # include entries marked draft: true
    allow_removed: tuple[str, ...] = ()  # published entry paths retired on purpose
    # Add new entry URLs to content/permalinks.lock: a published build does, a live preview does
    # not (what an editor previews has not been published), nor does a build with drafts.
    publish: bool = True
    # Fetch no remote image: publish the stored copies (an image without one is an error).
    offline: bool = False
    # How remote images are fetched and where their copies are kept (None: from the internet, into the
    # user's cache folder); a test's own server, certificate and store folder otherwise.
    remote: RemoteAccess | None = None

    @property
    def remote_access(self) -> RemoteAccess:
        from .remote import RemoteAccess

        return self.remote if self.remote is not None else RemoteAccess()

    @property
    def records_permalinks(self) -> bool:
        return self.publish and not self.drafts


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


@dataclass(frozen=True)
class Planned:
    """The content loaded, ordered and checked, and every page planned: what is rendered and written."""

    loaded: Loaded
    timeline: Timeline
    guard: GuardResult
    pages: tuple[Page, ...]

    @property
    def problems(self) -> tuple[Problem, ...]:
        return self.loaded.problems + self.guard.problems


def build(options: BuildOptions, state: BuildState) -> BuildResult:
    """Build the site into options.output; with any content error nothing is written."""
    with state.building():
        unusable = folder_problems(options) + state.problems(options)
        if unusable:
            return BuildResult(unusable)
        done = state.unchanged(options)
        if done is not None:
            return done
        planned = state.replanned(options)
        if planned is None:
            planned, problems = plan(options, state)
            if planned is None:
                return BuildResult(problems)
        return _render_and_write(options, state, planned)


def check(options: BuildOptions, state: BuildState) -> BuildResult:
    """Load, validate, order and check the permalinks, writing nothing; no timeline with any error."""
    with state.building():
        return _checked(options, state)[1]


def render_files(options: BuildOptions, state: BuildState) -> tuple[dict[str, bytes], BuildResult]:
    """Every file of the site, rendered in memory (for `check --links`), and the result of the check."""
    from .render import make_environments

    with state.building():
        planned, result = _checked(options, state)
        if planned is None:
            return {}, result
        try:
            env = make_environments(options.templates, state.fragments(options, planned.timeline),
                                    planned.timeline.settings)
            return dict(site_files(options, state, env, planned, list(planned.pages))), result
        except Exception as err:
            problem = problem_for(err, options)
            if problem is None:
                raise
            return {}, replace(result, problems=result.problems + (problem,))


def _checked(options: BuildOptions, state: BuildState) -> tuple[Planned | None, BuildResult]:
    """What check reports, and the plan it made (None with an error)."""
    unusable = folder_problems(options) + state.problems(options)
    if unusable:
        return None, BuildResult(unusable)
    planned, problems = plan(options, state)
    if planned is None:
        return None, BuildResult(problems)
    return planned, BuildResult(planned.problems, planned.timeline, permalinks=planned.guard.permalinks)


def plan(options: BuildOptions, state: BuildState) -> tuple[Planned | None, tuple[Problem, ...]]:
    """The content loaded, validated, ordered and checked, and its pages planned; None and the
    problems when there is an error."""
    from .load import load_content
    from .order import order_entries, select_members
    from .plan import plan_site

    with state.long_lived():
        loaded = load_content(options.content, state.read_entries, state.time_zone)
    if loaded.settings is not None:
        found = tuple(problem for language in (loaded.settings.language, *loaded.settings.translations)
                      for problem in language_problems(options, language))
        loaded = replace(loaded, problems=loaded.problems + found)
    if loaded.errors or loaded.settings is None:
        return None, loaded.problems
    loaded = copy_media(options, loaded)
    if loaded.errors:
        return None, loaded.problems
    entries = order_entries(loaded.entries, options.drafts)
    timeline = Timeline(loaded.settings, entries, options.drafts, about=loaded.about,
                        selections=tuple(replace(selection, members=select_members(selection, entries))
                                         for selection in loaded.selections), editions=loaded.editions)
    guard, timeline = guarded(options, timeline)
    if not guard.ok:
        return None, loaded.problems + guard.problems
    with state.long_lived():
        pages = plan_site(timeline, state.entry_keys(timeline))
    return Planned(loaded, timeline, guard, pages), ()


def language_problems(options: BuildOptions, language: str) -> tuple[Problem, ...]:
    """A language the templates have no catalogue for (shown in English), or a catalogue that is broken."""
    from .layout import SETTINGS_FILE
    from .locales import language_problems as problems

    return problems(language, options.templates, str((options.content / SETTINGS_FILE).absolute()))


def copy_media(options: BuildOptions, loaded: Loaded) -> Loaded:
    """What the load gave, with each remote image of the site naming its copy: fetched by a build,
    taken from the store with --offline, left as written by `check` (which fetches nothing)."""
    from .remote import AS_WRITTEN, FETCH, STORED, copy_remote_media

    mode = STORED if options.offline else FETCH if options.output is not None else AS_WRITTEN
    copied = copy_remote_media(loaded.settings, loaded.entries, options.drafts, options.remote_access, mode)
    return replace(loaded, entries=copied.entries, problems=loaded.problems + copied.problems)


def guarded(options: BuildOptions, timeline: Timeline) -> tuple[GuardResult, Timeline]:
    """The permalink guard's verdict, and the timeline with the day each entry was first published: for a
    build that publishes, today for the entries it publishes for the first time."""
    from zoneinfo import ZoneInfo

    from .dates import today_in

    today = today_in(ZoneInfo(timeline.settings.timezone)) if options.records_permalinks else None
    guard = guard_permalinks(options.content, timeline, options.allow_removed, published_by=options.output,
                             today=today)
    return guard, replace(timeline, published=guard.published(timeline))


def _render_and_write(options: BuildOptions, state: BuildState, planned: Planned) -> BuildResult:
    """Render what the state does not know unchanged, write the site, and the lock with it."""
    from .render import make_environments  # Jinja: only once there is something to render

    problems = planned.problems
    lock = LockUpdate(options.content, planned.guard.permalinks) if options.records_permalinks else None
    try:
        with state.long_lived():
            kept = state.kept_pages(options, planned.pages)
            fragments = state.fragments(options, planned.timeline)
        env = make_environments(options.templates, fragments, planned.timeline.settings)
        by_path = {page.path: page for page in planned.pages}
        files = site_files(options, state, env, planned, [p for p in planned.pages if p.path not in kept])
        if lock is not None:
            lock.prepare()  # a lock that cannot be saved stops the build before the site changes
        written = write_site(files, options.output, kept,
                             lambda paths: dict(env.render_pages(by_path[path] for path in paths)),
                             permalinks=lock.paths if lock is not None else None)
    except Exception as err:
        if lock is not None:
            lock.discard()
        problem = problem_for(err, options)
        if problem is None:
            raise
        return BuildResult(problems + (problem,))
    if lock is not None:
        lock.commit()
    state.built(options, planned, fragments, written)
    return BuildResult(problems, planned.timeline, len(written.fingerprints), written.written, written.removed,
                       planned.guard.permalinks)


def site_files(options: BuildOptions, state: BuildState, env, planned: Planned,
               pages: list[Page]) -> Iterator[tuple[str, bytes]]:
    """The files of the site as they are made (only `pages` of the planned ones, each rendered by the
    environment of its edition's language, `env`: render.Environments): the pages, the static
    files, the images the entries use (and the copies of remote ones), and a "removed" page at each
    retired permalink."""
    from .remote import copied_files
    from .render import media_files, static_files

    for language, in_language in env.by_language(pages):
        yield from state.render(env[language], in_language)
    yield from static_files(options.templates)
    yield from media_files(planned.timeline, options.content / MEDIA_DIR)
    yield from copied_files(planned.timeline.entries, options.remote_access)
    yield from removed_pages(env.original, planned.timeline, planned.guard.removed)


def folder_problems(options: BuildOptions) -> tuple[Problem, ...]:
    """The folders given cannot be used together: a link, or one inside another (an output folder in
    the content would be published into itself; a cache in the output would be published)."""
    named = {"content": options.content, "templates": options.templates, "output": options.output}
    problems = [Problem(str(path.absolute()), message) for what, path in named.items()
                if path is not None and (message := check_folder(path, what))]
    for what, path in (("output", options.output),):
        if path is None:
            continue
        for other in ("content", "templates"):
            inside = _overlap(path, named[other])
            if inside:
                problems.append(Problem(str(path.absolute()), f"is {inside} the {other} folder "
                                        f"{display_path(named[other])}; choose an output folder apart from it"))
    return tuple(problems)


def _overlap(one: Path, other: Path) -> str | None:
    """Whether one folder is inside the other, is it, or holds it."""
    first, second = Path(one).resolve(), Path(other).resolve()
    if first == second:
        return "the same as"
    if first.is_relative_to(second):
        return "inside"
    if second.is_relative_to(first):
        return "around"
    return None


def problem_for(err: Exception, options: BuildOptions) -> Problem | None:
    """The problem a failure of the render or the write is reported as; None for a bug."""
    import jinja2

    from .remote import StoreChanged

    if isinstance(err, jinja2.TemplateError):
        return template_problem(err, options.templates)
    if isinstance(err, OutputFolderError):
        return Problem(str(options.output.absolute()), str(err))
    if isinstance(err, Refused):
        return Problem(str(options.templates.absolute()), str(err))
    if isinstance(err, StoreChanged):
        return Problem(str(options.remote_access.folder().absolute()), str(err))
    if isinstance(err, OSError):
        folder = options.output if options.output is not None else options.content
        return Problem(str(Path(err.filename or folder).absolute()),
                       f"cannot write: {err.strerror or err}; the site was not updated")
    return None


def template_problem(err: Exception, templates_dir: Path) -> Problem:
    """Where a template went wrong: the template file and line from Jinja's rewritten traceback,
    or from the worker process's traceback when a worker rendered the page."""
    import re
    import traceback

    import jinja2

    message = f"template error: {getattr(err, 'message', None) or err}; the site was not updated"
    if isinstance(err, jinja2.TemplateNotFound):  # its message is the name alone
        message = (f'template error: there is no template "{err.name}" in {display_path(templates_dir)} (a template '
                   "can use only the templates inside that folder); the site was not updated")
    if getattr(err, "lineno", None) and getattr(err, "filename", None):  # a syntax error
        return Problem(str(Path(err.filename).absolute()), message, line=err.lineno)
    folder = templates_dir.resolve()
    frames = [(frame.filename, frame.lineno) for frame in traceback.extract_tb(err.__traceback__)]
    remote = getattr(err.__cause__, "tb", "")  # concurrent.futures keeps a worker's traceback as text
    frames += [(name, int(line)) for name, line in re.findall(r'File "([^"]+)", line (\d+)', remote)]
    for filename, line in reversed(frames):
        if Path(filename).resolve().is_relative_to(folder):
            return Problem(str(Path(filename).absolute()), message, line=line)
    return Problem(str(templates_dir.absolute()), message)

