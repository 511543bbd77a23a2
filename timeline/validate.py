"""Turn one file's YAML tree into an Entry (or the Settings), or say precisely what is wrong.

Every rule an editor can break is here; the fields themselves are described once in
fields.py, whose tables also drive the JSON Schema given to editors' tools.
"""
from __future__ import annotations

import difflib
import re
import string
import unicodedata
from dataclasses import dataclass
from datetime import timezone, tzinfo
from pathlib import Path
from urllib.parse import quote, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

import yaml

from . import dates
from .fields import (CALENDARS, CORRECTION_FIELDS, ENTRY_FIELDS, ERA_FIELDS, ID_PATTERN, MAX_BASE_URL, MAX_ERA_LABEL,
                     MAX_ID, MAX_LABEL, MAX_MEDIA_BYTES, MAX_SHORT_TITLE, MAX_SUMMARY, MAX_TITLE, MEDIA_FIELDS,
                     PLACE_FIELDS, REMOTE_MEDIA, SELECT_FIELDS, SETTINGS_FIELDS, SOURCE_FIELDS, STATUSES, TIMELINE_FIELDS, Field,
                     EDITION_FIELDS, TRANSLATION_FIELDS, TRANSLATED_MEDIA_FIELDS, TRANSLATED_SOURCE_FIELDS)
from .editions import language_name
from .folders import check_file_below
from .layout import REMOTE_MEDIA_DIR
from .markdown_limits import MAX_BODY, body_problem
from .model import (Correction, Edition, Entry, Era, Media, PartialDate, Place, Position, Problem, Selection, Settings,
                    Source, Tag, Translation, shortened)
from .yamlfile import Mapping, Node, Scalar, Sequence

# Addresses that urlsplit (below) certainly accepts: a plain host name, no space. Checked first: most are.
_HTTP_ADDRESS = re.compile(r"(?i:https?)://[A-Za-z0-9.-]+(?:[/?#]\S*)?")
_HTTPS_ADDRESS = re.compile(r"(?i:https)://[A-Za-z0-9.-]+(?:[/?#]\S*)?")


# --- characters ------------------------------------------------------------------
# Refused in every text: what no HTML page or XML feed may hold (C0 controls but tab and line feed,
# DEL and the C1 controls, lone surrogates, noncharacters), the line and paragraph separators (an
# invisible line break, pasted from word processors), and the bidirectional embeddings and overrides
# U+202A-U+202E, which make text display otherwise than it is stored (Trojan Source) and leak into
# the text around it in lists and feed readers. Right-to-left text needs none of them: the isolates
# U+2066-U+2069 (matched here only to check that each is closed within its text) and the marks
# U+200E, U+200F and U+061C do the same work without leaking, and are allowed.
_REFUSED = "\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff"
_ISOLATES, _POP_ISOLATE = "\u2066\u2067\u2068", "\u2069"
# The noncharacters beyond U+FFFF (U+1FFFE, U+1FFFF ... U+10FFFF) are found among all the characters
# there, matched as one range and picked out by text_problem: the regular expression engine tests a
# range at once, and a long class of single characters one by one.
_ASTRAL = "\U00010000-\U0010ffff"
_ASTRAL_NONCHARACTERS = "".join(chr(plane << 16 | 0xFFFE) + chr(plane << 16 | 0xFFFF) for plane in range(1, 17))
_SUSPECT_IN_TEXT = re.compile(f"[{_REFUSED}{_ISOLATES}{_POP_ISOLATE}{_ASTRAL}]")
_SUSPECT_IN_LINE = re.compile(f"[\t{_REFUSED}{_ISOLATES}{_POP_ISOLATE}{_ASTRAL}]")  # and a tab
# What a problem's message shows as <U+hhhh> rather than print: it echoes what the editor wrote,
# and a terminal would act on a control character or reorder the line around an override.
_UNPRINTABLE = re.compile(f"[\t\n{_REFUSED}{_ISOLATES}{_POP_ISOLATE}{_ASTRAL_NONCHARACTERS}]")
# A character a reader sees: a letter, digit, punctuation mark or symbol (Unicode categories L, N, P,
# S), but for the letters and symbol that display as blank space. ASCII marks and \w first: nearly
# every text starts with one; the rest by category.
_BLANK_LOOKING = "\u115f\u1160\u3164\uffa0\u2800"  # Hangul fillers, the blank Braille pattern
_VISIBLE = re.compile(f"[^\\W{_BLANK_LOOKING}]|[!-/:-@\\[-`{{-~]")
_ASCII_VISIBLE = string.ascii_letters + string.digits + string.punctuation
# A numeric character reference in Markdown (&#27; or &#x1b;), which the page and the summaries made
# from the body turn into the character itself.
_CHARACTER_REFERENCE = re.compile(r"&#(?:[xX]([0-9a-fA-F]{1,8})|([0-9]{1,10}));")
_REFERENCE_REFUSED = re.compile(f"[{_REFUSED}{_ASTRAL_NONCHARACTERS}]")


def escape_unprintable(text: str) -> str:
    """`text` with each character a terminal would act on or reorder shown as <U+hhhh>."""
    if text.isprintable():
        return text
    return _UNPRINTABLE.sub(lambda match: f"<{_code(match.group())}>", text)


