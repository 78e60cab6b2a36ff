"""Fixtures of the fault tests."""

from tests.faults.disk import tiny_disk  # noqa: F401  (a fixture)
from tests.orders.builders import market  # noqa: F401  (a fixture)
