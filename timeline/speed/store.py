"""Cache files: signed by the user's key, replaced in one rename, ignored whenever anything is off.

Every cache (the load cache, the page cache, the stamp, Jinja's compiled templates) keeps its
records in files of this form:

    a header line (the format and what the records depend on)
    a token (random, new at every write)
    a signature (signing.sign of the file's name, header, token and records)
    the records, pickled

Pickle runs code from what it reads, so a file is unpickled only once its signature verifies: a
cache folder planted in a repository, copied from another machine or edited by hand is not a cache
this tool wrote for this user, and is ignored (the build reads everything afresh and replaces it).
The default cache folder is the user's own (layout.user_cache_folder), one folder per content
folder, so nothing a repository holds stands where caches are looked for.

Deleting a cache is always safe; a file that cannot be read or written only costs speed.
"""
from __future__ import annotations

import functools
import hashlib
import os
import pickle
import stat
import sys
import tempfile
from importlib.util import find_spec
from pathlib import Path

from .. import __version__
from ..layout import user_cache_folder
from ..signing import SIGNATURE_BYTES, sign, verifies

TOKEN_BYTES = 16
# The libraries whose behaviour shapes what a build makes: a new version (or a reinstall) means new code.
# Pillow draws the share cards (its FreeType and zlib shape their bytes) and fontTools reads which
# characters the cards' font can draw.
LIBRARIES = ("jinja2", "markupsafe", "markdown", "yaml", "_yaml", "persiantools", "hijridate", "PIL", "fontTools", "babel")
# Files of the package besides its modules that shape what a build makes: the share cards' font.
DATA_FILES = ("fonts/*.ttf",)
_GITIGNORE = b"*\n"
_CACHEDIR_TAG = (b"Signature: 8a477f597d28d172789f06886806bc55\n"
                 b"# The build cache of the timeline tool; safe to delete. See https://bford.info/cachedir/\n")


def default_cache_dir(content_dir: Path) -> Path:
    """The user's cache folder for this content folder: named after it, and told apart from every
    other of the same name by a digest of its whole path."""
    real = os.path.realpath(content_dir)
    digest = hashlib.sha256(os.fsencode(real)).hexdigest()[:16]
    name = os.path.basename(os.path.dirname(real)).encode("ascii", "replace").decode("ascii")
    return user_cache_folder() / f"{''.join(c if c.isalnum() or c in '-_' else '_' for c in name)[:40]}-{digest}"


def write_cached(file: Path, header: bytes, data: object) -> None:
    """Replace a cache file with `data` (a crash never leaves half of one); a file that cannot be
    written is simply not kept."""
    try:
        pickled = pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL)
    except (pickle.PicklingError, TypeError, AttributeError):
        return
    write_pickled(file, header, pickled, data)


def write_pickled(file: Path, header: bytes, pickled: bytes, data: object) -> None:
    """write_cached for `data` pickled already (as `pickled`)."""
    token, temporary = os.urandom(TOKEN_BYTES), None
    try:
        make_cache_dir(file.parent)
        with tempfile.NamedTemporaryFile("wb", dir=file.parent, prefix=f".{file.stem}-", suffix=".tmp",
                                         delete=False) as stream:
            temporary = stream.name
            stream.write(header)
            stream.write(token)
            stream.write(sign(_purpose(file), header, token, pickled))
            stream.write(pickled)
            stream.flush()
            written = os.fstat(stream.fileno())
        os.replace(temporary, file)  # replaces a link planted there, never writes through it
    except OSError:
        if temporary is not None:
            Path(temporary).unlink(missing_ok=True)
        return
    _held[str(file)] = (header, token, written.st_size, written.st_mtime_ns, data)


