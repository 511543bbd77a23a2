"""HTML written for other timeline tools, read for an entry: a body as Markdown, a headline as text.

TimelineJS's Headline and Text, its media captions and credits, and TimelineSetter's html column
hold HTML. None of it reaches a page as HTML here: a body becomes Markdown (markdownify), whose raw
HTML the site shows as text, and one-line fields become plain text. What cannot be carried is
treated in two ways:

- a script, an event handler (onclick=...) or a javascript:, vbscript: or data: link says the file
  is not what it seems: it is refused, and nothing is imported until it is removed;
- embedded content (an iframe, an object, a video, an image in the text) is dropped with a warning:
  the site loads nothing from elsewhere, and an entry's one image is its media.

The slides of this tool's own timeline.json (templates/timelinejs_text.html) carry the entry's
summary, tags and sources in marked elements, read back here so that an export imports as it was.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from bs4 import BeautifulSoup, Tag
from bs4.element import Comment, Declaration, Doctype, ProcessingInstruction
from markdownify import MarkdownConverter

from .markup import is_safe_url
from .model import shortened

# Elements whose content is code, not text: refused wherever they appear.
REFUSED_ELEMENTS = frozenset({"script", "noscript", "template", "base", "meta", "link"})
# Embedded or interactive content: dropped, with a warning.
DROPPED_ELEMENTS = frozenset({"iframe", "frame", "frameset", "object", "embed", "applet", "img", "picture",
                              "video", "audio", "source", "track", "canvas", "svg", "math", "form", "input",
                              "button", "select", "textarea", "style", "dialog", "portal"})
_URL_ATTRIBUTES = ("href", "src", "action", "formaction", "srcset", "poster", "data", "xlink:href", "background")
_UNSAFE_SCHEME = re.compile(r"^\s*(javascript|vbscript|data|livescript|mocha):", re.IGNORECASE)
# Past this a cell is no text of a timeline (a body holds at most 200,000 characters).
MAX_HTML = 1_000_000

# The marks of templates/timelinejs_text.html: keep the two in step.
SUMMARY_CLASS, TAGS_CLASS, TAG_CLASS = "timeline-summary", "timeline-tags", "timeline-tag"
SOURCES_CLASS, PERMALINK_CLASS, PLACE_CLASS = "timeline-sources", "timeline-permalink", "timeline-place"


@dataclass(frozen=True)
class ReadSource:
    """A source as a slide of this tool's timeline.json gives it."""

    name: str
    url: str | None = None
    title: str | None = None
    date: str | None = None  # ISO 8601 at the precision written
    via: str | None = None
    quote: str | None = None


@dataclass(frozen=True)
class ReadHtml:
    """What one cell of HTML gives: its text (Markdown or plain), and what could not be carried."""

    text: str
    refused: tuple[str, ...] = ()  # errors: nothing is imported while they stand
    dropped: tuple[str, ...] = ()  # warnings: what was left out
    links: tuple[tuple[str, str], ...] = ()  # (url, link text) of each http(s) link, in order
    summary: str | None = None  # from this tool's own slides
    tags: tuple[str, ...] | None = None
    sources: tuple[ReadSource, ...] | None = None
    place: tuple[tuple[str, str], ...] | None = None  # (field, text): name, region, country, lat, lon


class _Markdown(MarkdownConverter):
    """markdownify with ATX headings and hyphen bullets, as the shipped entries are written."""

    def __init__(self):
        super().__init__(heading_style="ATX", bullets="-", newline_style="backslash", escape_asterisks=True,
                         escape_underscores=True)


_CONVERTER = _Markdown()


def body_markdown(html: str) -> ReadHtml:
    """A Text or html cell as a Markdown body, with this tool's own marked parts read apart."""
    soup, problems = _parse(html)
    if soup is None:
        return ReadHtml("", problems)
    refused, dropped, links = _clean(soup)
    summary, tags, sources = _own_parts(soup)
    place = _own_place(soup)
    try:
        text = _CONVERTER.convert_soup(soup)
    except RecursionError:
        return ReadHtml("", (*refused, "is nested too deeply to be read as text"))
    return ReadHtml(_tidy_markdown(text), refused, dropped, links, summary, tags, sources, place)


def plain_text(html: str) -> ReadHtml:
    """A Headline, caption or credit cell as one line of plain text."""
    if "<" not in html and "&" not in html:  # most cells: nothing to parse
        return ReadHtml(_one_line(html))
    soup, problems = _parse(html)
    if soup is None:
        return ReadHtml("", problems)
    refused, dropped, links = _clean(soup)
    return ReadHtml(_one_line(soup.get_text()), refused, dropped, links)


def _parse(html: str) -> tuple[BeautifulSoup | None, tuple[str, ...]]:
    if len(html) > MAX_HTML:
        return None, (f"holds {len(html):,} characters; a cell may hold at most {MAX_HTML:,}",)
    try:
        return BeautifulSoup(html, "html.parser"), ()
    except RecursionError:
        return None, ("is nested too deeply to be read as text",)


