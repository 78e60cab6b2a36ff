"""The figures the program office publishes, each a small table of (key, count[, amount]).

Products count when they are listed on the day (active, with a valid certificate); sales count
orders that were confirmed or completed, and every counter sale at a sales point.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from shop.catalog.models import Certificate, Producer, Product, Variant
from shop.extensions import db
from shop.inventory.models import Location
from shop.orders.models import Order, OrderLine
from shop.places.models import Province
from shop.pos.models import PosSale, PosSaleLine

SOLD = ("confirmed", "completed")
TOP = 10


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    count: int
    amount_vnd: int | None = None


@dataclass(frozen=True)
class Table:
    name: str
    rows: list[Row]

    @property
    def total(self) -> int:
        return sum(row.count for row in self.rows)

    def share(self, row: Row) -> float:
        """The row's share of the table's count, in per cent with one decimal."""
        return round(100 * row.count / self.total, 1) if self.total else 0.0


def _listed(day: date):
    return (Product.status == "active", Product.certified_until >= day)


def products_by(column, day: date, labels: dict[str, str] | None = None) -> list[Row]:
    rows = db.session.execute(select(column, func.count(Product.id)).where(*_listed(day))
                              .group_by(column).order_by(column))
    return [Row(str(key), (labels or {}).get(str(key), str(key)), count) for key, count in rows]


def products_by_region(day: date) -> list[Row]:
    rows = db.session.execute(
        select(Province.region_code, func.count(Product.id))
        .join(Province, Province.code == Product.province_code).where(*_listed(day))
        .group_by(Province.region_code).order_by(Province.region_code))
    return [Row(code, code, count) for code, count in rows]


def products_by_province(day: date) -> list[Row]:
    rows = db.session.execute(
        select(Province.code, Province.name, func.count(Product.id))
        .join(Province, Province.code == Product.province_code).where(*_listed(day))
        .group_by(Province.code, Province.name).order_by(func.count(Product.id).desc(), Province.code))
    return [Row(code, name, count) for code, name, count in rows]


def producers_by_kind() -> list[Row]:
    rows = db.session.execute(select(Producer.kind, func.count(Producer.id))
                              .where(Producer.status == "active")
                              .group_by(Producer.kind).order_by(Producer.kind))
    return [Row(kind, kind, count) for kind, count in rows]


def _months(day: date, before: int, after: int) -> list[str]:
    """'YYYY-MM' of the months from `before` months before `day`'s month to `after` after it."""
    here = day.year * 12 + day.month - 1
    return [f"{m // 12:04d}-{m % 12 + 1:02d}" for m in range(here - before, here + after + 1)]


def certificates_by_month(column, day: date, *, before: int, after: int) -> list[Row]:
    """Certificates per month of `column` (decision date or expiry) around `day`; revoked ones
    are left out, superseded ones count (they were issued)."""
    month = func.substr(func.cast(column, db.String), 1, 7)
    found = dict(db.session.execute(
        select(month, func.count(Certificate.id)).where(Certificate.status != "revoked")
        .group_by(month)).all())
    return [Row(m, m, int(found.get(m, 0))) for m in _months(day, before, after)]


def online_sales_by_region() -> list[Row]:
    """Units and đồng of confirmed online orders, by the region of the producer."""
    rows = db.session.execute(
        select(Province.region_code, func.sum(OrderLine.quantity),
               func.sum(OrderLine.quantity * OrderLine.unit_price_vnd))
        .join(Order, Order.id == OrderLine.order_id)
        .join(Producer, Producer.id == OrderLine.producer_id)
        .join(Province, Province.code == Producer.province_code)
        .where(Order.status.in_(SOLD))
        .group_by(Province.region_code).order_by(Province.region_code))
    return [Row(code, code, int(units), int(amount)) for code, units, amount in rows]


def counter_sales_by_sales_point() -> list[Row]:
    """Counter sales at each sales point: number of sales and their total."""
    rows = db.session.execute(
        select(Location.code, Location.name, func.count(PosSale.id), func.sum(PosSale.total_vnd))
        .join(Location, Location.id == PosSale.location_id)
        .group_by(Location.code, Location.name).order_by(func.sum(PosSale.total_vnd).desc(), Location.code))
    return [Row(code, name, count, int(total)) for code, name, count, total in rows]


def top_products(limit: int = TOP) -> list[Row]:
    """The products that sold the most units, online and at the counters together."""
    online = (select(Variant.product_id.label("product_id"), OrderLine.quantity.label("units"),
                     (OrderLine.quantity * OrderLine.unit_price_vnd).label("amount"))
              .join(Variant, Variant.id == OrderLine.variant_id)
              .join(Order, Order.id == OrderLine.order_id).where(Order.status.in_(SOLD)))
    counter = (select(Variant.product_id, PosSaleLine.quantity,
                      PosSaleLine.quantity * PosSaleLine.unit_price_vnd)
               .join(Variant, Variant.id == PosSaleLine.variant_id))
    sold = online.union_all(counter).subquery()
    rows = db.session.execute(
        select(Product.slug, Product.name, func.sum(sold.c.units), func.sum(sold.c.amount))
        .join(sold, sold.c.product_id == Product.id)
        .group_by(Product.id, Product.slug, Product.name)
        .order_by(func.sum(sold.c.units).desc(), Product.slug).limit(limit))
    return [Row(slug, name, int(units), int(amount)) for slug, name, units, amount in rows]


def all_tables(day: date) -> list[Table]:
    """Every table of the dashboard, in the order it shows them."""
    return [
        Table("products_by_stars", products_by(Product.stars, day)),
        Table("products_by_group", products_by(Product.group, day)),
        Table("products_by_region", products_by_region(day)),
        Table("products_by_province", products_by_province(day)),
        Table("producers_by_kind", producers_by_kind()),
        Table("certificates_issued_by_month",
              certificates_by_month(Certificate.decision_date, day, before=11, after=0)),
        Table("certificates_expiring_by_month",
              certificates_by_month(Certificate.valid_until, day, before=0, after=11)),
        Table("online_sales_by_region", online_sales_by_region()),
        Table("counter_sales_by_sales_point", counter_sales_by_sales_point()),
        Table("top_products", top_products()),
    ]
