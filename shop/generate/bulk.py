"""Bulk writing for the generator: ids handed out in Python, rows inserted in chunks.

Rows go in through the driver, a chunk of several thousand at a time: `executemany` with
SQLite, `COPY ... FROM STDIN` with PostgreSQL, in the session's own transaction. (SQLAlchemy
Core's `executemany` with lists of dicts spent most of its time binding parameters: two
thirds of the generator's time at this size.) Ids are chosen here
(from the table's current maximum) so that rows can name each other before they are written;
PostgreSQL's sequences are moved past them at the end.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from operator import itemgetter

from sqlalchemy import Date, DateTime, Table, func, select, text

from shop.extensions import db

CHUNK = 5_000


class Writer:
    """Buffers rows per table and writes them in chunks, parents before children."""

    def __init__(self, tables: list[Table], chunk: int = CHUNK):
        self.order = [t.name for t in tables]
        self.tables = {t.name: t for t in tables}
        self.pending: dict[str, list[dict]] = defaultdict(list)
        self.next_ids: dict[str, int] = {}
        self.written: dict[str, int] = defaultdict(int)
        self.chunk = chunk

    def new_id(self, table: str) -> int:
        if table not in self.next_ids:
            column = self.tables[table].c.id
            self.next_ids[table] = (db.session.scalar(select(func.max(column))) or 0) + 1
        value = self.next_ids[table]
        self.next_ids[table] = value + 1
        return value

    def add(self, table: str, row: dict) -> None:
        rows = self.pending[table]
        rows.append(row)
        if len(rows) >= self.chunk * 4:
            self.flush()

    def flush(self) -> None:
        """Write everything buffered, tables in dependency order (foreign keys hold)."""
        connection = db.session.connection()
        driver = connection.connection.driver_connection
        insert = _copy if connection.dialect.name == "postgresql" else _executemany
        for name in self.order:
            rows = self.pending.pop(name, None)
            for start in range(0, len(rows or ()), self.chunk):
                part = rows[start:start + self.chunk]
                insert(driver, self.tables[name], part)
                self.written[name] += len(part)

    def move_sequences(self) -> None:
        """PostgreSQL: set each serial id's sequence past the ids written here."""
        if db.session.get_bind().dialect.name != "postgresql":
            return
        for name in self.next_ids:
            db.session.execute(text(
                f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                f"(SELECT COALESCE(MAX(id), 0) + 1 FROM {name}), false)"))


def _copy(driver, table: Table, rows: list[dict]) -> None:
    columns = list(rows[0])
    names = ", ".join(f'"{c}"' for c in columns)
    with driver.cursor() as cursor, cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row([row[c] for c in columns])


def _sqlite_text(column):
    """How SQLAlchemy's SQLite types store a value: DATETIME and DATE as text."""
    kind = getattr(column.type, "impl", column.type)
    if isinstance(kind, DateTime):
        return lambda v: v.isoformat(" ", "microseconds")
    if isinstance(kind, Date):
        return date.isoformat
    return None


def _executemany(driver, table: Table, rows: list[dict]) -> None:
    columns = list(rows[0])
    for column in columns:
        convert = _sqlite_text(table.c[column])
        if convert is not None:
            for row in rows:
                if row[column] is not None:
                    row[column] = convert(row[column])
    values = map(itemgetter(*columns), rows) if len(columns) > 1 else ((r[columns[0]],) for r in rows)
    names = ", ".join(f'"{c}"' for c in columns)
    marks = ", ".join("?" for _ in columns)
    cursor = driver.cursor()
    cursor.execute("PRAGMA cache_size = -262144")  # 256 MB: the indexes stay in memory
    cursor.executemany(f'INSERT INTO "{table.name}" ({names}) VALUES ({marks})', values)
    cursor.close()
