"""Share cards in incremental and parallel builds: a card is drawn again only when what it shows changed,
a warm build's cards are a cold build's, and worker processes draw them when the render is spread."""
from __future__ import annotations

import shutil

import pytest

from support import TEMPLATES, Calls, Project, cold_build, copy_content, options
from timeline.links import read_site
from timeline.load import load_content
from timeline.pipeline import build
from timeline.speed import Cold, InSession, store, workers

EDITED = "sheberghan-falls"


@pytest.fixture
def project(tmp_path):
    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES, templates)
    project = Project(tmp_path, copy_content(tmp_path / "content"), templates)
    assert project.warm().ok
    return project


@pytest.fixture
def drawn(monkeypatch):
    """How many cards this process drew."""
    return Calls(monkeypatch, "timeline.cards.draw_card")


def cards_of(files: dict[str, bytes]) -> dict[str, bytes]:
    return {path: data for path, data in files.items() if path.endswith("/share.png")}


def test_a_no_op_build_draws_no_card(project, drawn):
    result = project.warm()
    assert result.written == () and drawn.count == 0
    assert cards_of(read_site(project.output)) == cards_of(project.cold())


def test_a_retitled_entry_has_its_card_drawn_again_and_no_other(project, drawn):
    project.edit(project.content / "entries" / f"{EDITED}.yaml", "title: Sheberghan", "title: The city of Sheberghan")
    result = project.assert_warm_equals_cold()
    assert [path for path in result.written if path.endswith(".png")] == [f"entries/{EDITED}/share.png"]
    assert drawn.count == 1 + len(cards_of(read_site(project.output)))  # the warm build's one, the cold build's all


def test_a_new_entry_draws_its_own_card_and_no_other(project, drawn):
    """A card shows nothing of the other entries, as the entry pages' locator does: a new entry, which
    changes every entry page, draws one card."""
    entry = project.content / "entries" / f"{EDITED}.yaml"
    (project.content / "entries" / "a-new-entry.yaml").write_text(
        entry.read_text(encoding="utf-8").replace("date: 2021-08-07", "date: 2021-08-31"), encoding="utf-8")
    result = project.warm()
    assert result.ok and "entries/a-new-entry/share.png" in result.written
    assert [path for path in result.written if path.endswith(".png")] == ["entries/a-new-entry/share.png"]
    assert drawn.count == 1
    assert read_site(project.output) == project.cold()


@pytest.mark.parametrize("template, old, new", [
    ("entry.html", "See this entry in the timeline", "See it in the timeline"),
    ("static/site.css", "}", "}\n/* edited */"),
])
def test_a_template_change_draws_no_card(project, drawn, template, old, new):
    project.edit(project.templates / template, old, new)
    result = project.warm()
    assert result.ok and result.written
    assert drawn.count == 0 and not [path for path in result.written if path.endswith(".png")]
    assert read_site(project.output) == project.cold()


def test_a_new_translation_of_a_cards_word_draws_the_cards_that_show_it_again(project, drawn):
    """A card draws a few words of the catalogue (cards.catalogue_words): a change to one of them draws the
    cards again, as a cold build would draw them (those of the key moments come out changed); a change to
    any other message draws none."""
    catalogue = project.templates / "locale" / "en" / "LC_MESSAGES" / "messages.po"
    project.edit(catalogue, 'msgid "Scroll the axis sideways"\nmsgstr "Scroll the axis sideways"',
                 'msgid "Scroll the axis sideways"\nmsgstr "Swipe the axis"')
    result = project.assert_warm_equals_cold()
    assert result.written and not [path for path in result.written if path.endswith(".png")]
    project.edit(catalogue, 'msgid "Key moment"\nmsgstr "Key moment"', 'msgid "Key moment"\nmsgstr "Turning point"')
    result = project.assert_warm_equals_cold()
    key = {f"entries/{entry.id}/share.png" for entry in load_content(project.content).entries if entry.key}
    assert key and {path for path in result.written if path.endswith("/share.png")} == key & set(cards_of(project.cold()))
    assert b"Turning point" in (project.output / "entries" / "zaranj-falls" / "index.html").read_bytes()


def test_a_new_site_name_draws_every_card_again(project, drawn):
    project.edit(project.content / "timeline.yaml", 'short_title: "Afghanistan 2021"', 'short_title: "Afghanistan"')
    result = project.assert_warm_equals_cold()
    assert len([path for path in result.written if path.endswith("/share.png")]) == len(cards_of(project.cold()))


def test_a_lost_card_is_drawn_again(project):
    (project.output / "entries" / EDITED / "share.png").unlink()
    result = project.assert_warm_equals_cold()
    assert result.written == (f"entries/{EDITED}/share.png",)


def test_a_preview_redraws_the_card_of_an_edited_entry_as_a_new_process_would(project, drawn):
    state = InSession(project.cache)
    preview = options(project.content, project.output, project.templates, publish=False)
    assert build(preview, state).ok
    project.edit(project.content / "entries" / f"{EDITED}.yaml", "title: Sheberghan", "title: The city of Sheberghan")
    result = build(preview, state)
    assert result.ok and f"entries/{EDITED}/share.png" in result.written
    assert drawn.count == 1
    assert read_site(project.output) == project.cold()


def test_the_cards_font_is_part_of_the_code_identity(tmp_path):
    package = tmp_path / "timeline"
    shutil.copytree(store.Path(store.__file__).resolve().parent.parent, package,
                    ignore=shutil.ignore_patterns("__pycache__"))
    before = store.identity_of(package)
    font = next((package / "fonts").glob("*.ttf"))
    font.write_bytes(font.read_bytes() + b"\0")
    store.identity_of.cache_clear()
    assert store.identity_of(package) != before
    assert {"PIL", "fontTools"} <= set(store.LIBRARIES)


def test_worker_processes_draw_the_cards(tmp_path, monkeypatch, drawn):
    content = copy_content(tmp_path / "content")
    assert cold_build(content, tmp_path / "serial").ok
    serial = drawn.count
    monkeypatch.setattr(workers, "PARALLEL_FROM", 5)  # the worker path, on a small site
    monkeypatch.setattr("timeline.speed.workers.threading.active_count", lambda: 1)
    if workers.fork_workers(100) < 2:
        pytest.skip("the render stays in one process on a single CPU or without fork")
    assert build(options(content, tmp_path / "parallel", publish=False), Cold()).ok
    assert serial == len(cards_of(read_site(tmp_path / "serial"))) > 0
    assert drawn.count == serial, "cards were drawn here rather than in the workers"  # the workers' counts stay there
    assert read_site(tmp_path / "parallel") == read_site(tmp_path / "serial")
    assert workers._pending_cards == [] and workers._pending == []
