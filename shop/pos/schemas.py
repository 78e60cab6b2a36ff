"""Reading the POS contract's JSON (API.md) into typed values; bad input is a 422.

Every rule about what a sale or a count may hold is here, with its bounds in `limits`. The
services judge a `SaleInput` or `CountInput` made anywhere (the web till, a script, a test) by
the same rules (`check_sale`, `check_count`), so that nothing the database cannot store, and no
time a till cannot have made, reaches a transaction.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import asdict, dataclass
from datetime import UTC, datetime

from shop.catalog.models import SKU_PATTERN
from shop.clock import utcnow
from shop.errors import ValidationError
from shop.pos.limits import (
    CLOCK_SKEW,
    EARLIEST,
    MAX_BATCH,
    MAX_COUNT_LINES,
    MAX_LINES,
    MAX_PRICE_VND,
    MAX_QUANTITY,
    MAX_SALE_TOTAL_VND,
    MAX_SKU_LENGTH,
)
from shop.pos.models import PAYMENT_METHODS

SALE_REFUSED = "the sale is not valid; nothing was recorded"
COUNT_REFUSED = "the count is not valid; nothing was recorded"
SKU_PROBLEM = f"a SKU: up to {MAX_SKU_LENGTH} letters, digits, '.', '_' or '-'"
AHEAD = (f"more than {CLOCK_SKEW.seconds // 60} minutes ahead of the shop's clock: "
         "set the till's date and time")
BEFORE_DEVICE = "before this device was registered: set the till's date and time"
BEFORE_EARLIEST = f"before {EARLIEST:%Y-%m-%d}: set the till's date and time"


class TimeOutOfRange(ValidationError):
    """A sale or count dated where the till's clock cannot have been: more than CLOCK_SKEW
    ahead of the shop's, before the device's token was made, or before EARLIEST."""

    code = "time_out_of_range"


# The guards an input can break, by code. When every problem of a sale is one guard, the 422
# carries that guard's code; `details.codes` always names the guard of each field that broke
# one. (zero_price, not_certified and price_mismatch are to join them.)
GUARDS: dict[str, type[ValidationError]] = {TimeOutOfRange.code: TimeOutOfRange}


class Problems:
    """What is wrong with an input: field -> problem, and field -> guard code where one applies."""

    def __init__(self):
        self.fields: dict[str, str] = {}
        self.codes: dict[str, str] = {}

    def __bool__(self) -> bool:
        return bool(self.fields)

    def add(self, field: str, problem: str, code: str | None = None) -> None:
        if field not in self.fields:
            self.fields[field] = problem
            if code:
                self.codes[field] = code

    def error(self, message: str) -> ValidationError:
        guards = set(self.codes.values())
        kind = ValidationError
        if len(guards) == 1 and self.codes.keys() == self.fields.keys():
            kind = GUARDS.get(guards.pop(), ValidationError)
        if self.codes:
            return kind(message, self.fields, codes=self.codes)
        return kind(message, self.fields)


@dataclass(frozen=True)
class SaleLineInput:
    sku: str
    quantity: int
    unit_price_vnd: int


@dataclass(frozen=True)
class SaleInput:
    id: str
    occurred_at: datetime
    payment_method: str
    lines: tuple[SaleLineInput, ...]

    @property
    def digest(self) -> str:
        """What makes two sends 'the same body': the fields the contract defines."""
        body = asdict(self) | {"occurred_at": self.occurred_at.astimezone(UTC).isoformat()}
        return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()

    @property
    def total_vnd(self) -> int:
        return sum(line.quantity * line.unit_price_vnd for line in self.lines)


@dataclass(frozen=True)
class CountInput:
    id: str
    counted_at: datetime
    lines: tuple[tuple[str, int], ...]

    @property
    def digest(self) -> str:
        body = {"id": self.id, "counted_at": self.counted_at.astimezone(UTC).isoformat(),
                "lines": sorted(self.lines)}
        return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def sku_of(value) -> str | None:
    """The SKU a till sent (spaces around it dropped), or None when no catalog SKU can be it:
    not text, too long, or holding anything but letters, digits, '.', '_' and '-' (a NUL, a
    lone surrogate, which no driver can send to the database)."""
    if not isinstance(value, str) or len(value) > MAX_SKU_LENGTH:
        return None
    value = value.strip()
    return value if SKU_PATTERN.fullmatch(value) else None


def parse_uuid(value, field: str, problems: Problems) -> str:
    try:
        return str(uuid.UUID(str(value)))
    except (ValueError, TypeError, AttributeError):
        problems.add(field, "a UUID made by the device")
        return ""


def time_problem(moment: datetime, *, now: datetime,
                 registered_at: datetime | None = None) -> str | None:
    """Why `moment` cannot be when a till sold or counted, or None: more than CLOCK_SKEW ahead
    of `now`, before EARLIEST, or more than CLOCK_SKEW before its device was registered."""
    try:
        instant = moment.astimezone(UTC)
    except OverflowError:  # past the end of year 9999, or before year 1, once in UTC
        return AHEAD if moment.year == 9999 else BEFORE_EARLIEST
    if instant > now + CLOCK_SKEW:
        return AHEAD
    if instant < EARLIEST:
        return BEFORE_EARLIEST
    if registered_at is not None and instant < registered_at - CLOCK_SKEW:
        return BEFORE_DEVICE
    return None


def parse_time(value, field: str, problems: Problems) -> datetime:
    """An ISO 8601 time with its offset (a time without one is ambiguous), within the times
    any till can have made (`time_problem` without a device)."""
    try:
        moment = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        problems.add(field, "an ISO 8601 time with offset, e.g. 2026-11-20T09:15:00+07:00")
        return datetime.now(UTC)
    if moment.tzinfo is None:
        problems.add(field, "the time needs its UTC offset, e.g. +07:00")
        return moment.replace(tzinfo=UTC)
    problem = time_problem(moment, now=utcnow())
    if problem:
        problems.add(field, problem, TimeOutOfRange.code)
        return datetime.now(UTC)
    return moment


def check_time(moment: datetime, field: str, message: str, *, now: datetime,
               registered_at: datetime | None) -> None:
    """Refuse a time the till cannot have made, now that its device is known."""
    problem = time_problem(moment, now=now, registered_at=registered_at)
    if problem:
        problems = Problems()
        problems.add(field, problem, TimeOutOfRange.code)
        raise problems.error(message)


def parse_sale(body) -> SaleInput:
    if not isinstance(body, dict):
        raise ValidationError("the sale must be a JSON object", {"body": "a JSON object"})
    problems = Problems()
    sale_id = parse_uuid(body.get("id"), "id", problems)
    occurred_at = parse_time(body.get("occurred_at"), "occurred_at", problems)
    method = body.get("payment_method")
    if not isinstance(method, str) or method not in PAYMENT_METHODS:
        problems.add("payment_method", "one of " + ", ".join(PAYMENT_METHODS))
    raw_lines = body.get("lines")
    lines: list[SaleLineInput] = []
    if not isinstance(raw_lines, list) or not raw_lines:
        problems.add("lines", "at least one line")
    elif len(raw_lines) > MAX_LINES:
        problems.add("lines", f"at most {MAX_LINES} lines")
    else:
        lines = [_parse_line(line, f"lines[{n}]", problems) for n, line in enumerate(raw_lines)]
    sale = SaleInput(sale_id, occurred_at, method, tuple(lines))
    if sale.total_vnd > MAX_SALE_TOTAL_VND:
        problems.add("lines", f"lines whose total is at most {MAX_SALE_TOTAL_VND} đồng")
    if problems:
        raise problems.error(SALE_REFUSED)
    return sale


def _parse_line(line, where: str, problems: Problems) -> SaleLineInput:
    if not isinstance(line, dict):
        problems.add(where, "an object with sku, quantity and unit_price_vnd")
        return SaleLineInput("", 0, 0)
    sku, quantity, price = sku_of(line.get("sku")), line.get("quantity"), line.get("unit_price_vnd")
    if sku is None:
        problems.add(f"{where}.sku", SKU_PROBLEM)
    if not _is_int(quantity) or not 1 <= quantity <= MAX_QUANTITY:
        problems.add(f"{where}.quantity", f"a whole number from 1 to {MAX_QUANTITY}")
        quantity = 0
    if not _is_int(price) or not 0 <= price <= MAX_PRICE_VND:
        problems.add(f"{where}.unit_price_vnd", f"a whole number of đồng from 0 to {MAX_PRICE_VND}")
        price = 0
    return SaleLineInput(sku or "", quantity, price)


def _as_json_time(moment) -> object:
    return moment.isoformat() if isinstance(moment, datetime) else moment


def check_sale(sale: SaleInput) -> None:
    """Refuse a sale made in code that the JSON contract would refuse (the same rules)."""
    parse_sale({"id": sale.id, "occurred_at": _as_json_time(sale.occurred_at),
                "payment_method": sale.payment_method,
                "lines": [{"sku": line.sku, "quantity": line.quantity,
                           "unit_price_vnd": line.unit_price_vnd} for line in sale.lines]})


def parse_batch(body) -> list:
    """The sales of a sync, each left as raw JSON so that each is judged on its own."""
    sales = body.get("sales") if isinstance(body, dict) else None
    if not isinstance(sales, list):
        raise ValidationError("a sync sends {\"sales\": [...]}", {"sales": "a list of sales"})
    if len(sales) > MAX_BATCH:
        raise ValidationError(f"at most {MAX_BATCH} sales in one sync",
                              {"sales": f"at most {MAX_BATCH}"})
    return sales


def parse_count(body) -> CountInput:
    if not isinstance(body, dict):
        raise ValidationError("the count must be a JSON object", {"body": "a JSON object"})
    problems = Problems()
    count_id = parse_uuid(body.get("id"), "id", problems)
    counted_at = parse_time(body.get("counted_at"), "counted_at", problems)
    raw_lines, lines = body.get("lines"), []
    if not isinstance(raw_lines, list) or not raw_lines:
        problems.add("lines", "at least one line")
    elif len(raw_lines) > MAX_COUNT_LINES:
        problems.add("lines", f"at most {MAX_COUNT_LINES} lines")
    else:
        for n, line in enumerate(raw_lines):
            sku = sku_of(line.get("sku")) if isinstance(line, dict) else None
            counted = line.get("counted") if isinstance(line, dict) else None
            if sku is None:
                problems.add(f"lines[{n}].sku", SKU_PROBLEM)
            if not _is_int(counted) or not 0 <= counted <= MAX_QUANTITY:
                problems.add(f"lines[{n}].counted", f"a whole number from 0 to {MAX_QUANTITY}")
            lines.append((sku or "", counted))
    skus = [sku for sku, _ in lines if sku]
    if len(set(skus)) != len(skus):
        problems.add("lines", "each SKU once")
    if problems:
        raise problems.error(COUNT_REFUSED)
    return CountInput(count_id, counted_at, tuple(lines))


def check_count(count: CountInput) -> None:
    """Refuse a count made in code that the JSON contract would refuse (the same rules)."""
    parse_count({"id": count.id, "counted_at": _as_json_time(count.counted_at),
                 "lines": [{"sku": sku, "counted": counted} for sku, counted in count.lines]})


def parse_received(body) -> dict[str, int]:
    lines = body.get("lines") if isinstance(body, dict) else None
    problems: dict[str, str] = {}
    received: dict[str, int] = {}
    if not isinstance(lines, list) or not lines:
        raise ValidationError("send the received quantity of each line", {"lines": "a list"})
    for n, line in enumerate(lines):
        sku = sku_of(line.get("sku")) if isinstance(line, dict) else None
        quantity = line.get("received") if isinstance(line, dict) else None
        if sku is None or sku in received:
            problems[f"lines[{n}].sku"] = "a SKU of the transfer, once"
        if not _is_int(quantity) or not 0 <= quantity <= MAX_QUANTITY:
            problems[f"lines[{n}].received"] = f"a whole number from 0 to {MAX_QUANTITY}"
        if sku is not None:
            received[sku] = quantity if _is_int(quantity) else 0
    if problems:
        raise ValidationError("the receipt is not valid; nothing was recorded", problems)
    return received