def _clean(soup: BeautifulSoup) -> tuple[tuple[str, ...], tuple[str, ...], tuple[tuple[str, str], ...]]:
    """Refuse code, drop embedded content, comments and links that lead nowhere useful; the links kept."""
    refused, dropped, links = {}, {}, []
    # In document order, never entering what is removed. Not soup.descendants with Tag.decomposed:
    # an attribute a Tag lacks is a search of everything below it, so deep markup took minutes.
    pending = list(reversed(soup.contents))
    while pending:
        node = pending.pop()
        if isinstance(node, (Comment, Declaration, Doctype, ProcessingInstruction)):
            node.extract()
        if not isinstance(node, Tag):
            continue
        name = node.name.lower()
        if name in REFUSED_ELEMENTS:
            refused.setdefault(name, f"has <{name}> markup, which is code, not text: remove it")
            node.decompose()
            continue
        if name in DROPPED_ELEMENTS:
            dropped.setdefault(name, f"has <{name}> markup, which is not imported (the site embeds "
                                     "nothing from elsewhere; an entry's one image is its media)")
            node.decompose()
            continue
        _check_attributes(node, refused, dropped, links)
        pending.extend(reversed(node.contents))
    return tuple(refused.values()), tuple(dropped.values()), tuple(links)


def _check_attributes(node: Tag, refused: dict, dropped: dict, links: list) -> None:
    for attribute in list(node.attrs):
        if attribute.lower().startswith("on"):
            refused.setdefault("on", f'has an event handler ({attribute}="..."), which is code, not text: remove it')
    for attribute in _URL_ATTRIBUTES:
        value = node.get(attribute)
        # As a browser reads it: "java&#x09;script:" and " javascript:" are javascript: links too.
        unsafe = _UNSAFE_SCHEME.match(re.sub(r"[\x00-\x20\x7f]+", "", value)) if isinstance(value, str) else None
        if unsafe:
            refused.setdefault(unsafe[1].lower(), f"has a {unsafe[1].lower()}: link, which the site never follows: "
                                                  "remove it")
    href = node.get("href") if node.name == "a" else None
    if not isinstance(href, str):
        return
    scheme = urlsplit(href.strip()).scheme.lower() if is_safe_url(href) else ""
    if scheme in ("http", "https"):
        links.append((href.strip(), _one_line(node.get_text())))
    elif scheme != "mailto" and not _UNSAFE_SCHEME.match(re.sub(r"[\x00-\x20\x7f]+", "", href)):
        dropped.setdefault("link", f'has a link to "{shortened(href)}", which leads nowhere from this site; '
                                   "its text is kept without the link")
        del node["href"]


def _own_parts(soup: BeautifulSoup) -> tuple[str | None, tuple[str, ...] | None, tuple[ReadSource, ...] | None]:
    """The summary, tags and sources marked in a slide of this tool's timeline.json, taken out of the soup."""
    summary = tags = sources = None
    for node in soup.find_all(class_=SUMMARY_CLASS):
        summary = _one_line(node.get_text())
        node.decompose()
    for node in soup.find_all(class_=TAGS_CLASS):
        tags = tuple(_one_line(tag.get_text()) for tag in node.find_all(class_=TAG_CLASS))
        node.decompose()
    for node in soup.find_all(class_=SOURCES_CLASS):
        sources = tuple(filter(None, (_own_source(item) for item in node.find_all("li"))))
        node.decompose()
    for node in soup.find_all(class_=PERMALINK_CLASS):
        node.decompose()
    return summary, tags, sources


def _own_place(soup: BeautifulSoup) -> tuple[tuple[str, str], ...] | None:
    place = None
    for node in soup.find_all(class_=PLACE_CLASS):
        parts = [(name, _one_line(found.get_text())) for name in ("name", "region", "country")
                 if (found := node.find(class_=f"place-{name}")) is not None]
        coordinates = [(name, node.get(f"data-{name}")) for name in ("lat", "lon")]
        place = tuple(parts + [(name, value) for name, value in coordinates if isinstance(value, str)])
        node.decompose()
    return place


def _own_source(item: Tag) -> ReadSource | None:
    def part(name: str) -> str | None:
        found = item.find(class_=f"source-{name}")
        return _one_line(found.get_text()) or None if found is not None else None

    name = part("name")
    if not name:
        return None
    link = item.find(class_="source-name").find("a")
    url = link.get("href") if link is not None else None
    when = item.find(class_="source-date")
    date = when.get("datetime") if when is not None else None
    quote = item.find(class_="source-quote")
    return ReadSource(name, url if isinstance(url, str) else None, part("title"),
                      date if isinstance(date, str) else None, part("via"),
                      quote.get_text().strip() or None if quote is not None else None)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _tidy_markdown(text: str) -> str:
    """markdownify's output with lines stripped of trailing spaces and at most one blank line in a row."""
    lines = [line.rstrip() for line in text.strip().splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines))