def _code(char: str) -> str:
    return f"U+{ord(char):04X}"


def _named(char: str) -> str:
    name = unicodedata.name(char, "")
    return f"{_code(char)} ({name})" if name else _code(char)


def _position(text: str, index: int) -> str:
    line = text.count("\n", 0, index)
    column = index - text.rfind("\n", 0, index)
    return f"character {column}" if not line else f"line {line + 1}, character {column} of the text"


def text_problem(text: str, one_line: bool) -> str | None:
    """Why `text` cannot be published as the text of a page or feed: its first refused character or
    unclosed isolate; None when it can (`one_line`: a tab is refused too)."""
    if text.isprintable() or text.replace("\n", " ").isprintable():
        return None  # nearly every text: no control, format, separator or unassigned character at all
    opened: list[int] = []
    for match in (_SUSPECT_IN_LINE if one_line else _SUSPECT_IN_TEXT).finditer(text):
        char, at = match.group(), match.start()
        if char > "\uffff" and char not in _ASTRAL_NONCHARACTERS:
            continue  # an emoji, a historic script
        if char in _ISOLATES:
            opened.append(at)
        elif char == _POP_ISOLATE and opened:
            opened.pop()
        elif char == _POP_ISOLATE:
            return (f"contains {_named(char)} at {_position(text, at)}, which closes no isolate "
                    "(U+2066, U+2067 or U+2068) before it; delete it")
        else:
            return _refused(text, at, char, one_line)
    if opened:
        at = opened[-1]
        return (f"contains the directional isolate {_named(text[at])} at {_position(text, at)}, which is "
                "not closed: the text after it would be laid out apart from the rest of the page; add "
                "U+2069 (POP DIRECTIONAL ISOLATE) where the isolated text ends")
    return None


def _refused(text: str, at: int, char: str, one_line: bool) -> str:
    what, fix = _why_refused(char, one_line)
    return f"contains {what} at {_position(text, at)}{fix}"


def _why_refused(char: str, one_line: bool) -> tuple[str, str]:
    """What the refused character is, and what to do about it (from a comma or semicolon on)."""
    number = ord(char)
    if char == "\t":
        return "a tab (U+0009)", "; a one-line text holds none: replace it with a space"
    if char in "\u2028\u2029":
        fix = "remove it (this text is one line)" if one_line else "replace it with an ordinary line break"
        return _named(char), f", an invisible line break that pages ignore; {fix}"
    if 0x202A <= number <= 0x202E:
        return (f"the bidirectional control {_named(char)}", ", which makes text display otherwise than it is "
                "written and spills over the text around it; delete it (for right-to-left text use the "
                "isolates U+2066 to U+2069 or the marks U+200E and U+200F)")
    if 0xD800 <= number <= 0xDFFF:
        what = f"the lone surrogate {_code(char)} (half of a UTF-16 pair, not a character)"
    elif number < 0x20 or 0x7F <= number <= 0x9F:
        what = f"the control character {_named(char)}"
    else:
        what = f"the noncharacter {_code(char)}"
    return what, ", which cannot appear in a web page or feed; delete it"


def _invisible(value: str) -> str | None:
    """Why a text that must not be empty shows nothing to a reader, if it does not."""
    if _VISIBLE.search(value) is not None or any(
            unicodedata.category(char)[0] in "LNPS" and char not in _BLANK_LOOKING for char in value):
        return None  # nearly always the first search
    shown = ", ".join(dict.fromkeys(_named(char) for char in value if not char.isspace()))
    return f"has no visible character, only {shortened(shown, 120)}; write the text or remove the field"


def _referenced_character(body: str) -> str | None:
    """Why a character reference in a Markdown body cannot be published, if one cannot."""
    if "&#" not in body:
        return None
    for match in _CHARACTER_REFERENCE.finditer(body):
        hexadecimal, decimal = match.groups()
        number = int(hexadecimal, 16) if hexadecimal else int(decimal)
        where = f'the character reference "{match.group()}" at {_position(body, match.start())}'
        if number == 0 or number > 0x10FFFF:
            return f"has {where}, which names no character; delete it"
        if _REFERENCE_REFUSED.fullmatch(chr(number)):
            what, fix = _why_refused(chr(number), one_line=False)
            return f"has {where}, which stands for {what}{fix}"
    return None


_KIND_NAMES = {"bool": "a boolean", "int": "a number", "float": "a number", "null": "empty",
               "timestamp": "a date", "binary": "binary data"}
_NOTHING = "nothing (the value is empty)"


class Report:
    """Problems found in one file."""

    def __init__(self, file: str):
        self.file = file
        self.problems: list[Problem] = []

    def error(self, node: Node | None, field: str, message: str, severity: str = "error") -> None:
        self.problems.append(Problem(  # the field may be a key, and the message quotes values, as written
            file=self.file, field=escape_unprintable(field), message=escape_unprintable(message),
            severity=severity,
            line=node.line if node is not None else None,
            column=node.column if node is not None else None,
        ))

    def warn(self, node: Node | None, field: str, message: str) -> None:
        self.error(node, field, message, severity="warning")

    @property
    def failed(self) -> bool:
        return any(p.severity == "error" for p in self.problems)


