"""Invoice numbers: 1, 2, 3... per seller, symbol and year, with no gap and no duplicate.

The counter row is created once (INSERT ... ON CONFLICT DO NOTHING, so racing first issues do
not collide) and then raised by a single conditional `UPDATE ... RETURNING`: the database
serialises concurrent issues on the row (PostgreSQL's row lock, SQLite's write lock), and the
number belongs to the caller's transaction, so a rollback gives it back and leaves no gap.
"""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from shop.errors import Conflict
from shop.extensions import db
from shop.invoices.models import MAX_NUMBER, InvoiceSeries


class SeriesExhausted(Conflict):
    code = "invoice_series_exhausted"


def next_number(producer_id: int, symbol: str, year: int) -> int:
    """Take the next number of the series. Caller commits."""
    insert = pg_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert
    db.session.execute(
        insert(InvoiceSeries).values(producer_id=producer_id, symbol=symbol, year=year,
                                     last_number=0)
        .on_conflict_do_nothing(index_elements=["producer_id", "symbol", "year"]))
    number = db.session.execute(
        update(InvoiceSeries)
        .where(InvoiceSeries.producer_id == producer_id, InvoiceSeries.symbol == symbol,
               InvoiceSeries.year == year, InvoiceSeries.last_number < MAX_NUMBER)
        .values(last_number=InvoiceSeries.last_number + 1)
        .returning(InvoiceSeries.last_number)
        .execution_options(synchronize_session=False)).scalar_one_or_none()
    if number is None:
        raise SeriesExhausted(f"the invoice series {symbol} of {year} has used all {MAX_NUMBER} numbers")
    return number
