"""Hostile values in every field of the documented complete example, and a feed that is not XML.

Each value in each field must give a clean error (file:line:col, no traceback) or a correct site:
feed and sitemap well-formed XML, every internal link resolving, no character a page or feed cannot
hold on any page. The values a text field must refuse are listed apart, and must be refused.
"""
from __future__ import annotations

import re
import shutil
from pathlib import Path
from xml.etree import ElementTree

import pytest
import yaml

from support import CONTENT, REPO, TEMPLATES, copy_content, rendered_site, run_cli
from timeline.links import check_links
from timeline.load import load_content

LOCATED = re.compile(r"^[^\n]+?:\d+:\d+: error: [^\n]+$")
# What no page may hold, stated apart from the validator: C0 controls but tab, line feed and carriage
# return (which templates may write), DEL, C1 controls, surrogates, noncharacters, bidirectional
# embeddings and overrides, line and paragraph separators.
UNPUBLISHABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff"
                           "\U0010fffe\U0010ffff\u202a-\u202e\u2028\u2029]")

# A text field must refuse each of these.
REFUSED = ["\x00", "\x1b[31mred", "bell\x07", "next\x85line", "line\u2028separator", "non\ufffe", "non\uffff",
           "plane\U0010ffff", "over\u202eride", "embed\u202bding", "\r", "\u200b", "\u200c\u200d\u2060\ufeff",
           "\u0301", "open \u2067isolate", "closes\u2069 nothing", "\u3164"]
# A field may accept or refuse each of these, but cleanly.
OTHERS = ["<script>alert(1)</script>", "]]>", "&amp; &#x1b; &#0;", "x" * 5000, "../../etc/passwd",
          "javascript:alert(1)", "https://user@evil.example/", "{{ 7*7 }}", "{% raw %}", "9999-12-31 23:59",
          "0001-01-01 00:00", "9999", "-0", "1e400", ".nan", True, 12345678901234567890, [], {}, ["a", ["b"]],
          "\u2066isolated\u2069 text", "a\tb", "Kābul", "\u0632\u0631\u0646\u062c\u200f", "🙂", "'\"", "%00",
          "https://example.org/a b", "zaranj.jpg", "/etc/passwd", "C:\\x", "2021-02-30", "\ud800"]
TEXT_FIELDS = {"title", "date_label", "summary", "body", "tags.0", "place.name", "place.region", "place.country",
               "sources.0.name", "sources.0.url", "sources.0.title", "sources.0.quote", "media.src", "media.alt",
               "media.caption", "media.credit", "corrections.0.text", "aliases.0"}
FIELDS = sorted(TEXT_FIELDS | {"date", "end_date", "circa", "place.lat", "place.lon", "sources.0.date", "draft",
                               "updated", "corrections.0.date"})
SETTINGS_TEXTS = {"title", "description", "publisher", "base_url", "language", "timezone"}


def complete_example() -> dict:
    text = (REPO / "docs" / "format.md").read_text(encoding="utf-8")
    block = next(b for b in text.split("```")[1::2] if b.startswith("yaml\ntitle:"))
    return yaml.safe_load(block.split("\n", 1)[1])


def with_value(document: dict, field: str, value) -> dict:
    document = yaml.safe_load(yaml.safe_dump(document))  # a deep copy
    *path, last = [int(part) if part.isdigit() else part for part in field.split(".")]
    parent = document
    for part in path:
        parent = parent[part]
    parent[last] = value
    return document


def variant(number: int, field: str, value) -> dict:
    """The example with `value` in `field`; what several variants would share is made their own, so that
    one variant's value meets no other's (a place's region, an alias)."""
    document = with_value(complete_example(), "aliases.0", f"alias-{number}")
    document["title"] = f"Variant {number}"
    if field.startswith("place.") and field != "place.name":
        document["place"]["name"] = f"Place {number}"
    return with_value(document, field, value)


def dumped(document: dict) -> bytes:
    return yaml.safe_dump(document, allow_unicode=False, sort_keys=False, width=10_000).encode("utf-8")


@pytest.fixture(scope="module")
def hostile_entries(tmp_path_factory):
    """A content folder holding every field of the example with every hostile value, one file each."""
    content = tmp_path_factory.mktemp("hostile") / "content"
    (content / "entries").mkdir(parents=True)
    shutil.copy(CONTENT / "timeline.yaml", content / "timeline.yaml")
    cases = {}
    for number, (field, value) in enumerate((f, v) for f in FIELDS for v in REFUSED + OTHERS):
        name = f"v{number}.yaml"
        (content / "entries" / name).write_bytes(dumped(variant(number, field, value)))
        cases[name] = (field, value)
    return content, cases, load_content(content)