ID_RULE = "use lowercase letters, digits and single hyphens, as in zaranj-falls"
_ENTRY_SUFFIX = re.compile(r"\.ya?ml$", re.IGNORECASE)


def file_name_problem(name: str) -> str | None:
    """Why the entry file name `name` (such as zaranj-falls.yaml) does not give a valid id, with the fix."""
    stem = _ENTRY_SUFFIX.sub("", name)
    if ID_PATTERN.fullmatch(stem):
        return None
    return (f'the file name "{name}" is not a valid id: {ID_RULE}.yaml '
            f"(rename it to {suggest_id(stem)}.yaml)")


def suggest_id(text: str) -> str:
    """A valid id made from `text`."""
    return slugify(text) or "my-entry"


def slugify(label: str) -> str:
    """`label` in a-z, 0-9 and hyphens, accents dropped: Mazār-i-Sharīf -> mazar-i-sharif (ids, and the
    URLs of labels in Latin letters)."""
    folded = unicodedata.normalize("NFKD", label).encode("ascii", "ignore").decode("ascii")
    return "-".join(re.findall(r"[a-z0-9]+", folded.lower()))


MAX_SLUG_BYTES = 200  # a label's URL segment is a folder's name: file systems allow 255 bytes


def label_slug(label: str) -> str:
    """The URL segment of a tag or place label. A label written in Latin letters (or with no letters)
    keeps the a-z, 0-9 slug it has always had; any other keeps its own script, so that it stays
    readable and two labels in Arabic script never fold to the same digits: its runs of letters, marks
    and digits, composed, case-folded and composed again, joined by hyphens (کابل -> کابل, "Провинция
    Кабул" -> провинция-кабул). Folding can decompose (ΐ), and names one composition apart are one
    folder where file systems ignore composition (macOS): they must be one slug, which check refuses. Addresses carry it percent-encoded (the pages' `url`, the sitemap, the links)."""
    composed = unicodedata.normalize("NFC", label)
    letters = [c for c in composed if unicodedata.category(c).startswith("L")]
    if all(c.isascii() or unicodedata.name(c, "").startswith("LATIN ") for c in letters):
        folded = slugify(composed)
        if folded:
            return folded
    runs, run = [], []
    for c in unicodedata.normalize("NFC", composed.casefold()):
        if unicodedata.category(c)[0] in "LMN":
            run.append(c)
        elif run:
            runs.append("".join(run))
            run = []
    return "-".join(runs + (["".join(run)] if run else []))


def label_slug_problem(slug: str) -> str | None:
    """Why a label's slug cannot be its URL, with the fix; None when it can."""
    if not slug:
        return "needs at least one letter or digit (in any script) for its URL"
    if len(slug.encode("utf-8")) > MAX_SLUG_BYTES:
        return f"is too long for its URL ({len(slug.encode('utf-8'))} bytes in UTF-8, at most {MAX_SLUG_BYTES}): shorten it"
    return None



def _describe(node: Node) -> str:
    """What was found, with the text as the editor wrote it: `no` is shown as no, never False."""
    if isinstance(node, Mapping):
        return "a mapping (key: value pairs)"
    if isinstance(node, Sequence):
        return "a list"
    if node.kind == "null" and not node.text:
        return _NOTHING
    if node.kind == "str":
        return f'the text "{shortened(node.text)}"'
    return f"{shortened(node.text)}, which YAML reads as {_KIND_NAMES.get(node.kind, 'text')}"


# --- single values -----------------------------------------------------------

def _text(report: Report, node: Node, field: str, *, one_line=False, limit=None) -> str | None:
    if not isinstance(node, Scalar) or node.kind != "str":
        if isinstance(node, Scalar) and node.text:
            report.error(node, field, f"expected text, but YAML reads {shortened(node.text)} as "
                         f"{_KIND_NAMES.get(node.kind, 'text')}; put it in quotes: "
                         f"{field.rsplit('.', 1)[-1]}: \"{shortened(node.text)}\"")
        else:
            report.error(node, field, f"expected text, found {_describe(node)}")
        return None
    # Each check's common case first, inline: 10,000 entries hold over 100,000 texts.
    if not node.text.isprintable() and (problem := text_problem(node.text, one_line)) is not None:
        report.error(node, field, problem)
        return None
    value = node.text.strip()
    if not value:
        report.error(node, field, "is empty; write the text or remove the field")
        return None
    if one_line and "\n" in value:
        report.error(node, field, "must be a single line; remove the line breaks")
        return None
    if value[0] not in _ASCII_VISIBLE and _VISIBLE.search(value) is None and (problem := _invisible(value)):
        report.error(node, field, problem)
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
        report.error(node, field, f"{shortened(node.text)} is not a plain decimal number such as 34.5")
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
    except (OverflowError, ValueError):  # a time that the time zone moves out of years 1 to 9999
        report.error(node, field, f'"{shortened(node.text.strip())}" is too close to the first or last day '
                     "a calendar date can have (years 1 to 9999); give the date without a time")
        return None
    return _keep(_DATES, (node.text, tz), date)


