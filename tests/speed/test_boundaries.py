"""The house's rules, checked on its code: the speed machinery behind one door, commands apart from the stages."""
from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from support import REPO

PACKAGE = REPO / "timeline"
CORE = sorted(path for path in PACKAGE.glob("*.py") if path.name != "__main__.py")  # __main__: `python -m timeline`


def imported_modules(path: Path) -> set[str]:
    """Every timeline module the file imports, at any depth of the code (lazy imports included)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = ".".join(path.relative_to(REPO).with_suffix("").parts[:-1])
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                found.add(f"{base}.{node.module}" if node.module else base)
                if not node.module:
                    found.update(f"{base}.{alias.name}" for alias in node.names)
            elif node.module and node.module.startswith("timeline"):
                found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name.startswith("timeline"))
    return found


def test_the_modules_found_are_the_package():
    assert len(CORE) >= 15 and PACKAGE / "pipeline.py" in CORE and PACKAGE / "load.py" in CORE
    assert "timeline.speed.store" in imported_modules(PACKAGE / "speed" / "entries.py")  # the parser finds imports


@pytest.mark.parametrize("path", CORE, ids=lambda path: path.name)
def test_no_stage_imports_the_speed_machinery_or_a_command(path):
    """The core reads as its stages: what makes builds faster lives behind the BuildState door, which
    the commands choose and hand to the pipeline (pipeline.py names its type for annotations only)."""
    outside = {name for name in imported_modules(path) if name.startswith(("timeline.speed", "timeline.commands"))}
    if path.name == "pipeline.py":
        source = path.read_text(encoding="utf-8")
        assert outside == {"timeline.speed"} and "if TYPE_CHECKING:\n    from .load import Loaded" in source
        return
    assert outside == set(), f"{path.name} imports {sorted(outside)}"


@pytest.mark.parametrize("path", sorted((PACKAGE / "speed").glob("*.py")), ids=lambda path: path.name)
def test_the_speed_machinery_never_imports_a_command(path):
    assert not {name for name in imported_modules(path) if name.startswith("timeline.commands")}


@pytest.mark.parametrize("modules, libraries", [
    ("", "[]"),
    (", timeline.render, timeline.load", "['jinja2', 'markdown', 'yaml']"),  # the twin: the check sees them
], ids=["no-op path", "with the stages"])
def test_a_build_with_nothing_to_do_imports_no_stage_library(modules, libraries):
    """The no-op path (pipeline, the stamp, the store, the command line) imports neither Jinja nor
    PyYAML nor Markdown: their imports take longer than the whole check."""
    code = (f"import sys, timeline.pipeline, timeline.speed, timeline.speed.stamp, timeline.speed.store, "
            f"timeline.commands.cli{modules}; "
            "print(sorted(m for m in ('jinja2', 'yaml', 'markdown') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    assert done.stdout.strip() == libraries
