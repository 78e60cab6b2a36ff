"""Every paid or delivered shipment has exactly one invoice from its producer; cancellations
and refunds after invoicing are adjustment invoices naming the original."""

from datetime import date

import pytest
from sqlalchemy import func, select, text

from shop.clock import today
from shop.database import write_transaction
from shop.extensions import db
from shop.invoices import issuing
from shop.invoices.models import Invoice, InvoiceLine, IssuedInvoiceChanged
from shop.orders import fulfilment
from shop.orders import services as orders
from shop.payments import services as payments
from tests import builders
from tests.invoices.helpers import TRANSFER, deliver, delivered_cod, invoices_of, paid_order
from tests.orders.builders import DELIVERY, cart_with, place

YEAR = today().year
SYMBOL = f"C{YEAR % 100:02d}TAA"


def test_a_paid_order_gets_one_invoice_per_producer_with_lines_as_sold(market):
    order = paid_order(("CHE-1", 2), ("GAO-1", 1))
    tea, rice = invoices_of(order)
    assert [(i.producer_id, i.kind, i.template, i.symbol, i.number, i.total_vnd) for i in (tea, rice)] == [
        (market.tea.product.producer_id, "original", "1", SYMBOL, 1, 500_000),
        (market.rice.product.producer_id, "original", "1", SYMBOL, 1, 120_000)]
    assert [(line.sku, line.name, line.unit, line.quantity, line.unit_price_vnd, line.vat_rate,
             line.amount_vnd, line.before_tax_vnd, line.vat_vnd) for line in tea.lines] == [
        ("CHE-1", "Chè Tân Cương – Hộp 200 g", market.tea.unit, 2, 250_000, "8", 500_000,
         462_963, 37_037)]
    assert tea.seller_name == "HTX Chè" and tea.seller_tax_code == market.tea.product.producer.tax_code
    assert (tea.buyer_name, tea.buyer_phone, tea.issued_on) == ("Nguyễn Văn An", "0912345678", today())
    assert tea.buyer_address.startswith("12 Lê Lợi, ")
    assert (tea.withholding_vat_vnd, tea.withholding_pit_vnd) == (0, 0)
    assert tea.shipment_id == order.shipments[0].id and tea.order_id == order.id


def test_an_unpaid_transfer_or_undelivered_cod_order_has_no_invoice(market):
    waiting = place(cart_with(("CHE-1", 1)), TRANSFER)[1]
    cod = place(cart_with(("CHE-1", 1)), DELIVERY)[1]
    payments.confirm_transfer(waiting, 1, actor_id=None)  # the wrong amount pays nothing
    assert invoices_of(waiting) == [] and invoices_of(cod) == []


def test_cash_on_delivery_is_invoiced_when_each_shipment_is_delivered(market):
    order = place(cart_with(("CHE-1", 1), ("GAO-1", 1)), DELIVERY)[1]
    tea_shipment, rice_shipment = order.shipments
    deliver(tea_shipment)
    assert [(i.shipment_id, i.total_vnd) for i in invoices_of(order)] == [(tea_shipment.id, 250_000)]
    deliver(rice_shipment)
    assert [(i.shipment_id, i.number) for i in invoices_of(order)] == [
        (tea_shipment.id, 1), (rice_shipment.id, 1)]


def test_a_card_payment_issues_the_invoice_once_even_when_the_event_comes_twice(market):
    order = place(cart_with(("CHE-1", 1)), {**DELIVERY, "payment_method": "card"},
                  settings=_card_settings())[1]
    with write_transaction(db.session):
        order.payments[0].provider_ref = "cs_test_1"
    event = {"id": "evt_1", "type": "checkout.session.completed", "data": {"object": {
        "id": "cs_test_1", "client_reference_id": order.number, "payment_status": "paid",
        "amount_total": order.total_vnd, "currency": "vnd", "payment_intent": "pi_1"}}}
    assert payments.handle_stripe_event(event) == "paid"
    assert payments.handle_stripe_event({**event, "id": "evt_2"}) == "nothing to do"
    assert [(i.kind, i.total_vnd) for i in invoices_of(order)] == [("original", 250_000)]
    refund = {"id": "evt_3", "type": "charge.refunded", "data": {"object": {
        "payment_intent": "pi_1", "amount_refunded": order.total_vnd, "currency": "vnd"}}}
    assert payments.handle_stripe_event(refund) == "refunded"
    assert payments.handle_stripe_event({**refund, "id": "evt_4"}) == "nothing to do"
    original, reversal = invoices_of(order)
    assert (reversal.kind, reversal.adjusts_id, reversal.number, reversal.total_vnd) == (
        "adjustment", original.id, 2, -250_000)
    # the money came back, the goods did not (the order was not cancelled): a value adjustment
    assert [(line.quantity, line.amount_vnd, line.before_tax_vnd, line.vat_vnd)
            for line in reversal.lines] == [
        (0, -250_000, -231_481, -18_519)]


def _card_settings():
    from shop.orders.checkout import OrderSettings

    return OrderSettings(card_enabled=True)


def test_issuing_again_for_the_same_shipment_changes_nothing(market):
    order = paid_order(("CHE-1", 1))
    with write_transaction(db.session):
        assert issuing.issue_for_order(order, day=today()) == []
    assert len(invoices_of(order)) == 1


