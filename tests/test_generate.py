"""`shop generate`: the generated catalog and trade, at tiny sizes."""

from __future__ import annotations

import hashlib
from collections import Counter
from datetime import date, datetime

import pytest
from sqlalchemy import func, select, text

from shop import generate, search
from shop.catalog.models import Certificate, Producer, Product, Variant
from shop.catalog.queries import Filters
from shop.clock import today
from shop.errors import Conflict, ValidationError
from shop.extensions import db
from shop.inventory import services as inventory
from shop.inventory.models import Location, StockLevel, StockMovement, StockReservation
from shop.invoices import numbering
from shop.invoices.models import Invoice, InvoiceLine, InvoiceSeries, symbol_for_year
from shop.invoices.settings import DIRECT_METHOD_KINDS
from shop.orders import fulfilment
from shop.orders import services as orders
from shop.orders.checkout import OrderSettings
from shop.orders.models import Order, OrderLine, Shipment
from shop.places.models import Province
from shop.pos.models import PosSale, PosSaleLine
from shop.pos.schemas import SaleInput, SaleLineInput
from shop.tax import rates as tax
from tests.conftest import TODAY

SMALL = generate.Sizes(products=60, producers=30, sales_points=5, orders=200, movements=100)


def _generate(sizes=SMALL, seed=7, day=TODAY, **kwargs):
    return generate.generate(sizes, seed=seed, day=day, settings=OrderSettings(), **kwargs)


def _digest() -> str:
    """Every generated row of every table, in id order."""
    digest = hashlib.sha256()
    for table in db.metadata.sorted_tables:
        if table.name in generate.TABLES:
            for row in db.session.execute(select(table).order_by(*table.primary_key.columns)):
                digest.update(repr(tuple(row)).encode())
    return digest.hexdigest()


def _delete_generated() -> None:
    for table in reversed(db.metadata.sorted_tables):
        if table.name in generate.TABLES:
            db.session.execute(table.delete())
    db.session.commit()


def test_the_same_seed_gives_the_same_data_and_another_seed_other_data():
    _generate()
    first = _digest()
    _delete_generated()
    _generate()
    assert _digest() == first
    _delete_generated()
    _generate(seed=8)
    assert _digest() != first


def test_the_catalog_has_the_programs_proportions():
    report = _generate(generate.Sizes(products=800, producers=400, sales_points=34, orders=0,
                                      movements=0))
    assert report.rows["product"] == 800 and report.rows["producer"] == 400
    stars = Counter(db.session.scalars(select(Product.stars)))
    assert 0.68 < stars[3] / 800 < 0.82 and 0.16 < stars[4] / 800 < 0.30 and stars[5] < 40
    groups = Counter(db.session.scalars(select(Product.group)))
    assert groups.most_common(1)[0][0] == "food" and groups["food"] / 800 > 0.55
    assert set(groups) == {"food", "beverages", "herbal", "handicrafts", "ornamental", "tourism"}
    kinds = Counter(db.session.scalars(select(Producer.kind)))
    assert set(kinds) == {"enterprise", "cooperative", "cooperative_group", "household"}
    regions = Counter(db.session.scalars(
        select(Province.region_code).join(Producer, Producer.province_code == Province.code)))
    assert set(regions) == {"NMM", "RRD", "NCC", "CH", "SE", "MD"}
    assert regions["RRD"] > regions["CH"] and regions["MD"] > regions["SE"]
    points = db.session.scalars(select(Location.province_code).where(Location.kind == "sales_point"))
    assert set(points) == set(db.session.scalars(select(Province.code)))
    # Every product is listed today, under its newest certificate.
    listed = db.session.scalar(select(func.count()).select_from(Product).where(
        Product.status == "active", Product.certified_until >= TODAY))
    assert listed == 800
    assert db.session.scalar(select(func.count()).select_from(Certificate).where(
        Certificate.status == "active")) == 800
    assert db.session.scalar(select(func.min(Variant.price_vnd))) >= 1000


