"""A hostile pull request: everything the builder reads is untrusted, and none of it escapes the folders named.

Newsroom timelines live in repositories that take pull requests, and CI builds every one of them
(`python build.py check`, `python build.py`), often into an output folder the repository commits
(docs/ for GitHub Pages). So the content and templates folders, the output folder and its marker,
the folders beside it and the permalink lock may each be a link, a named pipe or a crafted file. Each
attack here asserts the safe outcome on real output: a clear error naming the file (or the input
ignored), no code run, nothing read, published, printed, moved or deleted outside the folders named,
no hang (the CLI runs in a process of its own with a timeout where a pipe could block it), no
unbounded growth. The caches are attacked in tests/speed/test_planted_caches.py.
"""
from __future__ import annotations

import json
import os
import pwd
import re
import resource
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from support import REPO, TEMPLATES, cold_build, copy_content, run_cli
from timeline import render, signing, write
from timeline.folders import MAX_DEPTH
from timeline.layout import MARKER
from timeline.links import read_site

SECRET = "TIMELINE-TEST-SECRET-4f1c2b"
# A file outside every folder a build is given, written so that whatever reads it would show it: a valid
# entry (title), valid settings (title), and lines a lock would quote in its error.
SECRET_YAML = f'title: "{SECRET}"\ndate: 2021-08-06\nbase_url: "https://example.org/"\ntimezone: UTC\n' \
              f"sources: [{{name: EFE}}]\n"
CANARY = b"a file outside the output folder that no build may change, move or delete\n"


@dataclass
class Repo:
    """A checkout (content, templates, output folder site/) and, outside it, a secret and a canary."""

    root: Path
    outside: Path

    @property
    def content(self) -> Path:
        return self.root / "content"

    @property
    def templates(self) -> Path:
        return self.root / "templates"

    @property
    def output(self) -> Path:
        return self.root / "site"

    @property
    def secret(self) -> Path:
        return self.outside / "secret.yaml"

    @property
    def canary(self) -> Path:
        return self.outside / "canary.txt"

    def folders(self) -> list[str | Path]:
        return ["--content", self.content, "--templates", self.templates]


@pytest.fixture
def repo(tmp_path) -> Repo:
    made = Repo(tmp_path / "repo", tmp_path / "outside")
    copy_content(made.content)
    shutil.copytree(TEMPLATES, made.templates)
    made.outside.mkdir()
    made.secret.write_text(SECRET_YAML, encoding="utf-8")
    made.canary.write_bytes(CANARY)
    return made


@pytest.fixture
def published(repo, capsys) -> Repo:
    """The repository with its site built once."""
    assert run_cli("build", *repo.folders(), "--output", repo.output) == 0, capsys.readouterr().err
    capsys.readouterr()
    return repo


def cli(capsys, *args) -> tuple[int, str]:
    """The command line run here: its exit status, and all it printed."""
    capsys.readouterr()
    code = run_cli(*args)
    printed = capsys.readouterr()
    return code, printed.out + printed.err


def run(*args, cwd: Path | None = None, env: dict | None = None, python: list[str] | None = None,
        limit_memory: bool = False) -> subprocess.CompletedProcess:
    """The command line in a process of its own: a build blocked on a pipe fails the test (timeout)
    instead of hanging the suite. `limit_memory`: a backstop of 6 GB of address space, so that a
    template the builder failed to stop cannot exhaust the machine."""
    command = [sys.executable, *(python or [str(REPO / "build.py")]), *map(str, args)]

    def backstop():
        resource.setrlimit(resource.RLIMIT_AS, (6 << 30, 6 << 30))

    return subprocess.run(command, cwd=cwd, env={**os.environ, "PYTHONPATH": str(REPO), **(env or {})},
                          capture_output=True, text=True, timeout=60, preexec_fn=backstop if limit_memory else None)


def tree(folder: Path) -> dict[str, object]:
    """Everything below `folder`, links not followed: bytes and mtime of a file, a link's target."""
    found: dict[str, object] = {}
    for inside, folders, files in os.walk(folder):
        for name in folders + files:
            path = os.path.join(inside, name)
            relative = os.path.relpath(path, folder)
            if os.path.islink(path):
                found[relative] = ("link", os.readlink(path))
            elif os.path.isdir(path):
                found[relative] = "folder"
            elif os.path.isfile(path):
                found[relative] = (Path(path).read_bytes(), os.stat(path).st_mtime_ns)
            else:
                found[relative] = "other"
    return found


def assert_never_shown(printed: str, *sites: Path) -> None:
    assert SECRET not in printed
    assert "Traceback" not in printed
    for site in sites:
        if site.exists():
            assert not any(SECRET.encode() in data for data in read_site(site).values())


def add_media(repo: Repo, src: str = "x.jpg") -> None:
    entry = repo.content / "entries" / "zaranj-falls.yaml"
    entry.write_text(entry.read_text(encoding="utf-8") + f"media:\n  src: {src}\n  alt: x\n  credit: y\n",
                     encoding="utf-8")


# --- the content folder --------------------------------------------------------------------------

@pytest.mark.parametrize("target", ["secret", "/proc/self/environ"])
def test_a_media_file_linked_outside_is_never_published(repo, target):
    (repo.content / "media").mkdir()
    (repo.content / "media" / "x.jpg").symlink_to(repo.secret if target == "secret" else target)
    add_media(repo)
    env = {"TIMELINE_TEST_SECRET": SECRET}  # what /proc/self/environ would give away
    for args in (["check"], ["check", "--format", "json"], ["build", "--output", repo.output]):
        result = run(*args, *repo.folders(), env=env)
        assert result.returncode == 1
        assert "media/x.jpg is a symbolic link" in result.stdout + result.stderr
        assert_never_shown(result.stdout + result.stderr)
    assert not repo.output.exists()


