"""Remote images are copied into the site, never hot-linked, and fetched only under the rules of remote.py.

Nothing here reaches the network: an HTTPS server of the test's own listens on 127.0.0.1 with a
certificate from a certificate authority made for the test (trustme), and the fetcher is given that
authority (an SSL context) and a Network whose resolver says the server's name is a public address and
whose connector dials the server for that address alone. Everything else (the address policy, TLS,
HTTP, redirects, limits, the store) is the real code.
"""
from __future__ import annotations

import http.server
import json
import re
import socket
import ssl
import struct
import threading
import time
import zlib
from pathlib import Path

import pytest
import trustme

from support import TEMPLATES, Calls, Page, run_cli
from timeline.fields import MAX_MEDIA_BYTES
from timeline.links import read_site
from timeline.pipeline import BuildOptions, build, check
from timeline.remote import Network, RemoteAccess, Store, image_kind, public_address
from timeline.speed import Cached, Cold, InSession

HOST = "images.example.org"
PUBLIC = "93.184.215.14"  # what the test's resolver says HOST is; the connector dials the test server instead
BASE_URL = "https://timeline.example.org/t/"


def png(red: int) -> bytes:
    """A 1x1 PNG of the given red."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    pixel = zlib.compress(bytes([0, red, 0, 0]))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", pixel) + chunk(b"IEND", b""))


PHOTO, OTHER_PHOTO = png(200), png(10)


class Server:
    """The test's HTTPS server: `routes` maps a path to a function answering the request."""

    def __init__(self):
        authority = trustme.CA()
        server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        authority.issue_cert(HOST).configure_cert(server_context)
        self.client_context = ssl.create_default_context()
        authority.configure_trust(self.client_context)
        self.routes: dict[str, object] = {}
        self.sent: dict[str, int] = {}  # path -> body bytes written before the client went away
        self.requests: list[str] = []
        self.dialled: list[tuple[str, int]] = []
        self.down = False
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                server.requests.append(self.path)
                answer = server.routes.get(self.path)
                if answer is None:
                    self.send_error(404)
                    return
                try:
                    answer(self)
                except (BrokenPipeError, ConnectionResetError, ssl.SSLError, OSError):
                    pass

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.httpd.block_on_close = False
        self.httpd.socket = server_context.wrap_socket(self.httpd.socket, server_side=True)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    def resolve(self, host: str, port: int) -> list[str]:
        names = {HOST: [PUBLIC], "private.example.org": ["10.0.0.7"], "mixed.example.org": [PUBLIC, "192.168.1.2"]}
        if host in names:
            return names[host]
        try:
            socket.inet_pton(socket.AF_INET6 if ":" in host else socket.AF_INET, host)
        except OSError:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known") from None
        return [host]

    def connect(self, address: str, port: int, timeout: float) -> socket.socket:
        self.dialled.append((address, port))
        assert (address, port) == (PUBLIC, 443), f"the fetcher dialled {address}:{port}"
        if self.down:
            raise ConnectionRefusedError(111, "Connection refused")
        return socket.create_connection(("127.0.0.1", self.port), timeout=timeout)

    def access(self, store: Path, **limits) -> RemoteAccess:
        return RemoteAccess(store=store, context=self.client_context, network=Network(self.resolve, self.connect),
                            **limits)

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def image(data: bytes, kind: str = "image/png", length: bool = True):
    def answer(handler):
        handler.send_response(200)
        handler.send_header("Content-Type", kind)
        if length:
            handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)
    return answer


def redirect(location: str, status: int = 302):
    def answer(handler):
        handler.send_response(status)
        handler.send_header("Location", location)
        handler.send_header("Content-Length", "0")
        handler.end_headers()
    return answer


@pytest.fixture(scope="module")
def running_server():
    running = Server()
    yield running
    running.close()


