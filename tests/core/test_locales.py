"""Languages: the shipped catalogues complete and sound, the choice of a catalogue, and dates and numbers
as CLDR writes them for each locale (the expected strings are Babel's own or CLDR's, never guessed)."""
from __future__ import annotations

import shutil
from datetime import date
from zoneinfo import ZoneInfo

import pytest
from babel import Locale
from babel.dates import format_date as babel_date
from babel.dates import format_skeleton, get_month_names
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po

from support import REPO, TEMPLATES
from timeline.dates import parse_date
from timeline.locales import (CatalogueError, catalogue_for, catalogue_names, catalogue_path, formats_for,
                              language_for, language_problems, placeholders)

KABUL = ZoneInfo("Asia/Kabul")
SHIPPED = ("ar", "de", "en", "es", "fa_AF", "fr", "ps", "ru", "tr", "uk", "ur", "zh_Hans")
POT = TEMPLATES / "locale" / "messages.pot"


def extracted() -> dict:
    """The messages of the templates and the code, extracted as `pybabel extract -F babel.cfg` does."""
    with open(REPO / "babel.cfg", encoding="utf-8") as config:
        method_map, options_map = parse_mapping_cfg(config)
    found = {}
    for _, _, message, _, context in extract_from_dir(str(REPO), method_map, options_map):
        key = (context, message if isinstance(message, str) else message[0])
        found[key] = message
    return found


def catalogue(name: str):
    with open(TEMPLATES / catalogue_path(name), "rb") as stream:
        return read_po(stream, locale=name)


def key_of(message) -> tuple:
    return message.context, message.id if isinstance(message.id, str) else message.id[0]


def test_the_shipped_catalogues_are_the_twelve_languages():
    assert catalogue_names(TEMPLATES) == SHIPPED


def test_the_template_catalogue_is_what_the_templates_say():
    """messages.pot is up to date: run `pybabel extract` (README, "Languages") after changing a string."""
    with open(POT, "rb") as stream:
        template = {key_of(message): message.id for message in read_po(stream) if message.id}
    found = extracted()
    assert set(template) == set(found)
    assert all(tuple(found[key]) == tuple(value) if not isinstance(value, str) else found[key] == value
               for key, value in template.items())


@pytest.mark.parametrize("name", SHIPPED)
def test_every_message_is_translated_with_its_placeholders_and_plural_forms(name):
    messages = {key_of(message): message for message in catalogue(name) if message.id}
    expected = get_plural(Locale.parse(name))
    assert catalogue(name).plural_forms == expected.plural_forms
    problems = []
    for key, source in extracted().items():
        message = messages.get(key)
        if message is None:
            problems.append(f"{key}: missing")
            continue
        if message.fuzzy:
            problems.append(f"{key}: fuzzy")
        ids = (source,) if isinstance(source, str) else tuple(source)
        forms = (message.string,) if isinstance(message.string, str) else tuple(message.string)
        if len(ids) > 1 and len(forms) != expected.num_plurals:
            problems.append(f"{key}: {len(forms)} plural forms, {expected.num_plurals} expected")
        if not all(form.strip() for form in forms):
            problems.append(f"{key}: untranslated")
        wanted = {placeholder for text in ids for placeholder in placeholders(text)}
        for form in forms:
            found = set(placeholders(form))
            # A plural form may leave out the number ("حدث واحد", one event), never anything else.
            if found - wanted or (wanted - {"n"}) - found or (len(ids) == 1 and found != wanted):
                problems.append(f"{key}: placeholders {sorted(found)} in {form!r}, {sorted(wanted)} expected")
    assert problems == []


@pytest.mark.parametrize("name", SHIPPED)
def test_each_catalogue_compiles_in_memory_and_translates(name):
    language = language_for(name.replace("_", "-"), TEMPLATES)
    assert language.catalogue == name
    translated = language.translations.gettext("Timeline")
    assert translated == "Timeline" if name == "en" else translated != "Timeline"


def test_english_is_the_source_and_its_catalogue_says_the_same():
    english = {key_of(message): message.string for message in catalogue("en") if message.id}
    for message in catalogue("en"):
        if message.id:
            assert english[key_of(message)] == (message.id if isinstance(message.id, str) else tuple(message.id))


@pytest.mark.parametrize("tag, name", [
    ("fa-AF", "fa_AF"), ("en-GB", "en"), ("en", "en"), ("ps-AF", "ps"), ("zh-Hans", "zh_Hans"), ("zh-CN", "zh_Hans"),
    ("zh", "zh_Hans"), ("ar-EG", "ar"), ("fr-CA", "fr"), ("zh-TW", None), ("he", None), ("xx", None), ("fa", None),
])
def test_a_language_takes_its_most_specific_catalogue(tag, name):
    assert catalogue_for(tag, SHIPPED) == name


