"""The page cache: unchanged pages are neither rendered nor hashed again.

Beside the load cache (entries.py, same folder, same rules: signed, safe to delete, ignored when
damaged, replaced in one rename), one file per content and output folder records, for every page
of the last build, the key it was rendered under, the fingerprint of the bytes it gave and the
file's size and modification time after the write. In files of their own it keeps each entry
body's HTML, valid while the code that converted it is the same; each entry's fragments (its
listing item and TimelineJS event, see render.Fragments), valid for the same entry key under the
same site key, settings and drafts flag; and Jinja's compiled templates.

A page's key is its `inputs` (plan.plan_site declares everything the page shows: its entries,
neighbours, settings, drafts flag, labels) and the site key: every file of the templates folder
(a template may include or extend another, the 404 page inlines the CSS) and the tool's code
identity. A page whose key is unchanged has the same bytes as last time, so the writer is told its
fingerprint instead; the writer still checks that the file in the output folder is the one it
wrote (size and modification time) and asks for the page to be rendered when not. A page with no
inputs is never taken from the cache.
"""
from __future__ import annotations

import hashlib
import os
import zlib
from pathlib import Path
from typing import Iterable, Mapping

import jinja2
import jinja2.bccache

from ..cards import catalogue_words
from ..folders import FILE, walk
from ..locales import CatalogueError, language_for
from ..model import Timeline
from ..plan import SHARE_CARD, Page, value_digest
from ..render import Fragments
from ..write import Kept, WriteResult
from .store import code_identity, read_cached, write_cached

FORMAT = b"timeline-page-cache 4\n"
BODIES_FORMAT = b"timeline-body-cache 3 "
FRAGMENTS_FORMAT = b"timeline-fragment-cache 3 "
COMPILED_FORMAT = b"timeline-compiled-template 1 "
# Bodies and fragments are kept in this many files each, so that editing one entry rewrites a
# sixteenth of them (benchmarks/README.md).
SHARDS = 16


def site_key(templates_dir: Path) -> str:
    """What every page depends on besides its own inputs: the code, and every file of the templates."""
    digest = hashlib.sha256(code_identity().encode())
    folder = str(templates_dir.absolute())
    for item in walk(folder, hidden=True):  # a template may include a hidden file
        relative = item.path[len(folder) + 1:].replace(os.sep, "/")
        digest.update(b"\0" + relative.encode("utf-8", "surrogateescape") + b"\0" + item.kind.encode())
        if item.kind == FILE:
            try:
                with open(item.path, "rb") as stream:
                    digest.update(stream.read())
            except OSError:
                digest.update(b"\0unreadable")
    return digest.hexdigest()


def body_digest(body: str) -> bytes:
    return hashlib.blake2b(body.encode("utf-8", "surrogateescape"), digest_size=16).digest()