@pytest.fixture
def server(running_server):
    """The module's server, as new: serving PHOTO at /photo.png, up, nothing asked of it yet."""
    running_server.routes = {"/photo.png": image(PHOTO)}
    running_server.sent, running_server.requests, running_server.dialled = {}, [], []
    running_server.down = False
    return running_server


SRC_LINE, SRC_COLUMN = 8, 8  # where ENTRY writes media.src


def entry(src: str) -> str:
    return ("title: Zaranj falls\ndate: 2021-08-06\nsummary: The first capital to fall.\n"
            "sources:\n  - name: Tolo News\n    url: https://example.org/a\n"
            f"media:\n  src: {src}\n  alt: The road into Zaranj\n  credit: Example Agency\n")


def make_content(root: Path, src: str = f"https://{HOST}/photo.png", settings: str = "") -> Path:
    content = root / "content"
    (content / "entries").mkdir(parents=True)
    (content / "timeline.yaml").write_text(
        f'title: "A timeline"\nbase_url: "{BASE_URL}"\ntimezone: Asia/Kabul\n{settings}', encoding="utf-8")
    (content / "entries" / "zaranj.yaml").write_text(entry(src), encoding="utf-8")
    (content / "entries" / "other.yaml").write_text(
        "title: Another event\ndate: 2021-08-07\nsummary: Something else.\nsources:\n  - name: EFE\n"
        "    url: https://example.org/b\n", encoding="utf-8")
    return content


def run(content: Path, output: Path | None, access: RemoteAccess, state=None, **choices):
    options = BuildOptions(content=content, templates=TEMPLATES, output=output, publish=False, remote=access,
                           **choices)
    return (build if output is not None else check)(options, state or Cold())


def lines(result) -> list[str]:
    return [str(problem) for problem in result.problems]


def copy_name(data: bytes) -> str:
    import hashlib

    return f"media/remote/{hashlib.sha256(data).hexdigest()[:32]}.png"


def test_src_is_where_the_tests_say():
    assert entry("X").splitlines()[SRC_LINE - 1] == "  src: X"


def test_a_remote_image_is_copied_and_every_page_names_the_copy(tmp_path, server):
    content = make_content(tmp_path)
    result = run(content, tmp_path / "site", server.access(tmp_path / "store"))
    assert result.ok, lines(result)
    site = read_site(tmp_path / "site")
    name = copy_name(PHOTO)
    assert site[name] == PHOTO
    page = Page(site["entries/zaranj/index.html"].decode())
    assert page.one("img", alt="The road into Zaranj")["attrs"]["src"] == f"../../{name}"
    assert page.meta("og:image") == page.meta("twitter:image") == BASE_URL + name
    assert page.json_ld()["about"]["image"] == BASE_URL + name
    events = {event["unique_id"]: event for event in json.loads(site["timeline.json"])["events"]}
    assert events["zaranj"]["media"]["url"] == BASE_URL + name
    assert not [path for path, data in site.items() if HOST.encode() in data]  # nothing hot-links it
    assert server.requests == ["/photo.png"]


def test_the_same_bytes_give_the_same_site(tmp_path, server):
    content = make_content(tmp_path)
    assert run(content, tmp_path / "one", server.access(tmp_path / "store")).ok
    assert run(content, tmp_path / "two", server.access(tmp_path / "other-store")).ok
    assert read_site(tmp_path / "one") == read_site(tmp_path / "two")
    assert len(server.requests) == 2


def test_a_stored_copy_is_used_until_it_is_due(tmp_path, server):
    content = make_content(tmp_path)
    access = server.access(tmp_path / "store")
    assert run(content, tmp_path / "site", access).ok
    assert run(content, tmp_path / "again", access).ok
    assert server.requests == ["/photo.png"]
    assert run(content, tmp_path / "refreshed", server.access(tmp_path / "store", refresh_after=0)).ok
    assert server.requests == ["/photo.png"] * 2


