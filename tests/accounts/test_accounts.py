"""Registering, signing in and out, sessions, CSRF, and create-user's roles."""

import pytest
from sqlalchemy import func

from shop.accounts import services as accounts
from shop.accounts.models import User
from shop.errors import Conflict, ValidationError
from shop.extensions import db
from tests import builders
from tests.conftest import csrf_token


def user_count() -> int:
    return db.session.scalar(db.select(func.count()).select_from(User))


def test_register_signs_the_user_in(client):
    response = client.post("/register", data={
        "name": "Nguyễn Văn An", "email": "An@Example.com", "password": "mật-khẩu-dài",
        "confirm": "mật-khẩu-dài", "csrf_token": csrf_token(client, "/register")})
    assert response.status_code == 302 and response.headers["Location"] == "/account"
    user = db.session.scalar(db.select(User))
    assert user.email == "an@example.com" and user.roles == ["customer"]
    assert "an@example.com" in client.get("/account").get_data(as_text=True)


def test_passwords_are_hashed_with_a_current_algorithm():
    user = builders.user("an@example.com")
    assert builders.PASSWORD not in user.password_hash
    assert user.password_hash.startswith("scrypt:")
    assert user.check_password(builders.PASSWORD) and not user.check_password("sai")


@pytest.mark.parametrize(("email", "password", "field"), [
    ("not-an-email", "long enough", "email"),
    ("an@example.com", "short", "password"),
])
def test_bad_registrations_change_nothing(email, password, field):
    with pytest.raises(ValidationError) as refused:
        accounts.register(email, password)
    assert field in refused.value.fields and user_count() == 0


def test_an_email_registers_once():
    builders.user("an@example.com")
    with pytest.raises(Conflict):
        accounts.register("AN@example.com", "another password")
    assert user_count() == 1


def test_wrong_password_is_refused(client):
    builders.user("an@example.com")
    response = client.post("/login", data={"email": "an@example.com", "password": "wrong-one",
                                           "csrf_token": csrf_token(client)})
    assert response.status_code == 422
    assert "Email hoặc mật khẩu không đúng." in response.get_data(as_text=True)
    assert client.get("/account").status_code == 302


def test_sign_in_starts_a_new_session(client, login):
    user = builders.user("an@example.com")
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    login(user)
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session["_user_id"] == user.get_id() and user.get_id().startswith(f"{user.id}.")


def test_sign_out_is_a_post(client, login):
    login(builders.user())
    assert client.get("/logout").status_code == 405
    assert client.get("/account").status_code == 200
    response = client.post("/logout", data={"csrf_token": csrf_token(client, "/account")})
    assert response.status_code == 302
    assert client.get("/account").status_code == 302


def test_forms_without_csrf_token_are_refused(client):
    response = client.post("/register", data={
        "name": "An", "email": "an@example.com", "password": "long enough pw",
        "confirm": "long enough pw"})
    assert response.status_code == 400 and user_count() == 0


def test_session_cookie_flags(client, app):
    client.get("/login")
    cookie = client.get_cookie("session")
    assert cookie.http_only and cookie.same_site == "Lax"
    assert app.config["SESSION_COOKIE_SECURE"] is False  # plain http in tests


def test_login_redirects_only_within_the_site(client):
    builders.user("an@example.com")
    for target, expected in (("/products", "/products"), ("//evil.example/x", "/account"),
                             ("https://evil.example", "/account")):
        client.post("/logout", data={"csrf_token": csrf_token(client)})
        response = client.post(f"/login?next={target}", data={
            "email": "an@example.com", "password": builders.PASSWORD,
            "csrf_token": csrf_token(client)})
        assert response.headers["Location"] == expected


@pytest.mark.parametrize(("role", "expected"), [
    ("customer", ["customer"]),
    ("admin", ["admin"]),
    ("staff:QN-HALONG", ["staff:QN-HALONG"]),
    ("staff:QN-HALONG:manager", ["staff:QN-HALONG:manager"]),
])
def test_create_user_roles(app, role, expected):
    builders.sales_point("QN-HALONG")
    result = app.test_cli_runner().invoke(args=[
        "shop", "create-user", "an@example.com", "--password", "long enough", "--role", role])
    assert result.exit_code == 0, result.output
    assert db.session.scalar(db.select(User)).roles == expected


def test_create_user_for_a_producer(app):
    maker = builders.producer(tax_code="4600000001")
    result = app.test_cli_runner().invoke(args=[
        "shop", "create-user", "an@example.com", "--password", "long enough",
        "--role", "producer:4600000001"])
    assert result.exit_code == 0 and "producer:4600000001" in result.output
    membership = db.session.scalar(db.select(User)).producer_memberships[0]
    assert (membership.producer_id, membership.role) == (maker.id, "owner")


@pytest.mark.parametrize(("role", "message"), [
    ("producer:0000000000", "no producer with tax code 0000000000"),
    ("staff:NOWHERE", "no sales point with code NOWHERE"),
    ("staff:QN-HALONG:boss", "unknown staff level 'boss'"),
    ("superuser", "unknown role 'superuser'"),
])
def test_create_user_refuses_unknown_roles(app, role, message):
    builders.sales_point("QN-HALONG")
    result = app.test_cli_runner().invoke(args=[
        "shop", "create-user", "an@example.com", "--password", "long enough", "--role", role])
    assert result.exit_code == 1 and message in result.output
    assert user_count() == 0
