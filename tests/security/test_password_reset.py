"""Password reset by an emailed link that works once, within its lifetime."""

import re
from datetime import timedelta

from sqlalchemy import func

from shop.accounts import reset
from shop.accounts import services as accounts
from shop.accounts.models import PasswordResetToken
from shop.audit.models import AuditEntry
from shop.clock import utcnow
from shop.extensions import db
from shop.mail import outbox
from tests import builders
from tests.conftest import csrf_token

LINK = re.compile(r"http://localhost(/password/reset/[A-Za-z0-9_-]+)")
NEW = "một mật khẩu mới"


def ask(client, email: str):
    return client.post("/password/forgot", data={
        "email": email, "csrf_token": csrf_token(client, "/password/forgot")})


def emailed_link(app) -> str:
    (message,) = outbox(app)
    match = LINK.search(message.get_content())
    assert match, message.get_content()
    return match.group(1)


def choose(client, path: str, password: str = NEW):
    return client.post(path, data={"password": password, "confirm": password,
                                   "csrf_token": csrf_token(client, path)})


def test_the_emailed_link_sets_a_new_password_once(app, client):
    user = builders.user("an@example.com")
    response = ask(client, "AN@example.com")
    assert response.status_code == 302
    path = emailed_link(app)
    assert outbox(app)[0]["To"] == "an@example.com"
    token = path.rsplit("/", 1)[1]
    stored = db.session.scalar(db.select(PasswordResetToken))
    assert token not in stored.token_hash  # only the hash is kept
    assert choose(client, path).status_code == 302
    notice = outbox(app)[-1]
    assert (notice["To"], len(outbox(app))) == ("an@example.com", 2)
    assert "Mật khẩu tài khoản Chợ OCOP của bạn vừa được đổi" in notice.get_content()
    db.session.refresh(user)
    assert user.check_password(NEW) and not user.check_password(builders.PASSWORD)
    # a second use of the same link is refused and changes nothing
    assert client.get(path).status_code == 404
    assert choose(client, path, "lại một mật khẩu khác").status_code == 404
    db.session.refresh(user)
    assert user.check_password(NEW)
    actions = db.session.scalars(db.select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions == ["password.reset_requested", "password.reset"]


def test_an_unknown_email_gets_the_same_answer_and_no_mail(app, client):
    builders.user("an@example.com")
    known, unknown = ask(client, "an@example.com"), ask(client, "nobody@example.com")
    assert known.status_code == unknown.status_code == 302
    assert known.headers["Location"] == unknown.headers["Location"]
    assert len(outbox(app)) == 1
    assert db.session.scalar(db.select(func.count()).select_from(PasswordResetToken)) == 1


def test_an_expired_link_is_refused():
    user = builders.user("an@example.com")
    past = utcnow() - reset.RESET_LIFETIME - timedelta(minutes=1)
    _, token = reset.request_reset(user.email, now=past)
    assert reset.valid_token(token) is None
    assert reset.valid_token(token, now=past + timedelta(minutes=59)) is not None


def test_a_new_link_kills_the_older_ones_when_used(app, client):
    user = builders.user("an@example.com")
    _, first = reset.request_reset(user.email)
    _, second = reset.request_reset(user.email)
    assert choose(client, f"/password/reset/{second}").status_code == 302
    assert reset.valid_token(first) is None


def test_a_weak_new_password_is_refused_and_the_link_still_works(client):
    user = builders.user("an@example.com")
    _, token = reset.request_reset(user.email)
    response = choose(client, f"/password/reset/{token}", "password1")
    assert response.status_code == 422
    assert reset.valid_token(token) is not None
    assert accounts.authenticate(user.email, builders.PASSWORD) is not None
