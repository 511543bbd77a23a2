"""Languages: the words of the interface and the way dates and numbers are written, from `language`.

The site's `language` (a BCP 47 tag in content/timeline.yaml) chooses two things:

- its **catalogue**, the interface strings of the templates translated (gettext), in the templates
  folder as locale/<name>/LC_MESSAGES/messages.po, where <name> is a Babel locale identifier (en,
  fa_AF, zh_Hans). The tag's most specific catalogue is used: fa-AF takes fa_AF, en-GB takes en,
  zh-CN takes zh_Hans (its likely script). A language with none is shown in English, and `check`
  warns, naming the catalogues there are. A .po file is read and compiled in memory at each build
  (never a compiled .mo that could go stale), so a translator corrects the .po and nothing else;
- its **formats**, CLDR's, through Babel: dates at the precision written, ranges, numbers with the
  digits of the locale's default numbering system, plural forms. They are the tag's own whatever
  the catalogue (a language Babel does not know is written as English is).

The page's direction (dir) is the content's, CLDR's text direction for the tag, whatever the catalogue.

A catalogue lives in the templates folder, which is untrusted input like the templates: it is read
as a regular file below that folder, within a size limit, and checked before use (its plural forms
are CLDR's for its language, each plural message has as many forms, and a translation uses only
the placeholders of its message), so a mistake in it stops the build with the file and line
rather than a page with a Python error.
"""
from __future__ import annotations

import functools
import io
import os
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, time
from pathlib import Path
from typing import Callable

from babel import Locale, UnknownLocaleError
from babel.core import get_global
from babel.dates import (DateTimeFormat, format_skeleton, format_time, get_month_names, match_skeleton,
                         parse_pattern, tokenize_pattern, untokenize_pattern)
from babel.messages.mofile import write_mo
from babel.messages.plurals import get_plural
from babel.messages.pofile import PoFileError, read_po
from babel.numbers import format_decimal
from babel.support import NullTranslations, Translations

from .dates import format_offset
from .folders import FOLDER, Refused, listing, read_below
from .model import DAY, MINUTE, MONTH, YEAR, PartialDate, Problem

CATALOGUE_DIR = "locale"  # in the templates folder
DOMAIN = "messages"
SOURCE_LANGUAGE = "en"  # the language of the msgids
MAX_CATALOGUE_BYTES = 1_000_000

# CLDR's numberingSystems.xml, for the default numbering systems of the locales that have one other
# than latn: the digit zero of each (the nine others follow it in Unicode). Babel knows the name of
# a locale's numbering system and its symbols, but not its digits, and writes every date in ASCII.
NUMBERING_ZEROS = {"arab": "\u0660", "arabext": "\u06f0", "beng": "\u09e6", "deva": "\u0966", "mymr": "\u1040"}
ASCII_DIGITS = "0123456789"

# The skeletons (CLDR's field sets) a date is written with, by its precision.
SKELETONS = {YEAR: "y", MONTH: "yMMMM", DAY: "yMMMMd"}
_PLACEHOLDER = re.compile(r"%(?:%|\((\w+)\)s)")
_ANY_CONVERSION = re.compile(r"%(?:\([^)]*\))?[^%(]?")


class CatalogueError(ValueError):
    """A catalogue that cannot be used: the message says where (file and line) and the fix."""

    def __init__(self, file: str, message: str, line: int | None = None):
        super().__init__(message)
        self.file, self.line = file, line


# ---------------------------------------------------------------- from a tag to a locale

@functools.lru_cache(maxsize=64)
def cldr_locale(tag: str) -> Locale | None:
    """The CLDR locale of a BCP 47 tag (fa-AF, zh-Hans, en-GB), or None when Babel knows none."""
    try:
        return Locale.parse(tag.replace("-", "_"))
    except (UnknownLocaleError, ValueError, TypeError):
        return None


def text_direction(tag: str) -> str:
    """"rtl" or "ltr": the direction CLDR gives the tag's script (the content's, so the page's)."""
    locale = cldr_locale(tag)
    return "rtl" if locale is not None and locale.text_direction == "rtl" else "ltr"


