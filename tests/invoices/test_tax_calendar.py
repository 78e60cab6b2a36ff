"""The VAT rate follows the calendar: the rate in force on the day an invoice is due (Vietnam's
day, UTC+7), looked up from a dated table an operator changes without a release; adjustments
keep the rate of the invoice they correct. The shop invoices its own shipping in its own series.

The clock is frozen with time-machine, so every service reads the same instant it would in
production: 2026-12-31 17:00 UTC is already 2027-01-01 in Vietnam.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import time_machine

from shop.clock import VIETNAM, today
from shop.database import write_transaction
from shop.errors import ValidationError
from shop.extensions import db
from shop.invoices import documents, issuing
from shop.invoices import services as invoice_services
from shop.invoices.models import Invoice
from shop.invoices.settings import save_settings
from shop.orders import services as orders
from shop.payments import services as payments
from shop.tax import rates
from shop.tax import services as tax
from shop.tax.models import VatReduction
from tests import builders
from tests.inventory.test_concurrency import run_together
from tests.invoices.helpers import TRANSFER, all_invoices_of, deliver, invoices_of, shop_invoices_of
from tests.invoices.test_documents import pdf_text
from tests.orders.builders import DELIVERY, cart_with, place
from tests.producer.helpers import post

PLACED = datetime(2026, 12, 31, 3, 0, tzinfo=UTC)             # 10:00 on 31/12/2026 in Vietnam
LAST_SECOND = datetime(2026, 12, 31, 16, 59, 59, tzinfo=UTC)  # 23:59:59 on 31/12/2026
NEW_YEAR = datetime(2026, 12, 31, 17, 0, tzinfo=UTC)          # 00:00 on 01/01/2027
JANUARY_2ND = datetime(2027, 1, 2, 2, 0, tzinfo=UTC)
# (rate, amount before tax, VAT) of the tea (216.000 ₫) and of the shipping (30.000 ₫)
TEA = {"8": ("8", 216_000, 200_000, 16_000), "10": ("10", 216_000, 196_364, 19_636)}
SHIPPING = {"8": ("8", 30_000, 27_778, 2_222), "10": ("10", 30_000, 27_273, 2_727)}


def at(moment: datetime):
    return time_machine.travel(moment, tick=False)


@pytest.fixture
def goods():
    """A cooperative's tea (reducible), rice wine (10%, never reduced) and fresh lychees (not
    subject to VAT), and its owner."""
    maker = builders.producer("HTX Tân Cương", tax_code="4600123456")
    tea = builders.product("Chè Tân Cương", sku="CHE-1", price_vnd=216_000, maker=maker)
    wine = builders.product("Rượu nếp cái hoa vàng", sku="RUOU-1", price_vnd=110_000, maker=maker,
                            vat_category="10")
    lychee = builders.product("Vải thiều", sku="VAI-1", price_vnd=130_000, maker=maker,
                              vat_category="not_subject")
    house = builders.warehouse(maker)
    for item in (tea, wine, lychee):
        builders.receive(item, house, 20)
    builders.sales_point("QN-HALONG")
    return builders.user("owner@example.com", f"producer:{maker.tax_code}")


def split(invoice: Invoice) -> list[tuple]:
    return [(line.sku, line.vat_category, line.vat_rate, line.amount_vnd, line.before_tax_vnd,
             line.vat_vnd) for line in invoice.lines]


def paid_at(moment: datetime, *lines: tuple[str, int]):
    with at(PLACED):
        order = place(cart_with(*lines), TRANSFER)[1]
    with at(moment):
        return payments.confirm_transfer(order, order.total_vnd, actor_id=None)


def delivered_at(moment: datetime, *lines: tuple[str, int]):
    with at(PLACED):
        order = place(cart_with(*lines), DELIVERY)[1]
    shipment, = order.shipments
    with at(moment):
        deliver(shipment)
    return order


@pytest.mark.parametrize("due", ["transfer", "cash on delivery"])
@pytest.mark.parametrize(("moment", "rate", "day"), [
    (LAST_SECOND, "8", date(2026, 12, 31)), (NEW_YEAR, "10", date(2027, 1, 1))])
def test_an_order_of_new_years_eve_is_invoiced_at_the_rate_of_the_day_it_is_due(
        goods, due, moment, rate, day):
    order = (paid_at if due == "transfer" else delivered_at)(moment, ("CHE-1", 1))
    assert order.created_at.astimezone(VIETNAM).date() == date(2026, 12, 31)
    tea, = invoices_of(order)
    shipping, = shop_invoices_of(order)
    assert (tea.issued_on, tea.symbol, tea.number) == (day, f"C{day:%y}TAA", 1)
    assert split(tea) == [("CHE-1", "10_reducible", *TEA[rate])]
    assert split(shipping) == [(f"VC-{order.shipments[0].id}", "10_reducible", *SHIPPING[rate])]
    assert (shipping.issued_on, shipping.total_vnd) == (day, 30_000)


def test_goods_never_reduced_and_goods_not_subject_keep_their_rate_on_either_side(goods):
    for moment in (LAST_SECOND, NEW_YEAR):
        order = paid_at(moment, ("CHE-1", 1), ("RUOU-1", 1), ("VAI-1", 1))
        invoice, = invoices_of(order)
        reduced = "8" if moment == LAST_SECOND else "10"
        assert split(invoice) == [
            ("CHE-1", "10_reducible", *TEA[reduced]),
            ("RUOU-1", "10", "10", 110_000, 100_000, 10_000),
            ("VAI-1", "not_subject", "not_subject", 130_000, 130_000, 0)]
        rows = [(row.label, row.before_tax_vnd, row.vat_vnd) for row in documents.vat_summary(invoice.lines)]
        if moment == LAST_SECOND:
            assert rows == [("10%", 100_000, 10_000), ("8%", 200_000, 16_000), ("KCT", 130_000, 0)]
        else:
            assert rows == [("10%", 296_364, 29_636), ("KCT", 130_000, 0)]


def test_a_return_in_2027_keeps_the_rate_of_its_2026_invoice(goods):
    order = paid_at(LAST_SECOND, ("CHE-1", 2))
    original, = invoices_of(order)
    with at(datetime(2027, 2, 3, 3, 0, tzinfo=UTC)):
        back = invoice_services.return_goods(original, actor_id=goods.id, quantities={"CHE-1": 1},
                                             reason="Hộp móp", day=today())
    assert (back.kind, back.adjusts_id, back.issued_on, back.symbol, back.number) == (
        "adjustment", original.id, date(2027, 2, 3), "C27TAA", 1)
    assert split(back) == [("CHE-1", "10_reducible", "8", -216_000, -200_000, -16_000)]
    # a refund later in 2027 reverses the rest of the tea and the shipping, at 8% still
    with at(datetime(2027, 3, 1, 3, 0, tzinfo=UTC)), write_transaction(db.session):
        reversals = issuing.reverse_order(order, day=today(), reason="hoàn tiền")
    assert [split(r) for r in reversals] == [
        [("CHE-1", "10_reducible", "8", -216_000, -200_000, -16_000)],
        [(f"VC-{order.shipments[0].id}", "10_reducible", "8", -30_000, -27_778, -2_222)]]


def test_an_operator_extends_the_reduction_and_tomorrow_is_invoiced_at_8(goods):
    reduction, = rates.reductions()
    with at(datetime(2026, 12, 20, 3, 0, tzinfo=UTC)):
        tax.change_end(reduction.id, ends_on=date(2027, 6, 30), actor_id=None, today=today(),
                       resolution="Nghị quyết số 999/2026/QH15")
    order = paid_at(JANUARY_2ND, ("CHE-1", 1))
    tea, = invoices_of(order)
    assert split(tea)[0][2:] == TEA["8"]
    assert rates.rate_for("10_reducible", date(2027, 6, 30)) == "8"
    assert rates.rate_for("10_reducible", date(2027, 7, 1)) == "10"


def test_a_change_never_reaches_back_and_a_bad_one_changes_nothing(goods):
    reduction, = rates.reductions()
    too_late = datetime(2027, 1, 2, 3, 0, tzinfo=UTC)  # 1/1 was invoiced at 10% already
    with at(too_late), pytest.raises(ValidationError) as refused:
        tax.change_end(reduction.id, ends_on=date(2027, 6, 30), actor_id=None, today=today(),
                       resolution="Nghị quyết số 999/2026/QH15")
    assert refused.value.fields == {"ends_on": "past"}
    with pytest.raises(ValidationError) as refused:
        tax.add(starts_on=date(2026, 12, 1), ends_on=date(2027, 1, 31), percent=12,
                resolution="x", actor_id=None, today=date(2026, 11, 30))
    assert refused.value.fields == {"ends_on": "overlap", "resolution": "resolution",
                                    "percent": "reduced_percent"}
    with pytest.raises(ValidationError) as refused:  # 31/12/9999 typed for 31/12/2029
        tax.change_end(reduction.id, ends_on=date(9999, 12, 31), actor_id=None,
                       resolution="Nghị quyết số 999/2026/QH15", today=date(2026, 12, 20))
    assert refused.value.fields == {"ends_on": "too_far"}
    db.session.rollback()
    assert [(r.starts_on, r.ends_on, r.percent) for r in rates.reductions()] == [
        (date(2025, 7, 1), date(2026, 12, 31), 8)]


def test_a_later_reduction_applies_on_its_own_days(goods):
    tax.add(starts_on=date(2027, 3, 1), ends_on=date(2027, 8, 31), percent=8, actor_id=None,
            resolution="Nghị quyết số 1/2027/QH16", today=date(2027, 1, 15))
    assert [rates.rate_for("10_reducible", day) for day in (
        date(2026, 12, 31), date(2027, 1, 1), date(2027, 2, 28), date(2027, 3, 1),
        date(2027, 8, 31), date(2027, 9, 1))] == ["8", "10", "10", "8", "8", "10"]


def test_the_program_office_extends_the_reduction_from_its_page(client, login, goods):
    reduction, = rates.reductions()
    admin = builders.user("admin@example.com", "admin")
    with at(datetime(2026, 12, 29, 3, 0, tzinfo=UTC)):
        login(admin)
        page = client.get("/admin/tax").get_data(as_text=True)
        assert "Nghị quyết số 204/2025/QH15" in page
        assert f'data-in-force="{reduction.id}"' in page
        refused = post(client, f"/admin/tax/{reduction.id}", {"ends_on": "30/02/2027",
                                                              "resolution": "NQ 1"})
        assert refused.status_code == 422
        assert f'id="e-{reduction.id}-ends_on"' in refused.get_data(as_text=True)
        done = post(client, f"/admin/tax/{reduction.id}", {
            "ends_on": "2027-06-30", "resolution": "Nghị quyết số 999/2026/QH15"})
    assert done.status_code == 303
    db.session.expire_all()
    assert (db.session.get(VatReduction, reduction.id).ends_on) == date(2027, 6, 30)
    order = paid_at(JANUARY_2ND, ("CHE-1", 1))
    assert split(invoices_of(order)[0])[0][2:] == TEA["8"]


def test_a_household_sells_goods_and_services_with_the_withholding_of_each():
    home = builders.producer("Hộ Bà Tư", kind="household")
    jam = builders.product("Mứt gừng", sku="MUT-1", price_vnd=100_000, maker=home)
    tour = builders.product("Du lịch bản làng", sku="TOUR-1", price_vnd=450_000, maker=home,
                            group="tourism")
    house = builders.warehouse(home)
    builders.receive(jam, house, 5)
    builders.receive(tour, house, 5)
    builders.sales_point("QN-HALONG")
    order = paid_at(LAST_SECOND, ("MUT-1", 2), ("TOUR-1", 1))
    invoice, = invoices_of(order)
    assert invoice.template == "2"
    # a sales invoice shows no VAT per line: the household pays a percentage of revenue
    assert [(line.sku, line.vat_rate, line.is_service, line.before_tax_vnd, line.vat_vnd)
            for line in invoice.lines] == [
        ("MUT-1", "8", False, 200_000, 0), ("TOUR-1", "8", True, 450_000, 0)]
    # 1% + 0,5% of the goods, 5% + 2% of the service (Decree 117/2025)
    assert (invoice.withholding_vat_vnd, invoice.withholding_pit_vnd) == (
        2_000 + 22_500, 1_000 + 9_000)
    # the percentage on revenue lowered by 20% while the reduction is in force (Decree 174/2025)
    assert (invoice.reduction_vnd, invoice.reduction_basis) == (
        400 + 4_500, "Nghị quyết số 204/2025/QH15")
    text = pdf_text(documents.invoice_pdf(invoice, verify_url="http://shop.test/v/x"))
    assert ("Đã giảm 4.900 ₫ tương ứng 20% mức tỷ lệ % để tính thuế giá trị gia tăng theo "
            "Nghị quyết số 204/2025/QH15.") in text
    assert "thuế GTGT 1% hàng hóa, 5% dịch vụ: 24.500 ₫" in text
    assert "Thuế suất" not in text
    # a return in 2027 lowers the reduction it was invoiced with, under the same resolution
    owner = builders.user("ba-tu@example.com", f"producer:{home.tax_code}")
    with at(datetime(2027, 1, 10, 3, 0, tzinfo=UTC)):
        back = invoice_services.return_goods(invoice, actor_id=owner.id, quantities={"MUT-1": 1},
                                             reason="Hũ vỡ", day=today())
    assert (back.template, back.total_vnd, back.reduction_vnd, back.reduction_basis) == (
        "2", -100_000, -200, "Nghị quyết số 204/2025/QH15")
    assert (back.withholding_vat_vnd, back.withholding_pit_vnd) == (-1_000, -500)
    after = paid_at(NEW_YEAR, ("MUT-1", 1))
    later, = invoices_of(after)
    assert (later.reduction_vnd, later.reduction_basis, later.lines[0].vat_rate) == (0, "", "10")
    assert "Đã giảm" not in pdf_text(documents.invoice_pdf(later, verify_url="http://shop.test/v/y"))


def test_a_new_template_starts_a_new_series_at_one(goods):
    first = paid_at(LAST_SECOND, ("CHE-1", 1))
    second = paid_at(LAST_SECOND, ("CHE-1", 1))
    producer = invoices_of(first)[0].producer
    save_settings(producer, actor_id=goods.id, template="2", symbol="C26TAB",
                  legal_name=producer.name, tax_code=producer.tax_code,
                  address="Xã Tân Cương, tỉnh Thái Nguyên", day=date(2026, 12, 31))
    third = paid_at(LAST_SECOND, ("CHE-1", 1))
    save_settings(producer, actor_id=goods.id, template="1", symbol="C26TAA",
                  legal_name=producer.name, tax_code=producer.tax_code,
                  address="Xã Tân Cương, tỉnh Thái Nguyên", day=date(2026, 12, 31))
    fourth = paid_at(LAST_SECOND, ("CHE-1", 1))
    assert [(i.template, i.symbol, i.number) for o in (first, second, third, fourth)
            for i in invoices_of(o)] == [
        ("1", "C26TAA", 1), ("1", "C26TAA", 2), ("2", "C26TAB", 1), ("1", "C26TAA", 3)]


def test_the_shops_shipping_invoices_are_numbered_in_its_own_series_with_no_gap(app, goods):
    orders_ = [paid_at(LAST_SECOND, ("CHE-1", 1)), delivered_at(LAST_SECOND, ("RUOU-1", 1)),
               paid_at(LAST_SECOND, ("CHE-1", 3)),  # 648.000 ₫: shipped free, nothing to invoice
               paid_at(NEW_YEAR, ("VAI-1", 1)), delivered_at(NEW_YEAR, ("CHE-1", 1))]
    with at(NEW_YEAR):
        orders.cancel_order(orders_[3], actor_id=None, reason="khách đổi ý")
    issued = [(i.kind, i.symbol, i.number, i.issued_on, i.total_vnd) for o in orders_
              for i in shop_invoices_of(o)]
    assert issued == [
        ("original", "C26TVC", 1, date(2026, 12, 31), 30_000),
        ("original", "C26TVC", 2, date(2026, 12, 31), 30_000),
        ("original", "C27TVC", 1, date(2027, 1, 1), 30_000),
        ("adjustment", "C27TVC", 3, date(2027, 1, 1), -30_000),
        ("original", "C27TVC", 2, date(2027, 1, 1), 30_000)]
    shipping = shop_invoices_of(orders_[0])[0]
    config = app.config
    assert (shipping.seller, shipping.producer_id, shipping.template, shipping.seller_name,
            shipping.seller_tax_code, shipping.seller_address) == (
        "shop", None, "1", config["SHOP_LEGAL_NAME"], config["SHOP_TAX_CODE"], config["SHOP_ADDRESS"])
    assert (shipping.withholding_vat_vnd, shipping.lines[0].is_service, shipping.lines[0].unit) == (
        0, True, "lần")
    assert shipping.lines[0].name == f"Phí vận chuyển đơn hàng {orders_[0].number} (hàng của HTX Tân Cương)"
    assert [i.kind for i in all_invoices_of(orders_[2])] == ["original"]


def test_the_order_document_lists_exactly_the_invoices_issued_for_it(client, goods, validate):
    order = delivered_at(LAST_SECOND, ("CHE-1", 1), ("VAI-1", 1))
    original, = invoices_of(order)
    with at(datetime(2027, 1, 5, 3, 0, tzinfo=UTC)):
        invoice_services.return_goods(original, actor_id=goods.id, quantities={"VAI-1": 1},
                                      reason="Vải dập", day=today())
    response = client.get(f"/api/v1/orders/{order.number}",
                          headers={"Authorization": f"Bearer {order.access_token}"})
    assert response.status_code == 200
    body = response.get_json()
    validate(body, "Order")
    listed = body["order"]["invoices"]
    issued = all_invoices_of(order)
    assert [i["number"] for i in listed] == [i.label for i in issued] == [
        "1C26TAA-00000001", "1C26TVC-00000001", "1C27TAA-00000001"]
    goods_invoice, shipping, back = listed
    assert goods_invoice == {
        "number": "1C26TAA-00000001", "kind": "original", "adjusts": None,
        "seller": {"name": "HTX Tân Cương", "tax_code": "4600123456"}, "template": "1",
        "issued_on": "2026-12-31", "total_vnd": 346_000,
        "lines": [{"sku": "CHE-1", "name": "Chè Tân Cương – Hộp 200 g", "quantity": 1,
                   "unit_price_vnd": 216_000, "vat_rate": "8", "amount_vnd": 216_000, "vat_vnd": 16_000},
                  {"sku": "VAI-1", "name": "Vải thiều – Hộp 200 g", "quantity": 1,
                   "unit_price_vnd": 130_000, "vat_rate": "not_subject", "amount_vnd": 130_000,
                   "vat_vnd": 0}],
        "pdf_url": f"/orders/{order.number}/invoices/{issued[0].id}.pdf?token={order.access_token}"}
    assert (shipping["seller"]["tax_code"], shipping["total_vnd"], shipping["lines"][0]["vat_rate"]) == (
        client.application.config["SHOP_TAX_CODE"], 30_000, "8")
    assert (back["kind"], back["adjusts"], back["issued_on"], back["total_vnd"]) == (
        "adjustment", "1C26TAA-00000001", "2027-01-05", -130_000)
    assert [(line["sku"], line["vat_rate"]) for line in body["order"]["lines"]] == [
        ("CHE-1", "8"), ("VAI-1", "exempt")]
    for invoice in listed:
        pdf = client.get(invoice["pdf_url"])
        assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF-")
    other = client.get(f"/api/v1/orders/{order.number}", headers={"Authorization": "Bearer nope"})
    assert other.status_code == 404


def test_an_unpaid_order_lists_no_invoice_and_its_lines_show_todays_rate(client, goods):
    with at(PLACED):
        order = place(cart_with(("CHE-1", 1), ("RUOU-1", 1)), TRANSFER)[1]
        body = client.get(f"/api/v1/orders/{order.number}",
                          headers={"Authorization": f"Bearer {order.access_token}"}).get_json()
    assert body["order"]["invoices"] == []
    assert [(line["vat_rate"], line["vat_category"]) for line in body["order"]["lines"]] == [
        ("8", "10_reducible"), ("10", "10")]


def test_offices_adding_overlapping_reductions_at_once_record_one(app):
    def add(n: int):
        def job():
            try:
                tax.add(starts_on=date(2027, 2, 1 + n), ends_on=date(2027, 9, 30), percent=8,
                        resolution=f"Nghị quyết số {n}/2027/QH16", actor_id=None,
                        today=date(2027, 1, 15))
            except ValidationError as refused:
                return refused.fields["ends_on"]
            return "added"
        return job

    outcomes = run_together(app, [add(n) for n in range(12)])
    assert sorted(outcomes) == ["added"] + ["overlap"] * 11
    assert len(rates.reductions()) == 2
