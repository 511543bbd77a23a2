"""Fixtures: the default site built once per session, and a headless Chromium per module."""
from __future__ import annotations

import os

import pytest

from support import CHROMIUM, CHROMIUM_FLAGS, BuiltSite, copy_content, require, run_cli


@pytest.fixture(scope="session", autouse=True)
def users_own_folders(tmp_path_factory):
    """The user's cache and state folders (the key) of the test run's own, not the developer's."""
    root = tmp_path_factory.mktemp("user")
    saved = {name: os.environ.get(name) for name in ("XDG_CACHE_HOME", "XDG_STATE_HOME")}
    os.environ["XDG_CACHE_HOME"], os.environ["XDG_STATE_HOME"] = str(root / "cache"), str(root / "state")
    yield root
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


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
