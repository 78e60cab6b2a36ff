"""Sessions kept on the server (ASVS 7.4.1-7.4.3, 7.4.5): the cookie holds a random id only;
ending a session in the store ends it at once on every app instance; stores on the database
and on Redis behave alike."""

import hashlib
import time
import uuid

import pytest
from sqlalchemy import func, select

from shop import create_app
from shop.accounts import members as producer_members
from shop.accounts import services as accounts
from shop.accounts import sessions
from shop.accounts.models import ProducerMember, WebSession
from shop.audit.models import AuditEntry
from shop.extensions import db
from shop.inventory import sales_points
from shop.web.security import SEEN_AT, SIGNED_IN_AT
from shop.web.sessions import is_server_id
from tests import builders
from tests.conftest import CSRF_INPUT, IsolatedClient, csrf_token
from tests.services import REDIS_URL, needs_redis


def instance(database_url, tmp_path, **config):
    """Another process of the shop on the same database (as a second host would be)."""
    app = create_app({
        "TESTING": True, "SECRET_KEY": "test-secret", "SQLALCHEMY_DATABASE_URI": database_url,
        "INSTANCE_PATH": str(tmp_path), "SEARCH_INDEX_DIR": str(tmp_path / "search-index"),
        "MEDIA_DIR": str(tmp_path / "media"), "MAIL_BACKEND": "memory",
        "RATELIMIT_ENABLED": False, **config})
    app.test_client_class = IsolatedClient
    return app


@pytest.fixture(scope="module")
def other_host(database_url, tmp_path_factory):
    return instance(database_url, tmp_path_factory.mktemp("other-host"))


@pytest.fixture
def redis_hosts(database_url, tmp_path):
    """Two instances sharing one Redis store under a prefix of their own, cleaned afterwards."""
    prefix = f"test-{uuid.uuid4().hex}"
    config = {"SESSION_STORE": "redis", "REDIS_URL": REDIS_URL, "SESSION_KEY_PREFIX": prefix}
    first = instance(database_url, tmp_path / "a", **config)
    second = instance(database_url, tmp_path / "b", **config)
    yield first, second
    client = first.extensions["session_store"].client
    for key in client.scan_iter(match=f"{prefix}:*"):
        client.delete(key)


def sign_in(client, user, password: str = builders.PASSWORD) -> str:
    response = client.post("/login", data={"email": user.email, "password": password,
                                           "csrf_token": csrf_token(client)})
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    return client.get_cookie("session").value


def on(app, cookie: str):
    """A browser of `app` that carries the given session cookie."""
    client = app.test_client()
    client.set_cookie("session", cookie)
    return client


def rows(user_id=None) -> int:
    db.session.rollback()  # read what the requests wrote since
    query = select(func.count()).select_from(WebSession)
    if user_id is not None:
        query = query.where(WebSession.user_id == user_id)
    return db.session.scalar(query)


def test_the_cookie_holds_a_random_id_and_the_table_only_its_hash(client):
    user = builders.user("an@example.com")
    cookie = sign_in(client, user)
    assert len(cookie) == 43 and "." not in cookie  # 32 random bytes, nothing signed or readable
    row = db.session.scalar(select(WebSession))
    assert row.id == hashlib.sha256(cookie.encode()).hexdigest() and row.user_id == user.id
    assert cookie not in row.data and f'"_user_id":"{user.get_id()}"' in row.data.replace(" ", "")


def test_a_guest_writes_nothing_on_the_server(client):
    client.get("/")
    client.get("/login")  # the forms' CSRF token is kept in the guest's signed cookie
    cookie = client.get_cookie("session").value
    assert cookie.count(".") == 2 and rows() == 0  # payload.time.signature, as Flask signs it
    client.set_cookie("session", cookie[:-2] + "xx")  # a forged guest cookie is an empty session
    assert client.get("/account").status_code == 302


def test_the_cookie_is_secure_httponly_lax_with_the_host_prefix_in_production(database_url, tmp_path):
    app = instance(database_url, tmp_path, SESSION_COOKIE_SECURE=True,
                   SESSION_COOKIE_NAME="__Host-session", REMEMBER_COOKIE_SECURE=True)
    user = builders.user("an@example.com")
    client = app.test_client()
    page = client.get("/login", base_url="https://localhost").get_data(as_text=True)
    token = CSRF_INPUT.search(page).group(1)
    response = client.post("/login", base_url="https://localhost",
                           headers={"Referer": "https://localhost/login"}, data={
        "email": user.email, "password": builders.PASSWORD, "csrf_token": token})
    assert response.status_code == 302
    [cookie] = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("__Host-session=")]
    assert is_server_id(cookie.split(";")[0].partition("=")[2])
    flags = {part.strip().split("=")[0] for part in cookie.split(";")[1:]}
    assert flags == {"Expires", "Secure", "HttpOnly", "Path", "SameSite"}
    assert "SameSite=Lax" in cookie and "Path=/" in cookie and "Domain" not in cookie