def test_a_media_folder_linked_outside_is_never_published(repo, capsys):
    (repo.outside / "media").mkdir()
    (repo.outside / "media" / "x.jpg").write_text(SECRET)
    (repo.content / "media").symlink_to(repo.outside / "media", target_is_directory=True)
    add_media(repo)
    for args in (["check"], ["check", "--format", "json"], ["build", "--output", repo.output]):
        code, printed = cli(capsys, *args, *repo.folders())
        assert code == 1
        assert "content/media is a symbolic link" in printed and "put the folder itself here" in printed
        assert_never_shown(printed)
    assert not repo.output.exists()


@pytest.mark.parametrize("linked", ["entries/zz-secret.yaml", "timeline.yaml", "permalinks.lock"])
def test_a_file_linked_to_a_secret_is_refused_and_never_shown(repo, capsys, linked):
    path = repo.content / linked
    path.unlink(missing_ok=True)
    path.symlink_to(repo.secret)
    for args in (["check"], ["check", "--format", "json"], ["check", "--links"], ["build", "--output", repo.output]):
        code, printed = cli(capsys, *args, *repo.folders())
        assert code == 1
        assert f"{linked.rsplit('/', 1)[-1]}" in printed and "is a symbolic link" in printed
        assert_never_shown(printed)
    assert not repo.output.exists()


def test_an_entries_folder_linked_outside_is_refused(repo, capsys):
    shutil.move(repo.content / "entries", repo.outside / "entries")
    entry = repo.outside / "entries" / "zaranj-falls.yaml"
    entry.write_text(entry.read_text(encoding="utf-8").replace("title: Zaranj", f"title: {SECRET} Zaranj"),
                     encoding="utf-8")
    (repo.content / "entries").symlink_to(repo.outside / "entries", target_is_directory=True)
    for args in (["check"], ["check", "--format", "json"], ["build", "--output", repo.output]):
        code, printed = cli(capsys, *args, *repo.folders())
        assert code == 1
        assert "content/entries: error: is a symbolic link" in printed or '"severity": "error"' in printed
        assert "no entries found" not in printed  # it says why
        assert_never_shown(printed)
    assert not repo.output.exists()


@pytest.fixture
def listed(monkeypatch) -> list[str]:
    """Every folder the builder lists (by name or through a link), as it names it."""
    from timeline import folders, load
    from timeline.speed import stamp

    seen: list[str] = []
    real_listing, real_scandir = folders.listing, os.scandir

    def listing(folder):
        seen.append(str(folder))
        return real_listing(folder)

    def scandir(path="."):
        if isinstance(path, (str, os.PathLike)):
            seen.append(os.fspath(path))
        return real_scandir(path)

    monkeypatch.setattr(folders, "listing", listing)
    monkeypatch.setattr(load, "listing", listing)
    monkeypatch.setattr(stamp.os, "scandir", scandir)
    return seen


@pytest.mark.parametrize("link, code, named", [
    ("content/entries/root", 0, "is not an entry"),  # a warning: the link is named, never entered
    ("content/entries", 1, "is a symbolic link (to /)"),
    ("content/media", 0, None),  # never entered (no entry names media)
    ("content/media/root", 0, None),
    ("templates/root", 0, None),
    ("templates/static/root", 1, "templates/static/root is a symbolic link"),
])
def test_a_link_to_the_root_folder_is_never_walked(repo, capsys, listed, link, code, named):
    path = repo.root / link
    if path.is_dir():
        shutil.rmtree(path)
    path.parent.mkdir(exist_ok=True)
    path.symlink_to("/", target_is_directory=True)
    for args in (["check"], ["build", "--output", repo.output]):
        status, printed = cli(capsys, *args, *repo.folders())
        expected = 0 if args == ["check"] and link.startswith("templates") else code
        assert status == expected, printed
        assert "Traceback" not in printed
        if named and status:
            assert named in printed
    assert listed and not [folder for folder in listed if folder == str(path) or folder.startswith(f"{path}/")]


def test_links_in_a_loop_are_named_and_never_followed(repo, capsys):
    entries = repo.content / "entries"
    (entries / "loop.yaml").symlink_to("loop.yaml")
    (entries / "a").symlink_to("b")
    (entries / "b").symlink_to("a")
    (repo.content / "media").mkdir()
    (repo.content / "media" / "here").symlink_to("..", target_is_directory=True)
    code, printed = cli(capsys, "check", *repo.folders())
    assert code == 1 and "Traceback" not in printed
    assert "loop.yaml: error: is a symbolic link (to loop.yaml)" in printed
    assert "entries/a: warning: is not an entry" in printed and "entries/b: warning: is not an entry" in printed


@pytest.mark.parametrize("pipe, command, code, named", [
    ("content/entries/x.yaml", "check", 1, "entries/x.yaml: error: is not a regular file (a named pipe"),
    ("content/entries/x.yaml", "build", 1, "entries/x.yaml: error: is not a regular file (a named pipe"),
    ("content/timeline.yaml", "check", 1, "timeline.yaml: error: is not a regular file (a named pipe"),
    ("content/permalinks.lock", "build", 1, "cannot read the permalink lock: is not a regular file (a named pipe"),
    ("content/media/x.jpg", "build", 1, "media/x.jpg is not a regular file (a named pipe"),
    ("templates/entry_item.html", "build", 1, "entry_item.html is not a regular file (a named pipe"),
    ("templates/entry_item.html", "check --links", 1, "entry_item.html is not a regular file (a named pipe"),
    ("templates/static/x.css", "build", 1, "static/x.css is not a regular file (a named pipe"),
    ("templates/unused.html", "build", 0, None),  # no template uses it: never opened
    ("site/.timeline-site.json", "build", 1, "was not written by this tool"),
    ("site/index.html", "build", 0, None),  # replaced by the page, never opened
])
def test_a_named_pipe_never_blocks_a_build(published, pipe, command, code, named):
    repo = published
    path = repo.root / pipe
    path.unlink(missing_ok=True)
    path.parent.mkdir(exist_ok=True)
    os.mkfifo(path)
    if "media" in pipe:
        add_media(repo)
    elif pipe.startswith("templates"):  # so that the build is not skipped as unchanged
        (repo.content / "entries" / "zaranj-falls.yaml").touch()
    result = run(*command.split(), *repo.folders(), *(["--output", repo.output] if command == "build" else []))
    assert result.returncode == code, result.stderr  # and it finished: run() waits 60 s at most
    assert "Traceback" not in result.stderr
    if named:
        assert named in result.stderr
    if pipe == "site/index.html":
        assert (repo.output / "index.html").is_file()


