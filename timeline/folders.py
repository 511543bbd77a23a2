"""Reading the folders a build is given: regular files inside them, never more than a file may hold.

Everything in the content and templates folders is untrusted (a repository takes pull requests,
and CI builds them). A link there could make the builder read, print or publish a file from
anywhere (`content/media/x.jpg -> /proc/self/environ`, `content/entries/root -> /`), and a named
pipe would make it wait forever. So the builder follows no symbolic links below the folders it is
given (a folder inside them that is a link, `content/media -> /etc`, is neither listed nor read
from), opens only regular files (a pipe or a device is refused before it is read from), reads no
file past its size limit nor one nested deeper than MAX_DEPTH folders, and walks folders without
recursion. Every file or folder passed over is named in a problem.
"""
from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Iterator, NamedTuple

from .layout import display_path

_NO_FOLLOW = os.O_NOFOLLOW if hasattr(os, "O_NOFOLLOW") else 0
_NO_WAIT = os.O_NONBLOCK if hasattr(os, "O_NONBLOCK") else 0  # a pipe opens without waiting for a writer
_DIRECTORY = os.O_DIRECTORY if hasattr(os, "O_DIRECTORY") else 0
# How deep below the folder it is read from a file may lie (static/fonts/x.woff: 1 folder deep). A
# repository can hold folders nested thousands deep; what is published is never made of them.
MAX_DEPTH = 32


class Refused(Exception):
    """A file the builder will not read; the message says why and what to do."""


class Item(NamedTuple):
    """One thing found in a folder: its name, and what it is (file, folder, link or other)."""

    name: str
    kind: str
    path: str


FILE, FOLDER, LINK, OTHER = "file", "folder", "link", "other"


def kind_of(item: os.DirEntry) -> str:
    """What a folder entry is, from the listing itself (no stat on most systems), links not followed."""
    if item.is_symlink():
        return LINK
    if item.is_file(follow_symlinks=False):
        return FILE
    if item.is_dir(follow_symlinks=False):
        return FOLDER
    return OTHER


def listing(folder: str) -> list[Item]:
    """The folder's entries, sorted by name; raises OSError when it cannot be listed, or is a link
    (a folder found as a link is never listed: it would list what is elsewhere)."""
    if os.scandir not in os.supports_fd:  # pragma: no cover - Windows
        if os.path.islink(folder):
            raise OSError(f"{folder} is a symbolic link")
        with os.scandir(folder) as found:
            return sorted((Item(item.name, kind_of(item), item.path) for item in found), key=lambda item: item.name)
    handle = os.open(folder, os.O_RDONLY | _DIRECTORY | _NO_FOLLOW)
    try:
        prefix = os.path.join(folder, "")
        with os.scandir(handle) as found:
            items = [Item(item.name, kind_of(item), prefix + item.name) for item in found]
    finally:
        os.close(handle)
    return sorted(items, key=lambda item: item.name)


def walk(folder: str, hidden: bool = False) -> Iterator[Item]:
    """Every item below `folder`, depth first in name order, without entering links; hidden ones left
    out unless `hidden`. Nothing for a folder that cannot be listed or is a link. Without recursion:
    a repository may hold folders nested thousands deep."""
    pending = [iter(_listed(folder))]
    while pending:
        item = next(pending[-1], None)
        if item is None:
            pending.pop()
            continue
        if item.name.startswith(".") and not hidden:
            continue
        yield item
        if item.kind == FOLDER:
            pending.append(iter(_listed(item.path)))


def _listed(folder: str) -> list[Item]:
    try:
        return listing(folder)
    except OSError:
        return []


def refusal(path: str, kind: str, thing: str = "file") -> str:
    """Why an item of this kind is not read, and what to do (with a link: put the `thing` itself there)."""
    if kind == LINK:
        try:
            target = os.readlink(path)
        except OSError:
            target = "?"
        return (f"is a symbolic link (to {target}); the builder follows no links, so that nothing outside "
                f"the folders it is given is ever read: put the {thing} itself here")
    if kind == FOLDER:
        return "is a folder, not a file"
    return "is not a regular file (a named pipe, socket or device); remove it"


def check_folder(path: Path, what: str) -> str | None:
    """Why the folder named `path` cannot be used, or None. A folder given by the user is used as
    named, but not a link: the link (perhaps added to a repository) would choose what is read. Nor
    may a folder on the way to it be a link, where that folder is in the working folder (the
    repository a build runs in: `--output docs/site` with docs a link would write elsewhere); the
    folders above the working folder are the user's own."""
    linked = check_not_linked(path, what)
    if linked:
        return linked
    if path.exists() and not path.is_dir():
        return f"is not a folder; give the {what} folder"
    return None


