"""Two-step verification (TOTP) for producer, sales-point manager and admin accounts."""

import re
from datetime import timedelta

import pyotp
import pytest

from shop.accounts import twostep
from shop.audit.models import AuditEntry
from shop.clock import utcnow
from shop.errors import Forbidden, ValidationError
from shop.extensions import db
from tests import builders
from tests.conftest import csrf_token

SECRET_ON_PAGE = re.compile(r'<code class="secret">([A-Z2-7]+)</code>')
CODES_ON_PAGE = re.compile(r"<li><code>((?:[0-9a-f]{4}-){6}[0-9a-f]{4})</code></li>")


def producer_user(email="owner@example.com"):
    maker = builders.producer()
    return builders.user(email, f"producer:{maker.tax_code}")


def sign_in(client, user, password=builders.PASSWORD):
    return client.post("/login", data={"email": user.email, "password": password,
                                       "csrf_token": csrf_token(client)})


def second_step(client, code):
    return client.post("/login/two-step", data={
        "code": code, "csrf_token": csrf_token(client, "/login")})


def enable_through_the_page(client) -> tuple[str, list[str]]:
    page = client.get("/account/two-step").get_data(as_text=True)
    secret = SECRET_ON_PAGE.search(page).group(1)
    assert "<svg" in page  # the QR code
    response = client.post("/account/two-step", data={
        "code": pyotp.TOTP(secret).now(), "csrf_token": csrf_token(client, "/account/two-step")})
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    codes = CODES_ON_PAGE.findall(response.get_data(as_text=True))
    assert len(codes) == twostep.RECOVERY_CODES
    return secret, codes


@pytest.mark.parametrize(("role", "offered"), [
    ("customer", False), ("staff:QN-HALONG", False), ("staff:QN-HALONG:manager", True), ("admin", True)])
def test_who_is_offered_two_step_verification(role, offered):
    builders.sales_point("QN-HALONG")
    assert twostep.eligible(builders.user(role=role)) is offered


def test_a_customer_cannot_turn_it_on():
    user = builders.user()
    with pytest.raises(Forbidden):
        twostep.enable(user, twostep.new_secret(), "000000")
    assert user.totp_secret is None


def test_a_wrong_code_does_not_turn_it_on():
    user = producer_user()
    secret = twostep.new_secret()
    with pytest.raises(ValidationError):
        twostep.enable(user, secret, "000000" if pyotp.TOTP(secret).now() != "000000" else "111111")
    db.session.refresh(user)
    assert user.totp_secret is None


def test_sign_in_then_asks_for_the_code(app, client, login):
    user = login(producer_user())
    secret, _ = enable_through_the_page(client)
    client.post("/logout", data={"csrf_token": csrf_token(client, "/account")})

    response = sign_in(client, user)
    assert response.status_code == 302 and response.headers["Location"] == "/login/two-step"
    assert client.get("/account").status_code == 302  # the password alone is not enough
    assert second_step(client, "123456" if pyotp.TOTP(secret).now() != "123456" else "654321"
                       ).status_code == 422
    assert client.get("/account").status_code == 302
    # a code of the next step (clock drift) is accepted, and only once
    code = pyotp.TOTP(secret).at(utcnow() + timedelta(seconds=30))
    assert second_step(client, code).status_code == 302
    assert client.get("/account").status_code == 200
    client.post("/logout", data={"csrf_token": csrf_token(client, "/account")})
    sign_in(client, user)
    assert second_step(client, code).status_code == 422  # replayed
    actions = db.session.scalars(db.select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions.count("two_step.enabled") == 1
    assert actions.count("sign_in.failed") == 2


def test_a_recovery_code_works_once(client, login):
    user = login(producer_user())
    _, codes = enable_through_the_page(client)
    client.post("/logout", data={"csrf_token": csrf_token(client, "/account")})
    sign_in(client, user)
    assert second_step(client, codes[0].upper()).status_code == 302
    client.post("/logout", data={"csrf_token": csrf_token(client, "/account")})
    sign_in(client, user)
    assert second_step(client, codes[0]).status_code == 422
    assert second_step(client, codes[1]).status_code == 302
    db.session.refresh(user)
    assert twostep.recovery_codes_left(user) == twostep.RECOVERY_CODES - 2


def test_the_second_step_expires(client, login):
    user = login(producer_user())
    secret, _ = enable_through_the_page(client)
    client.post("/logout", data={"csrf_token": csrf_token(client, "/account")})
    sign_in(client, user)
    with client.session_transaction() as session:
        session["two_step_at"] -= 301
    response = second_step(client, pyotp.TOTP(secret).now())
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert client.get("/account").status_code == 302


def test_a_password_reset_does_not_skip_the_second_step(client, login):
    from shop.accounts import reset

    user = login(producer_user())
    enable_through_the_page(client)
    client.post("/logout", data={"csrf_token": csrf_token(client, "/account")})
    _, token = reset.request_reset(user.email)
    reset.reset_password(token, "một mật khẩu mới")
    response = sign_in(client, user, "một mật khẩu mới")
    assert response.headers["Location"] == "/login/two-step"
    assert client.get("/account").status_code == 302


def test_turning_it_off_needs_the_password(client, login):
    user = login(producer_user())
    enable_through_the_page(client)
    token = csrf_token(client, "/account/two-step")
    client.post("/account/two-step/disable", data={"password": "not the password", "csrf_token": token})
    db.session.refresh(user)
    assert user.totp_secret is not None
    client.post("/account/two-step/disable", data={"password": builders.PASSWORD, "csrf_token": token})
    db.session.refresh(user)
    assert user.totp_secret is None and twostep.recovery_codes_left(user) == 0
    actions = db.session.scalars(db.select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions[-1] == "two_step.disabled"