def _ends_before(end: PartialDate, start: PartialDate) -> bool:
    return dates.end_instant(end) <= dates.instant(start.start)


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
        report.error(node, field, f'"{shortened(value)}" is not {need}; write a full address such as https://example.org/page')
        return None
    if "@" in parts.netloc:
        report.error(node, field, _USER_INFO.format(shortened(value), _without_user(parts)))
        return None
    return value


# A user name before the host (https://www.bbc.co.uk@example.org/ leads to example.org) makes a link
# look as if it led elsewhere, and a password in it would be published.
_USER_INFO = ('"{}" gives a user name or password before the host; an address on a public page needs '
              "none, and it can disguise where a link leads: remove it, as in {}")


def _without_user(parts) -> str:
    return parts._replace(netloc=parts.netloc.rpartition("@")[2]).geturl()


# The base_url every address of the site starts with: http(s), a host (a name, an IPv4 or a bracketed
# IPv6 address), an optional port and a path of characters that need no escaping in HTML, XML, a
# robots.txt line or a URL (percent-encoded ones allowed). No user, no query, no fragment.
_HOST_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_BASE_URL = re.compile(rf"(?i:https?)://(?:{_HOST_LABEL}(?:\.{_HOST_LABEL})*|\[[0-9A-Fa-f:.]+\])(?::[0-9]{{1,5}})?"
                       r"(?:/(?:[A-Za-z0-9._~!$*+,;=:@-]|%[0-9A-Fa-f]{2})*)*")
_DOT_SEGMENT = re.compile(r"/\.\.?(?=/|$)")
_URL_CHARACTER = re.compile(r"[A-Za-z0-9._~!$*+,;=:@%/-]")
_BAD_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")


def _base_url(report: Report, node: Node) -> str | None:
    value = _text(report, node, "base_url", one_line=True, limit=2000)
    if value is None:
        return None
    problem = None if _BASE_URL.fullmatch(value) else _base_url_problem(value)
    if problem is None and len(value) > MAX_BASE_URL:
        problem = (f"is {len(value):,} characters long; the limit is {MAX_BASE_URL}, publish the site at a "
                   "shorter address")
    problem = problem or _base_url_path_problem(value)
    if problem is not None:
        report.error(node, "base_url", problem)
        return None
    return value.rstrip("/") + "/"


def _base_url_problem(value: str) -> str:
    """Why `value` does not match _BASE_URL, with the fix."""
    try:
        parts = urlsplit(value)
    except ValueError:
        parts = None
    if parts is None or parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return (f'"{shortened(value)}" is not an http or https URL; write a full address such as '
                "https://example.org/page")
    if "@" in parts.netloc:
        return _USER_INFO.format(shortened(value), _without_user(parts))
    for mark, part, what in (("?", parts.query, "query"), ("#", parts.fragment, "fragment")):
        if mark in value:
            fixed = parts._replace(query="", fragment="").geturl()
            return (f'"{shortened(value)}" has a {what} ({mark}{shortened(part, 30)}), which would end up in the middle '
                    f"of every address of the site; the base_url is the site's folder: write it as {fixed}")
    bad = next((char for char in parts.path if not _URL_CHARACTER.fullmatch(char)), None)
    if bad is not None:
        shown = f"a space ({_code(bad)})" if bad.isspace() else f"the character {bad} ({_code(bad)})"
        return (f'"{shortened(value)}" has {shown} in its path, which is not allowed in an address; '
                f"write it percent-encoded ({quote(bad, safe='')}) or remove it")
    if _BAD_PERCENT.search(parts.path):
        return f'"{shortened(value)}" has a % in its path that is not followed by two hex digits; write it as %25'
    return (f'"{shortened(value)}" does not have a host name such as example.org: letters a-z, digits, hyphens '
            "and dots, then an optional :port (a name with accents in its xn-- form)")


def _base_url_path_problem(value: str) -> str | None:
    parts = urlsplit(value)
    if _DOT_SEGMENT.search(parts.path):
        return f'"{shortened(value)}" has a "." or ".." folder in its path; write the path it leads to'
    port = re.search(r":([0-9]+)$", parts.netloc)
    if port is not None and int(port[1]) > 65535:
        return f'"{shortened(value)}" has the port {port[1]}, beyond 65535; check the port number'
    return None


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
            report.error(key, prefix + shortened(key.text, 40), f"unknown field{hint}")
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


# What to do about a list longer than its field's max_items.
_FEWER = {"tags": "keep the ones readers will look for", "sources": "cite the ones the entry relies on",
          "corrections": "combine them into fewer corrections",
          "aliases": "keep the ids that were published (permalinks.lock lists them)",
          "eras": "keep the periods readers need to place the events",
          "select.tags": "choose by fewer tags", "select.places": "choose by fewer places",
          "select.entries": "choose them by tag, place or dates instead",
          "calendars": "name each calendar once", "translations": "publish fewer editions from one site"}


def _list(report: Report, node: Node, field: str) -> tuple[Node, ...] | None:
    """The items of the list field `field` of an entry (or of the settings); None when it is not a list
    or has too many."""
    if not isinstance(node, Sequence):
        report.error(node, field, f"expected a list (lines starting with '- '), found {_describe(node)}")
        return None
    spec = ENTRY_FIELDS.get(field) or SETTINGS_FIELDS.get(field) or SELECT_FIELDS[field.removeprefix("select.")]
    whose = "an entry" if field in ENTRY_FIELDS else "a timeline"
    if spec.max_items is not None and len(node.items) > spec.max_items:
        report.error(node, field, f"has {len(node.items):,} items; {whose} may have at most {spec.max_items} "
                     f"{field}, {_FEWER[field]}")
        return None
    return node.items


