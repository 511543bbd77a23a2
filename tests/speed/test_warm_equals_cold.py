"""The cold build is the specification, on random sequences of edits.

A state machine (Hypothesis) edits one project as editors do: entries added, removed, renamed,
retitled, re-tagged, moved, redated, made drafts, broken and fixed; the settings, the templates, the
media, the about page and the permalink lock changed; files touched, aged or edited within a timestamp
tick; pages of the output deleted or edited by hand. After every step it builds the project the three
warm ways and holds each to a Cold build of the same content, with the same options, into a new folder
(the same site byte for byte, the same problems, the same lock; and a failed build leaves the site as
it was):

    the CLI build      Cached, with nothing held in memory from the last build (a new process),
                       publishing or not, with drafts or not, as the sequence chose;
    the no-op stamp    the same build again at once: skipped, and nothing in the site changes;
    the preview        InSession, one for the whole sequence as `serve` keeps one (publishing nothing).

CI (CI=true) runs a fixed set of sequences, derandomized and without an example database, so that a
run can be repeated; elsewhere each run draws new ones (and Hypothesis replays a failure it saved).
More on demand, for instance:

    WARM_COLD_EXAMPLES=200 WARM_COLD_STEPS=30 python -m pytest tests/speed/test_warm_equals_cold.py
"""
from __future__ import annotations

import datetime
import difflib
import hashlib
import os
import shutil
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test

from support import CONTENT, TEMPLATES, in_ci, options
from timeline.layout import LOCK_FILE as LOCK
from timeline.links import read_site
from timeline.permalinks import read_lock
from timeline.pipeline import build
from timeline.speed import Cached, Cold, InSession, store
from timeline.write import RACY_NS

EXAMPLES = int(os.environ.get("WARM_COLD_EXAMPLES", "6"))
STEPS = int(os.environ.get("WARM_COLD_STEPS", "8"))
PROFILE = settings(max_examples=EXAMPLES, stateful_step_count=STEPS, deadline=None, derandomize=in_ci(),
                   database=None if in_ci() else settings.default.database, print_blob=True,
                   suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                          HealthCheck.filter_too_much])
SOURCE_DATE_EPOCH = "1628503200"  # 2021-08-09T10:00:00Z: the day new permalinks are published

SHIPPED = sorted(path.stem for path in (CONTENT / "entries").glob("*.yaml"))
NEW_IDS = ["kunduz-test-event", "herat-test-event", "gone-entry"]
ALIASES = ["old-test-id", "gone-entry", SHIPPED[0]]
TAGS = ["Provincial capitals", "Taliban offensive", "Diplomacy", "Refugees"]
PLACES = [
    {"name": "Zaranj", "region": "Nimroz", "country": "Afghanistan"},
    {"name": "Sheberghan", "region": "Jawzjan", "country": "Afghanistan"},
    {"name": "Kabul", "country": "Afghanistan", "lat": 34.53, "lon": 69.17},
    {"name": "Kabul", "region": "Kabul", "country": "Afghanistan", "lat": -0.0, "lon": 69.17},
]
MEDIA = {"photo.jpg": [b"\xff\xd8\xff\xe0 a test photo", b"\xff\xd8\xff\xe0 another test photo"],
         "map.png": [b"\x89PNG a test map"]}
DATES = ["2021-08-07", "2021-08-06", "2021-05-01", "2021-08", "2021", "2021-08-06 14:30",
         "2021-08-06T14:30+04:30", "6 August 2021", "2021-09-15"]
SOURCE = {"name": "Test desk", "url": "https://example.org/report"}

