"""Caches someone else planted: never unpickled, never followed, never a reason to hang or to write elsewhere.

A repository takes pull requests and CI builds them, so a cache folder the repository controls
(`--cache-dir` inside it, a `.cache/` beside the content) can hold anything: a pickle whose
__reduce__ runs a shell command, a file signed with another user's key, a link, a named pipe.
Every cache kind is attacked here (entries-, pages-, bodies-, fragments-, stamp-, and Jinja's
compiled templates in templates-*/), each time with the same outcome: the payload never runs, the
build exits 0 and its site equals a cold build's. Each attack has its twin where it matters: the
payload runs when unpickled, a damaged record re-signed with this user's key is used, so that a
test cannot pass by never reaching the cache at all.
"""
from __future__ import annotations

import os
import pickle
import shlex
import shutil
import subprocess
import sys
import textwrap
from dataclasses import replace
from pathlib import Path

import pytest

from support import (REPO, TEMPLATES, cold_build, copy_content, plant_cache_file, read_cache_file, run_cli,
                     write_cache_file)
from timeline import signing
from timeline.layout import user_cache_folder
from timeline.links import read_site
from timeline.speed.store import default_cache_dir

KINDS = {"entries", "pages", "bodies", "fragments", "stamp", "templates"}
DAMAGED_TITLE = "Qaranj, capital of Nimroz, falls to the Taliban"  # "Zaranj, ..." with one byte changed


