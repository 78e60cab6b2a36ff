"""Read-mostly pages read from DATABASE_REPLICA_URL when it is set; writes never go there.

The replica here is the test database itself under a second engine, so what is asserted is
which engine each statement went through."""

import contextlib

import pytest
from sqlalchemy import event

from shop import create_app
from shop.extensions import db
from tests import builders

READ_MOSTLY = ["/", "/products", "/products?q=chè", "/p/{slug}", "/api/v1/products",
               "/api/v1/products/{slug}", "/api/v1/suggest?q=che"]


@pytest.fixture
def replicated(app, tmp_path):
    settings = {k: app.config[k] for k in ("TESTING", "SECRET_KEY", "SQLALCHEMY_DATABASE_URI",
                                           "MAIL_BACKEND", "RATELIMIT_ENABLED")}
    shop = create_app({**settings, "DATABASE_REPLICA_URL": app.config["SQLALCHEMY_DATABASE_URI"],
                       "INSTANCE_PATH": str(tmp_path), "SEARCH_INDEX_DIR": app.config["SEARCH_INDEX_DIR"],
                       "MEDIA_DIR": str(tmp_path / "media")})
    yield shop
    with shop.app_context():
        for engine in db.engines.values():
            engine.dispose()


@contextlib.contextmanager
def statements_by_engine(shop):
    seen = {"primary": [], "replica": []}
    with shop.app_context():
        engines = {"primary": db.engines[None], "replica": db.engines["replica"]}
    listeners = {}
    for name, engine in engines.items():
        listeners[name] = lambda conn, cursor, statement, *args, n=name: seen[n].append(statement)
        event.listen(engine, "before_cursor_execute", listeners[name])
    try:
        yield seen
    finally:
        for name, engine in engines.items():
            event.remove(engine, "before_cursor_execute", listeners[name])


def test_read_mostly_pages_read_from_the_replica(replicated):
    item = builders.product("Chè Tân Cương", sku="CHE-1")
    client = replicated.test_client()
    for template in READ_MOSTLY:
        path = template.format(slug=item.slug)
        with statements_by_engine(replicated) as seen:
            assert client.get(path).status_code == 200, path
        assert seen["replica"] and not seen["primary"], (path, seen)


def test_writes_never_go_to_the_replica(replicated):
    item = builders.product("Chè Tân Cương", sku="CHE-1")
    builders.receive(item, builders.warehouse(item.producer), 5)
    client = replicated.test_client()
    with statements_by_engine(replicated) as seen:
        cart = client.post("/api/v1/carts").get_json()["id"]
        added = client.post(f"/api/v1/carts/{cart}/lines", json={"sku": "CHE-1", "quantity": 1})
    assert added.status_code == 200
    assert seen["primary"] and not seen["replica"]


def test_without_a_replica_url_there_is_one_engine(app):
    assert app.config["SQLALCHEMY_BINDS"] == {} and list(db.engines) == [None]
