"""Remote images: an entry's https `media.src` is copied into the site when it is built, never hot-linked.

A page that loads an image from another host shows each reader to that host (their address, the
page they read, when). So a build fetches each remote image, keeps the bytes in a store in the
user's cache folder, and publishes them as media/remote/<digest>.<kind>: every page, the JSON-LD,
the sharing tags and timeline.json name that copy. The same bytes give the same name, so the site
depends on the bytes alone.

A content repository takes pull requests, and CI builds them: what an entry names is fetched under
these rules, so that it cannot make the build reach what it should not, nor hang it.

- https only, at every hop; at most MAX_REDIRECTS redirects, each followed only under the same rules.
- Every address the host name resolves to must be public: no loopback, private, link-local (the
  cloud metadata service at 169.254.169.254), shared, reserved or multicast address. The connection
  goes to the address checked, so the name cannot resolve otherwise in between (DNS rebinding).
- No proxy, no cookies, no referrer; the certificate is verified against the system's trusted ones.
- A time limit on each operation, on each image and on them all (a watchdog shuts a connection at
  its deadline, whatever the server does); a few images at a time.
- At most MAX_MEDIA_BYTES, as for a file in content/media/: reading stops there.
- Served as a JPEG, PNG, GIF, WebP or AVIF image, and its first bytes those of that kind (no SVG:
  a published SVG runs scripts on the site's origin when opened).

The store keeps, per URL, the bytes and when they were fetched, signed with the user's key
(signing.py) and checked against their digest when read: a copy changed since, or not written by
this tool for this user, is refused (and fetched again). A build uses a copy fetched within
`refresh_after` as it is; else it fetches, and when that fails publishes the copy it has, with a
warning, or stops with an error when it has none. With --offline nothing is fetched: the stored
copies are used, whatever their age, and an image without one is an error. `check` fetches
nothing either: it checks the setting, and with --offline that every image has a stored copy. A
build that finds nothing changed since the last one stops before this stage, so it fetches nothing.

This is not a cache that only saves time: it decides what an offline build can publish, so it lives
apart from timeline/speed/, in a folder of its own, and `--no-cache` does not set it aside.
"""
from __future__ import annotations

import hashlib
import http.client
import ipaddress
import json
import os
import socket
import ssl
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Iterable, Iterator
from urllib.parse import quote, urljoin, urlsplit

from . import __version__
from .fields import MAX_MEDIA_BYTES, REFUSE_REMOTE
from .folders import Refused, read_regular
from .layout import MEDIA_DIR, REMOTE_MEDIA_DIR, SETTINGS_FILE, display_path, user_cache_folder
from .model import Entry, Problem, Settings, shortened
from .signing import SIGNATURE_BYTES, sign, verifies

MAX_REDIRECTS = 5
# The kinds of image published, by the media type they are served as: the file name's ending.
KINDS = {"image/jpeg": "jpg", "image/png": "png", "image/gif": "gif", "image/webp": "webp", "image/avif": "avif"}
KIND_NAMES = "JPEG, PNG, GIF, WebP or AVIF"
STORE_DIR = "remote-media"  # in the user's cache folder
_FORMAT = b"timeline-remote-media 1\n"
_PURPOSE = b"remote media copy"
_META_BYTES = 4096  # the record's line before the bytes: the URL (at most 2,000 characters) and a few fields
_HEADERS = {"User-Agent": f"timeline/{__version__} (static-site builder; copies the images it publishes)",
            "Accept": ", ".join(KINDS), "Accept-Encoding": "identity"}

# What a build does with remote images: fetch them (build), use the stored copies only (--offline),
# or leave them as written (check, which never touches the network).
FETCH, STORED, AS_WRITTEN = "fetch", "stored", "as written"


class FetchFailed(Exception):
    """Why an image could not be copied, as a reader of the problem needs it."""


class StoreChanged(Exception):
    """A copy checked before the render was gone or different when the site was written."""


def _resolve(host: str, port: int) -> list[str]:
    return list(dict.fromkeys(info[4][0] for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)))


def _connect(address: str, port: int, timeout: float) -> socket.socket:
    return socket.create_connection((address, port), timeout=timeout)


@dataclass(frozen=True)
class Network:
    """How host names are resolved and connections opened: the system's, or a test's own."""

    resolve: Callable[[str, int], list[str]] = _resolve
    connect: Callable[[str, int, float], socket.socket] = _connect


