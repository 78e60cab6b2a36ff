"""Rate limits on sign-in, checkout, search and the public API (429 in the API's error shape)."""

import uuid
from datetime import UTC, datetime

import pytest
import time_machine

from shop import create_app
from shop.extensions import db
from tests import builders
from tests.conftest import IsolatedClient, csrf_token
from tests.faults.outage import SqliteWriteLock, TcpProxy, postgres_target, short_busy_timeout
from tests.orders.builders import DELIVERY
from tests.services import needs_redis

LIMITS = {"RATELIMIT_SIGN_IN": "3 per minute", "RATELIMIT_CHECKOUT": "2 per minute",
          "RATELIMIT_SEARCH": "4 per minute", "RATELIMIT_API": "6 per minute"}


def limited_app(database_url, tmp_path, **config):
    app = create_app({
        "TESTING": True, "SECRET_KEY": "test-secret", "SQLALCHEMY_DATABASE_URI": database_url,
        "INSTANCE_PATH": str(tmp_path), "SEARCH_INDEX_DIR": str(tmp_path / "search-index"),
        "MAIL_BACKEND": "memory", "RATELIMIT_ENABLED": True, **LIMITS, **config})
    app.test_client_class = IsolatedClient
    return app


@pytest.fixture
def limited(database_url, tmp_path):
    return limited_app(database_url, tmp_path).test_client()


def test_sign_in_is_limited_per_address(limited):
    builders.user("an@example.com")
    token = csrf_token(limited)
    statuses = [limited.post("/login", data={"email": f"x{n}@example.com", "password": "wrong guess",
                                             "csrf_token": token}).status_code for n in range(4)]
    assert statuses == [422, 422, 422, 429]
    page = limited.post("/login", data={"email": "an@example.com", "password": builders.PASSWORD,
                                        "csrf_token": token})
    assert page.status_code == 429
    assert "Quá nhiều yêu cầu" in page.get_data(as_text=True)  # the storefront's HTML page
    assert int(page.headers["Retry-After"]) > 0
    assert limited.get("/login").status_code == 200  # showing the form is not limited


def test_the_api_answers_429_in_its_error_shape(limited, validate):
    statuses = [limited.get("/api/v1/provinces").status_code for _ in range(7)]
    assert statuses == [200] * 6 + [429]
    response = limited.get("/api/v1/provinces")
    assert response.status_code == 429 and response.is_json
    body = validate(response.get_json(), "Error")
    assert body["error"]["code"] == "rate_limited"
    assert set(body["error"]) == {"code", "message", "details"}
    assert int(response.headers["Retry-After"]) > 0


def test_search_is_limited(limited):
    assert [limited.get("/products?q=che").status_code for _ in range(5)] == [200] * 4 + [429]
    api = [limited.get("/api/v1/products?q=che").status_code for _ in range(5)]
    assert api == [200] * 4 + [429]


def test_checkout_is_limited(limited):
    token = csrf_token(limited, "/")
    statuses = [limited.post("/checkout", data={"csrf_token": token}).status_code for _ in range(3)]
    assert statuses == [303, 303, 429]  # an empty cart goes back to the cart, twice
    api = [limited.post("/api/v1/carts/nope/checkout").status_code for _ in range(3)]
    assert api == [404, 404, 429]


def test_sales_point_devices_are_not_held_to_the_public_api_limit(limited):
    statuses = {limited.get("/api/v1/pos/stock").status_code for _ in range(10)}
    assert statuses == {401}


def test_limits_are_off_when_disabled(client):
    assert {client.get("/api/v1/provinces").status_code for _ in range(10)} == {200}


