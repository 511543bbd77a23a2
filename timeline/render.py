"""Render stage: each planned page becomes bytes, all markup from templates/.

A page depends on nothing but its template and its context (Markdown is converted here, not while
planning), so any page can be rendered on its own, in any order or process, and two builds are
byte-identical.

The templates folder is untrusted input like the content (a repository takes pull requests): the
templates run in Jinja's sandbox, which gives them no way to reach Python's internals, and are read
only as regular files inside that folder. A template that makes a page too slow or too large
stops the build with a template error instead of running on.

What renders reuse travels in Fragments, which the environment holds: each converted body and each
entry's fragments (its listing item, its TimelineJS event), made once and joined by every listing
and by the export. A build state may seed it with what an earlier build made.

The environment speaks the site's language (locales.py): the templates' strings go through gettext
(Jinja's i18n extension, newstyle: `{% trans %}` and `_()`, with plurals), from the templates
folder's catalogue for the language, and the filters write dates and numbers as CLDR has them.
"""
from __future__ import annotations

import functools
import os
import signal
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator, Mapping

try:
    import resource
except ImportError:  # pragma: no cover - Windows
    resource = None

import jinja2
from jinja2.loaders import split_template_path
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.utils import htmlsafe_json_dumps
from markupsafe import Markup

from . import axis, exports
from .calendars import names_language, other_date
from .locales import CatalogueError, language_for
from .fields import MAX_MEDIA_BYTES
from .folders import FILE, FOLDER, LINK, Refused, read_below, refusal, walk
from .layout import MEDIA_DIR, STATIC_DIR, display_path
from .markup import first_paragraph, render_markdown
from .model import Correction, EditionLink, Entry, Media, PartialDate, Place, Settings, Source, Tag, Timeline
from .plan import SHARE_CARD, Page, Period

# The heading level of listing items as the timeline macro (macros.html) renders them by default:
# items are prepared at this level before the listings are rendered. An item at another level is
# rendered when a listing asks for it, so this only decides what is prepared, never what is shown.
LISTING_HEADING_LEVEL = 2
ITEM_TEMPLATE = "entry_item.html"
SLIDE_TEXT_TEMPLATE = "timelinejs_text.html"  # the text of an entry's slide in timeline.json
MAX_TEMPLATE_BYTES = 1_000_000
MAX_STATIC_BYTES = MAX_MEDIA_BYTES  # a font or an image in templates/static/
# A page no template of a real site comes near: its longest page renders in well under a second.
PAGE_SECONDS = 30
# The largest text or list a template may make by repetition ("x" * n).
MAX_REPEATED = 1_000_000
# The memory a page may take to render besides what the process held when it started (where the system
# lets a process limit its own, as Linux does): a template that doubles a text in a loop, formats a
# number a billion characters wide or pads a text to it stops with a template error instead of
# exhausting the machine. The largest page of a 50,000-entry site (timeline.json, 100 MB) takes a
# fraction of it.
PAGE_MEMORY = 2 << 30
_PAGE_BYTES = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096  # the unit of /proc/self/statm


class TemplateLimit(jinja2.TemplateError):
    """A template made a page too slow or too large to be a page."""


class TemplateFailed(jinja2.TemplateError):
    """A template raised an error of Python's while it rendered (1/0, range(10**9), a macro calling itself)."""


@dataclass
class Fragments:
    """What a render reuses: each body converted to HTML, by its Markdown, and each entry's fragments
    (its listing item, its TimelineJS event), by kind and entry id. A build state may seed it with
    what an earlier build made (bodies through `stored_body`, looked up when first needed), and keeps
    what was `gained`."""

    bodies: dict[str, str] = field(default_factory=dict)
    fragments: dict[tuple, str] = field(default_factory=dict)
    stored_body: Callable[[str], str | None] | None = None
    compiled: jinja2.BytecodeCache | None = None  # the templates compiled by an earlier build
    gained_bodies: dict[str, str] = field(default_factory=dict)
    gained_fragments: dict[tuple, str] = field(default_factory=dict)

    def body(self, body: str) -> str:
        html = self.bodies.get(body)
        if html is None:
            html = self.stored_body(body) if self.stored_body else None
            if html is None:
                html = self.gained_bodies[body] = render_markdown(body)
            self.bodies[body] = html
        return html

    def fragment(self, key: tuple, make: Callable[..., str], *args) -> str:
        """The fragment under `key`, made by make(*args) when not known (the arguments, not a closure:
        asked for once per entry by every listing and export)."""
        text = self.fragments.get(key)
        if text is None:
            text = self.fragments[key] = self.gained_fragments[key] = make(*args)
        return text

    def gain(self, bodies: Mapping[str, str], fragments: Mapping[tuple, str]) -> None:
        """Take in what another process made."""
        self.bodies.update(bodies)
        self.gained_bodies.update(bodies)
        self.fragments.update(fragments)
        self.gained_fragments.update(fragments)


