"""Who issues an invoice, and how: each producer's settings (a sensible default from its kind,
changed by its owner) and the shop's own registration (from the SHOP_* settings), both as a
`Seller` that issuing reads."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import current_app
from sqlalchemy import select

from shop.accounts.models import ProducerMember
from shop.catalog.models import TAX_CODE_PATTERN, Producer
from shop.database import write_transaction
from shop.errors import Forbidden, ValidationError
from shop.extensions import db
from shop.invoices.models import SYMBOL_PATTERN, TEMPLATES, InvoiceSettings, symbol_for_year

# Enterprises and cooperatives declare VAT by the credit method (VAT invoice, template 1);
# household businesses and cooperative groups by the direct method (sales invoice, template 2).
DIRECT_METHOD_KINDS = ("household", "cooperative_group")


SHOP = "shop"


@dataclass(frozen=True)
class Seller:
    """A seller as an invoice records it; `key` names its series ("producer:<id>" or "shop")."""

    key: str
    producer_id: int | None
    template: str
    symbol: str
    legal_name: str
    tax_code: str
    address: str
    household: bool = False  # tax is withheld on its sales (Decree 117/2025)


def producer_key(producer_id: int) -> str:
    return f"producer:{producer_id}"


def seller_for(producer: Producer, day: date) -> Seller:
    """The producer as the seller of its goods, from its saved or default settings."""
    settings = settings_for(producer, day)
    return Seller(producer_key(producer.id), producer.id, settings.template,
                  symbol_for_year(settings.symbol, day.year), settings.legal_name,
                  settings.tax_code, settings.address, household=producer.kind == "household")


def shop_seller(day: date) -> Seller:
    """The shop as the seller of its own services (shipping). Its registration is read from the
    app's settings at call time (SHOP_LEGAL_NAME, SHOP_TAX_CODE, SHOP_ADDRESS,
    SHOP_INVOICE_TEMPLATE, SHOP_INVOICE_SYMBOL), as the mail and search modules read theirs."""
    config = current_app.config
    return Seller(SHOP, None, config["SHOP_INVOICE_TEMPLATE"],
                  symbol_for_year(config["SHOP_INVOICE_SYMBOL"], day.year),
                  config["SHOP_LEGAL_NAME"], config["SHOP_TAX_CODE"], config["SHOP_ADDRESS"])


def address_of(producer: Producer) -> str:
    parts = [producer.address, producer.ward.full_name if producer.ward else "",
             producer.province.full_name if producer.province else ""]
    return ", ".join(part for part in parts if part)[:300]


def default_settings(producer: Producer, day: date) -> InvoiceSettings:
    """Unsaved settings from the producer's record: template by kind, symbol C<yy>TAA."""
    template = "2" if producer.kind in DIRECT_METHOD_KINDS else "1"
    return InvoiceSettings(producer_id=producer.id, producer=producer, template=template,
                           symbol=symbol_for_year("C00TAA", day.year), legal_name=producer.name,
                           tax_code=producer.tax_code, address=address_of(producer))


def settings_for(producer: Producer, day: date) -> InvoiceSettings:
    """The producer's saved settings, else the default (not saved)."""
    saved = db.session.get(InvoiceSettings, producer.id)
    return saved if saved is not None else default_settings(producer, day)


def validate(template: str, symbol: str, legal_name: str, tax_code: str, address: str) -> dict:
    """The cleaned fields, or ValidationError naming every bad one."""
    fields = {"template": template.strip(), "symbol": symbol.strip().upper(),
              "legal_name": " ".join(legal_name.split()), "tax_code": tax_code.strip(),
              "address": " ".join(address.split())}
    problems = {}
    if fields["template"] not in TEMPLATES:
        problems["template"] = "1 (VAT invoice) or 2 (sales invoice)"
    if not SYMBOL_PATTERN.match(fields["symbol"]):
        problems["symbol"] = "C or K, two digits of the year, a type letter, two capital letters (C26TAA)"
    if not 2 <= len(fields["legal_name"]) <= 200:
        problems["legal_name"] = "2 to 200 characters"
    if not TAX_CODE_PATTERN.match(fields["tax_code"]):
        problems["tax_code"] = "10 digits, 10 digits-3 digits, or 12 digits"
    if not 5 <= len(fields["address"]) <= 300:
        problems["address"] = "5 to 300 characters"
    if problems:
        raise ValidationError("the invoice settings are not valid", problems)
    return fields


def save_settings(producer: Producer, *, actor_id: int, template: str, symbol: str,
                  legal_name: str, tax_code: str, address: str, day: date) -> InvoiceSettings:
    """The producer's owner sets how its invoices are made; invoices already issued keep theirs.
    The symbol's year part follows the calendar: it is set to the year of `day`."""
    fields = validate(template, symbol, legal_name, tax_code, address)
    fields["symbol"] = symbol_for_year(fields["symbol"], day.year)
    with write_transaction(db.session):
        role = db.session.scalar(select(ProducerMember.role).where(
            ProducerMember.producer_id == producer.id, ProducerMember.user_id == actor_id))
        if role != "owner":
            raise Forbidden("only the producer's owner changes its invoice settings")
        settings = db.session.get(InvoiceSettings, producer.id) or InvoiceSettings(producer_id=producer.id)
        for name, value in fields.items():
            setattr(settings, name, value)
        db.session.add(settings)
    return settings
