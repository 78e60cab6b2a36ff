"""Who may reach the invoice pages: endpoint -> (method, path, expected status per role), and
the rule behind it: a buyer sees only their invoices, a producer only its own (404)."""

import pytest

from shop.accounts.models import ProducerMember
from shop.database import write_transaction
from shop.extensions import db
from shop.invoices import issuing
from shop.invoices.models import InvoiceSettings
from shop.orders import services as orders
from tests import builders
from tests.invoices.helpers import TRANSFER, invoices_of, paid_order, shop_invoices_of
from tests.orders.builders import cart_with, place
from tests.producer.helpers import post
from tests.producer.test_access import portal
from tests.web.test_access import PUBLIC, ROLES

MATRIX = {
    "storefront.invoice_pdf": ("GET", "/orders/{order}/invoices/{invoice}.pdf", dict.fromkeys(ROLES, 404)),
    "storefront.verify_invoice": ("GET", "/invoices/verify/{token}", PUBLIC),
    "producer.invoices": ("GET", "/producer/invoices", portal(200)),
    "producer.invoice_pdf": ("GET", "/producer/invoices/{invoice}.pdf", portal(200)),
    "producer.invoice": ("GET", "/producer/invoices/{invoice}", portal(200)),
    "producer.correct_buyer": ("POST", "/producer/invoices/{invoice}/correct-buyer", portal(422)),
    "producer.return_goods": ("POST", "/producer/invoices/{invoice}/return", portal(422)),
    "producer.invoice_settings_page": ("GET", "/producer/invoices/settings", portal(200)),
    "producer.save_invoice_settings": ("POST", "/producer/invoices/settings", portal(422)),
    "producer.statements_page": ("GET", "/producer/statements", portal(200)),
    "producer.statement_csv": ("GET", "/producer/statements/{month}.csv", portal(200)),
    "producer.statement_pdf": ("GET", "/producer/statements/{month}.pdf", portal(200)),
}


@pytest.fixture
def world():
    item = builders.product("Chè", sku="CHE-1")
    builders.receive(item, builders.warehouse(item.producer), 10)
    builders.sales_point("QN-HALONG")
    order = paid_order(("CHE-1", 1))
    invoice, = invoices_of(order)
    roles = {"customer": "customer", "producer": f"producer:{item.producer.tax_code}",
             "staff": "staff:QN-HALONG", "manager": "staff:QN-HALONG:manager", "admin": "admin"}
    return {"order": order.number, "invoice": invoice.id, "token": invoice.verify_token,
            "month": f"{invoice.issued_on:%Y-%m}", "roles": roles, "order_token": order.access_token,
            "producer": item.producer}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", sorted(MATRIX))
def test_access(client, login, world, endpoint, role):
    method, template, expected = MATRIX[endpoint]
    if role != "anonymous":
        login(builders.user(f"{role}@example.com", world["roles"][role]))
    path = template.format(**world)
    response = post(client, path) if method == "POST" else client.get(path)
    assert response.status_code == expected[role], (endpoint, role)


def test_the_buyer_downloads_their_invoice_with_the_orders_link_or_signed_in(client, login, world):
    path = f"/orders/{world['order']}/invoices/{world['invoice']}.pdf"
    page = client.get(f"/orders/{world['order']}?token={world['order_token']}").get_data(as_text=True)
    assert f"{path}?token={world['order_token']}" in page
    response = client.get(path, query_string={"token": world["order_token"]})
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF-")
    assert client.get(path, query_string={"token": "wrong"}).status_code == 404
    buyer = login(builders.user("an2@example.com"))
    mine = place(cart_with(("CHE-1", 1)), TRANSFER, user_id=buyer.id)[1]
    from shop.payments import services as payments

    payments.confirm_transfer(mine, mine.total_vnd, actor_id=None)
    own, = invoices_of(mine)
    assert client.get(f"/orders/{mine.number}/invoices/{own.id}.pdf").status_code == 200
    # another order's invoice through this buyer's order is not found either
    assert client.get(f"/orders/{mine.number}/invoices/{world['invoice']}.pdf").status_code == 404