@pytest.mark.parametrize("route, expected", [
    ("/page.png", "is served as text/html, not as an image (JPEG, PNG, GIF, WebP or AVIF)"),
    ("/lying.png", "is served as image/png, but its bytes are not those of a JPEG, PNG, GIF, WebP or AVIF image"),
    ("/jpeg-as-png.png", "is served as image/png, but its bytes are those of image/jpeg"),
    ("/missing.png", "the server answered 404 Not Found"),
    ("/svg.png", "is served as image/svg+xml, not as an image"),
])
def test_what_is_not_an_allowed_image_is_refused(tmp_path, server, route, expected):
    server.routes["/page.png"] = image(b"<!doctype html><title>x</title>", "text/html")
    server.routes["/lying.png"] = image(b"<!doctype html><script>alert(1)</script>", "image/png")
    server.routes["/jpeg-as-png.png"] = image(b"\xff\xd8\xff\xe0" + bytes(100), "image/png")
    server.routes["/svg.png"] = image(b"<svg xmlns='http://www.w3.org/2000/svg'/>", "image/svg+xml")
    content = make_content(tmp_path, f"https://{HOST}{route}")
    result = run(content, tmp_path / "site", server.access(tmp_path / "store"))
    [problem] = result.problems
    assert (problem.file, problem.line, problem.column, problem.field, problem.severity) == (
        str(content / "entries" / "zaranj.yaml"), SRC_LINE, SRC_COLUMN, "media.src", "error")
    assert problem.message.startswith(f'"https://{HOST}{route}": cannot copy it into the site: ')
    assert expected in problem.message and "put the image in content/media/" in problem.message
    assert not (tmp_path / "site").exists()  # nothing written
    assert not list((tmp_path / "store").glob("*.copy"))


def test_a_declared_size_past_the_limit_is_refused_unread(tmp_path, server):
    def declared(handler):
        handler.send_response(200)
        handler.send_header("Content-Type", "image/png")
        handler.send_header("Content-Length", str(MAX_MEDIA_BYTES + 1))
        handler.end_headers()
        handler.wfile.write(PHOTO)
    server.routes["/big.png"] = declared
    result = run(make_content(tmp_path, f"https://{HOST}/big.png"), tmp_path / "site", server.access(tmp_path / "s"))
    assert not result.ok
    assert f"it is {MAX_MEDIA_BYTES + 1:,} bytes; an image may hold at most {MAX_MEDIA_BYTES:,}" in lines(result)[0]


def test_reading_stops_at_the_limit(tmp_path, server):
    def endless(handler):  # no Content-Length: the body runs until the client hangs up
        handler.send_response(200)
        handler.send_header("Content-Type", "image/png")
        handler.end_headers()
        handler.wfile.write(PHOTO)
        block, sent = bytes(1 << 16), len(PHOTO)
        try:
            while sent < 4 * MAX_MEDIA_BYTES:
                handler.wfile.write(block)
                sent += len(block)
        finally:
            server.sent["/endless.png"] = sent
    server.routes["/endless.png"] = endless
    started = time.monotonic()
    result = run(make_content(tmp_path, f"https://{HOST}/endless.png"), tmp_path / "site",
                 server.access(tmp_path / "s"))
    assert not result.ok
    assert f"it is more than {MAX_MEDIA_BYTES:,} bytes" in lines(result)[0] and "reading stopped there" in lines(result)[0]
    deadline = time.monotonic() + 5
    while "/endless.png" not in server.sent and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.sent["/endless.png"] < MAX_MEDIA_BYTES + (8 << 20)  # what the buffers held, no more
    assert time.monotonic() - started < 30