def body_text(report: Report, text: str, field: str) -> str | None:
    """A Markdown text read from a file of its own (the about page): the checks of an entry's body, with
    the lines counted as the file's (its blank lines first included)."""
    if not text.strip():
        report.error(None, field, "is empty; write the page or delete the file")
        return None
    if len(text) > MAX_BODY:
        report.error(None, field, f"is {len(text):,} characters long; the limit is {MAX_BODY:,}, shorten it")
        return None
    problem = text_problem(text, one_line=False) or _referenced_character(text)
    if problem:
        report.error(None, field, problem)
        return None
    if (found := body_problem(text)) is not None:
        line, message = found
        report.error(_LineOf(line), field, message)
        return None
    return text.strip()


@dataclass(frozen=True)
class _LineOf:
    """Where a problem is in a file that is not YAML (a Markdown file): the start of a line."""

    line: int
    column: int = 1


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
    slug = label_slug(name)
    problem = label_slug_problem(slug)
    if problem:
        report.error(mapping.get("name"), "place.name", problem)
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
        if _present(get("via")):
            extra["via"] = _text(report, get("via"), f"{field}.via", one_line=True, limit=200)
        if _present(get("title")):
            extra["title"] = _text(report, get("title"), f"{field}.title", one_line=True, limit=300)
        if _present(get("date")):
            extra["date"] = _date(report, get("date"), f"{field}.date", tz)
        if _present(get("quote")):
            extra["quote"] = _text(report, get("quote"), f"{field}.quote", limit=2000)
        if not (_present(get("url")) or _present(get("via")) or _present(get("title")) and _present(get("date"))):
            report.warn(mapping, f"{field}.url", "says neither where to read it nor who reported it: add its url, "
                        "or via: the outlet or document that reported it (a source that is itself a document "
                        "needs its title and date)")
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
        tag = _TAGS.get(label) or _keep(_TAGS, label, Tag(label, label_slug(label)))
        slug = tag.slug
        problem = label_slug_problem(slug)
        if problem:
            report.error(item, f"tags[{index}]", f'"{label}" {problem}')
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
        report.error(node, "media.src", f'"{shortened(src)}" must be a file inside content/media/ such as zaranj.jpg, '
                     "or an https URL")
        return None
    if parts[0] == REMOTE_MEDIA_DIR and len(parts) > 1:  # the site's media/remote/ holds the copies of remote images
        report.error(node, "media.src", f'"{shortened(src)}" is in a folder named {REMOTE_MEDIA_DIR}/, where the site keeps '
                     f"its copies of remote images; move the file out of content/media/{REMOTE_MEDIA_DIR}/")
        return None
    marked = next((mark for mark in "#?%" if mark in relative), None)
    if marked is not None:  # the page's address of the image would end, or be decoded, there
        report.error(node, "media.src", f'"{shortened(src)}" has {marked} in its name, which a web address reads '
                     "otherwise; rename the file without #, ? or %")
        return None
    if not (media_dir / relative).exists() and not (media_dir / relative).is_symlink():
        report.error(node, "media.src", f'"{shortened(src)}" does not exist; put the file in the media folder '
                     f"beside the entries folder (media/{shortened(relative)}) or fix the name")
        return None
    refused = check_file_below(str(media_dir), relative, MAX_MEDIA_BYTES)  # no link, no pipe, not too large
    if refused is not None:
        report.error(node, "media.src", f'"{shortened(src)}": {refused}')
        return None
    return relative


