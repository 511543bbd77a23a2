"""`python build.py serve`: rebuilds on save, the error page while content is broken, live reload.

The end-to-end tests start the real command on a free port in a subprocess,
edit a temporary copy of the content and poll (with a deadline) until the
server answers with the change. Every server is stopped with Ctrl-C (SIGINT)
and killed if it does not stop in time.
"""
import asyncio
import html
import http.client
import json
import os
import threading
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
from tornado.httpclient import HTTPClientError, HTTPRequest
from tornado.websocket import websocket_connect

from support import options
from timeline.commands.serve import (REFUSED_HOST, AllowedHosts, Preview, PreviewWatcher, _asks_for_page,
                                     _ignored, only_this_machine)
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


@pytest.mark.parametrize("host, allowed, header, answered", [
    ("127.0.0.1", (), "127.0.0.1:8000", True), ("127.0.0.1", (), "localhost:8000", True),
    ("127.0.0.1", (), "[::1]:8000", True), ("127.0.0.1", (), "app.localhost", True),
    ("127.0.0.1", (), "10.0.0.5:8000", True),  # an address: no DNS, so nothing to rebind
    ("127.0.0.1", (), "localhost.attacker.example:8000", False), ("127.0.0.1", (), "attacker.example", False),
    ("127.0.0.1", (), "127.0.0.1.nip.io:8000", False),  # names that resolve to 127.0.0.1 are still names
    ("127.0.0.1", (), "[attacker.example]:8000", False), ("127.0.0.1", (), "[::1]x", False),
    ("127.0.0.1", (), "localhost:8000:8000", False), ("127.0.0.1", (), "", False), ("127.0.0.1", (), None, False),
    ("0.0.0.0", (), "192.168.1.20:8000", True), ("0.0.0.0", (), "laptop.lan:8000", False),
    ("0.0.0.0", ("laptop.lan",), "Laptop.LAN.:8000", True), ("laptop.lan", (), "laptop.lan:8000", True),
    ("::", (".example.test",), "a.b.example.test", True), ("::", (".example.test",), "example.test:1", True),
    ("::", (".example.test",), "badexample.test", False), ("::", ("example.test",), "a.example.test", False),
])
def test_which_host_names_the_preview_answers_under(host, allowed, header, answered):
    assert AllowedHosts(host, allowed).allow(header) is answered


def test_serve_knows_when_other_machines_can_reach_it():
    with socket.socket() as loopback, socket.socket() as everywhere:
        loopback.bind(("127.0.0.1", 0))
        everywhere.bind(("0.0.0.0", 0))  # bound, not listening: nothing is exposed
        assert only_this_machine([loopback])
        assert not only_this_machine([loopback, everywhere])


class Watched:
    """The preview's watcher on a project's content folder, recording the rebuilds it asks for and
    every path it looks at."""

    def __init__(self, project: Path):
        self.content, self.output = project / "content", project / "content" / "site"
        self.watcher = PreviewWatcher(preview(project))
        self.rebuilds, self.looked_at = [], []
        self.watcher.watch(str(self.content), lambda: self.rebuilds.append(1),
                           ignore=partial(_ignored, self.content, self.output, None))
        is_file_changed = self.watcher.is_file_changed
        self.watcher.is_file_changed = lambda path, ignore=None: (self.looked_at.append(path)
                                                                  or is_file_changed(path, ignore))

    def look(self) -> int:
        """Rebuilds asked for by one poll; guarded, so that a hang fails instead of stopping the suite."""
        before = len(self.rebuilds)
        poll = threading.Thread(target=self.watcher.examine, daemon=True)
        poll.start()
        poll.join(DEADLINE)
        assert not poll.is_alive(), "the watcher hangs"
        return len(self.rebuilds) - before


def touch_later(path: Path) -> None:
    later = time.time() + 10
    os.utime(path, (later, later))


def test_the_watcher_does_not_follow_links_to_folders(project, tmp_path_factory):
    outside = tmp_path_factory.mktemp("outside")
    (outside / "elsewhere.yaml").write_text("title: elsewhere\n")
    entries = project / "content" / "entries"
    (entries / "elsewhere").symlink_to(outside, target_is_directory=True)
    (entries / "loop").symlink_to("..", target_is_directory=True)  # content/entries/loop/entries/loop/...
    (entries / "root").symlink_to("/", target_is_directory=True)
    (project / "content" / "site").mkdir()
    (project / "content" / "site" / "index.html").write_text("built")
    watched = Watched(project)
    watched.look()
    assert watched.looked_at, "the watcher looked at nothing"
    for path in watched.looked_at:
        below = Path(path).relative_to(watched.content).parts
        assert not {"elsewhere", "loop", "root", "site"} & set(below), path

    touch_later(outside / "elsewhere.yaml")
    assert watched.look() == 0  # a file the build never reads (it reads entries/*.yaml alone)
    touch_later(entry(project))
    assert watched.look() == 1