@pytest.mark.parametrize("planted", ["dangling link", "named pipe", "folder"])
def test_a_thing_named_like_an_entry_is_never_passed_over_in_silence(repo, capsys, planted):
    path = repo.content / "entries" / "x.yaml"
    if planted == "dangling link":
        path.symlink_to(repo.outside / "nothing-here.yaml")
    elif planted == "named pipe":
        os.mkfifo(path)
    else:
        path.mkdir()
        (path / "notes.txt").write_text("a folder with the name of an entry")
    code, printed = cli(capsys, "check", *repo.folders())
    assert code == 1 and "entries/x.yaml: error: " in printed
    code, printed = cli(capsys, "check", "--format", "json", *repo.folders())
    problems = json.loads(printed)
    assert [p["severity"] for p in problems if p["file"].endswith("entries/x.yaml")] == ["error"]


def test_a_file_name_cannot_print_lines_of_its_own_into_a_ci_log(repo, capsys):
    """CI logs are public, and GitHub Actions takes a line that starts with "::" as a command; a name
    holding a line break or an escape sequence is shown escaped, on its problem's one line."""
    entries = repo.content / "entries"
    (entries / "x\n::error title=Pwned::all tests passed\n.yaml").write_text("title: x\n")
    (entries / "y\x1b[2K\rok: 11 entries.txt").write_text("notes")
    code, printed = cli(capsys, "check", *repo.folders())
    assert code == 1
    assert "entries/x\\x0a::error title=Pwned::all tests passed\\x0a.yaml: error: " in printed
    assert "entries/y\\x1b[2K\\x0dok: 11 entries.txt: warning: " in printed
    assert not [line for line in printed.splitlines() if line.startswith("::") or "\x1b" in line or "\r" in line]
    code, printed = cli(capsys, "check", "--format", "json", *repo.folders())
    assert code == 1 and not [line for line in printed.splitlines() if line.lstrip().startswith("::")]
    assert any("::error title=Pwned" in problem["file"] for problem in json.loads(printed))


def nested(base: Path, depth: int, leaf: str) -> None:
    """`leaf` at the bottom of `depth` folders named a, each made inside the last (shutil and os.makedirs
    would recurse as deep)."""
    handle = os.open(base, os.O_RDONLY)
    for _ in range(depth):
        os.mkdir("a", dir_fd=handle)
        inner = os.open("a", os.O_RDONLY, dir_fd=handle)
        os.close(handle)
        handle = inner
    os.close(os.open(leaf, os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=handle))
    os.close(handle)


def flattened(base: Path) -> None:
    """Remove base/a/a/... without recursion (shutil.rmtree recurses as deep), one level at a time."""
    top = base / "a"
    while top.exists():
        for item in top.iterdir():
            if item.name != "a":
                item.unlink()
        if (top / "a").exists():
            os.rename(top / "a", base / "a-next")
            os.rmdir(top)
            os.rename(base / "a-next", top)
        else:
            os.rmdir(top)


@pytest.mark.parametrize("where, leaf, code, named", [
    ("content/entries", "x.yaml", 1, "so it would not be published"),
    ("content/media", "x.jpg", 0, None),
    ("templates", "x.html", 0, None),
    ("templates/static", "x.css", 1, "folders deep; a file here may lie at most"),
])
def test_folders_nested_a_thousand_deep_give_no_traceback(repo, capsys, where, leaf, code, named):
    base = repo.root / where
    base.mkdir(exist_ok=True)
    nested(base, 1100, leaf)  # deeper than Python's recursion limit
    try:
        for args in (["check"], ["build", "--output", repo.output]):
            status, printed = cli(capsys, *args, *repo.folders())
            assert status == (0 if args == ["check"] and where.startswith("templates") else code), printed
            if named and status:
                assert named in printed
    finally:
        flattened(base)


def test_a_media_path_nested_too_deep_is_refused(repo, capsys):
    depth = MAX_DEPTH + 1
    (repo.content / "media").mkdir()
    nested(repo.content / "media", depth, "x.jpg")
    add_media(repo, "a/" * depth + "x.jpg")
    code, printed = cli(capsys, "build", *repo.folders(), "--output", repo.output)
    assert code == 1 and f"folders deep; a file here may lie at most {MAX_DEPTH} folders deep" in printed
    assert not repo.output.exists()


# --- the templates folder ------------------------------------------------------------------------

MARKER_FILE = "ssti-ran"

