"""Fixtures of the security tests."""

from tests.orders.builders import market  # noqa: F401  (a fixture)
