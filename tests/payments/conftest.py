"""Fixtures shared by the payments tests."""

from tests.orders.builders import market  # noqa: F401  (a fixture)