class TemplateFolder(jinja2.BaseLoader):
    """Templates read from one folder: regular files inside it, never through a link."""

    def __init__(self, folder: Path):
        self.folder = str(folder.absolute())

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str, Callable[[], bool]]:
        relative = "/".join(split_template_path(template))  # refuses ".." as Jinja's own loader does
        path = f"{self.folder}/{relative}"
        if not os.path.lexists(path):
            raise jinja2.TemplateNotFound(template)
        try:
            data = read_below(self.folder, relative, MAX_TEMPLATE_BYTES)[0]
        except Refused as err:
            raise jinja2.TemplateError(f"{relative} {err}") from None
        try:
            return data.decode("utf-8"), path, lambda: True
        except UnicodeDecodeError:
            raise jinja2.TemplateError(f"{relative} is not UTF-8; save it as UTF-8") from None


# The values a page's context holds, whose public attributes are all plain data or the model's own
# methods: read without the sandbox's checks, which are meant for everything else a template may reach.
_MODEL_TYPES = frozenset({Entry, PartialDate, Place, Settings, Tag, Source, Media, Correction, Period, Timeline,
                          EditionLink})


class _Sandbox(ImmutableSandboxedEnvironment):
    """Jinja's sandbox, where repetition cannot make a text or list of unbounded size either."""

    intercepted_binops = frozenset(["*", "**"])

    def getattr(self, obj, attribute: str):
        if type(obj) in _MODEL_TYPES and attribute[:1] != "_":
            try:
                return getattr(obj, attribute)
            except AttributeError:
                return self.undefined(obj=obj, name=attribute)
        return super().getattr(obj, attribute)

    def call_binop(self, context, operator: str, left, right):
        if operator == "**" and isinstance(right, int) and abs(right) > 64:
            raise TemplateLimit(f"{left!r:.20} ** {right} is too large a power for a template")
        if operator == "*":
            for sized, times in ((left, right), (right, left)):
                if isinstance(sized, (str, list, tuple)) and isinstance(times, int) \
                        and len(sized) * times > MAX_REPEATED:
                    raise TemplateLimit(f"a template repeats a text or list {times:,} times; "
                                        f"at most {MAX_REPEATED:,} items are allowed")
        return super().call_binop(context, operator, left, right)

    def compile(self, source, name=None, filename=None, raw=False, defer_init=False):
        """Jinja's compile, where a template too deeply nested for Jinja's parser or for Python's
        compiler (a RecursionError, "too many statically nested blocks") is a syntax error too."""
        try:
            with _memory_limited():  # Jinja works out constant expressions as it compiles: '%0999999999d'|format(1)
                return super().compile(source, name, filename, raw, defer_init)
        except jinja2.TemplateError:
            raise
        except MemoryError:
            raise jinja2.TemplateSyntaxError(str(_too_large()), 1, name, filename) from None
        except Exception as err:  # noqa: BLE001 - whatever a template's text makes the compilers raise
            raise jinja2.TemplateSyntaxError(f"the template cannot be compiled ({type(err).__name__}: {err}); "
                                             "it is nested too deeply", 1, name, filename) from None

    def handle_exception(self, source=None):
        """Jinja's error with its traceback through the templates' lines, where an error of Python's that
        a template raised is a template error: the templates are untrusted input like the content, and
        what they get wrong is reported, with the template's file and line, never a traceback."""
        from jinja2.debug import rewrite_traceback_stack

        error = rewrite_traceback_stack(source=source)
        if isinstance(error, jinja2.TemplateError) or not isinstance(error, Exception):
            raise error
        if isinstance(error, MemoryError):
            raise _too_large().with_traceback(error.__traceback__) from None
        raise TemplateFailed(f"{type(error).__name__}: {error}").with_traceback(error.__traceback__) from None


