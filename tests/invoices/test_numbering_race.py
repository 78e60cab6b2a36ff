"""Many invoices issued at once, on the file database of the run (SQLite file or PostgreSQL):
numbers 1..N, no gap, no duplicate; a number taken by a transaction that rolls back is given
back."""

from sqlalchemy import select

from shop.database import write_transaction
from shop.extensions import db
from shop.invoices import numbering
from shop.invoices.models import Invoice
from shop.orders import fulfilment
from shop.orders.models import Shipment
from tests import builders
from tests.inventory.test_concurrency import run_together
from tests.orders.builders import DELIVERY, cart_with, place

N = 20


def test_n_deliveries_at_once_get_invoice_numbers_1_to_n(app):
    item = builders.product("Chè", sku="CHE-1", price_vnd=100_000)
    builders.receive(item, builders.warehouse(item.producer), N)
    builders.sales_point("QN-HALONG")
    shipment_ids = []
    for _ in range(N):
        shipment = place(cart_with(("CHE-1", 1)), DELIVERY)[1].shipments[0]
        fulfilment.advance(shipment, "packed", actor_id=None)
        fulfilment.advance(shipment, "shipped", actor_id=None)
        shipment_ids.append(shipment.id)

    def deliver(shipment_id):
        def job():
            shipment = db.session.get(Shipment, shipment_id)
            fulfilment.advance(shipment, "delivered", actor_id=None,
                               cash_collected_vnd=shipment.subtotal_vnd + shipment.shipping_vnd)
            return "delivered"
        return job

    assert run_together(app, [deliver(i) for i in shipment_ids]) == ["delivered"] * N
    numbers = db.session.execute(select(Invoice.shipment_id, Invoice.number)
                                 .where(Invoice.producer_id == item.producer_id)).all()
    assert sorted(number for _, number in numbers) == list(range(1, N + 1))
    assert sorted(shipment for shipment, _ in numbers) == sorted(shipment_ids)
    # each delivery also invoiced its shipping, in the shop's own series: 1..N as well
    shipping = db.session.execute(select(Invoice.shipment_id, Invoice.number, Invoice.total_vnd)
                                  .where(Invoice.seller == "shop")).all()
    assert sorted(number for _, number, _ in shipping) == list(range(1, N + 1))
    assert sorted(shipment for shipment, _, _ in shipping) == sorted(shipment_ids)
    assert {total for _, _, total in shipping} == {30_000}


def test_a_rolled_back_issue_gives_its_number_back(app):
    maker_id = builders.producer().id

    def take(fail: bool):
        def job():
            try:
                with write_transaction(db.session):
                    number = numbering.next_number(f"producer:{maker_id}", "1", "C26TAA", 2026)
                    if fail:
                        raise RuntimeError("the invoice could not be written")
            except RuntimeError:
                return "rolled back"
            return number
        return job

    outcomes = run_together(app, [take(fail=n % 3 == 0) for n in range(3 * 10)])
    assert outcomes.count("rolled back") == 10
    assert sorted(o for o in outcomes if o != "rolled back") == list(range(1, 21))
    with write_transaction(db.session):
        assert numbering.next_number(f"producer:{maker_id}", "1", "C26TAA", 2026) == 21
        assert numbering.next_number(f"producer:{maker_id}", "1", "C27TAA", 2027) == 1
        # the other template is a series of its own
        assert numbering.next_number(f"producer:{maker_id}", "2", "C26TAA", 2026) == 1
