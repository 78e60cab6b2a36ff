"""The shop's journeys in chromium, one person per browser context, each page screenshot and
checked for accessibility (`tests/e2e/journeys.py`):

- a customer on a phone searches without diacritics, keeps the five-star products, buys from
  two producers with cash on delivery; one producer edits the listing and delivers its part
  from the portal, the other's part is delivered by the service; the customer downloads the
  invoice;
- a guest pays by card on the (fake) Stripe Checkout page; Stripe's webhook makes it paid;
- sales-point staff sell at the web till, receive a transfer and apply a stock count; the
  program office finds the count and the sign-ins in the audit log.

Only data (names, SKUs, prices, order numbers, data- attributes, audit actions) is asserted,
never interface words, which depend on whether the translations are compiled.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from shop import demo
from shop.catalog.models import Variant
from shop.extensions import db
from shop.inventory import transfers
from shop.inventory.models import Location
from shop.orders import fulfilment
from shop.orders.models import Order
from tests.conftest import TODAY
from tests.e2e.journeys import DESKTOP
from tests.e2e.test_checkout_journey import demo_catalog, slug_of, vnd
from tests.fakes.stripe_server import FakeStripe, encode, sign

pytestmark = pytest.mark.browser

TEA, PURPLE_TEA = "HAODAT-CHEDINH-100", "TRAUT-BUPTIM-100"  # two producers; the first is demo's
SHIPPING_FEE, FREE_FROM = 30_000, 500_000
PROVINCE, WARD = "01", "00004"  # Hà Nội, and one of its wards
SALES_POINT = "QN-HALONG"
ORDER_URL = re.compile(r"/orders/(OC\d{4}-\d{6})\?token=[\w-]+")


@pytest.fixture
def demo_shop(app):
    for _ in demo.seed(TODAY):
        pass
    db.session.commit()
    return demo_catalog()


def sign_in(person, email: str) -> None:
    person.goto("/login", "sign-in")
    person.page.locator("#email").fill(email)
    person.page.locator("#password").fill(demo.PASSWORD)
    person.page.locator("main form button[type='submit']").click()
    expect(person.page).to_have_url(person.base + "/account")
    person.step("account")


def add_to_cart(person, row: dict[str, str], quantity: int = 1) -> None:
    page = person.page
    expect(page.locator("h1")).to_have_text(row["product_name"])
    form = page.locator(f"form.add-to-cart[data-sku='{row['sku']}']")
    form.locator("input[name='quantity']").fill(str(quantity))
    form.locator("button[type='submit']").click()
    expect(page).to_have_url(person.base + "/cart")
    expect(page.locator(f".cart-line[data-sku='{row['sku']}']")).to_have_attribute(
        "data-quantity", str(quantity))
    person.step("cart")


def fill_delivery(person, payment_method: str) -> None:
    page = person.page
    page.locator("#name").fill("Nguyễn Thị Hoa")
    page.locator("#email").fill("hoa@example.com")
    page.locator("#phone").fill("0987654321")
    page.locator("input[name='fulfilment'][value='delivery']").check()
    page.locator("#address_line").fill("25 Hàng Bạc")
    page.locator("#province_code").select_option(PROVINCE)
    expect(page.locator(f"#ward_code option[value='{WARD}']")).to_have_count(1)
    page.locator("#ward_code").select_option(WARD)
    page.locator(f"input[name='payment_method'][value='{payment_method}']").check()
    person.step("checkout")


def the_order(number: str) -> Order:
    db.session.rollback()  # a new snapshot: the live server wrote it in another session
    return db.session.scalar(select(Order).where(Order.number == number))


def due(rows) -> int:
    """A delivery shipment's cash: its goods, plus the fee below the free-shipping amount."""
    subtotal = sum(int(row["price_vnd"]) for row in rows)
    return subtotal + (0 if subtotal >= FREE_FROM else SHIPPING_FEE)


