"""The dashboard's figures, read through the producer: sales per week, best sellers, low stock,
certificates about to expire. Pure reads; the chart is drawn as SVG by the template."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import and_, case, func
from sqlalchemy.orm import joinedload

from shop.catalog.models import Certificate, Product, Variant
from shop.catalog.scans import EXPIRY_WARNING_DAYS
from shop.clock import VIETNAM
from shop.extensions import db
from shop.inventory.models import Location, StockLevel
from shop.orders.models import Order, OrderLine
from shop.pos.models import PosSale, PosSaleLine

SOLD = ("confirmed", "completed")
LOW_STOCK = 5


def _utc_start(day: date) -> datetime:
    """Midnight of a Vietnamese day as the naive UTC instant the database stores."""
    return datetime.combine(day, time(), VIETNAM).astimezone(UTC).replace(tzinfo=None)


def _online(producer_id: int, since: datetime):
    """Online order lines of the producer in orders that count as sold, placed from `since`."""
    moment, amount = Order.created_at, OrderLine.quantity * OrderLine.unit_price_vnd
    query = (db.select().select_from(OrderLine).join(Order, Order.id == OrderLine.order_id)
             .where(OrderLine.producer_id == producer_id, Order.status.in_(SOLD),
                    moment >= since))
    return query, moment, OrderLine.variant_id, OrderLine.quantity, amount


def _counter(producer_id: int, since: datetime):
    """Counter sale lines of the producer's goods, sold from `since`."""
    moment, amount = PosSale.occurred_at, PosSaleLine.quantity * PosSaleLine.unit_price_vnd
    query = (db.select().select_from(PosSaleLine).join(PosSale, PosSale.id == PosSaleLine.sale_id)
             .join(Variant, Variant.id == PosSaleLine.variant_id)
             .join(Product, Product.id == Variant.product_id)
             .where(Product.producer_id == producer_id, moment >= since))
    return query, moment, PosSaleLine.variant_id, PosSaleLine.quantity, amount


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def weekly_sales(producer_id: int, today: date, weeks: int = 8) -> list[tuple[date, int]]:
    """(Monday, đồng sold online and at the counter) for the last `weeks` weeks, oldest first.

    Weeks run Monday to Sunday by the Vietnamese calendar; the database sums each week.
    """
    mondays = [week_start(today) - timedelta(weeks=weeks - 1 - n) for n in range(weeks + 1)]
    bounds = [_utc_start(day) for day in mondays]
    totals = [0] * weeks
    for source in (_online, _counter):
        query, moment, _, _, amount = source(producer_id, bounds[0])
        sums = [func.coalesce(func.sum(case((and_(moment >= bounds[n], moment < bounds[n + 1]),
                                                amount), else_=0)), 0) for n in range(weeks)]
        row = db.session.execute(query.add_columns(*sums)).one()
        totals = [total + int(value) for total, value in zip(totals, row, strict=True)]
    return list(zip(mondays[:weeks], totals, strict=True))


def best_sellers(producer_id: int, today: date, days: int = 28, limit: int = 5):
    """(variant, units, đồng) sold in the last `days` days, most units first."""
    since = _utc_start(today - timedelta(days=days - 1))
    sold: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for source in (_online, _counter):
        query, _, variant_id, quantity, amount = source(producer_id, since)
        for vid, units, total in db.session.execute(
                query.add_columns(variant_id, func.sum(quantity), func.sum(amount))
                .group_by(variant_id)):
            sold[vid][0] += int(units)
            sold[vid][1] += int(total)
    ranked = sorted(sold.items(), key=lambda item: (-item[1][0], -item[1][1], item[0]))[:limit]
    variants = {v.id: v for v in db.session.scalars(
        db.select(Variant).where(Variant.id.in_([vid for vid, _ in ranked]))
        .options(joinedload(Variant.product)))} if ranked else {}
    return [(variants[vid], units, total) for vid, (units, total) in ranked]


def low_stock(producer_id: int, threshold: int = LOW_STOCK) -> list[StockLevel]:
    """Stock rows of on-sale packs where fewer than `threshold` units are available, per location."""
    return list(db.session.scalars(
        db.select(StockLevel)
        .join(Variant, Variant.id == StockLevel.variant_id)
        .join(Product, Product.id == Variant.product_id)
        .join(Location, Location.id == StockLevel.location_id)
        .where(Product.producer_id == producer_id, Variant.is_active, Location.is_active,
               StockLevel.on_hand - StockLevel.reserved < threshold)
        .order_by(Location.kind.desc(), Location.name, Product.name, Variant.label)))


def expiring_certificates(producer_id: int, today: date) -> list[Certificate]:
    """Active certificates of the producer's products that end within 60 days or have ended."""
    horizon = today + timedelta(days=EXPIRY_WARNING_DAYS)
    return list(db.session.scalars(
        db.select(Certificate).join(Product, Product.id == Certificate.product_id)
        .where(Product.producer_id == producer_id, Certificate.status == "active",
               Certificate.valid_until <= horizon)
        .order_by(Certificate.valid_until, Certificate.id)))


def chart(weeks: list[tuple[date, int]], width: int = 320, height: int = 140) -> dict:
    """Bar geometry for the SVG chart: each bar's x, y, height and label, scaled to the top week."""
    top = max((total for _, total in weeks), default=0) or 1
    step = width / max(len(weeks), 1)
    bars = [{"x": round(i * step + 2, 1), "w": round(step - 4, 1),
             "h": round(total / top * (height - 20), 1), "week": day, "total": total}
            for i, (day, total) in enumerate(weeks)]
    for bar in bars:
        bar["y"] = round(height - 16 - bar["h"], 1)
    return {"width": width, "height": height, "bars": bars, "top": top}
