"""Password rules: length, the shipped list of common passwords, a current hash."""

import pytest
from sqlalchemy import func

from shop.accounts import passwords
from shop.accounts import services as accounts
from shop.accounts.models import User
from shop.errors import ValidationError
from shop.extensions import db
from shop.mail import outbox
from tests import builders
from tests.conftest import csrf_token


def test_the_shipped_list_is_complete():
    common = passwords.common_passwords()
    assert len(common) >= 19_000
    assert {"password", "12345678", "iloveyou", "qwertyuiop"} <= common


@pytest.mark.parametrize(("password", "problem"), [
    ("", "too_short"), ("1234567", "too_short"), ("x" * 129, "too_long"),
    ("password1", "common"), ("PASSWORD1", "common"), ("12345678", "common"),
    ("qwertyuiop", "common"), ("iloveyou", "common"),
])
def test_weak_passwords_are_refused_and_nothing_is_written(password, problem):
    with pytest.raises(ValidationError) as refused:
        accounts.register("an@example.com", password)
    assert refused.value.fields == {"password": problem}
    assert db.session.scalar(db.select(func.count()).select_from(User)) == 0


def test_a_long_uncommon_password_is_accepted():
    user = accounts.register("an@example.com", "chè thái nguyên ngon")
    assert user.check_password("chè thái nguyên ngon")


def test_the_hash_is_scrypt_with_current_parameters():
    user = builders.user("a@example.com")
    method, salt, digest = user.password_hash.split("$")
    assert method == "scrypt:32768:8:1" and len(salt) >= 16 and len(digest) == 128


def test_the_registration_form_explains_a_common_password(client):
    response = client.post("/register", data={
        "name": "An", "email": "an@example.com", "password": "password1", "confirm": "password1",
        "csrf_token": csrf_token(client, "/register")})
    assert response.status_code == 422
    assert "Mật khẩu này nằm trong số những mật khẩu phổ biến nhất" in response.get_data(as_text=True)
    assert db.session.scalar(db.select(func.count()).select_from(User)) == 0


def test_changing_the_password_checks_the_current_one_and_the_rules(app, client, login):
    user = login(builders.user())
    token = csrf_token(client, "/account/password")
    wrong = client.post("/account/password", data={
        "current": "not it at all", "password": "một mật khẩu mới", "confirm": "một mật khẩu mới",
        "csrf_token": token})
    common = client.post("/account/password", data={
        "current": builders.PASSWORD, "password": "iloveyou", "confirm": "iloveyou",
        "csrf_token": token})
    assert (wrong.status_code, common.status_code) == (422, 422)
    db.session.refresh(user)
    assert user.check_password(builders.PASSWORD)
    assert outbox(app) == []  # nothing changed, nothing to tell
    client.post("/account/password", data={
        "current": builders.PASSWORD, "password": "một mật khẩu mới", "confirm": "một mật khẩu mới",
        "csrf_token": token})
    (notice,) = outbox(app)
    assert notice["To"] == user.email and "/password/forgot" in notice.get_content()