def make_environment(templates_dir: Path, fragments: Fragments | None = None,
                     language: str = "en") -> jinja2.Environment:
    """The environment the pages of a site in `language` (a BCP 47 tag) render in; a catalogue of the
    templates folder that cannot be used is a template error naming its file and line."""
    fragments = fragments if fragments is not None else Fragments()
    try:
        spoken = language_for(language, templates_dir)
    except CatalogueError as err:
        raise jinja2.TemplateSyntaxError(str(err), err.line or 1, filename=err.file) from None
    env = _Sandbox(
        extensions=["jinja2.ext.i18n"],
        loader=TemplateFolder(templates_dir),
        bytecode_cache=fragments.compiled,
        auto_reload=False,  # an environment lives for one render: a stat per template use is wasted
        autoescape=jinja2.select_autoescape(("html", "xml"), default_for_string=True, default=False),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.fragments = fragments  # for the filters below; templates cannot reach it
    env.language = spoken
    env.policies["json.dumps_kwargs"] = {"sort_keys": False, "ensure_ascii": False}
    env.policies["ext.i18n.trimmed"] = True  # a {% trans %} block's line breaks are not the message's
    env.install_gettext_translations(spoken.translations, newstyle=True)
    env.globals.update(entry_items=entry_items, text_direction=spoken.direction,
                       numbering_system=spoken.formats.numbering_system)
    env.filters.update(time_axis=time_axis, listing_runs=listing_runs, era_marks=axis.era_marks,
                       day_label=day_label, duration=duration, locator_x=locator_x, locator_bin=locator_bin, tick_label=tick_label,
                       month_name=month_name,
                       number=number, display_date=display_date, markdown=body_html, summary_text=summary_text,
                       date_range=date_range, other_calendars=other_calendars, media_url=exports.media_url, place_label=place_label,
                       event_data=event_data, item_list_data=exports.item_list_data,
                       timelinejs_title=exports.timelinejs_title, timelinejs_events=timelinejs_events,
                       timelinejs_eras=exports.timelinejs_eras, csv_row=exports.csv_row,
                       ics_text=exports.ics_text, ics_lines=exports.ics_lines, ics_dates=exports.ics_dates,
                       ics_stamp=exports.ics_stamp, site_origin=exports.site_origin, coordinate=exports.coordinate,
                       periods_list_data=exports.periods_list_data, share_card=share_card,
                       period_item_list_data=exports.period_item_list_data)
    env.tests["fits"] = label_fits
    return env


class Environments:
    """The environment of each language the site is published in (make_environments): every edition's pages
    are rendered by its own, whose fragments are its own (a listing item is kept by its entry's id, and an
    entry's text differs from one edition to another)."""

    def __init__(self, language: str, by_language: dict[str, jinja2.Environment]):
        self.language, self.by_language_env = language, by_language

    def __getitem__(self, language: str) -> jinja2.Environment:
        return self.by_language_env[language]

    @property
    def original(self) -> jinja2.Environment:
        return self.by_language_env[self.language]

    def language_of(self, page: Page) -> str:
        settings = page.context.get("settings")
        language = settings.language if isinstance(settings, Settings) else self.language
        return language if language in self.by_language_env else self.language

    def by_language(self, pages: Iterable[Page]) -> list[tuple[str, tuple[Page, ...]]]:
        """The pages of each language, in the order given within each, the original's first."""
        grouped: dict[str, list[Page]] = {language: [] for language in self.by_language_env}
        for page in pages:
            grouped[self.language_of(page)].append(page)
        return [(language, tuple(members)) for language, members in grouped.items() if members]

    def render_pages(self, pages: Iterable[Page]) -> Iterator[tuple[str, bytes]]:
        for page in pages:
            yield page.path, render_page(self[self.language_of(page)], page)


def make_environments(templates_dir: Path, fragments: Fragments, settings: Settings) -> Environments:
    """An environment for the site's language, holding `fragments` (what a build state may reuse), and one for
    each language of its editions, sharing only the compiled templates and the bodies converted (which depend
    on nothing but their Markdown). The one place an environment learns the language it renders in."""
    environments = {settings.language: make_environment(templates_dir, fragments, settings.language)}
    for language in settings.translations:
        environments[language] = make_environment(
            templates_dir, Fragments(compiled=fragments.compiled, stored_body=fragments.stored_body), language)
    return Environments(settings.language, environments)


def render_page(env: jinja2.Environment, page: Page) -> bytes:
    if page.template == SHARE_CARD:  # a picture, drawn by code of the package rather than by a template
        from .cards import draw_card

        return draw_card(page.context["entry"], page.context["settings"], env.language.formats)
    with _limits(page):
        return env.get_template(page.template).render(page.context).encode("utf-8")


def render_pages(env: jinja2.Environment, pages: Iterable[Page]) -> Iterator[tuple[str, bytes]]:
    """Each page's bytes, one after the other."""
    for page in pages:
        yield page.path, render_page(env, page)


@contextmanager
def _limits(page: Page) -> Iterator[None]:
    """Stop a render that runs past PAGE_SECONDS (a template looping over and over) or takes more than
    PAGE_MEMORY. Only the main thread of a process gets signals, and the memory limit is the whole
    process's: a render elsewhere runs without the limits."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(*_) -> None:
        raise TemplateLimit(f"{page.template} took more than {PAGE_SECONDS} s to render {page.path}; "
                            "a template that loops over the entries within a loop over the entries is "
                            "the usual cause")

    previous = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, PAGE_SECONDS)
    try:
        with _memory_limited():
            yield
    except MemoryError:  # raised outside the template's own code (the page's encoding)
        raise _too_large() from None
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@contextmanager
def _memory_limited() -> Iterator[None]:
    """The process's address space limited to what it takes now and PAGE_MEMORY (in the main thread,
    where it is not limited already)."""
    limits = _limit_memory() if threading.current_thread() is threading.main_thread() else None
    try:
        yield
    finally:
        if limits is not None:
            resource.setrlimit(resource.RLIMIT_AS, limits)


def _limit_memory() -> tuple[int, int] | None:
    """Limit the process's address space to what it takes now and PAGE_MEMORY; the limits it had, to put
    back, or None where it is limited as much already or cannot be (no /proc/self/statm to measure it by)."""
    if resource is None:
        return None
    try:
        with open("/proc/self/statm", "rb") as stream:
            used = int(stream.read().split(None, 1)[0]) * _PAGE_BYTES
        limits = resource.getrlimit(resource.RLIMIT_AS)
        ceiling = used + PAGE_MEMORY
        soft, hard = limits
        if soft != resource.RLIM_INFINITY and soft <= ceiling:
            return None  # limited more already
        resource.setrlimit(resource.RLIMIT_AS, (ceiling if hard == resource.RLIM_INFINITY else min(ceiling, hard),
                                                hard))
    except (OSError, ValueError, IndexError):
        return None
    return limits


def _too_large() -> TemplateLimit:
    return TemplateLimit(f"a template took more than {PAGE_MEMORY / (1 << 20):,.0f} MB of memory to make a page; a "
                         "text made ever longer in a loop, or padded or formatted to a huge width, is the usual cause")


# ---------------------------------------------------------------- filters

@jinja2.pass_environment
def body_html(env: jinja2.Environment, body: str) -> Markup:
    """The entry body as safe HTML; render_markdown escapes raw HTML and drops unsafe links."""
    return Markup(env.fragments.body(body))


@jinja2.pass_environment
def summary_text(env: jinja2.Environment, entry: Entry) -> str:
    """Plain-text summary: the editor's, else the body's first paragraph."""
    return entry.summary or first_paragraph(env.fragments.body(entry.body))


@jinja2.pass_environment
def display_date(env: jinja2.Environment, date: PartialDate, circa: bool = False) -> str:
    """A date as the site's language writes it, at the precision written: 6 August 2021, c. August 2021."""
    return env.language.formats.date(date, circa)


