"""The about page, from content/about.md (docs/format.md, "About the timeline"): built at
about/index.html, linked from the header and footer of every page, its Markdown held to the body's
limits and shown as text where it is hostile, and absent, with no link to it, without the file."""
from __future__ import annotations

from pathlib import Path

import pytest

from support import Page, cold_build, copy_content, run_cli
from timeline.links import check_links, read_site
from timeline.load import load_settings


def pages_of(output: Path) -> list[Path]:
    """Every page built on base.html: all but the redirects of aliases (which only send readers on) and the
    embeds (framed by other sites, without the site's header and footer)."""
    return [path for path in sorted(output.rglob("*.html"))
            if 'http-equiv="refresh"' not in path.read_text(encoding="utf-8")
            and path.relative_to(output).parts[0] != "embed"]


def about_links(path: Path, output: Path, base_url: str) -> dict[str, list[str]]:
    """Where a page links to the about page: in its header, in its footer (the 404 page, served at any
    depth, links absolutely)."""
    parsed = Page(path.read_text(encoding="utf-8"))
    relative = path.relative_to(output)
    expected = ("../" * len(relative.parts[:-1]) if relative.name != "404.html" else base_url) + "about/index.html"
    found = {"header": [], "footer": []}
    where = None
    for element in parsed.elements:
        if element["tag"] in ("header", "footer") and "site" in element["classes"]:
            where = element["tag"]
        elif element["tag"] == "main":
            where = None
        elif element["tag"] == "a" and where and element["attrs"].get("href") == expected:
            found[where].append(" ".join(element["text"].split()))
    return found


@pytest.fixture(scope="module")
def retired_site(tmp_path_factory) -> Path:
    """The shipped content with one entry retired on purpose, so that a "removed" page is built too."""
    root = tmp_path_factory.mktemp("about")
    content = copy_content(root / "content")
    assert run_cli("build", "--content", content, "--output", root / "site", "--no-cache") == 0
    (content / "entries" / "doha-talks-stalled.yaml").unlink()
    assert run_cli("build", "--content", content, "--output", root / "site", "--no-cache",
                   "--allow-removed", "doha-talks-stalled") == 0
    return root / "site"


def test_the_about_page_is_built_from_about_md(default_site):
    page = Page((default_site.output / "about" / "index.html").read_text(encoding="utf-8"))
    (heading,) = page.all("h1")
    assert heading["text"] == "About this timeline"
    assert [h["text"] for h in page.all("h2")][:2] == ["How it was made", "Corrections"]
    assert page.one("title")["text"].startswith("About · ")


def test_every_page_links_to_the_about_page_from_its_header_and_footer(retired_site, default_site):
    pages = pages_of(retired_site)
    assert any("doha-talks-stalled" in str(path) for path in pages)  # the removed page is among them
    base_url = load_settings(default_site.content)[0].base_url
    for path in pages:
        links = about_links(path, retired_site, base_url)
        assert links["header"] == ["About"], path.relative_to(retired_site)
        assert links["footer"] == ["About this timeline"], path.relative_to(retired_site)


def test_every_footer_says_when_the_timeline_was_last_updated(retired_site):
    for path in pages_of(retired_site):
        footer = Page(path.read_text(encoding="utf-8")).one("footer", **{"class": "site"})
        assert "Last updated" in footer["text"], path.relative_to(retired_site)


def test_without_about_md_there_is_no_about_page_and_no_link_to_one(tmp_path):
    content = copy_content(tmp_path / "content")
    (content / "about.md").unlink()
    result = cold_build(content, tmp_path / "site")
    assert result.ok
    assert not (tmp_path / "site" / "about").exists()
    for path in pages_of(tmp_path / "site"):
        assert "about/index.html" not in path.read_text(encoding="utf-8"), path
    settings, _ = load_settings(content)
    assert check_links(read_site(tmp_path / "site"), settings.base_url) == []


def test_hostile_markdown_in_about_md_is_shown_as_text(tmp_path):
    content = copy_content(tmp_path / "content")
    (content / "about.md").write_text(
        "# About\n\n<script>alert('about')</script> <img src=x onerror=alert(1)>\n\n"
        "[a link](javascript:alert(2)) and [another](https://example.org/)\n", encoding="utf-8")
    assert cold_build(content, tmp_path / "site").ok
    html = (tmp_path / "site" / "about" / "index.html").read_text(encoding="utf-8")
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(&#x27;about&#x27;)&lt;/script&gt;" in html or "&lt;script&gt;" in html
    assert "javascript:" not in html
    assert '<a href="https://example.org/"' in html


@pytest.mark.parametrize("text, expected", [
    ("\n\n# About\n\nSome words.\n\n" + "> " * 20 + "deep\n",
     "about.md:7:1: error: about.md: lists, quotes and definitions are nested more than 16 levels deep"),
    ("# About\n\n" + "[" * 11 + "x\n", "about.md:3:1: error: about.md: "),
    ("# About\n\nA \x1b character.\n", "about.md: error: about.md: contains the control character U+001B at line 3"),
    ("   \n\n", "about.md: error: about.md: is empty; write the page or delete the file"),
])
def test_about_md_past_the_bodys_limits_is_refused_with_a_clear_error(tmp_path, capsys, text, expected):
    content = copy_content(tmp_path / "content")
    (content / "about.md").write_text(text, encoding="utf-8")
    assert run_cli("check", "--content", content) == 1
    errors = [line for line in capsys.readouterr().err.splitlines() if ": error: " in line]
    assert len(errors) == 1 and expected in errors[0], errors
    assert run_cli("build", "--content", content, "--output", tmp_path / "site") == 1
    assert not (tmp_path / "site").exists()
