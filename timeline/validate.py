"""Turn one file's YAML tree into an Entry (or the Settings), or say precisely what is wrong.

Every rule an editor can break is here; the fields themselves are described once in
fields.py, whose tables also drive the JSON Schema given to editors' tools.
"""
from __future__ import annotations

import difflib
import re
import unicodedata
from datetime import tzinfo
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

import yaml

from . import dates
from .fields import (CORRECTION_FIELDS, ENTRY_FIELDS, ID_PATTERN, MAX_LABEL, MAX_SUMMARY, MAX_TITLE, MEDIA_FIELDS,
                     PLACE_FIELDS, SETTINGS_FIELDS, SOURCE_FIELDS, Field)
from .markdown_limits import MAX_BODY, body_problem
from .model import Correction, Entry, Media, PartialDate, Place, Problem, Settings, Source, Tag
from .yamlfile import Mapping, Node, Scalar, Sequence

# Addresses that urlsplit (below) certainly accepts: a plain host name, no space. Checked first: most are.
_HTTP_ADDRESS = re.compile(r"(?i:https?)://[A-Za-z0-9.-]+(?:[/?#]\S*)?")
_HTTPS_ADDRESS = re.compile(r"(?i:https)://[A-Za-z0-9.-]+(?:[/?#]\S*)?")


_KIND_NAMES = {"bool": "a boolean", "int": "a number", "float": "a number", "null": "empty",
               "timestamp": "a date", "binary": "binary data"}
_NOTHING = "nothing (the value is empty)"


class Report:
    """Problems found in one file."""

    def __init__(self, file: str):
        self.file = file
        self.problems: list[Problem] = []

    def error(self, node: Node | None, field: str, message: str, severity: str = "error") -> None:
        self.problems.append(Problem(
            file=self.file, field=field, message=message, severity=severity,
            line=node.line if node is not None else None,
            column=node.column if node is not None else None,
        ))

    def warn(self, node: Node | None, field: str, message: str) -> None:
        self.error(node, field, message, severity="warning")

    @property
    def failed(self) -> bool:
        return any(p.severity == "error" for p in self.problems)


def slugify(label: str) -> str:
    folded = unicodedata.normalize("NFKD", label).encode("ascii", "ignore").decode("ascii")
    return "-".join(re.findall(r"[a-z0-9]+", folded.lower()))


def _short(text: str, limit: int = 60) -> str:
    text = text.replace("\n", " ")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _describe(node: Node) -> str:
    """What was found, with the text as the editor wrote it: `no` is shown as no, never False."""
    if isinstance(node, Mapping):
        return "a mapping (key: value pairs)"
    if isinstance(node, Sequence):
        return "a list"
    if node.kind == "null" and not node.text:
        return _NOTHING
    if node.kind == "str":
        return f'the text "{_short(node.text)}"'
    return f"{_short(node.text)}, which YAML reads as {_KIND_NAMES.get(node.kind, 'text')}"


# --- single values -----------------------------------------------------------

def _text(report: Report, node: Node, field: str, *, one_line=False, limit=None) -> str | None:
    if not isinstance(node, Scalar) or node.kind != "str":
        if isinstance(node, Scalar) and node.text:
            report.error(node, field, f"expected text, but YAML reads {_short(node.text)} as "
                         f"{_KIND_NAMES.get(node.kind, 'text')}; put it in quotes: "
                         f"{field.rsplit('.', 1)[-1]}: \"{_short(node.text)}\"")
        else:
            report.error(node, field, f"expected text, found {_describe(node)}")
        return None
    value = node.text.strip()
    if not value:
        report.error(node, field, "is empty; write the text or remove the field")
        return None
    if one_line and "\n" in value:
        report.error(node, field, "must be a single line; remove the line breaks")
        return None
    if limit is not None and len(value) > limit:
        report.error(node, field, f"is {len(value):,} characters long; the limit is {limit}, shorten it")
        return None
    return value


def _bool(report: Report, node: Node, field: str) -> bool | None:
    if isinstance(node, Scalar) and node.kind == "bool":
        return node.text.lower() in ("true", "yes", "on", "y")
    report.error(node, field, f"expected true or false, found {_describe(node)}")
    return None


