"""Issuing invoices, in the transaction of the event that makes them due. Building blocks:
each only flushes, the caller commits.

A shipment is invoiced once per producer whose goods it carries (`due_key`), when it is paid
(card, transfer) or delivered (cash on delivery). The shipping the shop charges is the shop's
own service: the shop invoices it under its own registration in the same event (the whole
order's shipping when it is paid, a shipment's when it is delivered). A cancellation or refund
after invoicing reverses what each original still stands for, in an adjustment invoice that
names it.

Each line's VAT rate is the one in force for its category on the day the invoice is due
(`shop.tax.rates`); an adjustment keeps the rates of the lines it corrects.
"""

from __future__ import annotations

import secrets
from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import date
from itertools import groupby

from sqlalchemy import select

from shop.catalog.models import Producer
from shop.extensions import db
from shop.invoices import numbering
from shop.invoices.models import Invoice, InvoiceLine
from shop.invoices.settings import SHOP, Seller, seller_for, shop_seller
from shop.money import basis_points_of, divide_rounded, split_vat
from shop.orders.models import Order, OrderLine, Shipment
from shop.tax import rates as tax
from shop.tax.models import VatReduction

SHIPPING_SKU = "VC"  # vận chuyển: the shop's shipping line, "VC-<shipment id>"


@dataclass(frozen=True)
class Sold:
    """One line to put on an invoice: a snapshot of what was sold (quantity < 0 reverses),
    its VAT category and the rate it is invoiced at. `amount_vnd` is quantity x price unless
    given: a line of value only (a partial refund: quantity 0), or what a line still stands for
    after such refunds."""

    sku: str
    name: str
    unit: str
    quantity: int
    unit_price_vnd: int
    vat_category: str
    vat_rate: str
    is_service: bool = False
    amount_vnd: int | None = None

    @property
    def amount(self) -> int:
        return self.unit_price_vnd * self.quantity if self.amount_vnd is None else self.amount_vnd


def by_due_key(key: str) -> Invoice | None:
    return db.session.scalar(select(Invoice).where(Invoice.due_key == key))


def issue_for_order(order: Order, *, day: date) -> list[Invoice]:
    """Invoice every shipment of a paid order that is still to be fulfilled, and the order's
    shipping. Caller commits."""
    shipments = [s for s in order.shipments if s.status != "cancelled"]
    reduction = tax.reduction_on(day)
    issued = []
    for shipment in shipments:
        issued += _issue_goods(shipment, day=day, reduction=reduction)
    return issued + _issue_shipping(order, shipments, day=day, reduction=reduction,
                                    due_key=f"shipping:order:{order.id}")


def issue_for_shipment(shipment: Shipment, *, day: date) -> list[Invoice]:
    """Invoice one delivered shipment (cash on delivery): its goods and its shipping, unless
    already issued. Caller commits."""
    reduction = tax.reduction_on(day)
    return _issue_goods(shipment, day=day, reduction=reduction) + _issue_shipping(
        shipment.order, [shipment], day=day, reduction=reduction,
        due_key=f"shipping:shipment:{shipment.id}", shipment_id=shipment.id)


def _issue_goods(shipment: Shipment, *, day: date, reduction: VatReduction | None) -> list[Invoice]:
    """One invoice per producer of the shipment's goods, unless already issued."""
    issued = []
    for producer_id, lines in groupby(sorted(shipment.lines, key=_producer_of), key=_producer_of):
        key = f"shipment:{shipment.id}:{producer_id}"
        if by_due_key(key) is None:
            seller = seller_for(db.session.get(Producer, producer_id), day)
            sold = [_sold(line, day, reduction) for line in lines]
            issued.append(_issue(shipment.order, seller, sold, day=day, due_key=key,
                                 shipment_id=shipment.id, reduction=reduction))
    return issued


def _issue_shipping(order: Order, shipments: list[Shipment], *, day: date,
                    reduction: VatReduction | None, due_key: str,
                    shipment_id: int | None = None) -> list[Invoice]:
    """The shop's invoice for the shipping of `shipments`, unless none is charged or it is
    already issued."""
    charged = [s for s in shipments if s.shipping_vnd > 0]
    if not charged or by_due_key(due_key) is not None:
        return []
    rate = tax.rate_for(tax.REDUCIBLE, day, reduction)
    sold = [Sold(f"{SHIPPING_SKU}-{s.id}", _shipping_name(order, s), "lần", 1, s.shipping_vnd,
                 tax.REDUCIBLE, rate, is_service=True) for s in charged]
    return [_issue(order, shop_seller(day), sold, day=day, due_key=due_key,
                   shipment_id=shipment_id, reduction=reduction)]