def candidates(locale: Locale) -> list[str]:
    """The catalogue names that fit a locale, the most specific first: fa_AF, then fa; zh_Hans_CN, then
    zh_Hans, then zh (a tag without a script takes its likely one: zh-CN is written in zh_Hans)."""
    script = locale.script
    if script is None:
        likely = get_global("likely_subtags")
        found = likely.get(f"{locale.language}_{locale.territory}") if locale.territory else None
        found = found or likely.get(locale.language)
        script = cldr_script(found)
    names = [str(locale)]
    if script:
        names += [f"{locale.language}_{script}_{locale.territory}" if locale.territory else "",
                  f"{locale.language}_{script}"]
    if locale.territory:
        names.append(f"{locale.language}_{locale.territory}")
    names.append(locale.language)
    return list(dict.fromkeys(name for name in names if name))


def cldr_script(identifier: str | None) -> str | None:
    try:
        return Locale.parse(identifier).script if identifier else None
    except (UnknownLocaleError, ValueError):
        return None


def catalogue_names(templates_dir: Path) -> tuple[str, ...]:
    """The catalogues the templates folder holds, by name (its locale/<name>/LC_MESSAGES/messages.po)."""
    folder = templates_dir / CATALOGUE_DIR
    try:
        items = listing(str(folder.absolute()))
    except OSError:
        return ()
    return tuple(item.name for item in items
                 if item.kind == FOLDER and os.path.lexists(templates_dir / catalogue_path(item.name)))


def catalogue_for(tag: str, names: tuple[str, ...]) -> str | None:
    """The catalogue a tag is shown with, among `names` (compared without regard to case); None for none."""
    locale = cldr_locale(tag)
    if locale is None:
        return None
    by_folded = {name.casefold(): name for name in names}
    return next((by_folded[name.casefold()] for name in candidates(locale) if name.casefold() in by_folded), None)


# ---------------------------------------------------------------- catalogues

def catalogue_path(name: str) -> str:
    return f"{CATALOGUE_DIR}/{name}/LC_MESSAGES/{DOMAIN}.po"


def load_translations(templates_dir: Path, name: str) -> Translations:
    """The catalogue `name` of the templates folder, checked and compiled in memory."""
    relative = catalogue_path(name)
    path = str((templates_dir / relative).absolute())
    try:
        data = read_below(str(templates_dir.absolute()), relative, MAX_CATALOGUE_BYTES)[0]
    except Refused as err:
        raise CatalogueError(path, f"{relative} {err}") from None
    return _compiled(data, name, path)


@functools.lru_cache(maxsize=8)
def _compiled(data: bytes, name: str, path: str) -> Translations:
    """A catalogue's bytes, parsed, checked and compiled (kept by its bytes: a long-running preview
    compiles a catalogue again only when it changed)."""
    locale = cldr_locale(name)
    if locale is None:
        raise CatalogueError(path, f'"{name}" is not a locale CLDR knows; name the folder after one, such as fa_AF')
    try:
        catalog = read_po(io.BytesIO(data), locale=locale, abort_invalid=True)
    except PoFileError as err:
        raise CatalogueError(path, f"is not a valid .po file: {err}", getattr(err, "lineno", None)) from None
    except (UnicodeDecodeError, ValueError) as err:
        raise CatalogueError(path, f"cannot be read as a UTF-8 .po file ({err})") from None
    check_catalogue(catalog, locale, path)
    for message in catalog:
        if isinstance(message.string, (list, tuple)) and not any(message.string):
            message.string = ""  # untranslated (a message new since the translator's last pass): shown in English
    compiled = io.BytesIO()
    write_mo(compiled, catalog)  # without the fuzzy and the untranslated, as msgfmt
    compiled.seek(0)
    return Translations(compiled, domain=DOMAIN)


