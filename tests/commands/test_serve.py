"""`python build.py serve`: rebuilds on save, the error page while content is broken, live reload.

The end-to-end tests start the real command on a free port in a subprocess,
edit a temporary copy of the content and poll (with a deadline) until the
server answers with the change. Every server is stopped with Ctrl-C (SIGINT)
and killed if it does not stop in time.
"""
import asyncio
import html
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from functools import partial
from pathlib import Path

import pytest
from tornado.websocket import websocket_connect

from support import options
from timeline.commands.serve import Preview, _asks_for_page, _ignored
from timeline.speed import InSession

ROOT = Path(__file__).resolve().parents[2]
DEADLINE = 30  # seconds; a rebuild of the default content takes well under one
ZARANJ = "zaranj-falls"


@pytest.fixture
def project(tmp_path) -> Path:
    """Copies of the shipped content and templates, so edits here touch nothing else."""
    shutil.copytree(ROOT / "content", tmp_path / "content")
    shutil.copytree(ROOT / "templates", tmp_path / "templates")
    return tmp_path


def entry(project: Path, entry_id: str = ZARANJ) -> Path:
    return project / "content" / "entries" / f"{entry_id}.yaml"


def replace_line(path: Path, prefix: str, new_line: str) -> None:
    """Replace the top-level field starting with `prefix`, with its indented continuation lines."""
    lines = path.read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(prefix))
    end = start + 1
    while end < len(lines) and lines[end].startswith(" "):
        end += 1
    lines[start:end] = [new_line]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def line_of(path: Path, prefix: str) -> int:
    return next(n for n, line in enumerate(path.read_text().splitlines(), 1) if line.startswith(prefix))


def preview(project: Path) -> Preview:
    return Preview(options(project / "content", project / "site", project / "templates"),
                   InSession(project / "cache"), ROOT / "templates")


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


# --- the rebuild, in process ------------------------------------------------------------

def test_rebuild_reports_the_files_it_wrote(project):
    site = preview(project)
    first = site.rebuild()
    assert first.ok and site.error_page is None
    assert {"index.html", f"entries/{ZARANJ}/index.html"} <= set(first.written)
    assert set(first.written) == {str(p.relative_to(project / "site")) for p in (project / "site").rglob("*")
                                  if p.is_file() and not p.name.startswith(".")}

    replace_line(entry(project), "summary:", "summary: Zaranj, capital of Nimroz, falls to the Taliban (edited).")
    second = site.rebuild()
    assert second.ok
    assert f"entries/{ZARANJ}/index.html" in second.written
    assert "index.html" in second.written
    assert "entries/final-withdrawal-phase-begins/index.html" not in second.written
    assert "(edited)" in (project / "site" / "entries" / ZARANJ / "index.html").read_text()

    assert site.changed
    assert site.rebuild().written == ()
    assert not site.changed  # so the browser is not reloaded for nothing


def test_broken_content_gives_the_error_page_and_keeps_the_site(project):
    site = preview(project)
    site.rebuild()
    published = snapshot(project / "site")
    replace_line(entry(project), "date:", 'date: "2021-02-30"')
    result = site.rebuild()
    assert not result.ok and site.changed
    page = site.error_page.decode("utf-8")
    line = line_of(entry(project), "date:")
    message = f'content/entries/{ZARANJ}.yaml:{line}:7: error: date: "2021-02-30" is not a real date'
    assert message in html.unescape(page)
    assert "</head>" in page  # where livereload puts its script
    assert snapshot(project / "site") == published

    site.rebuild()
    assert not site.changed  # the same error page

    replace_line(entry(project), "date:", "date: 2021-08-06")
    assert site.rebuild().ok
    assert site.error_page is None and site.changed


def test_template_errors_name_the_template_and_line(project):
    site = preview(project)
    template = project / "templates" / "404.html"
    template.write_text(template.read_text() + "\n{% if %}\n")
    result = site.rebuild()
    (problem,) = result.errors
    assert problem.file.endswith("404.html") and problem.message.startswith("template error:")
    assert problem.line == len(template.read_text().splitlines())

    template.write_text("{% extends 'base.html' %}{% block main %}{{ no_such_value }}{% endblock %}\n")
    (problem,) = site.rebuild().errors
    assert problem.file.endswith("404.html") and "no_such_value" in problem.message and problem.line == 1
    assert b"no_such_value" in site.error_page