CODE_PAYLOADS = [
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ ().__class__.__base__.__subclasses__() }}",
    "{{ cycler.__init__.__globals__.os.system('touch MARKER') }}",
    "{{ joiner.__init__.__globals__.os.popen('touch MARKER').read() }}",
    "{{ namespace.__init__.__globals__ }}",
    "{{ lipsum.__globals__['os'].system('touch MARKER') }}",
    "{{ lipsum.func_globals }}",
    "{{ self._TemplateReference__context.cycler.__init__.__globals__.os.system('touch MARKER') }}",
    "{{ self.__init__.__globals__ }}",
    "{{ ''|attr('__class__') }}",
    "{{ ''['__cla' ~ 'ss__'] }}",
    "{{ '{0.__class__.__base__}'.format('') }}",
    "{{ entry_items.__globals__ }}",
    "{{ settings.__class__.__init__.__globals__ }}",
    "{{ range.__self__.__import__('os').system('touch MARKER') }}",
    "{% set x = [] %}{{ x.append(1) }}",  # the sandbox is immutable: no changing what a template is given
]
ERROR_PAYLOADS = [
    "{{ range(10**9) }}",
    "{{ 'x' * 10**9 }}",
    "{{ 2 ** 10000 }}",
    "{{ 1/0 }}",
    "{{ 1 + 'a' }}",
    "{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}",
    '{% include "index.html" %}',
    "{{ " + "(" * 3000 + "1" + ")" * 3000 + " }}",
    "{% for a in [1] %}" * 30 + "{% endfor %}" * 30,
]


def with_payload(repo: Repo, payload: str, template: str = "index.html") -> None:
    path = repo.templates / template
    text = path.read_text(encoding="utf-8")
    assert "{% block main %}" in text
    path.write_text(text.replace("{% block main %}", "{% block main %}" + payload, 1), encoding="utf-8")


@pytest.mark.parametrize("payload", CODE_PAYLOADS + ERROR_PAYLOADS)
def test_a_template_payload_runs_no_code_and_stops_with_a_template_error(repo, tmp_path, capsys, payload):
    marker = tmp_path / MARKER_FILE
    with_payload(repo, payload.replace("MARKER", str(marker)))
    limits = resource.getrlimit(resource.RLIMIT_AS)
    commands = [["build", "--output", repo.output, "--no-cache"]]
    if payload == CODE_PAYLOADS[0]:
        commands.append(["check", "--links"])  # renders in memory: the same sandbox
    for args in commands:
        code, printed = cli(capsys, *args, *repo.folders())
        assert code == 1, printed
        assert re.search(r"templates/[\w/]+\.html:\d+: error: template error: ", printed), printed
        assert "Traceback" not in printed
    assert not marker.exists()
    assert not repo.output.exists()
    assert resource.getrlimit(resource.RLIMIT_AS) == limits  # the render's limits are lifted after it


def test_a_template_that_loops_for_ever_stops_within_the_page_time_limit(repo, capsys, monkeypatch):
    monkeypatch.setattr(render, "PAGE_SECONDS", 0.3)
    with_payload(repo, "{% for a in range(100000) %}{% for b in range(100000) %}{% endfor %}{% endfor %}")
    code, printed = cli(capsys, "build", *repo.folders(), "--output", repo.output, "--no-cache")
    assert code == 1 and "index.html took more than 0.3 s to render index.html" in printed
    assert not repo.output.exists()


@pytest.mark.parametrize("payload", [
    "{% set ns = namespace(s='x') %}{% for i in range(64) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s|length }}",
    "{% set ns = namespace(s='xx') %}{% for i in range(64) %}{% set ns.s = ns.s + ns.s %}{% endfor %}",
    "{{ '%0999999999d'|format(1) }}",
    "{{ '%0999999999d'|format(entries|length) }}",  # not a constant: made while rendering
    "{{ '{:>999999999}'.format(entries|length) }}",
    "{{ 'x'|center(999999999 + entries|length) }}",
    "{{ 'x'.ljust(999999999 + entries|length) }}",
    "{% for i in range(100000) %}{{ 'x' * 1000000 }}{% endfor %}",
])
@pytest.mark.skipif(not os.path.exists("/proc/self/statm"), reason="the memory limit needs /proc/self/statm (Linux)")
def test_a_template_that_would_take_all_memory_stops_with_a_template_error(repo, tmp_path, payload):
    """Each of these takes gigabytes within seconds. Run in a process of its own, with the page's memory
    lowered to 256 MB (and a backstop on the process, should the limit fail)."""
    with_payload(repo, payload)
    setup = "import sys; from timeline import render; render.PAGE_MEMORY = 256 << 20; render.PAGE_SECONDS = 20; " \
            "from timeline.commands.cli import main; sys.exit(main(sys.argv[1:]))"
    result = run("build", *repo.folders(), "--output", repo.output, "--no-cache", python=["-c", setup],
                 limit_memory=True)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr and "MemoryError" not in result.stderr
    assert "templates/index.html:" in result.stderr
    assert "took more than 256 MB of memory" in result.stderr or "took more than 20 s" in result.stderr
    assert not repo.output.exists()


@pytest.mark.parametrize("name", ["../content/timeline.yaml", "/etc/hostname", "../../outside/secret.yaml",
                                  "static/../../content/timeline.yaml"])
def test_a_template_cannot_include_a_file_outside_its_folder(repo, capsys, name):
    with_payload(repo, f'{{% include "{name}" %}}')
    code, printed = cli(capsys, "build", *repo.folders(), "--output", repo.output, "--no-cache")
    assert code == 1
    assert f'there is no template "{name}" in ' in printed
    assert "only the templates inside that folder" in printed
    assert_never_shown(printed)
    assert "The Taliban offensive of 2021" not in printed  # the settings' title: timeline.yaml was not read
    assert not repo.output.exists()


