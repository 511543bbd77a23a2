"""Incremental builds: a warm build is byte-identical to a cold one, and rewrites only what changed."""
from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

from support import PERIODS_LIMIT, TEMPLATES, Calls, Project, cached_build, cold_build, copy_content, options, \
    read_cache_file, write_cache_file, write_period_content
from timeline.layout import MARKER
from timeline.links import read_site
from timeline.pipeline import check
from timeline.speed import Cached
from timeline.speed import pages as pagecache

EDITED = "sheberghan-falls"


@pytest.fixture
def project(tmp_path):
    """Content and templates of its own, built once with a cache."""
    content = copy_content(tmp_path / "content")
    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES, templates)
    project = Project(tmp_path, content, templates)
    assert project.warm().ok
    return project


def entry_ids(project: Project) -> list[str]:
    """Entry ids in timeline order, as the index lists them."""
    index = (project.output / "index.html").read_text(encoding="utf-8")
    return re.findall(r'<article id="([a-z0-9-]+)"', index)


def test_a_no_op_build_writes_nothing(project):
    result = project.warm()
    assert result.written == () and result.removed == ()
    assert read_site(project.output) == project.cold()


def test_editing_an_entry_rewrites_its_page_neighbours_listings_and_exports_only(project):
    ids = entry_ids(project)
    position = ids.index(EDITED)
    entry = project.content / "entries" / f"{EDITED}.yaml"
    project.edit(entry, "title:", 'title: "Sheberghan falls: the first northern capital taken"\nold_title:')
    text = entry.read_text(encoding="utf-8")
    text = re.sub(r"\nold_title:.*?\n(?=\S)", "\n", text, count=1, flags=re.S)
    entry.write_text(text, encoding="utf-8")
    result = project.assert_warm_equals_cold()
    tags = re.findall(r'tags/([a-z0-9-]+)/index.html', (project.output / f"entries/{EDITED}/index.html").read_text())
    places = re.findall(r'places/([a-z0-9-]+)/index.html', (project.output / f"entries/{EDITED}/index.html").read_text())
    # Its share card shows the title; its neighbours' cards do not.
    expected = {f"entries/{EDITED}/index.html", f"entries/{EDITED}/share.png",
                f"entries/{ids[position - 1]}/index.html",
                f"entries/{ids[position + 1]}/index.html", "index.html", "feed.xml", "timeline.json", "changes/index.html", "changes.xml",
                "timeline.csv", "timeline.ics",
                "embed/index.html", f"embed/entries/{EDITED}/index.html", f"embed/entries/{EDITED}/oembed.json",
                *(f"tags/{tag}/index.html" for tag in tags), *(f"places/{place}/index.html" for place in places)}
    assert tags and places
    assert set(result.written) == expected
    assert not any(path.startswith("entries/") and path not in expected for path in result.written)


def test_a_changed_body_reaches_every_page_that_shows_it(project):
    entry = project.content / "entries" / f"{EDITED}.yaml"
    text = entry.read_text(encoding="utf-8")
    assert "body:" in text or "summary:" in text
    project.edit(entry, "summary:", "summary: Updated summary.\nold_summary:") if "summary:" in text else None
    text = entry.read_text(encoding="utf-8")
    entry.write_text(re.sub(r"\nold_summary:.*?\n(?=\S)", "\n", text, count=1, flags=re.S), encoding="utf-8")
    project.assert_warm_equals_cold()


@pytest.mark.parametrize("template, old, new", [
    ("macros.html", '<ol class="entries">', '<ol class="entries edited">'),  # included by index, tags, places
    ("entry_item.html", '<p class="summary"{{', '<p class="summary edited"{{'),  # each listing's items
    ("base.html", '<footer class="site">', '<footer class="site edited">'),  # extended by every page
    ("entry.html", "See this entry in the timeline", "See it in the timeline"),
    ("static/site.css", "}", "}\n/* edited */", ),  # copied, and inlined by the 404 page
])
def test_a_template_change_rerenders_what_uses_it(project, template, old, new):
    project.edit(project.templates / template, old, new)
    result = project.assert_warm_equals_cold()
    assert result.written
    if template == "entry.html":
        assert all(path.startswith("entries/") for path in result.written)
    if template == "static/site.css":
        assert set(result.written) == {"static/site.css", "404.html"}