@pytest.mark.parametrize("location, reason", [
    (f"http://{HOST}/photo.png", f"it redirects to http://{HOST}/photo.png, which is not an https address"),
    ("https://127.0.0.1:{port}/photo.png", "leads to 127.0.0.1, which is not a public internet address"),
    ("https://localhost/photo.png", "the host localhost was not found"),
    ("https://10.0.0.7/photo.png", "leads to 10.0.0.7, which is not a public internet address"),
    ("https://169.254.169.254/latest/meta-data/", "leads to 169.254.169.254, which is not a public"),
    ("https://[::ffff:127.0.0.1]/photo.png", "leads to ::ffff:127.0.0.1, which is not a public"),
    ("https://[fe80::1]/photo.png", "leads to fe80::1, which is not a public"),
    ("https://private.example.org/photo.png", "leads to 10.0.0.7, which is not a public"),
    ("https://mixed.example.org/photo.png", "leads to 192.168.1.2, which is not a public"),
])
def test_a_redirect_out_of_https_or_to_a_private_address_is_refused(tmp_path, server, location, reason):
    server.routes["/moved.png"] = redirect(location.format(port=server.port))
    result = run(make_content(tmp_path, f"https://{HOST}/moved.png"), tmp_path / "site", server.access(tmp_path / "s"))
    assert not result.ok
    assert reason in lines(result)[0]
    assert server.dialled == [(PUBLIC, 443)]  # the first hop only: nothing private was ever connected to
    assert server.requests == ["/moved.png"]


@pytest.mark.parametrize("src", ["https://10.0.0.7/photo.png", "https://169.254.169.254/latest/meta-data/",
                                 "https://127.0.0.1/photo.png", "https://private.example.org/photo.png"])
def test_a_private_address_is_never_connected_to(tmp_path, server, src):
    result = run(make_content(tmp_path, src), tmp_path / "site", server.access(tmp_path / "s"))
    assert not result.ok and "which is not a public internet address" in lines(result)[0]
    assert server.dialled == []


def test_redirects_within_https_are_followed_and_counted(tmp_path, server):
    server.routes["/moved.png"] = redirect("/photo.png", 301)
    for hop in range(7):
        server.routes[f"/loop{hop}"] = redirect(f"/loop{hop + 1}")
    content = make_content(tmp_path, f"https://{HOST}/moved.png")
    assert run(content, tmp_path / "site", server.access(tmp_path / "s")).ok
    assert read_site(tmp_path / "site")[copy_name(PHOTO)] == PHOTO
    looping = make_content(tmp_path / "loop", f"https://{HOST}/loop0")
    result = run(looping, tmp_path / "loop-site", server.access(tmp_path / "s"))
    assert "it redirects more than 5 times" in lines(result)[0]


def test_the_addresses_refused(tmp_path):
    for address in ("127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.0.1", "169.254.169.254", "100.64.0.1",
                    "0.0.0.0", "255.255.255.255", "224.0.0.1", "::1", "fe80::1", "fc00::1", "::ffff:10.0.0.1",
                    "::", "not an address", "64:ff9b::7f00:1", "64:ff9b::a9fe:a9fe", "2002:a9fe:a9fe::",
                    "2002:7f00:1::1", "::7f00:1"):
        assert not public_address(address), address
    for address in ("93.184.215.14", "2a00:1450:4001:80b::200e", "64:ff9b::5db8:d70e", "2002:5db8:d70e::1"):
        assert public_address(address), address


def test_a_server_that_does_not_answer_times_out(tmp_path, server):
    server.routes["/silent.png"] = lambda handler: time.sleep(5)
    started = time.monotonic()
    result = run(make_content(tmp_path, f"https://{HOST}/silent.png"), tmp_path / "site",
                 server.access(tmp_path / "s", timeout=0.5, time_limit=3))
    assert time.monotonic() - started < 3
    assert "the server did not answer within 0.5 s" in lines(result)[0]


def test_a_server_that_drips_is_stopped_at_the_time_limit(tmp_path, server):
    def drip(handler):
        handler.send_response(200)
        handler.send_header("Content-Type", "image/png")
        handler.end_headers()
        handler.wfile.write(PHOTO[:8])
        for _ in range(200):
            handler.wfile.write(b"\0")
            handler.wfile.flush()
            time.sleep(0.1)
    server.routes["/drip.png"] = drip
    started = time.monotonic()
    result = run(make_content(tmp_path, f"https://{HOST}/drip.png"), tmp_path / "site",
                 server.access(tmp_path / "s", timeout=0.5, time_limit=1))
    assert time.monotonic() - started < 3
    assert "it took longer than 1 s; reading stopped there" in lines(result)[0]


