"""The main pages of every audience load in chromium without a Content-Security-Policy violation."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from shop import demo
from shop.extensions import db
from tests.conftest import TODAY
from tests.e2e.test_checkout_journey import DELIVERED, add_to_cart, demo_catalog

pytestmark = pytest.mark.browser

# Every violation the page reports, gathered before any of its own scripts run.
LISTEN = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(event.violatedDirective + " " + (event.blockedURI || "inline"));
});
"""
PAGES = {
    None: ["/", "/products", "/products?q=che&stars=5", "/verify", "/login", "/register",
           "/password/forgot", "/cart", "/checkout"],
    "producer@example.com": ["/producer/", "/account", "/account/two-step"],
    "manager@example.com": ["/salespoint/QN-HALONG/", "/salespoint/QN-HALONG/till",
                            "/salespoint/QN-HALONG/devices", "/salespoint/QN-HALONG/counts"],
    "admin@example.com": ["/admin/", "/admin/audit", "/account/two-step"],
}


def sign_in(page, base: str, email: str) -> None:
    page.goto(base + "/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(demo.PASSWORD)
    page.locator("main form button[type='submit']").click()
    expect(page).to_have_url(base + "/account")


def test_main_pages_have_no_csp_violation(app, live_server, browser_page):
    for _ in demo.seed(TODAY):
        pass
    db.session.commit()
    page = browser_page
    page.add_init_script(LISTEN)
    console = []
    page.on("console", lambda message: console.append(message.text)
            if "Content Security Policy" in message.text else None)
    row, quantity = demo_catalog()[DELIVERED[0][0]], DELIVERED[0][1]
    add_to_cart(page, live_server, row, quantity)  # the product page, and a cart for /checkout
    visited, violations = [], {}
    for email, paths in PAGES.items():
        if email is not None:
            page.context.clear_cookies()
            sign_in(page, live_server, email)
        for path in paths:
            response = page.goto(live_server + path)
            assert response.status == 200, (email, path, response.status)
            assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
            page.wait_for_load_state("load")
            found = page.evaluate("window.__cspViolations")
            if found:
                violations[path] = found
            visited.append(path)
    assert violations == {} and console == [], (violations, console)
    assert len(visited) == sum(len(paths) for paths in PAGES.values())
