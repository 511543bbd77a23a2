"""Markdown conversion: each body is converted without the processors it cannot trigger, and the
HTML is byte for byte that of the full converter (every extension, smarty included)."""
from __future__ import annotations

import random
import sys

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from support import REPO
from support import HOSTILE_ENTRY
from timeline import markup
from timeline.markup import MarkdownRenderer, render_markdown, unused_parts

sys.path.insert(0, str(REPO / "benchmarks"))
from generate import body as synthetic_body  # noqa: E402

FULL = MarkdownRenderer()

TRICKY = [
    "Plain words only.",
    "A list:\n\n- one\n- two\n\n1. first\n2. second",
    "Code `a -- b` and `it's` and\n\n```\nx = \"quoted\" -- ...\n```\n",
    "Escapes: \\- \\-, \\. \\. \\., 1\\. not a list, \\*stars\\*, \\` and \\\\`code`",
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
    "Tabs\tinside and a tab before a line end\t\nand\r\nWindows\rline ends.",
    "Control characters \x02 and \x03: -\x02- and .\x03.. and [\x02^1]\n\n[^1]: note",
    "[javascript](javascript:alert(1)) [entity](&#106;avascript:alert(2)) <javascript:alert(3)>",
    "[ref][r] and [r]\n\n[r]: javascript:alert(4)\n\n![img](javascript:alert(5))",
    "<http://example.org/> and <editor@example.org> and <a href=\"javascript:x\">a</a>",
]

# For each entry of markup._OPTIONAL_PARTS, a body whose HTML changes when that part is left out.
WITNESSES = [
    "`code`",
    "\\*not emphasis\\*",
    "a[^1]\n\n[^1]: note",
    "[a][r]\n\n[r]: http://example.org/",
    "[a](http://example.org/)",
    "![a](x.png)",
    "<http://example.org/>",
    "a  \nb",
    "*[amp]: ampere\n\n&amp;",  # a stashed entity hides its letters from abbreviations
    "*a*",
    "```\ncode\n```",
    "| a | b |\n| - | - |\n| 1 | 2 |",
    "# heading",
    "heading\n===",
    "***",
    "Term\n: definition",
    "> quote",
    "*[HTML]: Hyper Text\n\nHTML",
    "it's",
    '"a"',
    "a\"'b",
    "a -- b",
    "a... b",
]


def test_every_optional_part_changes_some_body():
    """Leaving a part out matters (so the identity tests below have teeth), and its trigger sees it."""
    assert len(WITNESSES) == len(markup._OPTIONAL_PARTS)
    for index, body in enumerate(WITNESSES):
        assert index not in unused_parts(body), body
        assert MarkdownRenderer(leave_out=[index]).to_html(body) != FULL.to_html(body), body


def test_a_plain_body_needs_no_optional_part():
    assert unused_parts("Plain words only.") == tuple(range(len(markup._OPTIONAL_PARTS)))
    assert render_markdown("Plain words only.") == "<p>Plain words only.</p>"


def repo_bodies() -> list[str]:
    entries = [yaml.safe_load(path.read_text(encoding="utf-8")) for path in sorted(REPO.glob("content/entries/*.yaml"))]
    return [entry["body"] for entry in entries if entry.get("body")]


@pytest.mark.parametrize("body", TRICKY + repo_bodies() + [yaml.safe_load(HOSTILE_ENTRY)["body"]])
def test_the_output_is_that_of_the_full_converter(body):
    assert render_markdown(body) == FULL.to_html(body)


def test_2000_generated_bodies_convert_as_with_the_full_converter():
    rng = random.Random(1)
    bodies = [synthetic_body(rng) for _ in range(2000)]
    assert [body for body in bodies if render_markdown(body) != FULL.to_html(body)] == []
    combinations = {unused_parts(body) for body in bodies}
    # The converter cache holds them all, and the bodies do take shortcuts.
    assert 1 < len(combinations) <= markup._renderer.cache_info().maxsize
    assert min(len(unused) for unused in combinations) >= len(markup._OPTIONAL_PARTS) // 2


# Markdown's special characters and the constructs they build, for random bodies.
TOKENS = [
    *"`*_[]()!<>&\\|~:^#-+.=\"' \n\t0123456789", "a", "b", "s", "HTML", "word ", "\n\n", "\r\n",
    "\x02", "\x03", "http://", "https://example.org/", "mailto:", "javascript:", "@", "[^1]",
    "[^1]: ", "*[HTML]: ", "[r]: ", "```", "~~~", ": ", "    ", "- ", "* ", "1. ", "> ", "# ",
    "---", "***", "___", "===", "| a | b |\n|---|---|\n", "a|b\n-|:\n", "&amp;", "&#39;", "&copy;", "  \n",
    "--", "...", "'80s", "<b>", "</b>", "<http://example.org>", "<a@b.c>", "[a](b)", "![i](j)", "[r]",
    "[a][r]", "![i][r]", "[r]:", "\n```py\nx = 1\n```\n", "\n~~~\ncode\n~~~\n",
]
LINE_STARTS = ["", "", "- ", "* ", "+ ", "1. ", "> ", "    ", "\t", "# ", "## ", ": ", "| ", "[^1]: ",
               "[r]: ", "[r]:", "*[HTML]: ", "```", "~~~", "---", "===", "Term\n: ", "  "]
soup = st.lists(st.sampled_from(TOKENS), max_size=50).map("".join)
lines = st.lists(st.tuples(st.sampled_from(LINE_STARTS), soup).map("".join), max_size=8).map("\n".join)
SETTINGS = {"deadline": None, "suppress_health_check": [HealthCheck.too_slow]}


@settings(max_examples=1500, **SETTINGS)
@given(soup)
def test_random_inline_markdown_converts_as_with_the_full_converter(body):
    assert render_markdown(body) == FULL.to_html(body)


@settings(max_examples=1500, **SETTINGS)
@given(lines)
def test_random_block_markdown_converts_as_with_the_full_converter(body):
    assert render_markdown(body) == FULL.to_html(body)
