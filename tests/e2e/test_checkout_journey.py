"""A guest buys on a phone: two products of two producers delivered with cash on delivery, then
a third picked up at the Quảng Ninh OCOP centre.

Only data is asserted (names, SKUs and prices from the demo CSV, order numbers, data-
attributes), never the interface words, which depend on whether the translations are compiled.
"""

from __future__ import annotations

import csv
import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from shop.catalog.models import Product
from shop.demo import DATA, seed
from shop.extensions import db
from tests.conftest import TODAY
from tests.e2e import accessibility

pytestmark = pytest.mark.browser

DELIVERED = (("FINHO-TRA-100", 1), ("HAODAT-CHEDINH-100", 2))
PICKED_UP = ("BICHTHAO-CFBOT-250", 3)
PICKUP_POINT = "QN-HALONG"
PROVINCE, WARD = "01", "00004"   # Hà Nội, and one of its wards
SHIPPING_FEE, FREE_FROM = 30_000, 500_000
ORDER_NUMBER = re.compile(r"OC\d{4}-\d{6}")


def demo_catalog() -> dict[str, dict[str, str]]:
    with (DATA / "catalog.csv").open(encoding="utf-8-sig", newline="") as handle:
        return {row["sku"]: row for row in csv.DictReader(handle)}


def demo_location(code: str) -> dict[str, str]:
    with (DATA / "locations.csv").open(encoding="utf-8-sig", newline="") as handle:
        return next(row for row in csv.DictReader(handle) if row["code"] == code)


def vnd(amount: int) -> str:
    """The shop's Vietnamese price format: 380000 -> '380.000 ₫'."""
    return f"{amount:,}".replace(",", ".") + " ₫"


def shot(page, folder, name: str) -> None:
    """Screenshot the page, then check its accessibility (`tests/e2e/accessibility.py`)."""
    path = folder / name
    page.screenshot(path=path, full_page=True)
    assert path.is_file() and path.stat().st_size > 0, f"empty screenshot {path}"
    assert accessibility.problems(page) == [], name


def slug_of(product_name: str) -> str:
    return db.session.scalar(select(Product.slug).where(Product.name == product_name))


def add_to_cart(page, base: str, row: dict[str, str], quantity: int) -> None:
    page.goto(f"{base}/p/{slug_of(row['product_name'])}")
    expect(page.locator("h1")).to_have_text(row["product_name"])
    form = page.locator(f"form.add-to-cart[data-sku='{row['sku']}']")
    form.locator("input[name='quantity']").fill(str(quantity))
    form.locator("button[type='submit']").click()
    expect(page).to_have_url(f"{base}/cart")
    expect(page.locator(f".cart-line[data-sku='{row['sku']}']")).to_have_attribute(
        "data-quantity", str(quantity))


def fill_contact(page) -> None:
    page.locator("#name").fill("Nguyễn Thị Hoa")
    page.locator("#email").fill("hoa@example.com")
    page.locator("#phone").fill("0987654321")


def place_order(page) -> str:
    """Send the checkout form; returns the order number shown on the order page."""
    page.locator("button.checkout__place").click()
    expect(page).to_have_url(re.compile(r"/orders/OC\d{4}-\d{6}\?token=[\w-]+$"))
    number = re.search(r"/orders/([^?]+)\?", page.url).group(1)
    assert ORDER_NUMBER.fullmatch(number)
    expect(page.locator("h1")).to_contain_text(number)
    return number