def test_a_template_linked_to_a_secret_is_refused(repo, capsys):
    (repo.templates / "entry_item.html").unlink()
    (repo.templates / "entry_item.html").symlink_to(repo.secret)
    (repo.outside / "partials").mkdir()
    (repo.outside / "partials" / "x.html").write_text(SECRET)
    (repo.templates / "partials").symlink_to(repo.outside / "partials", target_is_directory=True)
    code, printed = cli(capsys, "build", *repo.folders(), "--output", repo.output, "--no-cache")
    assert code == 1 and "entry_item.html is a symbolic link" in printed
    assert_never_shown(printed)
    (repo.templates / "entry_item.html").unlink()
    shutil.copy(TEMPLATES / "entry_item.html", repo.templates / "entry_item.html")
    with_payload(repo, '{% include "partials/x.html" %}')
    code, printed = cli(capsys, "build", *repo.folders(), "--output", repo.output, "--no-cache")
    assert code == 1 and "templates/partials is a symbolic link" in printed and "put the folder itself" in printed
    assert_never_shown(printed)
    assert not repo.output.exists()


def test_a_linked_static_folder_is_never_published(repo, capsys):
    shutil.move(repo.templates / "static", repo.outside / "static")
    (repo.outside / "static" / "secret.css").write_text(SECRET)
    (repo.templates / "static").symlink_to(repo.outside / "static", target_is_directory=True)
    page = repo.templates / "404.html"  # it inlines static/site.css: without, the static folder is only copied
    page.write_text(page.read_text(encoding="utf-8").replace('{% include "static/site.css" %}', ""), encoding="utf-8")
    code, printed = cli(capsys, "build", *repo.folders(), "--output", repo.output)
    assert code == 1 and "templates/static is a symbolic link" in printed
    assert_never_shown(printed, repo.output)
    assert not repo.output.exists()


# --- the output folder, its marker, and the folders beside it -----------------------------------------

def outside_the_output(repo: Repo) -> dict:
    """What a write must leave as it is: the output folder, the folders beside it, the outside folder."""
    return {"repo": tree(repo.root), "outside": tree(repo.outside)}


def plan_bytes(repo: Repo, plan: dict, signed: bool = True) -> bytes:
    data = json.dumps(plan).encode()
    signature = signing.sign(write._purpose(repo.output.resolve()), data) if signed else bytes(signing.SIGNATURE_BYTES)
    return signature + data


def plant_commit(repo: Repo, plan: dict | None, signed: bool = True, staged: dict[str, bytes] | None = None) -> Path:
    commit = write._commit_folder(repo.output)
    (commit / "files").mkdir(parents=True)
    for relative, data in (staged or {}).items():
        (commit / "files" / relative).parent.mkdir(parents=True, exist_ok=True)
        (commit / "files" / relative).write_bytes(data)
    if plan is not None:
        (commit / "plan.json").write_bytes(plan_bytes(repo, plan, signed))
    return commit


EVIL = b"<script>alert('published by a planted plan')</script>"


def _plan(move=(), remove=(), prints=None) -> dict:
    return {"move": list(move), "remove": list(remove), "fingerprints": prints or {}}


@pytest.mark.parametrize("case", ["unsigned", "absolute", "dot-dot", "dot-dot inside", "hidden", "through a link",
                                  "staged file not as signed", "no plan", "damaged plan"])
def test_a_planted_commit_folder_is_refused_before_anything_is_touched(published, capsys, case):
    repo = published
    staged = {"index.html": EVIL}
    good = _plan(["index.html"], ["entries/zaranj-falls/index.html"], {"index.html": write.fingerprint(EVIL)})
    if case == "through a link":
        (repo.outside / "linked").mkdir()
        (repo.outside / "linked" / "page.html").write_bytes(CANARY)
        (repo.output / "linked").symlink_to(repo.outside / "linked", target_is_directory=True)
    plans = {
        "unsigned": (good, False),
        "absolute": (_plan(remove=[str(repo.canary)]), True),
        "dot-dot": (_plan(remove=["../../outside/canary.txt"]), True),
        "dot-dot inside": (_plan(remove=["entries/../../../outside/canary.txt"]), True),
        "hidden": (_plan(["index.html", ".well-known/x"], [".git/config"], good["fingerprints"]), True),
        "through a link": (_plan(remove=["linked/page.html"]), True),
        "staged file not as signed": (_plan(["index.html"], (), {"index.html": write.fingerprint(b"other")}), True),
        "no plan": (None, True),
        "damaged plan": ({"move": "index.html"}, True),
    }
    named = {"unsigned": ".site.commit holds the plan of an interrupted build that this tool did not leave",
             "through a link": "a folder on the way to linked/page.html",
             "staged file not as signed": "is not the file the interrupted build staged",
             "no plan": ".site.commit holds no plan", "damaged plan": ".site.commit/plan.json is damaged"}
    plan, signed = plans[case]
    commit = plant_commit(repo, plan, signed, staged)
    before = outside_the_output(repo)
    code, printed = cli(capsys, "build", *repo.folders(), "--output", repo.output, "--no-cache")
    assert code == 1, printed
    assert named.get(case, "which is not a path inside") in printed and "Traceback" not in printed
    assert outside_the_output(repo) == before  # the site, the commit folder, the canary: all as they were
    assert commit.is_dir()


def test_a_commit_folder_that_is_a_link_or_a_file_is_refused(published, capsys):
    repo = published
    elsewhere = repo.outside / "commit"
    (elsewhere / "files").mkdir(parents=True)
    (elsewhere / "files" / "index.html").write_bytes(EVIL)
    plan = _plan(["index.html"], (), {"index.html": write.fingerprint(EVIL)})
    (elsewhere / "plan.json").write_bytes(plan_bytes(repo, plan))
    commit = write._commit_folder(repo.output)
    for planted in ("link", "file"):
        if planted == "link":
            commit.symlink_to(elsewhere, target_is_directory=True)
        else:
            commit.unlink()
            commit.write_bytes(b"not a folder")
        before = outside_the_output(repo)
        code, printed = cli(capsys, "build", *repo.folders(), "--output", repo.output, "--no-cache")
        assert code == 1 and ".site.commit is not a folder this tool made" in printed
        assert outside_the_output(repo) == before