def _number(report: Report, node: Node, field: str, low: float, high: float) -> float | None:
    if not isinstance(node, Scalar) or node.kind not in ("int", "float"):
        report.error(node, field, f"expected a number from {low:g} to {high:g}, found {_describe(node)}")
        return None
    try:
        value = float(node.text.replace("_", ""))
    except ValueError:
        report.error(node, field, f"{_short(node.text)} is not a plain decimal number such as 34.5")
        return None
    if not low <= value <= high:
        report.error(node, field, f"{node.text} is out of range; it must be from {low:g} to {high:g}")
        return None
    return value


def _date(report: Report, node: Node, field: str, tz: tzinfo) -> PartialDate | None:
    if not isinstance(node, Scalar) or node.kind not in ("str", "int", "timestamp"):
        report.error(node, field, f"expected a date such as 2021-08-06 or 6 August 2021, found {_describe(node)}")
        return None
    known = _DATES.get((node.text, tz))
    if known is not None:
        return known
    try:
        date = dates.parse_date(node.text, tz)
    except dates.DateError as err:
        report.error(node, field, str(err))
        return None
    return _keep(_DATES, (node.text, tz), date)


# Values many entries share (a date, a tag, a place, a source's name), by exactly what determines them:
# read once per process, and one object for all, which the load cache and the worker processes then
# pickle once per file of records instead of once per entry.
_DATES: dict[tuple[str, tzinfo], PartialDate] = {}
_TAGS: dict[str, Tag] = {}
_PLACES: dict[tuple, Place] = {}
_NAMES: dict[str, str] = {}
_KEPT = 20_000  # values of each kind, at most: a long-running preview must not grow without end


def _keep(kept: dict, key, value):
    if len(kept) >= _KEPT:
        kept.clear()
    kept[key] = value
    return value


def _shared_name(name: str) -> str:
    return _NAMES.get(name) or _keep(_NAMES, name, name)


def _url(report: Report, node: Node, field: str, *, https_only=False) -> str | None:
    value = _text(report, node, field, one_line=True, limit=2000)
    if value is None:
        return None
    if (_HTTPS_ADDRESS if https_only else _HTTP_ADDRESS).fullmatch(value):
        return value
    allowed = ("https",) if https_only else ("http", "https")
    try:
        parts = urlsplit(value)
    except ValueError:
        parts = None
    if parts is None or parts.scheme.lower() not in allowed or not parts.netloc or re.search(r"\s", value):
        need = "an https URL" if https_only else "an http or https URL"
        report.error(node, field, f'"{_short(value)}" is not {need}; write a full address such as https://example.org/page')
        return None
    return value


def _mapping(report: Report, node: Node, field: str, fields: dict[str, Field]) -> Mapping | None:
    """Check a mapping's keys: unknown ones (with a suggestion) and missing or empty required ones.

    None when the node is not a mapping or a required field is missing, so
    that the caller only reads required fields that are there.
    """
    if not isinstance(node, Mapping):
        report.error(node, field, f"expected a mapping of {', '.join(fields)}, found {_describe(node)}")
        return None
    prefix = f"{field}." if field else ""
    misspelt = set()
    for key, _ in node.items:
        if key.text not in fields:
            close = difflib.get_close_matches(key.text, fields, n=1, cutoff=0.6)
            misspelt.update(close)
            hint = f'; did you mean "{close[0]}"?' if close else f"; known fields: {', '.join(fields)}"
            report.error(key, prefix + _short(key.text, 40), f"unknown field{hint}")
    ok = True
    for spec in fields.values():
        if not spec.required or _present(empty := node.by_key.get(spec.name)):
            continue
        ok = False
        example = f"for example {spec.name}: {_example(spec)}"
        if isinstance(empty, Scalar) and empty.text:  # `null` or `~`, which YAML reads as no value
            report.error(empty, prefix + spec.name, f"is required, but YAML reads {empty.text} as empty; "
                         f'to mean the text, put it in quotes: {spec.name}: "{empty.text}"')
        elif empty is not None:
            report.error(empty, prefix + spec.name, f"is required but empty; write it after the colon, {example}")
        elif spec.name not in misspelt:  # the did-you-mean above already says what to do
            report.error(node, prefix + spec.name, f"is required; add it, {example}")
    return node if ok else None


