"""The permalink guard: a published entry URL keeps working, or is retired on purpose."""
from __future__ import annotations

import errno
from html.parser import HTMLParser
from pathlib import Path

import pytest

from support import CONTENT, copy_content, options, run_cli
from timeline import permalinks
from timeline.layout import LOCK_FILE, display_path
from timeline.links import check_links, read_site
from timeline.load import entry_files
from timeline.permalinks import LockUpdate, Permalink, read_lock
from timeline.pipeline import check
from timeline.speed import Cold


def save_lock(content: Path, entries: list[Permalink]) -> None:
    update = LockUpdate(content, entries)
    update.prepare()
    update.commit()

ZARANJ = "entries/zaranj-falls/"


@pytest.fixture
def published(tmp_path):
    """Content built once (so its lock lists every entry) and its output folder."""
    content = copy_content(tmp_path / "content")
    (content / LOCK_FILE).unlink(missing_ok=True)
    output = tmp_path / "site"
    assert run_cli("build", "--content", content, "--output", output) == 0
    return content, output


def lock_paths(content: Path) -> list[str]:
    return [line.split("\t")[0] for line in (content / LOCK_FILE).read_text().splitlines()
            if line and not line.startswith("#")]


def rename_entry(content: Path, old: str, new: str) -> Path:
    target = content / "entries" / f"{new}.yaml"
    (content / "entries" / f"{old}.yaml").rename(target)
    return target


def add_alias(path: Path, alias: str) -> None:
    path.write_text(path.read_text() + f"aliases:\n  - {alias}\n")


class _Text(HTMLParser):
    def __init__(self):
        super().__init__()
        self.parts, self.meta = [], {}

    def handle_data(self, data):
        self.parts.append(data)

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if tag == "meta" and "name" in values:
            self.meta[values["name"]] = values.get("content")


def page_text(path: Path) -> _Text:
    parser = _Text()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def test_the_first_build_records_every_entry_path_sorted_with_titles(published):
    content, _ = published
    ids = [p.stem for p in entry_files(content)]
    assert lock_paths(content) == sorted(f"entries/{i}/" for i in ids)
    lines = (content / LOCK_FILE).read_text().splitlines()
    zaranj = next(line for line in lines if line.startswith(ZARANJ))
    assert zaranj.split("\t")[1] == "Zaranj, capital of Nimroz, falls to the Taliban"


def test_the_shipped_lock_lists_every_shipped_entry():
    records, problems = read_lock(CONTENT)
    assert problems == []
    assert {f"entries/{p.stem}/" for p in entry_files(CONTENT)} <= set(records)


def test_check_never_writes_the_lock(tmp_path):
    content = copy_content(tmp_path / "content")
    (content / LOCK_FILE).unlink()
    assert run_cli("check", "--content", content) == 0
    assert not (content / LOCK_FILE).exists()


def test_a_renamed_entry_without_alias_stops_the_build(published, capsys):
    content, output = published
    before = read_site(output)
    lock_before = (content / LOCK_FILE).read_bytes()
    rename_entry(content, "zaranj-falls", "zaranj-captured")
    assert run_cli("build", "--content", content, "--output", output) == 1
    err = capsys.readouterr().err
    line = next(line for line in err.splitlines() if ZARANJ in line)
    number = lock_before.decode().splitlines().index(next(
        l for l in lock_before.decode().splitlines() if l.startswith(ZARANJ))) + 1
    assert line.startswith(f"{display_path(content / LOCK_FILE)}:{number}:1: error:")
    assert 'add "zaranj-falls" to that entry\'s aliases' in line and "--allow-removed" in line
    assert read_site(output) == before
    assert (content / LOCK_FILE).read_bytes() == lock_before


def test_check_reports_the_missing_path_too(published, capsys):
    content, _ = published
    rename_entry(content, "zaranj-falls", "zaranj-captured")
    assert run_cli("check", "--content", content) == 1
    assert ZARANJ in capsys.readouterr().err


def test_an_alias_keeps_the_old_path_served(published):
    content, output = published
    add_alias(rename_entry(content, "zaranj-falls", "zaranj-captured"), "zaranj-falls")
    assert run_cli("build", "--content", content, "--output", output) == 0
    assert ZARANJ in lock_paths(content) and "entries/zaranj-captured/" in lock_paths(content)
    redirect = (output / ZARANJ / "index.html").read_text()
    assert "../zaranj-captured/index.html" in redirect


