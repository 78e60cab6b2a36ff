"""A bank statement read against the orders that wait for a bank transfer.

The CSV has the columns `date` (YYYY-MM-DD or DD/MM/YYYY), `amount_vnd` (whole đồng) and
`purpose` (the transfer's description, where VietQR put the order number); other columns are
ignored. A row naming an order that waits for a transfer confirms it (an amount that differs
flags the order); every other row is listed back. A file with an unreadable row changes nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date

from sqlalchemy import select

from shop import dates
from shop.csvfile import parse_int, read_rows
from shop.database import write_transaction
from shop.errors import Conflict, ImportRefused
from shop.extensions import db
from shop.money import MAX_AMOUNT_VND
from shop.orders.models import Order
from shop.payments import services as payments

# Banks keep letters, digits and spaces of a purpose; some drop the dash of "OC2611-000123".
ORDER_NUMBER = re.compile(r"OC\s?(\d{4})\s?-?\s?(\d{6})", re.IGNORECASE | re.ASCII)
OUTCOMES = ("paid", "flagged", "already_paid", "not_waiting", "unknown_order", "no_order_number",
            "not_a_credit")


@dataclass(frozen=True)
class Line:
    line: int
    day: date
    amount_vnd: int
    purpose: str
    order_number: str | None = None
    outcome: str = ""
    message: str = ""


def _day(text: str) -> date:
    try:
        return dates.parse_day_either(text)
    except dates.OutOfRange:
        raise ValueError(f"expected a day from {dates.FIRST_DAY} to {dates.LAST_DAY}, "
                         f"found {text!r}") from None
    except ValueError:
        raise ValueError(f"expected a date as YYYY-MM-DD or DD/MM/YYYY, found {text!r}") from None


def read(data: bytes | str) -> list[Line]:
    """Every row of the statement, or ImportRefused naming each unreadable row."""
    lines, problems = [], []
    for row in read_rows(data, ("date", "amount_vnd", "purpose")):
        if row.problem:
            problems.append((row.line, row.problem))
            continue
        try:
            day = _day(row["date"])
            amount = parse_int(row["amount_vnd"].replace(".", "").replace(",", ""),
                               minimum=-MAX_AMOUNT_VND, maximum=MAX_AMOUNT_VND)
        except ValueError as error:
            problems.append((row.line, str(error)))
            continue
        match = ORDER_NUMBER.search(row["purpose"])
        number = f"OC{match.group(1)}-{match.group(2)}" if match else None
        lines.append(Line(row.line, day, amount, row["purpose"].strip(), number))
    if problems:
        raise ImportRefused(problems)
    return lines


def import_statement(data: bytes | str, *, actor_id: int | None) -> list[Line]:
    """Confirm the transfers a statement shows, in one transaction; what happened to each row."""
    lines = read(data)
    with write_transaction(db.session):
        return [_apply(line, actor_id) for line in lines]


def _apply(line: Line, actor_id: int | None) -> Line:
    if line.amount_vnd <= 0:
        return _with(line, "not_a_credit")
    if line.order_number is None:
        return _with(line, "no_order_number")
    order = db.session.scalar(select(Order).where(Order.number == line.order_number)
                              .with_for_update())
    if order is None:
        return _with(line, "unknown_order")
    if order.payment_status == "paid":
        return _with(line, "already_paid")
    try:
        paid = payments.record_transfer(order, line.amount_vnd, actor_id=actor_id,
                                        note=f"bank statement, line {line.line}")
    except Conflict as error:
        return _with(line, "not_waiting", error.message)
    return _with(line, "paid" if paid else "flagged")


def _with(line: Line, outcome: str, message: str = "") -> Line:
    return replace(line, outcome=outcome, message=message)
