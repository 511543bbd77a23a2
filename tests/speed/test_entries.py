"""The load cache never changes a result: a warm build is byte-identical to a cold one.

Each test edits the content (entries, settings, media) in turn and compares a
build that uses the cache with a build that does not (--no-cache), output
file by output file and problem by problem.
"""
from __future__ import annotations

import os
import pickle
import shutil
import subprocess
import json
import sys
import textwrap
import threading
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from support import REPO, Calls, copy_content, load_cached, load_cold, read_cache_file, run_cli, write_cache_file
from timeline import load
from timeline.speed import entries, workers
from timeline.speed import store as cache
from timeline.speed.store import default_cache_dir
from timeline.links import read_site

TIMED_ENTRY = textwrap.dedent("""\
    title: A meeting at a stated local time
    date: 2021-08-06 14:30
    summary: Used to see that the time zone of the settings reaches the cached entries.
    tags: [Talks]
    sources:
      - name: Test desk
        url: https://example.org/meeting
    """)


@pytest.fixture
def content(tmp_path) -> Path:
    folder = copy_content(tmp_path / "content")
    (folder / "entries" / "timed-meeting.yaml").write_text(TIMED_ENTRY, encoding="utf-8")
    return folder


def build_both(content: Path, capsys, tmp_path: Path, cache_dir: Path | None = None):
    """(warm output, warm messages, cold output, cold messages) for the content as it is now.

    The outputs are empty when the builds fail.
    """
    cache_args = ["--cache-dir", cache_dir] if cache_dir else []
    warm_code = run_cli("build", "--content", content, "--output", tmp_path / "warm", *cache_args)
    warm_messages = capsys.readouterr()
    cold_code = run_cli("build", "--content", content, "--output", tmp_path / "cold", "--no-cache")
    cold_messages = capsys.readouterr()
    assert warm_code == cold_code
    # The messages name the output folder, which differs on purpose.
    warm_err = warm_messages.err.replace(str(tmp_path / "warm"), "OUTPUT")
    cold_err = cold_messages.err.replace(str(tmp_path / "cold"), "OUTPUT")
    if warm_code != 0:  # a failed build leaves the earlier output: only the messages tell
        return {}, warm_err, {}, cold_err
    return read_site(tmp_path / "warm"), warm_err, read_site(tmp_path / "cold"), cold_err


def assert_same_as_cold(content: Path, capsys, tmp_path: Path, cache_dir: Path | None = None) -> dict:
    warm, warm_err, cold, cold_err = build_both(content, capsys, tmp_path, cache_dir)
    assert warm.keys() == cold.keys()
    for name in cold:
        assert warm[name] == cold[name], f"{name} differs between the warm and the cold build"
    assert warm_err == cold_err
    return warm


def cache_files(cache_dir: Path) -> list[Path]:
    return sorted(cache_dir.glob("entries-*.pickle"))


def test_the_cache_is_kept_in_the_users_cache_folder_never_beside_the_content(content, capsys, tmp_path,
                                                                             users_own_folders):
    before = sorted(p.name for p in content.parent.iterdir())
    assert run_cli("build", "--content", content, "--output", tmp_path / "site") == 0
    folder = default_cache_dir(content)
    assert folder.is_relative_to(users_own_folders / "cache" / "timeline")
    assert 1 <= len(cache_files(folder)) <= entries.SHARDS
    assert (folder / ".gitignore").read_text() == "*\n"
    assert (folder / "CACHEDIR.TAG").read_text().startswith("Signature: 8a477f597d28d172789f06886806bc55")
    assert sorted(p.name for p in content.parent.iterdir()) == sorted([*before, "site"])
    assert default_cache_dir(tmp_path / "elsewhere" / "content") != folder  # one folder per content folder


def test_no_cache_writes_no_cache(content, capsys, tmp_path):
    assert run_cli("build", "--content", content, "--output", tmp_path / "site", "--no-cache") == 0
    assert run_cli("check", "--content", content, "--no-cache") == 0
    assert not default_cache_dir(content).exists()


def test_cache_dir_option_puts_the_cache_there(content, capsys, tmp_path):
    assert run_cli("check", "--content", content, "--cache-dir", tmp_path / "elsewhere") == 0
    assert 1 <= len(cache_files(tmp_path / "elsewhere")) <= entries.SHARDS
    assert not default_cache_dir(content).exists()