def test_a_draft_build_does_not_record_draft_paths(published):
    content, output = published
    draft = content / "entries" / "a-draft-entry.yaml"
    draft.write_text((content / "entries" / "zaranj-falls.yaml").read_text() + "draft: true\n")
    assert run_cli("build", "--content", content, "--output", output, "--drafts") == 0
    assert (output / "entries/a-draft-entry/index.html").exists()
    assert "entries/a-draft-entry/" not in lock_paths(content)


def test_allow_removed_retires_a_path_and_serves_a_removed_page(published, capsys):
    content, output = published
    (content / "entries" / "zaranj-falls.yaml").unlink()
    assert run_cli("build", "--content", content, "--output", output, "--allow-removed", "entries/zaranj-falls") == 0
    line = next(l for l in (content / LOCK_FILE).read_text().splitlines() if l.startswith(ZARANJ))
    assert line.split("\t")[2].startswith("published: ") and line.split("\t")[3].startswith("removed: ")
    page = page_text(output / ZARANJ / "index.html")
    text = " ".join(" ".join(page.parts).split())
    assert "This entry was removed" in text
    assert "Zaranj, capital of Nimroz, falls to the Taliban" in text
    assert permalinks.DEFAULT_REASON in text
    assert page.meta.get("robots") == "noindex"
    assert check_links(read_site(output)) == []
    # The retirement is recorded: later builds need no flag and keep the page.
    assert run_cli("build", "--content", content, "--output", output) == 0
    assert (output / ZARANJ / "index.html").exists()
    assert run_cli("check", "--content", content) == 0


def test_an_editor_can_reword_the_reason(published):
    content, output = published
    (content / "entries" / "zaranj-falls.yaml").unlink()
    assert run_cli("build", "--content", content, "--output", output, "--allow-removed", ZARANJ) == 0
    lock = content / LOCK_FILE
    lock.write_text(lock.read_text().replace(permalinks.DEFAULT_REASON, "Merged into the Sheberghan entry."))
    assert run_cli("build", "--content", content, "--output", output) == 0
    assert "Merged into the Sheberghan entry." in (output / ZARANJ / "index.html").read_text()


def test_a_retired_id_that_comes_back_is_served_again(published):
    content, output = published
    entry = content / "entries" / "zaranj-falls.yaml"
    saved = entry.read_text()
    entry.unlink()
    assert run_cli("build", "--content", content, "--output", output, "--allow-removed", ZARANJ) == 0
    entry.write_text(saved)
    assert run_cli("build", "--content", content, "--output", output) == 0
    line = next(l for l in (content / LOCK_FILE).read_text().splitlines() if l.startswith(ZARANJ))
    assert "removed:" not in line
    assert "This entry was removed" not in (output / ZARANJ / "index.html").read_text()


@pytest.mark.parametrize("path, message", [
    ("entries/never-published/", "is not in"),
    (ZARANJ, "is still served"),
    ("../../etc/passwd", "is not an entry path"),
])
def test_allow_removed_refuses_what_it_cannot_retire(published, capsys, path, message):
    content, output = published
    before = read_site(output)
    assert run_cli("build", "--content", content, "--output", output, "--allow-removed", path) == 1
    assert message in capsys.readouterr().err
    assert read_site(output) == before


def test_a_malformed_lock_line_is_reported_with_its_line(published, capsys):
    content, output = published
    lock = content / LOCK_FILE
    lines = lock.read_text().splitlines()
    lines.append("/not/an entry path")
    lock.write_text("\n".join(lines) + "\n")
    assert run_cli("check", "--content", content) == 1
    err = capsys.readouterr().err
    assert f"{display_path(lock)}:{len(lines)}:1: error:" in err and "/not/an entry path" in err


@pytest.mark.parametrize("typed", ["entries/zaranj-falls/", "entries/zaranj-falls", "/entries/zaranj-falls/",
                                   "entries/zaranj-falls/index.html", "zaranj-falls"])
def test_paths_are_accepted_as_editors_type_them(typed):
    assert permalinks.normalise_path(typed) == ZARANJ


