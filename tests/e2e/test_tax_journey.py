"""Tax by date in the browser, at a phone's width and in Vietnamese: the program office extends
the VAT reduction when parliament does, a mistyped day is refused with the reason beside the
field, and a producer classifies a pack by category instead of typing a rate."""

from __future__ import annotations

from datetime import date

import pytest
from playwright.sync_api import expect

from shop.extensions import db
from shop.tax import rates
from tests.e2e.journeys import PHONE
from tests.e2e.test_journeys import demo_shop, sign_in  # noqa: F401  (the demo_shop fixture)

pytestmark = pytest.mark.browser


def test_the_office_extends_the_reduction_and_a_producer_picks_a_category(demo_shop, journeys):  # noqa: F811
    reduction, = rates.reductions()
    office = journeys.open("tax-office", PHONE)
    sign_in(office, "admin@example.com")
    office.goto("/admin/tax", "tax")
    page = office.page
    form = page.locator(f"section[data-reduction='{reduction.id}'] form")
    expect(page.locator("h1")).to_have_text("Giảm thuế GTGT")  # Vietnamese by default
    form.locator("input[name='ends_on']").fill("01/01/2026")  # the past: refused
    form.locator("button[type='submit']").click()
    error = page.locator(f"#e-{reduction.id}-ends_on")
    expect(error).to_contain_text("Chỉ được thay đổi từ ngày mai")
    office.step("tax-refused")
    form = page.locator(f"section[data-reduction='{reduction.id}'] form")
    form.locator("input[name='ends_on']").fill("30/06/2027")
    form.locator("input[name='resolution']").fill("Nghị quyết số 999/2026/QH15")
    form.locator("button[type='submit']").click()
    expect(page.locator(".flash")).to_contain_text("30/06/2027")
    office.step("tax-extended")
    db.session.rollback()
    assert rates.rate_for("10_reducible", date(2027, 1, 1)) == "8"

    producer = journeys.open("tax-producer", PHONE)
    sign_in(producer, "producer@example.com")
    producer.goto("/producer/products", "products")
    producer.page.locator(".listing-row a").first.click()
    producer.step("product")
    select = producer.page.locator("form.variant-form select[name$='vat_category']").first
    options = select.locator("option")
    expect(options).to_have_count(4)
    expect(select.locator("option[value='10_reducible']")).to_contain_text("đến hết 30/06/2027")
    expect(select.locator("option[value='not_subject']")).to_contain_text("Không chịu thuế GTGT")
    journeys.finish()