def test_edits_to_entries_reach_a_warm_build(content, capsys, tmp_path):
    entries = content / "entries"
    first = assert_same_as_cold(content, capsys, tmp_path)
    assert first == assert_same_as_cold(content, capsys, tmp_path)  # nothing changed

    zaranj = entries / "zaranj-falls.yaml"
    zaranj.write_text(zaranj.read_text(encoding="utf-8").replace("Nimroz, falls", "Nimroz, FALLS"), encoding="utf-8")
    edited = assert_same_as_cold(content, capsys, tmp_path)
    assert b"Zaranj, capital of Nimroz, FALLS" in edited["entries/zaranj-falls/index.html"]

    # A file written moments ago may be written again within the same timestamp tick, keeping its size
    # and mtime: its stat is not trusted, the bytes tell the change. (Written again just before the build
    # that sees it, so that "moments ago" holds however long the builds above took.)
    meeting = entries / "timed-meeting.yaml"
    meeting.write_text(TIMED_ENTRY, encoding="utf-8")
    assert_same_as_cold(content, capsys, tmp_path)
    stat = meeting.stat()
    meeting.write_text(TIMED_ENTRY.replace("A meeting", "A MEETING"), encoding="utf-8")
    os.utime(meeting, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert meeting.stat().st_size == stat.st_size
    retitled = assert_same_as_cold(content, capsys, tmp_path)
    assert b"A MEETING at a stated local time" in retitled["entries/timed-meeting/index.html"]

    (entries / "a-new-entry.yaml").write_text(TIMED_ENTRY.replace("A meeting", "Another meeting"),
                                              encoding="utf-8")
    added = assert_same_as_cold(content, capsys, tmp_path)
    assert "entries/a-new-entry/index.html" in added

    renamed = TIMED_ENTRY.replace("A meeting", "A renamed meeting") + "aliases: [a-new-entry]\n"
    (entries / "a-new-entry.yaml").unlink()
    (entries / "renamed-entry.yaml").write_text(renamed, encoding="utf-8")
    moved = assert_same_as_cold(content, capsys, tmp_path)
    assert "entries/renamed-entry/index.html" in moved and "entries/a-new-entry/index.html" in moved


def test_a_settings_change_reaches_cached_entries(content, capsys, tmp_path):
    kabul = assert_same_as_cold(content, capsys, tmp_path)
    settings = content / "timeline.yaml"
    settings.write_text(settings.read_text(encoding="utf-8").replace("Asia/Kabul", "Europe/London"),
                        encoding="utf-8")
    london = assert_same_as_cold(content, capsys, tmp_path)
    page = "entries/timed-meeting/index.html"
    assert kabul[page] != london[page]
    assert b"2021-08-06T14:30+01:00" in london[page]


def test_errors_and_warnings_are_reported_the_same_from_the_cache(content, capsys, tmp_path):
    entries = content / "entries"
    (entries / "broken-date.yaml").write_text(TIMED_ENTRY.replace("2021-08-06 14:30", "2021-02-30"),
                                              encoding="utf-8")
    (entries / "no-summary.yaml").write_text(
        "title: No summary here\ndate: 2021-08-01\ntags: [talks]\n"
        "aliases: [zaranj-falls]\nsources:\n  - name: Test desk\n", encoding="utf-8")
    reports = []
    for _ in range(2):  # the second run reads every entry from the cache
        code = run_cli("check", "--content", content, "--format", "json")
        reports.append((code, capsys.readouterr().out))
    assert run_cli("check", "--content", content, "--format", "json", "--no-cache") == reports[0][0] == 1
    assert capsys.readouterr().out == reports[0][1] == reports[1][1]
    text = reports[1][1]
    assert '"field": "date"' in text and '"severity": "warning"' in text
    # Problems found across files still point at the line of the alias and the tag.
    found = {(Path(problem["file"]).name, problem["field"]): problem["line"] for problem in json.loads(text)}
    assert found[("no-summary.yaml", "aliases[1]")] == 4
    assert found[("timed-meeting.yaml", "tags[1]")] == 4

    (entries / "broken-date.yaml").write_text(TIMED_ENTRY.replace("A meeting", "A fixed meeting"), encoding="utf-8")
    (entries / "no-summary.yaml").unlink()
    assert_same_as_cold(content, capsys, tmp_path)


def test_media_files_appearing_and_disappearing_reach_cached_entries(content, capsys, tmp_path):
    entry = content / "entries" / "timed-meeting.yaml"
    entry.write_text(TIMED_ENTRY + "media:\n  src: meeting.jpg\n  alt: The meeting room\n  credit: Test desk\n",
                     encoding="utf-8")
    assert assert_same_as_cold(content, capsys, tmp_path) == {}  # an error: nothing built
    (content / "media").mkdir(exist_ok=True)
    (content / "media" / "meeting.jpg").write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    present = assert_same_as_cold(content, capsys, tmp_path)
    assert "entries/timed-meeting/index.html" in present
    (content / "media" / "meeting.jpg").unlink()
    assert assert_same_as_cold(content, capsys, tmp_path) == {}


@pytest.mark.parametrize("damage", [
    lambda data: data[: len(data) // 2],
    lambda data: b"",
    lambda data: b"\x00garbage\xff" * 100,
    lambda data: data.split(b"\n", 1)[0] + b"\n" + b"not a pickle at all",
    lambda data: data.split(b"\n", 1)[0] + b"\n" + bytes(cache.TOKEN_BYTES + 32) + pickle.dumps(["a list"]),
    lambda data: data[:-40] + bytes([data[-40] ^ 1]) + data[-39:],
], ids=["truncated", "empty", "garbage", "header-then-garbage", "unsigned", "one-byte-changed"])
def test_a_damaged_cache_is_ignored_and_replaced(content, capsys, tmp_path, damage):
    cache_dir = tmp_path / "cache"
    expected = assert_same_as_cold(content, capsys, tmp_path, cache_dir)
    files = cache_files(cache_dir)
    for file in files:
        file.write_bytes(damage(file.read_bytes()))
    for stamp in cache_dir.glob("stamp-*.pickle"):  # else the unchanged build is skipped, the cache unread
        stamp.unlink()
    assert assert_same_as_cold(content, capsys, tmp_path, cache_dir) == expected
    assert cache_files(cache_dir) == files
    for file in files:
        header, records = read_cache_file(file)
        assert header.startswith(b"timeline-load-cache ") and isinstance(records, dict)


def test_an_unwritable_cache_folder_only_costs_speed(content, capsys, tmp_path):
    blocker = tmp_path / "a-file-not-a-folder"
    blocker.write_text("in the way")
    assert run_cli("build", "--content", content, "--output", tmp_path / "site", "--cache-dir", blocker) == 0


def test_the_cache_is_used_and_no_cache_bypasses_it(content, capsys):
    """Plant a lie in the cache: a warm check repeats it (so the cache is really read), --no-cache does not."""
    cache_dir = default_cache_dir(content)
    assert run_cli("check", "--content", content) == 0
    [file] = [f for f in cache_files(cache_dir) if b"zaranj-falls.yaml" in f.read_bytes()]
    header, records = read_cache_file(file)
    record = records["zaranj-falls.yaml"]
    lie = load.EntryFile(None, (load.Problem("planted.yaml", "planted by the test"),))
    records["zaranj-falls.yaml"] = record._replace(result=lie)
    write_cache_file(file, header, records)
    capsys.readouterr()

    assert run_cli("check", "--content", content) == 1
    assert "planted by the test" in capsys.readouterr().err
    assert run_cli("check", "--content", content, "--no-cache") == 0
    assert "planted" not in capsys.readouterr().err


def test_parallel_parsing_gives_what_serial_parsing_gives(content, monkeypatch):
    names = [path.name for path in load.entry_files(content)]
    reading = load.Reading.of(content, ZoneInfo("Asia/Kabul"))
    serial = load.read_entry_files(reading, names)
    monkeypatch.setattr(workers, "PARALLEL_FROM", 2)
    pools = Calls(monkeypatch, "concurrent.futures.ProcessPoolExecutor")
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    if threading.active_count() > 1 or cpus < 2:
        pytest.skip("parsing stays serial with other threads running or a single CPU")
    assert workers.read_entries(reading, names) == serial
    assert pools.count == 1, "the files were not spread over worker processes"
    assert len(serial) == len(names) and all(loaded.entry is not None for loaded in serial)


def test_the_code_identity_covers_every_module_of_the_package(tmp_path):
    """One identity for every cache, derived from the package itself: a change to any module counts."""
    package = Path(cache.__file__).resolve().parent.parent
    copy = tmp_path / "timeline"
    shutil.copytree(package, copy, ignore=shutil.ignore_patterns("__pycache__"))
    modules = sorted(copy.rglob("*.py"))
    assert len(modules) >= 20 and {"load.py", "render.py", "store.py"} <= {m.name for m in modules}
    seen = {cache.identity_of(copy)}
    for module in modules:
        with open(module, "a", encoding="utf-8") as changed:
            changed.write("\n# changed\n")
        cache.identity_of.cache_clear()
        seen.add(cache.identity_of(copy))
    assert len(seen) == len(modules) + 1


def test_a_file_saved_again_while_it_is_parsed_is_parsed_again_next_time(tmp_path):
    """The cache records the bytes it parsed, not those found after parsing."""
    folder = tmp_path / "content"
    (folder / "entries").mkdir(parents=True)
    path = folder / "entries" / "a.yaml"
    path.write_text(TIMED_ENTRY, encoding="utf-8")
    reading = load.Reading.of(folder, ZoneInfo("Asia/Kabul"))

    def parse_then_saved(work, batches, recorder):
        packs = workers.each_batch(work, batches, recorder)
        path.write_text(TIMED_ENTRY.replace("A meeting", "Another meeting"), encoding="utf-8")  # saved again
        return packs

    def titles(cache: entries.EntryCache, **parse) -> list[str]:
        return [loaded.entry.title for loaded in cache.load([path.name], **parse)]

    fresh_cache = lambda: entries.EntryCache(tmp_path / "cache", reading, None)  # noqa: E731
    assert titles(fresh_cache(), parse=parse_then_saved) == ["A meeting at a stated local time"]
    warm = fresh_cache()
    assert titles(warm) == ["Another meeting at a stated local time"]
    assert titles(warm) == ["Another meeting at a stated local time"] and warm.fingerprints[0] is not None


def test_entries_carry_the_key_of_their_source(content, tmp_path):
    from timeline.speed import Cached

    first, second = Cached(tmp_path / "cache"), Cached(tmp_path / "cache")
    from timeline.load import load_content

    one = load_content(content, first.read_entries, first.time_zone)
    load_content(content, second.read_entries, second.time_zone)
    assert set(first._file_keys) == {e.id for e in one.entries} and first._file_keys == second._file_keys
    entry = content / "entries" / "timed-meeting.yaml"
    entry.write_text(TIMED_ENTRY.replace("14:30", "14:31"), encoding="utf-8")
    third = Cached(tmp_path / "cache")
    load_content(content, third.read_entries, third.time_zone)
    assert {i for i in third._file_keys if third._file_keys[i] != first._file_keys[i]} == {"timed-meeting"}


def test_editing_one_entry_rewrites_one_cache_file(content, capsys, tmp_path):
    cache_dir = tmp_path / "cache"
    assert run_cli("check", "--content", content, "--cache-dir", cache_dir) == 0
    before = {file: file.read_bytes() for file in cache_files(cache_dir)}
    assert len(before) > 1
    entry = content / "entries" / "timed-meeting.yaml"
    entry.write_text(TIMED_ENTRY.replace("14:30", "14:31"), encoding="utf-8")
    assert run_cli("check", "--content", content, "--cache-dir", cache_dir) == 0
    after = {file: file.read_bytes() for file in cache_files(cache_dir)}
    assert after.keys() == before.keys()
    assert len([file for file in after if after[file] != before[file]]) == 1


def test_a_file_touched_but_unchanged_is_not_parsed_and_its_stat_is_kept_once_trusted(content, tmp_path, monkeypatch):
    cache_dir = tmp_path / "cache"
    first = load_cached(content, cache_dir)
    files = {file: file.read_bytes() for file in cache_files(cache_dir)}
    entry = content / "entries" / "zaranj-falls.yaml"
    parsed = Calls(monkeypatch, "timeline.speed.entries.parse_entry")

    os.utime(entry)  # now: too recent to trust, so hashed on every load until it settles; no rewrite for it
    assert load_cached(content, cache_dir) == first
    assert {file: file.read_bytes() for file in cache_files(cache_dir)} == files

    hour_ago = entry.stat().st_mtime_ns - 3_600_000_000_000
    os.utime(entry, ns=(hour_ago, hour_ago))  # settled: its new stat is kept, in its one cache file
    assert load_cached(content, cache_dir) == first
    changed = [file for file in cache_files(cache_dir) if file.read_bytes() != files[file]]
    assert len(changed) == 1
    record = read_cache_file(changed[0])[1]["zaranj-falls.yaml"]
    assert (record.size, record.mtime_ns) == (entry.stat().st_size, hour_ago)
    assert parsed.count == 0
    entry.write_text(entry.read_text(encoding="utf-8").replace("Zaranj", "Zarandj", 1), encoding="utf-8")
    assert load_cached(content, cache_dir) != first and parsed.count == 1  # the twin: an edit is parsed


def test_records_pickled_by_the_workers_serve_the_next_load(content, tmp_path, monkeypatch):
    """A cold load spread over worker processes writes the cache files from what the workers pickled."""
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    if threading.active_count() > 1 or cpus < 2:
        pytest.skip("parsing stays serial with other threads running or a single CPU")
    monkeypatch.setattr(workers, "PARALLEL_FROM", 2)
    pools = Calls(monkeypatch, "concurrent.futures.ProcessPoolExecutor")
    cold = load_cached(content, tmp_path / "cache")
    assert pools.count == 1  # spread over worker processes
    warm = load_cached(content, tmp_path / "cache")
    assert pools.count == 1  # nothing left to parse: no worker was started
    assert warm == cold == load_cold(content)  # the same as without a cache


def test_records_are_pickled_by_the_model_classes_own_init_and_come_back_equal(content, tmp_path):
    """The cache files remake entries, dates, sources, tags, places, media, corrections and problems
    by calling their class with their fields: every value comes back equal, field by field."""
    (content / "media").mkdir(exist_ok=True)
    (content / "media" / "map.png").write_bytes(b"\x89PNG not really")
    (content / "entries" / "every-field.yaml").write_text(textwrap.dedent("""\
        title: Every field
        date: 2021-08-06T14:30+04:30
        end_date: 2021-08-07
        circa: true
        date_label: That weekend
        summary: All of them.
        body: Some *words*.
        tags: [Talks, Provincial capitals]
        place: {name: Null Island, region: Sea, country: None, lat: -0.0, lon: 0}
        sources:
          - {name: Test desk, url: "https://example.org/a", title: A, date: 6 August 2021, quote: Q}
          - {name: Wire}
        media: {src: map.png, alt: A map, caption: C, credit: D}
        updated: 2021-08-08
        corrections:
          - {date: 2021-08-08, text: Fixed.}
        aliases: [every-old-field]
        """), encoding="utf-8")
    cold = load_cold(content)
    warm = load_cached(content, tmp_path / "cache") and load_cached(content, tmp_path / "cache")
    assert warm == cold
    for before, after in zip(cold.entries, warm.entries):
        assert repr(after) == repr(before) and type(after.date.start.tzinfo) is type(before.date.start.tzinfo)
    entry = next(e for e in warm.entries if e.id == "every-field")
    assert repr(entry.place.lat) == "-0.0" and entry.media.src == "map.png" and entry.corrections[0].text == "Fixed."
    assert any(p.severity == "warning" for p in warm.problems)
    records = pickle.loads(entries.pickled_records({"problems": warm.problems, "entries": warm.entries}))
    assert records == {"problems": warm.problems, "entries": warm.entries}


@pytest.mark.parametrize("started", ["before the pull", "after the pull"])
def test_the_code_identity_is_that_of_the_code_running(content, tmp_path, monkeypatch, started):
    """A preview server keeps running the code it imported: once the code on disk changes (a git pull),
    what it loads must stay recorded under the identity of the code that loaded it, not the new code's.
    The twin: a process started after the pull runs the new code, which parses every entry afresh."""
    cache_dir = tmp_path / "cache"
    first = load_cached(content, cache_dir)
    headers = {file.read_bytes().split(b"\n", 1)[0] for file in cache_files(cache_dir)}
    pulled = tmp_path / "timeline"
    shutil.copytree(Path(cache.__file__).parent.parent, pulled, ignore=shutil.ignore_patterns("__pycache__"))
    with open(pulled / "validate.py", "a", encoding="utf-8") as validator:
        validator.write("\n# a changed validator\n")
    monkeypatch.setattr(cache, "__file__", str(pulled / "speed" / "store.py"))  # where the code is read from
    parsed = Calls(monkeypatch, "timeline.speed.entries.parse_entry")
    try:
        if started == "after the pull":
            cache.code_identity.cache_clear()  # what a new process takes at its first build
        assert load_cached(content, cache_dir) == first
        now = {file.read_bytes().split(b"\n", 1)[0] for file in cache_files(cache_dir)}
        if started == "before the pull":
            assert parsed.count == 0 and now == headers
        else:
            assert parsed.count == len(first.entries) and now.isdisjoint(headers)
    finally:
        monkeypatch.undo()
        cache.code_identity.cache_clear()  # the identity of the code the rest of the tests run


def test_a_media_field_spelled_with_escapes_still_ties_the_entry_to_the_media_folder(content, capsys, tmp_path):
    """Whether an entry names media is read from its fields, not its bytes: YAML spells the key
    media without those letters in a row as "m\\x65dia"."""
    entry = content / "entries" / "timed-meeting.yaml"
    entry.write_text(TIMED_ENTRY + '"m\\x65dia":\n  src: meeting.jpg\n  alt: The meeting room\n  credit: Test desk\n',
                     encoding="utf-8")
    assert b"media" not in entry.read_bytes()
    assert assert_same_as_cold(content, capsys, tmp_path) == {}  # the image is missing: an error
    (content / "media").mkdir(exist_ok=True)
    (content / "media" / "meeting.jpg").write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    present = assert_same_as_cold(content, capsys, tmp_path)
    assert "media/meeting.jpg" in present and "entries/timed-meeting/index.html" in present
    (content / "media" / "meeting.jpg").unlink()
    assert assert_same_as_cold(content, capsys, tmp_path) == {}


def test_a_cache_file_is_unpickled_once_per_process_until_it_is_replaced(tmp_path, monkeypatch):
    """A live preview does not unpickle again, at every save, the cache files it read or wrote itself;
    a file another process replaced is read again even when its size and timestamps are the same."""
    file, header = tmp_path / "cache" / "data.pickle", b"test-cache 1\n"
    data = {"kept": "aaaa"}
    cache.write_cached(file, header, data)
    unpickled = Calls(monkeypatch, "pickle.loads")
    assert cache.read_cached(file, header) is data and unpickled.count == 0
    assert cache.read_cached(file, b"test-cache 2\n") is None
    # Another process replaces the file, as every writer of a cache file does (by a rename), with
    # as many bytes, on a filesystem whose clock is too coarse to tell the two writes apart.
    before = file.stat()
    writer = "import sys; from pathlib import Path; from timeline.speed import store as cache; " \
             "cache.write_cached(Path(sys.argv[1]), b'test-cache 1\\n', {'kept': 'bbbb'})"
    subprocess.run([sys.executable, "-c", writer, str(file)], check=True, cwd=REPO)
    os.utime(file, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert file.stat().st_size == before.st_size
    assert cache.read_cached(file, header) == {"kept": "bbbb"} and unpickled.count == 1
    assert cache.read_cached(file, header) == {"kept": "bbbb"} and unpickled.count == 1
    write_cache_file(file, header.rstrip(b"\n"), {"edited": "in place"})  # by this user, signed
    assert cache.read_cached(file, header) == {"edited": "in place"} and unpickled.count == 2
    file.write_bytes(header + b"t" * cache.TOKEN_BYTES + bytes(32) + pickle.dumps({"planted": "unsigned"}))
    assert cache.read_cached(file, header) is None and unpickled.count == 2  # never unpickled
    file.write_bytes(header + b"damaged")
    assert cache.read_cached(file, header) is None