def test_every_hostile_value_gives_a_clean_error_at_its_line(hostile_entries):
    content, cases, loaded = hostile_entries
    assert loaded.problems, "nothing was refused"
    for problem in loaded.errors:
        printed = str(problem)
        assert LOCATED.match(printed) and len(printed) < 1000, printed
        assert UNPUBLISHABLE.search(printed) is None, printed  # what the editor wrote is shown escaped


def test_a_text_field_refuses_every_character_a_page_cannot_hold(hostile_entries):
    content, cases, loaded = hostile_entries
    failed = {Path(problem.file).name for problem in loaded.errors}
    accepted = [(field, value) for name, (field, value) in cases.items()
                if field in TEXT_FIELDS and value in REFUSED and name not in failed]
    assert accepted == []


def test_every_hostile_value_accepted_builds_a_correct_site(hostile_entries, tmp_path):
    content, cases, loaded = hostile_entries
    failed = {Path(problem.file).name for problem in loaded.errors}
    accepted = copy_content(tmp_path / "content", content)
    for name in failed:
        (accepted / "entries" / name).unlink()
    assert len(failed) < len(cases) - 100  # most hostile values are shown as text
    files, result = rendered_site(accepted, drafts=True)
    assert result.ok, [str(p) for p in result.errors]
    for name in set(cases) - failed:
        assert f"entries/{name.removesuffix('.yaml')}/index.html" in files
    assert_correct_site(files, result.timeline.settings.base_url)


def assert_correct_site(files: dict[str, bytes], base_url: str) -> None:
    ElementTree.fromstring(files["feed.xml"])
    ElementTree.fromstring(files["sitemap.xml"])
    assert [str(p) for p in check_links(files, base_url)] == []
    for path, data in files.items():
        found = UNPUBLISHABLE.search(data.decode("utf-8"))
        assert found is None, (path, found)


@pytest.mark.parametrize("field", sorted(SETTINGS_TEXTS | {"entries_per_page"}))
def test_every_hostile_setting_gives_a_clean_error_or_a_correct_site(tmp_path, field):
    settings = yaml.safe_load((CONTENT / "timeline.yaml").read_text(encoding="utf-8"))
    content = tmp_path / "content"
    (content / "entries").mkdir(parents=True)
    (content / "entries" / "zaranj-falls.yaml").write_bytes(dumped(complete_example()))
    built = 0
    for value in REFUSED + OTHERS:
        (content / "timeline.yaml").write_bytes(dumped({**settings, field: value}))
        files, result = rendered_site(content, drafts=True)
        for problem in result.errors:
            assert LOCATED.match(str(problem)) and UNPUBLISHABLE.search(str(problem)) is None, str(problem)
        if field in SETTINGS_TEXTS and value in REFUSED:
            assert not result.ok, value
        if result.ok:
            assert_correct_site(files, result.timeline.settings.base_url)
            built += 1
    assert built < len(REFUSED + OTHERS)


# --- a feed or sitemap that is not XML ------------------------------------------------------------------

@pytest.mark.parametrize("template, old, new, marker, message", [
    ("feed.xml", "<generator>timeline</generator>", "<generator>timeline & co</generator>", "& co",
     "not well-formed (invalid token)"),
    ("feed.xml", "</feed>", "", None, "no element found"),
    ("sitemap.xml", "<urlset", "<urlset <", " <", "not well-formed (invalid token)"),
])
def test_check_links_fails_on_a_feed_or_sitemap_that_is_not_xml(tmp_path, capsys, template, old, new, marker, message):
    content = copy_content(tmp_path / "content")
    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES, templates)
    path = templates / template
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")
    assert run_cli("check", "--links", "--content", content, "--templates", templates) == 1
    errors = [line for line in capsys.readouterr().err.splitlines() if ": error: " in line]
    rendered = rendered_site(content, templates)[0][template].decode("utf-8")
    at = rendered.index(marker) if marker else len(rendered)
    line = rendered.count("\n", 0, at) + 1
    assert len(errors) == 1 and errors[0].startswith(f"{template}:{line}:"), errors
    assert errors[0].endswith(f": error: xml: is not well-formed XML ({message}), so feed readers and search "
                              "engines refuse all of it; fix the template, or the text it shows there")
