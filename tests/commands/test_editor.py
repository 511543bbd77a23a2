"""The editor's tools: `new`, `check --strict / --format json`, and the JSON Schema."""
import json
import re
import shutil
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import jsonschema
import pytest

from timeline.commands.cli import main
from timeline.commands.schema import entry_schema, schema_json
from timeline.validate import slugify
from timeline.yamlfile import Mapping, Sequence, parse_yaml

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "content"
MODELINE = "# yaml-language-server: $schema=../entry.schema.json"


@pytest.fixture
def project(tmp_path, monkeypatch) -> Path:
    """A working folder with a copy of the shipped content; commands run from it."""
    shutil.copytree(SHIPPED, tmp_path / "content")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    return {str(p.relative_to(folder)): (p.read_bytes(), p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*")) if p.is_file()}


def plain(node):
    """A YAML tree as the YAML language server sees it (YAML 1.2: a date is text)."""
    if isinstance(node, Mapping):
        return {key.text: plain(value) for key, value in node.items}
    if isinstance(node, Sequence):
        return [plain(item) for item in node.items]
    kinds = {"int": int, "float": float, "bool": lambda t: t.lower() in ("true", "yes", "on", "y"),
             "null": lambda t: None}
    return kinds.get(node.kind, str)(node.text)


def schema_errors(path: Path) -> list[str]:
    validator = jsonschema.Draft202012Validator(entry_schema())
    document = plain(parse_yaml(path.read_bytes()))
    return [f"{'.'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(document)]


# --- new ------------------------------------------------------------------------

def test_new_writes_an_entry_that_passes_check(project, capsys):
    code, out, err = run(capsys, "new", "Taliban take Kunduz", "--date", "2021-08-08",
                         "--tag", "Provincial capitals", "--tag", "Taliban offensive")
    assert code == 0, err
    path = project / "content" / "entries" / "taliban-take-kunduz.yaml"
    assert out.strip() == str(Path("content/entries/taliban-take-kunduz.yaml"))
    text = path.read_text(encoding="utf-8")
    assert text.startswith(MODELINE + "\n")
    assert "\ntitle: Taliban take Kunduz\n" in text
    assert "\ndate: 2021-08-08\n" in text
    assert "\ntags:\n  - Provincial capitals\n  - Taliban offensive\n" in text
    assert "\ndraft: true\n" in text

    code, out, err = run(capsys, "check")
    assert code == 0, err
    assert "taliban-take-kunduz.yaml" in err  # its warnings: no summary, a source without URL
    assert "error:" not in err


def test_new_comments_every_optional_field_with_its_description(project, capsys):
    from timeline.fields import ENTRY_FIELDS, SOURCE_FIELDS
    run(capsys, "new", "Taliban take Kunduz")
    lines = (project / "content" / "entries" / "taliban-take-kunduz.yaml").read_text().splitlines()
    for table in (ENTRY_FIELDS, SOURCE_FIELDS):
        for spec in table.values():
            assert any(re.fullmatch(rf"\s*(# )?(- )?{spec.name}:.*", line) for line in lines), spec.name
            if spec.required:
                continue
            first_words = " ".join(spec.description.split()[:4])
            assert any(first_words in line for line in lines if line.lstrip().startswith("#")), spec.name


def test_every_commented_example_passes_check_when_uncommented(project, capsys):
    run(capsys, "new", "Taliban take Kunduz", "--date", "2021-08-08", "--source", "EFE", "--url", "https://www.efe.com/")
    path = project / "content" / "entries" / "taliban-take-kunduz.yaml"
    (project / "content" / "media").mkdir()
    (project / "content" / "media" / "zaranj.jpg").write_bytes(b"\xff\xd8\xff")
    # Uncomment the example lines (a comment whose text is YAML), not the descriptions.
    example = re.compile(r"^(\s*)# ((?:[a-z_]+:|  |- ).*)$")
    text = "\n".join(example.sub(r"\1\2", line) for line in path.read_text().splitlines()
                     if not line.startswith("# yaml-language-server"))
    path.write_text(text + "\n", encoding="utf-8")
    assert "\nend_date: 2021-08-31\n" in text and "\n    quote: " in text

    code, out, err = run(capsys, "check", "--drafts")
    assert code == 0, err
    mine = [line for line in err.splitlines() if "taliban-take-kunduz.yaml" in line]
    assert [line.split(": ", 2)[-1] for line in mine] == ["media.credit: has no credit; say who made the image"]
    assert schema_errors(path) == []


def test_new_with_source_and_url_fills_them_in(project, capsys):
    code, out, err = run(capsys, "new", "Kunduz falls", "--source", "Tolo News", "--url", "https://tolonews.com/")
    assert code == 0, err
    text = (project / "content" / "entries" / "kunduz-falls.yaml").read_text()
    assert "sources:\n  - name: Tolo News\n    url: https://tolonews.com/\n" in text


def test_new_refuses_to_overwrite(project, capsys):
    path = project / "content" / "entries" / "zaranj-falls.yaml"
    before = path.read_bytes()
    code, out, err = run(capsys, "new", "Zaranj falls")
    assert code == 1
    assert out == ""
    assert "content/entries/zaranj-falls.yaml already exists; nothing was written" in err
    assert path.read_bytes() == before


def test_new_refuses_a_yml_file_with_the_same_id(project, capsys):
    (project / "content" / "entries" / "kunduz-falls.yml").write_text("title: x\n")
    code, out, err = run(capsys, "new", "Kunduz falls")
    assert code == 1 and "kunduz-falls.yml already exists" in err
    assert not (project / "content" / "entries" / "kunduz-falls.yaml").exists()


def test_new_date_defaults_to_today_in_the_timelines_time_zone(project, capsys):
    before = datetime.now(ZoneInfo("Asia/Kabul")).date()
    run(capsys, "new", "Kunduz falls")
    after = datetime.now(ZoneInfo("Asia/Kabul")).date()
    text = (project / "content" / "entries" / "kunduz-falls.yaml").read_text()
    written = re.search(r"^date: (\S+)$", text, re.M).group(1)
    assert written in (before.isoformat(), after.isoformat())


@pytest.mark.parametrize("date", ["2021", "August 2021", "6 August 2021", "2021-08-06 14:30", "2021-08-06T14:30+04:30"])
def test_new_keeps_the_date_as_written(project, capsys, date):
    code, out, err = run(capsys, "new", "Kunduz falls", "--date", date)
    assert code == 0, err
    assert f"\ndate: {date}\n" in (project / "content" / "entries" / "kunduz-falls.yaml").read_text()


def test_new_quotes_what_yaml_would_misread(project, capsys):
    code, out, err = run(capsys, "new", 'Kunduz: "no" # not a comment', "--tag", "no", "--id", "kunduz")
    assert code == 0, err
    code, out, err = run(capsys, "check", "--drafts")
    assert code == 0, err


@pytest.mark.parametrize("args, message", [
    (["x" * 130], "content/entries/" + "x" * 60 + ".yaml:8:8: error: title: is 130 characters long; the limit is 120"),
    (["Kunduz falls", "--date", "2021-02-30"], 'error: date: "2021-02-30" is not a real date'),
    (["Kunduz falls", "--url", "javascript:alert(1)"], "error: sources[1].url:"),
])
def test_new_refuses_values_check_would_reject(project, capsys, args, message):
    code, out, err = run(capsys, "new", *args)
    assert code == 1
    assert message in err
    assert "was not written" in err
    assert sorted(p.name for p in (project / "content" / "entries").iterdir()) == \
        sorted(p.name for p in (SHIPPED / "entries").iterdir())


def test_new_needs_an_id_when_the_title_has_no_latin_letters(project, capsys):
    code, out, err = run(capsys, "new", "سقوط زرنج")
    assert code == 2 and "--id" in err
    code, out, err = run(capsys, "new", "سقوط زرنج", "--id", "zaranj-2")
    assert code == 0 and (project / "content" / "entries" / "zaranj-2.yaml").is_file()


@pytest.mark.parametrize("entry_id, suggestion", [
    ("{project}/outside", "{slug}-outside"), ("../outside", "outside"), ("../../outside", "outside"),
    ("Bad_ID", "bad-id"), ("sub/x", "sub-x"), ("x.yaml", "x-yaml"), ("..", "my-entry"), ("", "my-entry"),
    ("a--b", "a-b"),
])
def test_new_refuses_an_id_check_would_refuse_before_touching_the_disk(project, capsys, entry_id, suggestion):
    entry_id = entry_id.format(project=project)
    suggestion = suggestion.format(slug=slugify(str(project)))
    before = snapshot(project)
    code, out, err = run(capsys, "new", "Kunduz falls", "--id", entry_id)
    assert (code, out) == (2, "")
    assert err == (f'error: the file name "{entry_id}.yaml" is not a valid id: use lowercase letters, digits and '
                   f"single hyphens, as in zaranj-falls.yaml (rename it to {suggestion}.yaml); nothing was "
                   f"written: give --id {suggestion}\n")
    assert snapshot(project) == before  # the project holds every place these ids lead to


def test_the_id_new_refuses_has_the_message_check_gives_for_the_file(project, capsys):
    from timeline.validate import file_name_problem
    (project / "content" / "entries" / "Bad_ID.yaml").write_text("title: x\n")
    code, out, err = run(capsys, "check")
    assert f"content/entries/Bad_ID.yaml: error: {file_name_problem('Bad_ID.yaml')}\n" in err


def test_new_refuses_an_id_too_long_for_a_file_name(project, capsys):
    code, out, err = run(capsys, "new", "Kunduz falls", "--id", "a" * 300)
    assert code == 2 and err == "error: --id is 300 characters long; an id may have at most 200, shorten it\n"


def test_new_refuses_an_id_that_is_another_entrys_alias(project, capsys):
    zaranj = project / "content" / "entries" / "zaranj-falls.yaml"
    zaranj.write_text(zaranj.read_text() + "aliases:\n  - zaranj-captured\n")
    for args in (["Zaranj captured"], ["Kunduz falls", "--id", "zaranj-captured"]):
        code, out, err = run(capsys, "new", *args)
        assert code == 1, err
        assert '"zaranj-captured" is already the id of content/entries/zaranj-captured.yaml' in err
        assert "content/entries/zaranj-captured.yaml was not written: it would clash with other entries" in err
    assert not (project / "content" / "entries" / "zaranj-captured.yaml").exists()


def test_new_refuses_a_tag_spelled_otherwise_than_in_other_entries(project, capsys):
    code, out, err = run(capsys, "new", "Kunduz falls", "--tag", "Provincial Capitals")
    assert code == 1
    assert ('content/entries/kunduz-falls.yaml: error: tags[1]: "Provincial Capitals" and "Provincial capitals" '
            "(content/entries/") in err
    assert not (project / "content" / "entries" / "kunduz-falls.yaml").exists()


@pytest.mark.parametrize("args, message", [
    (["Kunduz \x1b[2J falls"], "error: title: contains the control character U+001B at character 8"),
    (["Kunduz \u202efalls"], "error: title: contains the bidirectional control U+202E"),
    (["\u200b", "--id", "kunduz"], "error: title: has no visible character, only U+200B"),
    (["Kunduz falls", "--tag", "\u200d"], "error: tags[1]: has no visible character"),
    (["Kunduz falls", "--source", "EFE\x00"], "error: sources[1].name: contains the control character U+0000"),
    (["Kunduz falls", "--url", "https://user:pw@example.org/"], "error: sources[1].url:"),
    (["Kunduz falls", "--date", "2021-08-06\x1b"], 'error: date: "2021-08-06<U+001B>" is not a date'),
])
def test_new_refuses_texts_check_would_refuse(project, capsys, args, message):
    code, out, err = run(capsys, "new", *args)
    assert code == 1 and message in err and "was not written" in err
    assert "\x1b" not in err and "\u202e" not in err  # shown as <U+...>, never printed
    assert sorted(p.name for p in (project / "content" / "entries").iterdir()) == \
        sorted(p.name for p in (SHIPPED / "entries").iterdir())


def test_new_refuses_an_argument_that_is_not_utf8(project, capsys):
    code, out, err = run(capsys, "new", "Kunduz \udcff falls")  # how Python passes the byte 0xff of argv
    assert code == 2
    assert err == 'error: "Kunduz ? falls" is not valid UTF-8 text (as the terminal passed it); type it again\n'


def test_new_gives_a_content_folder_without_schema_one(project, capsys):
    (project / "content" / "entry.schema.json").unlink()
    run(capsys, "new", "Kunduz falls")
    assert (project / "content" / "entry.schema.json").read_text() == schema_json()


def test_new_output_validates_against_the_schema(project, capsys):
    run(capsys, "new", "Kunduz falls", "--tag", "Provincial capitals")
    assert schema_errors(project / "content" / "entries" / "kunduz-falls.yaml") == []


# --- check ------------------------------------------------------------------------

def test_check_writes_nothing(project, capsys):
    (project / "content" / "entries" / "zaranj-falls.yaml").write_text("title: no\ndate: 2021\n")
    before = snapshot(project)
    for args in (["check"], ["check", "--strict"], ["check", "--format", "json"], ["check", "--drafts"]):
        run(capsys, *args)
    after = snapshot(project)
    # The build cache (git-ignored, safe to delete) is the one thing check may leave behind.
    assert {path: data for path, data in after.items() if not path.startswith(".cache/")} == before


def test_check_strict_turns_warnings_into_errors(project, capsys):
    entry = project / "content" / "entries" / "zaranj-falls.yaml"
    entry.write_text(entry.read_text(encoding="utf-8").replace("sources:\n", "sources:\n  - name: A neighbour\n", 1),
                     encoding="utf-8")
    code, out, err = run(capsys, "check")
    assert code == 0
    warning = next(line for line in err.splitlines() if ": warning: sources[1].url: says neither" in line)
    assert warning.startswith("content/entries/")

    code, out, err = run(capsys, "check", "--strict")
    assert code == 1
    assert warning.replace("warning:", "error:") in err
    assert "warning:" not in err


def test_check_format_json(project, capsys):
    (project / "content" / "entries" / "zaranj-falls.yaml").write_text(
        'title: Zaranj falls\ndate: "2021-02-30"\nsources:\n  - name: EFE\n')
    code, out, err = run(capsys, "check", "--format", "json")
    assert code == 1
    problems = json.loads(out)
    assert {"file": "content/entries/zaranj-falls.yaml", "line": 2, "column": 7, "field": "date",
            "severity": "error",
            "message": '"2021-02-30" is not a real date (February 2021 has 28 days)'} in problems
    assert {"file": "content/entries/zaranj-falls.yaml", "line": 4, "column": 5, "field": "sources[1].url",
            "severity": "warning", "message": "says neither where to read it nor who reported it: add its url, or via: the outlet or document that reported it (a source that is itself a document needs its title and date)"} in problems
    assert all(set(p) == {"file", "line", "column", "field", "severity", "message"} for p in problems)


def test_check_format_json_on_clean_content_is_an_empty_error_list(project, capsys):
    code, out, err = run(capsys, "check", "--format", "json")
    assert code == 0 and json.loads(out) == []  # the shipped content passes even --strict
    code, out, err = run(capsys, "check", "--format", "json", "--strict")
    assert code == 0 and json.loads(out) == []


# --- schema ------------------------------------------------------------------------

def test_schema_command_prints_the_schema(capsys):
    code, out, err = run(capsys, "schema")
    assert code == 0
    schema = json.loads(out)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)


def test_shipped_schema_is_the_generated_one():
    shipped = (SHIPPED / "entry.schema.json").read_text(encoding="utf-8")
    assert shipped == schema_json(), "run: python build.py schema > content/entry.schema.json"


def test_every_field_has_a_description_and_an_example():
    def walk(properties):
        for name, prop in properties.items():
            assert prop["description"] and prop["examples"], name
            nested = prop.get("items", prop)
            if "properties" in nested:
                walk(nested["properties"])
    walk(entry_schema()["properties"])


def test_examples_in_the_schema_validate_against_it():
    validator = jsonschema.Draft202012Validator(entry_schema())
    example = {name: prop["examples"][0] for name, prop in entry_schema()["properties"].items()}
    assert list(validator.iter_errors(example)) == []


@pytest.mark.parametrize("path", sorted((SHIPPED / "entries").glob("*.yaml")), ids=lambda p: p.stem)
def test_shipped_entries_validate_against_the_schema(path):
    assert schema_errors(path) == []


@pytest.mark.parametrize("text, where", [
    ("titel: Zaranj falls\ndate: 2021-08-06\nsources:\n  - name: EFE\n", ""),
    ("title: Zaranj falls\ndate: 2021-08-06\n", ""),
    ("title: Zaranj falls\ndate: 2021-08-06\nsources: []\n", "sources"),
    ("title: " + "x" * 121 + "\ndate: 2021-08-06\nsources:\n  - name: EFE\n", "title"),
    ("title: Zaranj falls\ndate: 2021-08-06\nsources:\n  - name: EFE\n    url: javascript:alert(1)\n", "sources.0.url"),
    ("title: Zaranj falls\ndate: 2021-08-06\nplace:\n  name: Zaranj\n  lat: 91\nsources:\n  - name: EFE\n", "place.lat"),
    ("title: Zaranj falls\ndate: 2021-08-06\ntags: Provincial capitals\nsources:\n  - name: EFE\n", "tags"),
    ("title: Zaranj falls\ndate: 2021-08-06\naliases: [Zaranj Captured]\nsources:\n  - name: EFE\n", "aliases.0"),
    ("title: Zaranj falls\ndate: 2021-08-06\ncirca: 2\nsources:\n  - name: EFE\n", "circa"),
    ("title: |\n  two\n  lines\ndate: 2021-08-06\nsources:\n  - name: EFE\n", "title"),
])
def test_schema_and_check_reject_the_same_mistakes(project, capsys, text, where):
    path = project / "content" / "entries" / "zaranj-falls.yaml"
    path.write_text(text, encoding="utf-8")
    code, out, err = run(capsys, "check")
    assert code == 1, "check accepted it"
    assert any(error.startswith(f"{where}:") for error in schema_errors(path)), schema_errors(path)