@dataclass(frozen=True)
class RemoteAccess:
    """How a build reaches remote images and where it keeps their copies."""

    store: Path | None = None  # default: remote-media/ in the user's cache folder
    context: ssl.SSLContext | None = field(default=None, compare=False)  # default: the system's trusted roots
    network: Network = Network()
    refresh_after: float = 86_400  # seconds a stored copy is used without fetching it again
    timeout: float = 10  # seconds one connection, handshake or read may wait
    time_limit: float = 60  # seconds one image may take, redirects included
    total_time: float = 180  # seconds all the images of a build may take
    concurrency: int = 4  # images fetched at once

    def folder(self) -> Path:
        return self.store if self.store is not None else user_cache_folder() / STORE_DIR

    def tls(self) -> ssl.SSLContext:
        return self.context if self.context is not None else ssl.create_default_context()


_NAT64 = ipaddress.ip_network("64:ff9b::/96")  # RFC 6052: the IPv4 address is the last 32 bits
_IPV4_COMPATIBLE = ipaddress.ip_network("::/96")  # RFC 4291's deprecated ::a.b.c.d


def public_address(text: str) -> bool:
    """Whether an address may be fetched from: one of the public internet. An IPv6 address that carries
    an IPv4 one (mapped ::ffff:127.0.0.1, 6to4 2002:7f00:1::, NAT64 64:ff9b::7f00:1, the old
    ::127.0.0.1) is judged by the IPv4 address too: a NAT64 or 6to4 gateway would reach it."""
    try:
        address = ipaddress.ip_address(text.split("%", 1)[0])
    except ValueError:
        return False
    if not (address.is_global and not address.is_multicast):
        return False
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour
        if embedded is None and (address in _NAT64 or address in _IPV4_COMPATIBLE):
            embedded = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if embedded is not None:
            return public_address(str(embedded))
    return True


def image_kind(data: bytes) -> str | None:
    """The media type the first bytes are those of, among KINDS."""
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data[4:8] == b"ftyp" and data[8:12] in (b"avif", b"avis"):
        return "image/avif"
    return None


# ---------------------------------------------------------------- fetching

class _Connection(http.client.HTTPSConnection):
    """An HTTPS connection to the address checked, verifying the certificate of the host named."""

    def __init__(self, host: str, port: int, address: str, access: RemoteAccess, timeout: float):
        super().__init__(host, port, timeout=timeout, context=access.tls())
        self.address, self.network = address, access.network

    def connect(self) -> None:
        self.sock = self.network.connect(self.address, self.port, self.timeout)  # the watchdog can shut it
        self.sock = self._context.wrap_socket(self.sock, server_hostname=self.host)

    def abort(self) -> None:
        sock = self.sock
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)  # wakes a read blocked in another thread
            except OSError:
                pass


def fetch(url: str, access: RemoteAccess, deadline: float) -> tuple[bytes, str]:
    """The bytes of the image at `url` and their media type, under the rules above, by `deadline`
    (time.monotonic()); FetchFailed says why not."""
    for _ in range(MAX_REDIRECTS + 1):
        parts = urlsplit(url)
        if parts.scheme.lower() != "https":
            raise FetchFailed(f"it redirects to {shortened(url, 80)}, which is not an https address")
        try:
            host, port = (parts.hostname or "").encode("idna").decode("ascii"), parts.port or 443
        except (UnicodeError, ValueError):
            raise FetchFailed(f"{shortened(url, 80)} does not name a host") from None
        address = _checked_address(host, port, access, url)
        location = _get(url, host, port, address, access, deadline)
        if isinstance(location, tuple):
            return location
        url = location
    raise FetchFailed(f"it redirects more than {MAX_REDIRECTS} times")


def _checked_address(host: str, port: int, access: RemoteAccess, url: str) -> str:
    """The address to connect to: every one the name resolves to must be public."""
    try:
        addresses = access.network.resolve(host, port)
    except (OSError, UnicodeError) as err:
        raise FetchFailed(f"the host {host} was not found ({getattr(err, 'strerror', None) or err})") from None
    private = [address for address in addresses if not public_address(address)]
    if private or not addresses:
        raise FetchFailed(f"{shortened(url, 80)} leads to {private[0] if private else 'no address'}, which is not a public "
                          "internet address; a build fetches only from public hosts")
    return addresses[0]