def test_a_settings_change_rerenders_every_page(project):
    project.edit(project.content / "timeline.yaml", "publisher:", 'publisher: "Another desk"\nold_publisher:')
    settings = project.content / "timeline.yaml"
    settings.write_text(re.sub(r"\nold_publisher:.*?\n", "\n", settings.read_text(), count=1), encoding="utf-8")
    result = project.assert_warm_equals_cold()
    assert f"entries/{EDITED}/index.html" in result.written and "index.html" in result.written


def test_retiring_and_rewording_a_permalink(project):
    (project.content / "entries" / f"{EDITED}.yaml").unlink()
    project.assert_warm_equals_cold(f"entries/{EDITED}/")
    assert "removed" in (project.output / f"entries/{EDITED}/index.html").read_text().lower()
    lock = project.content / "permalinks.lock"
    project.edit(lock, "removed: The editors withdrew this entry from the timeline.",
                 "removed: Merged into another entry.")
    result = project.assert_warm_equals_cold()
    assert result.written == (f"entries/{EDITED}/index.html",)
    assert "Merged into another entry." in (project.output / f"entries/{EDITED}/index.html").read_text()


def test_output_files_deleted_or_edited_by_hand_are_repaired(project):
    page = project.output / f"entries/{EDITED}/index.html"
    index = project.output / "index.html"
    original = index.read_bytes()
    page.unlink()
    index.write_bytes(original.replace(b"<h1>", b"<h1>X", 1)[: len(original)])  # same size, other bytes
    result = project.assert_warm_equals_cold()
    assert set(result.written) == {f"entries/{EDITED}/index.html", "index.html"}


def test_an_output_file_touched_but_unchanged_is_not_rewritten(project):
    index = project.output / "index.html"
    os.utime(index, (1_000_000_000, 1_000_000_000))
    result = project.assert_warm_equals_cold()
    assert result.written == ()


def test_a_damaged_or_deleted_cache_gives_the_same_site(project):
    for cached in project.cache.glob("pages-*.pickle"):
        cached.write_bytes(b"timeline-page-cache 1\nnot a pickle")
    project.edit(project.content / "entries" / f"{EDITED}.yaml", "title:", "title: Edited\nold_title:")
    entry = project.content / "entries" / f"{EDITED}.yaml"
    entry.write_text(re.sub(r"\nold_title:.*?\n(?=\S)", "\n", entry.read_text(), count=1, flags=re.S))
    project.assert_warm_equals_cold()
    shutil.rmtree(project.cache)
    assert project.warm().written == ()
    assert list(project.cache.glob("pages-*.pickle"))


def test_a_new_output_folder_gets_every_page_although_the_cache_knows_them(project):
    project.output = project.root / "elsewhere"
    result = project.assert_warm_equals_cold()
    assert (project.output / MARKER).is_file() and len(result.written) == len(read_site(project.output))


# ---------------------------------------------------------------- the no-op fast path (stamp.py)

def test_a_build_with_nothing_changed_is_skipped_without_loading(project, monkeypatch):
    first = project.warm()  # the fixture's build recorded the lock: this one records the stamp anew
    loads = Calls(monkeypatch, "timeline.load.load_content")
    result = project.warm()
    assert result.ok and result.timeline is None and result.written == () and result.removed == ()
    assert result.entries == first.entries > 0 and result.files_written == first.files_written
    assert result.problems == first.problems and loads.count == 0
    _retitle(project)
    assert project.warm().timeline is not None and loads.count == 1  # the twin: a change is loaded
    monkeypatch.undo()
    assert read_site(project.output) == project.cold()


def _same_size_same_mtime(path: Path, old: bytes, new: bytes) -> None:
    """Rewrite a file with other bytes of the same length and put its mtime back: a stat cannot tell."""
    assert len(old) == len(new)
    stat = path.stat()
    data = path.read_bytes()
    assert old in data
    path.write_bytes(data.replace(old, new, 1))
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))