def _shipping_name(order: Order, shipment: Shipment) -> str:
    producer = next((line.producer_name for line in shipment.lines), "")
    return f"Phí vận chuyển đơn hàng {order.number}" + (f" (hàng của {producer})" if producer else "")


def reverse_order(order: Order, *, day: date, reason: str) -> list[Invoice]:
    """Adjustment invoices that cancel what each original of the order (goods and shipping)
    still stands for. Caller commits."""
    reversed_ = []
    for original in _originals(order):
        key = f"reversal:{original.id}"
        remaining = outstanding(original)
        if by_due_key(key) is None and remaining:
            reversed_.append(adjust(original, [negated(s) for s in remaining], day=day,
                                    reason=reason, due_key=key))
    return reversed_


def outstanding(original: Invoice) -> list[Sold]:
    """The original's lines less what its adjustments already took back: the quantity left
    and the amount it still stands for (less when part of it was refunded)."""
    taken: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    adjustments = db.session.scalars(select(Invoice).where(Invoice.adjusts_id == original.id))
    for adjustment in adjustments:
        for line in adjustment.lines:
            taken[line.sku][0] += line.quantity
            taken[line.sku][1] += line.amount_vnd
    left = []
    for line in original.lines:
        quantity, amount = (line.quantity + taken[line.sku][0], line.amount_vnd + taken[line.sku][1])
        if quantity > 0 or amount > 0:
            left.append(Sold(line.sku, line.name, line.unit, quantity, line.unit_price_vnd,
                             line.vat_category, line.vat_rate, line.is_service, amount))
    return left


def returned(sold: Sold, quantity: int) -> Sold:
    """`quantity` of what a line still stands for, taken back: at its share of the amount left,
    rounded half away from zero (all of it when every unit comes back)."""
    amount = sold.amount if quantity == sold.quantity else divide_rounded(sold.amount * quantity,
                                                                        sold.quantity)
    return replace(sold, quantity=-quantity, amount_vnd=-amount)


def refund_value(order: Order, amount_vnd: int, *, day: date, reason: str, key: str,
                 skus: set[str] | None = None) -> tuple[list[Invoice], int]:
    """A refund of part of what was paid, with no goods coming back: adjustment invoices of
    value only (quantity 0) that take `amount_vnd` off what the order's invoices still stand
    for, spread over their lines in proportion to what each line still stands for (only the
    lines of `skus` when given). Returns the adjustments and the part of the amount that no
    invoice stood for. Caller commits.

    Rounding, stated once: each line gets amount x its share, rounded down to the đồng, and the
    đồng left over go one each to the lines with the largest remainders (the earlier line first
    on a tie), so the parts add up to the amount exactly."""
    held = [(invoice, sold) for invoice in _originals(order) for sold in outstanding(invoice)
            if sold.amount > 0 and (not skus or sold.sku in skus)]
    total = sum(sold.amount for _, sold in held)
    taken = min(amount_vnd, total)
    parts = _largest_remainders(taken, [sold.amount for _, sold in held])
    adjustments = []
    for invoice, group in groupby(zip(held, parts, strict=True), key=lambda item: item[0][0]):
        lines = [replace(sold, quantity=0, amount_vnd=-part) for (_, sold), part in group if part]
        due = f"{key}:{invoice.id}"
        if lines and by_due_key(due) is None:
            adjustments.append(adjust(invoice, lines, day=day, reason=reason, due_key=due))
    return adjustments, amount_vnd - taken


def _largest_remainders(amount: int, weights: list[int]) -> list[int]:
    total = sum(weights)
    if not total:
        return [0] * len(weights)
    shares = [divmod(amount * weight, total) for weight in weights]
    left = amount - sum(share for share, _ in shares)
    order = sorted(range(len(weights)), key=lambda i: (-shares[i][1], i))[:left]
    return [share + (1 if i in order else 0) for i, (share, _) in enumerate(shares)]


def _originals(order: Order) -> list[Invoice]:
    return list(db.session.scalars(select(Invoice).where(
        Invoice.order_id == order.id, Invoice.kind == "original").order_by(Invoice.id)))


def adjust(original: Invoice, lines: list[Sold], *, day: date, reason: str,
           due_key: str | None = None, buyer: dict | None = None) -> Invoice:
    """An adjustment invoice naming `original`, with its own number in the seller's series of
    the original's template; its lines keep the rates they were invoiced at. Caller commits."""
    details = buyer or {name: getattr(original, f"buyer_{name}")
                        for name in ("name", "email", "phone", "address")}
    seller = (shop_seller(day) if original.seller == SHOP
              else seller_for(db.session.get(Producer, original.producer_id), day))
    # A sales invoice issued before sales invoices stopped splitting VAT is mirrored as it was.
    direct = original.template == "2" and not any(line.vat_vnd for line in original.lines)
    invoice = _new_invoice(replace(seller, template=original.template), lines, day=day,
                           due_key=due_key, buyer=details, direct=direct,
                           basis=original.reduction_basis or _basis_on(original.issued_on),
                           order_id=original.order_id, shipment_id=original.shipment_id,
                           payment_method=original.payment_method)
    invoice.kind, invoice.adjusts_id, invoice.reason = "adjustment", original.id, reason[:300]
    db.session.flush()
    return invoice