def test_a_cash_order_from_two_producers_is_delivered_and_invoiced(app, demo_shop, journeys, tmp_path):
    tea, purple = demo_shop[TEA], demo_shop[PURPLE_TEA]
    assert tea["producer_tax_code"] != purple["producer_tax_code"]
    customer = journeys.open("customer")
    page = customer.page
    sign_in(customer, "customer@example.com")

    # Search without diacritics, then keep the five-star products: both teas are there.
    page.locator("#site-search-q").fill("che")
    page.locator("form.site-search button[type='submit']").click()
    expect(page).to_have_url(re.compile(r"/products\?q=che$"))
    customer.step("search")
    filters = page.locator("form.filters")
    filters.locator("input[name='stars'][value='5']").check()
    filters.locator("button[type='submit']").click()
    expect(page).to_have_url(re.compile(r"/products\?(.*&)?stars=5(&|$)"))
    cards = page.locator(".grid .card")
    expect(cards.first).to_be_visible()
    expect(cards.locator(".badge--5")).to_have_count(cards.count())
    results = page.url
    customer.step("five-stars")
    for row in (tea, purple):
        page.goto(results)
        title = page.locator(".card__title").filter(has_text=re.compile(f"^{row['product_name']}$"))
        page.locator(".card__link").filter(has=title).click()
        expect(page).to_have_url(f"{customer.base}/p/{slug_of(row['product_name'])}")
        customer.step("product")
        add_to_cart(customer, row)
    expect(page.locator(".cart-line")).to_have_count(2)

    # Cash on delivery to Hà Nội: one shipment per producer.
    page.locator("a.cart-summary__checkout").click()
    fill_delivery(customer, "cod")
    page.locator("button.checkout__place").click()
    expect(page).to_have_url(ORDER_URL)
    number = ORDER_URL.search(page.url).group(1)
    order_page = page.url
    expect(page.locator(".order-shipment[data-kind='delivery']")).to_have_count(2)
    expect(page.locator(".order-total")).to_have_attribute("data-total", str(due([tea]) + due([purple])))
    expect(page.locator(".order-invoice")).to_have_count(0)
    customer.step("order-placed")

    # The tea's producer, on a phone too: edits the listing, then packs, ships and delivers.
    producer = journeys.open("producer")
    portal = producer.page
    sign_in(producer, "producer@example.com")
    producer.goto("/producer/products", "products")
    portal.locator(".listing-row").filter(has_text=tea["product_name"]).locator("a").first.click()
    expect(portal.locator("h1")).to_have_text(tea["product_name"])
    producer.step("listing")
    description = "Búp chè một tôm hai lá, hái tay sáng sớm ở Tân Cương."
    portal.locator("#description").fill(description)
    portal.locator(f"form[action$='/products/{portal.url.rsplit('/', 1)[1]}'] button[type='submit']").click()
    expect(portal.locator("tr[data-change='description']").first).to_contain_text(description)
    producer.step("listing-saved")
    producer.goto("/producer/orders", "orders")
    portal.locator(f"tr[data-order='{number}'] a").click()
    status = portal.locator("h1 .status")
    expect(status).to_have_attribute("data-status", "pending")
    producer.step("shipment")
    for step, new in (("pack", "packed"), ("ship", "shipped"), ("deliver", "delivered")):
        if new == "shipped":
            portal.locator("#tracking_note").fill("VNPost EB123456789VN")
        if new == "delivered":
            expect(portal.locator("#cash_collected")).to_have_value(str(due([tea])))
        portal.locator(f"form[action$='/{step}'] button[type='submit']").click()
        expect(status).to_have_attribute("data-status", new)
        producer.step(new)

    # The other producer's part is delivered by the service, as a carrier's report would.
    shipment = next(s for s in the_order(number).shipments if s.status != "delivered")
    for new in ("packed", "shipped", "delivered"):
        fulfilment.advance(shipment, new, actor_id=None, cash_collected_vnd=due([purple]))

    # Back on the order page: completed and paid, with one invoice per producer to download, and
    # the shop's own for the shipping of each delivery.
    page.goto(order_page)
    expect(page.locator(".order-status")).to_have_attribute("data-status", "completed")
    expect(page.locator(".order-status")).to_have_attribute("data-payment-status", "paid")
    invoices = page.locator(".order-invoice")
    expect(invoices).to_have_count(4)
    expect(page.locator(".order-invoice[data-seller='shop']")).to_have_count(2)
    customer.step("order-delivered")
    texts = [invoices.nth(i).inner_text() for i in range(4)]
    assert [sum(row["producer_name"] in text for text in texts) for row in (tea, purple)] == [1, 1]
    assert sum(app.config["SHOP_LEGAL_NAME"] in text for text in texts) == 2
    for i in range(4):
        with page.expect_download() as download:
            invoices.nth(i).locator("a").click()
        pdf = tmp_path / f"invoice-{i}.pdf"
        download.value.save_as(pdf)
        assert pdf.read_bytes()[:5] == b"%PDF-"
    assert page.url == order_page
    journeys.finish()