def test_a_language_without_a_catalogue_is_shown_in_english_and_check_says_so():
    (problem,) = language_problems("he", TEMPLATES, "content/timeline.yaml")
    assert problem.severity == "warning" and problem.field == "language"
    assert "the pages are shown in English" in problem.message
    assert "ar, de, en, es, fa-AF, fr, ps, ru, tr, uk, ur, zh-Hans" in problem.message
    language = language_for("he", TEMPLATES)
    assert (language.catalogue, language.translations.gettext("Sources"), language.direction) == (None, "Sources", "rtl")
    assert language_problems("fa-AF", TEMPLATES, "content/timeline.yaml") == ()


@pytest.mark.parametrize("old, new, said", [
    ("nplurals=2; plural=(n != 1);", "nplurals=3; plural=(n % 3);", "CLDR gives German"),
    ('msgstr "Quellen"', 'msgstr "Quellen %(count)s"', 'the translation of "Sources" has placeholders'),
    ('msgstr "Quellen"', 'msgstr "Quellen %s"', 'the translation of "Sources" has placeholders'),
    ('msgstr "Quellen"', 'msgstr "Quellen %(n)999999999s"', 'the translation of "Sources" has placeholders'),
    ('msgstr[0] "%(n)s Eintrag"\nmsgstr[1] "%(n)s Einträge"', 'msgstr[0] "%(n)s Eintrag"', "has 1 plural forms"),
    ('msgstr "Quellen"', 'msgstr "Quellen"\ngarbage', "is not a valid .po file"),
])
def test_a_broken_catalogue_is_refused_with_its_file_and_line(tmp_path, old, new, said):
    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES, templates)
    path = templates / catalogue_path("de")
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(CatalogueError) as raised:
        language_for("de", templates)
    assert said in str(raised.value) and raised.value.file == str(path.absolute())
    assert raised.value.line
    (problem,) = language_problems("de", templates, "content/timeline.yaml")
    assert problem.severity == "error" and problem.file == str(path.absolute()) and said in problem.message


def test_a_message_not_translated_yet_is_shown_in_english(tmp_path):
    """As pybabel update leaves a new message: an empty msgstr, or a plural one with every form empty."""
    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES, templates)
    path = templates / catalogue_path("de")
    text = path.read_text(encoding="utf-8")
    for old, new in (('msgstr[0] "%(n)s Eintrag"\nmsgstr[1] "%(n)s Einträge"', 'msgstr[0] ""\nmsgstr[1] ""'),
                     ('msgstr "Quellen"', 'msgstr ""')):
        assert old in text
        text = text.replace(old, new, 1)
    path.write_text(text, encoding="utf-8")
    translations = language_for("de", templates).translations
    assert translations.ngettext("%(n)s entry", "%(n)s entries", 2) == "%(n)s entries"
    assert translations.gettext("Sources") == "Sources"
    assert language_problems("de", templates, "content/timeline.yaml") == ()


def test_a_catalogue_reached_through_a_link_is_refused(tmp_path):
    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES, templates)
    real = tmp_path / "elsewhere.po"
    shutil.move(templates / catalogue_path("de"), real)
    (templates / catalogue_path("de")).symlink_to(real)
    with pytest.raises(CatalogueError, match="link"):
        language_for("de", templates)


# --- dates and numbers, as CLDR writes them ----------------------------------------------------

AUGUST_6 = date(2021, 8, 6)


def shown(tag: str, value: str, circa: bool = False) -> str:
    return formats_for(tag).date(parse_date(value, KABUL), circa)


@pytest.mark.parametrize("tag, expected", [
    ("en-GB", "6 August 2021"), ("fr", "6 août 2021"), ("de", "6. August 2021"), ("es", "6 de agosto de 2021"),
    ("ru", "6 августа 2021\u202fг."), ("tr", "6 Ağustos 2021"), ("zh-Hans", "2021年8月6日"), ("en", "August 6, 2021"),
    # ar: CLDR's default numbering system for Arabic is latn; Urdu's too
    ("ar", "6 أغسطس 2021"), ("ur", "6 اگست، 2021"),
])
def test_a_day_is_written_as_the_locale_writes_it(tag, expected):
    assert shown(tag, "2021-08-06") == expected
    assert expected == format_skeleton("yMMMMd", AUGUST_6, locale=tag.replace("-", "_"))


