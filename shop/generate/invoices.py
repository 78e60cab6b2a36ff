"""Invoices as `invoices.issuing` issues them: one per shipment and producer, and the shop's own
for the shipping, at the rates of the day they were due, numbered 1..N per seller, template,
symbol and year, with the series counters left at the last number used."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta

from sqlalchemy import func, select, update

from shop.extensions import db
from shop.invoices.issuing import SHIPPING_SKU
from shop.invoices.models import Invoice, InvoiceSeries, symbol_for_year
from shop.invoices.settings import DIRECT_METHOD_KINDS, SHOP, producer_key, shop_seller
from shop.money import basis_points_of, split_vat
from shop.tax import rates as tax

VN_OFFSET = timedelta(hours=7)


class InvoiceMaker:
    def __init__(self, run):
        self.run, self.w = run, run.writer
        self.producers = {p.id: p for p in run.catalog.producers}
        # The shop is one seller whatever is generated: its series go on from what it issued.
        self.existing = {(r.seller, r.template, r.symbol, r.year): r.last_number
                         for r in db.session.scalars(select(InvoiceSeries))}
        self.series: dict[tuple[str, str, str, int], int] = dict(self.existing)
        self.last_issue: dict[str, datetime] = {  # naive UTC, as the generator's clock
            seller: last.replace(tzinfo=None) for seller, last in db.session.execute(
                select(Invoice.seller, func.max(Invoice.issued_at)).group_by(Invoice.seller))}
        self.pending: list[tuple[str, dict]] = []
        self.reductions = tax.reductions()
        self.shop = shop_seller(run.day)

    def for_shipment(self, order: dict, shipment: dict, when: datetime) -> None:
        by_producer: dict[int, list[dict]] = {}
        for line in sorted(shipment["order_lines"], key=lambda line: line["producer_id"]):
            by_producer.setdefault(line["producer_id"], []).append(line)
        for producer_id, lines in by_producer.items():
            producer = self.producers[producer_id]
            template = "2" if producer.kind in DIRECT_METHOD_KINDS else "1"
            seller = {"seller": producer_key(producer.id), "producer_id": producer.id,
                      "template": template, "symbol": "C00TAA", "seller_name": producer.name,
                      "seller_tax_code": producer.tax_code, "seller_address": producer.address}
            self._issue(order, shipment["row"]["id"], seller, lines, when,
                        f"shipment:{shipment['row']['id']}:{producer.id}",
                        household=producer.kind == "household")

    def for_shipping(self, order: dict, shipments: list[dict], when: datetime, due_key: str,
                     shipment_id: int | None = None) -> None:
        """The shop's invoice for the shipping it charged on `shipments`."""
        lines = [{"sku": f"{SHIPPING_SKU}-{s['row']['id']}", "quantity": 1, "unit": "lần",
                  "name": f"Phí vận chuyển đơn hàng {order['number']} (hàng của "
                          f"{s['order_lines'][0]['producer_name']})",
                  "unit_price_vnd": s["row"]["shipping_vnd"], "vat_category": tax.REDUCIBLE,
                  "is_service": True}
                 for s in shipments if s["row"]["shipping_vnd"] > 0]
        if not lines:
            return
        shop = self.shop
        seller = {"seller": SHOP, "producer_id": None, "template": shop.template,
                  "symbol": shop.symbol, "seller_name": shop.legal_name,
                  "seller_tax_code": shop.tax_code, "seller_address": shop.address}
        self._issue(order, shipment_id, seller, lines, when, due_key, household=False)

    def _issue(self, order: dict, shipment_id: int | None, seller: dict, lines: list[dict],
               when: datetime, due_key: str, *, household: bool) -> None:
        # Numbers follow the time of issue: a seller's later invoice never has an earlier date.
        when = max(when, self.last_issue.get(seller["seller"], when))
        self.last_issue[seller["seller"]] = when
        day = (when + VN_OFFSET).date()
        symbol = symbol_for_year(seller["symbol"], day.year)
        key = (seller["seller"], seller["template"], symbol, day.year)
        self.series[key] = number = self.series.get(key, 0) + 1
        invoice_id = self.w.new_id("invoice")
        reduction = next((r for r in self.reductions if r.covers(day)), None)
        direct = seller["template"] == "2"
        rows = [self._line(invoice_id, position, line, day, reduction, direct)
                for position, line in enumerate(lines, 1)]
        total = sum(row["amount_vnd"] for row in rows)
        withheld = {name: self._taxed(rows, name, lambda row: household) for name in ("vat", "pit")}
        reduced = self._taxed(rows, "vat", lambda row: direct and _reduced(row),
                              tax.DIRECT_METHOD_REDUCTION_PERCENT)
        self.pending.append(("invoice", {
            "id": invoice_id, "order_id": order["id"], "shipment_id": shipment_id,
            "kind": "original", "adjusts_id": None, "due_key": due_key, **seller,
            "symbol": symbol, "number": number, "issued_on": day, "issued_at": when,
            "buyer_name": order["name"], "buyer_email": order["email"],
            "buyer_phone": order["phone"], "buyer_address": self._buyer_address(order),
            "payment_method": order["payment_method"], "total_vnd": total,
            "withholding_vat_vnd": withheld["vat"], "withholding_pit_vnd": withheld["pit"],
            "reduction_vnd": reduced, "reduction_basis": reduction.resolution if reduced else "",
            "reason": "", "verify_token": self.run.token(16)}))
        self.pending += [("invoice_line", row) for row in rows]

    @staticmethod
    def _taxed(rows: list[dict], name: str, counted, share: int = 100) -> int:
        amounts: dict[str, int] = {}
        for row in rows:
            if counted(row):
                supply = "service" if row["is_service"] else "goods"
                amounts[supply] = amounts.get(supply, 0) + row["amount_vnd"]
        return sum(basis_points_of(amount, tax.WITHHOLDING_BP[supply][name] * share // 100)
                   for supply, amount in amounts.items())

    def _line(self, invoice_id: int, position: int, line: dict, day: date, reduction,
              direct: bool) -> dict:
        amount = line["unit_price_vnd"] * line["quantity"]
        rate = tax.rate_for(line["vat_category"], day, reduction)
        before, vat = (amount, 0) if direct else split_vat(amount, rate)
        return {"id": self.w.new_id("invoice_line"), "invoice_id": invoice_id, "position": position,
                "sku": line["sku"], "name": line["name"], "unit": line["unit"],
                "quantity": line["quantity"], "unit_price_vnd": line["unit_price_vnd"],
                "vat_category": line["vat_category"], "vat_rate": rate,
                "is_service": line["is_service"], "amount_vnd": amount, "before_tax_vnd": before,
                "vat_vnd": vat}

    def _buyer_address(self, order: dict) -> str:
        if order["province_code"] is None:
            return order["address_line"]
        return self.run.places.address(order["ward_code"], order["province_code"],
                                       order["address_line"])[:400]

    def audit_transfer(self, order: dict, when: datetime, note: str) -> None:
        """`payments.record_transfer` logs each transfer that arrived."""
        self.pending.append(("audit_entry", {
            "id": self.w.new_id("audit_entry"), "created_at": when, "actor_id": None,
            "action": "payment.transfer_received", "subject": f"order:{order['number']}",
            "details": json.dumps({"amount_vnd": order["total_vnd"], "due_vnd": order["total_vnd"],
                                   "note": note}, ensure_ascii=False, sort_keys=True)}))

    def write_pending(self) -> None:
        """After the order's own rows: invoices name the order and its shipments."""
        for table, row in self.pending:
            self.w.add(table, row)
        self.pending.clear()

    def write_series(self) -> None:
        for (seller, template, symbol, year), last in sorted(self.series.items()):
            key = {"seller": seller, "template": template, "symbol": symbol, "year": year}
            if key_of(key) not in self.existing:
                self.w.add("invoice_series", {**key, "last_number": last})
            elif self.existing[key_of(key)] != last:
                db.session.execute(update(InvoiceSeries).filter_by(**key).values(last_number=last))


def key_of(key: dict) -> tuple[str, str, str, int]:
    return key["seller"], key["template"], key["symbol"], key["year"]


def _reduced(row: dict) -> bool:
    return row["vat_category"] == tax.REDUCIBLE and row["vat_rate"] != tax.FULL_RATE