def test_a_guest_pays_by_card_on_stripe_checkout(app, demo_shop, journeys):
    row = demo_shop[PURPLE_TEA]
    with FakeStripe() as fake:
        saved = {k: app.config[k] for k in ("STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET",
                                             "STRIPE_API_BASE")}
        app.config.update(STRIPE_SECRET_KEY="sk_test_journey", STRIPE_WEBHOOK_SECRET="whsec_journey",
                          STRIPE_API_BASE=fake.api_base)
        try:
            buyer = journeys.open("card-buyer", DESKTOP)
            page = buyer.page
            buyer.goto(f"/p/{slug_of(row['product_name'])}", "product")
            add_to_cart(buyer, row)
            page.locator("a.cart-summary__checkout").click()
            fill_delivery(buyer, "card")
            page.locator("button.checkout__place").click()

            # Stripe's page (the fake's): the buyer pays and comes back to the order.
            expect(page).to_have_url(re.compile(re.escape(fake.api_base) + r"/pay/cs_"))
            page.screenshot(path=journeys.folder / "card-buyer-stripe.png", full_page=True)
            page.locator("#pay").click()
            expect(page).to_have_url(re.compile(ORDER_URL.pattern + r"&paid=1$"))
            number = ORDER_URL.search(page.url).group(1)
            expect(page.locator(".order-status")).to_have_attribute("data-payment-status", "unpaid")
            buyer.step("back-from-stripe")

            # Stripe's webhook arrives: the order is paid and confirmed, and invoiced.
            [event] = fake.delivered_events
            payload = encode(event)
            answer = app.test_client().post("/webhooks/stripe", data=payload, headers={
                "Stripe-Signature": sign(payload, "whsec_journey"), "Content-Type": "application/json"})
            assert answer.status_code == 200 and answer.get_json()["outcome"] == "paid"
            page.reload()
            expect(page.locator(".order-status")).to_have_attribute("data-status", "confirmed")
            expect(page.locator(".order-status")).to_have_attribute("data-payment-status", "paid")
            expect(page.locator(".order-total")).to_have_attribute("data-total", str(due([row])))
            expect(page.locator(".order-invoice")).to_have_count(2)  # the tea's, and the shipping's
            expect(page.locator(".order-invoice[data-seller='shop']")).to_have_count(1)
            buyer.step("paid")
            assert (the_order(number).status, the_order(number).payment_status) == ("confirmed", "paid")
        finally:
            app.config.update(saved)
    journeys.finish()


def test_staff_sell_receive_and_count_and_the_office_sees_the_audit_log(demo_shop, journeys):
    sold = demo_shop["FINHO-TRA-100"]
    shop = db.session.scalar(select(Location).where(Location.code == SALES_POINT))
    warehouse = db.session.scalar(select(Location).where(Location.code == "WH-HAODAT"))
    tea = db.session.scalar(select(Variant).where(Variant.sku == TEA))
    sent = transfers.send_transfer(transfers.create_transfer(warehouse, shop, [(tea.id, 12)]))
    manager = journeys.open("manager", DESKTOP)
    page = manager.page
    sign_in(manager, "manager@example.com")
    base = f"/salespoint/{SALES_POINT}"
    manager.goto(base + "/", "stock")
    on_hand = {sku: int(page.locator(f"tr[data-sku='{sku}'] td.num").first.inner_text())
               for sku in (sold["sku"], TEA)}

    # The web till: two packs of Fìn Hồ tea at the list price, paid in cash.
    manager.goto(base + "/till", "till")
    page.locator("#sku-0").select_option(sold["sku"])
    page.locator("#quantity-0").fill("2")
    page.locator("#payment_method").select_option("cash")
    page.locator("form.till button[type='submit']").click()
    expect(page).to_have_url(re.compile(re.escape(manager.base + base) + r"/sales/[\w-]+$"))
    expect(page.locator(".receipt__total")).to_have_text(vnd(2 * int(sold["price_vnd"])))
    manager.step("receipt")

    # The transfer from the tea producer: 12 sent, 11 arrived.
    manager.goto(base + "/transfers", "transfers")
    page.locator(f"a:text-is('{sent.code}')").click()
    manager.step("transfer")
    page.locator(f"input[name='received-{TEA}']").fill("11")
    page.locator("main form button[type='submit']").click()
    expect(page.locator("tbody tr.row--alert td.num strong")).to_have_text("-1")
    manager.step("transfer-received")

    # A count: one pack of the tea fewer on the shelf than the stock says; the manager applies it.
    manager.goto(base + "/counts/new", "count-new")
    expected_tea = on_hand[TEA] + 11
    row = page.locator("tr").filter(has=page.locator(f"code:text-is('{TEA}')")).first
    row.locator("input").fill(str(expected_tea - 1))
    page.locator("main form button[type='submit']").click()
    expect(page).to_have_url(re.compile(re.escape(manager.base + base) + r"/counts/[\w-]+$"))
    line = page.locator(f"tr[data-sku='{TEA}']")
    expect(line.locator("td.num").nth(0)).to_have_text(str(expected_tea))
    expect(line.locator("td.num").nth(2)).to_have_text("-1")
    manager.step("count")
    page.locator("form[action$='/apply'] button[type='submit']").click()
    expect(page.locator("form[action$='/apply']")).to_have_count(0)
    manager.step("count-applied")
    manager.goto(base + "/", "stock-after")
    assert int(page.locator(f"tr[data-sku='{TEA}'] td.num").first.inner_text()) == expected_tea - 1
    assert int(page.locator(f"tr[data-sku='{sold['sku']}'] td.num").first.inner_text()) == \
        on_hand[sold["sku"]] - 2

    # The program office: the count and the manager's sign-in are in the audit log.
    office = journeys.open("office", DESKTOP)
    sign_in(office, "admin@example.com")
    office.goto("/admin/audit", "audit")
    rows = office.page.locator("tr[data-entry]")
    expect(rows.filter(has_text="count.applied").filter(has_text="manager@example.com")).to_have_count(1)
    expect(rows.filter(has_text="sign_in").filter(has_text="manager@example.com")).to_have_count(1)
    office.goto("/admin/audit?action=count.applied", "audit-counts")
    expect(office.page.locator("tr[data-entry]")).to_have_count(1)
    journeys.finish()
