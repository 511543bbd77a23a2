"""The limits on Markdown bodies: what would make the converter slow or exhaust the stack is refused by
`check` and `build` alike, with the body's line and what to change, and everything just under the
limits still builds (in a subprocess with a generous timeout, so that a limit loosened until the
conversion grows faster than the body shows as a failure, never as a slow test)."""
from __future__ import annotations

import json
import random
import subprocess
import sys

import pytest
import yaml

from support import CONTENT, REPO, copy_content, run_cli
from timeline import markdown_limits
from timeline.markdown_limits import (MAX_ABBREVIATIONS, MAX_BACKTICKS, MAX_BLOCK, MAX_BODY, MAX_FOOTNOTES, MAX_LINES,
                             MAX_NESTING, MAX_OPEN, body_problem)

sys.path.insert(0, str(REPO / "benchmarks"))
from generate import body as synthetic_body  # noqa: E402

ENTRY = 'title: "A test entry"\ndate: 2021-08-06\nsources:\n  - name: EFE\n    url: https://example.org/\n'


def write_entry(content, entry_id: str, body: str) -> None:
    # JSON is YAML: a double-quoted scalar keeps every character of the body as it is.
    (content / "entries" / f"{entry_id}.yaml").write_text(f"{ENTRY}body: {json.dumps(body)}\n", encoding="utf-8")


def nested_list(levels: int) -> str:
    """A list nested `levels` deep by indentation, a blank line between the items."""
    return "\n\n".join(" " * 4 * level + f"- item {level}" for level in range(levels))


OPEN = "more than 10 [ and link ( are open at once"
DEEP = "lists, quotes and definitions are nested more than 16 levels deep"

# name: (body, the line of the body the problem is reported on, what the message says)
PATHOLOGICAL = {
    "40,000 [": ("[" * 40_000, 1, "40,000 characters follow without a blank line"),
    "unclosed [ in a paragraph": ("Intro.\n\nSee " + "[" * 11 + " and more words.", 3, OPEN),
    "unclosed ![": ("Intro.\n\n" + "![" * 11, 3, OPEN),
    "unclosed [a](": ("[a](" * 11, 1, OPEN),
    "a quote in each link's (": ("[a](b 'c) " * 11, 1, OPEN),
    "[ closed only inside code": ("[`]`" * 11, 1, OPEN),
    "300 [^1]": ("[^1]" * 300, 1, "the body has 300 footnote references and definitions"),
    "300 nested list items": (nested_list(300), 2 * MAX_NESTING + 1, DEEP),
    "300 list markers on one line": ("- " * 300 + "x", 1, DEEP),
    "300 quotes on one line": ("Intro.\n\n" + ">" * 300 + " x", 3, DEEP),
    "definitions without blank lines": ("Term\n: definition\n" * 20, 2 * MAX_NESTING + 2, DEEP),
    "a long paragraph": ("word " * 2_500, 1, "12,499 characters follow without a blank line"),
    "too many lines": ("line\n" * 6_000, MAX_LINES + 1, "the body has 6,000 lines"),
    "too many backticks": ("``a`" * 20, 1, "the paragraph, list or table around this line has 60 backticks"),
    "too many abbreviations": ("".join(f"*[A{n}]: a\n" for n in range(150)), 101,
                               "the body has 150 lines starting with *["),
}


@pytest.mark.parametrize("name", PATHOLOGICAL)
def test_check_refuses_a_pathological_body_with_its_line_and_the_fix(tmp_path, capsys, name):
    body, line, message = PATHOLOGICAL[name]
    content = copy_content(tmp_path / "content")
    write_entry(content, "pathological", body)
    assert run_cli("check", "--content", content, "--no-cache") == 1
    errors = [row for row in capsys.readouterr().err.splitlines() if ": error: " in row]
    assert len(errors) == 1, errors
    assert f"pathological.yaml:6:7: error: body: line {line} of the body: {message}" in errors[0], errors[0]
    assert ": " in errors[0].split(message, 1)[1], "the message says what to do"


@pytest.mark.parametrize("name", ["300 nested list items", "300 list markers on one line",
                                  "definitions without blank lines", "unclosed [a]("])
