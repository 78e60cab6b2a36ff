"""A small shop with two producers and a sales point, and helpers to buy from it."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from shop.catalog.models import Variant
from shop.inventory.models import Location
from shop.orders import carts, checkout
from shop.orders import services as orders
from tests import builders

DELIVERY = {"email": "an@example.com", "phone": "0912345678", "name": "Nguyễn Văn An",
            "fulfilment": "delivery",
            "address": {"line": "12 Lê Lợi", "ward_code": "00004", "province_code": "01"},
            "pickup_point": None, "payment_method": "cod"}


@dataclass
class Market:
    tea: Variant       # producer A, 10 at its warehouse in Thái Nguyên
    rice: Variant      # producer B, 4 at its warehouse
    tea_house: Location
    rice_house: Location
    point: Location    # QN-HALONG: 3 tea


@pytest.fixture
def market() -> Market:
    tea = builders.product("Chè Tân Cương", sku="CHE-1", price_vnd=250_000,
                           maker=builders.producer("HTX Chè", province_code="19"))
    rice = builders.product("Gạo ST25", sku="GAO-1", price_vnd=120_000,
                            maker=builders.producer("HTX Gạo", province_code="92"))
    tea_house, rice_house = builders.warehouse(tea.producer), builders.warehouse(rice.producer)
    point = builders.sales_point("QN-HALONG")
    builders.receive(tea, tea_house, 10)
    builders.receive(rice, rice_house, 4)
    builders.receive(tea, point, 3)
    return Market(tea.variants[0], rice.variants[0], tea_house, rice_house, point)


def cart_with(*lines: tuple[str, int]):
    cart = carts.create()
    for sku, quantity in lines:
        cart = carts.add(cart, sku, quantity, today=builders.DAY)
    return cart


def place(cart, body: dict | None = None, settings=None, **kwargs):
    details = checkout.parse(body or DELIVERY)
    return orders.place_order(cart, details, settings=settings or checkout.OrderSettings(),
                              today=builders.DAY, **kwargs)