def test_the_watcher_follows_a_linked_entry_file_wherever_it_leads(project, tmp_path_factory):
    outside = tmp_path_factory.mktemp("outside") / "kept-elsewhere.yaml"
    outside.write_bytes(entry(project).read_bytes())
    entry(project, "kept-elsewhere").symlink_to(outside)
    watched = Watched(project)
    watched.look()  # livereload's first look; it raised ValueError here, at every poll
    assert watched.look() == 0
    touch_later(outside)
    assert watched.look() == 1  # the build reads it through the link, so a save there rebuilds


def test_the_watcher_does_not_open_a_named_pipe(project):
    os.mkfifo(entry(project, "pipe"))
    os.mkfifo(project / "content" / "timeline-pipe.yaml")
    watched = Watched(project)
    watched.look()
    assert watched.look() == 0


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


# --- the real server, as a page of another site or another program on this machine sees it ----------

NO_HOST = None


def ask(port: int, path: str = "/", host: str | None = "", headers: dict | None = None) -> tuple[int, dict, bytes]:
    """One raw request with exactly the Host header given ("" means 127.0.0.1:port, NO_HOST none)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=DEADLINE)
    try:
        connection.putrequest("GET", path, skip_host=True, skip_accept_encoding=True)
        if host is not NO_HOST:
            connection.putheader("Host", host or f"127.0.0.1:{port}")
        for name, value in (headers or {}).items():
            connection.putheader(name, value)
        connection.endheaders()
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


UPGRADE = {"Upgrade": "websocket", "Connection": "Upgrade", "Sec-WebSocket-Version": "13",
           "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ=="}
ASKED_FOR = ["/", f"/entries/{ZARANJ}/", "/feed.xml", "/no-such-page/", "/livereload.js", "/livereload",
             "/%00", "/../../etc/passwd"]


def test_a_rebound_name_gets_nothing_from_the_preview(project):
    """DNS rebinding: a page on another site points its own name at 127.0.0.1 and reads the preview
    as its own (drafts too); the Host header still carries its name."""
    with serving(project, "--drafts") as server:
        port = server.port
        refused = [f"rebound.example:{port}", "rebound.example", f"127.0.0.1.rebound.example:{port}",
                   f"localhost.rebound.example:{port}", f"rebound.example:{port}@127.0.0.1", "", " ", NO_HOST,
                   f"127.0.0.1:{port}, rebound.example", "[::1", "[rebound.example]", "\u00e9v\u00eel.example"]
        for host in refused:
            for path in ASKED_FOR:
                status, headers, body = ask(port, path, host="\t" if host == "" else host,
                                            headers=UPGRADE if path == "/livereload" else None)
                if status == 400 and body == b"":  # tornado's own answer to a malformed Host
                    continue
                assert (status, body) == (403, REFUSED_HOST.encode()), (host, path)
                assert headers["content-type"] == "text/plain; charset=utf-8"
        status, _, _ = ask(port, "/forcereload")  # livereload's: any page could reload every preview
        assert status == 404
    assert "Traceback" not in server.log.read_text()


def test_the_preview_answers_under_the_names_of_this_machine(project):
    with serving(project) as server:
        port = server.port
        for host in (f"127.0.0.1:{port}", f"localhost:{port}", f"LocalHost.:{port}", f"[::1]:{port}",
                     f"preview.localhost:{port}", f"192.0.2.7:{port}", "localhost", "localhost:9999"):
            status, _, body = ask(port, f"/entries/{ZARANJ}/", host=host)
            assert status == 200 and b"Zaranj" in body, host


def test_allow_host_names_more(project):
    with serving(project, "--allow-host", "preview.example.test", "--allow-host", ".tunnel.example") as server:
        port = server.port
        for host, status in ((f"preview.example.test:{port}", 200), ("PREVIEW.example.test", 200),
                             (f"abc.tunnel.example:{port}", 200), ("tunnel.example", 200),
                             (f"example.test:{port}", 403), (f"x.preview.example.test:{port}", 403),
                             (f"nottunnel.example:{port}", 403), (f"localhost:{port}", 200)):
            assert ask(port, "/", host=host)[0] == status, host


def test_every_response_is_for_the_preview_s_own_pages_alone(project):
    """Another site's page can embed a script or image from anywhere: periods/map.js, say, would
    then run there, drafts and all. CORP forbids that; nosniff keeps text from running as script."""
    with serving(project, "--drafts") as server:
        css = next((project / "site" / "static").glob("*.css")).relative_to(project / "site")
        for path in ("/", f"/{css}", "/timeline.json", "/no-such-page/", "/livereload.js", "/%00"):
            status, headers, _ = ask(server.port, path, headers={"Origin": "https://other.example"})
            assert headers.get("x-content-type-options") == "nosniff", path
            assert headers.get("cross-origin-resource-policy") == "same-origin", path
            assert not any(name.startswith("access-control-") for name in headers), path
        replace_line(entry(project), "date:", 'date: "2021-02-30"')
        server.wait_for("the error page", lambda s, t: s == 500)
        status, headers, _ = ask(server.port, "/")
        assert status == 500 and headers["cross-origin-resource-policy"] == "same-origin"


async def _live_reload_hello(port: int, **headers) -> str:
    request = HTTPRequest(f"ws://127.0.0.1:{port}/livereload", headers=headers, request_timeout=DEADLINE)
    connection = await websocket_connect(request)
    await connection.write_message(json.dumps({"command": "hello", "protocols": []}))
    reply = json.loads(await asyncio.wait_for(connection.read_message(), DEADLINE))["command"]
    await connection.write_message("not json")  # livereload raised on it, a traceback in the terminal
    await connection.write_message("[1]")
    connection.close()
    return reply


def test_live_reload_talks_only_to_the_preview_s_own_pages(project):
    """Browsers let any page open a websocket anywhere; livereload's names each file saved."""
    with serving(project) as server:
        port = server.port
        assert asyncio.run(_live_reload_hello(port, Origin=f"http://127.0.0.1:{port}")) == "hello"
        assert asyncio.run(_live_reload_hello(port)) == "hello"  # a program, not a page
        for origin in ("https://other.example", f"http://localhost:{port}", "http://127.0.0.1:3000", "null"):
            with pytest.raises(HTTPClientError) as refused:
                asyncio.run(_live_reload_hello(port, Origin=origin))
            assert refused.value.code == 403, origin
        with pytest.raises(HTTPClientError) as refused:
            asyncio.run(_live_reload_hello(port, Host=f"rebound.example:{port}", Origin=f"http://rebound.example:{port}"))
        assert refused.value.code == 403
    log = server.log.read_text()
    assert "Traceback" not in log and "Uncaught exception" not in log


