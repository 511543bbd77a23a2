"""Rebuilds in a session after an edit (speed/session.py): the last build's plan with the edited entries put in
is the plan of the new content, the site is the one a cold build makes, and anything else is built in full."""
from __future__ import annotations

import hashlib
import os
import shutil

import pytest

import support
from support import TEMPLATES, Calls, cold_build, copy_content, options, read_cache_file
from timeline.links import read_site
from timeline.pipeline import build, check
from timeline.plan import plan_site
from timeline.speed import Cached, InSession, entries

EDITED = "sheberghan-falls"


class Project(support.Project):
    """The default content, split by month, built in a session as serve builds it."""

    def __init__(self, root):
        templates = root / "templates"
        shutil.copytree(TEMPLATES, templates)
        super().__init__(root, copy_content(root / "content"), templates)
        settings = self.content / "timeline.yaml"
        # 11 entries, split by month: period pages and their navigation are planned too.
        settings.write_text(settings.read_text(encoding="utf-8") + "entries_per_page: 10\n", encoding="utf-8")
        self.entry = self.content / "entries" / f"{EDITED}.yaml"
        self.state = InSession(self.cache)  # as serve keeps one

    def build(self, **choices):
        return build(options(self.content, self.output, self.templates, **choices), self.state)

    def edit(self, old: str, new: str, path=None) -> None:
        super().edit(path or self.entry, old, new)


@pytest.fixture
def project(tmp_path):
    project = Project(tmp_path)
    result = project.build()
    assert result.ok
    project.cold_problems = result.problems
    return project


@pytest.fixture
def full_builds(monkeypatch):
    """How many times a build loaded the whole content and planned every page."""
    return FullBuilds(Calls(monkeypatch, "timeline.load.load_content"), Calls(monkeypatch, "timeline.plan.plan_site"))


class FullBuilds(dict):
    """{"load": n, "plan": n}, counted as they happen."""

    def __init__(self, loads: Calls, plans: Calls):
        super().__init__()
        self.loads, self.plans = loads, plans

    def __getitem__(self, key):
        return {"load": self.loads.count, "plan": self.plans.count}[key]

    def __eq__(self, other):
        return {"load": self.loads.count, "plan": self.plans.count} == other

    def __repr__(self):
        return repr({"load": self.loads.count, "plan": self.plans.count})


def assert_like_a_new_process(project):
    """The kept build is what loading and planning the content from scratch gives, and the site
    is byte for byte the one a cold build makes."""
    kept = project.state.last
    state = Cached(project.cache)
    fresh = check(options(project.content, project.output, project.templates), state).timeline
    assert kept.timeline == fresh
    assert kept.entry_keys == dict(state.entry_keys(fresh))
    planned = plan_site(fresh, state.entry_keys(fresh))
    assert [page.path for page in kept.pages] == [page.path for page in planned]
    for kept_page, planned_page in zip(kept.pages, planned):
        assert kept_page == planned_page, kept_page.path
    assert read_site(project.output) == project.cold()


SUMMARY = "  After several days of intense fighting"
# Each edit moves the lines below it, and with them the warnings of the sources without a URL.
EDITS = {
    "title": ("title: Sheberghan, capital", "title: Sheberghan, the capital"),
    "body": ("heavy fighting.", "heavy *fighting*, [reported](https://example.org/report)."),
    "summary": (SUMMARY, "  After days of intense fighting"),
    "source quote": ("quote: Sheberghan, the", "quote: Sheberghan, this"),
    "source added": ("sources:\n", "sources:\n  - name: EFE\n    url: https://example.org/efe\n"),
    "circa": ("date: 2021-08-07\n", "date: 2021-08-07\ncirca: true\n"),
    "date label": ("date: 2021-08-07\n", "date: 2021-08-07\ndate_label: Saturday morning\n"),
}


@pytest.mark.parametrize("field", EDITS)
def test_an_edit_is_put_into_the_last_plan(project, full_builds, field):
    project.edit(*EDITS[field])
    result = project.build()
    assert result.ok, result.problems
    assert full_builds == {"load": 0, "plan": 0}
    assert f"entries/{EDITED}/index.html" in result.written
    assert_like_a_new_process(project)