@pytest.mark.parametrize("tag", ["fa-AF", "ps"])
def test_dari_and_pashto_write_cldrs_month_names_in_extended_arabic_indic_digits(tag):
    locale = Locale.parse(tag.replace("-", "_"))
    assert locale.default_numbering_system == "arabext"
    august = get_month_names("wide", "format", locale)[8]
    assert august in ("اگست", "اګست")  # CLDR's Gregorian August in Dari and in Pashto, not the Iranian Mordad
    day = shown(tag, "2021-08-06")
    assert day == babel_date(AUGUST_6, "long", locale=locale).translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))
    assert "۶" in day and "۲۰۲۱" in day and august in day and not any(char.isascii() and char.isdigit() for char in day)
    assert formats_for(tag).number(10000) == "۱۰٬۰۰۰"


@pytest.mark.parametrize("tag, year, month, minute", [
    ("en-GB", "2021", "August 2021", "6 August 2021, 14:30 (UTC+4:30)"),
    ("fr", "2021", "août 2021", "6 août 2021, 14:30 (UTC+4:30)"),
    ("de", "2021", "August 2021", "6. August 2021, 14:30 (UTC+4:30)"),
    ("zh-Hans", "2021年", "2021年8月", "2021年8月6日 14:30 (UTC+4:30)"),
    ("fa-AF", "۲۰۲۱", "اگست ۲۰۲۱", "۶ اگست ۲۰۲۱،\u200f ۱۴:۳۰ (\u2066UTC+۴:۳۰\u2069)"),
])
def test_each_precision_is_written_as_the_locale_writes_it(tag, year, month, minute):
    assert (shown(tag, "2021"), shown(tag, "2021-08"), shown(tag, "2021-08-06 14:30")) == (year, month, minute)


def test_circa_comes_from_the_catalogue():
    assert shown("en-GB", "2021-08", circa=True) == "c. August 2021"
    assert language_for("fr", TEMPLATES).formats.date(parse_date("2021-08", KABUL), True) == "vers août 2021"
    assert language_for("de", TEMPLATES).formats.date(parse_date("2021-08-06", KABUL), True) == "ca. 6. August 2021"


@pytest.mark.parametrize("tag, start, end, expected", [
    ("fr", "2021-08-06", "2021-08-14", ("6", "–", "14 août 2021")),
    ("fr", "2021-05-01", "2021-08-31", ("1 mai", "\u2009–\u2009", "31 août 2021")),
    ("de", "2021-08-06", "2021-08-14", ("6.", "–", "14. August 2021")),  # CLDR's abbreviation widened, as UTS #35 allows
    ("ru", "2021-05", "2021-08", ("май", "\xa0— ", "август 2021\u202fг.")),
    ("zh-Hans", "2021-08-06", "2021-08-14", ("2021年8月6日", "\u2009–\u2009", "14日")),
    ("fa-AF", "2021-05-01", "2021-08-07", ("۱ می", " تا ", "۷ اگست ۲۰۲۱")),
    ("ar", "2021-08-02", "2021-08-07", ("2", "–", "7 أغسطس 2021")),
    ("en-GB", "2021-08", "2021-08-31", ("August 2021", "\u2009–\u2009", "31 August 2021")),  # CLDR's fallback
])
def test_ranges_follow_cldrs_interval_patterns(tag, start, end, expected):
    assert formats_for(tag).range(parse_date(start, KABUL), parse_date(end, KABUL)) == expected


@pytest.mark.parametrize("tag, numbers", [
    ("en-GB", ["11", "91", "10,000"]), ("fr", ["11", "91", "10\u202f000"]), ("de", ["11", "91", "10.000"]),
    ("fa-AF", ["۱۱", "۹۱", "۱۰٬۰۰۰"]), ("ar", ["11", "91", "10,000"]),
])
def test_numbers_are_written_as_the_locale_writes_them(tag, numbers):
    assert [formats_for(tag).number(value) for value in (11, 91, 10000)] == numbers


@pytest.mark.parametrize("tag, counts", [
    ("en", {1: "1 source:", 3: "3 sources:", 11: "11 sources:"}),
    ("ru", {1: "1 источник:", 3: "3 источника:", 11: "11 источников:", 21: "21 источник:"}),
    ("ar", {0: "0 مصدر:", 1: "مصدر واحد:", 2: "مصدران:", 3: "3 مصادر:", 11: "11 مصدرًا:", 100: "100 مصدر:"}),
    ("fr", {0: "0 source :", 1: "1 source :", 3: "3 sources :"}),
    ("zh-Hans", {1: "1个来源：", 11: "11个来源："}),
])
def test_plural_forms_are_cldrs(tag, counts):
    translations = language_for(tag, TEMPLATES).translations
    assert {n: translations.ngettext("%(n)s source:", "%(n)s sources:", n) % {"n": n} for n in counts} == counts
