"""The user's secret key: how the tool recognises files it wrote itself, for this user.

A build reads back two kinds of files it wrote earlier: its caches, and the plan of a write that
was interrupted after its commit point. Both sit in folders other people can put files in (a
repository takes pull requests, and CI builds them), and both would be trusted: a cache file is
unpickled, a plan moves and deletes files. So each is signed with a key that lives in the user's
own state folder, outside every repository and outside the cache folder (HMAC-SHA256), and a file
whose signature does not verify is never used.

The key is made once, 32 random bytes in a file only its owner can read. When it cannot be kept
(no writable home folder) the process makes one of its own: what it signs is recognised by itself
only, so caches last for one run, and `key_note()` says why.
"""
from __future__ import annotations

import functools
import hashlib
import hmac
import os
import stat
from pathlib import Path

from .layout import user_state_folder

KEY_FILE = "key"
KEY_BYTES = 32
SIGNATURE_BYTES = hashlib.sha256().digest_size

_note: list[str] = []  # why the key is this process's own, once it is made


def sign(purpose: bytes, *parts: bytes) -> bytes:
    """The signature of `parts` for `purpose` (what the bytes are for, so one file cannot pass for another)."""
    mac = hmac.new(_key(), purpose + b"\0", hashlib.sha256)
    for part in parts:
        mac.update(part)
    return mac.digest()


def verifies(signature: bytes, purpose: bytes, *parts: bytes) -> bool:
    return hmac.compare_digest(signature, sign(purpose, *parts))


def key_note() -> str | None:
    """Why this process could not keep the user's key, once it tried; None when it could."""
    return _note[0] if _note else None


def key_file() -> Path:
    return user_state_folder() / KEY_FILE


@functools.cache
def _key() -> bytes:
    path = key_file()
    try:
        return _read_key(path) or _make_key(path)
    except (OSError, ValueError) as err:
        reason = err.strerror if isinstance(err, OSError) and err.strerror else str(err)
        _note.append(f"cannot keep the build's key in {path} ({reason}); caches last for this run only")
        return os.urandom(KEY_BYTES)


def _read_key(path: Path) -> bytes | None:
    """The key in `path`; None when there is none yet. A key another user could read or replace is
    refused: whoever can write it can make the tool trust their files."""
    try:
        handle = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        return None
    except OSError as err:
        if os.path.islink(path):
            raise ValueError("it is a symbolic link") from None
        raise err
    try:
        info = os.fstat(handle)
        if not stat.S_ISREG(info.st_mode):
            raise ValueError("it is not a regular file")
        if hasattr(os, "getuid") and (info.st_uid != os.getuid() or info.st_mode & 0o077):
            raise ValueError("others may read or change it; delete it and build again")
        key = os.read(handle, KEY_BYTES + 1)
    finally:
        os.close(handle)
    if len(key) != KEY_BYTES:
        raise ValueError("it is damaged; delete it and build again")
    return key


def _make_key(path: Path) -> bytes:
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    key = os.urandom(KEY_BYTES)
    temporary = path.with_name(f".{KEY_FILE}-{os.getpid()}")
    handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    try:
        os.write(handle, key)
        os.fsync(handle)
    finally:
        os.close(handle)
    try:
        os.link(temporary, path)  # never replaces a key another process made meanwhile
    except FileExistsError:
        return _read_key(path)
    except OSError:  # a filesystem without hard links
        os.replace(temporary, path)
        return key
    os.unlink(temporary)
    return key
