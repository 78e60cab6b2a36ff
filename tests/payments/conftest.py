"""Fixtures shared by the payments tests."""

import pytest

from tests.fakes.stripe_server import FakeStripe
from tests.orders.builders import market  # noqa: F401  (a fixture)

SECRET = "whsec_test_secret"


@pytest.fixture
def fake_stripe(app):
    """Stripe's API faked on a local port, and the app's Stripe settings pointed at it."""
    with FakeStripe() as fake:
        saved = {k: app.config[k] for k in ("STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET",
                                             "STRIPE_API_BASE")}
        app.config.update(STRIPE_SECRET_KEY="sk_test_123", STRIPE_WEBHOOK_SECRET=SECRET,
                          STRIPE_API_BASE=fake.api_base)
        yield fake
        app.config.update(saved)