def test_a_producer_sees_only_its_own_invoices(client, login, world):
    stranger = builders.product("Mắm", sku="MAM-1").producer
    login(builders.user("other@example.com", f"producer:{stranger.tax_code}"))
    assert client.get(f"/producer/invoices/{world['invoice']}.pdf").status_code == 404
    assert client.get(f"/producer/invoices/{world['invoice']}").status_code == 404
    form = {"name": "Ai Đó", "address": "x", "email": "", "phone": "", "reason": "sai tên"}
    assert post(client, f"/producer/invoices/{world['invoice']}/correct-buyer", form).status_code == 404
    back = {"quantity.CHE-1": "1", "reason": "hàng vỡ"}
    assert post(client, f"/producer/invoices/{world['invoice']}/return", back).status_code == 404
    assert len(invoices_of_order(world["order"])) == 1
    listing = client.get("/producer/invoices").get_data(as_text=True)
    assert f'data-invoice="{world["invoice"]}"' not in listing


def test_the_producers_list_shows_its_invoice(client, login, world):
    login(builders.user("owner@example.com", f"producer:{world['producer'].tax_code}"))
    listing = client.get("/producer/invoices").get_data(as_text=True)
    assert f'data-invoice="{world["invoice"]}"' in listing
    assert f"/producer/invoices/{world['invoice']}.pdf" in listing


def test_the_verification_page_shows_the_seller_date_and_total_and_nothing_of_the_buyer(client, world):
    page = client.get(f"/invoices/verify/{world['token']}").get_data(as_text=True)
    assert world["producer"].name in page and "00000001" in page and "150.000 ₫" in page
    for private in ("Nguyễn Văn An", "an@example.com", "0912345678", "Lê Lợi", world["order"]):
        assert private not in page
    assert client.get("/invoices/verify/not-a-token").status_code == 404


def test_only_the_owner_sees_and_changes_the_invoice_settings(client, login, world):
    producer = world["producer"]
    staff = builders.user("staff@example.com")
    db.session.add(ProducerMember(user_id=staff.id, producer_id=producer.id, role="staff"))
    db.session.commit()
    login(staff)
    assert client.get("/producer/invoices/settings").status_code == 403
    form = {"template": "1", "symbol": "C26TBB", "legal_name": "HTX Chè", "tax_code": producer.tax_code,
            "address": "Xã Tân Cương, Thái Nguyên"}
    assert post(client, "/producer/invoices/settings", form).status_code == 403
    assert db.session.get(InvoiceSettings, producer.id) is None


def test_the_owner_saves_settings_and_a_bad_symbol_changes_nothing(client, login, world):
    producer = world["producer"]
    login(builders.user("owner@example.com", f"producer:{producer.tax_code}"))
    page = client.get("/producer/invoices/settings").get_data(as_text=True)
    assert 'value="C26TAA"' in page and 'value="1" selected' in page
    form = {"template": "1", "symbol": "c20tbb", "legal_name": "Hợp tác xã Chè Tân Cương",
            "tax_code": producer.tax_code, "address": "Xã Tân Cương, Thái Nguyên"}
    bad = post(client, "/producer/invoices/settings", {**form, "symbol": "C26-AA", "tax_code": "12"})
    assert bad.status_code == 422
    assert 'id="symbol-error"' in bad.get_data(as_text=True)
    assert db.session.get(InvoiceSettings, producer.id) is None
    assert post(client, "/producer/invoices/settings", form).status_code == 303
    saved = db.session.get(InvoiceSettings, producer.id)
    year = f"{world['month'][2:4]}"
    name = "Hợp tác xã Chè Tân Cương"
    assert (saved.template, saved.symbol, saved.legal_name) == ("1", f"C{year}TBB", name)
    second = paid_order(("CHE-1", 1))
    invoice, = invoices_of(second)
    assert (invoice.symbol, invoice.number, invoice.seller_name) == (f"C{year}TBB", 1, name)


