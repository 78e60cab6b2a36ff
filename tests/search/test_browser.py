"""The header search box in a real browser: suggestions while typing, keyboard choice, results."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests import builders
from tests.e2e.conftest import browser, browser_page, chromium_path, live_server  # noqa: F401  (fixtures)

pytestmark = pytest.mark.browser


def test_typing_offers_suggestions_and_enter_opens_the_chosen_product(live_server, browser_page):  # noqa: F811
    item = builders.product("Nước mắm Phú Quốc")
    builders.product("Nước cốt dừa Bến Tre")
    page = browser_page
    page.goto(live_server + "/")
    box = page.locator("#site-search-q")
    box.press_sequentially("nuoc mam ph", delay=20)
    options = page.locator("#site-search-list [role=option]")
    expect(options).to_have_count(1)
    expect(options.first).to_contain_text("Nước mắm Phú Quốc")
    expect(box).to_have_attribute("aria-expanded", "true")
    box.press("ArrowDown")
    expect(options.first).to_have_attribute("aria-selected", "true")
    box.press("Enter")
    expect(page).to_have_url(live_server + f"/p/{item.slug}")


def test_submitting_the_box_shows_highlighted_results(live_server, browser_page):  # noqa: F811
    builders.product("Nước mắm Phú Quốc", description="Nước mắm cá cơm truyền thống")
    page = browser_page
    page.goto(live_server + "/")
    page.locator("#site-search-q").fill("nuoc mam")
    page.locator("form.site-search button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/products\?q=nuoc\+mam$"))
    expect(page.locator(".card__snippet mark")).to_have_text(["Nước", "mắm"])
