"""Fixtures for end-to-end tests: the app served on a free loopback port, and Debian's chromium.

Playwright is used through its Python package only: it never downloads a browser, it launches
the system's chromium by path. Without chromium the browser tests are skipped, or fail when
SHOP_REQUIRE_BROWSER is set, so that a missing browser cannot pass unnoticed.
"""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

MISSING_BROWSER = "Debian's chromium is required: apt-get install chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = shutil.which("chromium")
    if path is None and os.access("/usr/bin/chromium", os.X_OK):
        path = "/usr/bin/chromium"
    if path is None:
        if os.environ.get("SHOP_REQUIRE_BROWSER"):
            pytest.fail(MISSING_BROWSER, pytrace=False)
        pytest.skip(MISSING_BROWSER)
    return path


@pytest.fixture
def live_server(app):
    """The session app served from a thread; yields its base URL, e.g. http://127.0.0.1:41234."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser(chromium_path):
    """One headless chromium for the tests of a module; each test opens its own contexts."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def new_context(browser, viewport=PHONE):
    context = browser.new_context(viewport=viewport, locale="vi-VN", accept_downloads=True)
    context.set_default_timeout(15_000)
    return context


@pytest.fixture
def browser_page(browser):
    """A page in headless chromium, phone-sized and in Vietnamese."""
    context = new_context(browser)
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.fixture
def screenshots(request, tmp_path) -> Path:
    """Where a test saves its screenshots: $SHOP_E2E_ARTIFACTS/<test>/, else pytest's tmp."""
    root = os.environ.get("SHOP_E2E_ARTIFACTS")
    folder = Path(root) / request.node.name if root else tmp_path / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def journeys(browser, live_server, screenshots):
    """`journeys.open(who)` gives a person of the test a page in a context of their own, which is
    screenshot and checked for accessibility at each step; the test ends with
    `journeys.finish()`, which asserts that every page visited was checked and passed."""
    from tests.e2e.journeys import Journeys

    people = Journeys(lambda viewport: new_context(browser, viewport).new_page(), live_server,
                      screenshots)
    try:
        yield people
    finally:
        people.close()