def test_the_ledger_is_consistent_and_the_newest_orders_still_hold_stock(app):
    _generate()
    result = app.test_cli_runner().invoke(args=["shop", "check-ledger"])
    assert result.exit_code == 0 and "ledger consistent" in result.output
    assert inventory.ledger_mismatches() == []
    statuses = Counter(db.session.scalars(select(StockReservation.status)))
    assert statuses["committed"] > 100 and statuses["open"] > 0
    reserved = db.session.scalar(select(func.sum(StockLevel.reserved)))
    assert reserved == db.session.scalar(select(func.sum(StockReservation.quantity)).where(
        StockReservation.status == "open"))
    reasons = set(db.session.scalars(select(StockMovement.reason).distinct()))
    assert {"receipt", "online_sale", "pos_sale"} <= reasons
    assert db.session.scalar(select(func.min(StockLevel.on_hand - StockLevel.reserved))) >= 0


def test_invoices_are_numbered_without_gaps_and_the_counters_continue():
    _generate(day=date(2027, 3, 1))  # a year of trade across the end of the 8% rate
    numbers: dict[tuple, list[tuple]] = {}
    for seller, template, symbol, number, issued_at in db.session.execute(select(
            Invoice.seller, Invoice.template, Invoice.symbol, Invoice.number, Invoice.issued_at)):
        numbers.setdefault((seller, template, symbol), []).append((number, issued_at))
    assert len(numbers) > 10 and {"C26TVC", "C27TVC"} <= {k[2] for k in numbers if k[0] == "shop"}
    for (seller, template, symbol), issued in numbers.items():
        issued.sort()
        assert [n for n, _ in issued] == list(range(1, len(issued) + 1))
        assert [t for _, t in issued] == sorted(t for _, t in issued)  # numbers follow time
        series = db.session.get(InvoiceSeries, (seller, template, symbol, 2000 + int(symbol[1:3])))
        assert series.last_number == len(issued)
    (seller, template, symbol), issued = next(iter(numbers.items()))
    assert numbering.next_number(seller, template, symbol, 2000 + int(symbol[1:3])) == len(issued) + 1
    db.session.rollback()
    # each line at the rate its category had on the day of issue; sales invoices show no VAT
    rates_seen = Counter()
    for day, template, category, rate, vat in db.session.execute(select(
            Invoice.issued_on, Invoice.template, InvoiceLine.vat_category, InvoiceLine.vat_rate,
            InvoiceLine.vat_vnd).join(InvoiceLine.invoice)):
        assert rate == tax.rate_for(category, day)
        assert template == "1" or vat == 0
        rates_seen[(category, rate)] += 1
    assert {("10_reducible", "8"), ("10_reducible", "10"), ("not_subject", "not_subject")} <= set(rates_seen)
    # the shop invoiced the shipping of every paid order and every delivered cash order
    for order in db.session.scalars(select(Order).where(Order.payment_status == "paid")):
        charged = sum(s.shipping_vnd for s in order.shipments
                      if order.payment_method != "cod" or s.status == "delivered")
        invoiced = db.session.scalar(select(func.sum(Invoice.total_vnd)).where(
            Invoice.order_id == order.id, Invoice.seller == "shop")) or 0
        assert invoiced == charged, order.number
    for invoice_id, total in db.session.execute(select(Invoice.id, Invoice.total_vnd)):
        lines = db.session.scalar(select(func.sum(InvoiceLine.amount_vnd)).where(
            InvoiceLine.invoice_id == invoice_id))
        assert lines == total


def test_orders_add_up_and_the_services_carry_on_from_them():
    _generate()
    for order in db.session.scalars(select(Order)):
        assert order.total_vnd == order.subtotal_vnd + sum(s.shipping_vnd for s in order.shipments)
        assert order.subtotal_vnd == sum(line.line_total_vnd for line in order.lines)
        assert order.number == f"OC{order.created_at:%y%m}-{order.id:06d}"
        if order.status == "completed":
            assert order.payment_status == "paid"
            assert all(s.status in ("delivered", "collected") for s in order.shipments)
    shipment = db.session.scalar(select(Shipment).where(
        Shipment.kind == "delivery", Shipment.status == "shipped").order_by(Shipment.id))
    cod = shipment.order.payment_method == "cod"
    symbol = symbol_for_year("C00TAA", today().year)  # the services issue on the real day
    template = "2" if db.session.get(Producer, shipment.producer_id).kind in DIRECT_METHOD_KINDS else "1"
    series_before = db.session.scalar(select(func.max(Invoice.number)).where(
        Invoice.producer_id == shipment.producer_id, Invoice.symbol == symbol,
        Invoice.template == template))
    fulfilment.advance(shipment, "delivered", actor_id=None, cash_collected_vnd=(
        shipment.subtotal_vnd + shipment.shipping_vnd) if cod else None)
    assert shipment.status == "delivered"
    if cod:  # cash on delivery is invoiced now, with the seller's next number
        assert db.session.scalar(select(func.max(Invoice.number)).where(
            Invoice.producer_id == shipment.producer_id, Invoice.symbol == symbol,
            Invoice.template == template)) == (series_before or 0) + 1
    waiting = next(order for order in db.session.scalars(select(Order).where(
        Order.status.in_(("awaiting_payment", "confirmed"))).order_by(Order.id))
        if orders.cancellable(order))
    orders.cancel_order(waiting, actor_id=None, reason="changed my mind")
    assert waiting.status == "cancelled"
    assert db.session.scalar(select(func.count()).select_from(StockReservation).where(
        StockReservation.order_line_id.in_([line.id for line in waiting.lines]),
        StockReservation.status == "open")) == 0
    assert inventory.ledger_mismatches() == []