class PageCache:
    """The pages, bodies and fragments of the last build of one content folder.

    The pages are recorded in one file (they all change with the templates); the bodies, which
    depend only on the code that converts them, in SHARDS files by digest, each read when
    first needed and rewritten (and pruned) only when a new body falls in it; the fragments (each
    entry's listing items and TimelineJS event), which also depend on the templates and settings,
    in as many files by entry id, so one edit rewrites one of them.
    """

    def __init__(self, cache_dir: Path, content_dir: Path, output_dir: Path, templates_dir: Path,
                 known_keys: tuple[str, dict[tuple[str, ...], str]] | None = None):
        """`known_keys`: the site key and page keys (by the pages' inputs) of the last build of a process
        that builds again and again (a session): only the keys of the pages whose inputs changed are
        hashed again."""
        self.cache_dir, self.templates_dir = cache_dir, templates_dir
        folders = os.fsencode(f"{os.path.abspath(content_dir)}\0{os.path.abspath(output_dir)}")
        name = hashlib.sha256(folders).hexdigest()[:16]
        self.file = cache_dir / f"pages-{name}.pickle"
        self.fragments_name = f"fragments-{name}"
        self.bodies_name = f"bodies-{hashlib.sha256(os.fsencode(os.path.abspath(content_dir))).hexdigest()[:16]}"
        self.site_key = site_key(templates_dir)
        self.code_key = code_identity()
        self.bodies_header = BODIES_FORMAT + self.code_key.encode() + b"\n"
        self.pages = self._read(self.file, FORMAT)
        self.shards: dict[int, dict] = {}
        # Set by fragments(), for save(): the entries' keys, the fragment files as read, their header.
        self.entry_keys: Mapping[str, str] = {}
        self.fragment_shards: list[dict] = []
        self.stale_shards: set[int] = set()  # fragment files holding fragments of entries changed or gone
        self.fragments_header = b""
        self.known_keys = known_keys[1] if known_keys and known_keys[0] == self.site_key else {}
        self.keys: dict[tuple[str, ...], str] = {}  # this build's
        self.card_keys: dict[str, str] = {}  # what stands for the site key of the share cards, by language

    def page_key(self, page: Page) -> str:
        """sha256 of the site key and the page's inputs, asked by unchanged() and again by save(). A share
        card is drawn by the code and the few words of the catalogue it draws, whatever the templates say:
        they stand for the site key."""
        key = self.keys.get(page.inputs)
        if key is None:
            key = self.known_keys.get(page.inputs)
            if key is None:
                site = self._card_key(page.context["settings"].language) if page.template == SHARE_CARD else self.site_key
                key = hashlib.sha256("\0".join((site, *page.inputs)).encode()).hexdigest()
            self.keys[page.inputs] = key
        return key

    def _card_key(self, language: str) -> str:
        key = self.card_keys.get(language)
        if key is None:
            try:
                words = catalogue_words(language_for(language, self.templates_dir).formats)
            except CatalogueError:  # the render stops with it; no card is kept
                words = ("\0unusable catalogue",)
            key = self.card_keys[language] = hashlib.sha256("\0".join((self.code_key, *words)).encode()).hexdigest()
        return key

    def unchanged(self, pages: Iterable[Page]) -> dict[str, Kept]:
        """What the writer needs of each page whose key is what it was last time, by path."""
        kept = {}
        for page in pages:
            record = self.pages.get(page.path)
            if page.inputs and isinstance(record, tuple) and len(record) == 3 and record[0] == self.page_key(page):
                kept[page.path] = Kept(record[1], record[2])
        return kept

    def fragments(self, timeline: Timeline, entry_keys: Mapping[str, str]) -> Fragments:
        """Render fragments holding those of the entries unchanged since they were made, and looking
        up converted bodies here."""
        self.entry_keys = entry_keys
        self.fragments_header = FRAGMENTS_FORMAT + self._fragments_key(timeline).encode() + b"\n"
        self.fragment_shards = [self._read(self._fragment_file(number), self.fragments_header)
                                for number in range(SHARDS)]
        fragments = {}
        for number, shard in enumerate(self.fragment_shards):
            valid = {key: text for key, (made_from, text) in shard.items() if entry_keys.get(key[1]) == made_from}
            if len(valid) < len(shard):
                self.stale_shards.add(number)
            fragments.update(valid)
        compiled = CompiledTemplates(self.cache_dir, f"templates-{self.code_key[:16]}")
        return Fragments(fragments=fragments, stored_body=self.stored_body, compiled=compiled)

    def stored_body(self, body: str) -> str | None:
        """The HTML of a body an earlier build converted, or None."""
        digest = body_digest(body)
        html = self._shard(digest[0] % SHARDS).get(digest)
        return html if isinstance(html, str) else None

    def save(self, pages: Iterable[Page], written: WriteResult, fragments: Fragments, timeline: Timeline) -> None:
        """Record this build: each page's key, output fingerprint and stat, new bodies and fragments.

        Jinja reads a template when a page first uses it: when one was saved during the build, the
        pages may show either version, so only the bodies (which no template makes) are kept."""
        self._save_bodies(fragments.gained_bodies, timeline)
        if site_key(self.templates_dir) != self.site_key:
            return
        records = {page.path: (self.page_key(page), written.fingerprints[page.path], written.stats[page.path])
                   for page in pages if page.inputs and page.path in written.stats}
        if records != self.pages:
            write_cached(self.file, FORMAT, records)
        self._save_fragments(fragments.gained_fragments)

    def _save_bodies(self, gained: Mapping[str, str], timeline: Timeline) -> None:
        by_shard: dict[int, dict] = {}
        for body, html in gained.items():
            digest = body_digest(body)
            by_shard.setdefault(digest[0] % SHARDS, {})[digest] = html
        if not by_shard:
            return
        current = {body_digest(entry.body) for entry in timeline.entries if entry.body}
        for number, new in by_shard.items():
            kept = {digest: html for digest, html in self._shard(number).items() if digest in current}
            write_cached(self._shard_file(number), self.bodies_header, {**kept, **new})

    def _save_fragments(self, gained: Mapping[tuple, str]) -> None:
        """Each fragment file that holds fragments of entries changed or gone since, or gets new ones:
        rewritten with what it held still valid and what this build made (fragments() kept the same)."""
        by_shard: dict[int, dict] = {number: {} for number in self.stale_shards}
        for key, text in gained.items():
            made_from = self.entry_keys.get(key[1])
            if made_from is not None:
                by_shard.setdefault(_shard_of(key[1]), {})[key] = (made_from, text)
        for number, new in by_shard.items():
            shard = {key: made for key, made in self.fragment_shards[number].items()
                     if self.entry_keys.get(key[1]) == made[0]}
            shard.update(new)
            if shard != self.fragment_shards[number]:
                write_cached(self._fragment_file(number), self.fragments_header, shard)

    def _fragments_key(self, timeline: Timeline) -> str:
        return value_digest((self.site_key, timeline.settings, timeline.drafts_included))

    def _fragment_file(self, number: int) -> Path:
        return self.cache_dir / f"{self.fragments_name}-{number:02}.pickle"

    def _shard_file(self, number: int) -> Path:
        return self.cache_dir / f"{self.bodies_name}-{number:02}.pickle"

    def _shard(self, number: int) -> dict:
        if number not in self.shards:
            self.shards[number] = self._read(self._shard_file(number), self.bodies_header)
        return self.shards[number]

    def _read(self, file: Path, header: bytes) -> dict:
        records = read_cached(file, header)
        if not isinstance(records, dict):
            return {}
        return {key: value for key, value in records.items() if isinstance(value, tuple) and len(value) == 2} \
            if header.startswith(FRAGMENTS_FORMAT) else records


