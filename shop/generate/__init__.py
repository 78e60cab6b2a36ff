"""`shop generate`: a national catalog with a year of trade, for measuring the shop at scale.

The data is what the services would have written (the same rows, numbers and invariants:
invoice numbers 1..N per seller, symbol and year with the counters at the last number, stock
levels equal to the sum of their ledger, reservations adding up to `reserved`), but it is
written in bulk with SQLAlchemy Core rather than through the services, so that 20,000
products and 300,000 orders take minutes. The same seed and day give the same data.
"""

from __future__ import annotations

import heapq
import random
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import func, select, text

from shop.catalog.models import Product
from shop.clock import VIETNAM
from shop.errors import Conflict, ValidationError
from shop.extensions import db
from shop.generate.bulk import Writer
from shop.generate.catalog import CatalogMaker, vn_time
from shop.generate.ledger import Ledger
from shop.generate.locations import LocationMaker
from shop.generate.orders import OrderMaker, token
from shop.generate.places import Places
from shop.generate.sales import SaleMaker
from shop.orders.checkout import OrderSettings

STOCK_PER_POINT = 300
YEAR = timedelta(days=365)
TABLES = ("producer", "product", "variant", "certificate", "location", "customer_order",
          "shipment", "order_line", "stock_reservation", "order_event", "payment", "invoice",
          "invoice_line", "audit_entry", "pos_sale", "pos_sale_line", "stock_movement",
          "stock_level", "invoice_series")


@dataclass(frozen=True)
class Sizes:
    products: int = 20_000
    producers: int | None = None  # half the products
    sales_points: int = 500
    orders: int = 300_000
    movements: int = 200_000

    @property
    def producer_count(self) -> int:
        return self.producers if self.producers is not None else max(1, self.products // 2)

    def check(self) -> None:
        problems = {}
        if self.products < 1:
            problems["products"] = "at least 1"
        if not 1 <= self.producer_count <= max(self.products, 1):
            problems["producers"] = "from 1 to the number of products (each has at least one)"
        for name in ("sales_points", "orders", "movements"):
            if getattr(self, name) < 0:
                problems[name] = "0 or more"
        if self.movements > 0 and self.sales_points < 1:
            problems["movements"] = "counter sales need at least one sales point"
        if problems:
            raise ValidationError("the sizes asked for are not possible", problems)

    @property
    def steps(self) -> int:
        return self.products + self.sales_points + self.orders + self.movements


@dataclass
class Report:
    rows: dict[str, int]
    seconds: dict[str, float] = field(default_factory=dict)


class Run:
    """What the parts of one generation share: seeded generators, the clock, the writer."""

    def __init__(self, seed: int, day: date):
        self.seed, self.day = seed, day
        self.now = vn_time(day, 0)  # the start of `day` in Vietnam: everything is before it
        self.vietnam = VIETNAM
        self.writer = Writer([t for t in db.metadata.sorted_tables if t.name in TABLES])
        self.ledger = Ledger(self.writer)
        self.places = Places()
        self._tokens = self.rng("tokens")

    def rng(self, part: str) -> random.Random:
        return random.Random(f"{self.seed}:{part}")

    def token(self, size: int) -> str:
        return token(self._tokens, size)

    def before_now(self, when: datetime) -> datetime:
        return min(when, self.now - timedelta(hours=2))


def generate(sizes: Sizes, *, seed: int, day: date, settings: OrderSettings,
             force: bool = False, progress=lambda n: None) -> Report:
    """Fill the database; refuses a catalog that already holds products unless `force`."""
    sizes.check()
    existing = db.session.scalar(select(func.count(Product.id)))
    if existing and not force:
        raise Conflict(f"the database already holds {existing} products: generate fills an "
                       "empty catalog (force adds to it)", {"products": existing})
    run, clock = Run(seed, day), _Clock()
    run.catalog = catalog = CatalogMaker(run)
    catalog.producers_and_products(sizes.producer_count, sizes.products, progress)
    clock.lap("catalog")
    locations = LocationMaker(run, catalog)
    locations.warehouses()
    locations.sales_points_in_every_province(sizes.sales_points)
    locations.opening_stock(STOCK_PER_POINT, progress)
    clock.lap("locations and opening stock")
    orders = OrderMaker(run, catalog, locations, settings)
    _trade(run, orders, SaleMaker(run, locations), sizes, progress)
    clock.lap("orders and counter sales")
    run.ledger.write_levels()
    orders.invoices.write_series()
    run.writer.flush()
    run.writer.move_sequences()
    db.session.commit()
    clock.lap("stock levels and commit")
    _analyze()
    clock.lap("table statistics")
    return Report(dict(run.writer.written), clock.laps)


def _analyze() -> None:
    """Table statistics for the query planner: without them SQLite answered the stock of a page
    of products by walking every warehouse (49 ms instead of 0.1 ms at 20,000 products)."""
    if db.engine.dialect.name == "sqlite":
        db.session.execute(text("ANALYZE"))
    else:
        db.session.connection().exec_driver_sql("ANALYZE")
    db.session.commit()


def _trade(run: Run, orders: OrderMaker, sales: SaleMaker, sizes: Sizes, progress) -> None:
    """A year of orders and counter sales, in the order they happened."""
    rng = run.rng("timeline")
    start = run.now - YEAR

    def moments(count: int, kind: int):
        # Trade grows over the year: more of it in recent months.
        return sorted((start + YEAR * rng.random() ** 0.8, kind) for _ in range(count))

    skip, left = 0, sizes.movements
    for when, kind in heapq.merge(moments(sizes.orders, 0), moments(sizes.movements, 1)):
        progress(1)
        if kind == 0:
            orders.place(when)
        elif skip:
            skip -= 1
        elif left:
            lines = sales.lines_for(left)
            sales.record(when, lines)
            skip, left = lines - 1, left - lines


class _Clock:
    def __init__(self):
        self.laps: dict[str, float] = {}
        self.started = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.laps[name] = round(now - self.started, 1)
        self.started = now
