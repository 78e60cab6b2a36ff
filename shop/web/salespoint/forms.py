"""Reading the portal's plain HTML forms into typed values.

Each reader returns what it read, what was typed (to show the form again) and `problems`:
field name -> a message for the person at the counter. Only the shape of the input is checked
here (a whole number, a date, a choice that was offered); the services decide everything else
and check again.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from flask_babel import get_locale
from flask_babel import gettext as _

from shop import dates
from shop.clock import VIETNAM
from shop.inventory.models import MAX_QUANTITY
from shop.money import format_vnd, read_amount
from shop.pos.limits import MAX_SALE_TOTAL_VND
from shop.pos.schemas import SaleLineInput
from shop.web.labels import DAY_OUT_OF_RANGE

TILL_LINES = 5
_WHOLE = re.compile(r"[0-9]{1,9}")


def whole_number(text: str | None, minimum: int, maximum: int = MAX_QUANTITY) -> int | None:
    """A whole number within bounds, or None ('3', not '3.5', '-1', '' or '٣')."""
    text = (text or "").strip()
    if not _WHOLE.fullmatch(text):
        return None
    value = int(text)
    return value if minimum <= value <= maximum else None


def fresh_id() -> str:
    """A new id for a sale or a count, made when its form is shown: sending the same form
    twice then names the same sale or count."""
    return str(uuid.uuid4())


def _uuid(text: str | None) -> str | None:
    try:
        return str(uuid.UUID((text or "").strip()))
    except ValueError:
        return None


def _price(text: str) -> int | None:
    """A price typed at the till, within the shop's one bound on amounts; else None."""
    try:
        return read_amount(text)
    except ValueError:
        return None


# --- the web till -------------------------------------------------------------------------

@dataclass
class TillEntry:
    sale_id: str
    payment_method: str
    rows: list[dict[str, str]]
    lines: list[SaleLineInput] = field(default_factory=list)
    problems: dict[str, str] = field(default_factory=dict)


def blank_till() -> TillEntry:
    return TillEntry(fresh_id(), "cash",
                     [{"sku": "", "quantity": "1", "price": ""} for _ in range(TILL_LINES)])


def read_till(form, prices: dict[str, int], methods: tuple[str, ...]) -> TillEntry:
    """The sale typed at the web till. `prices` holds the list price of each SKU the sales
    point stocks: a line without a price sells at it."""
    problems: dict[str, str] = {}
    sale_id = _uuid(form.get("sale_id"))
    if sale_id is None:
        problems["sale_id"] = _("This form is out of date. Open the till again.")
    method = form.get("payment_method", "")
    if method not in methods:
        problems["payment_method"] = _("Choose how the customer paid.")
    rows, lines = [], []
    for n in range(TILL_LINES):
        row = {"sku": form.get(f"sku-{n}", "").strip(),
               "quantity": form.get(f"quantity-{n}", "").strip(),
               "price": form.get(f"price-{n}", "").strip()}
        rows.append(row)
        if not row["sku"]:
            continue
        if row["sku"] not in prices:
            problems[f"sku-{n}"] = _("%(sku)s is not stocked at this sales point.", sku=row["sku"])
            continue
        quantity = whole_number(row["quantity"], 1)
        if quantity is None:
            problems[f"quantity-{n}"] = _("Enter a whole number from 1 to %(max)d.",
                                          max=MAX_QUANTITY)
        price = _price(row["price"]) if row["price"] else prices[row["sku"]]
        if price is None:
            problems[f"price-{n}"] = _("Enter a price in đồng, for example 150000.")
        if quantity is not None and price is not None:
            lines.append(SaleLineInput(row["sku"], quantity, price))
    if not any(row["sku"] for row in rows):
        problems["lines"] = _("Add at least one product to the sale.")
    elif sum(line.quantity * line.unit_price_vnd for line in lines) > MAX_SALE_TOTAL_VND:
        problems["lines"] = _("A sale can total at most %(max)s: split it into several sales.",
                              max=format_vnd(MAX_SALE_TOTAL_VND, str(get_locale())))
    return TillEntry(sale_id or "", method, rows, lines, problems)


# --- counts and transfers -------------------------------------------------------------------