def test_edits_one_after_another_and_back(project, full_builds):
    before = read_site(project.output)
    neighbour = project.content / "entries" / "sheberghan-prison-taken.yaml"
    project.edit("title: Sheberghan, capital", "title: Sheberghan, first capital")
    assert project.build().ok
    project.edit("title: Taliban take", "title: The Taliban take", neighbour)
    project.edit("heavy fighting.", "heavy fighting, the council said.")
    assert project.build().ok  # two files at once
    assert_like_a_new_process(project)
    assert full_builds == {"load": 2, "plan": 2}  # assert_like_a_new_process's cold build and plan
    project.edit("title: Sheberghan, first capital", "title: Sheberghan, capital")
    project.edit("title: The Taliban take", "title: Taliban take", neighbour)
    project.edit("heavy fighting, the council said.", "heavy fighting.")
    assert project.build().ok
    assert full_builds == {"load": 2, "plan": 2}
    assert read_site(project.output) == before
    # The page keys the session keeps are the last build's, not every build's.
    assert len(project.state.page_keys[1]) == len({page.inputs for page in project.state.last.pages
                                                   if page.inputs})


PLACEMENT = {
    "date": ("date: 2021-08-07", "date: 2021-08-06"),
    "tags": ("tags: [Provincial capitals, Taliban offensive]", "tags: [Provincial capitals]"),
    "place": ("name: Sheberghan", "name: Sheberghan city"),
    "draft": ("date: 2021-08-07\n", "date: 2021-08-07\ndraft: true\n"),
    "aliases": ("date: 2021-08-07\n", "date: 2021-08-07\naliases: [jawzjan-capital-falls]\n"),
    "updated": ("date: 2021-08-07\n", "date: 2021-08-07\nupdated: 2021-08-09\n"),
    "end date": ("date: 2021-08-07\n", "date: 2021-08-07\nend_date: 2021-08-08\n"),  # drawn on the axes
    "correction": ("sources:\n", "corrections:\n  - date: 2021-08-09\n    text: The council member's name was misspelt.\nsources:\n"),  # listed among the changes
    "status": ("date: 2021-08-07\n", "date: 2021-08-07\nstatus: ongoing\n"),
}


@pytest.mark.parametrize("field", PLACEMENT)
def test_an_edit_that_moves_an_entry_is_built_in_full(project, full_builds, field):
    project.edit(*PLACEMENT[field])
    retired = (f"entries/{EDITED}/",) if field == "draft" else ()  # a published entry made a draft
    assert project.build(allow_removed=retired).ok
    assert full_builds["plan"] == 1
    assert read_site(project.output) == project.cold()


def test_retitling_an_entry_with_aliases_is_built_in_full(project, full_builds):
    project.edit("date: 2021-08-07\n", "date: 2021-08-07\naliases: [jawzjan-capital-falls]\n")
    assert project.build().ok
    project.edit("title: Sheberghan, capital", "title: Sheberghan, the capital")
    assert project.build().ok
    assert full_builds["plan"] == 2  # the alias's redirect page carries the title
    assert "Sheberghan, the capital" in (project.output / "entries/jawzjan-capital-falls/index.html").read_text()
    assert read_site(project.output) == project.cold()


@pytest.mark.parametrize("drafts", [False, True])
def test_a_draft_edited(project, full_builds, drafts):
    retired = () if drafts else (f"entries/{EDITED}/",)  # a published entry made a draft, unless previewed
    project.edit("date: 2021-08-07\n", "date: 2021-08-07\ndraft: true\n")
    assert project.build(allow_removed=retired, drafts=drafts).ok
    project.edit("heavy fighting.", "heavy fighting, the council said.")
    result = project.build(allow_removed=retired, drafts=drafts)
    assert result.ok and full_builds["plan"] == 1
    assert (f"entries/{EDITED}/index.html" in result.written) == drafts
    kept = project.state.last
    state = Cached(project.cache)
    fresh = check(options(project.content, drafts=drafts, allow_removed=retired), state).timeline
    assert kept.timeline == fresh
    assert kept.pages == plan_site(fresh, state.entry_keys(fresh))


