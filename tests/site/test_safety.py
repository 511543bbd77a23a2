"""Hostile content never reaches a reader's browser as markup, and never exhausts the builder."""
from __future__ import annotations

import json
import re
import tracemalloc
from html.parser import HTMLParser
from pathlib import Path
from xml.etree import ElementTree

import pytest

from support import HOSTILE_ENTRY, HOSTILE_MEDIA, REPO, copy_content, run_cli
from timeline.links import read_site
from timeline.load import load_content
from timeline.markup import is_safe_url, render_markdown
from timeline.yamlfile import YamlError, parse_yaml

TITLE = "<script>alert('title')</script> & \"quotes\" <img src=x onerror=alert(1)>"
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "poster", "srcset", "data", "xlink:href", "background"}
ALLOWED_SCRIPT_SOURCES = re.compile(r"(\.\./)*static/(site|embed)\.js")
# The one inline script a page may carry, from the templates (base.html), never from the content.
ALLOWED_INLINE_SCRIPT = 'document.documentElement.classList.add("js")'


def _runs_script(address: str) -> bool:
    """Independent of the code under test: how a browser reads the scheme (attribute already unescaped)."""
    squeezed = re.sub(r"[\x00-\x20\x7f]", "", address).lower()
    return squeezed.startswith(("javascript:", "vbscript:", "data:"))


