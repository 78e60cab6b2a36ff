"""A producer with two products, its warehouse, a sales point, and a member signed in (in English)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from shop.catalog.models import Producer, Variant
from shop.inventory.models import Location
from tests import builders
from tests.faults.disk import tiny_disk  # noqa: F401  (a fixture)


@dataclass
class Shop:
    producer: Producer
    tea: Variant
    rice: Variant
    warehouse: Location
    point: Location
    user: object


@pytest.fixture
def shop(client, login) -> Shop:
    tea = builders.product("Chè Tân Cương", sku="CHE-1")
    rice = builders.product("Gạo nếp", sku="GAO-1", maker=tea.producer)
    warehouse = builders.warehouse(tea.producer, "WH-HAODAT")
    point = builders.sales_point("QN-HALONG")
    user = login(builders.user("owner@example.com", f"producer:{tea.producer.tax_code}"))
    client.set_cookie("lang", "en")
    return Shop(tea.producer, tea.variants[0], rice.variants[0], warehouse, point, user)