def test_sign_in_gives_a_new_id_and_ends_the_one_from_before(client, other_host):
    client.get("/login")
    before = client.get_cookie("session").value
    after = sign_in(client, builders.user("an@example.com"))
    assert after != before
    assert sessions.store().load(sessions.key_of(before), int(time.time())) is None
    assert on(other_host, before).get("/account").status_code == 302  # a planted id is worth nothing


def test_a_session_made_on_one_instance_works_on_another(client, other_host):
    user = builders.user("an@example.com")
    cookie = sign_in(client, user)
    elsewhere = on(other_host, cookie)
    assert elsewhere.get("/account").status_code == 200
    token = csrf_token(elsewhere, "/account")  # the CSRF token kept in the session, read elsewhere
    assert client.post("/account/sign-out-everywhere", data={"csrf_token": token}).status_code == 302


def test_a_copy_of_the_cookie_is_dead_after_sign_out(client, other_host):
    cookie = sign_in(client, builders.user("an@example.com"))
    copy = on(other_host, cookie)
    assert copy.get("/account").status_code == 200
    assert client.post("/logout", data={"csrf_token": csrf_token(client, "/account")}).status_code == 302
    response = copy.get("/account")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    assert rows() == 0


def test_signing_out_everywhere_ends_every_session_on_every_instance(client, other_host):
    user = builders.user("an@example.com")
    sign_in(client, user)
    phone = other_host.test_client()
    sign_in(phone, user)
    bystander = other_host.test_client()
    sign_in(bystander, builders.user("other@example.com"))
    assert "đăng nhập trên 2 thiết bị" in client.get("/account").get_data(as_text=True)
    response = client.post("/account/sign-out-everywhere",
                           data={"csrf_token": csrf_token(client, "/account")})
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert client.get("/account").status_code == 302
    assert phone.get("/account").status_code == 302
    assert bystander.get("/account").status_code == 200  # someone else's sessions go on
    assert rows(user.id) == 0
    actions = db.session.scalars(select(AuditEntry.action).where(AuditEntry.subject == user.email))
    assert "sessions.ended" in list(actions)


def test_a_new_password_ends_the_sessions_on_the_other_instance(client, other_host):
    user = builders.user("an@example.com")
    sign_in(client, user)
    phone = other_host.test_client()
    sign_in(phone, user)
    response = client.post("/account/password", data={
        "current": builders.PASSWORD, "password": "một mật khẩu mới", "confirm": "một mật khẩu mới",
        "csrf_token": csrf_token(client, "/account/password")})
    assert response.status_code == 302
    assert phone.get("/account").status_code == 302
    assert client.get("/account").status_code == 200  # the session that changed it goes on...
    assert rows(user.id) == 1  # ...alone, under a new id


def test_turning_two_step_on_ends_the_other_sessions(client, other_host):
    from tests.security.test_two_step import enable_through_the_page, producer_user

    user = producer_user()
    sign_in(client, user)
    phone = other_host.test_client()
    sign_in(phone, user)
    enable_through_the_page(client)
    assert phone.get("/account").status_code == 302
    assert client.get("/account").status_code == 200 and rows(user.id) == 1


def test_a_suspension_ends_the_sessions_for_good(client, other_host):
    admin = builders.user("office@example.com", "admin")
    user = builders.user("an@example.com")
    cookie = sign_in(client, user)
    accounts.suspend(user, actor_id=admin.id)
    assert on(other_host, cookie).get("/account").status_code == 302
    assert rows(user.id) == 0
    accounts.reinstate(user, actor_id=admin.id)
    assert on(other_host, cookie).get("/account").status_code == 302  # the old session stays ended
    sign_in(client, user)  # the account itself works again
    assert client.get("/account").status_code == 200


def test_the_suspend_and_end_sessions_commands(app, client):
    user = builders.user("an@example.com")
    cookie = sign_in(client, user)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["shop", "end-sessions", "an@example.com"])
    assert result.exit_code == 0 and result.output == "1 session(s) of an@example.com ended\n"
    assert on(app, cookie).get("/account").status_code == 302
    result = runner.invoke(args=["shop", "suspend-user", "an@example.com"])
    assert result.exit_code == 0 and not db.session.get(type(user), user.id).is_active
    assert runner.invoke(args=["shop", "suspend-user", "nobody@example.com"]).exit_code == 1


def test_a_removed_role_ends_the_sessions(client, other_host):
    builders.sales_point("QN-HALONG")
    admin = builders.user("office@example.com", "admin")
    staff = builders.user("staff@example.com", "staff:QN-HALONG")
    cookie = sign_in(client, staff)
    assert on(other_host, cookie).get("/salespoint/QN-HALONG/").status_code == 200
    sales_points.remove_staff(staff.sales_point_memberships[0], actor_id=admin.id)
    assert on(other_host, cookie).get("/account").status_code == 302


