"""Shared fixtures: the default site built once per session, a headless Chromium, tool checks.

Browser and Java gates skip with a visible reason when their tool is missing
on a developer's machine, and fail instead when CI=true: CI must never pass
by skipping what it was meant to check.
"""
from __future__ import annotations

import os
import pickle
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from timeline.cache import TOKEN_BYTES
from timeline.cli import main as cli_main
from timeline.links import read_site
from timeline.pipeline import build

REPO = Path(__file__).resolve().parent.parent
CONTENT = REPO / "content"
TEMPLATES = REPO / "templates"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def read_cache_file(path: Path) -> tuple[bytes, object]:
    """A cache file's header line and what it holds (after the token of the write that made it)."""
    header, rest = path.read_bytes().split(b"\n", 1)
    return header, pickle.loads(rest[TOKEN_BYTES:])


def write_cache_file(path: Path, header: bytes, data: object) -> None:
    """A cache file as another process would write it: what this one holds of it no longer applies."""
    path.write_bytes(header + b"\n" + os.urandom(TOKEN_BYTES) + pickle.dumps(data))


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def require(available: bool, reason: str) -> None:
    """Skip (on a developer's machine) or fail (in CI) when a gate's tool is missing."""
    if available:
        return
    if in_ci():
        pytest.fail(f"CI=true but {reason}; .ci/run installs it", pytrace=False)
    pytest.skip(reason)


def copy_content(destination: Path, source: Path = CONTENT) -> Path:
    """A private copy of the content, so a build never touches the repository's permalinks.lock."""
    shutil.copytree(source, destination, ignore=shutil.ignore_patterns(".cache"))
    return destination


class Project:
    """Content and templates of a test's own, built into its own output and cache folders."""

    def __init__(self, root: Path, content: Path, templates: Path):
        self.root, self.content, self.templates = root, content, templates
        self.output, self.cache = root / "site", root / "cache"

    def warm(self, *allow_removed: str):
        return build(self.content, self.output, self.templates, allow_removed=allow_removed, cache_dir=self.cache)

    def cold(self, *allow_removed: str) -> dict[str, bytes]:
        output = self.root / "cold"
        shutil.rmtree(output, ignore_errors=True)
        result = build(self.content, output, self.templates, allow_removed=allow_removed, record_permalinks=False)
        assert result.ok, result.problems
        return read_site(output)

    def assert_warm_equals_cold(self, *allow_removed: str):
        result = self.warm(*allow_removed)
        assert result.ok, result.problems
        assert read_site(self.output) == self.cold(*allow_removed)
        return result

    def edit(self, path: Path, old: str, new: str) -> None:
        text = path.read_text(encoding="utf-8")
        assert old in text, f"{old!r} not in {path}"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")


def run_cli(*args: str | Path) -> int:
    return cli_main([str(arg) for arg in args])


@dataclass(frozen=True)
class BuiltSite:
    content: Path
    output: Path

    def files(self) -> dict[str, bytes]:
        return read_site(self.output)

    def pages(self) -> list[Path]:
        return sorted(self.output.rglob("*.html"))


@pytest.fixture(scope="session")
def default_site(tmp_path_factory) -> BuiltSite:
    """The shipped content built once into a temporary folder (read-only for tests)."""
    root = tmp_path_factory.mktemp("default-site")
    content = copy_content(root / "content")
    output = root / "site"
    code = run_cli("build", "--content", content, "--output", output)
    assert code == 0, "the default content must build"
    return BuiltSite(content, output)


@pytest.fixture(scope="module")
def browser():
    """One headless Debian Chromium per test module, driven by Playwright.

    Not per session: while Playwright's sync API is open, an asyncio loop counts as
    running in the main thread, so a later test calling asyncio.run() (the serve
    tests do) would fail. A launch costs about half a second.
    """
    require(os.access(CHROMIUM, os.X_OK), f"{CHROMIUM} is not installed (apt-get install -y chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        require(False, "playwright is not installed (pip install -e '.[test]')")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield launched
        launched.close()
