"""Markdown bodies to safe HTML, and plain-text summaries from them.

Editors write Markdown, not HTML: raw HTML in a body is shown as text, and a
link or image whose address is not http(s), mailto, a fragment or a relative
path is dropped, so no script can reach a reader through an entry.
"""
from __future__ import annotations

import html
import re
from urllib.parse import urlsplit
from xml.etree.ElementTree import Element

import markdown
from markdown.treeprocessors import Treeprocessor

SAFE_SCHEMES = {"http", "https", "mailto"}


def is_safe_url(url: str) -> bool:
    """True for http(s) and mailto links, fragments and relative paths; false for javascript: and kin."""
    cleaned = re.sub(r"[\x00-\x20\x7f]+", "", html.unescape(url))
    try:
        scheme = urlsplit(cleaned).scheme.lower()
    except ValueError:
        return False
    return scheme in SAFE_SCHEMES or (scheme == "" and not cleaned.startswith("//"))


class _SafeLinks(Treeprocessor):
    """Drop unsafe link targets and image sources; mark external links."""

    def run(self, root: Element) -> None:
        for element in root.iter():
            for attribute in ("href", "src"):
                value = element.get(attribute)
                if value is not None and not is_safe_url(value):
                    del element.attrib[attribute]
            if element.tag == "a" and element.get("href", "").startswith(("http://", "https://")):
                element.set("rel", "noopener noreferrer")


class _SafeMarkdown(markdown.extensions.Extension):
    def extendMarkdown(self, md: markdown.Markdown) -> None:
        # Raw HTML blocks and inline tags are escaped instead of passed through.
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")
        md.treeprocessors.register(_SafeLinks(md), "safe_links", 0)


EXTENSIONS = ("tables", "fenced_code", "footnotes", "def_list", "abbr", "sane_lists")
# What the smarty extension turns into typographic quotes, dashes and ellipses (angled quotes are
# off). A body without any of these is converted without it: the same HTML, in half the time.
_SMARTY_TRIGGERS = re.compile(r"""['"]|--|\.\.\.""")


class MarkdownRenderer:
    """One reusable converter: building a Markdown instance costs more than converting a short body."""

    def __init__(self, smarty: bool = True) -> None:
        self._md = markdown.Markdown(
            # Not "extra": its attr_list would let `{onclick=...}` put attributes on elements.
            extensions=[*EXTENSIONS, *(["smarty"] if smarty else []), _SafeMarkdown()],
            extension_configs={"smarty": {"smart_angled_quotes": False}} if smarty else {},
            output_format="html",
        )

    def to_html(self, text: str) -> str:
        self._md.reset()
        return self._md.convert(text)


_renderers: dict[bool, MarkdownRenderer] = {}


def render_markdown(text: str) -> str:
    smarty = _SMARTY_TRIGGERS.search(text) is not None
    renderer = _renderers.get(smarty)
    if renderer is None:
        renderer = _renderers[smarty] = MarkdownRenderer(smarty)
    return renderer.to_html(text)


_TAG = re.compile(r"<[^>]+>")


def html_to_text(fragment: str) -> str:
    """Plain text of an HTML fragment produced by render_markdown (which escapes all raw HTML)."""
    return html.unescape(_TAG.sub("", fragment)).strip()


def first_paragraph(body_html: str) -> str:
    """Plain text of the first paragraph, for entries without a summary."""
    match = re.search(r"<p>(.*?)</p>", body_html, re.S)
    return html_to_text(match.group(1)) if match else ""