def _marker(repo: Repo) -> dict:
    return json.loads((repo.output / MARKER).read_text(encoding="utf-8"))


def _set_marker(repo: Repo, marker: dict) -> None:
    (repo.output / MARKER).write_text(json.dumps(marker), encoding="utf-8")


@pytest.mark.parametrize("listed", ["../outside/canary.txt", "../../outside/canary.txt", "CANARY", "a/../../x",
                                    "entries/../../../outside/canary.txt", "./index.html", "a//b", ".hidden/x",
                                    "a\\..\\..\\x", "x\ny"])
def test_a_marker_listing_a_path_outside_the_output_is_refused(published, capsys, listed):
    repo = published
    listed = str(repo.canary) if listed == "CANARY" else listed
    marker = _marker(repo)
    marker["files"][listed] = write.fingerprint(CANARY)
    _set_marker(repo, marker)  # a path the build does not make: one it would remove
    before = outside_the_output(repo)
    code, printed = cli(capsys, "build", *repo.folders(), "--output", repo.output)
    assert code == 1, printed
    assert "which is not a path inside" in printed and "nothing is removed or replaced" in printed
    assert outside_the_output(repo) == before
    assert repo.canary.read_bytes() == CANARY


def test_a_marker_listing_a_permalink_that_is_no_entry_path_is_refused(published, capsys):
    repo = published
    marker = _marker(repo)
    marker["permalinks"].append("../../outside/canary.txt")
    _set_marker(repo, marker)
    before = outside_the_output(repo)
    code, printed = cli(capsys, "build", *repo.folders(), "--output", repo.output)
    assert code == 1 and "as a permalink, which is not an entry path" in printed
    assert outside_the_output(repo) == before


def test_a_marker_listing_a_link_out_of_the_output_touches_nothing_outside(published, capsys):
    """The marker lists gone.html, which the build no longer makes: it is a link to the canary. The link
    goes, the canary stays. Then it lists old/page.html, where old is a link to a folder outside: refused."""
    repo = published
    marker = _marker(repo)
    marker["files"]["gone.html"] = write.fingerprint(CANARY)
    _set_marker(repo, marker)
    (repo.output / "gone.html").symlink_to(repo.canary)
    code, printed = cli(capsys, "build", *repo.folders(), "--output", repo.output, "--no-cache")
    assert code == 0, printed
    assert not os.path.lexists(repo.output / "gone.html") and repo.canary.read_bytes() == CANARY
    (repo.outside / "old").mkdir()
    (repo.outside / "old" / "page.html").write_bytes(CANARY)
    (repo.output / "old").symlink_to(repo.outside / "old", target_is_directory=True)
    marker = _marker(repo)
    marker["files"]["old/page.html"] = write.fingerprint(CANARY)
    _set_marker(repo, marker)
    before = outside_the_output(repo)
    code, printed = cli(capsys, "build", *repo.folders(), "--output", repo.output, "--no-cache")
    assert code == 1 and "a folder on the way to old/page.html" in printed and "is a symbolic link" in printed
    assert outside_the_output(repo) == before
    assert not list(repo.root.glob(".site.*"))  # refused before the commit point: nothing left beside the output


@pytest.mark.parametrize("page, target", [("index.html", "canary"), ("feed.xml", "/etc/hostname"),
                                          ("entries/zaranj-falls/index.html", "canary")])
@pytest.mark.parametrize("forged", [False, True], ids=["marker-as-built", "marker-forged"])
def test_an_output_file_linked_outside_is_replaced_never_read_nor_written_through(published, tmp_path, capsys,
                                                                                  page, target, forged):
    repo = published
    target = repo.canary if target == "canary" else Path(target)
    if not target.is_file():
        pytest.skip(f"{target} is not on this system")
    target_bytes = target.read_bytes()
    (repo.output / page).unlink()
    (repo.output / page).symlink_to(target)
    if forged:  # the marker says the file holds the target's bytes: the build must not believe it
        marker = _marker(repo)
        marker["files"][page] = write.fingerprint(target_bytes)
        _set_marker(repo, marker)
    code, printed = cli(capsys, "build", *repo.folders(), "--output", repo.output)  # the cache and its stamp too
    assert code == 0, printed
    assert target.read_bytes() == target_bytes
    assert (repo.output / page).is_file() and not (repo.output / page).is_symlink()
    cold = tmp_path / "cold"
    assert cold_build(repo.content, cold, repo.templates).ok
    assert read_site(repo.output) == read_site(cold)


@pytest.mark.parametrize("when", ["later", "right after the build"])
def test_an_output_folder_linked_elsewhere_is_refused_and_nothing_is_written_there(published, capsys, when):
    """site/entries replaced by a link to a copy of it outside. Later: after an edit. Right after the
    build: its files are recorded as racy, so the no-op check compares their bytes (which the copy has)."""
    repo = published
    shutil.copytree(repo.output / "entries", repo.outside / "entries", copy_function=shutil.copyfile)
    shutil.rmtree(repo.output / "entries")
    (repo.output / "entries").symlink_to(repo.outside / "entries", target_is_directory=True)
    if when == "later":
        entry = repo.content / "entries" / "zaranj-falls.yaml"
        entry.write_text(entry.read_text(encoding="utf-8").replace("falls to the Taliban", "falls"), encoding="utf-8")
    before = outside_the_output(repo)
    code, printed = cli(capsys, "build", *repo.folders(), "--output", repo.output)
    assert code == 1, printed
    assert "is a symbolic link or a file, so the site was not updated" in printed
    assert outside_the_output(repo) == before
    assert not list(repo.root.glob(".site.*"))


