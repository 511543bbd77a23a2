#!/usr/bin/env python3
"""Build the timeline: `python build.py --help` lists the commands."""
import os
import sys
from importlib.util import find_spec
from pathlib import Path

DEPENDENCIES = ("jinja2", "markdown", "yaml", "livereload")

missing = [name for name in DEPENDENCIES if find_spec(name) is None]
if missing:
    # Run with a Python that lacks the dependencies: use the project's .venv when the
    # README's set-up made one, else say how to make it (never a bare traceback).
    venv = Path(__file__).resolve().parent / ".venv"
    venv_python = venv / "bin" / "python"
    if venv_python.exists() and Path(sys.prefix).resolve() != venv.resolve():
        os.execv(venv_python, [str(venv_python), __file__, *sys.argv[1:]])
    sys.exit(f"build.py needs its dependencies ({', '.join(missing)} missing); set them up with\n"
             "  python3 -m venv .venv && .venv/bin/pip install -e .\n"
             "and run it again.")

from timeline.commands.cli import run  # noqa: E402 - only once the dependencies are known to be there

if __name__ == "__main__":
    run()