def test_an_edit_hidden_from_the_stat_is_still_seen_right_after_a_build(project):
    """Racy clean: a file modified close to the stamp is compared by its bytes, not its stat.

    Saved just before a build and again just after it, within one timestamp tick (simulated by
    putting the mtime back), it keeps its size and its mtime."""
    entry = project.content / "entries" / f"{EDITED}.yaml"
    entry.write_bytes(entry.read_bytes())
    assert project.warm().timeline is not None
    _same_size_same_mtime(entry, b"title: S", b"title: Z")
    result = project.assert_warm_equals_cold()
    assert f"entries/{EDITED}/index.html" in result.written


def test_an_output_page_edited_after_a_skipped_build_is_repaired(project):
    assert project.warm().timeline is None
    index = project.output / "index.html"
    index.write_bytes(index.read_bytes().replace(b"<h1>", b"<h2>", 1))
    result = project.assert_warm_equals_cold()
    assert result.written == ("index.html",)


@pytest.mark.parametrize("change", ["new file", "template", "drafts", "output folder"])
def test_what_an_unchanged_build_depends_on(project, change):
    project.warm()
    if change == "new file":
        shutil.copy(project.content / "entries" / f"{EDITED}.yaml", project.content / "entries" / "a-copy.yaml")
    elif change == "template":
        (project.templates / "robots.txt").write_text("User-agent: *\nDisallow: /private/\n", encoding="utf-8")
    elif change == "output folder":
        shutil.rmtree(project.output)
    if change == "drafts":
        result = cached_build(project.content, project.output, project.cache, project.templates, drafts=True)
        assert result.timeline is not None and result.timeline.drafts_included
        assert project.warm().timeline is not None  # back to a published build: not the drafts' stamp
        return
    result = project.warm()
    assert result.timeline is not None  # built, not skipped
    assert result.written
    assert read_site(project.output) == project.cold()


def test_many_files_are_staged_and_moved_by_threads_completely(tmp_path):
    from timeline import write

    count = write.THREADED_FROM + 50
    files = {f"entries/e{number}/index.html": f"page {number}\n".encode() for number in range(count)}
    first = write.write_site(files, tmp_path / "site")
    changed = {path: data + b"changed\n" for path, data in list(files.items())[: count - 10]}
    second = write.write_site({**files, **changed}, tmp_path / "site")
    assert len(first.written) == count and set(second.written) == set(changed)
    assert read_site(tmp_path / "site") == {**files, **changed}
    for path, (size, mtime_ns) in second.stats.items():
        stat = (tmp_path / "site" / path).stat()
        assert size == stat.st_size and mtime_ns in (stat.st_mtime_ns, -1)
    assert not list(tmp_path.glob(".site.*"))  # no staging or commit folder left behind


def _plant_lies_in_body_cache(project) -> None:
    shards = list(project.cache.glob("bodies-*.pickle"))
    assert shards
    for shard in shards:
        header, data = read_cache_file(shard)
        lies = {digest: "<p>A lie from the cache</p>" for digest in data}
        write_cache_file(shard, header, lies)


def _retitle(project) -> None:
    entry = project.content / "entries" / f"{EDITED}.yaml"
    project.edit(entry, "title: S", "title: Retitled S")


def test_cached_bodies_are_used(project):
    """The lie planted in the body cache shows (so the next test can fail)."""
    _plant_lies_in_body_cache(project)
    _retitle(project)
    project.warm()
    assert b"A lie from the cache" in (project.output / f"entries/{EDITED}/index.html").read_bytes()


def test_cached_bodies_are_not_used_by_other_code(project, monkeypatch):
    _plant_lies_in_body_cache(project)
    monkeypatch.setattr(pagecache, "code_identity", lambda: "another version of the converter")
    _retitle(project)
    project.assert_warm_equals_cold()


def test_an_unreadable_file_in_the_content_hides_no_edit(project):
    (project.content / "entries" / "notes.txt").symlink_to(project.root / "nowhere")  # a dangling link
    assert project.warm().ok
    assert project.warm().timeline is None  # skipped: the link is as it was
    _retitle(project)
    result = project.assert_warm_equals_cold()
    assert result.timeline is not None and f"entries/{EDITED}/index.html" in result.written