def test_the_lock_is_replaced_whole_or_not_at_all(tmp_path, monkeypatch):
    lock = tmp_path / LOCK_FILE
    save_lock(tmp_path, [Permalink("entries/a/", "A")])
    before = lock.read_bytes()

    def disk_full(*args):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(permalinks.os, "fsync", disk_full)
    with pytest.raises(OSError):
        save_lock(tmp_path, [Permalink("entries/a/", "A"), Permalink("entries/b/", "B")])
    assert lock.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == [LOCK_FILE]
    monkeypatch.undo()
    update = LockUpdate(tmp_path, [Permalink("entries/a/", "A"), Permalink("entries/b/", "B")])
    update.prepare()
    update.discard()  # a build whose site was not updated: the lock stays as it was
    assert lock.read_bytes() == before and [p.name for p in tmp_path.iterdir()] == [LOCK_FILE]


def test_a_title_with_a_tab_stays_on_its_columns(tmp_path):
    save_lock(tmp_path, [Permalink("entries/a/", "A\ttitle"), Permalink("entries/b/", "B", "gone")])
    records, problems = read_lock(tmp_path)
    assert problems == []
    assert records["entries/a/"][0] == Permalink("entries/a/", "A title")
    assert records["entries/b/"][0] == Permalink("entries/b/", "B", "gone")


def test_a_served_path_is_recorded_with_its_title_now_however_its_line_is_written(published):
    content, _ = published
    lock = content / LOCK_FILE
    lines = lock.read_text().splitlines()
    index = next(i for i, line in enumerate(lines) if line.startswith(ZARANJ))
    lines[index] = f"  {ZARANJ}  \t  An old title \tremoved: withdrawn once"  # spaces, a title since changed, retired
    lines.append("entries/gone-for-good/\tGone\tremoved: Withdrawn.")
    lines.append(f"{ZARANJ}\tA second line for the same path")
    lock.write_text("\n".join(lines) + "\n")
    timeline = check(options(content), Cold()).timeline
    result = permalinks.guard_permalinks(content, timeline)
    zaranj = next(e for e in timeline.entries if e.id == "zaranj-falls")
    assert result.problems == ()
    by_path = {p.path: p for p in result.permalinks}
    assert by_path[ZARANJ] == Permalink(ZARANJ, zaranj.title)
    assert by_path["entries/gone-for-good/"] == Permalink("entries/gone-for-good/", "Gone", "Withdrawn.")
    assert [p.path for p in result.permalinks] == sorted(by_path) and len(by_path) == len(result.permalinks)
    records, problems = read_lock(content)  # read_lock itself still reads every line
    assert problems == [] and records[ZARANJ] == (Permalink(ZARANJ, "An old title", "withdrawn once"), index + 1)


def test_a_lock_saved_with_a_byte_order_mark_is_read_and_not_rewritten_for_it(published):
    content, output = published
    lock = content / LOCK_FILE
    lines = lock.read_bytes()
    body = b"\n".join(line for line in lines.split(b"\n") if not line.startswith(b"#"))
    lock.write_bytes(b"\xef\xbb\xbf" + body)  # the header dropped: a path on line 1
    records, problems = read_lock(content)
    assert problems == []
    assert ZARANJ in records and min(number for _, number in records.values()) == 1
    lock.write_bytes(b"\xef\xbb\xbf" + lines)
    assert run_cli("build", "--content", content, "--output", output) == 0
    assert lock.read_bytes() == b"\xef\xbb\xbf" + lines  # no change in version control for a mark
    (content / "entries" / "new-one.yaml").write_text(
        "title: A new one\ndate: 2021-08-07\nsummary: S.\nsources:\n  - name: Desk\n    url: https://example.org/a\n",
        encoding="utf-8")
    assert run_cli("build", "--content", content, "--output", output) == 0
    assert lock.read_bytes().startswith(b"# ") and b"entries/new-one/" in lock.read_bytes()  # written as the tool writes


def test_a_retired_title_with_a_character_no_page_can_hold_is_an_error_at_its_line(published, capsys):
    content, output = published
    lock = content / LOCK_FILE
    lock.write_text(lock.read_text() + "entries/gone/\tGone \x1b[2J\tremoved: Withdrawn.\n"
                    f"{ZARANJ}\tAn old title \x07 that the build replaces\n")
    number = len(lock.read_text().split("\n")) - 2
    assert run_cli("check", "--content", content) == 1
    errors = [line for line in capsys.readouterr().err.splitlines() if ": error: " in line]
    assert errors == [f"{display_path(lock)}:{number}:1: error: contains the control character U+001B at character "
                      "20, which cannot appear in a web page or feed; delete it"]  # not the served path's line
