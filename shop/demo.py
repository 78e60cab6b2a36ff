"""The demo shop: 32 real OCOP products, sales points, stock and one user for each role.

The data files live in `catalog/demo/` (see its README for sources). Every step goes through
the same imports and services an operator uses, and each is idempotent, so `seed-demo` can
run again without changing anything.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

from shop.accounts import services as accounts
from shop.catalog.imports import import_catalog
from shop.inventory.imports import import_locations, import_stock

DATA = Path(__file__).parent / "catalog" / "demo"
PASSWORD = "ocop-demo-2026"
ACCOUNTS = (
    ("admin@example.com", "admin"),
    ("producer@example.com", "producer:{tea}"),
    ("manager@example.com", "staff:QN-HALONG:manager"),
    ("cashier@example.com", "staff:QN-HALONG"),
    ("customer@example.com", "customer"),
)
STEPS = ("catalog", "locations", "stock", "users")


def _tea_producer_tax_code() -> str:
    """The demo producer account belongs to the maker of Chè Đinh Tân Cương."""
    import csv

    with (DATA / "catalog.csv").open(encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            if row["product_name"] == "Chè Đinh Tân Cương":
                return row["producer_tax_code"]
    raise LookupError("the demo catalog has no Chè Đinh Tân Cương")


def demo_accounts() -> list[tuple[str, str]]:
    """The demo users with their roles, as `shop create-user --role` writes them."""
    tea = _tea_producer_tax_code()
    return [(email, role.format(tea=tea)) for email, role in ACCOUNTS]


def seed(today: date, on_step: Callable[[], None] = lambda: None) -> Iterator[str]:
    """Load each part of the demo in turn, yielding its name when done."""
    import_catalog((DATA / "catalog.csv").read_bytes(), today=today)
    on_step()
    yield "catalog"
    import_locations((DATA / "locations.csv").read_bytes())
    on_step()
    yield "locations"
    import_stock((DATA / "stock.csv").read_bytes())
    on_step()
    yield "stock"
    for email, role in demo_accounts():
        if accounts.find_by_email(email) is None:
            accounts.register(email, PASSWORD, name=email.split("@")[0].title(), role=role)
    on_step()
    yield "users"