class Payload:
    """Unpickled, it runs a shell command that creates `marker` (pickled as a call of os.system, so that
    nothing of this module is needed to unpickle it)."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return os.system, (f"touch {shlex.quote(str(self.marker))}",)


@pytest.fixture
def marker(tmp_path) -> Path:
    """The file a payload creates; the twin: the payload does create it once unpickled."""
    made = tmp_path / "payload-ran"
    pickle.loads(pickle.dumps(Payload(made)))
    assert made.exists(), "the payload must run when it is unpickled, or these tests prove nothing"
    made.unlink()
    return made


@pytest.fixture
def repo(tmp_path) -> Path:
    """A checkout: the content, and the output beside it (the repository's own templates)."""
    root = tmp_path / "repo"
    copy_content(root / "content")
    return root


def cache_files(cache_dir: Path) -> list[Path]:
    """Every cache file in the folder, Jinja's compiled templates included."""
    return sorted(path for path in cache_dir.rglob("*") if path.is_file() and path.suffix in (".pickle", ".cache"))


def kind(path: Path) -> str:
    name = path.parent.name if path.suffix == ".cache" else path.name
    return name.split("-", 1)[0]


def header(path: Path) -> bytes:
    return path.read_bytes().split(b"\n", 1)[0]


def cache_args(repo: Path, where: str) -> tuple[list[str], Path]:
    """The command line's cache options and the cache folder they lead to."""
    if where == "default":
        return [], default_cache_dir(repo / "content")
    return ["--cache-dir", str(repo / "build-cache")], repo / "build-cache"


def warm_build(repo: Path, args: list[str]) -> list[Path]:
    """A build that leaves a cache file of every kind; those files."""
    assert run_cli("build", "--content", repo / "content", "--output", repo / "site", *args) == 0
    cache = Path(args[1]) if args else default_cache_dir(repo / "content")
    files = cache_files(cache)
    assert {kind(path) for path in files} == KINDS
    return files


def cold_site(tmp_path: Path, content: Path) -> dict[str, bytes]:
    output = tmp_path / "cold"
    assert cold_build(content, output).ok
    return read_site(output)


def run(*args: str | Path, env: dict | None = None) -> subprocess.CompletedProcess:
    """The command line in a process of its own, the same user (this session's key and cache folder); a
    hang fails the test instead of the suite."""
    command = [sys.executable, str(REPO / "build.py"), *map(str, args)]
    return subprocess.run(command, env={**os.environ, "PYTHONPATH": str(REPO), **(env or {})},
                          capture_output=True, text=True, timeout=60)


# --- payloads ---------------------------------------------------------------------------

@pytest.mark.parametrize("where", ["default", "cache-dir"])
def test_a_planted_cache_file_of_every_kind_never_runs_its_payload(repo, tmp_path, marker, capsys, where):
    args, cache = cache_args(repo, where)
    files = warm_build(repo, args)
    for path in files:
        plant_cache_file(path, header(path), Payload(marker))
    content, output = repo / "content", repo / "site"
    assert run_cli("check", "--content", content, *args) == 0
    assert run_cli("check", "--links", "--content", content, *args) == 0
    assert run_cli("build", "--content", content, "--output", output, *args) == 0
    assert not marker.exists()
    assert read_site(output) == cold_site(tmp_path, content)
    assert "Traceback" not in capsys.readouterr().err


def test_cache_files_signed_by_another_users_key_are_ignored(repo, tmp_path, marker, capsys):
    """Another user (another key, in another state folder) signs a payload of every kind of cache file."""
    files = warm_build(repo, [])
    other_state = tmp_path / "another-user" / "state"
    script = textwrap.dedent(f"""
        import os, shlex, sys
        from pathlib import Path
        sys.path[:0] = [{str(REPO / "tests")!r}, {str(REPO)!r}]
        from support import write_cache_file
        class Payload:
            def __reduce__(self):
                return os.system, ("touch " + shlex.quote({str(marker)!r}),)
        for line in sys.stdin.read().splitlines():
            path = Path(line)
            write_cache_file(path, path.read_bytes().split(b"\\n", 1)[0], Payload())
        """)
    subprocess.run([sys.executable, "-c", script], input="\n".join(map(str, files)), text=True, check=True,
                   env={**os.environ, "XDG_STATE_HOME": str(other_state)}, timeout=60)
    assert (other_state / "timeline" / "key").read_bytes() != signing.key_file().read_bytes()
    content, output = repo / "content", repo / "site"
    assert run_cli("check", "--links", "--content", content) == 0
    assert run_cli("build", "--content", content, "--output", output) == 0
    assert not marker.exists()
    assert read_site(output) == cold_site(tmp_path, content)


def _entries_file_with(cache: Path, text: bytes) -> Path:
    found = [path for path in cache.glob("entries-*.pickle") if text in path.read_bytes()]
    assert len(found) == 1
    return found[0]


def _rebuild(repo: Path) -> None:
    """A published build that reads the load cache (the stamp gone, so it is not skipped)."""
    cache = default_cache_dir(repo / "content")
    for stamp in cache.glob("stamp-*.pickle"):
        stamp.unlink()
    assert run_cli("build", "--content", repo / "content", "--output", repo / "site") == 0


def test_a_one_byte_change_inside_a_signed_entries_cache_file_is_ignored(repo, tmp_path, capsys):
    warm_build(repo, [])
    cache = default_cache_dir(repo / "content")
    path = _entries_file_with(cache, b"Zaranj, capital of Nimroz")
    data = path.read_bytes()
    at = data.index(b"Zaranj, capital of Nimroz")
    path.write_bytes(data[:at] + b"Q" + data[at + 1:])  # same length, signature no longer verifies
    _rebuild(repo)
    site = read_site(repo / "site")
    assert not any(DAMAGED_TITLE.encode() in page for page in site.values())
    assert DAMAGED_TITLE not in (repo / "content" / "permalinks.lock").read_text(encoding="utf-8")
    assert site == cold_site(tmp_path, repo / "content")


def test_the_same_change_signed_with_the_users_key_is_used(repo, capsys):
    """The twin: the damaged record reaches the lock once signed, so the test above reads the cache."""
    warm_build(repo, [])
    path = _entries_file_with(default_cache_dir(repo / "content"), b"Zaranj, capital of Nimroz")
    head, records = read_cache_file(path)
    record = records["zaranj-falls.yaml"]
    entry = replace(record.result.entry, title=DAMAGED_TITLE)
    records["zaranj-falls.yaml"] = record._replace(result=record.result._replace(entry=entry))
    write_cache_file(path, head, records)
    _rebuild(repo)
    assert DAMAGED_TITLE in (repo / "content" / "permalinks.lock").read_text(encoding="utf-8")


# --- where caches are looked for ----------------------------------------------------------------

def test_no_cache_folder_in_the_repository_is_read(repo, tmp_path, marker, monkeypatch, capsys):
    """A .cache/ beside the content and one inside it, holding payloads that would be trusted (signed
    with this user's key, under the names and headers of real cache files): never opened."""
    files = warm_build(repo, [])
    cache = default_cache_dir(repo / "content")
    assert cache.is_relative_to(user_cache_folder()) and not cache.is_relative_to(repo)
    planted = [repo / ".cache", repo / "content" / ".cache"]
    for folder in planted:
        for path in files:
            copy = folder / path.relative_to(cache)
            copy.parent.mkdir(parents=True, exist_ok=True)
            write_cache_file(copy, header(path), Payload(marker))
    from timeline.speed import entries, pages, stamp, store

    opened: list[Path] = []

    def recording(file, head):
        opened.append(Path(file))
        return store.read_cached(file, head)

    for module in (entries, pages, stamp):
        monkeypatch.setattr(module, "read_cached", recording)
    content, output = repo / "content", repo / "site"
    assert run_cli("check", "--links", "--content", content) == 0
    assert run_cli("build", "--content", content, "--output", output) == 0
    assert not marker.exists()
    assert opened and all(path.is_relative_to(cache) for path in opened)  # the caches were read: the user's own
    assert read_site(output) == cold_site(tmp_path, content)


# --- links, pipes and folders where cache files are looked for ------------------------------------------

@pytest.mark.parametrize("planted", ["link", "pipe", "folder"])
def test_cache_files_that_are_links_pipes_or_folders_are_ignored_without_hanging(repo, tmp_path, marker, planted):
    files = warm_build(repo, [])
    elsewhere = tmp_path / "elsewhere"
    targets = {}
    for number, path in enumerate(files):
        head = header(path)
        path.unlink()
        if planted == "link":  # to a file that would be trusted: signed with this user's key
            target = elsewhere / f"{number}-{path.name}"
            target.parent.mkdir(exist_ok=True)
            write_cache_file(target, head, Payload(marker))
            targets[target] = target.read_bytes()
            path.symlink_to(target)
        elif planted == "pipe":
            os.mkfifo(path)
        else:
            path.mkdir()
    content, output = repo / "content", repo / "site"
    for args in (["check", "--links", "--content", content], ["build", "--content", content, "--output", output]):
        result = run(*args)  # a pipe opened for reading would wait for a writer forever: run() times out
        assert result.returncode == 0, result.stderr
        assert "Traceback" not in result.stderr
    assert not marker.exists()
    assert {target: target.read_bytes() for target in targets} == targets  # nothing written through a link
    assert read_site(output) == cold_site(tmp_path, content)


def test_a_linked_compiled_templates_folder_is_neither_read_nor_written_through(repo, tmp_path, marker, capsys):
    """templates-*/ (Jinja's compiled templates) as a link to a folder elsewhere, holding compiled templates
    that would be trusted (signed with this user's key)."""
    files = warm_build(repo, [])
    cache = default_cache_dir(repo / "content")
    compiled = next(path.parent for path in files if kind(path) == "templates")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    for path in compiled.iterdir():
        write_cache_file(elsewhere / path.name, header(path), Payload(marker))
    before = {path.name: path.read_bytes() for path in elsewhere.iterdir()}
    shutil.rmtree(compiled)
    compiled.symlink_to(elsewhere, target_is_directory=True)
    for path in [*cache.glob("stamp-*.pickle"), *cache.glob("pages-*.pickle")]:  # so that every page is rendered
        path.unlink()
    assert run_cli("build", "--content", repo / "content", "--output", repo / "site") == 0
    assert not marker.exists()
    assert compiled.is_symlink()
    assert {path.name: path.read_bytes() for path in elsewhere.iterdir()} == before
    assert read_site(repo / "site") == cold_site(tmp_path, repo / "content")


def test_a_cache_folder_that_is_a_link_is_refused(repo, tmp_path, capsys, monkeypatch):
    """--cache-dir .cache, where the repository made .cache a link: nothing is written elsewhere."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (repo / ".cache").symlink_to(elsewhere, target_is_directory=True)
    monkeypatch.chdir(repo)
    assert run_cli("check", "--cache-dir", ".cache") == 1
    assert run_cli("build", "--cache-dir", ".cache") == 1
    err = capsys.readouterr().err
    assert ".cache: error: is a symbolic link" in err and "give the cache folder's real path" in err
    assert list(elsewhere.iterdir()) == []
    assert not (repo / "site").exists()


@pytest.mark.parametrize("inside", ["site", "site/.cache", "content", "content/.cache", "templates/.cache"])
def test_a_cache_folder_inside_the_output_content_or_templates_folder_is_refused(repo, capsys, inside):
    shutil.copytree(TEMPLATES, repo / "templates")
    args = ["--content", repo / "content", "--templates", repo / "templates", "--cache-dir", repo / inside]
    if not inside.startswith("site"):
        assert run_cli("check", *args) == 1
    assert run_cli("build", *args, "--output", repo / "site") == 1
    err = capsys.readouterr().err
    assert f"{repo / inside}: error: is inside the " in err and "keep the cache apart" in err
    assert list(repo.rglob("*.pickle")) == [] and not (repo / "site").exists()


def test_a_media_file_replaced_by_a_link_after_a_cached_check_is_refused(repo, tmp_path, capsys):
    """The load cache keeps an entry's validation while the media folder holds the same files: a file
    swapped for a link (to a secret) is one it no longer holds."""
    content = repo / "content"
    (content / "media").mkdir()
    (content / "media" / "x.jpg").write_bytes(b"\xff\xd8 a picture")
    entry = content / "entries" / "zaranj-falls.yaml"
    entry.write_text(entry.read_text(encoding="utf-8") + "media:\n  src: x.jpg\n  alt: x\n  credit: y\n",
                     encoding="utf-8")
    assert run_cli("check", "--content", content) == 0
    secret = tmp_path / "secret.txt"
    secret.write_text("a secret")
    (content / "media" / "x.jpg").unlink()
    (content / "media" / "x.jpg").symlink_to(secret)
    assert run_cli("check", "--content", content) == 1
    assert "media/x.jpg is a symbolic link" in capsys.readouterr().err