def invoices_of_order(number: str):
    return invoices_of(orders.by_number(number))


def test_a_wrong_buyer_name_is_corrected_by_an_adjustment_naming_the_original(client, login, world):
    login(builders.user("owner@example.com", f"producer:{world['producer'].tax_code}"))
    path = f"/producer/invoices/{world['invoice']}/correct-buyer"
    form = {"name": "Nguyễn Văn Ân", "address": "12 Lê Lợi, Hà Nội", "email": "an@example.com",
            "phone": "0912345678", "reason": "Sai dấu trong tên"}
    refused = post(client, path, {**form, "reason": ""})
    assert refused.status_code == 422 and 'id="reason-error"' in refused.get_data(as_text=True)
    assert len(invoices_of_order(world["order"])) == 1
    assert post(client, path, form).status_code == 303
    original, correction = invoices_of_order(world["order"])
    assert (original.buyer_name, original.total_vnd) == ("Nguyễn Văn An", 150_000)
    assert (correction.kind, correction.adjusts_id, correction.number, correction.total_vnd,
            correction.lines, correction.buyer_name, correction.buyer_address) == (
        "adjustment", original.id, 2, 0, [], "Nguyễn Văn Ân", "12 Lê Lợi, Hà Nội")
    assert correction.reason == "Điều chỉnh thông tin người mua: Sai dấu trong tên"
    page = client.get(f"/producer/invoices/{original.id}").get_data(as_text=True)
    assert f'data-adjustment="{correction.id}"' in page
    again = post(client, f"/producer/invoices/{correction.id}/correct-buyer", form)
    assert again.status_code == 422 and len(invoices_of_order(world["order"])) == 2


def test_returned_goods_are_taken_back_by_an_adjustment_no_more_than_were_invoiced(client, login, market):
    order = paid_order(("CHE-1", 3), ("GAO-1", 1))
    tea, rice = invoices_of(order)
    login(builders.user("owner@example.com", f"producer:{market.tea.product.producer.tax_code}"))
    path = f"/producer/invoices/{tea.id}/return"
    page = client.get(f"/producer/invoices/{tea.id}").get_data(as_text=True)
    assert 'name="quantity.CHE-1"' in page
    for refused in ({"quantity.CHE-1": "4", "reason": "vỡ hộp"}, {"quantity.CHE-1": "-1", "reason": "vỡ hộp"},
                    {"quantity.CHE-1": "x", "reason": "vỡ hộp"}, {"quantity.CHE-1": "1", "reason": ""},
                    {"quantity.CHE-1": "0", "reason": "vỡ hộp"}):
        assert post(client, path, refused).status_code == 422, refused
    assert len(invoices_of(order)) == 2
    assert post(client, path, {"quantity.CHE-1": "2", "reason": "Hộp bị vỡ"}).status_code == 303
    back = invoices_of(order)[-1]
    assert (back.kind, back.adjusts_id, back.total_vnd, back.reason) == (
        "adjustment", tea.id, -500_000, "Trả hàng: Hộp bị vỡ")
    assert [(line.sku, line.quantity, line.unit_price_vnd) for line in back.lines] == [("CHE-1", -2, 250_000)]
    assert post(client, path, {"quantity.CHE-1": "2", "reason": "lại vỡ"}).status_code == 422
    # a refund afterwards reverses only the unit still invoiced
    with write_transaction(db.session):
        reversals = issuing.reverse_order(order, day=back.issued_on, reason="hoàn tiền")
    shipping, = shop_invoices_of(order)[:1]  # the rice's 30.000 ₫ (the tea shipped free)
    assert [(r.adjusts_id, r.total_vnd) for r in reversals] == [
        (tea.id, -250_000), (rice.id, -120_000), (shipping.id, -30_000)]
