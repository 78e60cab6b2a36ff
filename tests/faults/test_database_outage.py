"""The database goes away for a while: every request it breaks is a clean 503 with
Retry-After (the API's error shape, a plain page for people), nothing half-written, and the
same running app serves again as soon as the database is back.

On PostgreSQL the app reaches the server through a TCP proxy that the test cuts (every open
connection dropped, new ones closed at once). On SQLite another process holds the write lock
(a long write, a restore) and the app's writers give up after their busy timeout; readers go
on reading (WAL).
"""

from __future__ import annotations

import logging
import re

import pytest
from sqlalchemy import func, select

from shop import create_app
from shop.extensions import db
from shop.orders.models import Cart
from tests import builders
from tests.conftest import IsolatedClient
from tests.faults.outage import SqliteWriteLock, TcpProxy, postgres_target, short_busy_timeout

UNAVAILABLE = "The shop cannot reach its database right now. Please try again in a moment."


@pytest.fixture
def outage(database_url):
    """(the database URL the app should use, something with cut() and restore())."""
    if database_url.startswith("postgresql"):
        proxy = TcpProxy(postgres_target(database_url))
        yield proxy.url_through(database_url), proxy
        proxy.close()
    else:
        lock = SqliteWriteLock(database_url)
        yield database_url, lock
        lock.restore()


@pytest.fixture
def served(outage, app, tmp_path):
    """A second app on the same database (through the proxy on PostgreSQL), as a worker."""
    url, _ = outage
    faulty = create_app({**{k: app.config[k] for k in (
        "TESTING", "SECRET_KEY", "MAIL_BACKEND", "RATELIMIT_ENABLED")},
        "SQLALCHEMY_DATABASE_URI": url, "INSTANCE_PATH": str(tmp_path),
        "SEARCH_INDEX_DIR": str(tmp_path / "search-index"), "MEDIA_DIR": str(tmp_path / "media")})
    with faulty.app_context():
        if db.engine.dialect.name == "sqlite":
            short_busy_timeout(db.engine)
    faulty.test_client_class = IsolatedClient
    yield faulty
    with faulty.app_context():
        db.engine.dispose()


def carts() -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(Cart))


def english(client):
    client.set_cookie("lang", "en")


def test_the_api_answers_503_with_retry_after_and_serves_again_when_the_database_is_back(
        served, outage, database_url, caplog):
    builders.product("Chè Đinh", sku="CHE-1")
    client = served.test_client()
    english(client)
    assert client.get("/api/v1/products").status_code == 200  # a pooled connection, now broken
    _, database = outage

    database.cut()
    caplog.set_level(logging.ERROR, logger="shop.web.setup")
    response = client.post("/api/v1/carts")
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    assert response.get_json() == {"error": {"code": "service_unavailable", "message": UNAVAILABLE,
                                             "details": {"retry_after_seconds": 5}}}
    assert "database unavailable during POST /api/v1/carts" in caplog.text
    if database_url.startswith("postgresql"):
        assert client.get("/api/v1/products").status_code == 503
    else:  # WAL: readers do not wait for the writer
        assert client.get("/api/v1/products").status_code == 200
    database.restore()
    assert carts() == 0

    created = client.post("/api/v1/carts")
    assert created.status_code == 201 and carts() == 1
    assert client.post(f"/api/v1/carts/{created.get_json()['id']}/lines",
                       json={"sku": "CHE-1", "quantity": 2}).get_json()["total_vnd"] == 300_000
    listed = client.get("/api/v1/products").get_json()
    assert [item["slug"] for item in listed["items"]] == ["che-dinh"]


def test_a_storefront_page_is_a_503_page_that_needs_no_database(served, outage, database_url):
    builders.product("Chè Đinh", sku="CHE-1")
    client = served.test_client()
    english(client)
    home = client.get("/").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', home).group(1)
    _, database = outage

    database.cut()
    response = client.post("/cart/lines", data={"csrf_token": csrf, "sku": "CHE-1",
                                                "quantity": "1"})
    assert response.status_code == 503 and response.mimetype == "text/html"
    assert response.headers["Retry-After"] == "5"
    page = response.get_data(as_text=True)
    assert UNAVAILABLE in page and '<a href="/cart/lines">Try again</a>' in page
    assert "Content-Security-Policy" in response.headers
    if database_url.startswith("postgresql"):
        assert client.get("/").status_code == 503
    database.restore()
    assert carts() == 0

    again = client.post("/cart/lines", data={"csrf_token": csrf, "sku": "CHE-1", "quantity": "1"})
    assert again.status_code in (302, 303) and carts() == 1
    assert client.get("/").status_code == 200


def test_the_503_page_is_in_vietnamese_by_default(served, outage):
    client = served.test_client()
    _, database = outage
    database.cut()
    response = client.post("/api/v1/carts")
    database.restore()
    assert response.status_code == 503
    assert response.get_json()["error"]["message"] == (
        "Cửa hàng tạm thời không kết nối được cơ sở dữ liệu. Bạn vui lòng thử lại sau giây lát.")


def test_connections_broken_while_idle_are_replaced_without_an_error(served, outage, database_url):
    """pool_pre_ping: the pool tests a connection before lending it, so a server restart
    between two requests costs no request."""
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite has no server connection to lose")
    builders.product("Chè Đinh", sku="CHE-1")
    client = served.test_client()
    assert client.get("/api/v1/products").status_code == 200
    _, database = outage
    database.cut()
    database.restore()
    assert client.get("/api/v1/products").get_json()["total"] == 1
    assert client.post("/api/v1/carts").status_code == 201


def test_the_openapi_document_names_the_503_of_every_operation(client, validate):
    document = client.get("/api/v1/openapi.json").get_json()
    operations = [op for ops in document["paths"].values() for op in ops.values()]
    assert operations and all("503" in op["responses"] for op in operations)
    assert document["paths"]["/pos/sync"]["post"]["responses"]["503"]["headers"] == {
        "Retry-After": {"description": "seconds to wait", "schema": {"type": "integer"}}}
    validate({"error": {"code": "service_unavailable", "message": UNAVAILABLE,
                        "details": {"retry_after_seconds": 5}}}, "Error")