def check_catalogue(catalog, locale: Locale, path: str) -> None:
    """Refuse what would make a page fail or lie: plural forms other than CLDR's for the language, a
    plural message with another number of forms (or an empty one, which would show nothing), a
    translation with placeholders its message lacks. A plural message with no form filled in is
    untranslated, as a message with an empty msgstr is, and shown in English."""
    expected = get_plural(locale)
    if catalog.plural_forms != expected.plural_forms:
        raise CatalogueError(path, f'its header says "Plural-Forms: {catalog.plural_forms}", but CLDR gives '
                             f'{locale.english_name} "{expected.plural_forms}"; write that (pybabel update does)', 1)
    for message in catalog:
        if not message.id or not message.string:
            continue
        forms = message.string if isinstance(message.string, (list, tuple)) else (message.string,)
        ids = message.id if isinstance(message.id, (list, tuple)) else (message.id,)
        if isinstance(message.id, (list, tuple)) and any(forms) and (len(forms) != expected.num_plurals
                                                                     or not all(forms)):
            raise CatalogueError(path, f'"{ids[0]}" has {len([form for form in forms if form])} plural forms; '
                                 f"{locale.english_name} has {expected.num_plurals}: fill in msgstr[0] to "
                                 f"msgstr[{expected.num_plurals - 1}]", message.lineno)
        allowed = {name for text in ids for name in placeholders(text)}
        for form in forms:
            if not form:
                continue
            unknown = set(placeholders(form)) - allowed
            if unknown or len(_ANY_CONVERSION.findall(form)) != len(_PLACEHOLDER.findall(form)):
                raise CatalogueError(path, f'the translation of "{ids[0]}" has placeholders its message does not: '
                                     f"use only {', '.join(f'%({name})s' for name in sorted(allowed)) or 'none'} "
                                     "(and %% for a percent sign)", message.lineno)


def placeholders(text: str) -> list[str]:
    """The %(name)s placeholders of a message (%% is a percent sign)."""
    return [name for name in _PLACEHOLDER.findall(text) if name]


@dataclass(frozen=True)
class Language:
    """What a site's language gives its pages: the catalogue's translations, the formats, the direction."""

    tag: str
    catalogue: str | None  # the catalogue's name; None: English, from the templates' own words
    translations: NullTranslations
    formats: Formats
    direction: str


def language_for(tag: str, templates_dir: Path) -> Language:
    """The Language of the tag, with the templates folder's catalogues (CatalogueError for a broken one)."""
    name = catalogue_for(tag, catalogue_names(templates_dir))
    translations = load_translations(templates_dir, name) if name else NullTranslations()
    locale = cldr_locale(tag) or cldr_locale(SOURCE_LANGUAGE)
    return Language(tag, name, translations, Formats(locale, translations.gettext), text_direction(tag))


def language_problems(tag: str, templates_dir: Path, settings_file: str) -> tuple[Problem, ...]:
    """What `check` says of the language: a warning when it has no catalogue, an error for a catalogue
    that cannot be used."""
    names = catalogue_names(templates_dir)
    name = catalogue_for(tag, names)
    if name is None:
        shipped = ", ".join(name.replace("_", "-") for name in names) or "none"
        return (Problem(settings_file, f'"{tag}" has no catalogue of interface strings in the templates folder, so '
                        f"the pages are shown in English; catalogues there: {shipped}", field="language",
                        severity="warning"),)
    try:
        load_translations(templates_dir, name)
    except CatalogueError as err:
        return (Problem(err.file, str(err), line=err.line),)
    return ()


# ---------------------------------------------------------------- dates and numbers