def _get(url: str, host: str, port: int, address: str, access: RemoteAccess,
         deadline: float) -> tuple[bytes, str] | str:
    """One request: the image and its type, or the address it redirects to."""
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise FetchFailed(_too_slow(access))
    connection = _Connection(host, port, address, access, min(access.timeout, remaining))
    watchdog = threading.Timer(remaining, connection.abort)
    watchdog.daemon = True
    watchdog.start()
    try:
        parts = urlsplit(url)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        connection.request("GET", quote(target, safe="/%:@!$&'()*+,;=?~"), headers=_HEADERS)
        response = connection.getresponse()
        if response.status in (301, 302, 303, 307, 308):
            location = response.getheader("Location")
            if not location:
                raise FetchFailed(f"the server answered {response.status} without saying where to")
            return urljoin(url, location.strip())
        if response.status != 200:
            raise FetchFailed(f"the server answered {response.status} {response.reason}".rstrip())
        return _image(response, deadline, access)
    except (OSError, ValueError, http.client.HTTPException) as err:  # ValueError: a socket the watchdog shut
        if time.monotonic() >= deadline - 0.05:
            raise FetchFailed(_too_slow(access)) from None
        if isinstance(err, (TimeoutError, socket.timeout)):
            raise FetchFailed(f"the server did not answer within {access.timeout:g} s") from None
        raise FetchFailed(f"cannot fetch it: {_reason(err)}") from None
    finally:
        watchdog.cancel()
        watchdog.join()  # no thread of this build outlives it (the render may fork worker processes)
        connection.close()


def _image(response: http.client.HTTPResponse, deadline: float, access: RemoteAccess) -> tuple[bytes, str]:
    served = response.headers.get_content_type()
    if served not in KINDS:
        raise FetchFailed(f"it is served as {served}, not as an image ({KIND_NAMES})")
    length = response.getheader("Content-Length", "")
    if length.strip().isdigit() and int(length) > MAX_MEDIA_BYTES:
        raise FetchFailed(_too_large(f"{int(length):,} bytes"))
    chunks, size = [], 0
    while True:
        chunk = response.read1(min(1 << 16, MAX_MEDIA_BYTES + 1 - size))  # what came, without waiting for more
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
        if size > MAX_MEDIA_BYTES:
            raise FetchFailed(_too_large(f"more than {MAX_MEDIA_BYTES:,} bytes"))
        if time.monotonic() >= deadline:
            raise FetchFailed(_too_slow(access))
    if time.monotonic() >= deadline - 0.05:  # the watchdog ended the read: what came is not the whole image
        raise FetchFailed(_too_slow(access))
    data = b"".join(chunks)
    found = image_kind(data)
    if found != served:
        what = f"those of {found}" if found else f"not those of a {KIND_NAMES} image"
        raise FetchFailed(f"it is served as {served}, but its bytes are {what}")
    return data, served


def _too_large(size: str) -> str:
    return (f"it is {size}; an image may hold at most {MAX_MEDIA_BYTES:,} (reading stopped there): "
            "publish a smaller one")


def _too_slow(access: RemoteAccess) -> str:
    return f"it took longer than {access.time_limit:g} s; reading stopped there"


def _reason(err: Exception) -> str:
    if isinstance(err, ssl.SSLCertVerificationError):
        return f"its certificate is not valid ({err.verify_message})"
    return getattr(err, "strerror", None) or str(err) or type(err).__name__


# ---------------------------------------------------------------- the store

@dataclass(frozen=True)
class StoredCopy:
    """The bytes an address gave when they were fetched, as the store keeps them."""

    url: str
    data: bytes = field(repr=False)
    kind: str  # the media type, among KINDS
    fetched: int  # when, in seconds since the epoch

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    @property
    def name(self) -> str:
        """Its path in the site, below media/: made from its bytes alone."""
        return f"{REMOTE_MEDIA_DIR}/{self.digest[:32]}.{KINDS[self.kind]}"


