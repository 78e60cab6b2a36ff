"""The catalog generation: a counter in the database raised after every commit that wrote a
table the storefront shows (products, prices, photos, certificates, producers, stock).

Cached pages are keyed by it, so one change makes every older entry unreachable at once, in
every worker and on every host, without anyone listing which pages a change touches. Writes
are noticed on the engine, whatever issued them (an ORM flush, `update(StockLevel)` on the
session or a Core insert on its connection), and the counter is raised in a short
transaction of its own once the commit is done and the connection back in the pool: raising
it inside the writer's transaction would make every stock write in the country queue on one
row.
"""

from __future__ import annotations

import logging
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
WATCHED_TABLES = frozenset({"producer", "product", "variant", "certificate", "product_photo",
                            "location", "stock_level", "search_document"})
_WRITTEN = "shop_catalog_written"
_committed: ContextVar[Engine | None] = ContextVar("catalog_committed", default=None)


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
        if getattr(table, "name", None) in WATCHED_TABLES:
            conn.info[_WRITTEN] = True


def _committing(conn) -> None:
    if conn.info.pop(_WRITTEN, False):
        _committed.set(conn.engine)


def _rolled_back(conn) -> None:
    conn.info.pop(_WRITTEN, None)


def _after_transaction(session, transaction) -> None:
    """After the session's outer transaction has given its connection back: a writer never
    holds two connections (a pool sized for one per thread stays enough)."""
    engine = _committed.get()
    if engine is not None and transaction.parent is None:
        _committed.set(None)
        bump(engine)


def bump(engine: Engine, name: str = CATALOG) -> None:
    """Raise the counter `name` by one (creating it at 1). A failure is logged, not raised:
    the change it follows is committed, and cached entries expire on their own."""
    table = CacheGeneration.__table__
    insert = pg_insert if engine.dialect.name == "postgresql" else sqlite_insert
    try:
        with engine.begin() as connection:
            raised = connection.execute(update(table).where(table.c.name == name)
                                        .values(value=table.c.value + 1))
            if raised.rowcount == 0:
                connection.execute(insert(table).values(name=name, value=1)
                                   .on_conflict_do_update(index_elements=["name"],
                                                          set_={"value": table.c.value + 1}))
    except Exception:
        log.exception("could not raise the %s cache generation", name)


def current(name: str = CATALOG) -> int:
    """The counter as the session's database sees it (the replica's, for pages read there)."""
    return db.session.scalar(select(CacheGeneration.value)
                             .where(CacheGeneration.name == name)) or 0