def check_not_linked(path: Path, what: str) -> str | None:
    """Why the folder named `path` cannot be used for being a link, or inside one (see check_folder)."""
    if os.path.islink(path):
        return refusal(str(path), LINK).replace("put the file itself here", f"give the {what} folder's real path")
    for folder in _folders_on_the_way(path):
        if os.path.islink(folder):
            return (f"is inside {display_path(folder)}, which {refusal(folder, LINK)}"
                    .replace("put the file itself here", f"give the {what} folder's real path"))
    return None


def _folders_on_the_way(path: Path) -> Iterator[str]:
    """The folders on the way to `path`, as it is written, that lie inside the working folder."""
    here = os.getcwd()
    inside = os.path.join(here, "")
    written = os.path.join(here, os.fspath(path))  # an absolute path stays as it is
    if not written.startswith(inside):
        return
    parts = written[len(inside):].split(os.sep)
    for end in range(1, len(parts)):
        folder = os.path.join(here, *parts[:end])
        if os.path.normpath(folder).startswith(inside):  # not after a .. that left it
            yield folder


def read_regular(path: str, limit: int) -> tuple[bytes, os.stat_result]:
    """The bytes of the regular file at `path`, whose last component must not be a link, and its stat
    taken before they were read; Refused for anything else or for a file over `limit` bytes."""
    try:
        handle = os.open(path, os.O_RDONLY | _NO_FOLLOW | _NO_WAIT)
    except OSError as err:
        if os.path.islink(path):
            raise Refused(refusal(path, LINK)) from None
        raise Refused(f"cannot read the file: {err.strerror or err}") from None
    try:
        return _read_open(handle, path, limit)
    finally:
        os.close(handle)


def read_below(root: str, relative: str, limit: int) -> tuple[bytes, os.stat_result]:
    """read_regular of `root`/`relative` (a posix path) where no folder on the way is a link either."""
    handle = _open_below(root, relative)
    try:
        return _read_open(handle, os.path.join(root, relative), limit)
    finally:
        os.close(handle)


def _open_below(root: str, relative: str) -> int:
    """A handle on the regular file `root`/`relative`, opened folder by folder without following a link."""
    parts = relative.split("/")
    if relative.startswith("/") or "\\" in relative or any(part in ("", ".", "..") for part in parts):
        raise Refused(f'"{relative}" is not a path inside {display_path(root)}')
    if len(parts) > MAX_DEPTH + 1:
        raise Refused(f"{display_path(os.path.join(root, parts[0]))}/... is nested {len(parts) - 1} folders deep; "
                      f"a file here may lie at most {MAX_DEPTH} folders deep")
    try:
        folder = os.open(root, os.O_RDONLY | _DIRECTORY | _NO_FOLLOW)  # the folder itself is no link either
    except OSError as err:
        if os.path.islink(root):
            raise Refused(f"{display_path(root)} {refusal(root, LINK, 'folder')}") from None
        raise Refused(f"cannot read the folder {display_path(root)}: {err.strerror or err}") from None
    try:
        for depth, part in enumerate(parts):
            last = depth == len(parts) - 1
            inside = os.path.join(root, *parts[:depth + 1])
            try:
                inner = os.open(part, os.O_RDONLY | _NO_FOLLOW | (_NO_WAIT if last else _DIRECTORY), dir_fd=folder)
            except OSError as err:
                if os.path.islink(inside):
                    thing = "file" if last else "folder"
                    raise Refused(f"{display_path(inside)} {refusal(inside, LINK, thing)}") from None
                raise Refused(f"cannot read {display_path(inside)}: {err.strerror or err}") from None
            os.close(folder)
            folder = inner
        info = os.fstat(folder)
        if not stat.S_ISREG(info.st_mode):
            raise Refused(f"{display_path(inside)} {refusal(inside, FOLDER if stat.S_ISDIR(info.st_mode) else OTHER)}")
    except BaseException:
        os.close(folder)
        raise
    return folder


def _read_open(handle: int, path: str, limit: int) -> tuple[bytes, os.stat_result]:
    info = os.fstat(handle)
    if not stat.S_ISREG(info.st_mode):
        raise Refused(refusal(path, FOLDER if stat.S_ISDIR(info.st_mode) else OTHER))
    if info.st_size > limit:
        raise Refused(f"is {info.st_size:,} bytes; a file here may hold at most {limit:,}")
    chunks, size = [], 0
    while size <= limit:
        chunk = os.read(handle, min(1 << 20, limit + 1 - size))
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    if size > limit:
        raise Refused(f"grew past {limit:,} bytes while it was read")
    return b"".join(chunks), info


def check_file_below(root: str, relative: str, limit: int) -> str | None:
    """Why `root`/`relative` cannot be read as a file (read_below's rules, without reading it), or None."""
    try:
        handle = _open_below(root, relative)
    except Refused as err:
        return str(err)
    try:
        info = os.fstat(handle)
    finally:
        os.close(handle)
    if info.st_size > limit:
        return f"is {info.st_size:,} bytes; a file here may hold at most {limit:,}"
    return None
