"""The catalog generation: a counter in the database raised after every commit that wrote a
table the storefront shows (products, prices, photos, certificates, producers, stock).

Cached pages are keyed by it, so one change makes every older entry unreachable at once, in
every worker and on every host, without anyone listing which pages a change touches. Writes
are noticed on the engine, whatever issued them (an ORM flush, `update(StockLevel)` on the
session or a Core insert on its connection), and the counter is raised in a short
transaction of its own once the commit is done and the connection back in the pool: raising
it inside the writer's transaction would make every stock write in the country queue on one
row.

Every page reads the counter before anything else, so that read is made cheap: each thread
keeps a connection of its own for it, outside the pool and in autocommit, and asks the
database one question (about 5 us on SQLite, one round trip on PostgreSQL), instead of
opening the ORM session, checking a connection out of the pool and handing it back (about
220 us, a fifth of a cached page). A page answered from the cache then never touches the
session at all. The answer is as fresh as the ORM's: each read sees the last commit.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import weakref
from contextvars import ContextVar

from sqlalchemy import event, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from shop.cache.models import CacheGeneration
from shop.extensions import db

log = logging.getLogger(__name__)

CATALOG = "catalog"
STOCK = "stock"
# What each counter covers. Stock moves with every sale and order; the products, their prices,
# certificates and photos, the producers and sales points change rarely. Keeping them apart
# lets what does not show stock (the home page, the facet counts of the listing) outlive a
# checkout.
COUNTER_OF_TABLE = {"producer": CATALOG, "product": CATALOG, "variant": CATALOG,
                    "certificate": CATALOG, "product_photo": CATALOG, "location": CATALOG,
                    "search_document": CATALOG, "stock_level": STOCK}
WATCHED_TABLES = frozenset(COUNTER_OF_TABLE)
_WRITTEN = "shop_catalog_written"
_committed: ContextVar[tuple[Engine, frozenset[str]] | None] = ContextVar("catalog_committed",
                                                                          default=None)


def watch(engine: Engine) -> None:
    """Raise the generation after each commit on `engine` that wrote a watched table."""
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
        if name is not None:
            conn.info.setdefault(_WRITTEN, set()).add(name)


def _committing(conn) -> None:
    names = conn.info.pop(_WRITTEN, None)
    if names:
        pending = _committed.get()
        if pending is not None and pending[0] is conn.engine:
            names = names | pending[1]
        _committed.set((conn.engine, frozenset(names)))


def _rolled_back(conn) -> None:
    conn.info.pop(_WRITTEN, None)


def _after_transaction(session, transaction) -> None:
    """After the session's outer transaction has given its connection back: a writer never
    holds two connections (a pool sized for one per thread stays enough)."""
    pending = _committed.get()
    if pending is not None and transaction.parent is None:
        _committed.set(None)
        bump(pending[0], *sorted(pending[1]))


def bump(engine: Engine, *names: str) -> None:
    """Raise the counters `names` (the catalog's by default) by one each, creating them at 1,
    in one short transaction. A failure is logged, not raised: the change it follows is
    committed, and cached entries expire on their own."""
    table = CacheGeneration.__table__
    insert = pg_insert if engine.dialect.name == "postgresql" else sqlite_insert
    try:
        with engine.begin() as connection:
            for name in names or (CATALOG,):
                raised = connection.execute(update(table).where(table.c.name == name)
                                            .values(value=table.c.value + 1))
                if raised.rowcount == 0:
                    connection.execute(insert(table).values(name=name, value=1)
                                       .on_conflict_do_update(index_elements=["name"],
                                                              set_={"value": table.c.value + 1}))
    except Exception:
        log.exception("could not raise the cache generations %s", names or (CATALOG,))


def current(name: str = CATALOG) -> int:
    """The counter as the session's database sees it (the replica's, for pages read there)."""
    return current_all().get(name, 0)


def current_all() -> dict[str, int]:
    """Every counter, in one read."""
    from shop.database import read_engine

    engine = read_engine()
    reader = _readers.get(engine)
    if reader is None:
        reader = _readers.setdefault(engine, _Reader(engine))
    values = reader.read()
    if values is not None:
        return values
    return {name: int(value or 0) for name, value in
            db.session.execute(select(CacheGeneration.name, CacheGeneration.value))}


class _Reader:
    """Reads the counters of one engine on a connection per thread, opened by the engine's
    dialect with the engine's own connect arguments. Any failure closes that connection and
    answers None: the caller then asks through the session, which reports the failure as every
    other read does (a database that is down gives its 503). A database held only in memory
    (which one connection alone sees) is always read through the session. The connections
    are closed when the engine is disposed."""

    def __init__(self, engine: Engine):
        url = engine.url
        self.usable = url.database not in (None, "", ":memory:") and \
            "mode=memory" not in str(url.query.get("mode", ""))
        self.dialect = engine.dialect
        self.cargs, self.cparams = engine.dialect.create_connect_args(url)
        if engine.dialect.name == "sqlite":
            self.cparams = {**self.cparams, "check_same_thread": False}
        self.local = threading.local()
        self.opened: list = []
        self.lock = threading.Lock()
        event.listen(engine, "engine_disposed", lambda _engine: self.close())

    def read(self) -> dict[str, int] | None:
        if not self.usable:
            return None
        held = getattr(self.local, "held", None)
        try:
            if held is None or held[0] != os.getpid():  # a forked worker opens its own
                held = self.local.held = (os.getpid(), self._open())
            cursor = held[1].cursor()
            try:
                cursor.execute("SELECT name, value FROM cache_generation")
                values = {name: int(value or 0) for name, value in cursor.fetchall()}
            finally:
                cursor.close()
        except Exception:
            log.debug("reading the cache generation on its own connection failed", exc_info=True)
            self._drop()
            return None
        return values

    def _open(self):
        connection = self.dialect.connect(*self.cargs, **self.cparams)
        if self.dialect.name == "sqlite":
            connection.isolation_level = None
        else:
            connection.autocommit = True
        with self.lock:
            self.opened.append(connection)
        return connection

    def _drop(self) -> None:
        held = getattr(self.local, "held", None)
        self.local.held = None
        if held is not None and held[0] == os.getpid():
            with self.lock:
                if held[1] in self.opened:
                    self.opened.remove(held[1])
            with contextlib.suppress(Exception):
                held[1].close()

    def close(self) -> None:
        """Close every thread's connection (the engine is disposed); new reads open again."""
        with self.lock:
            opened, self.opened = self.opened, []
        self.local = threading.local()
        for connection in opened:
            with contextlib.suppress(Exception):
                connection.close()


_readers: weakref.WeakKeyDictionary[Engine, _Reader] = weakref.WeakKeyDictionary()
