"""Search fixtures: a clean index for each test, and the backend to run on."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from shop.extensions import db

BACKENDS = ("whoosh", "postgres")


def on_postgres() -> bool:
    return db.engine.dialect.name == "postgresql"


def use_backend(app, monkeypatch, name: str) -> None:
    """Serve search from `name`; the PostgreSQL backend runs when the suite runs on PostgreSQL."""
    if name == "postgres" and not on_postgres():
        pytest.skip("the PostgreSQL search backend needs PostgreSQL: set TEST_DATABASE_URL")
    monkeypatch.setitem(app.config, "SEARCH_BACKEND", name)


@pytest.fixture(autouse=True)
def _fresh_index(app):
    """No documents left by earlier tests (their product ids are reused)."""
    shutil.rmtree(Path(app.config["SEARCH_INDEX_DIR"]), ignore_errors=True)
    yield


@pytest.fixture(params=BACKENDS)
def backend(request, app, monkeypatch) -> str:
    use_backend(app, monkeypatch, request.param)
    return request.param