@jinja2.pass_environment
def date_range(env: jinja2.Environment, entry: Entry) -> tuple[str, str, str]:
    """An entry's date and end date as (first, separator, last): 1 May, " – ", 31 August 2021."""
    return env.language.formats.range(entry.date, entry.end_date, entry.circa)


@jinja2.pass_environment
def number(env: jinja2.Environment, value: int) -> str:
    """A count as the site's language writes it: 10,000; ۱۰٬۰۰۰."""
    return env.language.formats.number(value)


@jinja2.pass_environment
def time_axis(env: jinja2.Environment, entries: Iterable[Entry], settings: Settings) -> axis.Axis | None:
    """The time axis of a listing's entries (made as the page renders, from the entries its context holds),
    running right to left on a right-to-left page."""
    return axis.entry_axis(entries, settings.eras, zone_of(settings), mirrored=env.language.direction == "rtl")


def other_calendars(entry: Entry, settings: Settings) -> tuple[tuple[str, str | None], ...]:
    """The entry's date (or span) in each of the settings' other calendars, each with the language of its
    words when that is not the timeline's (templates mark it with lang); a calendar that has no date for it
    is left out."""
    shown = []
    for calendar in settings.calendars:
        text = other_date(entry.date, calendar, settings.language, entry.end_date)
        if text is not None:
            shown.append((text, names_language(calendar, settings.language)))
    return tuple(shown)


