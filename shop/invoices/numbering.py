"""Invoice numbers: 1, 2, 3... per seller, template, symbol and year, with no gap and no
duplicate.

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


def next_number(seller: str, template: str, symbol: str, year: int) -> int:
    """Take the next number of the series. Caller commits."""
    insert = pg_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert
    key = {"seller": seller, "template": template, "symbol": symbol, "year": year}
    db.session.execute(insert(InvoiceSeries).values(**key, last_number=0)
                       .on_conflict_do_nothing(index_elements=list(key)))
    number = db.session.execute(
        update(InvoiceSeries)
        .where(*(getattr(InvoiceSeries, name) == value for name, value in key.items()),
               InvoiceSeries.last_number < MAX_NUMBER)
        .values(last_number=InvoiceSeries.last_number + 1)
        .returning(InvoiceSeries.last_number)
        .execution_options(synchronize_session=False)).scalar_one_or_none()
    if number is None:
        raise SeriesExhausted(f"the invoice series {template}{symbol} of {year} has used all "
                              f"{MAX_NUMBER} numbers")
    return number