@pytest.mark.parametrize("path, accept, page", [
    ("", "", True), ("entries/zaranj-falls/", "", True), ("entries/zaranj-falls", "", True),
    ("index.html", "", True), ("static/site.css", "text/css,*/*", False), ("feed.xml", "", False),
    ("feed.xml", "text/html,application/xhtml+xml", True),
])
def test_which_requests_get_the_error_page(path, accept, page):
    assert _asks_for_page(path, accept) is page


def test_hidden_files_the_output_and_the_cache_never_trigger_a_rebuild(tmp_path):
    content, output, cache = tmp_path / "content", tmp_path / "content" / "site", tmp_path / "content" / "cache"
    ignored = partial(_ignored, content, output, cache)
    assert not ignored(str(content / "entries" / "zaranj-falls.yaml"))
    assert ignored(str(content / "entries" / ".zaranj-falls.yaml.swp"))
    assert ignored(str(content / ".cache" / "entries.db"))
    assert ignored(str(output / "index.html"))
    assert ignored(str(cache / "entries.db"))


# --- the real server ----------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def fetch(port: int, path: str = "/") -> tuple[int, str]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode("utf-8")
    except (urllib.error.URLError, ConnectionError):
        return 0, ""


class Running:
    def __init__(self, process: subprocess.Popen, port: int, log: Path):
        self.process, self.port, self.log = process, port, log

    def wait_for(self, what: str, condition, path: str = "/") -> tuple[int, str]:
        """Poll `path` until condition(status, text) holds; fail after DEADLINE seconds."""
        deadline = time.monotonic() + DEADLINE
        while time.monotonic() < deadline:
            status, text = fetch(self.port, path)
            if condition(status, text):
                return status, text
            if self.process.poll() is not None:
                break
            time.sleep(0.1)
        pytest.fail(f"{what}: not served within {DEADLINE} s (last status {status})\n{self.log.read_text()}")


@contextmanager
def serving(project: Path, *options: str):
    port = free_port()
    log = project / "serve.log"
    command = [sys.executable, str(ROOT / "build.py"), "serve", "--content", "content", "--output", "site",
               "--templates", "templates", "--port", str(port), *options]
    with open(log, "w") as stream:
        process = subprocess.Popen(command, cwd=project, stdout=stream, stderr=subprocess.STDOUT,
                                   env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        server = Running(process, port, log)
        server.wait_for("the site", lambda status, text: status == 200)
        yield server
    finally:
        stop(process)


def stop(process: subprocess.Popen) -> int:
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=DEADLINE)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=DEADLINE)
    return process.returncode


def test_serve_rebuilds_on_save_shows_errors_and_recovers(project):
    with serving(project) as server:
        status, text = fetch(server.port, "/")
        assert "Zaranj, capital of Nimroz, falls to the Taliban" in text
        assert "livereload.js" in text  # the live-reload script is injected

        replace_line(entry(project), "title:", "title: Zaranj falls to the Taliban (edited while serving)")
        server.wait_for("the edited title", lambda s, t: "(edited while serving)" in t)
        server.wait_for("the edited entry page", lambda s, t: "(edited while serving)" in t,
                        path=f"/entries/{ZARANJ}/")

        replace_line(entry(project), "date:", 'date: "2021-02-30"')
        line = line_of(entry(project), "date:")
        message = f'content/entries/{ZARANJ}.yaml:{line}:7: error: date: "2021-02-30" is not a real date'
        status, text = server.wait_for("the error page", lambda s, t: s == 500)
        assert message in html.unescape(text)
        assert "livereload.js" in text  # so the browser reloads by itself when fixed
        for path in (f"/entries/{ZARANJ}/", "/tags/", "/index.html"):  # no stale page anywhere
            status, text = fetch(server.port, path)
            assert status == 500 and message in html.unescape(text), path
        status, css = fetch(server.port, "/" + next(
            str(p.relative_to(project / "site")) for p in (project / "site" / "static").glob("*.css")))
        assert status == 200 and "<html" not in css

        replace_line(entry(project), "date:", "date: 2021-08-06")
        status, text = server.wait_for("the site back", lambda s, t: s == 200)
        assert "(edited while serving)" in text
    assert server.process.returncode == 0
    log = server.log.read_text()
    assert "Traceback" not in log
    assert "rebuilt in" in log and "stopped" in log


