"""Builders that make test data through the real services, as an operator would."""

from __future__ import annotations

import itertools
from datetime import date

from shop.accounts import services as accounts
from shop.catalog import services as catalog
from shop.catalog.models import Producer, Product
from shop.extensions import db
from shop.inventory import stock
from shop.inventory.models import Location

PASSWORD = "correct horse battery"
DAY = date(2026, 11, 22)
_numbers = itertools.count(1)


def producer(name: str | None = None, *, kind: str = "cooperative", province_code: str = "19",
             tax_code: str | None = None) -> Producer:
    n = next(_numbers)
    return catalog.create_producer(
        name=name or f"HTX Thử nghiệm {n}", kind=kind, tax_code=tax_code or f"46{n:08d}",
        province_code=province_code)


def product(name: str | None = None, *, maker: Producer | None = None, group: str = "food",
            stars: int | None = 4, decision_date: date = date(2025, 9, 1),
            issuer_level: str | None = None, price_vnd: int = 150_000,
            vat_category: str = "10_reducible",
            sku: str | None = None, locality: str = "", today: date = DAY,
            **fields) -> Product:
    """A product with one variant and, unless stars is None, a certificate."""
    n = next(_numbers)
    maker = maker or producer()
    item = catalog.create_product(maker, name=name or f"Sản phẩm {n}", group=group,
                                  locality=locality, **fields)
    catalog.add_variant(item, sku=sku or f"SKU-{n}", label="Hộp 200 g", price_vnd=price_vnd,
                        vat_category=vat_category, weight_g=250)
    if stars is not None:
        level = issuer_level or ("central" if stars == 5 else "province")
        catalog.certify(item, stars=stars, decision_number=f"{n}/QĐ-UBND",
                        decision_date=decision_date, issuer_level=level,
                        issuer_name="UBND tỉnh Thái Nguyên", today=today)
    return item


def sales_point(code: str = "QN-HALONG", *, province_code: str = "22", ships_online: bool = True,
                offers_pickup: bool = True) -> Location:
    location = Location(code=code, name=f"Điểm bán {code}", kind="sales_point",
                        province_code=province_code, address="1 Đường Thử",
                        ships_online=ships_online, offers_pickup=offers_pickup)
    db.session.add(location)
    db.session.commit()
    return location


def warehouse(maker: Producer, code: str | None = None) -> Location:
    location = Location(code=code or f"WH-{maker.id}", name=f"Kho {maker.name}",
                        kind="warehouse", producer=maker, province_code=maker.province_code,
                        ships_online=True)
    db.session.add(location)
    db.session.commit()
    return location


def receive(item: Product, location: Location, quantity: int) -> None:
    stock.move(item.variants[0].id, location.id, quantity, "receipt", reference="test")
    db.session.commit()


def user(email: str | None = None, role: str = "customer"):
    return accounts.register(email or f"user{next(_numbers)}@example.com", PASSWORD,
                             name="Người Thử", role=role)