def test_a_server_that_drips_its_headers_is_stopped_at_the_time_limit(tmp_path, server):
    def drip(handler):
        handler.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: image/png\r\n")
        for _ in range(200):
            handler.wfile.write(b"X-Slow: 1\r\n")
            handler.wfile.flush()
            time.sleep(0.1)
    server.routes["/drip.png"] = drip
    started = time.monotonic()
    result = run(make_content(tmp_path, f"https://{HOST}/drip.png"), tmp_path / "site",
                 server.access(tmp_path / "s", timeout=0.5, time_limit=1))
    assert time.monotonic() - started < 3
    assert "it took longer than 1 s; reading stopped there" in lines(result)[0]


def test_all_the_images_share_one_time_limit(tmp_path, server):
    server.routes["/silent.png"] = lambda handler: time.sleep(5)
    content = make_content(tmp_path, f"https://{HOST}/silent.png")
    for number in range(6):
        (content / "entries" / f"more-{number}.yaml").write_text(
            entry(f"https://{HOST}/silent.png?{number}"), encoding="utf-8")
    server.routes.update({f"/silent.png?{number}": server.routes["/silent.png"] for number in range(6)})
    started = time.monotonic()
    result = run(content, tmp_path / "site", server.access(tmp_path / "s", timeout=4, time_limit=4, total_time=1,
                                                             concurrency=2))
    assert time.monotonic() - started < 4
    assert len(result.errors) == 7
    assert sum("ran out before it" in line for line in lines(result)) >= 3


def test_a_server_down_is_an_error_without_a_stored_copy(tmp_path, server):
    server.down = True
    content = make_content(tmp_path)
    result = run(content, tmp_path / "site", server.access(tmp_path / "store"))
    [problem] = result.problems
    assert (problem.line, problem.column, problem.field, problem.severity) == (SRC_LINE, SRC_COLUMN, "media.src", "error")
    assert problem.file == str(content / "entries" / "zaranj.yaml")
    assert "cannot copy it into the site: cannot fetch it: Connection refused" in problem.message


def test_a_server_down_publishes_the_stored_copy_with_a_warning(tmp_path, server):
    content = make_content(tmp_path)
    assert run(content, tmp_path / "first", server.access(tmp_path / "store")).ok
    server.down = True
    result = run(content, tmp_path / "site", server.access(tmp_path / "store", refresh_after=0))
    assert result.ok
    [problem] = result.problems
    assert (problem.line, problem.severity) == (SRC_LINE, "warning")
    assert re.search(r"could not fetch it again \(cannot fetch it: Connection refused\); the copy fetched on "
                     r"\d{4}-\d\d-\d\d is published", problem.message)
    assert read_site(tmp_path / "site") == read_site(tmp_path / "first")


def test_offline_uses_the_stored_copy_and_never_the_network(tmp_path, server):
    content = make_content(tmp_path)
    assert run(content, tmp_path / "online", server.access(tmp_path / "store")).ok
    dialled = list(server.dialled)
    result = run(content, tmp_path / "offline", server.access(tmp_path / "store", refresh_after=0), offline=True)
    assert result.ok and result.problems == ()
    assert server.dialled == dialled
    assert read_site(tmp_path / "offline") == read_site(tmp_path / "online")