def _example(spec: Field) -> str:
    """The example as the editor would type it, on one line."""
    if isinstance(spec.example, str):
        return f'"{spec.example}"' if ": " in spec.example else spec.example
    return yaml.safe_dump(spec.example, default_flow_style=True, allow_unicode=True, width=1000).removesuffix(
        "\n...\n").strip()


def _present(node: Node | None) -> bool:
    """A key written with no value (`summary:`) counts as absent, like an omitted one."""
    return node is not None and not (isinstance(node, Scalar) and node.kind == "null")


def _list(report: Report, node: Node, field: str) -> tuple[Node, ...] | None:
    if not isinstance(node, Sequence):
        report.error(node, field, f"expected a list (lines starting with '- '), found {_describe(node)}")
        return None
    return node.items


# --- compound fields -----------------------------------------------------------

def _place(report: Report, node: Node) -> Place | None:
    mapping = _mapping(report, node, "place", PLACE_FIELDS)
    if mapping is None:
        return None
    name = _text(report, mapping.get("name"), "place.name", one_line=True, limit=100)
    values = {}
    for key in ("region", "country"):
        if _present(mapping.get(key)):
            values[key] = _text(report, mapping.get(key), f"place.{key}", one_line=True, limit=100)
    for key in ("lat", "lon"):
        if _present(mapping.get(key)):
            bound = PLACE_FIELDS[key].limit
            values[key] = _number(report, mapping.get(key), f"place.{key}", -bound, bound)
    if name is None:
        return None
    slug = slugify(name)
    if not slug:
        report.error(mapping.get("name"), "place.name", "needs at least one letter or digit a-z, 0-9 for its URL")
        return None
    # float.hex tells 0.0 from -0.0, which are equal.
    key = (name, *(values.get(k) for k in ("region", "country")),
           *(values[k].hex() if values.get(k) is not None else None for k in ("lat", "lon")))
    return _PLACES.get(key) or _keep(_PLACES, key, Place(name=name, slug=slug, **values))


def _sources(report: Report, node: Node, tz: tzinfo) -> tuple[Source, ...]:
    items = _list(report, node, "sources")
    if items is None:
        return ()
    if not items:
        report.error(node, "sources", "needs at least one source; add - name: ... for each")
    result = []
    for index, item in enumerate(items, 1):
        field = f"sources[{index}]"
        mapping = _mapping(report, item, field, SOURCE_FIELDS)
        if mapping is None:
            continue
        get = mapping.by_key.get
        name = _text(report, get("name"), f"{field}.name", one_line=True, limit=200)
        extra = {}
        if _present(get("url")):
            extra["url"] = _url(report, get("url"), f"{field}.url")
        else:
            report.warn(mapping, f"{field}.url", "has no URL; add one so readers can check the source")
        if _present(get("title")):
            extra["title"] = _text(report, get("title"), f"{field}.title", one_line=True, limit=300)
        if _present(get("date")):
            extra["date"] = _date(report, get("date"), f"{field}.date", tz)
        if _present(get("quote")):
            extra["quote"] = _text(report, get("quote"), f"{field}.quote", limit=2000)
        if name is not None:
            result.append(Source(name=_shared_name(name), **extra))
    return tuple(result)


def _tags(report: Report, node: Node) -> tuple[Tag, ...]:
    items = _list(report, node, "tags")
    if items is None:
        return ()
    tags: dict[str, Tag] = {}
    for index, item in enumerate(items, 1):
        label = _text(report, item, f"tags[{index}]", one_line=True, limit=MAX_LABEL)
        if label is None:
            continue
        tag = _TAGS.get(label) or _keep(_TAGS, label, Tag(label, slugify(label)))
        slug = tag.slug
        if not slug:
            report.error(item, f"tags[{index}]", f'"{label}" needs at least one letter or digit a-z, 0-9 for its URL')
        elif slug in tags:
            report.error(item, f"tags[{index}]", f'"{label}" has the same URL slug "{slug}" as "{tags[slug].label}"; '
                         "keep one of them")
        else:
            tags[slug] = tag
    return tuple(tags.values())


