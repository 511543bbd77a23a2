"""Markdown conversion: the smarty extension is skipped only where it could not change anything."""
from __future__ import annotations

import random
import sys

import pytest

from conftest import REPO
from timeline import markup
from timeline.load import load_content
from timeline.markup import MarkdownRenderer, render_markdown

sys.path.insert(0, str(REPO / "benchmarks"))
from generate import body as synthetic_body  # noqa: E402

TRICKY = [
    "Plain words only.",
    "A list:\n\n- one\n- two\n\n1. first\n2. second",
    "Code `a -- b` and `it's` and\n\n```\nx = \"quoted\" -- ...\n```\n",
    "Escapes: \\- \\-, \\. \\. \\., 1\\. not a list, \\*stars\\*",
    "Entities: &amp; &copy; &#39; &quot; &#8212; &lt;tag&gt;",
    "Raw <b>html</b> and <script>alert(1)</script> are shown as text.",
    "Dashes - and – and — already typographic; ellipsis … too.",
    "A footnote[^1] and an abbreviation HTML.\n\n[^1]: The note.\n\n*[HTML]: Hyper Text Markup Language",
    "| a | b |\n| - | - |\n| 1 | 2 |\n",
    "Term\n: Definition\n",
    "> A quote\n> on two lines\n\n---\n\nAfter a rule.",
    "Two dots .. and four .... and a dash at a line end -\n- and a list item",
    "[a link](https://example.org/x?a=1&b=2 \"with a title\") and ![an image](media/x.jpg)",
    "He said \"no\" -- and left... 'twas the 1980s' end.",
    "<<angled>> and >> and << alone",
    "Line one  \nhard break, *emphasis*, **strong**, _under_.",
]


def bodies() -> list[str]:
    repo = [entry.body for entry in load_content(REPO / "content").entries if entry.body]
    rng = random.Random(7)
    return TRICKY + repo + [synthetic_body(rng) for _ in range(200)]


@pytest.mark.parametrize("body", bodies())
def test_the_output_is_that_of_the_full_converter(body):
    assert render_markdown(body) == MarkdownRenderer(smarty=True).to_html(body)


def test_the_shortcut_is_taken_for_bodies_without_quotes_dashes_or_ellipses():
    """Else the test above would compare the full converter with itself only."""
    shortcut = [body for body in bodies() if not markup._SMARTY_TRIGGERS.search(body)]
    assert len(shortcut) > 100 and "Plain words only." in shortcut
    assert MarkdownRenderer(smarty=False).to_html("it's") != MarkdownRenderer(smarty=True).to_html("it's")