def test_offline_without_a_stored_copy_is_an_error_naming_the_entry(tmp_path, server):
    content = make_content(tmp_path)
    for output in (tmp_path / "site", None):  # build and check alike
        result = run(content, output, server.access(tmp_path / "store"), offline=True)
        [problem] = result.problems
        assert (problem.file, problem.line, problem.column) == (str(content / "entries" / "zaranj.yaml"), SRC_LINE,
                                                                SRC_COLUMN)
        assert problem.message == (f'"https://{HOST}/photo.png": there is no stored copy, and --offline fetches '
                                   "nothing: build once without --offline, or put the image in content/media/ and "
                                   "give its file name")
    assert server.dialled == []


def test_check_fetches_nothing(tmp_path, server):
    content = make_content(tmp_path)
    result = run(content, None, server.access(tmp_path / "store"))
    assert result.ok and result.problems == ()
    assert server.dialled == [] and not (tmp_path / "store").exists()


def test_a_tampered_copy_is_refused_and_fetched_again(tmp_path, server):
    content = make_content(tmp_path)
    access = server.access(tmp_path / "store")
    assert run(content, tmp_path / "first", access).ok
    [stored] = (tmp_path / "store").glob("*.copy")
    tampered = stored.read_bytes().replace(PHOTO, OTHER_PHOTO)
    assert tampered != stored.read_bytes()
    stored.write_bytes(tampered)
    assert Store(tmp_path / "store").read(f"https://{HOST}/photo.png")[0] is None
    offline = run(content, tmp_path / "offline", access, offline=True)
    assert not offline.ok
    assert "was changed since it was fetched, or not stored by this tool for this user, so it is refused" in \
        lines(offline)[0]
    result = run(content, tmp_path / "site", access)
    assert result.ok and len(server.requests) == 2
    assert read_site(tmp_path / "site")[copy_name(PHOTO)] == PHOTO
    assert Store(tmp_path / "store").read(f"https://{HOST}/photo.png")[0].data == PHOTO


def test_a_copy_stored_for_another_address_is_refused(tmp_path, server):
    content = make_content(tmp_path)
    assert run(content, tmp_path / "first", server.access(tmp_path / "store")).ok
    store = Store(tmp_path / "store")
    other = f"https://{HOST}/other.png"
    store.file(f"https://{HOST}/photo.png").rename(store.file(other))
    assert store.read(other)[0] is None


def test_refuse_makes_a_remote_image_an_error_at_its_place(tmp_path, server):
    content = make_content(tmp_path, settings="remote_media: refuse\n")
    for output in (tmp_path / "site", None):
        result = run(content, output, server.access(tmp_path / "store"))
        [problem] = result.problems
        assert (problem.file, problem.line, problem.column, problem.field) == (
            str(content / "entries" / "zaranj.yaml"), SRC_LINE, SRC_COLUMN, "media.src")
        assert problem.message == (f'"https://{HOST}/photo.png" is a remote image, and timeline.yaml says '
                                   "remote_media: refuse; put the image in content/media/ and give its file name, "
                                   "or set remote_media: copy")
    assert server.dialled == []


def test_refuse_accepts_local_images(tmp_path, server):
    content = make_content(tmp_path, "zaranj.png", settings="remote_media: refuse\n")
    (content / "media").mkdir()
    (content / "media" / "zaranj.png").write_bytes(PHOTO)
    result = run(content, tmp_path / "site", server.access(tmp_path / "store"))
    assert result.ok, lines(result)
    assert read_site(tmp_path / "site")["media/zaranj.png"] == PHOTO


def test_a_misspelt_setting_is_an_error(tmp_path, server):
    content = make_content(tmp_path, settings="remote_media: refused\n")
    result = run(content, None, server.access(tmp_path / "store"))
    assert [(p.field, p.line, p.message) for p in result.problems] == [
        ("remote_media", 4, '"refused" is not one of copy, refuse; did you mean "refuse"?')]


def test_a_local_file_may_not_stand_where_the_copies_go(tmp_path, server):
    content = make_content(tmp_path, "remote/x.png")
    (content / "media" / "remote").mkdir(parents=True)
    (content / "media" / "remote" / "x.png").write_bytes(PHOTO)
    result = run(content, None, server.access(tmp_path / "store"))
    assert [(p.field, p.line, p.column) for p in result.errors] == [("media.src", SRC_LINE, SRC_COLUMN)]
    assert "where the site keeps its copies of remote images" in result.errors[0].message


