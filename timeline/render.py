"""Render stage: the ordered timeline becomes the site's files, all markup from templates/."""
from __future__ import annotations

from pathlib import Path

import jinja2

from .dates import format_date
from .model import Timeline


def make_environment(templates_dir: Path) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["display_date"] = format_date
    return env


def render_site(timeline: Timeline, templates_dir: Path) -> dict[str, bytes]:
    """Every output file of the site, by its path relative to the output folder."""
    env = make_environment(templates_dir)
    index = env.get_template("index.html").render(settings=timeline.settings, entries=timeline.entries)
    return {"index.html": index.encode("utf-8")}