def _body(report: Report, node: Node) -> str:
    """The Markdown body, refused when it breaks a limit that bounds its conversion (see markdown_limits)."""
    body = _text(report, node, "body", limit=MAX_BODY) or ""
    problem = _referenced_character(body)
    if problem is not None:
        report.error(node, "body", problem)
    elif (found := body_problem(body)) is not None:
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
        alias = _text(report, item, f"aliases[{index}]", one_line=True, limit=MAX_ID)
        if alias is None:
            continue
        if not ID_PATTERN.fullmatch(alias):
            report.error(item, f"aliases[{index}]", f'"{shortened(alias)}" is not a valid id: {ID_RULE}')
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
        if end and start and _ends_before(end, start):
            report.error(get("end_date"), "end_date", f'"{end.written}" is before the date "{start.written}"; '
                         "an end_date must not come before date: swap them or fix the typo")
        values["end_date"] = end
    for key in ("circa", "draft", "key"):
        if _present(get(key)):
            values[key] = bool(_bool(report, get(key), key))
    if _present(get("status")):
        values["status"] = _choice(report, get("status"), "status", STATUSES)
    if _present(get("date_label")):
        values["date_label"] = _text(report, get("date_label"), "date_label", one_line=True, limit=80)
    if _present(get("summary")):
        values["summary"] = _text(report, get("summary"), "summary", limit=MAX_SUMMARY)
    elif _present(get("body")):
        report.warn(root, "summary", "is missing: add one or two sentences for the lists, cards and feeds "
                    "(until then they show the first paragraph of the body)")
    else:
        report.warn(root, "summary", "is missing, and so is the body: add a summary, or the lists, cards and "
                    "feeds show the title alone")
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
    if _present(root.get("short_title")):
        values["short_title"] = _text(report, root.get("short_title"), "short_title", one_line=True,
                                      limit=MAX_SHORT_TITLE)
    if _present(root.get("base_url")):
        values["base_url"] = _base_url(report, root.get("base_url"))
    if _present(root.get("timezone")):
        values["timezone"] = _timezone(report, root.get("timezone"))
    if _present(root.get("language")):
        values["language"] = _language(report, root.get("language"), "language")
    if _present(root.get("translations")):
        values["translations"] = _translations(report, root.get("translations"), values.get("language") or "en")
    if _present(root.get("entries_per_page")):
        node = root.get("entries_per_page")
        number = _number(report, node, "entries_per_page", 10, 1_000_000)
        if number is not None and number != int(number):
            report.error(node, "entries_per_page", "must be a whole number")
        values["entries_per_page"] = int(number) if number else None
    zone = _zone_or_utc(values.get("timezone"))
    if _present(root.get("as_of")):
        values["as_of"] = _date(report, root.get("as_of"), "as_of", zone)
    if _present(root.get("recent_days")):
        node = root.get("recent_days")
        number = _number(report, node, "recent_days", 0, 366)
        if number is not None and number != int(number):
            report.error(node, "recent_days", "must be a whole number of days")
        values["recent_days"] = int(number) if number is not None else None
    if _present(root.get("remote_media")):
        values["remote_media"] = _choice(report, root.get("remote_media"), "remote_media", REMOTE_MEDIA)
    if _present(root.get("eras")):
        values["eras"] = _eras(report, root.get("eras"), zone)
    if _present(root.get("calendars")):
        values["calendars"] = _calendars(report, root.get("calendars"))
    if _present(root.get("share_images")):
        values["share_images"] = bool(_bool(report, root.get("share_images"), "share_images"))
    if mapping is None or report.failed:
        return None
    return Settings(**values)


@dataclass(frozen=True)
class Pool:
    """What a timeline of content/timelines/ may choose from: the entries' ids, tag slugs and place slugs."""

    ids: frozenset[str]
    tags: frozenset[str]
    places: frozenset[str]


def validate_selection(report: Report, root: Node, name: str, zone: tzinfo, pool: Pool) -> Selection | None:
    """One timeline of a site that has several; its rules checked against the entries there are."""
    mapping = _mapping(report, root, "", TIMELINE_FIELDS)
    if mapping is None:
        return None
    values: dict = {"title": _text(report, root.get("title"), "title", one_line=True, limit=300)}
    if _present(root.get("description")):
        values["description"] = _text(report, root.get("description"), "description", one_line=True, limit=300)
    if _present(root.get("as_of")):
        values["as_of"] = _date(report, root.get("as_of"), "as_of", zone)
    if _present(root.get("eras")):
        values["eras"] = _eras(report, root.get("eras"), zone)
    rules = _mapping(report, root.get("select"), "select", SELECT_FIELDS)
    if rules is not None:
        values.update(_rules(report, rules, zone, pool))
    if report.failed:
        return None
    return Selection(name, source_path=report.file, **values)


def _rules(report: Report, rules: Mapping, zone: tzinfo, pool: Pool) -> dict:
    if not rules.items:
        report.error(rules, "select", "chooses nothing; give tags, places, from, to or entries")
    values: dict = {}
    for key, known, what in (("tags", pool.tags, "tag"), ("places", pool.places, "place")):
        if _present(rules.get(key)):
            slugs = []
            for index, item in enumerate(_list(report, rules.get(key), f"select.{key}") or (), 1):
                label = _text(report, item, f"select.{key}[{index}]", one_line=True, limit=100)
                if label is not None and label_slug(label) not in known:
                    report.warn(item, f"select.{key}[{index}]", f'no entry has the {what} "{shortened(label)}"')
                if label is not None:
                    slugs.append(label_slug(label))
            values[key] = tuple(dict.fromkeys(slugs))
    for key, field in (("from", "start"), ("to", "end")):
        if _present(rules.get(key)):
            values[field] = _date(report, rules.get(key), f"select.{key}", zone)
    if values.get("start") and values.get("end") and _ends_before(values["end"], values["start"]):
        report.error(rules.get("to"), "select.to", f'"{values["end"].written}" is before from '
                     f'"{values["start"].written}"; swap them or fix the typo')
    if _present(rules.get("entries")):
        ids = []
        for index, item in enumerate(_list(report, rules.get("entries"), "select.entries") or (), 1):
            entry_id = _text(report, item, f"select.entries[{index}]", one_line=True, limit=MAX_ID)
            if entry_id is None:
                continue
            if entry_id not in pool.ids:
                close = difflib.get_close_matches(entry_id, pool.ids, n=1, cutoff=0.6)
                hint = f'; did you mean "{close[0]}"?' if close else ""
                report.error(item, f"select.entries[{index}]", f'"{shortened(entry_id)}" is the id of no entry '
                             f"(the name of a file in entries/, without .yaml){hint}")
            elif entry_id not in ids:
                ids.append(entry_id)
        values["ids"] = tuple(ids)
    return values


