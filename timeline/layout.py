"""Where things are: the names in a content folder and an output folder, and the user's own folders.

Apart from the load stage, which reads the content folder, so that the stamp (speed/stamp.py), which
must not import that stage, leaves out the same files.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

SETTINGS_FILE = "timeline.yaml"
ENTRIES_DIR = "entries"
MEDIA_DIR = "media"  # content/media/, copied to the output as media/
REMOTE_MEDIA_DIR = "remote"  # media/remote/ in the output: the copies of remote images (remote.py)
STATIC_DIR = "static"  # templates/static/, copied to the output as static/
LOCK_FILE = "permalinks.lock"
ABOUT_FILE = "about.md"  # the about page, in Markdown
TRANSLATIONS_DIR = "translations"  # content/translations/<language>/: one language edition's files
TIMELINES_DIR = "timelines"  # content/timelines/<name>.yaml: the timelines of a site that has several
MARKER = ".timeline-site.json"  # in the output folder: the files this tool wrote there
APP_NAME = "timeline"


def is_passed_over(name: str) -> bool:
    """Hidden files and editors' backups (.x.yaml.swp, x.yaml~): never read, never mentioned."""
    return name.startswith(".") or name.endswith("~")


def is_entry_file_name(name: str) -> bool:
    return name.lower().endswith((".yaml", ".yml")) and not is_passed_over(name)


def display_path(path: Path | str) -> str:
    """The path as an editor would type it: relative to the working folder when inside it."""
    here = os.getcwd()
    text = os.fspath(path)
    if text.startswith(here) and text[len(here):len(here) + 1] == os.sep:  # most: absolute, inside
        return text[len(here) + 1:]
    absolute = os.path.abspath(text)
    if os.path.commonpath([absolute, here]) == here:
        return os.path.relpath(absolute, here)
    return absolute


def user_cache_folder() -> Path:
    """The user's own cache folder for this tool, as pip and most tools keep theirs: never inside a
    repository, so nothing a pull request adds can stand in it."""
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / APP_NAME
    if os.name == "nt":
        return Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local") / APP_NAME / "Cache"
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / APP_NAME


def user_state_folder() -> Path:
    """Where the tool keeps what must outlive its caches (the user's key): apart from the cache folder,
    which users and tools delete freely."""
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support" / APP_NAME
    if os.name == "nt":
        return Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local") / APP_NAME / "State"
    return Path(os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state") / APP_NAME
