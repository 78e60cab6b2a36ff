"""The dashboard's figures, exact: sales per week (online orders and counter sales, by the
Vietnamese calendar), best sellers, low stock per location, certificates about to expire."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, date, datetime, timedelta

from shop.clock import today as real_today
from shop.extensions import db
from shop.orders.models import Order
from shop.pos import services as pos
from shop.pos.schemas import SaleInput, SaleLineInput
from shop.web.producer import figures
from tests import builders
from tests.orders.builders import cart_with, place
from tests.producer.helpers import page

DAY = date(2026, 11, 25)  # a Wednesday; its week starts on Monday 23 November


def _order(lines, placed_at: datetime):
    order = place(cart_with(*lines))[1]
    db.session.get(Order, order.id).created_at = placed_at.replace(tzinfo=None)
    db.session.commit()
    return order


def _sale(point, lines, occurred_at: datetime):
    pos.record_sale(point, SaleInput(str(uuid.uuid4()), occurred_at, "cash", tuple(
        SaleLineInput(sku, quantity, price) for sku, quantity, price in lines)))


def test_sales_per_week_and_best_sellers(shop):
    builders.receive(shop.tea.product, shop.warehouse, 30)
    builders.receive(shop.rice.product, shop.warehouse, 30)
    builders.receive(shop.tea.product, shop.point, 5)
    other = builders.product("Mắm tôm", sku="MAM-1")
    builders.receive(other, builders.warehouse(other.producer), 9)
    # Monday 23 Nov 00:30 in Vietnam is Sunday 22 Nov 17:30 UTC: it belongs to this week.
    _order([("CHE-1", 2), ("MAM-1", 1)], datetime(2026, 11, 22, 17, 30, tzinfo=UTC))
    # Sunday 22 Nov 16:59 UTC is 23:59 in Vietnam: last week.
    _order([("GAO-1", 3)], datetime(2026, 11, 22, 16, 59, tzinfo=UTC))
    _sale(shop.point, [("CHE-1", 1, 140_000)], datetime(2026, 11, 24, 3, 0, tzinfo=UTC))
    _order([("CHE-1", 1)], datetime(2026, 9, 1, 3, 0, tzinfo=UTC))  # before the 8 weeks

    weeks = figures.weekly_sales(shop.producer.id, DAY)
    assert len(weeks) == 8 and weeks[0][0] == date(2026, 10, 5)
    assert weeks[-2:] == [(date(2026, 11, 16), 450_000), (date(2026, 11, 23), 440_000)]
    assert all(total == 0 for _, total in weeks[:-2])
    best = [(v.sku, units, amount) for v, units, amount in figures.best_sellers(shop.producer.id, DAY)]
    assert best == [("GAO-1", 3, 450_000), ("CHE-1", 3, 440_000)]


def test_the_chart_scales_bars_to_the_best_week():
    weeks = [(date(2026, 11, 16), 450_000), (date(2026, 11, 23), 225_000)]
    chart = figures.chart(weeks, width=200, height=120)
    assert [(b["x"], b["w"], b["h"], b["y"]) for b in chart["bars"]] == [
        (2.0, 96.0, 100.0, 4.0), (102.0, 96.0, 50.0, 54.0)]
    assert [b["h"] for b in figures.chart([(DAY, 0)])["bars"]] == [0.0]


def test_low_stock_per_location_and_expiring_certificates(shop):
    builders.receive(shop.tea.product, shop.warehouse, 4)
    builders.receive(shop.rice.product, shop.warehouse, 5)
    builders.receive(shop.tea.product, shop.point, 2)
    low = [(row.variant.sku, row.location.code, row.on_hand) for row in figures.low_stock(shop.producer.id)]
    assert low == [("CHE-1", "WH-HAODAT", 4), ("CHE-1", "QN-HALONG", 2)]  # warehouses first
    # Certified 2025-09-01: valid until 2028-09-01; within 60 days from 2028-07-03.
    assert figures.expiring_certificates(shop.producer.id, date(2028, 7, 2)) == []
    expiring = figures.expiring_certificates(shop.producer.id, date(2028, 7, 3))
    assert sorted(c.product.name for c in expiring) == ["Chè Tân Cương", "Gạo nếp"]


def test_the_dashboard_page_draws_the_weeks(client, shop):
    builders.receive(shop.tea.product, shop.warehouse, 10)
    now = datetime.now(UTC)
    _order([("CHE-1", 2)], now - timedelta(minutes=5))
    html = page(client, "/producer/")
    monday = real_today() - timedelta(days=real_today().weekday())
    assert f'data-week="{monday.isoformat()}" data-total="300000"' in html
    assert len(re.findall(r'<g data-week="', html)) == 8
    assert 'data-sku="CHE-1" data-units="2"' in html
    assert 'data-low="GAO-1@' not in html and "No certificate ends in the next 60 days." in html