def _issue(order: Order, seller: Seller, lines: list[Sold], *, day: date, due_key: str,
           shipment_id: int | None, reduction: VatReduction | None) -> Invoice:
    invoice = _new_invoice(seller, lines, day=day, due_key=due_key, buyer=buyer_of(order),
                           basis=reduction.resolution if reduction else "", order_id=order.id,
                           shipment_id=shipment_id, payment_method=order.payment_method)
    db.session.flush()
    return invoice


def _basis_on(day: date) -> str:
    reduction = tax.reduction_on(day)
    return reduction.resolution if reduction is not None else ""


def _new_invoice(seller: Seller, lines: list[Sold], *, day: date, due_key: str | None,
                 buyer: dict, basis: str, direct: bool | None = None, **links) -> Invoice:
    """A numbered invoice of `lines`; a sales invoice (template 2) splits no VAT (`direct`)."""
    direct = seller.template == "2" if direct is None else direct
    invoice = Invoice(
        seller=seller.key, producer_id=seller.producer_id, due_key=due_key,
        template=seller.template, symbol=seller.symbol,
        number=numbering.next_number(seller.key, seller.template, seller.symbol, day.year),
        issued_on=day, seller_name=seller.legal_name, seller_tax_code=seller.tax_code,
        seller_address=seller.address, verify_token=secrets.token_urlsafe(16),
        **{f"buyer_{name}": value for name, value in buyer.items()}, **links)
    invoice.lines = [_line(position, sold, direct) for position, sold in enumerate(lines, start=1)]
    invoice.total_vnd = sum(line.amount_vnd for line in invoice.lines)
    if seller.household:
        invoice.withholding_vat_vnd = _by_supply(lines, "vat", lambda sold: True)
        invoice.withholding_pit_vnd = _by_supply(lines, "pit", lambda sold: True)
    if seller.template == "2" and basis:
        invoice.reduction_vnd = _by_supply(lines, "vat", _reduced, share=tax.DIRECT_METHOD_REDUCTION_PERCENT)
        invoice.reduction_basis = basis if invoice.reduction_vnd else ""
    db.session.add(invoice)
    return invoice


def _reduced(sold: Sold) -> bool:
    """A reducible line invoiced below the full rate: a reduction was in force."""
    return sold.vat_category == tax.REDUCIBLE and sold.vat_rate != tax.FULL_RATE


def _by_supply(lines: list[Sold], tax_name: str, counted, share: int = 100) -> int:
    """Tax on the counted lines at the withholding table's rate of their supply (goods or
    services), `share` percent of it, each supply's sum rounded once."""
    amounts: dict[str, int] = defaultdict(int)
    for sold in lines:
        if counted(sold):
            amounts["service" if sold.is_service else "goods"] += sold.amount
    return sum(basis_points_of(amount, tax.WITHHOLDING_BP[supply][tax_name] * share // 100)
               for supply, amount in amounts.items())


def _line(position: int, sold: Sold, direct: bool) -> InvoiceLine:
    amount = sold.amount
    before, vat = (amount, 0) if direct else split_vat(amount, sold.vat_rate)
    return InvoiceLine(position=position, sku=sold.sku, name=sold.name, unit=sold.unit,
                       quantity=sold.quantity, unit_price_vnd=sold.unit_price_vnd,
                       vat_category=sold.vat_category, vat_rate=sold.vat_rate,
                       is_service=sold.is_service, amount_vnd=amount, before_tax_vnd=before,
                       vat_vnd=vat)


def buyer_of(order: Order) -> dict:
    """The buyer's details as the invoice records them."""
    parts = [order.address_line, order.ward.full_name if order.ward else "",
             order.province.full_name if order.province else ""]
    return {"name": order.name, "email": order.email, "phone": order.phone,
            "address": ", ".join(part for part in parts if part)[:400]}


def _sold(line: OrderLine, day: date, reduction: VatReduction | None) -> Sold:
    return Sold(line.sku, line.name, line.unit, line.quantity, line.unit_price_vnd,
                line.vat_category, tax.rate_for(line.vat_category, day, reduction), line.is_service)


def negated(sold: Sold) -> Sold:
    return replace(sold, quantity=-sold.quantity, amount_vnd=-sold.amount)


def _producer_of(line: OrderLine) -> int:
    return line.producer_id