def test_a_manager_made_staff_is_signed_out(client, other_host):
    point = builders.sales_point("QN-HALONG")
    admin = builders.user("office@example.com", "admin")
    manager = builders.user("boss@example.com", "staff:QN-HALONG:manager")
    cookie = sign_in(client, manager)
    sales_points.assign_staff(point, manager.email, "manager", actor_id=admin.id)  # no change
    assert on(other_host, cookie).get("/account").status_code == 200
    sales_points.assign_staff(point, manager.email, "staff", actor_id=admin.id)
    assert on(other_host, cookie).get("/account").status_code == 302


def test_a_producer_member_taken_off_is_signed_out(client):
    maker = builders.producer()
    owner = builders.user("owner@example.com", f"producer:{maker.tax_code}")
    helper = builders.user("helper@example.com")
    member = ProducerMember(user=helper, producer=maker, role="owner")
    db.session.add(member)
    db.session.commit()
    cookie = sign_in(client, helper)
    producer_members.change_role(maker, member.id, "staff", actor=owner.producer_memberships[0])
    assert on(client.application, cookie).get("/account").status_code == 302


def test_an_idle_session_is_gone_from_the_store_and_purged(app, client):
    user = builders.user("an@example.com")
    sign_in(client, user)
    with client.session_transaction() as session:
        session[SEEN_AT] -= app.config["SESSION_IDLE_SECONDS"] + 1
    assert client.get("/account").status_code == 302  # the store no longer gives it back
    assert rows(user.id) == 1
    result = app.test_cli_runner().invoke(args=["shop", "purge-sessions"])
    assert result.output == "1 expired session(s) deleted\n" and rows(user.id) == 0


def test_a_request_under_way_does_not_bring_back_an_ended_session(app, client):
    user = builders.user("an@example.com")
    sign_in(client, user)
    with client.session_transaction() as session:
        sessions.end_all(user.id)
        session[SIGNED_IN_AT] -= 120  # the request changes the session after it was ended
        session[SEEN_AT] -= 120
    assert rows() == 0 and client.get_cookie("session") is None


@pytest.fixture(params=["database", pytest.param("redis", marks=needs_redis)])
def store(request, app):
    if request.param == "database":
        yield sessions.DatabaseStore()
        return
    import redis

    prefix = f"test-{uuid.uuid4().hex}"
    client = redis.Redis.from_url(REDIS_URL)
    yield sessions.RedisStore(client, prefix, 3600)
    for key in client.scan_iter(match=f"{prefix}:*"):
        client.delete(key)


def test_the_stores_keep_update_end_and_purge_alike(store):
    user, other = builders.user("an@example.com"), builders.user("other@example.com")
    now = int(time.time())
    store.create("a", user.id, '{"n": 1}', now + 600)
    store.create("b", user.id, '{"n": 2}', now + 600)
    store.create("c", other.id, '{"n": 3}', now + 600)
    store.create("guest", None, "{}", now + 600)
    assert store.load("a", now) == sessions.Stored('{"n": 1}', now + 600)
    assert store.update("a", user.id, '{"n": 9}', now + 900) is True
    assert store.load("a", now).data == '{"n": 9}'
    assert store.count(user.id, now) == 2
    assert store.end_all(user.id) == 2
    assert store.load("a", now) is None and store.load("b", now) is None
    assert store.update("a", user.id, '{"n": 10}', now + 900) is False  # ended stays ended
    assert store.load("a", now) is None and store.load("c", now).data == '{"n": 3}'
    store.delete("guest")
    assert store.load("guest", now) is None
    assert store.load("c", now + 601) is None  # past its expiry it is not given back


def test_the_database_store_purges_only_what_expired():
    store = sessions.DatabaseStore()
    now = int(time.time())
    store.create("old", None, "{}", now - 1)
    store.create("live", None, "{}", now + 60)
    assert store.purge(now) == 1
    assert rows() == 1 and store.load("live", now) is not None


@needs_redis
def test_on_redis_sessions_are_shared_and_revoked_across_instances(redis_hosts):
    first, second = redis_hosts
    user = builders.user("an@example.com")
    laptop = first.test_client()
    cookie = sign_in(laptop, user)
    assert rows() == 0  # nothing in the database: the sessions are in Redis
    copy = on(second, cookie)
    assert copy.get("/account").status_code == 200
    phone = second.test_client()
    sign_in(phone, user)
    assert laptop.post("/logout", data={"csrf_token": csrf_token(laptop, "/account")}).status_code == 302
    assert copy.get("/account").status_code == 302  # the copy of the laptop's cookie is dead
    assert phone.get("/account").status_code == 200  # the phone's own session goes on
    with first.app_context():
        assert accounts.end_sessions(user, actor_id=user.id) == 1
    assert phone.get("/account").status_code == 302


def test_an_unknown_store_is_refused(database_url, tmp_path):
    with pytest.raises(RuntimeError, match="SESSION_STORE must be"):
        instance(database_url, tmp_path, SESSION_STORE="memcached")
    with pytest.raises(RuntimeError, match="SESSION_STORE must be"):
        instance(database_url, tmp_path, SESSION_STORE="redis", REDIS_URL=None)