def test_warnings_come_and_go_with_the_edits(project, full_builds):
    project.edit("  - name: Karim Jawzjani", "  - name: Anonymous\n  - name: Karim Jawzjani")
    warned = project.build().problems
    assert warned == support.load_cold(project.content).problems
    assert len(warned) == len(project.cold_problems) + 1
    project.edit("  - name: Anonymous\n", "")
    assert project.build().problems == project.cold_problems
    assert full_builds["plan"] == 0
    assert_like_a_new_process(project)


def test_a_broken_edit_then_its_fix(project, full_builds):
    project.edit("date: 2021-08-07", "date: 2021-08-77")
    broken = project.build()
    assert not broken.ok
    assert any(problem.field == "date" for problem in broken.errors)
    project.edit("date: 2021-08-77", "date: 2021-08-07")
    project.edit("heavy fighting.", "heavy fighting, the council said.")
    assert project.build().ok
    assert full_builds["plan"] == 0  # the failed build left the last good one to start from
    assert_like_a_new_process(project)


def test_an_editors_swap_and_backup_files_beside_the_entries_change_nothing(project, full_builds):
    """vim keeps .name.yaml.swp beside the file it edits, and others leave name.yaml~ behind."""
    folder = project.content / "entries"
    swap = folder / f".{EDITED}.yaml.swp"
    swap.write_bytes(b"b0VIM 9.0")
    project.edit("heavy fighting.", "heavy fighting, the council said.")
    assert project.build().ok
    swap.write_bytes(b"b0VIM 9.0, and more")
    (folder / f"{EDITED}.yaml~").write_text(project.entry.read_text(encoding="utf-8"), encoding="utf-8")
    project.edit("title: Sheberghan, capital", "title: Sheberghan, the capital")
    assert project.build().ok
    swap.unlink()
    project.edit("heavy fighting, the council said.", "heavy fighting.")
    assert project.build().ok
    assert full_builds["plan"] == 0
    assert_like_a_new_process(project)
    swap.write_bytes(b"b0VIM 9.0, opened again")
    assert project.build().timeline is None  # nothing to do: the stamp leaves them out too


