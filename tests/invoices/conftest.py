"""Fixtures shared by the invoice tests."""

from tests.orders.builders import market  # noqa: F401  (a fixture)