def test_a_linked_folder_in_the_content_is_recorded_as_a_link_and_never_followed(project, tmp_path):
    media = tmp_path / "shared-media"
    media.mkdir()
    (media / "photo.txt").write_text("one", encoding="utf-8")
    (project.content / "linked").symlink_to(media, target_is_directory=True)
    (media / "loop").symlink_to(media, target_is_directory=True)  # never entered, so no loop to end
    assert project.warm().ok
    assert project.warm().timeline is None
    (media / "photo.txt").write_text("two", encoding="utf-8")
    assert project.warm().timeline is None  # nothing a build reads changed
    (project.content / "linked").unlink()
    (project.content / "linked").symlink_to(tmp_path, target_is_directory=True)
    assert project.warm().timeline is not None  # the link itself did


def _plant_lies_in_fragment_cache(project) -> int:
    """Every cached listing item and TimelineJS event replaced by a lie; how many were planted."""
    planted = 0
    for shard in project.cache.glob("fragments-*.pickle"):
        header, fragments = read_cache_file(shard)
        lies = {key: (made_from, f"<li>A lie from the cache about {key[1]}</li>" if key[0] == "item"
                      else '{"lie": "from the cache"}') for key, (made_from, _) in fragments.items()}
        planted += len(lies)
        write_cache_file(shard, header, lies)
    return planted


def test_cached_fragments_are_used(project):
    """The lies show on the pages an edit re-renders (so the next tests can fail), about the other
    entries only: the edited entry's item and event are made again."""
    assert _plant_lies_in_fragment_cache(project) > 20
    _retitle(project)
    project.warm()
    tag_page = (project.output / "tags/provincial-capitals/index.html").read_text(encoding="utf-8")
    assert "A lie from the cache" in tag_page and f"A lie from the cache about {EDITED}" not in tag_page
    assert 'Retitled S' in tag_page
    exported = (project.output / "timeline.json").read_text(encoding="utf-8")
    assert '{"lie": "from the cache"}' in exported and "Retitled S" in exported


def test_the_fragment_cache_keeps_what_each_entry_is_now_and_nothing_of_entries_gone(project):
    gone = "zaranj-residents-flee-to-iran-border"
    (project.content / "entries" / f"{gone}.yaml").unlink()
    _retitle(project)
    assert project.warm(f"entries/{gone}/").ok
    kept = {}
    for shard in project.cache.glob("fragments-*.pickle"):
        kept.update({key: made_from for key, (made_from, _) in read_cache_file(shard)[1].items()})
    state = Cached(project.cache)
    timeline = check(options(project.content, allow_removed=(f"entries/{gone}/",)), state).timeline
    prints = state.entry_keys(timeline)
    assert {key[1] for key in kept} == set(prints) and gone not in prints
    assert all(made_from == prints[key[1]] for key, made_from in kept.items())


@pytest.mark.parametrize("change", ["settings", "template", "code"])
def test_cached_fragments_are_not_used_after_what_made_them_changed(project, monkeypatch, change):
    _plant_lies_in_fragment_cache(project)
    if change == "settings":
        project.edit(project.content / "timeline.yaml", 'title: "', 'title: "Renamed: ')
    elif change == "template":
        project.edit(project.templates / "entry_item.html", 'class="summary"', 'class="summary lead"')
    else:
        monkeypatch.setattr(pagecache, "code_identity", lambda: "another version of the renderer")
        _retitle(project)
    project.assert_warm_equals_cold()


def test_a_damaged_compiled_template_is_compiled_again(project):
    [folder] = project.cache.glob("templates-*")
    compiled = list(folder.glob("*.cache"))
    assert compiled
    from jinja2.bccache import bc_magic

    for file in compiled:
        write_cache_file(file, read_cache_file(file)[0], bc_magic + b"\x80\x04damaged")  # signed, but garbage
    _retitle(project)
    project.assert_warm_equals_cold()


