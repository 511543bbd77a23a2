"""Every internal link and fragment of a built site must lead somewhere.

Checks the site as a set of files (path -> bytes, as the render stage makes
them, or read back from an output folder): each href/src of every HTML page,
each meta refresh target, and the addresses in the feed and sitemap (which
must be well-formed XML: a reader refuses a feed that is not). A link
is internal when it is relative or starts with the site's base_url; it must
name a file of the site (a folder means its index.html), and a #fragment must
name an id in that page. External links are not fetched.
"""
from __future__ import annotations

import posixpath
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit
from xml.etree import ElementTree
from xml.parsers.expat import ErrorString

from .model import Problem

# Attributes that make the browser fetch or navigate to an address.
_URL_ATTRIBUTES = {"a": "href", "area": "href", "link": "href", "img": "src", "script": "src",
                   "iframe": "src", "source": "src", "video": "src", "audio": "src", "form": "action"}
_REFRESH_URL = re.compile(r"^\s*\d+\s*;\s*url\s*=\s*['\"]?([^'\"]+)", re.IGNORECASE)
_PAGE_SUFFIXES = (".html", ".htm")


class _PageLinks(HTMLParser):
    """The ids a page defines and the addresses it links to, with their line and column."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.links: list[tuple[str, int, int]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if "id" in values:
            self.ids.add(values["id"])
        if tag == "a" and "name" in values:
            self.ids.add(values["name"])
        line, offset = self.getpos()
        attribute = _URL_ATTRIBUTES.get(tag)
        if attribute and attribute in values:
            self.links.append((values[attribute], line, offset + 1))
        if tag == "meta" and values.get("http-equiv", "").lower() == "refresh":
            match = _REFRESH_URL.match(values.get("content", ""))
            if match:
                self.links.append((match.group(1), line, offset + 1))


def page_links(data: bytes) -> _PageLinks:
    parser = _PageLinks()
    parser.feed(data.decode("utf-8", errors="replace"))
    parser.close()
    return parser


def _xml_links(data: bytes) -> list[tuple[str, int, int]]:
    """Addresses in an Atom feed (link href, id) or a sitemap (loc); ElementTree.ParseError when the
    document is not well-formed XML."""
    root = ElementTree.fromstring(data)
    found = []
    for element in root.iter():
        name = element.tag.rsplit("}", 1)[-1]
        if name == "link" and element.get("href"):
            found.append((element.get("href"), 0, 0))
        elif name == "loc" and element.text:
            found.append((element.text.strip(), 0, 0))
    return found


def check_links(files: dict[str, bytes], base_url: str = "", shown_root: str = "") -> list[Problem]:
    """Problems for every internal link of `files` that leads nowhere; `shown_root` prefixes file names."""
    pages = {path: page_links(data) for path, data in files.items() if path.endswith(_PAGE_SUFFIXES)}
    problems = []
    for path, data in sorted(files.items()):
        if path in pages:
            links = pages[path].links
        elif path.endswith(".xml"):
            try:
                links = _xml_links(data)
            except ElementTree.ParseError as err:
                problems.append(_ill_formed(shown_root + path, err))
                continue
        else:
            continue
        for address, line, column in links:
            message = _broken(address, path, files, pages, base_url)
            if message:
                problems.append(Problem(shown_root + path, message, field="link",
                                        line=line or None, column=column or None))
    return problems


def _ill_formed(shown: str, err: ElementTree.ParseError) -> Problem:
    """A feed or sitemap that feed readers and search engines would refuse whole."""
    line, offset = err.position  # the offset counts from 0
    return Problem(shown, f"is not well-formed XML ({ErrorString(err.code)}), so feed readers and search "
                   "engines refuse all of it; fix the template, or the text it shows there",
                   field="xml", line=line, column=offset + 1)


def _broken(address: str, page: str, files: dict[str, bytes], pages: dict[str, _PageLinks], base_url: str) -> str | None:
    """Why `address`, linked from `page`, leads nowhere; None when it resolves (or is external)."""
    if address.startswith("/") and not address.startswith("//"):
        return (f'"{address}" is relative to the server\'s root, so it breaks when the site is opened '
                "from disk or served from a sub-path; make it relative to the page")
    target = resolve(address, page, base_url)
    if target is None:
        return None
    path, fragment = target
    if path.endswith("/") or path == "":
        path += "index.html"
    if path not in files:
        return f'"{address}" leads to {path}, which the site does not have'
    if fragment and path in pages and fragment not in pages[path].ids:
        return f'"{address}": {path} has no element with id="{fragment}"'
    return None


def resolve(address: str, page: str, base_url: str = "") -> tuple[str, str] | None:
    """(site path, fragment) for an internal address; None for external ones (other sites, mailto:...)."""
    address = address.strip()
    if base_url and address.startswith(base_url):
        address = "/" + address[len(base_url):]
        page = "index.html"  # now a path from the site's top
    try:
        parts = urlsplit(address)
    except ValueError:
        return ("(unreadable address)", "")
    if parts.scheme or parts.netloc:
        return None
    fragment = unquote(parts.fragment)
    if not parts.path:
        return (page, fragment)
    if parts.path.startswith("/"):
        joined = posixpath.normpath(unquote(parts.path).lstrip("/") or ".")
    else:
        joined = posixpath.normpath(posixpath.join(posixpath.dirname(page), unquote(parts.path)))
    if joined.startswith("../") or joined == "..":
        return (joined, fragment)  # outside the site: reported as missing
    joined = "" if joined == "." else joined
    return (joined + ("/" if parts.path.endswith("/") and joined else ""), fragment)


def read_site(output_dir: Path) -> dict[str, bytes]:
    """A built site read back from disk, as path -> bytes (hidden files such as the marker left out)."""
    return {path.relative_to(output_dir).as_posix(): path.read_bytes()
            for path in sorted(output_dir.rglob("*"))
            if path.is_file() and not path.name.startswith(".")}