def test_serve_drafts_and_deleted_entries(project):
    with serving(project, "--drafts") as server:
        created = subprocess.run([sys.executable, str(ROOT / "build.py"), "new", "Kunduz falls",
                                  "--date", "2021-08-08", "--source", "Tolo News"],
                                 cwd=project, capture_output=True, text=True, timeout=DEADLINE)
        assert created.returncode == 0, created.stderr
        server.wait_for("the new draft", lambda s, t: s == 200 and "Kunduz falls" in t)
        server.wait_for("the draft's page", lambda s, t: s == 200 and "Kunduz falls" in t,
                        path="/entries/kunduz-falls/")

        entry(project, "kunduz-falls").unlink()
        server.wait_for("the deleted entry's page gone", lambda s, t: s == 404, path="/entries/kunduz-falls/")
        status, text = fetch(server.port, "/")
        assert status == 200 and "Kunduz falls" not in text
    assert server.process.returncode == 0


def test_serve_renaming_a_published_entry_asks_for_an_alias(project):
    with serving(project) as server:
        entry(project).rename(entry(project, "zaranj-captured"))
        status, text = server.wait_for("the permalink error", lambda s, t: s == 500)
        assert f"entries/{ZARANJ}/" in html.unescape(text) and "aliases" in text

        with entry(project, "zaranj-captured").open("a") as stream:
            stream.write(f"aliases: [{ZARANJ}]\n")
        server.wait_for("the renamed entry", lambda s, t: s == 200, path="/entries/zaranj-captured/")
        status, text = fetch(server.port, f"/entries/{ZARANJ}/")
        assert status == 200 and "entries/zaranj-captured/" in text  # the old URL redirects


async def _reloads_after_each_save(port: int, saves: list) -> list[dict]:
    connection = await websocket_connect(f"ws://127.0.0.1:{port}/livereload")
    await connection.write_message(json.dumps({"command": "hello",
                                               "protocols": ["http://livereload.com/protocols/official-7"]}))
    assert json.loads(await asyncio.wait_for(connection.read_message(), DEADLINE))["command"] == "hello"
    await connection.write_message(json.dumps({"command": "info", "url": f"http://127.0.0.1:{port}/"}))
    await asyncio.sleep(0.2)  # let the server register this browser before the first save
    reloads = []
    for save in saves:
        save()
        while True:  # skip reloads for other files (the permalink lock the build updates)
            message = json.loads(await asyncio.wait_for(connection.read_message(), DEADLINE))
            if message["command"] == "reload" and message["path"].endswith(f"{ZARANJ}.yaml"):
                reloads.append(message)
                break
    connection.close()
    return reloads


def test_the_browser_is_told_to_reload_after_every_save(project):
    def save(summary):
        return lambda: replace_line(entry(project), "summary:", f"summary: {summary}")

    with serving(project) as server:
        # Two saves in quick succession: livereload alone would drop the second reload.
        reloads = asyncio.run(_reloads_after_each_save(server.port, [save("First edit."), save("Second edit.")]))
        assert len(reloads) == 2
        status, text = fetch(server.port, f"/entries/{ZARANJ}/")
        assert "Second edit." in text


def test_serve_on_a_port_in_use_exits_2(project):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run([sys.executable, str(ROOT / "build.py"), "serve", "--content", "content",
                                 "--output", "site", "--templates", "templates", "--port", str(port)],
                                cwd=project, capture_output=True, text=True, timeout=DEADLINE,
                                env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert result.returncode == 2
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr and "--port" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_preview_does_not_record_new_permalinks(project):
    lock = project / "content" / "permalinks.lock"
    before = lock.read_bytes()
    with serving(project) as server:
        entry(project, "zaranj-copy").write_bytes(entry(project).read_bytes())
        server.wait_for("the new entry's page", lambda s, t: s == 200, path="/entries/zaranj-copy/")
    assert lock.read_bytes() == before  # only `build` publishes, and so records, a URL