# (field, value) an edit gives an entry; None removes the field. A few make the entry invalid: a date
# that does not exist, a tag spelt as another is (when that other is used), a field no entry has, no title.
FIELD_VALUES = [
    *(("title", title) for title in ("A test event", "Another test event", "A test event, retitled", None)),
    *(("date", date) for date in (*DATES, "2021-08-77")),
    ("end_date", "2021-08-20"), ("end_date", None), ("circa", True), ("circa", None),
    ("date_label", "That weekend"), ("date_label", None),
    ("summary", "A summary written for the test."), ("summary", None),
    *(("body", body) for body in ("One paragraph.", "Some *emphasis* and [a link](https://example.org/a).",
                                  "Two paragraphs.\n\nThe second, with `code`.", None)),
    *(("tags", tags) for tags in ([], TAGS[:1], TAGS[:2], TAGS[1:], ["Provincial Capitals"], None)),
    *(("place", place) for place in (*PLACES, None)),
    ("sources", [SOURCE]), ("sources", [SOURCE, {"name": "A witness", "via": "Test desk"}]),
    *(("media", media) for media in (
        {"src": "photo.jpg", "alt": "A test photo", "credit": "Test desk"},
        {"src": "map.png", "alt": "A test map", "caption": "Drawn for the test.", "credit": "Test desk"},
        {"src": "https://example.org/photo.jpg", "alt": "A photo elsewhere", "credit": "Test desk"}, None)),
    ("draft", True), ("draft", None), ("key", True), ("key", None),
    ("status", "ongoing"), ("status", "scheduled"), ("status", None),
    ("updated", "2021-08-09"), ("updated", None),
    ("corrections", [{"date": "2021-08-09", "text": "A name was misspelt."}]), ("corrections", None),
    *(("aliases", aliases) for aliases in ([ALIASES[0]], ALIASES[:2], [ALIASES[2]], None)),
    ("titel", "A field no entry has"), ("titel", None),
]
# The edits the preview puts into its last plan (the entry stays where it was on the site).
WORDS = [change for change in FIELD_VALUES
         if change[0] in ("title", "summary", "body", "sources", "circa", "date_label", "corrections")]
SETTING_VALUES = [
    ("entries_per_page", 10), ("entries_per_page", 11), ("entries_per_page", None),
    ("title", "A test timeline"), ("short_title", "Tests"), ("short_title", None), ("publisher", "The test desk"),
    ("description", None), ("language", "fr"), ("base_url", "https://example.org/elsewhere/"),
    ("timezone", "UTC"), ("timezone", "Europe/Paris"), ("timezone", "Asia/Kabul"), ("timezone", "Nowhere/Atall"),
    ("as_of", "2021-08-20"), ("as_of", None), ("eras", None),
    ("eras", [{"label": "First test period", "start": "2021-05-01", "end": "2021-06-30"},
              {"label": "Second test period", "start": "2021-06-15", "end": "2021-08-31", "note": "Overlapping."}]),
]
# Each template edit is a (file, old, new) replacement, or an addition at the end (old is None).
TEMPLATE_EDITS = [
    ("entry_item.html", 'class="summary"', 'class="summary lead"'),
    ("entry.html", None, "\n"),
    ("base.html", None, "{# a comment #}\n"),
    ("tag.html", None, "\n"),
    ("static/site.css", None, "\n.test-rule { color: inherit; }\n"),
    ("entry.html", "{% block main %}", "{% block main %}{{ no_such_value }}"),  # every entry page fails
    ("unused.html", None, "<p>No template includes this one.</p>\n"),
]
LOCK_EDITS = ["retired line", "published day", "removed reason", "comment", "byte order mark", "crlf"]


def plain(value):
    """A value PyYAML read, with its dates as the text an editor wrote."""
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [plain(item) for item in value]
    return value


def dumped(document: dict) -> str:
    return yaml.safe_dump(document, sort_keys=False, allow_unicode=True)


def a_new_entry(title: str, date: str, tags: list[str]) -> dict:
    return {"title": title, "date": date, "summary": "An event made up for the test.", "tags": tags,
            "sources": [SOURCE]}


@contextmanager
def a_new_process():
    """What a new process holds of the cache files: nothing (store keeps what this one read or wrote)."""
    held = store._held
    store._held = {}
    try:
        yield
    finally:
        store._held = held


def site_difference(warm: dict[str, bytes], cold: dict[str, bytes]) -> str:
    """Which files differ between two sites, and how the first one does."""
    only_warm, only_cold = sorted(warm.keys() - cold.keys()), sorted(cold.keys() - warm.keys())
    differing = sorted(path for path in warm.keys() & cold.keys() if warm[path] != cold[path])
    lines = [f"only in the warm site: {only_warm}", f"only in the cold site: {only_cold}", f"differing: {differing}"]
    if differing:
        first = differing[0]
        lines += difflib.unified_diff(cold[first].decode("utf-8", "replace").splitlines(),
                                      warm[first].decode("utf-8", "replace").splitlines(),
                                      f"cold/{first}", f"warm/{first}", n=1, lineterm="")
    return "\n".join(lines[:60])