def test_staging_folders_this_tool_did_not_make_are_left_alone(published, capsys):
    """A write removes the staging folders an interrupted write of its own left (they hold its signed
    note), and no other: planted ones stay as they are, beside the output, for the user to look at."""
    repo = published
    planted = {
        ".site.staging-forged": b"\0" * signing.SIGNATURE_BYTES,  # a note not signed with this user's key
        ".site.staging-no-note": None,
        ".site.staging-other-name": signing.sign(b"staging folder", b".site.staging-elsewhere"),  # another folder's
    }
    for name, note in planted.items():
        (repo.root / name).mkdir()
        (repo.root / name / "precious.txt").write_bytes(CANARY)
        if note is not None:
            (repo.root / name / ".made-by").write_bytes(note)
    (repo.root / ".site.staging-linked").symlink_to(repo.outside, target_is_directory=True)
    (repo.root / ".site.staging-note-linked").mkdir()
    mine = repo.root / ".site.staging-mine"
    mine.mkdir()
    (mine / ".made-by").write_bytes(signing.sign(b"staging folder", mine.name.encode()))
    (repo.root / ".site.staging-note-linked" / ".made-by").symlink_to(mine / ".made-by")
    before = {name: tree(repo.root / name) for name in [*planted, ".site.staging-note-linked"]}
    outside = tree(repo.outside)
    code, printed = cli(capsys, "build", *repo.folders(), "--output", repo.output, "--no-cache")
    assert code == 0, printed
    assert {name: tree(repo.root / name) for name in before} == before
    assert (repo.root / ".site.staging-linked").is_symlink() and tree(repo.outside) == outside
    assert not mine.exists()  # the twin: one this tool made is removed


def test_the_repositorys_gitignore_ignores_the_staging_and_commit_folders(tmp_path):
    git = shutil.which("git")
    if git is None:
        pytest.skip("git is not installed: cannot ask git check-ignore")
    checkout = tmp_path / "checkout"
    checkout.mkdir()
    subprocess.run([git, "init", "-q", str(checkout)], check=True)
    shutil.copy(REPO / ".gitignore", checkout / ".gitignore")
    output = checkout / "site"
    with write._staging(output) as staging:  # the folders as the write stage names them
        commit = write._commit_folder(output)
        commit.mkdir()
        paths = [staging / "files" / "index.html", commit / "plan.json", output / "index.html"]
        for path in paths:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text("x")
        relative = [str(path.relative_to(checkout)) for path in paths]
        result = subprocess.run([git, "-C", str(checkout), "check-ignore", "--no-index", *relative],
                                capture_output=True, text=True)
        assert sorted(result.stdout.split()) == sorted(relative), result.stdout + result.stderr


def test_an_output_folder_that_is_a_link_is_refused(repo, capsys, monkeypatch):
    (repo.outside / "site").mkdir()
    repo.output.symlink_to(repo.outside / "site", target_is_directory=True)
    code, printed = cli(capsys, "build", *repo.folders(), "--output", repo.output)
    assert code == 1 and "is a symbolic link" in printed and "give the output folder's real path" in printed
    assert list((repo.outside / "site").iterdir()) == []


@pytest.mark.parametrize("named, linked", [("pub/site", "pub"), ("pub/../site", "pub"), ("a/b/site", "a/b")])
def test_a_folder_on_the_way_to_the_output_that_is_a_link_is_refused(repo, capsys, monkeypatch, named, linked):
    """--output pub/site, where the repository made pub a link: nothing is written where it leads."""
    (repo.outside / "elsewhere").mkdir()
    (repo.root / linked).parent.mkdir(parents=True, exist_ok=True)
    (repo.root / linked).symlink_to(repo.outside / "elsewhere", target_is_directory=True)
    monkeypatch.chdir(repo.root)
    before = tree(repo.outside)
    code, printed = cli(capsys, "build", "--output", named)
    assert code == 1 and f"{named}: error: is inside {linked}, which is a symbolic link" in printed
    assert tree(repo.outside) == before


def test_a_folder_on_the_way_to_the_content_or_templates_that_is_a_link_is_refused(repo, capsys, monkeypatch):
    shutil.copytree(repo.content, repo.outside / "news" / "content")
    (repo.root / "news").symlink_to(repo.outside / "news", target_is_directory=True)
    monkeypatch.chdir(repo.root)
    code, printed = cli(capsys, "check", "--content", "news/content")
    assert code == 1 and "news/content: error: is inside news, which is a symbolic link" in printed
    shutil.copytree(repo.templates, repo.outside / "look" / "templates")
    (repo.root / "look").symlink_to(repo.outside / "look", target_is_directory=True)
    code, printed = cli(capsys, "build", "--templates", "look/templates")
    assert code == 1 and "look/templates: error: is inside look, which is a symbolic link" in printed
    assert not repo.output.exists()


@pytest.mark.parametrize("planted", ["link", "folder", "nested 100,000 deep"])
def test_a_marker_that_is_not_the_tools_never_stops_a_build_with_a_traceback(published, capsys, planted):
    repo = published
    marker = repo.output / MARKER
    marker.unlink()
    if planted == "link":
        marker.symlink_to(repo.canary)
    elif planted == "folder":
        marker.mkdir()
    else:
        marker.write_text('{"files": ' + "[" * 100_000 + "]" * 100_000 + "}")
    before = outside_the_output(repo)
    code, printed = cli(capsys, "build", *repo.folders(), "--output", repo.output, "--no-cache")
    assert "Traceback" not in printed
    if planted == "nested 100,000 deep":  # a damaged marker: every file compared by its bytes, then rewritten
        assert code == 0 and _marker(repo)["files"]
    else:
        assert code == 1 and (".timeline-site.json is a symbolic link" in printed or "was not written by" in printed)
        assert outside_the_output(repo) == before
    assert repo.canary.read_bytes() == CANARY


