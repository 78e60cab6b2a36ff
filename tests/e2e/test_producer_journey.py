"""A producer on a phone: signs in, opens a product from the portal, changes a pack's price,
uploads a photo, and the storefront shows the new price and the photo's thumbnail at once.

Only data (names, prices, SKUs), URLs and element names are asserted, not UI words.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests import builders
from tests.e2e import accessibility
from tests.producer.images import image_bytes

pytestmark = pytest.mark.browser


def test_a_producer_changes_a_price_on_a_phone(app, live_server, browser_page, tmp_path, screenshots):
    tea = builders.product("Chè Tân Cương", sku="CHE-1", price_vnd=150_000)
    owner = builders.user("owner@example.com", f"producer:{tea.producer.tax_code}")
    photo = tmp_path / "che.jpg"
    photo.write_bytes(image_bytes((1200, 900)))
    page = browser_page

    page.goto(live_server + "/producer/products")
    page.fill("input[name=email]", owner.email)
    page.fill("input[name=password]", builders.PASSWORD)
    page.locator("main form [type=submit]").first.click()
    expect(page).to_have_url(live_server + "/producer/products")
    page.locator(f"[data-product='{tea.id}'] a").first.click()
    expect(page).to_have_url(f"{live_server}/producer/products/{tea.id}")

    pack = page.locator("form[data-sku='CHE-1']")
    price = pack.locator(f"input[name='v{tea.variants[0].id}-price_vnd']")
    expect(price).to_have_value("150000")
    price.fill("175000")
    pack.locator("[type=submit]").click()
    expect(page).to_have_url(f"{live_server}/producer/products/{tea.id}")
    expect(page.locator("tr[data-change='price_vnd']")).to_contain_text("175000")

    page.set_input_files("input[name=photo]", str(photo))
    page.locator("form[action$='/photos'] [type=submit]").click()
    expect(page.locator("[data-photo] img")).to_have_count(1)
    page.screenshot(path=screenshots / "portal.png", full_page=True)
    assert accessibility.problems(page) == []

    page.goto(f"{live_server}/p/{tea.slug}")
    expect(page.locator(".variants .price").first).to_have_text("175.000 ₫")
    thumb = page.locator(".product__media img").first
    expect(thumb).to_have_attribute("src", re.compile(r"^/media/photos/[0-9a-f]{32}-thumb\.jpg$"))
    assert page.evaluate("img => img.naturalWidth", thumb.element_handle()) == 480