def test_cancelling_a_paid_order_writes_one_adjustment_naming_each_original(market):
    order = paid_order(("CHE-1", 1), ("GAO-1", 2))
    orders.cancel_order(order, actor_id=None, reason="khách đổi ý")
    tea, rice, tea_back, rice_back = invoices_of(order)
    assert [(i.kind, i.adjusts_id, i.total_vnd, i.reason) for i in (tea_back, rice_back)] == [
        ("adjustment", tea.id, -250_000, "khách đổi ý"), ("adjustment", rice.id, -240_000, "khách đổi ý")]
    assert (tea_back.number, rice_back.number) == (2, 2)
    assert (tea.total_vnd, len(tea.lines)) == (250_000, 1)  # the originals stand as issued
    with write_transaction(db.session):
        assert issuing.reverse_order(order, day=today(), reason="again") == []


def test_cancelling_an_unpaid_order_writes_no_invoice(market):
    order = place(cart_with(("CHE-1", 1)), TRANSFER)[1]
    orders.cancel_order(order, actor_id=None, reason="no")
    assert invoices_of(order) == []


def test_a_household_seller_has_vat_and_income_tax_withheld_on_each_invoice():
    home = builders.product("Mứt gừng", sku="MUT-1", price_vnd=99_999,
                            maker=builders.producer("Hộ Bà Tư", kind="household"))
    builders.receive(home, builders.warehouse(home.producer), 5)
    builders.sales_point("QN-HALONG")
    order = paid_order(("MUT-1", 3))
    invoice, = invoices_of(order)
    assert (invoice.template, invoice.total_vnd) == ("2", 299_997)
    assert (invoice.withholding_vat_vnd, invoice.withholding_pit_vnd) == (3_000, 1_500)


def test_numbers_start_again_at_one_each_year_under_that_years_symbol(market):
    order = paid_order(("CHE-1", 1))
    shipment = order.shipments[0]
    original, = invoices_of(order)
    with write_transaction(db.session):
        late = issuing.adjust(original, [], day=date(YEAR, 12, 31), reason="Sửa tên người mua")
        first = issuing.adjust(original, [], day=date(YEAR + 1, 1, 1), reason="Sửa địa chỉ")
        second = issuing.adjust(original, [], day=date(YEAR + 1, 1, 2), reason="Sửa địa chỉ")
    next_symbol = f"C{(YEAR + 1) % 100:02d}TAA"
    assert [(i.symbol, i.number) for i in (late, first, second)] == [
        (SYMBOL, 2), (next_symbol, 1), (next_symbol, 2)]
    assert shipment.id == original.shipment_id


def test_an_issued_invoice_cannot_be_changed_through_the_orm(market):
    invoice, = invoices_of(paid_order(("CHE-1", 1)))
    invoice.total_vnd = 1
    with pytest.raises(IssuedInvoiceChanged):
        db.session.commit()
    db.session.rollback()
    invoice.lines[0].quantity = 9
    with pytest.raises(IssuedInvoiceChanged):
        db.session.flush()
    db.session.rollback()
    with pytest.raises(IssuedInvoiceChanged):
        db.session.delete(invoice.lines[0])
        db.session.flush()
    db.session.rollback()
    assert (db.session.get(Invoice, invoice.id).total_vnd, invoice.lines[0].quantity) == (250_000, 1)


@pytest.mark.parametrize("statement", [
    "UPDATE invoice SET total_vnd = 1", "UPDATE invoice_line SET quantity = 9"])
def test_the_database_refuses_to_update_an_issued_invoice(market, statement):
    paid_order(("CHE-1", 1))
    with pytest.raises(Exception, match="never changes"), db.engine.begin() as connection:
        connection.execute(text(statement))
    # the tea's invoice (250.000 ₫, one line) and the shop's for its shipping (30.000 ₫, one line)
    assert db.session.scalar(select(func.sum(Invoice.total_vnd))) == 280_000
    assert db.session.scalar(select(func.sum(InvoiceLine.quantity))) == 2


def test_every_delivered_or_paid_shipment_has_exactly_one_original(market):
    orders_ = [paid_order(("CHE-1", 1)), delivered_cod(("GAO-1", 1)), paid_order(("CHE-1", 1), ("GAO-1", 1))]
    shipments = [s for o in orders_ for s in o.shipments]
    originals = db.session.execute(select(Invoice.shipment_id, func.count()).where(
        Invoice.kind == "original", Invoice.producer_id.is_not(None))
        .group_by(Invoice.shipment_id)).all()
    assert sorted(originals) == sorted((s.id, 1) for s in shipments)


def test_a_pickup_paid_in_cash_is_invoiced_by_each_producer_when_collected(market):
    builders.receive(market.rice.product, market.point, 2)
    pickup = {**DELIVERY, "fulfilment": "pickup", "pickup_point": market.point.code, "address": None}
    order = place(cart_with(("CHE-1", 1), ("GAO-1", 2)), pickup)[1]
    shipment, = order.shipments
    fulfilment.advance(shipment, "ready", actor_id=None)
    assert invoices_of(order) == []
    fulfilment.advance(shipment, "collected", actor_id=None, cash_collected_vnd=shipment.subtotal_vnd)
    assert sorted((i.producer_id, i.shipment_id, i.total_vnd) for i in invoices_of(order)) == sorted([
        (market.tea.product.producer_id, shipment.id, 250_000),
        (market.rice.product.producer_id, shipment.id, 240_000)])
    assert {i.buyer_address for i in invoices_of(order)} == {""}