class Store:
    """The copies of remote images, one signed file per URL, in `folder`."""

    def __init__(self, folder: Path):
        self.folder = folder

    def file(self, url: str) -> Path:
        return self.folder / f"{hashlib.sha256(url.encode('utf-8', 'surrogateescape')).hexdigest()[:32]}.copy"

    def read(self, url: str) -> tuple[StoredCopy | None, str]:
        """The copy of `url` (None when there is none that can be trusted) and, when there is none, why."""
        path = self.file(url)
        if not path.exists() and not path.is_symlink():
            return None, "there is no stored copy"
        try:
            raw = read_regular(str(path), MAX_MEDIA_BYTES + len(_FORMAT) + SIGNATURE_BYTES + _META_BYTES)[0]
        except Refused as err:
            return None, f"the stored copy {display_path(path)} {err}"
        copy = _parsed(raw, url)
        if copy is None:
            return None, (f"the stored copy {display_path(path)} was changed since it was fetched, or not "
                          "stored by this tool for this user, so it is refused")
        return copy, ""

    def keep(self, copy: StoredCopy) -> None:
        """Store the copy, replacing the last one in one rename; OSError when it cannot be kept."""
        meta = json.dumps({"url": copy.url, "sha256": copy.digest, "kind": copy.kind, "fetched": copy.fetched},
                          ensure_ascii=True, sort_keys=True).encode() + b"\n"
        self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=self.folder, prefix=".copy-", suffix=".tmp")
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(_FORMAT + sign(_PURPOSE, _FORMAT, meta, copy.data) + meta + copy.data)
            os.replace(temporary, self.file(copy.url))
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise


def _parsed(raw: bytes, url: str) -> StoredCopy | None:
    """The copy a store file holds, when it is signed with the user's key and agrees with itself."""
    if not raw.startswith(_FORMAT):
        return None
    signature, rest = raw[len(_FORMAT):len(_FORMAT) + SIGNATURE_BYTES], raw[len(_FORMAT) + SIGNATURE_BYTES:]
    meta_line, newline, data = rest.partition(b"\n")
    if not newline or not verifies(signature, _PURPOSE, _FORMAT, meta_line + newline, data):
        return None
    try:
        meta = json.loads(meta_line)
        copy = StoredCopy(meta["url"], data, meta["kind"], int(meta["fetched"]))
    except (ValueError, KeyError, TypeError):
        return None
    if copy.url != url or copy.kind not in KINDS or image_kind(data) != copy.kind or meta.get("sha256") != copy.digest:
        return None
    return copy


# ---------------------------------------------------------------- the stage

@dataclass(frozen=True)
class Copied:
    entries: tuple[Entry, ...]  # each entry of the site with a remote image names its copy
    problems: tuple[Problem, ...]


def copy_remote_media(settings: Settings, entries: tuple[Entry, ...], drafts: bool, access: RemoteAccess,
                      mode: str) -> Copied:
    """The entries, those of the site with remote images naming their copies, and the problems: every
    remote image when the settings refuse them; each image that has no copy to publish."""
    remote = [entry for entry in entries if entry.media is not None and not entry.media.is_local]
    if not remote:
        return Copied(entries, ())
    if settings.remote_media == REFUSE_REMOTE:
        return Copied(entries, tuple(_refused(entry) for entry in remote))
    shown = [entry for entry in remote if drafts or not entry.draft]
    if mode == AS_WRITTEN or not shown:
        return Copied(entries, ())
    copies, why = _copies(sorted({entry.media.src for entry in shown}), access, mode)
    problems = []
    for entry in shown:
        copy, warning = copies.get(entry.media.src), why.get(entry.media.src)
        if copy is None or warning:
            problems.append(_problem(entry, f"{_quoted(entry)}: {warning}", "warning" if copy else "error"))
    named = {id(entry) for entry in shown if entry.media.src in copies}
    copied = tuple(replace(entry, media=replace(entry.media, copy=copies[entry.media.src].name))
                   if id(entry) in named else entry for entry in entries)
    return Copied(copied, tuple(problems))


