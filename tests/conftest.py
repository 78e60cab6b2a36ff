"""Fixtures: app -> database -> client, on SQLite by default or PostgreSQL (TEST_DATABASE_URL).

The schema comes from the real Alembic migrations, once per run. Each test starts from the
reference data alone: the rows it wrote are deleted afterwards.
"""

from __future__ import annotations

import contextvars
import os
import re
import socket
from datetime import date

import pytest
from flask import current_app
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import create_engine, text

from shop import cache, create_app
from shop.extensions import db
from tests import builders

REFERENCE_TABLES = {"region", "province", "ward", "former_province", "alembic_version"}
# Rows the migrations write that tests may change: put back as migrated after each test.
RESTORED_TABLES = ("vat_reduction",)
TODAY = date(2026, 11, 22)
# What production requires beside SECRET_KEY: the shop's own registration as a seller, and the
# public origin of every link it gives out.
PRODUCTION_SETTINGS = {"SHOP_LEGAL_NAME": "Công ty Chợ OCOP", "SHOP_TAX_CODE": "0100000000-001",
                       "SHOP_ADDRESS": "Số 2 Ngọc Hà, Hà Nội", "PUBLIC_URL": "https://ocop.example.vn"}


def _postgres_reachable(url: str) -> str | None:
    try:
        engine = create_engine(url)
        with engine.connect():
            pass
        engine.dispose()
    except Exception as error:  # any driver error means: not reachable
        return str(error).splitlines()[0]
    return None


def _reset_postgres(url: str) -> None:
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def pytest_collection_modifyitems(config, items):
    """Tests marked postgres_only run in the PostgreSQL run (TEST_DATABASE_URL) alone."""
    if os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql"):
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL (TEST_DATABASE_URL)")
    for item in items:
        if "postgres_only" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        return f"sqlite:///{tmp_path_factory.mktemp('db') / 'shop.db'}"
    problem = _postgres_reachable(url)
    if problem:
        message = f"PostgreSQL at TEST_DATABASE_URL is not reachable ({problem})"
        if os.environ.get("SHOP_REQUIRE_POSTGRES"):
            pytest.fail(message)
        pytest.skip(message + ": skipping the PostgreSQL run")
    _reset_postgres(url)
    return url


@pytest.fixture(scope="session")
def app(database_url, tmp_path_factory):
    instance = tmp_path_factory.mktemp("instance")
    app = create_app({
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "INSTANCE_PATH": str(instance),
        "SEARCH_INDEX_DIR": str(instance / "search-index"),
        "MEDIA_DIR": str(instance / "media"),
        "MAIL_BACKEND": "memory",
        "RATELIMIT_ENABLED": False,  # the tests of the limits build their own app
    })
    with app.app_context():
        upgrade()
        with db.engine.connect() as connection:
            app.extensions["test_migrated_rows"] = {
                name: [{k: v for k, v in row._mapping.items() if k != "id"}  # ids come anew
                       for row in connection.execute(db.metadata.tables[name].select())]
                for name in RESTORED_TABLES}
    return app


@pytest.fixture(autouse=True)
def _database(request, app):
    """Every test in an app context; afterwards, all but the reference data is deleted."""
    from shop.mail import outbox

    outbox(app).clear()
    with app.app_context():
        yield
        db.session.rollback()
        db.session.remove()
        _clean(app)
        cache.clear()  # the counter starts again with the next test's data


def _clean(app) -> None:
    tables = [t for t in reversed(db.metadata.sorted_tables) if t.name not in REFERENCE_TABLES]
    with db.engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in tables)
            connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                connection.execute(table.delete())
        for name, rows in current_app.extensions["test_migrated_rows"].items():
            if rows:
                connection.execute(db.metadata.tables[name].insert(), rows)


class IsolatedClient(FlaskClient):
    """Each request runs in a fresh context, as in production: its own app context, `g` and
    database session, even though the test itself holds an app context for its services."""

    def open(self, *args, **kwargs):
        response = contextvars.Context().run(super().open, *args, **kwargs)
        db.session.rollback()  # the test reads what the request wrote, not an older snapshot
        return response


@pytest.fixture
def client(app):
    app.test_client_class = IsolatedClient
    return app.test_client()


@pytest.fixture
def today() -> date:
    return TODAY


@pytest.fixture(autouse=True)
def _no_network(monkeypatch):
    """Any connection to a host other than this machine fails the test."""
    real_connect = socket.socket.connect

    def guarded(sock, address):
        host = address[0] if isinstance(address, tuple) else address
        if isinstance(host, str) and not (host.startswith("127.") or host in ("localhost", "::1")
                                          or host.startswith("/")):
            raise AssertionError(f"a test tried to reach the network: {address}")
        return real_connect(sock, address)

    monkeypatch.setattr(socket.socket, "connect", guarded)


CSRF_INPUT = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_token(client, path: str = "/login") -> str:
    """The CSRF token of the client's session, read from a form the way a browser would."""
    page = client.get(path).get_data(as_text=True)
    match = CSRF_INPUT.search(page)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


@pytest.fixture
def login(client):
    """Sign `client` in as the given user through the real sign-in form."""

    def login_as(user, password: str = builders.PASSWORD):
        response = client.post("/login", data={
            "email": user.email, "password": password, "csrf_token": csrf_token(client)})
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return user

    return login_as


@pytest.fixture(autouse=True, scope="session")
def _hash_each_password_once():
    """Real scrypt hashes, but each password is hashed (and each check made) once per run."""
    from functools import lru_cache

    from shop.accounts import models

    generate, check = models.generate_password_hash, models.check_password_hash
    models.generate_password_hash = lru_cache(maxsize=None)(generate)
    models.check_password_hash = lru_cache(maxsize=None)(check)
    yield
    models.generate_password_hash, models.check_password_hash = generate, check


@pytest.fixture
def validate(client):
    """Check a JSON body against a schema of our own OpenAPI document."""
    from jsonschema import Draft202012Validator
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT202012

    document = client.get("/api/v1/openapi.json").get_json()
    resource = Resource.from_contents(document, default_specification=DRAFT202012)
    registry = Registry().with_resource("urn:api", resource)

    def check(instance, schema_name: str):
        schema = {"$ref": f"urn:api#/components/schemas/{schema_name}"}
        Draft202012Validator(schema, registry=registry).validate(instance)
        return instance

    return check
