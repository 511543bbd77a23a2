"""Where things are in a content folder: the settings file, the entries and media folders, and which
files of the entries folder are entries. Apart from the load stage, which reads them, so that the
stamp (stamp.py), which must not import that stage, leaves out the same files."""
from __future__ import annotations

SETTINGS_FILE = "timeline.yaml"
ENTRIES_DIR = "entries"
MEDIA_DIR = "media"


def is_entry_file_name(name: str) -> bool:
    # Hidden files and editors' backups (.x.yaml.swp, x.yaml~) are not entries.
    return name.lower().endswith((".yaml", ".yml")) and not name.startswith(".")
