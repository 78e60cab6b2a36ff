"""Sign-in throttling per account and per address, recorded in the audit log."""

from datetime import timedelta

import pytest

from shop.accounts import services as accounts
from shop.audit.models import AuditEntry
from shop.clock import utcnow
from shop.errors import RateLimited
from shop.extensions import db
from tests import builders
from tests.conftest import csrf_token

LIMITS = accounts.SignInLimits(per_account=3, per_address=5, window=timedelta(minutes=15))


def actions() -> list[tuple[str, str]]:
    rows = db.session.scalars(db.select(AuditEntry).order_by(AuditEntry.id))
    return [(row.action, row.subject) for row in rows]


def test_an_account_is_locked_after_its_failures_even_for_the_right_password():
    user = builders.user("an@example.com")
    now = utcnow()
    for _ in range(3):
        assert accounts.authenticate(user.email, "wrong guess", address="10.0.0.1",
                                     limits=LIMITS, now=now) is None
    with pytest.raises(RateLimited) as refused:
        accounts.authenticate(user.email, builders.PASSWORD, address="10.0.0.2", limits=LIMITS, now=now)
    assert refused.value.details["scope"] == "account"
    # once the window has passed, the right password works again
    later = now + LIMITS.window + timedelta(seconds=1)
    assert accounts.authenticate(user.email, builders.PASSWORD, address="10.0.0.2",
                                 limits=LIMITS, now=later) == user


def test_an_address_is_locked_after_its_failures_on_many_accounts():
    victims = [builders.user(f"u{n}@example.com") for n in range(5)]
    now = utcnow()
    for victim in victims:
        accounts.authenticate(victim.email, "wrong guess", address="10.0.0.9", limits=LIMITS, now=now)
    other = builders.user("other@example.com")
    with pytest.raises(RateLimited) as refused:
        accounts.authenticate(other.email, builders.PASSWORD, address="10.0.0.9", limits=LIMITS, now=now)
    assert refused.value.details["scope"] == "address"
    assert accounts.authenticate(other.email, builders.PASSWORD, address="10.0.0.10",
                                 limits=LIMITS, now=now) == other


def test_sign_ins_and_failures_are_audited(client):
    user = builders.user("an@example.com")
    client.post("/login", data={"email": "an@example.com", "password": "wrong guess",
                                "csrf_token": csrf_token(client)})
    client.post("/login", data={"email": "nobody@example.com", "password": "wrong guess",
                                "csrf_token": csrf_token(client)})
    client.post("/login", data={"email": "an@example.com", "password": builders.PASSWORD,
                                "csrf_token": csrf_token(client)})
    client.post("/logout", data={"csrf_token": csrf_token(client, "/account")})
    assert actions() == [("sign_in.failed", "an@example.com"), ("sign_in.failed", "nobody@example.com"),
                         ("sign_in", "an@example.com"), ("sign_out", "an@example.com")]
    entry = db.session.scalar(db.select(AuditEntry).where(AuditEntry.action == "sign_in"))
    assert entry.actor_id == user.id and '"address": "127.0.0.1"' in entry.details


def test_the_sign_in_form_answers_429_when_locked(client, app):
    user = builders.user("an@example.com")
    limit = app.config["SIGN_IN_FAILURES_PER_ACCOUNT"]
    for _ in range(limit):
        response = client.post("/login", data={"email": user.email, "password": "wrong guess",
                                                "csrf_token": csrf_token(client)})
        assert response.status_code == 422
    response = client.post("/login", data={"email": user.email, "password": builders.PASSWORD,
                                            "csrf_token": csrf_token(client)})
    assert response.status_code == 429
    assert "Bạn đã thử sai quá nhiều lần" in response.get_data(as_text=True)
    assert client.get("/account").status_code == 302