def _media(report: Report, node: Node, media_dir: Path) -> Media | None:
    mapping = _mapping(report, node, "media", MEDIA_FIELDS)
    if mapping is None:
        return None
    src_node = mapping.get("src")
    src = _text(report, src_node, "media.src", one_line=True, limit=2000)
    alt = _text(report, mapping.get("alt"), "media.alt", one_line=True, limit=300)
    extra = {}
    for key in ("caption", "credit"):
        if _present(mapping.get(key)):
            extra[key] = _text(report, mapping.get(key), f"media.{key}", limit=500)
    if not extra.get("credit"):
        report.warn(mapping, "media.credit", "has no credit; say who made the image")
    if src is None or alt is None:
        return None
    if "://" in src or src.lower().startswith(("javascript:", "data:", "vbscript:", "//")):
        src = _url(report, src_node, "media.src", https_only=True)
    else:
        src = _media_path(report, src_node, src, media_dir)
    return Media(src=src, alt=alt, **extra) if src else None


def _media_path(report: Report, node: Node, src: str, media_dir: Path) -> str | None:
    relative = src.removeprefix("media/")
    parts = relative.split("/")
    if src.startswith("/") or "\\" in src or any(p in ("", ".", "..") for p in parts):
        report.error(node, "media.src", f'"{_short(src)}" must be a file inside content/media/ such as zaranj.jpg, '
                     "or an https URL")
        return None
    if not (media_dir / relative).is_file():
        report.error(node, "media.src", f'"{_short(src)}" does not exist; put the file in {media_dir}/ '
                     "or fix the name")
        return None
    return relative


def _body(report: Report, node: Node) -> str:
    """The Markdown body, refused when it breaks a limit that bounds its conversion (see markdown_limits)."""
    body = _text(report, node, "body", limit=MAX_BODY) or ""
    found = body_problem(body)
    if found:
        line, message = found
        report.error(node, "body", f"line {line} of the body: {message}")
    return body


def _corrections(report: Report, node: Node, tz: tzinfo) -> tuple[Correction, ...]:
    items = _list(report, node, "corrections")
    result = []
    for index, item in enumerate(items or (), 1):
        field = f"corrections[{index}]"
        mapping = _mapping(report, item, field, CORRECTION_FIELDS)
        if mapping is None:
            continue
        when = _date(report, mapping.get("date"), f"{field}.date", tz)
        text = _text(report, mapping.get("text"), f"{field}.text", limit=2000)
        if when and text:
            result.append(Correction(when, text))
    return tuple(result)


def _aliases(report: Report, node: Node, entry_id: str) -> tuple[str, ...]:
    items = _list(report, node, "aliases")
    result = []
    for index, item in enumerate(items or (), 1):
        alias = _text(report, item, f"aliases[{index}]", one_line=True, limit=200)
        if alias is None:
            continue
        if not ID_PATTERN.fullmatch(alias):
            report.error(item, f"aliases[{index}]", f'"{_short(alias)}" is not a valid id: use lowercase letters, '
                         "digits and single hyphens, as in zaranj-falls")
        elif alias == entry_id:
            report.error(item, f"aliases[{index}]", "is this entry's own id; remove it")
        elif alias in result:
            report.error(item, f"aliases[{index}]", f'"{alias}" is listed twice; remove one')
        else:
            result.append(alias)
    return tuple(result)


# --- whole documents -------------------------------------------------------------

