"""Reading the POS contract's JSON (API.md) into typed values; bad input is a 422."""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import asdict, dataclass
from datetime import UTC, datetime

from shop.errors import ValidationError
from shop.pos.models import PAYMENT_METHODS

MAX_BATCH = 1000
MAX_QUANTITY = 100_000
MAX_PRICE_VND = 10_000_000_000


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


def parse_uuid(value, field: str, problems: dict) -> str:
    try:
        return str(uuid.UUID(str(value)))
    except (ValueError, TypeError, AttributeError):
        problems[field] = "a UUID made by the device"
        return ""


def parse_time(value, field: str, problems: dict) -> datetime:
    """An ISO 8601 time with its offset (a time without one is ambiguous)."""
    try:
        moment = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        problems[field] = "an ISO 8601 time with offset, e.g. 2026-11-20T09:15:00+07:00"
        return datetime.now(UTC)
    if moment.tzinfo is None:
        problems[field] = "the time needs its UTC offset, e.g. +07:00"
        return moment.replace(tzinfo=UTC)
    return moment


def parse_sale(body) -> SaleInput:
    if not isinstance(body, dict):
        raise ValidationError("the sale must be a JSON object", {"body": "a JSON object"})
    problems: dict[str, str] = {}
    sale_id = parse_uuid(body.get("id"), "id", problems)
    occurred_at = parse_time(body.get("occurred_at"), "occurred_at", problems)
    method = body.get("payment_method")
    if method not in PAYMENT_METHODS:
        problems["payment_method"] = "one of " + ", ".join(PAYMENT_METHODS)
    raw_lines = body.get("lines")
    lines = []
    if not isinstance(raw_lines, list) or not raw_lines:
        problems["lines"] = "at least one line"
    else:
        for n, line in enumerate(raw_lines):
            lines.append(_parse_line(line, f"lines[{n}]", problems))
    if problems:
        raise ValidationError("the sale is not valid; nothing was recorded", problems)
    return SaleInput(sale_id, occurred_at, method, tuple(lines))


def _parse_line(line, where: str, problems: dict) -> SaleLineInput:
    if not isinstance(line, dict):
        problems[where] = "an object with sku, quantity and unit_price_vnd"
        return SaleLineInput("", 0, 0)
    sku, quantity, price = line.get("sku"), line.get("quantity"), line.get("unit_price_vnd")
    if not isinstance(sku, str) or not sku.strip():
        problems[f"{where}.sku"] = "a SKU"
    if not _is_int(quantity) or not 1 <= quantity <= MAX_QUANTITY:
        problems[f"{where}.quantity"] = f"a whole number from 1 to {MAX_QUANTITY}"
    if not _is_int(price) or not 0 <= price <= MAX_PRICE_VND:
        problems[f"{where}.unit_price_vnd"] = f"a whole number of đồng from 0 to {MAX_PRICE_VND}"
    return SaleLineInput(str(sku).strip(), quantity if _is_int(quantity) else 0,
                         price if _is_int(price) else 0)


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
    problems: dict[str, str] = {}
    count_id = parse_uuid(body.get("id"), "id", problems)
    counted_at = parse_time(body.get("counted_at"), "counted_at", problems)
    raw_lines, lines = body.get("lines"), []
    if not isinstance(raw_lines, list) or not raw_lines:
        problems["lines"] = "at least one line"
    else:
        for n, line in enumerate(raw_lines):
            sku = line.get("sku") if isinstance(line, dict) else None
            counted = line.get("counted") if isinstance(line, dict) else None
            if not isinstance(sku, str) or not sku.strip():
                problems[f"lines[{n}].sku"] = "a SKU"
            if not _is_int(counted) or not 0 <= counted <= MAX_QUANTITY:
                problems[f"lines[{n}].counted"] = f"a whole number from 0 to {MAX_QUANTITY}"
            lines.append((str(sku).strip(), counted))
    skus = [sku for sku, _ in lines]
    if len(set(skus)) != len(skus):
        problems["lines"] = "each SKU once"
    if problems:
        raise ValidationError("the count is not valid; nothing was recorded", problems)
    return CountInput(count_id, counted_at, tuple(lines))


def parse_received(body) -> dict[str, int]:
    lines = body.get("lines") if isinstance(body, dict) else None
    problems: dict[str, str] = {}
    received: dict[str, int] = {}
    if not isinstance(lines, list) or not lines:
        raise ValidationError("send the received quantity of each line", {"lines": "a list"})
    for n, line in enumerate(lines):
        sku = line.get("sku") if isinstance(line, dict) else None
        quantity = line.get("received") if isinstance(line, dict) else None
        if not isinstance(sku, str) or sku in received:
            problems[f"lines[{n}].sku"] = "a SKU of the transfer, once"
        if not _is_int(quantity) or not 0 <= quantity <= MAX_QUANTITY:
            problems[f"lines[{n}].received"] = f"a whole number from 0 to {MAX_QUANTITY}"
        if isinstance(sku, str):
            received[sku] = quantity if _is_int(quantity) else 0
    if problems:
        raise ValidationError("the receipt is not valid; nothing was recorded", problems)
    return received
