"""The generations: counters in the database raised after every commit that wrote what the
storefront shows, which key the cached pages.

- `catalog`: products, prices, photos, certificates, producers, sales points. One change makes
  every older entry unreachable at once, in every worker and on every host, without anyone
  listing which pages a change touches.
- stock, by product (table `product_stock`): the stock ledger names the variants each write
  changes (`stock_variants`, an execution option of its statements). After the commit, each of
  their products gets a new `version` (what its own page and API read are keyed by), and its
  flag `in_stock` (can the shop sell it online now) is brought up to date. Listings show only
  that flag: `available` is raised only when some product's flag turned, so a sale that leaves
  a product in stock keeps every listing in the cache.
- `stock`: any other write of stock levels (a bulk import by hand, a migration) raises it, and it
  is in the key of every page that shows stock: the shop is never less exact than one counter.

Writes are noticed on the engine, whatever issued them (an ORM flush, `update(StockLevel)` on
the session or a Core insert on its connection), and the counters are raised in a short
transaction of their own once the commit is done and the connection back in the pool: raising
them inside the writer's transaction would make every stock write in the country queue on one
row.

Every page reads the counters before anything else, so that read is made cheap: a few
connections of its own (OWN_CONNECTIONS per process), outside the pool and in autocommit, and asks the
database one question (about 5 us on SQLite, one round trip on PostgreSQL), instead of
opening the ORM session, checking a connection out of the pool and handing it back (about
220 us, a fifth of a cached page). A page answered from the cache then never touches the
session at all. The answer is as fresh as the ORM's: each read sees the last commit.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import os
import threading
import weakref
from collections.abc import Iterable
from contextvars import ContextVar

from sqlalchemy import bindparam, event, false, literal, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session

from shop.cache.models import CacheGeneration, ProductStock
from shop.extensions import db

log = logging.getLogger(__name__)

CATALOG = "catalog"
STOCK = "stock"
AVAILABLE = "available"
PRODUCT = "product"  # the key of a product's own stock version in what `current_all` answers
# What each counter covers. Stock moves with every sale and order; the products, their prices,
# certificates and photos, the producers and sales points change rarely. Keeping them apart
# lets what does not show stock (the home page, the facet counts of the listing) outlive a
# checkout.
COUNTER_OF_TABLE = {"producer": CATALOG, "product": CATALOG, "variant": CATALOG,
                    "certificate": CATALOG, "product_photo": CATALOG, "location": CATALOG,
                    "search_document": CATALOG, "stock_level": STOCK}
WATCHED_TABLES = frozenset(COUNTER_OF_TABLE)
STOCK_VARIANTS = "stock_variants"  # the execution option naming the variants a write changes
# Connections a process keeps for reading the generations (beside the engine's pool): a sync
# worker uses one; threads beyond this many read through the session when all are in use.
OWN_CONNECTIONS = 4
_WRITTEN = "shop_catalog_written"
_VARIANTS = "shop_stock_variants"
_CHUNK = 500
_committed: ContextVar[tuple[Engine, frozenset[str], frozenset[int]] | None] = ContextVar(
    "catalog_committed", default=None)


def watch(engine: Engine) -> None:
    """Raise the generations after each commit on `engine` that wrote a watched table."""
    if event.contains(engine, "after_execute", _noted):
        return
    event.listen(engine, "after_execute", _noted)
    event.listen(engine, "commit", _committing)
    event.listen(engine, "rollback", _rolled_back)
    if not event.contains(Session, "after_transaction_end", _after_transaction):
        event.listen(Session, "after_transaction_end", _after_transaction)


def _noted(conn, clauseelement, multiparams, params, execution_options, result) -> None:
    if getattr(clauseelement, "is_dml", False):
        table = getattr(clauseelement, "table", None)
        name = COUNTER_OF_TABLE.get(getattr(table, "name", None))
        if name is None:
            return
        variants = execution_options.get(STOCK_VARIANTS) if name == STOCK else None
        if variants:
            conn.info.setdefault(_VARIANTS, set()).update(variants)
        else:
            conn.info.setdefault(_WRITTEN, set()).add(name)


def _committing(conn) -> None:
    names, variants = conn.info.pop(_WRITTEN, None) or set(), conn.info.pop(_VARIANTS, None) or set()
    if names or variants:
        pending = _committed.get()
        if pending is not None and pending[0] is conn.engine:
            names, variants = names | pending[1], variants | pending[2]
        _committed.set((conn.engine, frozenset(names), frozenset(variants)))


def _rolled_back(conn) -> None:
    conn.info.pop(_WRITTEN, None)
    conn.info.pop(_VARIANTS, None)


def _after_transaction(session, transaction) -> None:
    """After the session's outer transaction has given its connection back: a writer never
    holds two connections (a pool sized for one per thread stays enough)."""
    pending = _committed.get()
    if pending is not None and transaction.parent is None:
        _committed.set(None)
        engine, names, variants = pending
        if names:
            bump(engine, *sorted(names))
        if variants:
            restock(engine, variants)


def bump(engine: Engine, *names: str) -> None:
    """Raise the counters `names` (the catalog's by default) by one each, creating them at 1,
    in one short transaction. A failure is logged, not raised: the change it follows is
    committed, and cached entries expire on their own."""
    try:
        with engine.begin() as connection:
            _raise(connection, names or (CATALOG,))
    except Exception:
        log.exception("could not raise the cache generations %s", names or (CATALOG,))


def _raise(connection: Connection, names: Iterable[str]) -> None:
    table = CacheGeneration.__table__
    insert = pg_insert if connection.dialect.name == "postgresql" else sqlite_insert
    for name in names:
        raised = connection.execute(update(table).where(table.c.name == name)
                                    .values(value=table.c.value + 1))
        if raised.rowcount == 0:
            connection.execute(insert(table).values(name=name, value=1)
                               .on_conflict_do_update(index_elements=["name"],
                                                      set_={"value": table.c.value + 1}))


def restock(engine: Engine, variant_ids: Iterable[int]) -> None:
    """After a commit that changed the stock of `variant_ids`: a new stock version for each of
    their products, their `in_stock` flags as the stock stands now, and the `available`
    generation raised when a flag turned (or was not known at the current `stock` generation).

    The versions are raised first: that write takes the rows (and on SQLite the write lock)
    before the stock is read, so two of these for one product run one after the other and the
    later one reads the later stock. Two statements, built once: raise the versions, read the
    flags with the stock. A failure raises `stock` instead, which every page that shows stock
    depends on."""
    ids = sorted(set(variant_ids))
    try:
        raise_versions, flags, set_flag = _restock_statements(engine.dialect.name)
        with engine.begin() as connection:
            turned = False
            for start in range(0, len(ids), _CHUNK):
                chunk = {"variants": ids[start:start + _CHUNK]}
                connection.execute(raise_versions, chunk)
                for product_id, flag, seen, stock_generation, available in connection.execute(
                        flags, chunk):
                    now = int(available or 0) > 0
                    if flag != now or seen != (stock_generation or 0):
                        turned = True
                        connection.execute(set_flag, {"product": product_id, "in_stock": now,
                                                      "seen": stock_generation or 0})
            if turned:
                _raise(connection, (AVAILABLE,))
    except Exception:
        log.exception("could not raise the stock versions of %d variants", len(ids))
        bump(engine, STOCK)


@functools.cache
def _restock_statements(dialect: str):
    from shop.catalog.models import Variant
    from shop.inventory.queries import online_available_of

    table = ProductStock.__table__
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    variants = bindparam("variants", expanding=True)
    products = select(Variant.product_id).where(Variant.id.in_(variants))
    upsert = insert(table).from_select(
        ["product_id", "version", "in_stock", "stock_generation"],
        select(Variant.product_id, literal(1), false(), literal(-1)).where(Variant.id.in_(variants))
        .distinct())
    raise_versions = upsert.on_conflict_do_update(index_elements=["product_id"],
                                                  set_={"version": table.c.version + 1})
    available = online_available_of(products).subquery()
    generation = select(CacheGeneration.value).where(CacheGeneration.name == STOCK).scalar_subquery()
    flags = (select(table.c.product_id, table.c.in_stock, table.c.stock_generation, generation,
                    available.c.units)
             .outerjoin(available, available.c.product_id == table.c.product_id)
             .where(table.c.product_id.in_(products)).order_by(table.c.product_id))
    set_flag = (update(table).where(table.c.product_id == bindparam("product"))
                .values(in_stock=bindparam("in_stock"), stock_generation=bindparam("seen")))
    return raise_versions, flags, set_flag


def current(name: str = CATALOG) -> int:
    """The counter as the session's database sees it (the replica's, for pages read there)."""
    return current_all().get(name, 0)


def current_all(product_slug: str | None = None) -> dict[str, int]:
    """Every counter, in one read; with `product_slug`, also that product's stock version
    (under PRODUCT; 0 for a product without one, or no such product)."""
    from shop.database import read_engine

    engine = read_engine()
    reader = _readers.get(engine)
    if reader is None:
        reader = _readers.setdefault(engine, _Reader(engine))
    values = reader.read(product_slug)
    if values is None:
        values = {name: int(value or 0) for name, value in
                  db.session.execute(select(CacheGeneration.name, CacheGeneration.value))}
        if product_slug is not None:
            from shop.catalog.models import Product

            values[PRODUCT] = int(db.session.scalar(
                select(ProductStock.version).join(Product, Product.id == ProductStock.product_id)
                .where(Product.slug == product_slug)) or 0)
    return values


class _Reader:
    """Reads the counters of one engine on connections of its own: at most OWN_CONNECTIONS per
    process, opened by the engine's dialect with the engine's own connect arguments, in
    autocommit, each used by one thread at a time and given back. A read finding them all in
    use goes through the session (and its pool) instead, so a process with many threads never
    holds more than OWN_CONNECTIONS of these. Any failure closes that connection and answers
    None: the caller then asks through the session, which reports the failure as every other
    read does (a database that is down gives its 503). A database held only in memory (which
    one connection alone sees) is always read through the session. Disposing the engine
    closes them; a forked worker opens its own (those it inherited are its parent's)."""

    def __init__(self, engine: Engine):
        url = engine.url
        self.usable = url.database not in (None, "", ":memory:") and \
            "mode=memory" not in str(url.query.get("mode", ""))
        self.dialect = engine.dialect
        self.cargs, self.cparams = engine.dialect.create_connect_args(url)
        if engine.dialect.name == "sqlite":
            self.cparams = {**self.cparams, "check_same_thread": False}
        mark = "?" if engine.dialect.paramstyle == "qmark" else "%s"
        self.with_product = (
            "SELECT name, value FROM cache_generation UNION ALL "
            f"SELECT {mark}, product_stock.version FROM product_stock JOIN product "
            f"ON product.id = product_stock.product_id WHERE product.slug = {mark}")
        self.lock = threading.Lock()
        self.pid, self.epoch = os.getpid(), 0
        self.idle: list = []  # connections not in use, last given back on top
        self.opened = 0  # connections of this process and epoch, idle or in use
        event.listen(engine, "engine_disposed", lambda _engine: self.close())

    def read(self, product_slug: str | None = None) -> dict[str, int] | None:
        if not self.usable:
            return None
        taken = self._take()
        if taken is None:
            return None
        connection, epoch = taken
        try:
            cursor = connection.cursor()
            try:
                if product_slug is None:
                    cursor.execute("SELECT name, value FROM cache_generation")
                else:
                    cursor.execute(self.with_product, (PRODUCT, product_slug))
                values = {name: int(value or 0) for name, value in cursor.fetchall()}
            finally:
                cursor.close()
        except Exception:
            log.debug("reading the cache generation on its own connection failed", exc_info=True)
            self._give(connection, epoch, broken=True)
            return None
        self._give(connection, epoch)
        if product_slug is not None:
            values.setdefault(PRODUCT, 0)
        return values

    def _take(self):
        with self.lock:
            if self.pid != os.getpid():  # forked: what it holds is its parent's, left alone
                self.pid, self.idle, self.opened = os.getpid(), [], 0
            if self.idle:
                return self.idle.pop(), self.epoch
            if self.opened >= OWN_CONNECTIONS:
                return None
            self.opened += 1
            epoch = self.epoch
        try:
            connection = self.dialect.connect(*self.cargs, **self.cparams)
            if self.dialect.name == "sqlite":
                connection.isolation_level = None
            else:
                connection.autocommit = True
        except Exception:
            log.debug("opening a connection for the cache generation failed", exc_info=True)
            with self.lock:
                if epoch == self.epoch:
                    self.opened -= 1
            return None
        return connection, epoch

    def _give(self, connection, epoch: int, broken: bool = False) -> None:
        with self.lock:
            keep = not broken and epoch == self.epoch and self.pid == os.getpid()
            if keep:
                self.idle.append(connection)
            elif epoch == self.epoch:
                self.opened -= 1
        if not keep:
            with contextlib.suppress(Exception):
                connection.close()

    def close(self) -> None:
        """Close the idle connections, and those in use when they are given back (the engine
        is disposed); new reads open again."""
        with self.lock:
            idle, self.idle = self.idle, []
            self.epoch += 1
            self.opened = 0
            mine = self.pid == os.getpid()
        for connection in idle if mine else ():
            with contextlib.suppress(Exception):
                connection.close()


_readers: weakref.WeakKeyDictionary[Engine, _Reader] = weakref.WeakKeyDictionary()