def test_entries_that_swap_files_or_are_renamed_leave_no_stale_page(project):
    """The load cache's digest is of a file's bytes; the file's name (the entry's id) must count too."""
    entries = project.content / "entries"
    first, second = entries / "doha-talks-stalled.yaml", entries / f"{EDITED}.yaml"
    one, two = first.read_bytes(), second.read_bytes()
    first.write_bytes(two)
    second.write_bytes(one)
    project.assert_warm_equals_cold()
    first.rename(entries / "doha-talks-stall.yaml")
    project.assert_warm_equals_cold("entries/doha-talks-stalled/")


def test_a_template_saved_during_a_build_is_not_recorded_under_the_old_key(project, monkeypatch):
    """Jinja reads templates while pages render: an edit made meanwhile, then undone, must not leave
    pages of the edited version behind under the original version's key."""
    from timeline import render

    item = project.templates / "entry_item.html"
    original = item.read_text(encoding="utf-8")
    real_make_environment = render.make_environment

    def saved_meanwhile(*args, **kwargs):
        item.write_text(original.replace('class="summary"', 'class="summary saved-meanwhile"'), encoding="utf-8")
        return real_make_environment(*args, **kwargs)

    monkeypatch.setattr(render, "make_environment", saved_meanwhile)
    _retitle(project)
    project.warm()
    monkeypatch.undo()
    assert b"saved-meanwhile" in (project.output / "index.html").read_bytes()  # the race happened
    item.write_text(original, encoding="utf-8")  # undone: the templates are as the cache knew them
    project.assert_warm_equals_cold()


def test_the_stamp_describes_the_code_that_ran(project, monkeypatch):
    """A preview server keeps running the code it imported: a stamp it records after the code on disk
    changed (a git pull) must describe the code that ran, or a new process would skip its build."""
    from timeline.speed import stamp, store

    project.warm()
    stamp_file, = project.cache.glob("stamp-*.pickle")
    key_before = stamp.read_cached(stamp_file, stamp.FORMAT).scan.key
    package = Path(store.__file__).resolve().parent.parent
    pulled = project.root / "timeline"
    shutil.copytree(package, pulled, ignore=shutil.ignore_patterns("__pycache__"))
    (pulled / "render.py").write_text("# the code on disk after a pull\n", encoding="utf-8")
    monkeypatch.setattr(store, "__file__", str(pulled / "speed" / "store.py"))  # where the code is read from
    _retitle(project)
    assert project.warm().timeline is not None
    assert stamp.read_cached(stamp_file, stamp.FORMAT).scan.key == key_before
    assert store.identity_of(pulled) != store.code_identity()


def _installed_zone(key: str) -> bytes:
    """The TZif file zoneinfo reads for `key`: from the first folder of its path that has one, else tzdata."""
    import zoneinfo
    from importlib import resources

    for folder in zoneinfo.TZPATH:
        if os.path.isfile(os.path.join(folder, key)):
            return Path(folder, key).read_bytes()
    package, name = key.rsplit("/", 1)
    return resources.files(f"tzdata.zoneinfo.{package.replace('/', '.')}").joinpath(name).read_bytes()


@pytest.fixture
def zone_folder(tmp_path, monkeypatch):
    """A time zone database of the test's own (PYTHONTZPATH), as installed: Asia/Kabul and Europe/London."""
    import zoneinfo

    folder = tmp_path / "zoneinfo"
    for key in ("Asia/Kabul", "Europe/London"):
        (folder / key).parent.mkdir(parents=True, exist_ok=True)
        (folder / key).write_bytes(_installed_zone(key))
    installed = zoneinfo.TZPATH
    monkeypatch.setenv("PYTHONTZPATH", str(folder))
    zoneinfo.reset_tzpath()
    yield folder
    zoneinfo.reset_tzpath(to=installed)
    zoneinfo.ZoneInfo.clear_cache()