def _zone_or_utc(name: str | None) -> tzinfo:
    """The settings' zone for the dates they hold (eras, as_of); UTC while the zone itself is in error."""
    try:
        return ZoneInfo(name) if name else timezone.utc
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return timezone.utc


def _eras(report: Report, node: Node, tz: tzinfo) -> tuple[Era, ...]:
    result = []
    for index, item in enumerate(_list(report, node, "eras") or (), 1):
        field = f"eras[{index}]"
        mapping = _mapping(report, item, field, ERA_FIELDS)
        if mapping is None:
            continue
        label = _text(report, mapping.get("label"), f"{field}.label", one_line=True, limit=MAX_ERA_LABEL)
        start = _date(report, mapping.get("start"), f"{field}.start", tz)
        end = _date(report, mapping.get("end"), f"{field}.end", tz)
        note = _text(report, mapping.get("note"), f"{field}.note", limit=MAX_SUMMARY) \
            if _present(mapping.get("note")) else None
        if start and end and _ends_before(end, start):
            report.error(mapping.get("end"), f"{field}.end", f'"{end.written}" is before the start '
                         f'"{start.written}"; swap them or fix the typo')
        elif label and start and end:
            result.append(Era(label, start, end, note))
    return tuple(result)


LANGUAGE_TAG = re.compile(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*")


def _language(report: Report, node: Node, field: str) -> str | None:
    language = _text(report, node, field, one_line=True, limit=35)
    if language and not LANGUAGE_TAG.fullmatch(language):
        report.error(node, field, f'"{shortened(language)}" is not a language tag such as en or en-GB')
        return None
    return language


def _translations(report: Report, node: Node, original: str) -> tuple[str, ...]:
    """The languages of the other editions: tags, each once, none the original's (its edition is the site's top)."""
    result: list[str] = []
    for index, item in enumerate(_list(report, node, "translations") or (), 1):
        field = f"translations[{index}]"
        language = _language(report, item, field)
        if language is None:
            continue
        if language.casefold() == original.casefold():
            report.error(item, field, f'"{language}" is the site\'s own language (language: {original}), published at '
                         "the top of the site; list only the other languages")
        elif language.casefold() in (known.casefold() for known in result):
            report.error(item, field, f'"{language}" is listed twice; remove one')
        elif language_name(language) is None:
            report.error(item, field, f'"{language}" is not a language the Unicode CLDR knows, so its edition could '
                         "not name it; use a tag such as fr, ps or fa-AF")
        else:
            result.append(language)
    return tuple(result)


def validate_edition(report: Report, root: Node, language: str) -> Edition | None:
    """content/translations/<language>/timeline.yaml: the edition's title, description and labels."""
    if _mapping(report, root, "", EDITION_FIELDS) is None:
        return None
    values: dict = {}
    for key in ("title", "description"):
        if _present(root.get(key)):
            values[key] = _text(report, root.get(key), key, one_line=True, limit=300)
    if _present(root.get("short_title")):
        values["short_title"] = _text(report, root.get("short_title"), "short_title", one_line=True,
                                      limit=EDITION_FIELDS["short_title"].limit)
    for key in ("tags", "places"):
        if _present(root.get(key)):
            values[key] = _labels(report, root.get(key), key, EDITION_FIELDS[key].limit)
    return None if report.failed else Edition(language, **values)


def _labels(report: Report, node: Node, field: str, limit: int) -> tuple[tuple[str, str], ...]:
    """A mapping of original labels to labels in the edition's language."""
    if not isinstance(node, Mapping):
        report.error(node, field, f"expected a mapping of each original label to its translation "
                     f'("Provincial capitals": Capitales provinciales), found {_describe(node)}')
        return ()
    pairs = []
    for key, value in node.items:
        original = _text(report, key, field, one_line=True, limit=limit)
        translated = _text(report, value, f"{field}.{shortened(key.text, 40)}", one_line=True, limit=limit)
        if original is not None and translated is not None:
            pairs.append((original, translated))
    return tuple(pairs)


def validate_translation(report: Report, root: Node, entry_id: str, language: str) -> Translation | None:
    """content/translations/<language>/entries/<id>.yaml: an entry's text in one more language. Whether
    the original exists, and has what is translated, is checked against it (editions.check_translations)."""
    if _mapping(report, root, "", TRANSLATION_FIELDS) is None:
        return None
    get = root.by_key.get
    translates = _digest(report, get("translates"))
    title = _text(report, get("title"), "title", one_line=True, limit=TRANSLATION_FIELDS["title"].limit)
    values: dict = {}
    if _present(get("summary")):
        values["summary"] = _text(report, get("summary"), "summary", limit=TRANSLATION_FIELDS["summary"].limit)
    if _present(get("body")):
        values["body"] = _body(report, get("body"))
    if _present(get("date_label")):
        values["date_label"] = _text(report, get("date_label"), "date_label", one_line=True, limit=80)
    if _present(get("media")) and _mapping(report, get("media"), "media", TRANSLATED_MEDIA_FIELDS) is not None:
        media = get("media")
        if _present(media.get("alt")):
            values["media_alt"] = _text(report, media.get("alt"), "media.alt", one_line=True, limit=300)
        if _present(media.get("caption")):
            values["media_caption"] = _text(report, media.get("caption"), "media.caption", limit=1000)
    if _present(get("sources")):
        values["sources"] = _translated_sources(report, get("sources"))
    if report.failed or translates is None or title is None:
        return None
    at = Position(get("translates").line, get("translates").column)
    return Translation(entry_id, language, report.file, translates, title, translates_at=at, **values)


_DIGEST = re.compile(r"[0-9a-f]{10}")


def _digest(report: Report, node: Node) -> str | None:
    """A digest as `check` prints it: ten hexadecimal digits, which YAML may read as a number (1234567890, 1e23456789)."""
    text = node.text.strip() if isinstance(node, Scalar) else None
    if text is None or not _DIGEST.fullmatch(text):
        shown = f'"{shortened(text)}"' if text else _describe(node)
        report.error(node, "translates", f"{shown} is not a digest of ten hexadecimal digits; write the one `python build.py "
                     "check` prints for this entry (translates: 3f2a9c1b0d)")
        return None
    return text


def _translated_sources(report: Report, node: Node) -> tuple[tuple[str | None, str | None], ...]:
    if not isinstance(node, Sequence):
        report.error(node, "sources", f"expected a list (lines starting with '- '), found {_describe(node)}")
        return ()
    result = []
    for index, item in enumerate(node.items, 1):
        field = f"sources[{index}]"
        if _mapping(report, item, field, TRANSLATED_SOURCE_FIELDS) is None:
            result.append((None, None))
            continue
        title = _text(report, item.get("title"), f"{field}.title", one_line=True, limit=300) \
            if _present(item.get("title")) else None
        quote_text = _text(report, item.get("quote"), f"{field}.quote", limit=2000) if _present(item.get("quote")) else None
        result.append((title, quote_text))
    return tuple(result)


def _calendars(report: Report, node: Node) -> tuple[str, ...]:
    result = []
    for index, item in enumerate(_list(report, node, "calendars") or (), 1):
        name = _choice(report, item, f"calendars[{index}]", CALENDARS)
        if name in result:
            report.error(item, f"calendars[{index}]", f'"{name}" is listed twice; remove one')
        elif name is not None:
            result.append(name)
    return tuple(result)


def _choice(report: Report, node: Node, field: str, choices: tuple[str, ...]) -> str | None:
    value = _text(report, node, field, one_line=True, limit=40)
    if value is None:
        return None
    if value not in choices:
        close = difflib.get_close_matches(value.lower(), choices, n=1, cutoff=0.6)
        hint = f'; did you mean "{close[0]}"?' if close else ""
        report.error(node, field, f'"{shortened(value)}" is not one of {", ".join(choices)}{hint}')
        return None
    return value


# Zone names that read the configuration of the machine that builds the site, not a place's rules:
# its own zone (localtime, and posixrules, which follows it), the "no zone set" placeholder Factory,
# and the posix/ and right/ copies of the database (right/ counts leap seconds), which not every
# machine has. Each is a file some zoneinfo folders hold, so ZoneInfo would read it.
_MACHINE_ZONES = {"localtime": "is the time zone of the computer that runs the build",
                  "posixrules": "is a file of the computer's time zone database that follows its own zone",
                  "factory": 'is the "no time zone set" placeholder, which shows every time as -00'}
_MACHINE_ZONE_FOLDERS = ("posix/", "right/")
_ZONE_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_+-]*(?:/[A-Za-z0-9_+-]+)*")
_AREA_CITY = "write the zone of the events as an IANA Area/City name such as Asia/Kabul or Europe/London"


