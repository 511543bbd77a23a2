"""Language editions and the speed machinery: a warm build after a translation is edited, added or removed,
an edition's settings changed or an original edited, is the cold build; a session builds such edits in full."""
from __future__ import annotations

import shutil

import pytest

import support
from support import OUTDATED, TEMPLATES, TRANSLATED, Calls, complete_editions, copy_content, options, write_editions
from timeline.links import read_site
from timeline.pipeline import build
from timeline.speed import InSession

TRANSLATIONS = "translations"


@pytest.fixture
def project(tmp_path):
    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES, templates)
    project = support.Project(tmp_path, copy_content(tmp_path / "content"), templates)
    write_editions(project.content)
    assert project.warm().ok
    return project


def _translation(project, language: str, entry_id: str):
    return project.content / TRANSLATIONS / language / "entries" / f"{entry_id}.yaml"


def test_a_translation_edited_is_built_as_a_cold_build_would(project):
    project.edit(_translation(project, "fr", TRANSLATED), "Corps d'essai.", "Corps d'essai, modifié.")
    result = project.assert_warm_equals_cold()
    assert f"fr/entries/{TRANSLATED}/index.html" in result.written
    assert f"entries/{TRANSLATED}/index.html" not in result.written  # the original's page did not change
    assert "Corps d\u2019essai, modifié." in (project.output / "fr" / "index.html").read_text(encoding="utf-8") \
        or "modifié" in (project.output / "fr" / "entries" / TRANSLATED / "index.html").read_text(encoding="utf-8")


def test_a_translation_added_then_removed_is_built_as_a_cold_build_would(project):
    added = _translation(project, "fa-AF", "doha-talks-stalled")
    added.write_text(_translation(project, "fa-AF", TRANSLATED).read_text(encoding="utf-8"), encoding="utf-8")
    project.assert_warm_equals_cold()
    before = (project.output / "fa-AF" / "entries" / "doha-talks-stalled" / "index.html").read_text(encoding="utf-8")
    assert 'class="untranslated"' not in before
    added.unlink()
    project.assert_warm_equals_cold()
    after = (project.output / "fa-AF" / "entries" / "doha-talks-stalled" / "index.html").read_text(encoding="utf-8")
    assert 'class="untranslated"' in after


def test_an_editions_settings_and_an_original_edited_are_built_as_a_cold_build_would(project):
    project.edit(project.content / TRANSLATIONS / "fr" / "timeline.yaml", "Combats (essai)", "Luttes (essai)")
    project.assert_warm_equals_cold()
    project.edit(project.content / "entries" / "doha-talks-stalled.yaml", "Peace talks in Doha", "Peace talks at Doha")
    result = project.assert_warm_equals_cold()
    assert "fr/entries/doha-talks-stalled/index.html" in result.written  # shown untranslated, so changed there too
    project.edit(project.content / "entries" / f"{OUTDATED}.yaml", "Sheberghan", "Shibarghan")
    project.assert_warm_equals_cold()


def test_a_language_added_is_built_as_a_cold_build_would(project):
    settings = project.content / "timeline.yaml"
    project.edit(settings, "[fr, fa-AF]", "[fr, fa-AF, ps]")
    result = project.assert_warm_equals_cold()
    assert "ps/index.html" in result.written
    assert 'hreflang="ps"' in (project.output / "fr" / "index.html").read_text(encoding="utf-8")


def test_a_session_builds_translation_edits_and_originals_in_full(project, monkeypatch):
    """With every entry translated (no warning found across entries, which alone would make it build in full)."""
    complete_editions(project.content)
    session = InSession(project.cache)
    assert build(options(project.content, project.output, project.templates), session).ok
    plans = Calls(monkeypatch, "timeline.plan.plan_site")
    for path, old, new in ((_translation(project, "fr", TRANSLATED), "Corps d'essai.", "Corps d'essai, revu."),
                           (project.content / "entries" / "doha-talks-stalled.yaml", "Peace talks in Doha",
                            "Peace talks at Doha")):
        project.edit(path, old, new)
        result = build(options(project.content, project.output, project.templates), session)
        assert result.ok, result.problems
        assert read_site(project.output) == project.cold()
    assert plans.count == 4  # each rebuild planned in full, and each cold build
