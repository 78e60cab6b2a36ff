"""Invoices as `invoices.issuing` issues them: one per shipment and producer, numbered 1..N per
seller, symbol and year, with the series counters left at the last number used."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from shop.invoices.issuing import HOUSEHOLD_WITHHOLDING_BP
from shop.invoices.models import symbol_for_year
from shop.invoices.settings import DIRECT_METHOD_KINDS
from shop.money import basis_points_of, split_vat

VN_OFFSET = timedelta(hours=7)


class InvoiceMaker:
    def __init__(self, run):
        self.run, self.w = run, run.writer
        self.producers = {p.id: p for p in run.catalog.producers}
        self.series: dict[tuple[int, str, int], int] = {}
        self.last_issue: dict[int, datetime] = {}
        self.pending: list[tuple[str, dict]] = []

    def for_shipment(self, order: dict, shipment: dict, when: datetime) -> None:
        by_producer: dict[int, list[dict]] = {}
        for line in sorted(shipment["order_lines"], key=lambda line: line["producer_id"]):
            by_producer.setdefault(line["producer_id"], []).append(line)
        for producer_id, lines in by_producer.items():
            self._issue(order, shipment["row"]["id"], self.producers[producer_id], lines, when)

    def _issue(self, order: dict, shipment_id: int, producer, lines: list[dict], when: datetime) -> None:
        # Numbers follow the time of issue: a seller's later invoice never has an earlier date.
        when = max(when, self.last_issue.get(producer.id, when))
        self.last_issue[producer.id] = when
        day = (when + VN_OFFSET).date()
        symbol = symbol_for_year("C00TAA", day.year)
        key = (producer.id, symbol, day.year)
        self.series[key] = number = self.series.get(key, 0) + 1
        invoice_id = self.w.new_id("invoice")
        rows = [self._line(invoice_id, position, line) for position, line in enumerate(lines, 1)]
        total = sum(row["amount_vnd"] for row in rows)
        withheld = {tax: basis_points_of(total, bp) if producer.kind == "household" else 0
                    for tax, bp in HOUSEHOLD_WITHHOLDING_BP.items()}
        self.pending.append(("invoice", {
            "id": invoice_id, "producer_id": producer.id, "order_id": order["id"],
            "shipment_id": shipment_id, "kind": "original", "adjusts_id": None,
            "due_key": f"shipment:{shipment_id}:{producer.id}",
            "template": "2" if producer.kind in DIRECT_METHOD_KINDS else "1", "symbol": symbol,
            "number": number, "issued_on": day, "issued_at": when, "seller_name": producer.name,
            "seller_tax_code": producer.tax_code, "seller_address": producer.address,
            "buyer_name": order["name"], "buyer_email": order["email"],
            "buyer_phone": order["phone"], "buyer_address": self._buyer_address(order),
            "payment_method": order["payment_method"], "total_vnd": total,
            "withholding_vat_vnd": withheld["vat"], "withholding_pit_vnd": withheld["pit"],
            "reason": "", "verify_token": self.run.token(16)}))
        self.pending += [("invoice_line", row) for row in rows]

    def _line(self, invoice_id: int, position: int, line: dict) -> dict:
        amount = line["unit_price_vnd"] * line["quantity"]
        before, vat = split_vat(amount, line["vat_rate"])
        return {"id": self.w.new_id("invoice_line"), "invoice_id": invoice_id, "position": position,
                "sku": line["sku"], "name": line["name"], "unit": line["unit"],
                "quantity": line["quantity"], "unit_price_vnd": line["unit_price_vnd"],
                "vat_rate": line["vat_rate"], "amount_vnd": amount, "before_tax_vnd": before,
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
        for (producer_id, symbol, year), last in sorted(self.series.items()):
            self.w.add("invoice_series", {"producer_id": producer_id, "symbol": symbol,
                                          "year": year, "last_number": last})
