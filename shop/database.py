"""Engine settings that SQLAlchemy does not apply by itself.

SQLite runs in WAL mode with a busy timeout and foreign keys on. Python's sqlite3 module would
begin transactions on its own terms; we hand that to SQLAlchemy so that a service that is about
to write can start with BEGIN IMMEDIATE (take the write lock first, then read) instead of
failing with "database is locked" when two writers upgrade their read locks at once.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime

from flask_sqlalchemy.session import Session
from sqlalchemy import DateTime, event
from sqlalchemy.engine import Engine
from sqlalchemy.types import TypeDecorator

_write_intent: ContextVar[bool] = ContextVar("write_intent", default=False)
_replica_reads: ContextVar[bool] = ContextVar("replica_reads", default=False)
REPLICA = "replica"


class RoutingSession(Session):
    """Reads of a read-mostly page go to the replica (bind `replica`, from
    DATABASE_REPLICA_URL) when there is one; flushes and write transactions never do."""

    def get_bind(self, mapper=None, clause=None, bind=None, **kwargs):
        if bind is None and _replica_reads.get() and not self._flushing \
                and not _write_intent.get():
            replica = self._db.engines.get(REPLICA)
            if replica is not None:
                return replica
        return super().get_bind(mapper=mapper, clause=clause, bind=bind, **kwargs)


def read_engine() -> Engine:
    """The engine the session's reads go to now: the replica inside `replica_reads()` where
    one is configured, else the primary."""
    from shop.extensions import db

    if _replica_reads.get() and not _write_intent.get():
        replica = db.engines.get(REPLICA)
        if replica is not None:
            return replica
    return db.engine


@contextmanager
def replica_reads() -> Iterator[None]:
    """Let the reads inside go to the read replica, where one is configured."""
    token = _replica_reads.set(True)
    try:
        yield
    finally:
        _replica_reads.reset(token)


def configure_engine(engine: Engine) -> None:
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        # Reads of a national catalog touch more pages than SQLite's default 2 MB cache holds:
        # pages are read through a memory map (shared by every connection of the host) and 32 MB
        # of them are kept per connection.
        for pragma in ("journal_mode=WAL", "foreign_keys=ON", "synchronous=NORMAL",
                       "busy_timeout=30000", "cache_size=-32768", "mmap_size=268435456"):
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        connection.exec_driver_sql("BEGIN IMMEDIATE" if _write_intent.get() else "BEGIN")


@contextmanager
def write_transaction(session) -> Iterator[None]:
    """Run one use case as one write transaction, committed at the end or rolled back.

    A read already under way is ended first, so that on SQLite the writer begins with
    BEGIN IMMEDIATE and reads what it changes under the write lock; PostgreSQL relies on the
    conditional updates and row locks of the statements themselves.
    """
    if session().in_transaction():  # `session` is the scoped session: call it for the Session
        session.commit()
    token = _write_intent.set(True)
    try:
        yield
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        _write_intent.reset(token)


@contextmanager
def write_intent() -> Iterator[None]:
    """Transactions begun inside write from their first statement (BEGIN IMMEDIATE on SQLite)."""
    token = _write_intent.set(True)
    try:
        yield
    finally:
        _write_intent.reset(token)


class UtcDateTime(TypeDecorator):
    """An instant stored as naive UTC on every engine and read back as an aware UTC datetime."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is not None and value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        return value.replace(tzinfo=UTC) if value is not None else None