def _copies(urls: list[str], access: RemoteAccess, mode: str) -> tuple[dict[str, StoredCopy], dict[str, str]]:
    """The copy to publish of each URL that has one, and what to say of each URL: why it has none, or
    why an older copy is published."""
    store = Store(access.folder())
    stored, why = {}, {}
    for url in urls:
        stored[url], why[url] = store.read(url)
    if mode == STORED:
        for url in urls:
            if stored[url] is None:
                why[url] = f"{why[url]}, and --offline fetches nothing: build once without --offline, or put the " \
                           "image in content/media/ and give its file name"
        return {url: copy for url, copy in stored.items() if copy is not None}, {u: w for u, w in why.items() if w}
    now = time.time()
    due = [url for url in urls if stored[url] is None or not 0 <= now - stored[url].fetched < access.refresh_after]
    fetched = _fetch_all(due, access)
    copies = {url: copy for url, copy in stored.items() if copy is not None and url not in due}
    said = {}
    for url in due:
        result = fetched[url]
        if isinstance(result, StoredCopy):
            try:
                store.keep(result)
            except OSError as err:
                said[url] = f"cannot keep its copy in {display_path(store.folder)}: {err.strerror or err}"
                continue
            copies[url] = result
        elif stored[url] is not None:
            copies[url] = stored[url]
            day = time.strftime("%Y-%m-%d", time.gmtime(stored[url].fetched))
            said[url] = f"could not fetch it again ({result}); the copy fetched on {day} is published"
        else:
            said[url] = (f"cannot copy it into the site: {result}; fix the address or build again, or put the "
                         "image in content/media/ and give its file name")
    return copies, said


def _fetch_all(urls: list[str], access: RemoteAccess) -> dict[str, StoredCopy | str]:
    """Each URL's fresh copy, or why there is none; a few at a time, all within access.total_time."""
    if not urls:
        return {}
    end = time.monotonic() + access.total_time

    def one(url: str) -> StoredCopy | str:
        start = time.monotonic()
        if start >= end:
            return f"the build's {access.total_time:g} s for fetching images ran out before it"
        try:
            data, kind = fetch(url, access, min(start + access.time_limit, end))
        except FetchFailed as err:
            return str(err)
        return StoredCopy(url, data, kind, int(time.time()))

    with ThreadPoolExecutor(max_workers=max(1, min(access.concurrency, len(urls)))) as pool:
        return dict(zip(urls, pool.map(one, urls)))


def _refused(entry: Entry) -> Problem:
    return _problem(entry, f"{_quoted(entry)} is a remote image, and {SETTINGS_FILE} says remote_media: "
                           f"{REFUSE_REMOTE}; put the image in content/media/ and give its file name, or set "
                           "remote_media: copy")


def _quoted(entry: Entry) -> str:
    return f'"{shortened(entry.media.src, 80)}"'


def _problem(entry: Entry, message: str, severity: str = "error") -> Problem:
    """A problem at the entry's media.src."""
    line, column = _src_mark(entry.source_path) or (None, None)
    return Problem(entry.source_path, message, field="media.src", line=line, column=column, severity=severity)


def _src_mark(path: str) -> tuple[int, int] | None:
    """Where the entry file writes its media.src, read again: such problems are rare, and keeping the
    line of every field of every entry for them would make every load carry them."""
    from .yamlfile import MAX_FILE_BYTES, Mapping, Scalar, YamlError, parse_yaml

    try:
        root = parse_yaml(read_regular(path, MAX_FILE_BYTES)[0])
    except (Refused, YamlError):
        return None
    media = root.get("media") if isinstance(root, Mapping) else None
    src = media.get("src") if isinstance(media, Mapping) else None
    return (src.line, src.column) if isinstance(src, Scalar) else None



# ---------------------------------------------------------------- publishing

def copied_files(entries: Iterable[Entry], access: RemoteAccess) -> Iterator[tuple[str, bytes]]:
    """The copies the entries name, as files of the site (below media/), from the store."""
    store = Store(access.folder())
    wanted = sorted({(entry.media.copy, entry.media.src) for entry in entries
                     if entry.media is not None and entry.media.copy})
    done = set()
    for name, url in wanted:
        if name in done:  # two addresses that gave the same bytes
            continue
        copy, why = store.read(url)
        if copy is None or copy.name != name:
            raise StoreChanged(f"the copy of {shortened(url, 80)} changed in {display_path(store.folder)} while the site "
                               f"was built ({why or 'another build fetched it again'}); build again")
        done.add(name)
        yield f"{MEDIA_DIR}/{name}", copy.data


def kept_copy(old: Entry, new: Entry | None) -> Entry | None:
    """`new` (an edit of `old`, read again) with the copy `old` names of the same remote image: what
    copy_remote_media gave the build `old` comes from."""
    if new is None or new.media is None or old.media is None or not old.media.copy or new.media.src != old.media.src:
        return new
    return replace(new, media=replace(new.media, copy=old.media.copy))