class Reference:
    """What a cold build of the content made: whether it succeeded, its problems, its site and the lock."""

    def __init__(self, ok: bool, problems: list[str], files: dict[str, bytes] | None, lock: bytes | None):
        self.ok, self.problems, self.files, self.lock = ok, problems, files, lock


class WarmEqualsCold(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self.root = Path(tempfile.mkdtemp(prefix="warm-cold-"))
        self.content, self.templates = self.root / "content", self.root / "templates"
        shutil.copytree(CONTENT, self.content, ignore=shutil.ignore_patterns(".cache", "entry.schema.json"))
        shutil.copytree(TEMPLATES, self.templates)
        self.entries = {name: plain(yaml.safe_load((self.content / "entries" / f"{name}.yaml").read_text("utf-8")))
                        for name in SHIPPED}
        self.settings = plain(yaml.safe_load((self.content / "timeline.yaml").read_text("utf-8")))
        self.cli_output, self.cli_cache = self.root / "cli" / "site", self.root / "cli" / "cache"
        self.preview_content, self.preview_output = self.root / "preview" / "content", self.root / "preview" / "site"
        shutil.copytree(self.content, self.preview_content)
        self.broken: set[str] = set()
        self.cli_drafts, self.cli_publish = False, True
        self.colds: dict[tuple, Reference] = {}
        self.steps: list[str] = []

    def teardown(self):
        shutil.rmtree(self.root, ignore_errors=True)

    @initialize(drafts=st.booleans())
    def start_a_preview(self, drafts):
        self.preview = InSession(self.root / "preview" / "cache")
        self.preview_drafts = drafts

    # --- entries -------------------------------------------------------------------------------

    def entry_file(self, name: str) -> Path:
        return self.content / "entries" / f"{name}.yaml"

    def write_entry(self, name: str) -> None:
        self.entry_file(name).write_text(dumped(self.entries[name]), encoding="utf-8")

    @rule(data=st.data(), change=st.sampled_from(FIELD_VALUES))
    def edit_an_entry(self, data, change):
        if not self.entries:
            return
        name = data.draw(st.sampled_from(sorted(self.entries)), label="entry")
        field, value = change
        self.steps.append(f"{name}: {field} = {value!r}")
        if value is None:
            self.entries[name].pop(field, None)
        else:
            self.entries[name][field] = value
        self.write_entry(name)

    @rule(data=st.data(), change=st.sampled_from(WORDS))
    def edit_an_entrys_words(self, data, change):
        self.edit_an_entry(data, change)

    @rule(data=st.data(), changes=st.lists(st.sampled_from(WORDS), min_size=2, max_size=3))
    def edit_entries_at_once(self, data, changes):
        for change in changes:
            self.edit_an_entry(data, change)

    @rule(name=st.sampled_from(NEW_IDS), title=st.sampled_from(["A new test event", "Another new test event"]),
          date=st.sampled_from(DATES), tags=st.lists(st.sampled_from(TAGS), max_size=2, unique=True))
    def add_an_entry(self, name, title, date, tags):
        self.steps.append(f"add {name}")
        self.entries[name] = a_new_entry(title, date, tags)
        self.write_entry(name)

    @rule(data=st.data())
    def remove_an_entry(self, data):
        if not self.entries:
            return
        name = data.draw(st.sampled_from(sorted(self.entries)), label="entry")
        self.steps.append(f"remove {name}")
        del self.entries[name]
        self.entry_file(name).unlink()

    @rule(data=st.data(), new=st.sampled_from(NEW_IDS), keep_old_url=st.booleans())
    def rename_an_entry(self, data, new, keep_old_url):
        names = sorted(set(self.entries) - {new})
        if not names:
            return
        old = data.draw(st.sampled_from(names), label="entry")
        self.steps.append(f"rename {old} to {new}" + (" with its old id as an alias" if keep_old_url else ""))
        self.entries[new] = self.entries.pop(old)
        if keep_old_url:
            self.entries[new]["aliases"] = [*self.entries[new].get("aliases", []), old]
        self.entry_file(old).rename(self.entry_file(new))
        self.write_entry(new)

    @rule(name=st.sampled_from(SHIPPED))
    def restore_a_shipped_entry(self, name):
        self.steps.append(f"restore {name}")
        shutil.copyfile(CONTENT / "entries" / f"{name}.yaml", self.entry_file(name))
        self.entries[name] = plain(yaml.safe_load(self.entry_file(name).read_text("utf-8")))

    @rule(data=st.data(), broken=st.sampled_from(["title: [unclosed\n", "", "- a list\n- not a mapping\n"]))
    def break_an_entry(self, data, broken):
        if not self.entries:
            return
        name = data.draw(st.sampled_from(sorted(self.entries)), label="entry")
        self.steps.append(f"break {name}: {broken!r}")
        self.entry_file(name).write_text(broken, encoding="utf-8")
        self.broken.add(name)  # fixed once built, before the next step's edit

    @rule(data=st.data())
    def edit_within_the_timestamp_tick(self, data):
        """A same-size edit whose mtime is put back, as a second save within one timestamp tick leaves it:
        seen because the last build found the file too recent to trust its stat. (An old file so edited
        is out of reach of any stat, as for git: its mtime is left as the edit made it.)"""
        names = [name for name in sorted(self.entries) if b"title: " in self.entry_file(name).read_bytes()]
        if not names:
            return
        name = data.draw(st.sampled_from(names), label="entry")
        path = self.entry_file(name)
        before, old = path.stat(), path.read_bytes()
        at = old.index(b"title: ") + len(b"title: ")
        path.write_bytes(old[:at] + (b"Y" if old[at:at + 1] == b"Z" else b"Z") + old[at + 1:])
        within_the_tick = time.time_ns() - before.st_mtime_ns < RACY_NS // 2
        if within_the_tick:
            os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
        self.steps.append(f"same-size edit of {name}" + (", its mtime put back" if within_the_tick else ""))

    # --- the rest of the content, and the templates ------------------------------------------------------

    @rule(change=st.sampled_from(SETTING_VALUES))
    def edit_the_settings(self, change):
        field, value = change
        self.steps.append(f"settings: {field} = {value!r}")
        if value is None:
            self.settings.pop(field, None)
        else:
            self.settings[field] = value
        (self.content / "timeline.yaml").write_text(dumped(self.settings), encoding="utf-8")

    @rule(edit=st.sampled_from(TEMPLATE_EDITS), undo=st.booleans())
    def edit_a_template(self, edit, undo):
        name, old, new = edit
        path, original = self.templates / name, TEMPLATES / name
        self.steps.append(f"template {name}: {'undone' if undo else (old, new)}")
        if undo:
            if original.exists():
                shutil.copyfile(original, path)
            else:
                path.unlink(missing_ok=True)
            return
        text = path.read_text(encoding="utf-8") if path.exists() else ""
        path.write_text(text + new if old is None else text.replace(old, new, 1), encoding="utf-8")

    @rule(name=st.sampled_from(sorted(MEDIA)), version=st.integers(-1, 1))
    def edit_the_media(self, name, version):
        path = self.content / "media" / name
        versions = MEDIA[name]
        self.steps.append(f"media {name}: {'deleted' if version < 0 else version % len(versions)}")
        if version < 0:
            path.unlink(missing_ok=True)
            return
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(versions[version % len(versions)])

    @rule(about=st.sampled_from(["shipped", "added to", "deleted"]))
    def edit_the_about_page(self, about):
        path = self.content / "about.md"
        self.steps.append(f"about page {about}")
        if about == "shipped":
            shutil.copyfile(CONTENT / "about.md", path)
        elif about == "deleted":
            path.unlink(missing_ok=True)
        else:
            path.write_text((path.read_text(encoding="utf-8") if path.exists() else "# About\n")
                            + "\nA paragraph added for the test.\n", encoding="utf-8")

    @rule(edit=st.sampled_from(LOCK_EDITS))
    def edit_the_lock(self, edit):
        """The lock as an editor may change it; never by deleting lines (that is an error of its own, which
        only an output folder that published them can tell)."""
        self.steps.append(f"lock: {edit}")
        for content in (self.content, self.preview_content):  # the CLI's publishes, the preview's does not
            self.edit_a_lock(content / "permalinks.lock", edit)

    @staticmethod
    def edit_a_lock(path: Path, edit: str) -> None:
        text = path.read_bytes().decode("utf-8-sig")
        lines = text.split("\n")
        published = [number for number, line in enumerate(lines) if "\tpublished: " in line]
        if edit == "retired line" and "entries/gone-entry/" not in text:
            text += "entries/gone-entry/\tAn entry withdrawn\tpublished: 2021-08-01\tremoved: Withdrawn for the test.\n"
        elif edit == "published day" and published:
            line = lines[published[0]]
            lines[published[0]] = line.replace(line.split("\tpublished: ")[1][:10], "2021-08-08", 1)
            text = "\n".join(lines)
        elif edit == "removed reason":
            text = text.replace("removed: ", "removed: Reworded. ", 1)
        elif edit == "comment":
            text += "# a comment an editor added\n"
        elif edit == "crlf":
            text = text.replace("\r\n", "\n") if "\r\n" in text else text.replace("\n", "\r\n")
        path.write_bytes(("\ufeff" if edit == "byte order mark" else "").encode() + text.encode("utf-8"))

    @rule(where=st.sampled_from(["content", "templates"]), data=st.data())
    def touch_a_file(self, where, data):
        files = sorted(path for path in getattr(self, where).rglob("*") if path.is_file())
        path = data.draw(st.sampled_from(files), label="file")
        self.steps.append(f"touch {path.relative_to(self.root)}")
        os.utime(path)

    @rule()
    def age_every_input(self):
        """Files an hour old: their stats are trusted now, not their bytes."""
        self.steps.append("age every input")
        hour_ago = time.time_ns() - 3_600_000_000_000
        for folder in (self.content, self.templates):
            for path in folder.rglob("*"):
                os.utime(path, ns=(hour_ago, hour_ago), follow_symlinks=False)

    @rule(which=st.sampled_from(["cli", "preview"]), how=st.sampled_from(["deleted", "edited"]), data=st.data())
    def tamper_with_the_output(self, which, how, data):
        output = self.cli_output if which == "cli" else self.preview_output
        pages = sorted(output.rglob("*.html")) if output.exists() else []
        if not pages:
            return
        page = data.draw(st.sampled_from(pages), label="page")
        self.steps.append(f"{which} output: {page.relative_to(output)} {how}")
        if how == "deleted":
            page.unlink()
        else:
            page.write_bytes(page.read_bytes() + b"<!-- edited by hand -->")

    @rule()
    def change_the_cli_options(self):
        """The next CLI builds with drafts (which publishes nothing), then without them and publishing
        nothing (as a build of the tests' own does), then as `build` does."""
        self.cli_drafts, self.cli_publish = {(False, True): (True, True), (True, True): (False, False),
                                             (False, False): (False, True)}[(self.cli_drafts, self.cli_publish)]
        self.steps.append(f"CLI options: drafts={self.cli_drafts}, publish={self.cli_publish}")

    # --- the builds --------------------------------------------------------------------------------------

    def served(self, drafts: bool) -> set[str]:
        """The entry paths an entry serves (its id, its aliases), as far as the model knows."""
        return {f"entries/{path}/" for name, fields in self.entries.items() if drafts or not fields.get("draft")
                for path in (name, *(fields.get("aliases") or []))}

    def choices(self, content: Path, drafts: bool, publish: bool) -> dict:
        """Build options, retiring on purpose every path of the content's lock no entry serves."""
        lock, _ = read_lock(content)
        served = self.served(drafts)
        retired = tuple(path for path in lock if path not in served)
        return {"drafts": drafts, "publish": publish, "allow_removed": retired}

    def mirror(self) -> None:
        """The preview's content made the CLI's, every file with its bytes and mtime, but for the lock."""
        source, target = self.content, self.preview_content
        wanted = {path.relative_to(source) for path in source.rglob("*")} | {Path(LOCK)}
        for path in sorted(target.rglob("*"), reverse=True):  # files before their folders
            if path.relative_to(target) not in wanted:
                path.rmdir() if path.is_dir() else path.unlink()
        for relative in sorted(wanted - {Path(LOCK)}):
            original, copy = source / relative, target / relative
            if original.is_dir():
                copy.mkdir(exist_ok=True)
                continue
            if not copy.is_file() or copy.read_bytes() != original.read_bytes():
                shutil.copyfile(original, copy)
            found = original.stat()
            os.utime(copy, ns=(found.st_atime_ns, found.st_mtime_ns))

    def inputs(self, content: Path) -> str:
        digest = hashlib.sha256()
        for folder in (content, self.templates):
            for path in sorted(folder.rglob("*")):
                digest.update(str(path.relative_to(folder)).encode() + b"\0")
                if path.is_file():
                    digest.update(path.read_bytes() + b"\0")
        return digest.hexdigest()

    def cold(self, content: Path, choices: dict) -> Reference:
        """A cold build of a copy of the content into a new folder (kept for the step that asks again)."""
        key = (self.inputs(content), repr(sorted(choices.items())))
        if key not in self.colds:
            place = Path(tempfile.mkdtemp(dir=self.root, prefix="cold-"))
            copy, output = place / "content", place / "site"
            shutil.copytree(content, copy)
            result = build(options(copy, output, self.templates, **choices), Cold())
            self.colds[key] = Reference(result.ok, self.problems(result, copy, output),
                                        read_site(output) if result.ok else None, self.lock(copy))
            shutil.rmtree(place)
        return self.colds[key]

    @staticmethod
    def problems(result, content: Path, output: Path) -> list[str]:
        return [str(problem).replace(str(content.absolute()), "CONTENT").replace(str(output.absolute()), "OUTPUT")
                for problem in result.problems]

    @staticmethod
    def lock(content: Path) -> bytes | None:
        path = content / LOCK
        return path.read_bytes() if path.exists() else None

    def built_warm(self, what: str, content: Path, output: Path, state, choices: dict):
        """Build warm, and hold the result to a cold build of the same content with the same options."""
        reference = self.cold(content, choices)
        before = read_site(output) if output.exists() else {}
        result = build(options(content, output, self.templates, **choices), state)
        steps = "\n  ".join(self.steps)
        context = f"{what}, after:\n  {steps}"
        assert result.ok == reference.ok, f"{context}\nwarm: {result.problems}\ncold: {reference.problems}"
        assert self.problems(result, content, output) == reference.problems, context
        site = read_site(output) if output.exists() else {}
        expected = reference.files if reference.ok else before  # a failed build changes nothing
        assert site == expected, f"{context}\n{site_difference(site, expected)}"
        assert self.lock(content) == reference.lock, context
        return result, site

    @invariant()
    def every_warm_build_equals_the_cold_one(self):
        cli = self.choices(self.content, self.cli_drafts, self.cli_publish)
        with a_new_process():
            result, site = self.built_warm("the CLI build", self.content, self.cli_output, Cached(self.cli_cache), cli)
        with a_new_process():
            again = build(options(self.content, self.cli_output, self.templates, **cli), Cached(self.cli_cache))
        self.assert_skipped("the CLI's no-op build", result, again, self.cli_output, site)
        self.mirror()
        preview = self.choices(self.preview_content, self.preview_drafts, False)
        result, site = self.built_warm("the preview's rebuild", self.preview_content, self.preview_output,
                                       self.preview, preview)
        again = build(options(self.preview_content, self.preview_output, self.templates, **preview), self.preview)
        self.assert_skipped("the preview's no-op rebuild", result, again, self.preview_output, site)
        self.steps.append("(built)")
        for name in sorted(self.broken & self.entries.keys()):
            self.write_entry(name)
            self.steps.append(f"{name} fixed")
        self.broken.clear()

    def assert_skipped(self, what: str, last, again, output: Path, site: dict[str, bytes]) -> None:
        """The same build again at once: skipped when the last one succeeded, and the site untouched."""
        assert read_site(output) == site, f"{what} changed the site"
        if last.ok:
            assert again.timeline is None and again.written == (), f"{what} was not skipped: {again.written}"
        assert again.problems == last.problems, what


def test_random_edits_build_warm_as_cold(monkeypatch):
    """See the module's docstring; a failure names the steps, and the file that differs first."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", SOURCE_DATE_EPOCH)
    run_state_machine_as_test(WarmEqualsCold, settings=PROFILE)


def test_the_comparison_fails_when_a_site_differs(monkeypatch):
    """The machine's assertion can fail: a cold site other than the warm one is reported, file by file."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", SOURCE_DATE_EPOCH)
    machine = WarmEqualsCold()
    try:
        machine.start_a_preview(drafts=False)
        machine.every_warm_build_equals_the_cold_one()
        machine.edit_the_settings(("publisher", "The test desk"))
        reference = machine.cold(machine.content, machine.choices(machine.content, drafts=False, publish=True))
        reference.files = {**reference.files, "index.html": b"not what the warm build made"}
        with pytest.raises(AssertionError, match="the CLI build") as failed:
            machine.every_warm_build_equals_the_cold_one()
        assert "differing: ['index.html']" in str(failed.value)
    finally:
        machine.teardown()