class _Audit(HTMLParser):
    """Everything in a page that could run script."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.findings: list[str] = []
        self.text: list[str] = []
        self._in_script: str | None = None

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        for name, value in attrs:
            if name.startswith("on"):
                self.findings.append(f"<{tag} {name}=...>")
            empty_icon = tag == "link" and value == "data:,"  # the template's "no favicon", fetches nothing
            if name in URL_ATTRIBUTES and value is not None and _runs_script(value) and not empty_icon:
                self.findings.append(f"<{tag} {name}={value!r}>")
        if tag in ("iframe", "object", "embed", "base", "frame", "applet"):
            self.findings.append(f"<{tag}>")
        if tag == "meta" and (values.get("http-equiv") or "").lower() == "refresh":
            target = (values.get("content") or "").partition("url=")[2]
            if _runs_script(target):
                self.findings.append(f"meta refresh to {target!r}")
        if tag == "script":
            if values.get("type") == "application/ld+json" or not values:
                self._in_script = ""
                self._script_kind = "json" if values else "inline"
            elif not ALLOWED_SCRIPT_SOURCES.fullmatch(values.get("src") or ""):
                self.findings.append(f"<script {values}>")

    def handle_data(self, data):
        if self._in_script is not None:
            self._in_script += data
        else:
            self.text.append(data)

    def handle_endtag(self, tag):
        if tag == "script" and self._in_script is not None:
            if self._script_kind == "inline":
                if self._in_script != ALLOWED_INLINE_SCRIPT:
                    self.findings.append(f"an inline script: {self._in_script[:80]!r}")
            else:
                try:
                    json.loads(self._in_script)
                except ValueError:
                    self.findings.append("a JSON-LD block that is not JSON (broken out of?)")
            self._in_script = None


def audit(markup: str) -> _Audit:
    parser = _Audit()
    parser.feed(markup)
    parser.close()
    return parser


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile")
    content = copy_content(root / "content")
    (content / "entries" / "hostile.yaml").write_text(HOSTILE_ENTRY, encoding="utf-8")
    (content / "media").mkdir(exist_ok=True)
    (content / "media" / HOSTILE_MEDIA).write_bytes(b"\xff\xd8\xff\xe0")
    output = root / "site"
    assert run_cli("build", "--content", content, "--output", output) == 0
    return read_site(output)


def test_no_page_of_the_hostile_site_can_run_script(hostile_site):
    findings = {path: audit(data.decode()).findings for path, data in hostile_site.items() if path.endswith(".html")}
    assert {path: found for path, found in findings.items() if found} == {}


def test_hostile_text_is_shown_as_text(hostile_site):
    page = audit(hostile_site["entries/hostile/index.html"].decode())
    text = "".join(page.text)
    for shown in (TITLE, "<script>alert('caption')</script>", "</blockquote><script>alert('quote')</script>",
                  "<script>alert('correction')</script>", "<b onmouseover=alert(1)>Friday</b>"):
        assert shown in text
    assert "<div onclick" in text  # raw HTML in the body is escaped, not dropped silently


def test_the_feed_carries_no_script(hostile_site):
    feed = ElementTree.fromstring(hostile_site["feed.xml"])
    htmls = [element.text or "" for element in feed.iter() if element.get("type") == "html"]
    assert htmls, "the feed should carry HTML content to audit"
    assert [audit(markup).findings for markup in htmls if audit(markup).findings] == []


def test_the_timelinejs_export_carries_no_script(hostile_site):
    export = json.loads(hostile_site["timeline.json"])
    event = next(e for e in export["events"] if e["unique_id"] == "hostile")
    for markup in (event["text"]["headline"], event["text"]["text"]):
        assert audit(markup).findings == []
    assert "".join(audit(event["text"]["headline"]).text) == TITLE


@pytest.mark.parametrize("url", [
    "javascript:alert(1)", "JavaScript:alert(1)", " javascript:alert(1)", "java\tscript:alert(1)",
    "java\nscript:alert(1)", "\x01javascript:alert(1)", "&#106;avascript:alert(1)", "&#x6A;avascript:alert(1)",
    "&#0000106avascript:alert(1)", "jav&#x09;ascript:alert(1)", "javascript&colon;alert(1)",
    "&Tab;javascript:alert(1)", "data:text/html;base64,PHNjcmlwdD4=", "DATA:image/svg+xml,<svg onload=x>",
    "vbscript:msgbox(1)", "VBScript:msgbox(1)", "//evil.example/x", "file:///etc/passwd",
])
def test_unsafe_addresses_are_refused(url):
    assert not is_safe_url(url)


@pytest.mark.parametrize("url", ["https://example.org/", "http://example.org/a?b#c", "mailto:desk@example.org",
                                 "#sources", "../zaranj-falls/index.html", "media/photo.jpg"])
def test_ordinary_addresses_are_kept(url):
    assert is_safe_url(url)


@pytest.mark.parametrize("body", [
    "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "[x](javascript:alert(1))",
    "[x](&#106;avascript:alert(1))", "![x](data:image/svg+xml,<svg/onload=alert(1)>)", "<svg onload=alert(1)>",
    "[x][r]\n\n[r]: vbscript:msgbox(1)", "<javascript:alert(1)>", "x {onclick=alert(1)}",
    "<a href='javascript:alert(1)'>x</a>", "[x](java\u0000script:alert(1))",
])
def test_markdown_bodies_cannot_inject_script(body):
    assert audit(render_markdown(body)).findings == []


# --- the YAML loader ------------------------------------------------------------------

@pytest.mark.parametrize("document", [
    b"title: !!python/object/apply:os.system ['touch /tmp/timeline-pwned']\n",
    b"!!python/object/new:os.system [echo]\n",
    b"title: !!python/name:os.system\n",
    b"title: !!python/object:timeline.model.Settings {title: x}\n",
])
def test_python_tags_are_refused_not_executed(document):
    with pytest.raises(YamlError, match="tag"):
        parse_yaml(document)
    assert not Path("/tmp/timeline-pwned").exists()


def test_no_module_uses_an_unsafe_yaml_loader():
    unsafe = re.compile(r"yaml\.(load|load_all|unsafe_load|full_load)\(|Loader=yaml\.(Loader|FullLoader|UnsafeLoader)"
                        r"|yaml\.(UnsafeLoader|FullLoader)\b")
    offenders = [str(p.relative_to(REPO)) for p in (REPO / "timeline").glob("*.py") if unsafe.search(p.read_text())]
    assert offenders == []


def _laughs(levels: int = 9) -> bytes:
    lines = [b"a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for level in range(1, levels):
        name, previous = chr(97 + level).encode(), chr(96 + level).encode()
        lines.append(name + b": &" + name + b" [" + b", ".join([b"*" + previous] * 9) + b"]")
    return b"\n".join(lines) + b"\ntitle: *" + chr(96 + levels).encode() + b"\n"


HOSTILE_FILES = {
    "five-mb-title": (b"title: " + b"x" * 5_000_000 + b"\n", "at most"),
    "long-title": (b"title: " + b"x" * 900_000 + b"\ndate: 2021-08-06\nsources: [{name: EFE}]\n", "the limit is 120"),
    "billion-laughs": (_laughs(), "more than"),
    "deep-flow-lists": (b"title: " + b"[" * 100_000 + b"]" * 100_000 + b"\n", "nested"),
    "deep-block-lists": (b"title:\n" + b"".join(b" " * i + b"- \n" for i in range(1, 900)), "nested"),
    "hundred-thousand-keys": (b"".join(b"k%x: 1\n" % i for i in range(100_000)), ""),
    "binary-garbage": (bytes(range(256)) * 100, "UTF-8"),
}


@pytest.mark.parametrize("name", sorted(HOSTILE_FILES))
def test_hostile_files_give_a_clean_error_in_bounded_memory(tmp_path, name):
    data, expected = HOSTILE_FILES[name]
    content = copy_content(tmp_path / "content")
    path = content / "entries" / f"{name}.yaml"
    path.write_bytes(data)
    tracemalloc.start()
    try:
        loaded = load_content(content)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    mine = [p for p in loaded.errors if p.file.endswith(f"{name}.yaml")]
    assert mine, f"{name} should be refused"
    assert expected in " ".join(p.message for p in mine)
    assert all(len(str(p)) < 1000 for p in mine), "a message must not echo the hostile value"
    # Bounded: a few times the size of the file, never its expansion.
    assert peak < 64_000_000, f"peak {peak / 1e6:.0f} MB"


@pytest.mark.parametrize("src", ["../timeline.yaml", "media/../../timeline.yaml", "/etc/passwd", "..\\\\timeline.yaml",
                                 "file:///etc/passwd", "//evil.example/x.jpg", "http://example.org/x.jpg"])
def test_media_cannot_publish_files_from_outside_content_media(tmp_path, src):
    content = copy_content(tmp_path / "content")
    entry = content / "entries" / "zaranj-falls.yaml"
    entry.write_text(entry.read_text() + f'media:\n  src: "{src}"\n  alt: x\n  credit: y\n')
    loaded = load_content(content)
    assert [p.field for p in loaded.errors if p.file.endswith("zaranj-falls.yaml")] == ["media.src"]
