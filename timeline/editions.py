"""Language editions: the site in the other languages of `translations:`, each a full site under /<language>/.

An edition is the timeline with each entry's text replaced by its translation
(content/translations/<language>/entries/<id>.yaml), and the settings by the edition's own
(content/translations/<language>/timeline.yaml). Everything a translation does not say (dates,
places, sources' names and addresses, media files) is the original's, so every edition has the same
entries, tags and places at the same relative addresses, and each page names its counterpart in
every other edition. An entry not yet translated is shown in the original language, marked with its
`lang` (`Entry.text_language`), as Wikipedia shows an article missing in a reader's language.

A translation names the version of the original it was made from by a digest of the original's text
(`text_digest`): only the text, as validated, so that moving a field or rewrapping a line in the
original does not make every translation "older", while changing a word does; decided from the
files alone, without version control or the build machine's clock.
"""
from __future__ import annotations

import difflib
import hashlib
import json
from dataclasses import replace
from functools import lru_cache
from typing import Iterable

from .layout import display_path
from .model import Edition, EditionLink, Entry, Problem, Settings, Tag, Timeline, Translation

DIGEST_SIZE = 5  # bytes: ten hexadecimal digits, which an editor can copy and compare at a glance
MISSING_LISTED = 20  # warnings for entries missing a translation, per language, before one for the rest