def test_a_time_zone_update_reaches_cached_entries_and_kept_pages(project, zone_folder):
    """Dates are read with the installed rules of the settings' time zone (Asia/Kabul): after a tzdata
    update, a warm build, in the same process (a preview) or a new one, must not keep the old offsets."""
    from zoneinfo import ZoneInfo

    kabul = zone_folder / "Asia" / "Kabul"
    rules = kabul.read_bytes()
    entry = project.content / "entries" / "clocks-change.yaml"
    entry.write_text("title: A time London's clocks skip\ndate: 2021-03-28 01:30\nsummary: Valid in Kabul.\n"
                     "sources:\n  - name: Test desk\n    url: https://example.org/clocks\n", encoding="utf-8")
    project.assert_warm_equals_cold()  # the same rules, found in another folder
    assert b"+04:30" in (project.output / "feed.xml").read_bytes()
    kabul.write_bytes((zone_folder / "Europe" / "London").read_bytes())  # the zone's rules change
    warm = project.warm()
    cold = cold_build(project.content, project.root / "cold", project.templates)
    assert not cold.ok and "does not exist in the time zone" in str(cold.errors)
    assert warm.problems == cold.problems
    project.edit(entry, "01:30", "02:30")
    project.assert_warm_equals_cold()
    assert b"2021-03-28T02:30+01:00" in (project.output / "entries" / "clocks-change" / "index.html").read_bytes()
    kabul.write_bytes(rules)  # and change back, read afresh as by a new process
    ZoneInfo.clear_cache()
    project.assert_warm_equals_cold()
    assert b"+04:30" in (project.output / "feed.xml").read_bytes()


# ---------------------------------------------------------------- period pages

@pytest.fixture
def periods(tmp_path) -> Project:
    """The synthetic timeline split into period pages (support.write_period_content), built once with a cache."""
    project = Project(tmp_path, tmp_path / "content", TEMPLATES)
    project.homes = write_period_content(project.content)
    project.assert_warm_equals_cold()
    return project


def test_an_edit_rewrites_only_its_period_page(periods):
    edited = "event-020"  # in March 2021, neither first nor last of it
    assert periods.homes[edited] == "2021-03"
    periods.edit(periods.content / "entries" / f"{edited}.yaml", "Event number 20", "Event number twenty")
    written = set(periods.assert_warm_equals_cold().written)
    assert {p for p in written if p.startswith("periods/") or p == "index.html"} == {"periods/2021-03/index.html"}
    assert f"entries/{edited}/index.html" in written

    # A new entry in 2019: its page, the index (count, span), the map and every period's list (count).
    (periods.content / "entries" / "event-new.yaml").write_text(
        'title: "A new event"\ndate: 2019-06-01\nsources:\n  - name: Wire\n', encoding="utf-8")
    written = set(periods.assert_warm_equals_cold().written)
    assert {"index.html", "periods/map.js", "periods/2019/index.html", "periods/2022/index.html"} <= written


def test_a_timeline_growing_past_the_threshold_splits_and_shrinking_joins_again(periods):
    settings, total = periods.content / "timeline.yaml", len(periods.homes)
    periods.edit(settings, f"entries_per_page: {PERIODS_LIMIT}", f"entries_per_page: {total}")
    periods.assert_warm_equals_cold()
    assert not (periods.output / "periods").exists()
    periods.edit(settings, f"entries_per_page: {total}", f"entries_per_page: {PERIODS_LIMIT}")
    periods.assert_warm_equals_cold()
    assert (periods.output / "periods" / "2021-08" / "index.html").is_file()
    periods.edit(settings, f"entries_per_page: {PERIODS_LIMIT}", f"entries_per_page: {total}")
    result = periods.assert_warm_equals_cold()
    assert not (periods.output / "periods").exists() and any(p.startswith("periods/") for p in result.removed)


def test_a_time_zone_read_through_a_link_is_compared_as_read(project, zone_folder):
    """zoneinfo reads a zone through the links system zone folders are made of (UTC is a link to Etc/UTC
    on Debian): a build with nothing changed is skipped, and one after the rules changed behind the
    link is not."""
    kabul = zone_folder / "Asia" / "Kabul"
    rules = kabul.with_name("Kabul-rules")
    kabul.rename(rules)
    kabul.symlink_to(rules.name)
    project.assert_warm_equals_cold()
    assert project.warm().timeline is None
    from zoneinfo import ZoneInfo

    rules.write_bytes((zone_folder / "Europe" / "London").read_bytes())
    ZoneInfo.clear_cache()  # as a new process reads them
    assert project.assert_warm_equals_cold().timeline is not None
    assert project.warm().timeline is None