BAD_PATHS = ["/%00", "/index.html%00.css", "/..%2f..%2f..%2fetc/passwd", "/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
             "/%2e%2e/", "/static/..%2f..%2f..%2f..%2fetc%2fpasswd", "//etc/passwd", "/" + "a" * 5000,
             "/" + "a/" * 2000, "/%ff", "/%c0%ae%c0%ae/"]


def ask_raw(port: int, path: bytes) -> bytes:
    """The status line for a request line with exactly these bytes (http.client sends ASCII alone)."""
    with socket.create_connection(("127.0.0.1", port), timeout=DEADLINE) as raw:
        raw.sendall(b"GET " + path + b" HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nConnection: close\r\n\r\n" % port)
        return raw.makefile("rb").readline()


def test_bad_paths_get_400_or_404_and_never_a_file_outside(project):
    with serving(project) as server:
        for path in BAD_PATHS:
            status, headers, body = ask(server.port, path)
            assert status in (400, 404), (path[:40], status)
            assert b"root:" not in body
        for path in (b"/\xff\xfe", b"/\xc3\xa9/../../etc/passwd", b"/\x00", b"/\x1b[2J"):
            assert ask_raw(server.port, path).split()[1] in (b"400", b"404"), path
        assert ask(server.port, "/")[0] == 200  # still serving
    log = server.log.read_text()
    assert "Traceback" not in log and " 500 " not in log


def test_links_in_the_output_folder_are_not_followed_out_of_it(project, tmp_path_factory):
    secret = tmp_path_factory.mktemp("outside") / "secret.html"
    secret.write_text("<p>SECRET outside the output folder</p>")
    with serving(project) as server:
        site = project / "site"
        (site / "secret.html").symlink_to(secret)
        (site / "outside").symlink_to(secret.parent, target_is_directory=True)
        (site / "inside.html").symlink_to(site / "index.html")  # within the output: served
        os.mkfifo(site / "pipe.html")  # opening it would wait for a writer forever
        (site / "device.html").symlink_to("/dev/zero")
        links = ["/secret.html", "/outside/secret.html", "/outside/", "/pipe.html", "/device.html"]
        if Path("/etc/passwd").is_file():
            (site / "x.html").symlink_to("/etc/passwd")
            links.append("/x.html")
        for path in links:
            status, _, body = ask(server.port, path)
            assert status == 404 and b"SECRET" not in body and b"root:" not in body, path
        status, _, body = ask(server.port, "/inside.html")
        assert status == 200 and b"Zaranj" in body

        (site / "404.html").unlink()  # the page shown for a missing path is a file like any other
        (site / "404.html").symlink_to(secret)
        status, headers, body = ask(server.port, "/no-such-page/")
        assert status == 404 and b"SECRET" not in body and headers["content-type"].startswith("text/plain")
    assert "Traceback" not in server.log.read_text()