def _shard_of(entry_id: str) -> int:
    return zlib.crc32(entry_id.encode("utf-8", "surrogateescape")) % SHARDS


class CompiledTemplates(jinja2.BytecodeCache):
    """Jinja's cache of compiled templates, as signed cache files in a folder named after the code that
    configures the environment (Jinja keys a template by its name and source only). Compiled code is
    run as it is read, so a file that is not this tool's, for this user, is never loaded: the template
    is compiled again."""

    def __init__(self, cache_dir: Path, name: str):
        self.cache_dir, self.folder = cache_dir, cache_dir / name

    def _file(self, bucket: jinja2.bccache.Bucket) -> Path:
        return self.folder / f"{bucket.key}.cache"

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        if os.path.islink(self.folder):  # the file's own link is not followed, nor this one: read nothing elsewhere
            return
        data = read_cached(self._file(bucket), COMPILED_FORMAT + bucket.checksum.encode() + b"\n")
        if isinstance(data, bytes):
            try:
                bucket.bytecode_from_string(data)
            except Exception:  # noqa: BLE001 - compiled by another Python: compiled again
                bucket.reset()

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        if not self.cache_dir.is_dir() or os.path.islink(self.folder):  # in the build's cache folder, or not at all
            return
        write_cached(self._file(bucket), COMPILED_FORMAT + bucket.checksum.encode() + b"\n", bucket.bytecode_to_string())
