"""Markdown bodies to safe HTML, and plain-text summaries from them.

Editors write Markdown, not HTML: raw HTML in a body is shown as text, and a
link or image whose address is not http(s), mailto, a fragment or a relative
path is dropped, so no script can reach a reader through an entry.
"""
from __future__ import annotations

import functools
import html
import re
from collections.abc import Iterable
from urllib.parse import urlsplit
from xml.etree.ElementTree import Element

import markdown
from markdown.treeprocessors import Treeprocessor

from .markdown_limits import parser_input

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


EXTENSIONS = ("tables", "fenced_code", "footnotes", "def_list", "abbr", "sane_lists", "smarty")


def _smarty_quotes(*numbers: int) -> str:
    return " ".join(f"smarty:smarty-quotes-{number}" for number in numbers)


# Parts of the converter that a body can do without, each with what must occur in the text the
# parser sees (see parser_input) for that part to change anything: any of some strings or
# patterns. A processor whose pattern cannot match is a no-op, so a converter without it gives
# the same HTML byte for byte (tests/test_markup.py holds the proof). The inline patterns matter
# most: every one is tried on every text node. They only ever see the body's own characters and
# placeholders (STX, letters, digits, ETX), which none of these triggers contain.
_OPTIONAL_PARTS = (
    # BACKTICK_RE: a backtick, or backslashes right before one.
    (["`"], "inline:backtick"),
    # ESCAPE_RE is `\\(.)`. The STX-number-ETX codes the unescape step restores are written only
    # by escape and by backtick for escaped backslashes.
    (["\\"], "inline:escape tree:unescape"),
    # Footnote references and definitions both start with "[^"; without a definition there is no
    # footnote list, so the tree and post processors have nothing to do either.
    (["[^"], "inline:footnote block:footnote tree:footnote tree:footnote-duplicate post:footnote"),
    # Definitions `[id]: url` are the only entries of md.references: without one, every reference
    # pattern declines its match and leaves the text as it was.
    (["]:"], "inline:reference inline:short_reference inline:image_reference inline:short_image_ref"
             " block:reference"),
    (["["], "inline:link"),  # LINK_RE
    (["!["], "inline:image_link"),  # IMAGE_LINK_RE
    (["<"], "inline:autolink inline:automail"),  # AUTOLINK_RE and AUTOMAIL_RE open with "<"
    (["  \n"], "inline:linebreak"),  # LINE_BREAK_RE
    (["&"], "inline:entity"),  # ENTITY_RE
    (["*", "_"], "inline:em_strong"),  # the delimiters of emphasis and strong
    (["```", "~~~"], "pre:fenced_code_block"),  # FENCED_BLOCK_RE's fences
    (["|"], "block:table"),  # a table's header row splits on pipes
    (["#"], "block:hashheader"),
    ([re.compile(r"- *\n"), re.compile(r"= *\n")], "block:setextheader"),  # a line of "-" or "="
    # Three of "-", "*" or "_" with only spaces between.
    ([re.compile(r"- *- *-"), re.compile(r"\* *\* *\*"), re.compile(r"_ *_ *_")], "block:hr"),
    # `: ` opens a definition; definition-list indentation only differs from list indentation
    # inside the dd and dl elements that deflist makes.
    ([": "], "block:deflist block:defindent"),
    ([">"], "block:quote"),
    (["*["], "block:abbr tree:abbr"),  # `*[HTML]: ...`, the only source of abbreviations
    # smarty's patterns (angled quotes are off; the quote patterns are numbered in the order of
    # smarty.py's educateQuotes): those that match an apostrophe, a double quote, or one of each
    # side by side. Without any of its patterns the smarty pass goes, which halves a body's time.
    (["'"], _smarty_quotes(0, 6, 7, 8, 9, 10)),
    (['"'], _smarty_quotes(1, 11, 12, 13, 14)),
    (["'\"", "\"'"], _smarty_quotes(2, 3, 4, 5)),
    (["--"], "smarty:smarty-en-dashes smarty:smarty-em-dashes"),
    (["..."], "smarty:smarty-ellipses"),
)
_REGISTRIES = {
    "pre": lambda md: md.preprocessors,
    "block": lambda md: md.parser.blockprocessors,
    "inline": lambda md: md.inlinePatterns,
    "tree": lambda md: md.treeprocessors,
    "smarty": lambda md: md.treeprocessors["smarty"].inlinePatterns,
    "post": lambda md: md.postprocessors,
}


def _finder(trigger: str | re.Pattern[str]) -> str | re.Pattern[str]:
    """A character is found fastest with `in`, a longer string with a compiled pattern."""
    return re.compile(re.escape(trigger)) if isinstance(trigger, str) and len(trigger) > 1 else trigger


_TRIGGERS = tuple(tuple(_finder(trigger) for trigger in triggers) for triggers, _ in _OPTIONAL_PARTS)


class MarkdownRenderer:
    """One reusable converter: building a Markdown instance costs more than converting a short body.

    `leave_out` holds indexes into _OPTIONAL_PARTS: those parts are deregistered. Without any
    argument this is the full converter, which render_markdown's output always equals.
    """

    def __init__(self, leave_out: Iterable[int] = ()) -> None:
        self._md = md = markdown.Markdown(
            # Not "extra": its attr_list would let `{onclick=...}` put attributes on elements.
            extensions=[*EXTENSIONS, _SafeMarkdown()],
            extension_configs={"smarty": {"smart_angled_quotes": False}},
            output_format="html",
        )
        for index in leave_out:
            for part in _OPTIONAL_PARTS[index][1].split():
                registry, name = part.split(":")
                _REGISTRIES[registry](md).deregister(name)
        if len(md.treeprocessors["smarty"].inlinePatterns) == 0:
            md.treeprocessors.deregister("smarty")

    def to_html(self, text: str) -> str:
        self._md.reset()
        return self._md.convert(text)


def unused_parts(text: str) -> tuple[int, ...]:
    """Indexes into _OPTIONAL_PARTS of the parts that could not change this body's HTML."""
    seen = parser_input(text)
    unused = []
    for index, triggers in enumerate(_TRIGGERS):
        for trigger in triggers:
            if trigger in seen if isinstance(trigger, str) else trigger.search(seen):
                break
        else:
            unused.append(index)
    return tuple(unused)


# Bodies fall into few combinations of parts; the bound only guards against pathological content.
_renderer = functools.lru_cache(maxsize=64)(MarkdownRenderer)


def render_markdown(text: str) -> str:
    return _renderer(unused_parts(text)).to_html(text)


_TAG = re.compile(r"<[^>]+>")


def html_to_text(fragment: str) -> str:
    """Plain text of an HTML fragment produced by render_markdown (which escapes all raw HTML)."""
    return html.unescape(_TAG.sub("", fragment)).strip()


def first_paragraph(body_html: str) -> str:
    """Plain text of the first paragraph, for entries without a summary."""
    match = re.search(r"<p>(.*?)</p>", body_html, re.S)
    return html_to_text(match.group(1)) if match else ""