def read_cached(file: Path, header: bytes) -> object | None:
    """What write_cached wrote with this header for this user; None when missing, of another header,
    damaged, or not signed with this user's key.

    What is read or written is shared, not copied: callers never change it."""
    try:
        handle = os.open(file, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return None
    try:
        with os.fdopen(handle, "rb") as stream:
            info = os.fstat(stream.fileno())
            if not stat.S_ISREG(info.st_mode) or stream.readline(len(header) + 1) != header:
                return None
            token = stream.read(TOKEN_BYTES)
            identity = (header, token, info.st_size, info.st_mtime_ns)
            held = _held.get(str(file))
            if held is not None and held[:4] == identity:
                return held[4]
            signature, pickled = stream.read(SIGNATURE_BYTES), stream.read()
        if not verifies(signature, _purpose(file), header, token, pickled):
            return None
        data = pickle.loads(pickled)
    except Exception:  # noqa: BLE001 - a damaged cache of any kind is only a slower build
        return None
    _held[str(file)] = (*identity, data)
    return data


def _purpose(file: Path) -> bytes:
    """What a cache file's signature covers besides its bytes: its name, so one cannot stand for another."""
    return b"cache file " + os.fsencode(file.name)


# What this process last read from or wrote to each cache file: a process that builds again and
# again (a live preview) does not read and unpickle, at every save, the files it wrote itself (see
# benchmarks/README.md). Every write puts a random token after the header, and every writer
# replaces a cache file by renaming a new one over it: a file with the same token, size and mtime
# is the one this process read or wrote, however coarse the filesystem's timestamps, and however
# soon it reuses inode numbers.
_held: dict[str, tuple[bytes, bytes, int, int, object]] = {}


def make_cache_dir(cache_dir: Path) -> None:
    """The cache folder, made if missing, kept out of git and backups wherever it is put. Its two
    marker files are created, never written through a link someone put in their place."""
    if cache_dir.is_dir():
        return
    cache_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    for name, text in ((".gitignore", _GITIGNORE), ("CACHEDIR.TAG", _CACHEDIR_TAG)):
        try:
            handle = os.open(cache_dir / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL
                             | getattr(os, "O_NOFOLLOW", 0), 0o644)
        except FileExistsError:
            continue
        with os.fdopen(handle, "wb") as stream:
            stream.write(text)


@functools.cache
def code_identity() -> str:
    """What the running tool is: the bytes of every module and data file of the package, where each
    library the output depends on lives and when it was installed, and the Python running them. Every cache
    file and the stamp are keyed on it, so a changed validator, template filter or library never
    trusts an old result.

    Taken once per process, at its first build: a long-running preview keeps running the code it
    imported whatever is on disk later, and must record what that code made under that code's
    identity. No library is imported here (the no-op build does without them)."""
    return identity_of(Path(__file__).resolve().parent.parent)


@functools.cache
def identity_of(package: Path) -> str:
    """code_identity of the package in the folder `package`."""
    digest = hashlib.sha256(repr((__version__, sys.version, sys.executable)).encode())
    files = [*package.rglob("*.py"), *(path for pattern in DATA_FILES for path in package.glob(pattern))]
    for path in sorted(files):
        digest.update(b"\0" + path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes())
    for name in LIBRARIES:
        spec = find_spec(name)
        origin = spec.origin if spec is not None else None
        found = os.stat(origin) if origin and os.path.exists(origin) else None
        digest.update(repr((name, origin, found and (found.st_size, found.st_mtime_ns))).encode())
    return digest.hexdigest()


def file_digest(path: str) -> bytes | None:
    """The SHA-256 of the regular file's bytes (a link is not followed); None when it cannot be read."""
    try:
        handle = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return None
    try:
        with os.fdopen(handle, "rb") as stream:
            if not stat.S_ISREG(os.fstat(stream.fileno()).st_mode):
                return None
            return hashlib.file_digest(stream, "sha256").digest()
    except OSError:
        return None


def read_digest(path: str) -> bytes | None:
    """file_digest of what reading `path` reads: through links, for the files a build reads as the system
    has them (the time zone's rules: zoneinfo follows the links system zone folders are made of)."""
    return file_digest(os.path.realpath(path))