def listing_runs(groups, settings: Settings) -> tuple:
    return axis.listing_runs(groups, settings.eras, zone_of(settings))


@functools.lru_cache(maxsize=8)
def _zone(name: str):
    from zoneinfo import ZoneInfo

    return ZoneInfo(name)


def zone_of(settings: Settings):
    return _zone(settings.timezone)


def locator_x(locator: axis.Locator, entry: Entry) -> float:
    return locator.x(entry)


@jinja2.pass_environment
def tick_label(env: jinja2.Environment, tick: axis.Tick) -> str:
    """An axis tick's label: the day of the month (6), the month (August, or August 2021), the year."""
    formats = env.language.formats
    if tick.unit == "day":
        return formats.number(tick.day)
    if tick.unit == "month":
        return formats.month(tick.year, tick.month) if tick.with_year else formats.month_name(tick.month)
    return formats.year(tick.year)


def locator_bin(locator: axis.Locator, entry: Entry) -> float:
    """Where the locator's bin that counts the entry begins."""
    return locator.bin_of(entry)[0]


AXIS_CHARACTER_WIDTH = 9  # units of the axis a character of its labels takes, a little over most


def label_fits(label: str, room: float) -> bool:
    """Whether an axis label is short enough for the room before the next tick."""
    return len(label) * AXIS_CHARACTER_WIDTH <= room


@jinja2.pass_environment
def month_name(env: jinja2.Environment, month: int) -> str:
    return env.language.formats.month_name(month)


@jinja2.pass_environment
def day_label(env: jinja2.Environment, day) -> str:
    """A day (a date, or YYYY-MM-DD) as readers read it: 24 November 2026."""
    return env.language.formats.day(day)


def duration(entry: Entry) -> int | None:
    """How many days an entry with an end date spans, both ends counted; None without one."""
    if entry.end_date is None:
        return None
    start, end = axis.covered(entry.date, entry.end_date)
    return round((end - start) / axis.DAY)


@jinja2.pass_environment
def place_label(env: jinja2.Environment, place: Place) -> str:
    """'Zaranj, Nimroz, Afghanistan'; a part is named once ('Afghanistan', not 'Afghanistan, Afghanistan')."""
    separator = env.language.translations.pgettext("between a place's name, region and country", ", ")
    return separator.join(dict.fromkeys(part for part in (place.name, place.region, place.country) if part))


@jinja2.pass_environment
def event_data(env: jinja2.Environment, entry: Entry, settings: Settings, changes=None,
               share_image: str | None = None) -> dict:
    """`share_image`: the path of the entry's share card, if it has one (plan.share_image)."""
    published, modified = changes.times.get(entry.id, (None, None)) if changes is not None else (None, None)
    image = settings.base_url + share_image if share_image else None
    return exports.event_data(entry, settings, summary_text(env, entry), published, modified, image)


@jinja2.pass_environment
def share_card(env: jinja2.Environment, entry: Entry, settings: Settings):
    """What the entry's share card says (cards.Card), for the words that describe it to those who cannot see it."""
    from .cards import card_for

    return card_for(entry, settings, env.language.formats)


