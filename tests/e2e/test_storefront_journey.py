"""A shopper's first visit on a phone: home, listing, 5-star filter, product, certificate check.

Only data (names, prices, decision numbers), URLs, counts and CSS classes are asserted: the UI
words depend on whether the translations are compiled.
"""

from __future__ import annotations

import csv
import re

import pytest
from playwright.sync_api import expect

from shop.demo import DATA, seed
from shop.extensions import db
from tests.conftest import TODAY
from tests.e2e import accessibility

pytestmark = pytest.mark.browser

PRODUCT = "Chè Đinh Tân Cương"
PER_PAGE = 24


def demo_rows(name: str) -> list[dict[str, str]]:
    with (DATA / "catalog.csv").open(encoding="utf-8-sig", newline="") as handle:
        return [row for row in csv.DictReader(handle) if row["product_name"] == name]


def vnd(amount: int) -> str:
    """The shop's Vietnamese price format: 380000 -> '380.000 ₫'."""
    return f"{amount:,}".replace(",", ".") + " ₫"


def shot(page, folder, name: str) -> None:
    """Screenshot the page, then check its accessibility (`tests/e2e/accessibility.py`)."""
    path = folder / name
    page.screenshot(path=path, full_page=True)
    assert path.is_file() and path.stat().st_size > 0, f"empty screenshot {path}"
    assert accessibility.problems(page) == [], name


def test_shopper_finds_and_verifies_a_five_star_tea(app, live_server, browser_page, screenshots):
    for _ in seed(TODAY):
        pass
    db.session.commit()
    rows = demo_rows(PRODUCT)
    assert rows, f"the demo catalog has no {PRODUCT}"
    decision_number = rows[0]["decision_number"]
    lowest_price = vnd(min(int(row["price_vnd"]) for row in rows))
    with (DATA / "catalog.csv").open(encoding="utf-8-sig", newline="") as handle:
        total = len({row["product_name"] for row in csv.DictReader(handle)})
    page = browser_page

    # Home: the title names OCOP and the five-star section shows 8 cards.
    page.goto(live_server + "/")
    expect(page).to_have_title(re.compile("OCOP"))
    five_star = page.locator("section[aria-labelledby='five-star'] .card")
    expect(five_star).to_have_count(8)
    expect(five_star.locator(".badge--5")).to_have_count(8)
    shot(page, screenshots, "01-home.png")

    # Listing: first page of all products, with a pager.
    page.locator("main a[href='/products']").first.click()
    expect(page).to_have_url(live_server + "/products")
    expect(page.locator(".grid .card")).to_have_count(min(total, PER_PAGE))
    assert total > PER_PAGE
    expect(page.locator("nav.pager")).to_have_count(1)
    expect(page.locator("nav.pager a[rel='next']")).to_have_attribute("href", re.compile(r"page=2"))
    shot(page, screenshots, "02-listing.png")

    # Filter: only five stars.
    form = page.locator("form.filters")
    form.locator("input[name='stars'][value='5']").check()
    form.locator("button[type='submit']").click()
    expect(page).to_have_url(re.compile(r"/products\?(.*&)?stars=5(&|$)"))
    cards = page.locator(".grid .card")
    expect(cards.first).to_be_visible()
    count = cards.count()
    assert count > 0
    expect(cards.locator(".badge--5")).to_have_count(count)
    expect(cards.locator(".badge--stars")).to_have_count(count)
    expect(form.locator("input[name='stars'][value='5']")).to_be_checked()
    shot(page, screenshots, "03-five-stars.png")

    # Product page: name, certificate decision number and lowest price.
    title = page.locator(".card__title").filter(has_text=re.compile(f"^{re.escape(PRODUCT)}$"))
    expect(title).to_have_count(1)
    page.locator(".card__link").filter(has=title).click()
    expect(page).to_have_url(re.compile(r"/p/[^/?#]+$"))
    expect(page.locator("h1")).to_have_text(PRODUCT)
    expect(page.locator(".product__summary .badge--5")).to_have_count(1)
    certificate = page.locator("section.certificate")
    expect(certificate).to_contain_text(decision_number)
    expect(page.locator("table.variants .price").filter(has_text=lowest_price)).to_have_count(1)
    shot(page, screenshots, "04-product.png")

    # Verification page: the certificate is valid today.
    verify = certificate.locator("a[href^='/verify/']")
    expect(verify).to_have_count(1)
    verify.click()
    expect(page).to_have_url(re.compile(r"/verify/[^/?#]+$"))
    verdict = page.locator("section.verify")
    expect(verdict).to_have_class(re.compile(r"(^|\s)verify--valid(\s|$)"))
    expect(verdict).to_contain_text(decision_number)
    expect(verdict).to_contain_text(PRODUCT)
    shot(page, screenshots, "05-verify.png")
