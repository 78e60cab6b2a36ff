"""What a buyer sends at checkout, checked field by field before anything is reserved."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, dataclass

from email_validator import EmailNotValidError, validate_email

from shop.errors import ValidationError
from shop.extensions import db
from shop.inventory.models import Location
from shop.orders.models import FULFILMENTS, PAYMENT_METHODS
from shop.places.models import Ward

PHONE = re.compile(r"^(0|\+84)(3|5|7|8|9)\d{8}$")


@dataclass(frozen=True)
class Checkout:
    email: str
    phone: str
    name: str
    fulfilment: str
    payment_method: str
    address_line: str = ""
    ward_code: str | None = None
    province_code: str | None = None
    pickup_point: str | None = None

    @property
    def digest(self) -> str:
        return hashlib.sha256(json.dumps(asdict(self), sort_keys=True).encode()).hexdigest()


@dataclass(frozen=True)
class OrderSettings:
    shipping_fee_vnd: int = 30_000
    free_shipping_from_vnd: int = 500_000
    card_minutes: int = 30
    transfer_hours: int = 48
    card_enabled: bool = False
    # Stripe takes at most eight digits of the currency's smallest unit: 99,999,999 đồng.
    card_max_vnd: int = 99_999_999

    def shipping_fee(self, subtotal_vnd: int) -> int:
        """The fee of one producer's delivery: free from the threshold."""
        return 0 if subtotal_vnd >= self.free_shipping_from_vnd else self.shipping_fee_vnd


def parse(body) -> Checkout:
    """A Checkout from the JSON of API.md (or the web form's fields); 422 naming each bad field."""
    if not isinstance(body, dict):
        raise ValidationError("checkout needs a JSON object", {"body": "a JSON object"})
    problems: dict[str, str] = {}
    text = {k: (body.get(k) if isinstance(body.get(k), str) else "") for k in (
        "email", "phone", "name", "fulfilment", "payment_method", "pickup_point")}
    address = body.get("address") if isinstance(body.get("address"), dict) else {}
    try:
        email = validate_email(text["email"].strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        email, problems["email"] = "", "a valid email address"
    phone = re.sub(r"[\s.-]", "", text["phone"])
    if not PHONE.match(phone):
        problems["phone"] = "a Vietnamese mobile number, e.g. 0912345678"
    name = text["name"].strip()
    if not name or len(name) > 120:
        problems["name"] = "the buyer's name (at most 120 characters)"
    if text["fulfilment"] not in FULFILMENTS:
        problems["fulfilment"] = "delivery or pickup"
    if text["payment_method"] not in PAYMENT_METHODS:
        problems["payment_method"] = "cod, bank_transfer or card"
    line = ward = province = pickup = None
    if text["fulfilment"] == "delivery":
        line, ward, province = _address(address, problems)
    elif text["fulfilment"] == "pickup":
        pickup = text["pickup_point"].strip()
        if not _pickup_point(pickup):
            problems["pickup_point"] = "the code of a sales point that offers pickup"
    if problems:
        raise ValidationError("some checkout details are missing or wrong", problems)
    return Checkout(email, phone, name, text["fulfilment"], text["payment_method"],
                    line or "", ward, province, pickup)


def _address(address: dict, problems: dict) -> tuple[str, str | None, str | None]:
    line = address.get("line") if isinstance(address.get("line"), str) else ""
    ward_code = address.get("ward_code") if isinstance(address.get("ward_code"), str) else ""
    province_code = address.get("province_code") if isinstance(address.get("province_code"), str) else ""
    if not line.strip() or len(line) > 200:
        problems["address.line"] = "the street address (at most 200 characters)"
    ward = db.session.get(Ward, ward_code) if ward_code else None
    if ward is None:
        problems["address.ward_code"] = "a ward or commune of the 2025 units"
    elif ward.province_code != province_code:
        problems["address.ward_code"] = "the ward does not belong to the province"
    return line.strip(), ward_code or None, province_code or None


def _pickup_point(code: str) -> Location | None:
    return db.session.scalar(db.select(Location).where(
        Location.code == code, Location.kind == "sales_point", Location.is_active,
        Location.offers_pickup))
