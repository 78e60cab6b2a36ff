"""Session cookies, timeouts, fixation, the production secret key, and ending old sessions."""

import pytest

from shop import config as settings
from shop.accounts import services as accounts
from shop.web.security import SEEN_AT, SIGNED_IN_AT
from tests import builders
from tests.conftest import PRODUCTION_SETTINGS, csrf_token


def test_production_requires_a_secret_key(tmp_path):
    with pytest.raises(RuntimeError, match="SECRET_KEY must be set"):
        settings.load({"SHOP_ENV": "production", "INSTANCE_PATH": str(tmp_path)})
    assert not (tmp_path / "secret_key").exists()


def test_production_cookies_are_secure_httponly_and_lax(tmp_path):
    config = settings.load({"SHOP_ENV": "production", "SECRET_KEY": "s" * 40,
                            "INSTANCE_PATH": str(tmp_path), **PRODUCTION_SETTINGS})
    assert config["SESSION_COOKIE_SECURE"] is True
    assert config["SESSION_COOKIE_HTTPONLY"] is True
    assert config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert config["REMEMBER_COOKIE_SECURE"] is True
    assert config["SESSION_COOKIE_NAME"] == "__Host-session"


def test_the_session_cookie_is_httponly_and_lax(client, login):
    login(builders.user())
    cookie = client.get_cookie("session")
    assert cookie.http_only and cookie.same_site == "Lax"


def backdate(client, **seconds):
    with client.session_transaction() as session:
        for key, ago in seconds.items():
            session[key] = session[key] - ago


def test_an_idle_session_is_signed_out(client, login, app):
    login(builders.user())
    backdate(client, _seen_at=app.config["SESSION_IDLE_SECONDS"] - 30)
    assert client.get("/account").status_code == 200  # not yet idle for too long
    backdate(client, _seen_at=app.config["SESSION_IDLE_SECONDS"] + 1)
    response = client.get("/account")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    with client.session_transaction() as session:
        assert "_user_id" not in session


def test_activity_keeps_the_session_alive(client, login):
    login(builders.user())
    backdate(client, _seen_at=600, _signed_in_at=600)
    assert client.get("/account").status_code == 200
    with client.session_transaction() as session:
        assert session[SIGNED_IN_AT] < session[SEEN_AT]  # seen again just now


def test_a_session_ends_after_the_absolute_lifetime_even_when_active(client, login, app):
    login(builders.user())
    backdate(client, _signed_in_at=app.config["SESSION_ABSOLUTE_SECONDS"] + 1)
    response = client.get("/account")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_a_session_without_its_sign_in_time_is_not_trusted(client, login):
    login(builders.user())
    with client.session_transaction() as session:
        del session[SIGNED_IN_AT]
    assert client.get("/account").status_code == 302


def test_a_deactivated_account_is_signed_out(client, login):
    from shop.extensions import db

    user = login(builders.user())
    assert client.get("/account").status_code == 200
    user.is_active = False
    db.session.commit()
    assert client.get("/account").status_code == 302


def test_behind_a_proxy_the_client_address_and_scheme_come_from_its_headers(database_url, tmp_path):
    from tests.security.test_rate_limits import limited_app

    app = limited_app(database_url, tmp_path, TRUSTED_PROXY_HOPS=1, RATELIMIT_API="2 per minute")
    client = app.test_client()
    forwarded = {"X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https"}
    response = client.get("/api/v1/provinces", headers=forwarded)
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    client.get("/api/v1/provinces", headers=forwarded)
    assert client.get("/api/v1/provinces", headers=forwarded).status_code == 429
    other = {"X-Forwarded-For": "203.0.113.8"}  # another client behind the same proxy
    assert client.get("/api/v1/provinces", headers=other).status_code == 200


def test_a_new_password_ends_the_other_sessions(app, client, login):
    user = builders.user("an@example.com")
    login(user)
    other = app.test_client()
    other.post("/login", data={"email": user.email, "password": builders.PASSWORD,
                               "csrf_token": csrf_token(other)})
    assert other.get("/account").status_code == 200
    response = client.post("/account/password", data={
        "current": builders.PASSWORD, "password": "một mật khẩu mới", "confirm": "một mật khẩu mới",
        "csrf_token": csrf_token(client, "/account/password")})
    assert response.status_code == 302
    assert client.get("/account").status_code == 200  # the session that changed it goes on
    assert other.get("/account").status_code == 302  # the other one ended
    assert accounts.authenticate(user.email, "một mật khẩu mới") is not None