def text_digest(entry: Entry) -> str:
    """The digest of what a translation of the entry translates: its title, summary, body, date label,
    image alt and caption, and its sources' titles and quotes."""
    text = [entry.title, entry.summary, entry.body, entry.date_label,
            entry.media.alt if entry.media else None, entry.media.caption if entry.media else None,
            [[source.title, source.quote] for source in entry.sources]]
    data = json.dumps(text, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return hashlib.blake2b(data, digest_size=DIGEST_SIZE).hexdigest()


@lru_cache(maxsize=64)
def language_name(tag: str) -> tuple[str, str] | None:
    """The language's name in itself and its direction ("ltr" or "rtl"), from CLDR; None for a tag CLDR
    does not know."""
    from babel import Locale, UnknownLocaleError

    try:
        locale = Locale.parse(tag, sep="-")
    except (UnknownLocaleError, ValueError):
        return None
    return locale.get_display_name(locale) or tag, "rtl" if locale.character_order == "right-to-left" else "ltr"


def edition_links(settings: Settings) -> tuple[EditionLink, ...]:
    """Every edition of the site, the original first: what the switcher and the alternates of each page list."""
    links = []
    for language, folder in ((settings.language, ""), *((tag, f"{tag}/") for tag in settings.translations)):
        name, direction = language_name(language) or (language, "ltr")
        links.append(EditionLink(language, name, folder, settings.site_url + folder, direction))
    return tuple(links)


def check_translations(entries: Iterable[Entry], editions: Iterable[Edition], original: str) -> list[Problem]:
    """What the translations say of the entries: an error for a translation of no entry, or of a source or an
    image the original does not have; a warning for each entry an edition lacks (drafts aside) and for each
    translation older than its original."""
    by_id = {entry.id: entry for entry in entries}
    problems: list[Problem] = []
    for edition in editions:
        translated = set()
        for translation in edition.translations:
            entry = by_id.get(translation.entry_id)
            if entry is None:
                problems.append(_unknown_entry(translation, by_id))
                continue
            translated.add(entry.id)
            problems += _mismatches(translation, entry, original)
        missing = [entry for entry in by_id.values() if entry.id not in translated and not entry.draft]
        problems += [_missing(entry, edition.language, original) for entry in missing[:MISSING_LISTED]]
        if len(missing) > MISSING_LISTED:
            problems.append(Problem(missing[MISSING_LISTED].source_path, f"and {len(missing) - MISSING_LISTED:,} more "
                                    f"entries have no {edition.language} translation; the {edition.language} edition "
                                    f"shows them in {original}, marked as not yet translated", "translations",
                                    severity="warning"))
    return problems


def _unknown_entry(translation: Translation, by_id: dict[str, Entry]) -> Problem:
    close = difflib.get_close_matches(translation.entry_id, list(by_id), n=1)
    fix = f'did you mean "{close[0]}"? rename the file to {close[0]}.yaml' if close else \
        "rename the file to the id of the entry it translates (its file name in content/entries/), or remove it"
    return Problem(translation.source_path, f'translates "{translation.entry_id}", but there is no entry with that id; {fix}',
                   line=1, column=1)


def _mismatches(translation: Translation, entry: Entry, original: str) -> list[Problem]:
    problems = []
    at = translation.translates_at
    if len(translation.sources) > len(entry.sources):
        problems.append(Problem(translation.source_path, f"translates {len(translation.sources)} sources, but the "
                                f"original has {len(entry.sources)}; keep one item per source of the original, in its order",
                                "sources"))
    if (translation.media_alt or translation.media_caption) and entry.media is None:
        problems.append(Problem(translation.source_path, "translates an image, but the original has none; remove media",
                                "media"))
    for field in ("summary", "body"):
        if getattr(entry, field) and not getattr(translation, field):
            problems.append(Problem(translation.source_path, f"is not translated, while the original has one: the "
                                    f"{translation.language} edition shows none; translate it", field, severity="warning"))
    digest = text_digest(entry)
    if translation.translates != digest:
        problems.append(Problem(translation.source_path, f"is older than its original ({display_path(entry.source_path)} changed "
                                f"since it was translated from the version {translation.translates}): bring the "
                                f"translation up to date, then set translates: {digest}", "translates",
                                at.line if at else None, at.column if at else None, "warning"))
    return problems


def _missing(entry: Entry, language: str, original: str) -> Problem:
    return Problem(entry.source_path, f"has no {language} translation: add translations/{language}/entries/{entry.id}.yaml "
                   f"with translates: {text_digest(entry)} (until then the {language} edition shows it in {original}, "
                   "marked as not yet translated)", "translations", severity="warning")


def edition_timeline(timeline: Timeline, edition: Edition) -> Timeline:
    """The timeline as the edition shows it: its settings, about page and entries in its language."""
    settings = timeline.settings
    folder = f"{edition.language}/"
    local = replace(settings, language=edition.language, title=edition.title or settings.title,
                    short_title=edition.short_title or (settings.short_title if edition.title is None else None),
                    description=edition.description if edition.description is not None else settings.description,
                    base_url=settings.base_url + folder, edition=folder)
    by_id = {translation.entry_id: translation for translation in edition.translations}
    tags, places = dict(edition.tags), dict(edition.places)
    entries = tuple(translated_entry(entry, by_id.get(entry.id), settings.language, tags, places)
                    for entry in timeline.entries)
    about = edition.about if edition.about is not None else timeline.about
    return replace(timeline, settings=local, entries=entries, about=about, editions=())


def translated_entry(entry: Entry, translation: Translation | None, original: str, tags: dict[str, str],
                     places: dict[str, str]) -> Entry:
    """The entry in the edition's words (its translation's text, its labels' translations); without a
    translation, the original's text marked with its language. Tags and places keep their addresses."""
    labels = {}
    if tags and entry.tags:
        labels["tags"] = tuple(Tag(tags.get(tag.label, tag.label), tag.slug) for tag in entry.tags)
    if entry.place is not None and entry.place.name in places:
        labels["place"] = replace(entry.place, name=places[entry.place.name])
    if translation is None:
        return replace(entry, text_language=original, **labels)
    sources = tuple(replace(source, title=title or source.title, quote=quote or source.quote)
                    for source, (title, quote) in zip(entry.sources, (*translation.sources, *((None, None),) * len(entry.sources))))
    media = entry.media
    if media is not None:
        media = replace(media, alt=translation.media_alt or media.alt, caption=translation.media_caption or media.caption)
    return replace(entry, title=translation.title, summary=translation.summary,
                   body=translation.body if translation.body is not None else "",
                   date_label=translation.date_label or entry.date_label, sources=sources, media=media, **labels)

