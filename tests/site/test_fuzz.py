"""Property tests: whatever an entry file holds, the build succeeds or reports clean file:line errors.

Never a traceback: every generated document must end in a valid build (its
entry page written) or in Problems that name the entry file, print in the
file:line:col form and carry a line wherever the YAML could be parsed.
"""
from __future__ import annotations

import re
import shutil
import tempfile
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from support import CONTENT, TEMPLATES, cold_build
from timeline.fields import ENTRY_FIELDS

VALID = {
    "title": "Zaranj falls",
    "date": "2021-08-06",
    "summary": "The first provincial capital to fall.",
    "tags": ["Provincial capitals"],
    "place": {"name": "Zaranj", "region": "Nimroz", "lat": 30.96, "lon": 61.86},
    "sources": [{"name": "EFE", "url": "https://www.efe.com/"}],
}
# Strings YAML reads as something other than text, dates editors get wrong, and markup.
TRICKY = ["no", "yes", "on", "~", "null", "2021", "2021-02-30", "06/08/2021", "6 August 2021", "August 2021",
          "2021-08-06 14:30", "2021-08-06T14:30+04:30", "25:61", "1e400", "-.inf", ".nan", "0x1F", "0o17",
          "javascript:alert(1)", "https://example.org/", "<script>x</script>", "a\tb", "line\nbreak", "", " ",
          "&anchor", "*alias", "!!python/object:os.system", "- item", "key: value", "{", "[", "'", '"', "#", "%",
          "@", "`", "|", ">", "\x00", "\ufeff", "\u202e", "é", "🙂"]
PROFILES = {"max_examples": 60, "deadline": None,
            "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large]}
LOCATED = re.compile(r"^(?P<file>[^\n]+?)(:(?P<line>\d+)(:(?P<column>\d+))?)?: (error|warning): ")

scalars = st.one_of(st.sampled_from(TRICKY), st.text(max_size=40), st.integers(), st.floats(),
                    st.booleans(), st.none(), st.dates().map(str))
values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                       st.dictionaries(st.text(max_size=12), inner, max_size=4)),
                      max_leaves=12)
field_names = st.one_of(st.sampled_from(sorted(ENTRY_FIELDS)), st.sampled_from(["titel", "Date", "source", "tag"]))


class Workspace:
    """One content folder (settings only) whose single entry each example rewrites."""

    def __init__(self, root: Path):
        self.content = root / "content"
        (self.content / "entries").mkdir(parents=True)
        shutil.copy(CONTENT / "timeline.yaml", self.content / "timeline.yaml")
        self.entry = self.content / "entries" / "fuzz.yaml"
        self.output = root / "site"

    def build(self, data: bytes):
        self.entry.write_bytes(data)
        # Each example is a first publication: no lock, and no site whose marker lists what an earlier
        # example published (a draft after a published entry would find its permalink lost).
        (self.content / "permalinks.lock").unlink(missing_ok=True)
        shutil.rmtree(self.output, ignore_errors=True)
        return cold_build(self.content, self.output, TEMPLATES, publish=True)


@pytest.fixture(scope="module")
def workspace():
    with tempfile.TemporaryDirectory() as root:
        yield Workspace(Path(root))


def assert_clean(workspace: Workspace, data: bytes) -> None:
    result = workspace.build(data)  # any exception here is the failure this test looks for
    if result.ok:
        published = any(entry.id == "fuzz" for entry in result.timeline.entries)  # else a valid draft
        assert (workspace.output / "entries" / "fuzz" / "index.html").is_file() == published
        return
    for problem in result.errors:
        printed = str(problem)
        match = LOCATED.match(printed)
        assert match, printed
        assert problem.file.endswith("fuzz.yaml"), printed
        assert "Traceback" not in printed and len(printed) < 2000
        if _parses(data):
            assert problem.line is not None or _whole_file(problem.message), printed


def _parses(data: bytes) -> bool:
    try:
        yaml.safe_load(data.decode("utf-8"))
        return data.strip() != b""
    except (yaml.YAMLError, UnicodeDecodeError, ValueError, RecursionError):
        return False


def _whole_file(message: str) -> bool:
    """Problems about the file as a whole, which have no single line to point at."""
    return any(words in message for words in ("the file is empty", "file name", "is missing", "bytes;"))


@settings(**PROFILES)
@given(st.text(max_size=300))
def test_any_text_as_an_entry_file(workspace, text):
    assert_clean(workspace, text.encode("utf-8"))


@settings(**PROFILES)
@given(st.binary(max_size=200))
def test_any_bytes_as_an_entry_file(workspace, data):
    assert_clean(workspace, data)


@settings(**PROFILES)
@given(st.dictionaries(field_names, values, max_size=8))
def test_any_mapping_of_fields(workspace, document):
    assert_clean(workspace, yaml.safe_dump(document, allow_unicode=True).encode("utf-8"))


@settings(**PROFILES)
@given(field_names, values)
def test_any_value_in_an_otherwise_valid_entry(workspace, field, value):
    document = {**VALID, field: value}
    assert_clean(workspace, yaml.safe_dump(document, allow_unicode=True, sort_keys=False).encode("utf-8"))


@settings(**PROFILES)
@given(field_names, st.sampled_from(TRICKY))
def test_any_unquoted_value_in_an_otherwise_valid_entry(workspace, field, raw):
    # Written as an editor would type it, unquoted, so YAML's own reading of the text applies.
    lines = [f"{key}: {yaml.safe_dump(value, default_flow_style=True).strip().removesuffix('...').strip()}"
             for key, value in VALID.items() if key != field]
    assert_clean(workspace, ("\n".join(lines) + f"\n{field}: {raw}\n").encode("utf-8"))


@settings(**PROFILES)
@given(st.data())
def test_a_valid_entry_with_random_edits(workspace, data):
    text = yaml.safe_dump(VALID, sort_keys=False)
    for _ in range(data.draw(st.integers(1, 4))):
        position = data.draw(st.integers(0, len(text)))
        cut = data.draw(st.integers(0, 3))
        insert = data.draw(st.sampled_from(["", ":", "-", " ", "\n", "  ", "'", '"', "[", "{", "&a ", "*a", "#", "\t"]))
        text = text[:position] + insert + text[position + cut:]
    assert_clean(workspace, text.encode("utf-8"))


def test_the_valid_base_entry_builds(workspace):
    result = workspace.build(yaml.safe_dump(VALID, sort_keys=False).encode("utf-8"))
    assert result.ok, [str(p) for p in result.problems]