@needs_redis
def test_workers_share_the_limits_through_redis(database_url, tmp_path):
    """Two app processes (here two apps) with one REDIS_URL count the same requests."""
    prefix = f"test-{uuid.uuid4().hex}"
    storage = "redis://127.0.0.1:6379/0"
    first = limited_app(database_url, tmp_path / "a", RATELIMIT_STORAGE_URI=storage,
                        RATELIMIT_KEY_PREFIX=prefix).test_client()
    second = limited_app(database_url, tmp_path / "b", RATELIMIT_STORAGE_URI=storage,
                         RATELIMIT_KEY_PREFIX=prefix).test_client()
    statuses = [(first if n % 2 else second).get("/api/v1/provinces").status_code for n in range(7)]
    assert statuses == [200] * 6 + [429]


# --- Retry-After: one, the true one, only on 429 and 503 (issue #17, item 10) -----------------

def test_answers_that_are_not_refusals_carry_no_retry_after(limited):
    token = csrf_token(limited)
    answers = [limited.get("/api/v1/provinces"), limited.get("/api/v1/products?q=che"),
               limited.get("/products?q=che"),
               limited.post("/login", data={"email": "x@example.com", "password": "wrong guess",
                                            "csrf_token": token}),
               limited.post("/api/v1/carts/nope/checkout")]
    assert [a.status_code for a in answers] == [200, 200, 200, 422, 404]
    assert [a.headers.getlist("Retry-After") for a in answers] == [[]] * 5


def test_a_429_says_when_its_window_lets_a_request_through(limited):
    with time_machine.travel(datetime(2026, 11, 22, 3, 0, 0, tzinfo=UTC), tick=False) as clock:
        assert [limited.get("/api/v1/provinces").status_code for _ in range(6)] == [200] * 6
        clock.shift(20)
        refused = limited.get("/api/v1/provinces")
        assert refused.status_code == 429
        assert refused.headers.getlist("Retry-After") == ["40"]
        clock.shift(39)
        assert limited.get("/api/v1/provinces").headers.getlist("Retry-After") == ["1"]
        clock.shift(1)
        assert limited.get("/api/v1/provinces").status_code == 200


def test_a_429_of_the_storefront_says_it_too(limited):
    with time_machine.travel(datetime(2026, 11, 22, 3, 0, 0, tzinfo=UTC), tick=False) as clock:
        assert [limited.get("/products?q=che").status_code for _ in range(4)] == [200] * 4
        clock.shift(45)
        refused = limited.get("/products?q=che")
    assert refused.status_code == 429 and refused.mimetype == "text/html"
    assert refused.headers.getlist("Retry-After") == ["15"]


@pytest.fixture
def limited_outage(database_url, tmp_path):
    """A rate-limited app whose database can be cut: (client, cut, restore)."""
    if database_url.startswith("postgresql"):
        proxy = TcpProxy(postgres_target(database_url))
        app = limited_app(proxy.url_through(database_url), tmp_path)
        yield app.test_client(), proxy.cut, proxy.restore
        proxy.close()
    else:
        lock = SqliteWriteLock(database_url)
        app = limited_app(database_url, tmp_path)
        with app.app_context():
            short_busy_timeout(db.engine)
        yield app.test_client(), lock.cut, lock.restore
        lock.restore()
    with app.app_context():
        db.engine.dispose()


def test_a_503_on_a_limited_route_keeps_its_own_retry_after(limited_outage):
    """The database's 5 seconds, as its body says, not the limit window's (56 to 60 before)."""
    client, cut, restore = limited_outage
    builders.product("Chè", sku="CHE-1")
    cart = client.post("/api/v1/carts").get_json()["id"]
    assert client.post(f"/api/v1/carts/{cart}/lines",
                       json={"sku": "CHE-1", "quantity": 1}).status_code == 200
    cut()
    try:
        response = client.post(f"/api/v1/carts/{cart}/checkout", json=DELIVERY)
    finally:
        restore()
    assert response.status_code == 503
    assert response.get_json()["error"]["details"] == {"retry_after_seconds": 5}
    assert response.headers.getlist("Retry-After") == ["5"]