def test_build_refuses_them_too_and_writes_nothing(tmp_path, capsys, name):
    body, line, message = PATHOLOGICAL[name]
    content = copy_content(tmp_path / "content")
    write_entry(content, "pathological", body)
    assert run_cli("build", "--content", content, "--output", tmp_path / "site", "--no-cache") == 1
    err = capsys.readouterr().err
    assert f"body: line {line} of the body: {message}" in err
    assert "Traceback" not in err and "RecursionError" not in err
    assert not (tmp_path / "site").exists()


def shipped_bodies() -> list[str]:
    entries = [yaml.safe_load(path.read_text(encoding="utf-8")) for path in sorted(CONTENT.glob("entries/*.yaml"))]
    return [entry["body"].strip() for entry in entries if entry.get("body")]


REALISTIC = [
    "A footnote[^1] and another[^note].\n\n[^1]: The first note.\n\n"
    "[^note]: The second, with a [link](https://example.org/).",
    "| Province | Capital | Fell |\n| --- | --- | --- |\n" + "".join(
        f"| Province {n} | [City {n}](https://example.org/{n}) | {n} August |\n" for n in range(60)),
    "Sources: " + ", ".join(f'[outlet {n}](https://example.org/{n} "Title {n}")' for n in range(40)) + ".",
    "Said [sic] and [[ed.]] and ![a map](media/map.png) and [![a photo](media/p.jpg)](https://example.org/).",
    "An unclosed [ bracket, " * 4 + "and [a link](https://example.org/) after them.",
    "Escaped: " + "\\[" * 200 + " and " + "\\(" * 200 + "; `code [with] brackets` " * 10,
    "- one\n    - two\n        - three\n            - four\n                - five\n- back",
    "> A quote\n>\n> > nested in it\n> > - with a list\n> >     - and a sublist",
    "Term\n: A definition\n\nOther term\n: Its definition\n: And a second one",
    "*[NATO]: North Atlantic Treaty Organization\n*[UN]: United Nations\n\nNATO and the UN met.",
    "1. First\n2. Second\n    1. Second, first\n    2. Second, second\n3. Third",
    "\n\n".join(f"Paragraph {n} with *emphasis*, **strong**, `code`, 'quotes' and \"more\" -- and..."
                for n in range(300)),
]


@pytest.mark.parametrize("body", shipped_bodies() + REALISTIC)
def test_realistic_bodies_keep_every_limit(body):
    assert body_problem(body) is None


def test_2000_generated_bodies_keep_every_limit():
    rng = random.Random(2)
    assert [body for body in (synthetic_body(rng).strip() for _ in range(2000)) if body_problem(body)] == []


def test_the_shipped_content_passes_check(tmp_path):
    assert run_cli("check", "--content", copy_content(tmp_path / "content"), "--no-cache") == 0


