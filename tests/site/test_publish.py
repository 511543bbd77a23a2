"""Atomic output: a failed or interrupted build never damages what is published."""
from __future__ import annotations

import errno
import time
import json
import os
import signal
import threading
from pathlib import Path

import pytest

from support import copy_content, run_cli
from timeline import write
from timeline.write import MARKER, OutputFolderError, write_site

OLD = 1_000_000_000  # a modification time long past, to see which files a write touched


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    """Every file under `folder` with its bytes and modification time."""
    return {p.relative_to(folder).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*")) if p.is_file()}


def age(folder: Path) -> None:
    for path in folder.rglob("*"):
        if path.is_file():
            os.utime(path, (OLD, OLD))


def leftovers(output: Path) -> list[str]:
    return sorted(p.name for p in output.parent.iterdir() if p.name.startswith(f".{output.name}."))


SITE = {"index.html": b"<p>index</p>", "entries/a/index.html": b"<p>a</p>", "entries/b/index.html": b"<p>b</p>"}


def test_fresh_write_creates_the_files_and_a_marker(tmp_path):
    output = tmp_path / "site"
    result = write_site(SITE, output)
    assert result.written == tuple(sorted(SITE)) and result.removed == ()
    assert {path: data for path, (data, _) in snapshot(output).items() if path != MARKER} == SITE
    marker = json.loads((output / MARKER).read_text())
    assert sorted(marker["files"]) == sorted(SITE)
    assert leftovers(output) == []


def test_an_empty_existing_folder_is_used(tmp_path):
    output = tmp_path / "site"
    output.mkdir()
    write_site(SITE, output)
    assert (output / "entries/a/index.html").read_bytes() == b"<p>a</p>"


def test_unchanged_rebuild_touches_nothing(tmp_path):
    output = tmp_path / "site"
    write_site(SITE, output)
    age(output)
    before = snapshot(output)
    result = write_site(dict(SITE), output)
    assert not result.changed
    assert snapshot(output) == before


def test_only_changed_files_get_a_new_mtime(tmp_path):
    output = tmp_path / "site"
    write_site(SITE, output)
    age(output)
    result = write_site({**SITE, "entries/a/index.html": b"<p>a, corrected</p>"}, output)
    assert result.written == ("entries/a/index.html",)
    after = snapshot(output)
    assert after["entries/a/index.html"] == (b"<p>a, corrected</p>", after["entries/a/index.html"][1])
    assert after["entries/a/index.html"][1] != OLD * 10**9
    assert after["entries/b/index.html"][1] == after["index.html"][1] == OLD * 10**9
    assert leftovers(output) == []


def test_a_page_no_longer_built_is_removed_with_its_empty_folder(tmp_path):
    output = tmp_path / "site"
    write_site(SITE, output)
    smaller = {k: v for k, v in SITE.items() if k != "entries/b/index.html"}
    result = write_site(smaller, output)
    assert result.removed == ("entries/b/index.html",) and result.written == ()
    assert not (output / "entries/b").exists()
    assert (output / "entries/a/index.html").exists()


def test_files_the_tool_did_not_write_are_left_alone(tmp_path):
    output = tmp_path / "site"
    write_site(SITE, output)
    (output / "CNAME").write_text("timeline.example.org")
    write_site({"index.html": b"new"}, output)
    assert (output / "CNAME").read_text() == "timeline.example.org"


def test_a_file_deleted_by_hand_is_written_again(tmp_path):
    output = tmp_path / "site"
    write_site(SITE, output)
    (output / "entries/a/index.html").unlink()
    result = write_site(SITE, output)
    assert result.written == ("entries/a/index.html",)
    assert (output / "entries/a/index.html").read_bytes() == b"<p>a</p>"


def test_a_damaged_marker_falls_back_to_comparing_bytes(tmp_path):
    output = tmp_path / "site"
    write_site(SITE, output)
    (output / MARKER).write_text("{not json")
    age(output)
    result = write_site(SITE, output)
    assert result.written == ()
    assert (output / "index.html").stat().st_mtime_ns == OLD * 10**9
    assert json.loads((output / MARKER).read_text())["files"]


@pytest.mark.parametrize("bad", ["../escape.html", "/etc/passwd", "a//b.html", MARKER])
def test_paths_outside_the_output_folder_are_refused(tmp_path, bad):
    with pytest.raises(ValueError):
        write_site({bad: b"x"}, tmp_path / "site")
    assert not (tmp_path / "site").exists()


# --- refusing folders the tool did not write ----------------------------------------

def test_a_foreign_non_empty_folder_is_never_written_into(tmp_path):
    documents = tmp_path / "Documents"
    documents.mkdir()
    (documents / "thesis.odt").write_bytes(b"years of work")
    before = snapshot(documents)
    with pytest.raises(OutputFolderError) as raised:
        write_site(SITE, documents)
    message = str(raised.value)
    assert str(documents) in message and "--output" in message
    assert snapshot(documents) == before
    assert leftovers(documents) == []


def test_cli_refuses_a_foreign_folder_with_exit_1(tmp_path, capsys):
    content = copy_content(tmp_path / "content")
    documents = tmp_path / "Documents"
    documents.mkdir()
    (documents / "notes.txt").write_text("keep me")
    assert run_cli("build", "--content", content, "--output", documents) == 1
    err = capsys.readouterr().err
    assert "not written by this tool" in err and "Documents" in err and "Traceback" not in err
    assert [p.name for p in documents.iterdir()] == ["notes.txt"]


def test_an_output_path_that_is_a_file_is_refused(tmp_path):
    target = tmp_path / "site"
    target.write_text("a file")
    with pytest.raises(OutputFolderError, match="is a file"):
        write_site(SITE, target)
    assert target.read_text() == "a file"


# --- failures and interruptions --------------------------------------------------------

def _fail_while_staging(monkeypatch, error: BaseException, after: int = 1):
    """Make the staging of files fail after `after` files, as a full disk or Ctrl-C would."""
    real_open = open
    count = {"files": 0}

    def failing_open(path, mode="r", *args, **kwargs):
        if "w" in mode and ".staging-" in str(path):
            count["files"] += 1
            if count["files"] > after:
                raise error
        return real_open(path, mode, *args, **kwargs)

    monkeypatch.setattr("builtins.open", failing_open)


@pytest.mark.parametrize("error", [OSError(errno.ENOSPC, "No space left on device"), KeyboardInterrupt()],
                         ids=["disk-full", "ctrl-c"])
def test_a_write_failing_midway_leaves_the_previous_output_exactly(tmp_path, monkeypatch, error):
    output = tmp_path / "site"
    write_site(SITE, output)
    age(output)
    before = snapshot(output)
    changed = {path: data + b" v2" for path, data in SITE.items()}
    _fail_while_staging(monkeypatch, error)
    with pytest.raises(type(error)):
        write_site({**changed, "entries/c/index.html": b"new"}, output)
    monkeypatch.undo()
    assert snapshot(output) == before
    assert leftovers(output) == []


def test_a_full_disk_stops_the_rendering_early(tmp_path, monkeypatch):
    """Files are staged while the next ones render: a writer that fails ends the stream, not its end."""
    pulled = []

    def rendered():
        for number in range(1000):
            pulled.append(number)
            time.sleep(0.002)  # a page takes a while to render
            yield f"entries/e{number}/index.html", b"<p>page</p>"

    _fail_while_staging(monkeypatch, OSError(errno.ENOSPC, "No space left on device"))
    with pytest.raises(OSError, match="No space left"):
        write_site(rendered(), tmp_path / "site")
    monkeypatch.undo()
    assert len(pulled) < 500
    assert not (tmp_path / "site").exists() and list(tmp_path.iterdir()) == []


def test_a_failing_first_write_leaves_no_output_and_no_temporary_folder(tmp_path, monkeypatch):
    output = tmp_path / "site"
    _fail_while_staging(monkeypatch, OSError(errno.ENOSPC, "No space left on device"))
    with pytest.raises(OSError):
        write_site(SITE, output)
    monkeypatch.undo()
    assert not output.exists()
    assert list(tmp_path.iterdir()) == []


def test_a_write_interrupted_after_its_commit_point_is_finished_by_the_next(tmp_path, monkeypatch):
    output = tmp_path / "site"
    write_site(SITE, output)
    new = {path: data + b" v2" for path, data in SITE.items()}
    real_replace = os.replace
    moves = {"count": 0}

    def crash_on_second_move(source, target):
        moves["count"] += 1
        if moves["count"] == 2:
            raise OSError(errno.EIO, "Input/output error")  # as if the process died here
        return real_replace(source, target)

    monkeypatch.setattr(write.os, "replace", crash_on_second_move)
    with pytest.raises(OSError):
        write_site(new, output)
    monkeypatch.undo()
    assert leftovers(output) == [".site.commit"]
    write.finish_interrupted_write(output)
    assert {p: d for p, (d, _) in snapshot(output).items() if p != MARKER} == new
    assert leftovers(output) == []
    assert not write_site(new, output).changed  # the marker was completed too


def test_ctrl_c_during_the_final_moves_is_held_until_they_are_done(tmp_path, monkeypatch):
    output = tmp_path / "site"
    write_site(SITE, output)
    new = {path: data + b" v2" for path, data in SITE.items()}
    real_replace = os.replace

    def interrupted_replace(source, target):
        os.kill(os.getpid(), signal.SIGINT)
        return real_replace(source, target)

    monkeypatch.setattr(write.os, "replace", interrupted_replace)
    with pytest.raises(KeyboardInterrupt):
        write_site(new, output)
    monkeypatch.undo()
    assert {p: d for p, (d, _) in snapshot(output).items() if p != MARKER} == new
    assert leftovers(output) == []


# --- whole builds -----------------------------------------------------------------------

@pytest.fixture
def published(tmp_path):
    """Content built once; the output aged so any rewrite shows: (content, output, snapshot)."""
    content = copy_content(tmp_path / "content")
    output = tmp_path / "site"
    assert run_cli("build", "--content", content, "--output", output) == 0
    age(output)
    return content, output, snapshot(output)


def test_a_build_with_a_content_error_leaves_the_published_site_untouched(published):
    content, output, before = published
    entry = next((content / "entries").glob("*.yaml"))
    entry.write_text(entry.read_text().replace("date:", "date: 2021-02-30\nold_date:", 1))
    assert run_cli("build", "--content", content, "--output", output) == 1
    assert snapshot(output) == before


def test_a_build_crashing_while_rendering_leaves_the_published_site_untouched(published, monkeypatch, capsys):
    content, output, before = published

    from timeline.speed import workers

    real_render_page, rendered = workers.render_page, []

    def interrupted(env, page):  # pages are written while the next ones render: stop halfway
        if len(rendered) == 5:
            raise KeyboardInterrupt
        rendered.append(page.path)
        return real_render_page(env, page) + b"<!-- changed -->"

    monkeypatch.setattr(workers, "render_page", interrupted)
    # --no-cache: the unchanged build is not skipped. Ctrl-C: one line and 130, as a shell expects.
    assert run_cli("build", "--content", content, "--output", output, "--no-cache") == 130
    assert capsys.readouterr().err == "interrupted; the published site was left as it was\n"
    assert len(rendered) == 5
    assert snapshot(output) == before
    assert leftovers(output) == []


def test_rebuilding_the_same_content_keeps_every_mtime(published):
    content, output, before = published
    assert run_cli("build", "--content", content, "--output", output) == 0
    assert snapshot(output) == before


def test_a_disk_full_build_reports_a_clean_error(tmp_path, monkeypatch, capsys):
    content = copy_content(tmp_path / "content")
    output = tmp_path / "site"
    _fail_while_staging(monkeypatch, OSError(errno.ENOSPC, "No space left on device"))
    assert run_cli("build", "--content", content, "--output", output) == 1
    monkeypatch.undo()
    err = capsys.readouterr().err
    assert "No space left on device" in err and "Traceback" not in err
    assert not output.exists()


def test_two_builds_into_one_folder_take_turns(tmp_path):
    output = tmp_path / "site"
    sites = [{path: data + bytes([n]) * 50 for path, data in SITE.items()} for n in range(2)]
    sites[1]["entries/c/index.html"] = b"only in the second site"
    errors = []

    def keep_writing(files):
        try:
            for _ in range(15):
                write_site(files, output)
        except Exception as err:  # reported below, with the test's own assertion
            errors.append(err)

    threads = [threading.Thread(target=keep_writing, args=(files,)) for files in sites]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert {p: d for p, (d, _) in snapshot(output).items() if p != MARKER} in sites
    assert leftovers(output) == []


def test_a_full_disk_during_a_parallel_build_ends_it_cleanly(tmp_path, monkeypatch, capfd):
    """The renderer's worker processes are stopped and its state released, without noise on stderr."""
    import gc

    from timeline.speed import workers

    content = copy_content(tmp_path / "content")
    monkeypatch.setattr(workers, "PARALLEL_FROM", 5)  # the worker path, on a small site
    monkeypatch.setattr("timeline.speed.workers.threading.active_count", lambda: 1)
    _fail_while_staging(monkeypatch, OSError(errno.ENOSPC, "No space left on device"), after=2)
    gc.disable()  # released by the build itself, not whenever the collector happens to run
    try:
        assert run_cli("build", "--content", content, "--output", tmp_path / "site", "--no-cache") == 1
        assert workers._pending == [] and workers._pending_env is None
    finally:
        gc.enable()
        monkeypatch.undo()
    err = capfd.readouterr().err
    assert "No space left on device" in err
    assert "Traceback" not in err and "Exception ignored" not in err
    assert not (tmp_path / "site").exists()


@pytest.mark.parametrize("cache", ["--no-cache", "--cache-dir"])
def test_a_page_edited_by_hand_keeping_its_size_is_repaired(tmp_path, cache):
    content = copy_content(tmp_path / "content")
    output = tmp_path / "site"
    options = ["--no-cache"] if cache == "--no-cache" else ["--cache-dir", tmp_path / "cache"]
    assert run_cli("build", "--content", content, "--output", output, *options) == 0
    published = snapshot(output)
    page = output / "entries" / "zaranj-falls" / "index.html"
    page.write_bytes(page.read_bytes().replace(b"Sources", b"Sourcez"))  # the same size
    css = output / "static" / "site.css"
    css.write_bytes(css.read_bytes().replace(b"color", b"COLOR"))
    assert run_cli("build", "--content", content, "--output", output, *options) == 0
    assert page.read_bytes() == published["entries/zaranj-falls/index.html"][0]
    assert css.read_bytes() == published["static/site.css"][0]