def listing_item(env: jinja2.Environment, entry: Entry, root: str, heading_level: int, settings: Settings,
                 changes) -> Markup:
    """An entry's listing item (templates/entry_item.html), rendered once per root and level (what else it
    shows of the timeline, its new or updated mark, is in the entry's key, which the fragment is kept by)."""
    key = ("item", entry.id, root, heading_level)
    return Markup(env.fragments.fragment(key, _render_item, env, entry, root, heading_level, settings, changes))


def _render_item(env: jinja2.Environment, entry: Entry, root: str, heading_level: int, settings: Settings,
                 changes) -> str:
    return env.get_template(ITEM_TEMPLATE).render(entry=entry, root=root, heading_level=heading_level,
                                                  settings=settings, changes=changes)


@jinja2.pass_context
def entry_items(context, entries: Iterable[Entry], root: str, heading_level: int) -> Markup:
    """The listing items of `entries`, one after the other (joined here: a template loop over
    thousands of items costs a Jinja call each)."""
    env, settings, changes = context.environment, context["settings"], context["changes"]
    return Markup("".join([listing_item(env, entry, root, heading_level, settings, changes) for entry in entries]))


@jinja2.pass_eval_context
def timelinejs_events(eval_ctx: jinja2.nodes.EvalContext, entries: Iterable[Entry], settings: Settings) -> str:
    """The events of timeline.json, as the tojson filter writes a list's items: one fragment per
    entry, made once (joined here: a template loop over every event costs a Jinja call each).

    Markup only where the template escapes: timeline.json holds every event, and each copy of it
    (Markup(), then str() of the Markup) costs as much as the join. A template that asks for escaping
    where it does not autoescape (`| e`) gets the events escaped, as it asked."""
    env = eval_ctx.environment
    joined = ", ".join([timelinejs_event_json(env, entry, settings) for entry in entries])
    return Markup(joined) if eval_ctx.autoescape else joined


def timelinejs_event_json(env: jinja2.Environment, entry: Entry, settings: Settings) -> str:
    return env.fragments.fragment(("event", entry.id, settings.title), _event_json, env, entry, settings)  # a slide names its timeline


def _event_json(env: jinja2.Environment, entry: Entry, settings: Settings) -> str:
    formats = env.language.formats
    shown = entry.date_label or (formats.date(entry.date, entry.circa) if not entry.end_date
                                 else "".join(formats.range(entry.date, entry.end_date, entry.circa)))
    text = env.get_template(SLIDE_TEXT_TEMPLATE).render(entry=entry, settings=settings,
                                                        url=exports.entry_url(entry, settings))
    event = exports.timelinejs_event(entry, settings, shown, text.strip(), zone_of(settings))
    # A str, not the Markup htmlsafe_json_dumps gives: kept by the thousand, it unpickles faster.
    return str(htmlsafe_json_dumps(event, **env.policies["json.dumps_kwargs"]))


# ---------------------------------------------------------------- files copied as they are

def static_files(templates_dir: Path) -> Iterator[tuple[str, bytes]]:
    """templates/static/ copied as static/, in a stable order (regular files only; hidden ones left out)."""
    folder = str((templates_dir / STATIC_DIR).absolute())
    if os.path.islink(folder):  # walk() lists nothing of it, and read_below() refuses it: say so
        raise Refused(f"{display_path(folder)} {refusal(folder, LINK, 'folder')}")
    for item in walk(folder):
        if item.kind == FOLDER:
            continue
        if item.kind != FILE:
            raise Refused(f"{display_path(item.path)} {refusal(item.path, item.kind)}")
        relative = item.path[len(folder) + 1:].replace(os.sep, "/")
        yield f"{STATIC_DIR}/{relative}", read_below(folder, relative, MAX_STATIC_BYTES)[0]


def media_files(timeline: Timeline, media_dir: Path) -> Iterator[tuple[str, bytes]]:
    """The local images the entries use, copied from content/media/ as media/ (validation checked each)."""
    used = sorted({e.media.src for e in timeline.entries if e.media and e.media.is_local})
    for src in used:
        yield f"{MEDIA_DIR}/{src}", read_below(str(media_dir.absolute()), src, MAX_MEDIA_BYTES)[0]
