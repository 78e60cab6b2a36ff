"""Bulk writing for the generator: ids handed out in Python, rows inserted in chunks.

Rows go in with SQLAlchemy Core `executemany` (lists of dicts), several thousand to a
statement batch, so that millions of rows take minutes rather than hours. Ids are chosen here
(from the table's current maximum) so that rows can name each other before they are written;
PostgreSQL's sequences are moved past them at the end.
"""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import Table, func, select, text

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
        for name in self.order:
            rows = self.pending.pop(name, None)
            for start in range(0, len(rows or ()), self.chunk):
                part = rows[start:start + self.chunk]
                connection.execute(self.tables[name].insert(), part)
                self.written[name] += len(part)

    def move_sequences(self) -> None:
        """PostgreSQL: set each serial id's sequence past the ids written here."""
        if db.session.get_bind().dialect.name != "postgresql":
            return
        for name in self.next_ids:
            db.session.execute(text(
                f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                f"(SELECT COALESCE(MAX(id), 0) + 1 FROM {name}), false)"))