def filled(block: str, size: int = MAX_BODY) -> str:
    """Copies of the block, separated by blank lines, up to `size` characters and MAX_LINES lines."""
    copies = min((size + 2) // (len(block) + 2), (MAX_LINES + 1) // (block.count("\n") + 2))
    return "\n\n".join([block] * copies)


def words_after(start: str) -> str:
    """The start, then words up to the longest block allowed."""
    return (start + " " + "word " * MAX_BLOCK)[:MAX_BLOCK].rstrip()


def ordinary_text(size: int) -> str:
    rng = random.Random(3)
    text = ""
    while len(text) < size:
        text += synthetic_body(rng) + "\n"
    return text[:size].rstrip()


# Bodies as costly as the limits allow, each built from the limits' values.
JUST_UNDER = {
    "open-brackets": filled(words_after("[" * MAX_OPEN)),
    "open-links": filled(words_after("[a](" * MAX_OPEN)),
    "titles": filled(words_after("[a](b 'c) " * MAX_OPEN)),
    "backticks": filled(words_after("``a`" * (MAX_BACKTICKS // 3))),
    "nesting": filled("- " * MAX_NESTING + "x"),
    "indentation": filled(nested_list(MAX_NESTING)),
    "definitions": filled("Term\n: definition\n" * (MAX_NESTING // 2)),
    "lines": "\n\n".join(["\n".join(["- it's"] * 999)] * (MAX_LINES // 1000)),
    "long-blocks": filled("'" * MAX_BLOCK),
    "footnotes": "a[^1] " * (MAX_FOOTNOTES - 1) + "\n\n[^1]: The note.",
    "abbreviations": "".join(f"*[A{n}]: a\n" for n in range(MAX_ABBREVIATIONS)) + "\n"
                     + filled("A1 " * 3000, MAX_BODY - 2000),
    "longest": ordinary_text(MAX_BODY),
}


@pytest.mark.parametrize("name", JUST_UNDER)
def test_each_body_just_under_the_limits_passes_check(name):
    assert body_problem(JUST_UNDER[name]) is None


def test_bodies_just_under_the_limits_build(tmp_path):
    content = copy_content(tmp_path / "content")
    for name, body in JUST_UNDER.items():
        assert len(body) <= MAX_BODY
        write_entry(content, name, body)
    result = subprocess.run([sys.executable, str(REPO / "build.py"), "build", "--content", str(content),
                             "--output", str(tmp_path / "site"), "--no-cache"],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    for name in JUST_UNDER:
        assert (tmp_path / "site" / "entries" / name / "index.html").is_file(), name


def test_each_limit_is_its_value():
    """One more than a limit is refused; the limit itself is not."""
    past = {
        "[": "[" * (MAX_OPEN + 1),
        "`": "`" * (MAX_BACKTICKS + 1),
        "-": "- " * (MAX_NESTING + 1) + "x",
        "block": "a" * (MAX_BLOCK + 1),
        "lines": "a\n" * MAX_LINES + "a",
        "[^": "[^1]" * (MAX_FOOTNOTES + 1),
        "*[": "*[A]: a\n" * (MAX_ABBREVIATIONS + 1),
    }
    assert {name: body_problem(body) is not None for name, body in past.items()} == dict.fromkeys(past, True)
    under = {
        "[": "[" * MAX_OPEN,
        "`": "`" * MAX_BACKTICKS,
        "-": "- " * MAX_NESTING + "x",
        "block": "a" * MAX_BLOCK,
        "lines": "a\n" * (MAX_LINES - 1) + "a",
        "[^": "[^1]" * MAX_FOOTNOTES,
        "*[": "*[A]: a\n" * MAX_ABBREVIATIONS,
    }
    assert {name: body_problem(body) for name, body in under.items()} == dict.fromkeys(under)


@pytest.mark.parametrize("body, refused", [
    ("\\[" * 300, False),  # escaped, so markdown never scans from them
    ("\\\\" + "[" * (MAX_OPEN + 1), True),  # an escaped backslash, then brackets that do open
    ("[a](b) " * 300, False),  # each closed at once
    ('[a](b "title") ' * 300, False),  # a title ends at its quote and ")"
    ("[a](b 'title') " * 300, False),
    ("[" * MAX_OPEN + "]" * MAX_OPEN + " [" * MAX_OPEN, False),  # never more than MAX_OPEN at once
    ("[" * MAX_OPEN + "[a](x", True),  # the link's scan is one more
    ("[" * (MAX_OPEN - 1) + "[a](x", False),
])
def test_only_the_scans_markdown_makes_count(body, refused):
    found = body_problem(body)
    assert (found is not None and found[1].startswith(OPEN)) == refused, found


def test_tabs_and_windows_line_ends_are_counted_as_the_parser_sees_them():
    assert body_problem("\t" * (MAX_NESTING + 1) + "- x") is not None  # a tab indents four columns
    assert body_problem("a\r\n" * MAX_LINES + "a") is not None
    assert body_problem("a\r" * MAX_LINES + "a") is not None


def test_the_quick_answer_is_the_long_one():
    """body_problem answers most bodies without reading them line by line; never differently."""
    rng = random.Random(4)
    bodies = [synthetic_body(rng).strip() for _ in range(300)] + REALISTIC + list(JUST_UNDER.values())
    bodies += [body for body, _, _ in PATHOLOGICAL.values()]
    bodies += ["[`" + "](" * 40 + "`", "-" + " " * 100 + "x", "Term\n: " + " " * 100 + "x", "a\n>" + " " * 80 + "x",
               "[^a\nb]: - - - x", "x\n" + "- " * 40 + "x"]
    for body in bodies:
        assert body_problem(body) == markdown_limits._first_problem(markdown_limits.parser_input(body)), body[:80]


def test_check_does_without_the_converter():
    """Validating bodies costs each check a few searches, not the import of markdown."""
    code = "import sys, timeline.load, timeline.commands.cli; print('markdown' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.stdout.strip() == "False", result.stderr


def test_the_placeholders_are_markdowns():
    from markdown import util
    assert (markdown_limits.STX, markdown_limits.ETX) == (util.STX, util.ETX)