class Formats:
    """Dates and numbers as one locale writes them, from CLDR's patterns through Babel, each worked out
    once (a listing of thousands of entries repeats the same days and counts)."""

    def __init__(self, locale: Locale, gettext: Callable[[str], str] = str):
        self.locale = locale
        self.rtl = locale.text_direction == "rtl"
        self.gettext = gettext
        self.digits = _digits(locale)
        self._dates: dict = {}
        self._ranges: dict = {}
        self._numbers: dict = {}
        self._days: dict = {}
        self._widths: dict = {}
        self._headings: dict = {}

    @property
    def numbering_system(self) -> str:
        """The CLDR numbering system the digits are written in (latn, arabext), for a script's Intl."""
        return self.locale.default_numbering_system if self.digits else "latn"

    # -- numbers

    def number(self, value: int) -> str:
        """A count as the locale writes it: 10,000; 10 000; ۱۰٬۰۰۰."""
        text = self._numbers.get(value)
        if text is None:
            text = self._numbers[value] = self.localised(
                format_decimal(value, locale=self.locale, numbering_system="default"))
        return text

    def localised(self, text: str) -> str:
        """ASCII digits of a Babel result in the digits of the locale's numbering system."""
        return text.translate(self.digits) if self.digits else text

    # -- dates

    def date(self, value: PartialDate, circa: bool = False) -> str:
        """At the precision written: 2021, August 2021, 6 August 2021, 6 August 2021, 14:30 (UTC+4:30);
        c. before an approximate one."""
        key = (value.precision, value.start.replace(tzinfo=None), value.start.utcoffset(), circa)
        text = self._dates.get(key)
        if text is None:
            text = self._dates[key] = self._circa(self._date(value)) if circa else self._date(value)
        return text

    def _date(self, value: PartialDate) -> str:
        start = value.start
        if value.precision != MINUTE:
            return self.localised(format_skeleton(SKELETONS[value.precision], start.date(), locale=self.locale))
        shown_time = self.gettext("%(time)s (%(offset)s)") % {
            "time": format_time(time(start.hour, start.minute), "short", locale=self.locale),
            "offset": self.isolated(format_offset(start))}
        combined = str(self.locale.datetime_formats["medium"]).replace("'", "")
        return self.localised(combined.replace("{1}", self._day(start.date())).replace("{0}", shown_time))

    def day(self, value: date | str) -> str:
        """A day (a date or YYYY-MM-DD), as a date written to the day is: 24 November 2026."""
        value = date.fromisoformat(value) if isinstance(value, str) else value
        text = self._days.get(value)
        if text is None:
            text = self._days[value] = self.localised(self._day(value))
        return text

    def _day(self, value: date) -> str:
        return format_skeleton(SKELETONS[DAY], value, locale=self.locale)

    def month(self, year: int, month: int) -> str:
        """A month with its year, as a heading: August 2021."""
        return self.localised(format_skeleton(SKELETONS[MONTH], date(year, month, 1), locale=self.locale))

    def year(self, year: int) -> str:
        return self.localised(format_skeleton(SKELETONS[YEAR], date(year, 1, 1), locale=self.locale))

    def heading(self, year: int, month: int = 0) -> str:
        """The heading of a period_key: a month with its year (August 2021), or a year (2021)."""
        key = (year, month)
        text = self._headings.get(key)
        if text is None:
            text = self._headings[key] = self.month(year, month) if month else self.year(year)
        return text

    def month_name(self, month: int) -> str:
        """The month's name standing alone (an axis label): August."""
        return get_month_names("wide", "stand-alone", self.locale)[month]

    def _circa(self, text: str) -> str:
        return self.gettext("c. %(date)s") % {"date": text}

    def isolated(self, text: str) -> str:
        """Left-to-right text (a UTC offset) kept whole in right-to-left text, with Unicode's isolates."""
        return f"\u2066{text}\u2069" if self.rtl else text

    # -- ranges

    def range(self, start: PartialDate, end: PartialDate, circa: bool = False) -> tuple[str, str, str]:
        """A range as (first, separator, last), by CLDR's interval patterns: what both ends share is written
        once (1 May – 31 August 2021, 2–7 August 2021); ends at different precisions, or with times, in full."""
        key = (start.precision, start.start.replace(tzinfo=None), start.start.utcoffset(),
               end.precision, end.start.replace(tzinfo=None), end.start.utcoffset(), circa)
        parts = self._ranges.get(key)
        if parts is None:
            first, separator, last = self._range(start, end)
            parts = self._ranges[key] = (self._circa(first) if circa else first, separator, last)
        return parts

    def _range(self, start: PartialDate, end: PartialDate) -> tuple[str, str, str]:
        if start.precision == end.precision and start.precision in SKELETONS:
            parts = self._interval(SKELETONS[start.precision], start.start.date(), end.start.date())
            if parts is not None:
                return tuple(self.localised(part) for part in parts)
        fallback = str(self.locale.interval_formats.get(None) or "{0} – {1}")
        between = fallback.split("{0}", 1)[-1].split("{1}", 1)[0]
        return self.date(start), between, self.date(end)

    def _interval(self, skeleton: str, first: date, last: date) -> tuple[str, str, str] | None:
        """The two ends by the locale's interval pattern for the skeleton, split where the first ends; None
        where it has no pattern for the greatest field that differs, or none differs."""
        formats = self.locale.interval_formats
        matched = skeleton if skeleton in formats else match_skeleton(skeleton, [k for k in formats if k])
        start_fields, end_fields = DateTimeFormat(first, locale=self.locale), DateTimeFormat(last, locale=self.locale)
        field = next((name for name in "yMd" if name in skeleton
                      and start_fields.extract(name) != end_fields.extract(name)), None)
        if not matched or field not in formats[matched]:
            return None
        width = self._month_width(skeleton)
        head, tail = (_widened(pattern, width) for pattern in formats[matched][field])
        head, separator = _split_separator(head)
        return (parse_pattern(head).apply(first, self.locale), separator,
                parse_pattern(tail).apply(last, self.locale))

    def _month_width(self, skeleton: str) -> int:
        """How wide the locale writes the month of a single date of the skeleton (4: August, 1: 8)."""
        width = self._widths.get(skeleton)
        if width is None:
            patterns = self.locale.datetime_skeletons
            found = patterns.get(skeleton) or patterns.get(match_skeleton(skeleton, list(patterns)))
            fields = [value for kind, value in tokenize_pattern(found.pattern if found else "")
                      if kind == "field" and value[0] in "ML"]
            width = self._widths[skeleton] = fields[0][1] if fields else 0
        return width