def test_search_finds_a_generated_product(app):
    result = app.test_cli_runner().invoke(args=[
        "shop", "generate", "--products", "60", "--producers", "30", "--sales-points", "3",
        "--orders", "20", "--movements", "0", "--day", TODAY.isoformat()])
    assert result.exit_code == 0, result.output
    assert "indexed 60 products" in result.output
    product = db.session.scalar(select(Product).order_by(Product.id.desc()))
    found = search.query(product.name, Filters(), TODAY)
    assert product.id in [p.id for p in found.items]


def test_a_catalog_with_products_is_refused_unless_forced(app):
    _generate()
    before = _digest()
    with pytest.raises(Conflict):
        _generate(seed=9)
    assert _digest() == before
    runner = app.test_cli_runner()
    result = runner.invoke(args=["shop", "generate", "--products", "10", "--no-index"])
    assert result.exit_code == 1
    assert "already holds 60 products" in result.output
    _generate(generate.Sizes(products=10, producers=5, sales_points=2, orders=20, movements=10),
              seed=9, force=True)
    assert db.session.scalar(select(func.count()).select_from(Product)) == 70
    assert db.session.scalar(select(func.count(func.distinct(Product.slug)))) == 70
    assert inventory.ledger_mismatches() == []


@pytest.mark.parametrize("args, message", [
    (["--products", "10", "--producers", "11"], "--producers: from 1 to the number of products"),
    (["--products", "10", "--sales-points", "0", "--movements", "5"],
     "--movements: counter sales need at least one sales point"),
    (["--orders", "-1"], "Invalid value for '--orders'"),
    (["--day", "22/11/2026"], "Invalid value for '--day'"),
])
def test_bad_options_are_refused_with_a_clear_error(app, args, message):
    result = app.test_cli_runner().invoke(args=["shop", "generate", "--no-index", *args])
    assert result.exit_code != 0
    assert message in result.output
    assert db.session.scalar(select(func.count()).select_from(Product)) == 0


def test_sizes_are_checked_before_anything_is_written():
    with pytest.raises(ValidationError) as refused:
        _generate(generate.Sizes(products=0, producers=5, orders=-1))
    assert set(refused.value.fields) == {"products", "producers", "orders"}
    assert db.session.scalar(text("SELECT COUNT(*) FROM producer")) == 0
    assert db.session.scalar(select(func.count()).select_from(OrderLine)) == 0


def test_counter_sales_are_recorded_as_the_pos_service_records_them():
    _generate()
    sale = db.session.scalar(select(PosSale).order_by(PosSale.id))
    lines = db.session.scalars(select(PosSaleLine).where(PosSaleLine.sale_id == sale.id)
                               .order_by(PosSaleLine.id)).all()
    response = sale.response
    sent = SaleInput(sale.id, datetime.fromisoformat(response["occurred_at"]), sale.payment_method,
                     tuple(SaleLineInput(line.sku, line.quantity, line.unit_price_vnd)
                           for line in lines))
    assert sale.request_hash == sent.digest  # the same sale sent again is a replay
    assert sale.total_vnd == sum(line.line_total_vnd for line in lines) == response["total_vnd"]
    movements = db.session.scalars(select(StockMovement).where(
        StockMovement.reference == f"sale {sale.receipt_number}")).all()
    assert sorted((m.variant_id, -m.delta) for m in movements) == sorted(
        (line.variant_id, line.quantity) for line in lines)
    assert all(m.reason == "pos_sale" and m.occurred_at == sale.occurred_at for m in movements)
