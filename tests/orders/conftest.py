"""Fixtures shared by the orders tests."""

from tests.orders.builders import market  # noqa: F401  (a fixture)
