"""Caching what rarely changes: a store (memory, or Redis with REDIS_URL) and the generation
counter that keys it (`shop.cache.counter`)."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask, current_app

from shop.cache import counter
from shop.cache.counter import AVAILABLE, CATALOG, PRODUCT, STOCK
from shop.cache.counter import current as generation
from shop.cache.counter import current_all as generations
from shop.cache.store import LocalStore, NoStore, RedisStore
from shop.extensions import db

__all__ = ["AVAILABLE", "CATALOG", "PRODUCT", "STOCK", "generation", "generations", "get",
           "init_app", "put", "clear", "derived"]

# Figures derived from the whole catalog (the listing counts), kept per generation in this
# process, apart from the pages: a flood of distinct addresses evicts pages, never these.
_derived = LocalStore(64, 24 * 3600)


def init_app(app: Flask) -> None:
    """Choose the store and watch the primary database for catalog writes."""
    config = app.config
    if not config.get("PAGE_CACHE", True):
        store = NoStore()
    elif config.get("REDIS_URL"):
        store = RedisStore(config["REDIS_URL"], config["PAGE_CACHE_SECONDS"],
                           config.get("PAGE_CACHE_PREFIX") or "ocop:page:")
    else:
        store = LocalStore(config["PAGE_CACHE_ENTRIES"], config["PAGE_CACHE_SECONDS"])
    app.extensions["shop_page_cache"] = store
    with app.app_context():
        counter.watch(db.engine)


def _store():
    return current_app.extensions["shop_page_cache"]


def get(key: str) -> bytes | None:
    return _store().get(key)


def put(key: str, value: bytes) -> None:
    _store().set(key, value)


def clear() -> None:
    _store().clear()
    _derived.clear()


def derived(key: str, compute: Callable[[], object]):
    """`compute()`, kept under `key` (which names the generation it was computed at) for the
    threads of this process; the value is shared, so it must not be changed (a tuple). Kept
    whatever PAGE_CACHE says: the key alone makes it exact."""
    from shop.database import read_engine

    key = f"{read_engine().url!r}\n{key}"
    value = _derived.get(key)
    if value is None:
        value = compute()
        _derived.set(key, value)
    return value
