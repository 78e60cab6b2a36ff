"""Fixtures of the security tests."""

from tests.orders.builders import market  # noqa: F401  (a fixture)
from tests.producer.conftest import shop  # noqa: F401  (a fixture: a producer's member signed in)
