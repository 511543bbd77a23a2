"""A persistent cache for the render stage: unchanged pages are neither rendered nor hashed again.

Beside the load cache (cache.py, same folder, same rules: safe to delete,
ignored when damaged, replaced in one rename), one file per content and
output folder records, for every page of the last build, the key it was
rendered under, the fingerprint of the bytes it gave and the file's size and
modification time after the write; and, in files of their own, each entry
body's HTML, valid while the code that converted it is the same.

A page's key is its `inputs` (render.plan_site fingerprints everything the
page shows: its entries, neighbours, settings, drafts flag, labels) and the
site key: every file of the templates folder (a template may include or
extend another, the 404 page inlines the CSS), the tool's version and the
source of the modules that turn a timeline into bytes, and the versions of
Python and of the libraries they use. A page whose key is unchanged has the
same bytes as last time, so the writer is told its fingerprint instead; the
writer still checks that the file in the output folder is the one it wrote
(size and modification time) and asks for the page to be rendered when not.
A page with no inputs is never taken from the cache.
"""
from __future__ import annotations

import hashlib
import sys
from importlib.metadata import version
from pathlib import Path
from typing import Iterable, Mapping

from . import __version__
from .cache import read_pickle, write_pickle
from .render import Page
from .write import Kept, WriteResult

FORMAT = b"timeline-page-cache 2\n"
BODIES_FORMAT = b"timeline-body-cache 1 "
# Converted bodies are kept in this many files by their digest, so that editing one body rewrites
# a sixteenth of them (pickling 10,000 bodies takes a third of a second).
BODY_SHARDS = 16
# The modules that turn a planned page into bytes (tests/test_incremental.py checks the list).
RENDER_MODULES = ("dates", "markup", "model", "pagecache", "permalinks", "render")


def site_key(templates_dir: Path) -> str:
    """What every page depends on besides its own inputs."""
    digest = hashlib.sha256(repr(_code_identity()).encode())
    for path in sorted(p for p in templates_dir.rglob("*") if p.is_file()):
        relative = path.relative_to(templates_dir).as_posix()
        digest.update(b"\0" + relative.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def _code_identity() -> tuple:
    package = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for module in RENDER_MODULES:
        digest.update(module.encode() + b"\0" + (package / f"{module}.py").read_bytes())
    libraries = tuple(version(name) for name in ("jinja2", "markdown", "markupsafe"))
    return __version__, digest.hexdigest(), sys.version_info[:2], libraries


def body_digest(body: str) -> bytes:
    return hashlib.blake2b(body.encode("utf-8"), digest_size=16).digest()


class PageCache:
    """The pages and bodies of the last build of one content folder.

    The pages are recorded in one file (they all change with the templates); the bodies, which
    depend only on the code that converts them, in BODY_SHARDS files, each read when first needed
    and rewritten only when the bodies it holds change.
    """

    def __init__(self, cache_dir: Path, content_dir: Path, output_dir: Path, templates_dir: Path):
        self.cache_dir = cache_dir
        folders = f"{content_dir.resolve()}\0{output_dir.resolve()}"
        name = hashlib.sha256(folders.encode()).hexdigest()[:16]
        self.file = cache_dir / f"pages-{name}.pickle"
        self.bodies_name = f"bodies-{hashlib.sha256(str(content_dir.resolve()).encode()).hexdigest()[:16]}"
        self.site_key = site_key(templates_dir)
        self.bodies_header = BODIES_FORMAT + hashlib.sha256(repr(_code_identity()).encode()).hexdigest().encode() + b"\n"
        self.pages = self._read(self.file, FORMAT)
        self.shards: dict[int, dict] = {}

    def page_key(self, page: Page) -> str:
        return hashlib.sha256("\0".join((self.site_key, *page.inputs)).encode()).hexdigest()

    def unchanged(self, pages: Iterable[Page]) -> dict[str, Kept]:
        """What the writer needs of each page whose key is what it was last time, by path."""
        kept = {}
        for page in pages:
            record = self.pages.get(page.path)
            if page.inputs and isinstance(record, tuple) and record[0] == self.page_key(page):
                kept[page.path] = Kept(record[1], record[2])
        return kept

    def known_bodies(self, bodies: Iterable[str]) -> dict[str, str]:
        """The HTML of those bodies converted by an earlier build."""
        known = {}
        for body in bodies:
            digest = body_digest(body)
            html = self._shard(digest[0] % BODY_SHARDS).get(digest)
            if html is not None:
                known[body] = html
        return known

    def save(self, pages: Iterable[Page], written: WriteResult, bodies: Mapping[str, str]) -> None:
        """Record this build: each page's key, output fingerprint and stat, each body's HTML."""
        records = {page.path: (self.page_key(page), written.fingerprints[page.path], written.stats[page.path])
                   for page in pages if page.inputs and page.path in written.stats}
        if records != self.pages:
            write_pickle(self.file, FORMAT, records)
        shards: dict[int, dict] = {number: {} for number in range(BODY_SHARDS)}
        for body, html in bodies.items():
            digest = body_digest(body)
            shards[digest[0] % BODY_SHARDS][digest] = html
        for number, converted in shards.items():
            if converted.keys() != self._shard(number).keys():
                write_pickle(self._shard_file(number), self.bodies_header, converted)

    def _shard_file(self, number: int) -> Path:
        return self.cache_dir / f"{self.bodies_name}-{number:02}.pickle"

    def _shard(self, number: int) -> dict:
        if number not in self.shards:
            self.shards[number] = self._read(self._shard_file(number), self.bodies_header)
        return self.shards[number]

    def _read(self, file: Path, header: bytes) -> dict:
        records = read_pickle(file, header)
        return records if isinstance(records, dict) else {}