def _widened(pattern: str, width: int) -> str:
    """An interval pattern of a near skeleton with its month as wide as a single date of the skeleton
    writes it: CLDR's matching allows MMM for MMMM (UTS #35, intervalFormats), which Babel leaves
    abbreviated."""
    tokens = []
    for kind, value in tokenize_pattern(pattern):
        if kind == "field" and value[0] in "ML" and value[1] == 3 and width > 3:
            value = (value[0], width)
        tokens.append((kind, value))
    return untokenize_pattern(tokens)


def _split_separator(pattern: str) -> tuple[str, str]:
    """The first part of an interval pattern ("d–", "d MMMM – ", "y年M月d日 – ", "d تا ") as the first
    date's pattern and the separator after it: the literal text it ends with, from the spaces before its
    dash (or from its first space, for a word such as تا); what is glued to the last field (日, a period,
    г.) stays with the date."""
    tokens = tokenize_pattern(pattern)
    if not tokens or tokens[-1][0] != "chars":
        return pattern, ""
    literal = tokens[-1][1]
    dash = next((index for index, char in enumerate(literal)
                 if unicodedata.category(char) == "Pd" or char in "~\uff5e\u301c"), None)
    if dash is None:
        cut = next((index for index, char in enumerate(literal) if char.isspace()), 0)
    else:
        cut = dash
        while cut and literal[cut - 1].isspace():
            cut -= 1
    kept = tokens[:-1] + ([("chars", literal[:cut])] if cut else [])
    return untokenize_pattern(kept), literal[cut:]


def _digits(locale: Locale) -> dict[int, str] | None:
    """The translation of ASCII digits to those of the locale's default numbering system; None for latn."""
    zero = NUMBERING_ZEROS.get(locale.default_numbering_system)
    if zero is None or unicodedata.digit(zero, None) != 0:
        return None
    return str.maketrans(ASCII_DIGITS, "".join(chr(ord(zero) + offset) for offset in range(10)))


@functools.lru_cache(maxsize=16)
def formats_for(tag: str) -> Formats:
    """The formats of a tag without its catalogue's words (c., the offset's parentheses): for the labels
    made while planning (period headings), which use none."""
    return Formats(cldr_locale(tag) or cldr_locale(SOURCE_LANGUAGE))