def test_anything_but_entries_is_built_in_full(project, full_builds):
    settings = project.content / "timeline.yaml"
    project.edit("publisher: \"Timeline desk\"", "publisher: \"The desk\"", settings)
    project.edit("heavy fighting.", "heavy fighting, the council said.")
    assert project.build().ok
    (project.templates / "entry.html").write_text(
        (project.templates / "entry.html").read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert project.build().ok
    new_entry = project.content / "entries" / "kabul-falls.yaml"
    new_entry.write_text(project.entry.read_text(encoding="utf-8").replace("date: 2021-08-07", "date: 2021-08-15"),
                         encoding="utf-8")
    assert project.build().ok
    assert full_builds["plan"] == 3
    assert read_site(project.output) == project.cold()


def test_a_lost_output_file_is_written_again_without_a_full_build(project, full_builds):
    page = project.output / "entries" / EDITED / "index.html"
    page.unlink()
    result = project.build()
    assert result.ok and full_builds == {"load": 0, "plan": 0}
    assert f"entries/{EDITED}/index.html" in result.written
    assert read_site(project.output) == project.cold()


def test_another_site_built_in_the_same_session_is_not_mistaken_for_the_last(project, full_builds, tmp_path):
    other = Project(tmp_path / "other")
    other.state = project.state
    assert other.build().ok
    project.edit("heavy fighting.", "heavy fighting, the council said.")
    assert project.build().ok
    assert full_builds["plan"] == 2
    assert read_site(project.output) == project.cold()


def entry_cache_records(cache_dir) -> dict:
    """Every record the load cache holds, by entry file name (headers and tokens left out)."""
    records = {}
    for path in sorted(cache_dir.glob("entries-*.pickle")):
        records.update(read_cache_file(path)[1])
    return records


def test_an_edited_build_leaves_the_load_cache_as_a_full_build_does(project, full_builds):
    project.edit("heavy fighting.", "heavy fighting, the council said.")
    assert project.build().ok and full_builds["load"] == 0
    record = entry_cache_records(project.cache)[f"{EDITED}.yaml"]
    assert record.digest == hashlib.sha256(project.entry.read_bytes()).digest()


def test_a_damaged_load_cache_file_is_replaced_by_a_full_build(project, full_builds):
    shard = next(path for path in project.cache.glob("entries-*.pickle")
                 if f"{EDITED}.yaml".encode() in path.read_bytes())
    shard.write_bytes(shard.read_bytes()[:100])
    project.edit("heavy fighting.", "heavy fighting, the council said.")
    assert project.build().ok and full_builds["load"] == 1
    assert f"{EDITED}.yaml" in read_cache_file(shard)[1]
    assert_like_a_new_process(project)


def test_a_coordinate_signed_zero_is_planned_as_a_full_build_plans_it(project, full_builds):
    """Place(lat=0.0) == Place(lat=-0.0), but their reprs, which fingerprints are made of, differ."""
    project.edit("  country: Afghanistan\n", "  country: Afghanistan\n  lat: 0.0\n  lon: 65.7\n")
    assert project.build().ok
    project.edit("  lat: 0.0\n", "  lat: -0.0\n")
    assert project.build().ok
    assert '"latitude": -0.0' in (project.output / f"entries/{EDITED}/index.html").read_text(encoding="utf-8")
    assert_like_a_new_process(project)


def test_a_deleted_cache_folder_is_made_again_as_a_full_build_makes_it(project, full_builds):
    shutil.rmtree(project.cache)
    assert project.build().ok and full_builds["load"] == 1
    after_edited_path = {path.name.split("-")[0] for path in project.cache.iterdir()}
    shutil.rmtree(project.cache)
    project.state = InSession(project.cache)  # as in a new process
    assert project.build().ok
    after_full_build = {path.name.split("-")[0] for path in project.cache.iterdir()}
    assert after_edited_path == after_full_build


def test_a_template_error_from_an_edit_then_its_fix(project, full_builds):
    """An edit whose render fails leaves the last good build to start from; its fix builds as a full build."""
    entry_template = project.templates / "entry.html"
    entry_template.write_text(entry_template.read_text(encoding="utf-8").replace(
        "{% block main %}", "{% block main %}{% if entry.title == 'Boom' %}{{ no_such_value }}{% endif %}", 1),
        encoding="utf-8")
    assert project.build().ok
    project.edit("title: Sheberghan, capital of Jawzjan, falls to the Taliban", "title: Boom")
    failed = project.build()
    assert not failed.ok and "no_such_value" in str(failed.errors[-1])
    project.edit("title: Boom", "title: Sheberghan, capital of Jawzjan, falls to the Taliban")
    project.edit("heavy fighting.", "heavy fighting, the council said.")
    assert project.build().ok
    assert full_builds["plan"] == 1  # the template's edit; the edits since were put into its plan
    assert_like_a_new_process(project)


def test_a_tag_spelt_two_ways_then_fixed(project, full_builds):
    project.edit("tags: [Provincial capitals, Taliban offensive]", "tags: [Provincial capitals, Taliban Offensive]")
    assert not project.build().ok
    project.edit("tags: [Provincial capitals, Taliban Offensive]", "tags: [Provincial capitals, Taliban offensive]")
    result = project.build()
    assert result.ok and full_builds["plan"] == 0
    assert result.problems == project.cold_problems
    assert_like_a_new_process(project)


def test_a_retitled_entry_updates_the_permalink_lock_as_a_full_build_does(project, full_builds):
    project.edit("title: Sheberghan, capital", "title: Sheberghan, the capital")
    assert project.build(publish=True).ok
    lock = (project.content / "permalinks.lock").read_text(encoding="utf-8")
    assert "\tSheberghan, the capital" in lock
    project.edit("heavy fighting.", "heavy fighting, the council said.")
    assert project.build(publish=True).ok  # the lock this build wrote is not an edit
    assert full_builds["plan"] == 0
    assert_like_a_new_process(project)


def test_a_same_size_revert_within_the_timestamp_tick(project, full_builds):
    project.edit("heavy fighting.", "HEAVY fighting.")
    stat = project.entry.stat()
    assert project.build().ok
    project.edit("HEAVY fighting.", "heavy fighting.")
    os.utime(project.entry, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # same size, same mtime
    assert project.build().ok and full_builds["plan"] == 0
    assert_like_a_new_process(project)


def test_an_entry_edited_while_an_edited_build_reads_another(project, full_builds, monkeypatch):
    neighbour = project.content / "entries" / "sheberghan-prison-taken.yaml"
    real = entries.Recorder.read

    def read_then_edit(recorder, name):
        read = real(recorder, name)
        project.edit("title: Taliban take", "title: The Taliban take", neighbour)
        monkeypatch.setattr(entries.Recorder, "read", real)
        return read

    monkeypatch.setattr(entries.Recorder, "read", read_then_edit)
    project.edit("heavy fighting.", "heavy fighting, the council said.")
    assert project.build().ok
    assert project.build().ok and full_builds["plan"] == 0
    assert_like_a_new_process(project)


def test_a_new_process_after_edits_builds_the_cold_site(project, full_builds, monkeypatch):
    project.edit("heavy fighting.", "heavy fighting, the council said.")
    assert project.build().ok
    project.edit("title: Sheberghan, capital", "title: Sheberghan, the capital")
    assert project.build().ok
    project.state = InSession(project.cache)  # a new process: no last build, no page keys
    for stamp in project.cache.glob("stamp-*.pickle"):
        stamp.unlink()  # else the build is skipped as unchanged
    (project.output / f"entries/{EDITED}/index.html").unlink()
    assert project.build().ok and full_builds["plan"] == 1
    assert read_site(project.output) == project.cold()


@pytest.mark.parametrize("drafts", [False, True])
def test_a_draft_preview_then_a_published_build_of_the_same_output(project, full_builds, drafts):
    project.edit("heavy fighting.", "heavy fighting, the council said.")
    assert project.build(drafts=drafts).ok
    project.edit("heavy fighting, the council said.", "heavy fighting.")
    assert project.build(drafts=not drafts).ok
    assert full_builds["plan"] == (2 if drafts else 1)  # each change of options is built in full
    cold = project.root / "cold-drafts"
    assert cold_build(project.content, cold, project.templates, drafts=not drafts).ok
    assert read_site(project.output) == read_site(cold)


SEVERAL = {"capitals": "title: Capitals\nselect:\n  tags: [Provincial capitals]\n",
           "withdrawal": "title: Withdrawal\nselect:\n  tags: [Withdrawal]\n  entries: [sheberghan-falls]\n"}


@pytest.mark.parametrize("edit", ["entry title", "entry body", "timeline file", "timeline added", "timelines gone"])
def test_a_site_of_several_timelines_is_rebuilt_in_a_session_as_from_scratch(tmp_path, edit):
    project = Project(tmp_path)
    folder = project.content / "timelines"
    folder.mkdir()
    for name, text in SEVERAL.items():
        (folder / f"{name}.yaml").write_text(text, encoding="utf-8")
    assert project.build().ok
    if edit == "entry title":
        project.edit("title: Sheberghan, capital", "title: Sheberghan, the capital")
    elif edit == "entry body":
        project.edit("heavy fighting.", "heavy fighting, the council said.")
    elif edit == "timeline file":
        project.edit("title: Capitals", "title: The capitals", folder / "capitals.yaml")
    elif edit == "timeline added":
        (folder / "all.yaml").write_text("title: All\nselect:\n  from: 2021-01-01\n", encoding="utf-8")
    else:
        shutil.rmtree(folder)
    assert project.build().ok
    assert_like_a_new_process(project)