# --- the permalink lock ---------------------------------------------------------------------------

def _unprivileged() -> list[str] | None:
    """A command prefix that runs a program as an unprivileged user, for a test run as root (to whom
    every folder is writable); None when there is none."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        return None
    return [setpriv, "--reuid=nobody", "--regid=nogroup", "--clear-groups"]


def test_a_build_that_cannot_save_the_lock_leaves_the_site_as_it_was():
    """A read-only content folder and a build that adds an entry: the lock cannot be saved, so the site
    is not updated either (they are saved together). As root, chmod stops nothing: the build runs as
    nobody (setpriv), in folders made for it outside pytest's own (which only root may enter)."""
    prefix = _unprivileged()
    if prefix is None:
        pytest.skip("run as root without setpriv: no way to make the content folder read-only to the build")
    root = Path(tempfile.mkdtemp(prefix="timeline-read-only-"))
    try:
        root.chmod(0o755)
        _cannot_save_the_lock(root, prefix)
    finally:
        for folder in root.rglob("*"):
            if folder.is_dir() and not folder.is_symlink():
                folder.chmod(0o755)
        shutil.rmtree(root)


def _cannot_save_the_lock(root: Path, prefix: list[str]) -> None:
    content = copy_content(root / "content")
    work = root / "work"  # the build's own: its output, cache and key
    work.mkdir()
    if prefix:
        nobody = pwd.getpwnam("nobody")
        os.chown(work, nobody.pw_uid, nobody.pw_gid)
    env = {**os.environ, "PYTHONPATH": str(REPO), "HOME": str(work), "XDG_CACHE_HOME": str(work / "cache"),
           "XDG_STATE_HOME": str(work / "state")}

    def build() -> subprocess.CompletedProcess:
        command = [*prefix, sys.executable, str(REPO / "build.py"), "build", "--content", str(content),
                   "--output", str(work / "site")]
        return subprocess.run(command, env=env, capture_output=True, text=True, timeout=120, cwd=root)

    first = build()
    assert first.returncode == 0, first.stderr
    lock = (content / "permalinks.lock").read_bytes()
    shutil.copy(content / "entries" / "zaranj-falls.yaml", content / "entries" / "zaranj-falls-again.yaml")
    for folder in (content, content / "entries"):
        folder.chmod(0o555)
    site = tree(work / "site")
    second = build()
    assert second.returncode == 1, second.stderr
    assert "permalinks.lock: error: cannot write: Permission denied" in second.stderr
    assert "the site was not updated" in second.stderr and "Traceback" not in second.stderr
    assert tree(work / "site") == site
    assert (content / "permalinks.lock").read_bytes() == lock
    assert not [path for path in content.iterdir() if path.name.startswith(".permalinks.lock")]


@pytest.mark.parametrize("damage", ["deleted", "emptied", "header only", "cut after a line", "cut within a line",
                                    "its line lost"])
def test_a_lock_that_lost_published_lines_is_an_error(published, capsys, damage):
    """An entry deleted, and the lock's line that would stop the build lost with it (or the whole lock):
    the output's marker still lists the permalink as published, so the guard stays on."""
    repo = published
    (repo.content / "entries" / "zaranj-falls.yaml").unlink()
    lock = repo.content / "permalinks.lock"
    text = lock.read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    cut = text.index("entries/zaranj-falls/")
    changed = {"deleted": None, "emptied": "", "header only": "".join(line for line in lines if line.startswith("#")),
               "cut after a line": text[:cut], "cut within a line": text[:cut + 12],
               "its line lost": "".join(line for line in lines if "entries/zaranj-falls/" not in line)}[damage]
    if changed is None:
        lock.unlink()
    else:
        lock.write_text(changed, encoding="utf-8")
    before = tree(repo.root)
    code, printed = cli(capsys, "build", *repo.folders(), "--output", repo.output)
    assert code == 1, printed
    if damage == "cut within a line":  # the lock is damaged: that is the error, with its line
        assert 'permalinks.lock:' in printed and 'is not an entry path such as' in printed
    else:
        assert "does not list entries/zaranj-falls/" in printed and "the lock lost lines" in printed
        assert "git checkout -- " in printed
    assert tree(repo.root) == before  # the site and the lock as they were


def test_a_deleted_lock_is_an_error_while_the_output_says_what_it_published(published, capsys):
    """The lock holds the day each entry was first published: written afresh, every entry would become
    new today. The build stops, names the lost lines and says how to get them back, and touches nothing."""
    repo = published
    lock = repo.content / "permalinks.lock"
    lock.unlink()
    before = tree(repo.output)
    code, printed = cli(capsys, "build", *repo.folders(), "--output", repo.output)
    assert code == 1
    assert "the lock lost lines: restore it from version control" in printed
    assert "does not list entries/defence-ministry-24-hour-toll/, " in printed and " and 8 more, which" in printed
    assert not lock.exists() and tree(repo.output) == before


def test_a_lock_with_a_byte_order_mark_still_reads(published, capsys):
    repo = published
    lock = repo.content / "permalinks.lock"
    lock.write_bytes(b"\xef\xbb\xbf" + lock.read_bytes())
    assert cli(capsys, "check", *repo.folders())[0] == 0
    code, printed = cli(capsys, "build", *repo.folders(), "--output", repo.output)
    assert code == 0, printed
    assert lock.read_bytes().startswith(b"\xef\xbb\xbf") and b"entries/zaranj-falls/\t" in lock.read_bytes()