def validate_entry(report: Report, entry_id: str, root: Node, tz: tzinfo, media_dir: Path) -> Entry | None:
    """Check one entry file's tree; problems go to `report`. None when the entry is unusable."""
    mapping = _mapping(report, root, "", ENTRY_FIELDS)
    if mapping is None and not isinstance(root, Mapping):
        return None
    get = root.by_key.get  # the dict's own method: fields are looked up some 40 times per entry
    title = _text(report, get("title"), "title", one_line=True, limit=MAX_TITLE) if _present(get("title")) else None
    start = _date(report, get("date"), "date", tz) if _present(get("date")) else None
    values: dict = {}
    if _present(get("end_date")):
        end = _date(report, get("end_date"), "end_date", tz)
        # `end_date: 2021-08` with `date: 2021-08-06` is fine: August runs past the 6th.
        if end and start and dates.period_end(end) <= start.start:
            report.error(get("end_date"), "end_date", f'"{end.written}" is before the date "{start.written}"; '
                         "an end_date must not come before date: swap them or fix the typo")
        values["end_date"] = end
    for key in ("circa", "draft"):
        if _present(get(key)):
            values[key] = bool(_bool(report, get(key), key))
    if _present(get("date_label")):
        values["date_label"] = _text(report, get("date_label"), "date_label", one_line=True, limit=80)
    if _present(get("summary")):
        values["summary"] = _text(report, get("summary"), "summary", limit=MAX_SUMMARY)
    else:
        report.warn(root, "summary", "is missing; the first paragraph of the body will be used")
    if _present(get("body")):
        values["body"] = _body(report, get("body"))
        words = len(values["body"].split())
        if words > 600:
            report.warn(get("body"), "body", f"has {words} words; entries read best under 600")
    if _present(get("tags")):
        values["tags"] = _tags(report, get("tags"))
    if _present(get("place")):
        values["place"] = _place(report, get("place"))
    sources = _sources(report, get("sources"), tz) if _present(get("sources")) else ()
    if _present(get("media")):
        values["media"] = _media(report, get("media"), media_dir)
    if _present(get("updated")):
        values["updated"] = _date(report, get("updated"), "updated", tz)
    if _present(get("corrections")):
        values["corrections"] = _corrections(report, get("corrections"), tz)
    if _present(get("aliases")):
        values["aliases"] = _aliases(report, get("aliases"), entry_id)
    if report.failed or title is None or start is None:
        return None
    return Entry(id=entry_id, source_path=report.file, title=title, date=start, sources=sources, **values)


def validate_settings(report: Report, root: Node) -> Settings | None:
    mapping = _mapping(report, root, "", SETTINGS_FIELDS)
    if not isinstance(root, Mapping):
        return None
    values: dict = {}
    for key in ("title", "description", "publisher"):
        if _present(root.get(key)):
            values[key] = _text(report, root.get(key), key, one_line=True, limit=300)
    if _present(root.get("base_url")):
        url = _url(report, root.get("base_url"), "base_url")
        values["base_url"] = url.rstrip("/") + "/" if url else None
    if _present(root.get("timezone")):
        values["timezone"] = _timezone(report, root.get("timezone"))
    if _present(root.get("language")):
        language = _text(report, root.get("language"), "language", one_line=True, limit=35)
        if language and not re.fullmatch(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*", language):
            report.error(root.get("language"), "language", f'"{_short(language)}" is not a language tag such as en or en-GB')
        values["language"] = language
    if _present(root.get("entries_per_page")):
        node = root.get("entries_per_page")
        number = _number(report, node, "entries_per_page", 10, 1_000_000)
        if number is not None and number != int(number):
            report.error(node, "entries_per_page", "must be a whole number")
        values["entries_per_page"] = int(number) if number else None
    if mapping is None or report.failed:
        return None
    return Settings(**values)


def _timezone(report: Report, node: Node) -> str | None:
    name = _text(report, node, "timezone", one_line=True, limit=60)
    if name is None:
        return None
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        known = {zone.lower(): zone for zone in available_timezones()}
        close = difflib.get_close_matches(name.lower(), known, n=1, cutoff=0.8)
        hint = f'; did you mean "{known[close[0]]}"?' if close else " such as Asia/Kabul or Europe/London"
        report.error(node, "timezone", f'"{_short(name)}" is not an IANA time zone name{hint}')
        return None
    return name