def _timezone(report: Report, node: Node) -> str | None:
    name = _text(report, node, "timezone", one_line=True, limit=60)
    if name is None:
        return None
    problem = _machine_zone(name)
    if problem is not None:
        report.error(node, "timezone", problem)
        return None
    try:
        if _ZONE_NAME.fullmatch(name) is None:
            raise ValueError(name)
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        known = {zone.lower(): zone for zone in available_timezones()}
        close = difflib.get_close_matches(name.lower(), known, n=1, cutoff=0.8)
        hint = f'; did you mean "{known[close[0]]}"?' if close else " such as Asia/Kabul or Europe/London"
        report.error(node, "timezone", f'"{shortened(name)}" is not an IANA time zone name{hint}')
        return None
    return name


def _machine_zone(name: str) -> str | None:
    """Why the zone `name` would make the site's times depend on the machine that builds it, if it would."""
    folded = name.lower()  # a case-insensitive file system finds LocalTime too
    if folded in _MACHINE_ZONES:
        return (f'"{name}" {_MACHINE_ZONES[folded]}, so the times of the site would change with the machine '
                f"that builds it; {_AREA_CITY}")
    if folded.startswith(_MACHINE_ZONE_FOLDERS):
        rest = name.split("/", 1)[1]
        fix = f'write "{rest}"' if _ZONE_NAME.fullmatch(rest) and _machine_zone(rest) is None else _AREA_CITY
        return (f'"{shortened(name)}" is read from a copy of the time zone database that only some machines have '
                f"(right/ also counts leap seconds); {fix}")
    return None