def test_a_guest_checks_out_with_delivery_then_with_pickup(app, live_server, browser_page, screenshots):
    for _ in seed(TODAY):
        pass
    db.session.commit()
    catalog = demo_catalog()
    delivered = [(catalog[sku], quantity) for sku, quantity in DELIVERED]
    assert delivered[0][0]["producer_tax_code"] != delivered[1][0]["producer_tax_code"]
    page = browser_page
    script_errors = []
    page.on("pageerror", lambda error: script_errors.append(str(error)))

    # Two products of two producers into the cart, from their product pages.
    for row, quantity in delivered:
        add_to_cart(page, live_server, row, quantity)
    lines = page.locator(".cart-line")
    expect(lines).to_have_count(2)
    subtotal = 0
    for row, quantity in delivered:
        line = page.locator(f".cart-line[data-sku='{row['sku']}']")
        expect(line).to_contain_text(row["product_name"])
        expect(line.locator("[data-unit-price]")).to_have_text(vnd(int(row["price_vnd"])))
        expect(line.locator("[data-line-total]")).to_have_text(vnd(int(row["price_vnd"]) * quantity))
        subtotal += int(row["price_vnd"]) * quantity
    expect(page.locator(".cart-total")).to_have_text(vnd(subtotal))
    shot(page, screenshots, "01-cart.png")

    # Checkout: delivery to a ward of Hà Nội chosen through the selects, cash on delivery.
    page.locator("a.cart-summary__checkout").click()
    expect(page).to_have_url(f"{live_server}/checkout")
    shipping = sum(0 if int(row["price_vnd"]) * quantity >= FREE_FROM else SHIPPING_FEE
                   for row, quantity in delivered)
    expect(page.locator("[data-total-delivery]")).to_have_text(vnd(subtotal + shipping))
    fill_contact(page)
    page.locator("input[name='fulfilment'][value='delivery']").check()
    page.locator("#address_line").fill("25 Hàng Bạc")
    page.locator("#province_code").select_option(PROVINCE)
    expect(page.locator(f"#ward_code option[value='{WARD}']")).to_have_count(1)
    page.locator("#ward_code").select_option(WARD)
    page.locator("input[name='payment_method'][value='cod']").check()
    shot(page, screenshots, "02-checkout-delivery.png")
    number = place_order(page)

    # The order page: both lines, one delivery per producer, and the total with shipping.
    order_lines = page.locator(".order-line")
    expect(order_lines).to_have_count(2)
    for row, quantity in delivered:
        line = page.locator(f".order-line[data-sku='{row['sku']}']")
        expect(line).to_contain_text(row["product_name"])
        expect(line).to_contain_text(row["producer_name"])
        expect(line.locator(".order-line__price")).to_have_text(vnd(int(row["price_vnd"]) * quantity))
    expect(page.locator(".order-total")).to_have_text(vnd(subtotal + shipping))
    expect(page.locator(".order-shipment[data-kind='delivery']")).to_have_count(2)
    expect(page.locator(".order-status")).to_have_attribute("data-status", "confirmed")
    shot(page, screenshots, "03-order-delivery.png")

    # A third product, picked up at the Quảng Ninh OCOP centre and paid in cash there.
    row, quantity = catalog[PICKED_UP[0]], PICKED_UP[1]
    add_to_cart(page, live_server, row, quantity)
    expect(page.locator(".cart-line")).to_have_count(1)
    page.locator("a.cart-summary__checkout").click()
    fill_contact(page)
    page.locator("input[name='fulfilment'][value='pickup']").check()
    expect(page.locator("#address_line")).to_be_hidden()
    point = page.locator(f".pickup-point[data-code='{PICKUP_POINT}']")
    expect(point).to_have_attribute("data-ready", "yes")
    expect(point).to_contain_text(demo_location(PICKUP_POINT)["name"])
    point.locator("input[name='pickup_point']").check()
    page.locator("input[name='payment_method'][value='cod']").check()
    expect(page.locator("[data-total-pickup]")).to_have_text(vnd(int(row["price_vnd"]) * quantity))
    shot(page, screenshots, "04-checkout-pickup.png")
    second = place_order(page)
    assert second != number

    pickup = page.locator(".order-shipment[data-kind='pickup']")
    expect(pickup).to_have_count(1)
    expect(pickup).to_have_attribute("data-location", PICKUP_POINT)
    expect(pickup).to_contain_text(demo_location(PICKUP_POINT)["name"])
    expect(page.locator(f".order-line[data-sku='{row['sku']}']")).to_contain_text(row["product_name"])
    expect(page.locator(".order-total")).to_have_text(vnd(int(row["price_vnd"]) * quantity))
    shot(page, screenshots, "05-order-pickup.png")

    # Nothing on these pages is wider than the phone.
    for path in ("/cart", f"/orders/{second}?token={page.url.split('token=')[1]}"):
        page.goto(live_server + path)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, path
    assert script_errors == []