def test_a_warm_build_equals_a_cold_one_when_the_image_changes(tmp_path, server):
    content = make_content(tmp_path)
    access = server.access(tmp_path / "store", refresh_after=0)
    warm = lambda: run(content, tmp_path / "warm", access, Cached(tmp_path / "cache"))  # noqa: E731
    cold = lambda: run(content, tmp_path / "cold", access, Cold())  # noqa: E731
    assert warm().ok and cold().ok
    assert read_site(tmp_path / "warm") == read_site(tmp_path / "cold")
    server.routes["/photo.png"] = image(OTHER_PHOTO)
    with open(content / "entries" / "other.yaml", "a", encoding="utf-8") as other:  # a build with nothing
        other.write("# edited\n")  # changed is skipped, and fetches nothing (README)
    assert warm().ok
    site = read_site(tmp_path / "warm")
    assert copy_name(OTHER_PHOTO) in site and copy_name(PHOTO) not in site
    assert copy_name(OTHER_PHOTO).encode() in site["entries/zaranj/index.html"]
    assert copy_name(OTHER_PHOTO).encode() in site["timeline.json"]
    assert cold().ok
    assert site == read_site(tmp_path / "cold")


def test_a_preview_rebuild_after_an_edit_keeps_the_copy(tmp_path, server, monkeypatch):
    content = make_content(tmp_path)
    access = server.access(tmp_path / "store")
    state = InSession(tmp_path / "cache")
    assert run(content, tmp_path / "site", access, state).ok
    path = content / "entries" / "zaranj.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("The first capital", "The first city"), encoding="utf-8")
    loads = Calls(monkeypatch, "timeline.load.load_content")
    result = run(content, tmp_path / "site", access, state)
    assert result.ok and "entries/zaranj/index.html" in result.written
    assert loads.count == 0  # the edited file alone was read, and put into the last plan with its copy
    assert run(content, tmp_path / "cold", access).ok
    assert read_site(tmp_path / "site") == read_site(tmp_path / "cold")
    assert b"The first city" in read_site(tmp_path / "site")["entries/zaranj/index.html"]
    assert server.requests == ["/photo.png"]


def test_drafts_are_fetched_only_when_published(tmp_path, server):
    content = make_content(tmp_path)
    path = content / "entries" / "zaranj.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "draft: true\n", encoding="utf-8")
    assert run(content, tmp_path / "site", server.access(tmp_path / "store")).ok
    assert server.requests == []
    assert run(content, tmp_path / "drafts", server.access(tmp_path / "store"), drafts=True).ok
    assert server.requests == ["/photo.png"]


def test_the_command_line_offline(tmp_path, capsys):
    content = make_content(tmp_path, f"https://{HOST}/command-line-{tmp_path.name}.png")
    assert run_cli("check", "--content", content) == 0  # fetches nothing
    assert run_cli("build", "--offline", "--no-cache", "--content", content, "--output", tmp_path / "site") == 1
    err = capsys.readouterr().err
    assert f"zaranj.yaml:{SRC_LINE}:{SRC_COLUMN}: error: media.src:" in err and "--offline fetches nothing" in err
    assert run_cli("check", "--offline", "--content", content) == 1
    assert not (tmp_path / "site").exists()


def test_image_kinds():
    assert image_kind(PHOTO) == "image/png"
    assert image_kind(b"\xff\xd8\xff\xdb") == "image/jpeg"
    assert image_kind(b"GIF89a...") == "image/gif"
    assert image_kind(b"RIFF\0\0\0\0WEBPVP8 ") == "image/webp"
    assert image_kind(b"\0\0\0\x1cftypavif") == "image/avif"
    assert image_kind(b"<svg") is None and image_kind(b"") is None
