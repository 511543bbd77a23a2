#!/usr/bin/env python3
"""Build the timeline: `python build.py --help` lists the commands."""
import sys

from timeline.cli import main

if __name__ == "__main__":
    sys.exit(main())