@dataclass
class CountEntry:
    count_id: str
    rows: dict[str, str]
    lines: list[tuple[str, int]] = field(default_factory=list)
    problems: dict[str, str] = field(default_factory=dict)


def read_count(form) -> CountEntry:
    """A shelf count: `counted-<SKU>` per product; a blank one was not counted."""
    problems: dict[str, str] = {}
    count_id = _uuid(form.get("count_id"))
    if count_id is None:
        problems["count_id"] = _("This form is out of date. Start the count again.")
    rows, lines = {}, []
    for key in form:
        if not key.startswith("counted-"):
            continue
        sku, text = key.removeprefix("counted-"), form.get(key, "").strip()
        rows[sku] = text
        if not text:
            continue
        counted = whole_number(text, 0)
        if counted is None:
            problems[key] = _("Enter a whole number from 0 to %(max)d, or leave it blank.",
                              max=MAX_QUANTITY)
        else:
            lines.append((sku, counted))
    if not lines and not problems:
        problems["lines"] = _("Enter the counted quantity of at least one product.")
    return CountEntry(count_id or "", rows, lines, problems)


def read_received(form) -> tuple[dict[str, int], dict[str, str], dict[str, str]]:
    """What arrived of each line of a transfer: (quantities by SKU, typed rows, problems)."""
    received, rows, problems = {}, {}, {}
    for key in form:
        if not key.startswith("received-"):
            continue
        sku, text = key.removeprefix("received-"), form.get(key, "").strip()
        rows[sku] = text
        quantity = whole_number(text, 0)
        if quantity is None:
            problems[key] = _("Enter how many arrived: a whole number, 0 if none.")
        else:
            received[sku] = quantity
    return received, rows, problems


# --- adjustments ----------------------------------------------------------------------------

@dataclass
class AdjustmentEntry:
    sku: str
    quantity: int | None
    reason: str
    note: str
    rows: dict[str, str]
    problems: dict[str, str] = field(default_factory=dict)


def read_adjustment(form, reasons) -> AdjustmentEntry:
    rows = {name: form.get(name, "").strip() for name in ("sku", "quantity", "reason", "note")}
    problems = {}
    if not rows["sku"]:
        problems["sku"] = _("Choose a product.")
    quantity = whole_number(rows["quantity"], 1)
    if quantity is None:
        problems["quantity"] = _("Enter a whole number from 1 to %(max)d.", max=MAX_QUANTITY)
    if rows["reason"] not in reasons:
        problems["reason"] = _("Choose damage or return.")
    if not rows["note"]:
        problems["note"] = _("Say what happened.")
    return AdjustmentEntry(rows["sku"], quantity, rows["reason"], rows["note"], rows, problems)


# --- the movement filter --------------------------------------------------------------------

@dataclass
class MovementFilter:
    sku: str | None
    reason: str | None
    since: datetime | None
    until: datetime | None
    rows: dict[str, str]
    problems: dict[str, str] = field(default_factory=dict)


def _day(rows: dict[str, str], name: str, problems: dict[str, str]) -> date | None:
    if not rows[name]:
        return None
    try:
        return dates.parse_day(rows[name])
    except dates.OutOfRange:
        problems[name] = str(DAY_OUT_OF_RANGE)
    except ValueError:
        problems[name] = _("Write the date as YYYY-MM-DD, for example 2026-11-22.")
    return None


def read_movement_filter(args, reasons) -> MovementFilter:
    """sku, reason, from and to (days in Vietnam, YYYY-MM-DD; `to` includes its whole day)."""
    rows = {name: args.get(name, "").strip() for name in ("sku", "reason", "from", "to")}
    problems = {}
    if rows["reason"] and rows["reason"] not in reasons:
        problems["reason"] = _("Choose a reason from the list.")
    first, last = _day(rows, "from", problems), _day(rows, "to", problems)
    since = datetime.combine(first, time.min, VIETNAM) if first else None
    until = datetime.combine(last + timedelta(days=1), time.min, VIETNAM) if last else None
    if since and until and since >= until:
        problems["to"] = _("The end date is before the start date.")
    return MovementFilter(rows["sku"] or None, rows["reason"] or None, since, until, rows, problems)


# --- devices --------------------------------------------------------------------------------

def read_device(form) -> tuple[str, bool]:
    return form.get("name", "").strip()[:100], form.get("can_apply_counts") == "y"
