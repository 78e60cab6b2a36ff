"""Online orders over the past year, with the rows the order, payment and fulfilment services
write: lines, shipments, reservations, events, payments, invoices and ledger lines.

Each order goes as far as its clock allows: placed, paid (bank transfer), packed, shipped and
delivered (or readied and collected at a sales point) at plausible intervals; what would fall
after `now` has not happened yet, so the newest orders are still open and hold reservations.
A few are cancelled by the buyer or expire unpaid.
"""

from __future__ import annotations

import base64
from bisect import bisect
from datetime import datetime, timedelta
from functools import cache
from itertools import accumulate, groupby

from shop.generate import names
from shop.generate.catalog import VariantInfo
from shop.generate.invoices import InvoiceMaker
from shop.orders.checkout import OrderSettings
from shop.text import slugify

H = timedelta(hours=1)


@cache
def _mailbox(name: str) -> str:
    return slugify(name).replace("-", ".")


def token(rng, size: int) -> str:
    """What `secrets.token_urlsafe(size)` looks like, from the run's seeded generator."""
    return base64.urlsafe_b64encode(rng.randbytes(size)).rstrip(b"=").decode()


class OrderMaker:
    def __init__(self, run, catalog, locations, settings: OrderSettings):
        self.run, self.rng, self.w = run, run.rng("orders"), run.writer
        self.ledger, self.settings = run.ledger, settings
        self.variants = sorted(catalog.variants, key=lambda v: (v.listed_from, v.id))
        self.listed = [v.listed_from for v in self.variants]
        self.weights = list(accumulate(v.weight for v in self.variants))
        self.pickup_points = [p for p in locations.sales_points if p.offers_pickup and p.variants]
        self.invoices = InvoiceMaker(run)

    def place(self, when: datetime) -> None:
        rng = self.rng
        point = rng.choice(self.pickup_points) if self.pickup_points and rng.random() < 0.15 else None
        chosen = self._pickup_lines(point, when) if point else self._delivery_lines(when)
        if not chosen:
            return
        order_id = self.w.new_id("customer_order")
        number = f"OC{when:%y%m}-{order_id:06d}"
        method = "cod" if rng.random() < 0.62 else "bank_transfer"
        order = self._contact(order_id, number, when, method, point)
        shipments = self._shipments(order, chosen, point)
        Journey(self, order, shipments, when).run()

    def _eligible(self, when: datetime) -> int:
        return bisect(self.listed, when)

    def _delivery_lines(self, when: datetime) -> list[tuple[VariantInfo, int]]:
        count = self._eligible(when)
        if not count:
            return []
        wanted = self.rng.choices((1, 2, 3, 4), cum_weights=(55, 83, 95, 100))[0]
        chosen = {}
        for _ in range(wanted):
            at = min(bisect(self.weights, self.rng.random() * self.weights[count - 1]), count - 1)
            chosen[self.variants[at].id] = self.variants[at]
        return [(v, self._quantity()) for _, v in sorted(chosen.items())]

    def _pickup_lines(self, point, when: datetime) -> list[tuple[VariantInfo, int]]:
        return [(v, self._quantity()) for v in point.ready(self.rng, when, self.rng.randint(1, 3))]

    def _quantity(self) -> int:
        return self.rng.choices((1, 2, 3, 4, 5), cum_weights=(70, 90, 95, 98, 100))[0]

    def _contact(self, order_id: int, number: str, when: datetime, method: str, point) -> dict:
        rng, places = self.rng, self.run.places
        name = names.person(rng)
        order = {
            "id": order_id, "number": number, "user_id": None,
            "email": f"{_mailbox(name)}.{order_id}@example.com",
            "phone": f"0{rng.choice('35789')}{rng.randrange(10**8):08d}", "name": name,
            "fulfilment": "pickup" if point else "delivery", "address_line": "", "ward_code": None,
            "province_code": None, "pickup_location_id": point.id if point else None,
            "payment_method": method, "payment_status": "unpaid",
            "access_token": token(rng, 24), "idempotency_key": None,
            "request_hash": f"{rng.getrandbits(256):064x}", "needs_attention": False,
            "expires_at": None if method == "cod" else when + self.settings.transfer_hours * H,
            "created_at": when}
        if not point:
            place = places.pick(rng)
            ward = rng.choice(place.wards)
            order.update(address_line=f"Số {rng.randint(1, 500)} {rng.choice(names.VILLAGES)}",
                         ward_code=ward[0], province_code=place.code)
        return order

    def _shipments(self, order: dict, chosen, point) -> list[dict]:
        """One shipment per producer for delivery, or the one pickup; lines reserved where
        the allocation would take them (the warehouse, or the pickup point)."""
        when, number = order["created_at"], order["number"]
        groups = [(None, chosen)] if point else [
            (producer, list(lines)) for producer, lines in
            groupby(sorted(chosen, key=lambda c: (c[0].producer.id, c[0].id)), key=lambda c: c[0].producer)]
        shipments = []
        for producer, lines in groups:
            subtotal = sum(v.price_vnd * q for v, q in lines)
            shipments.append({
                "row": {"id": self.w.new_id("shipment"), "order_id": order["id"],
                        "kind": "pickup" if point else "delivery",
                        "producer_id": producer.id if producer else None,
                        "location_id": point.id if point else None, "status": "pending",
                        "subtotal_vnd": subtotal,
                        "shipping_vnd": 0 if point else self.settings.shipping_fee(subtotal),
                        "tracking_note": "", "cash_collected_vnd": None, "updated_at": when},
                "lines": lines})
        order["subtotal_vnd"] = sum(s["row"]["subtotal_vnd"] for s in shipments)
        order["shipping_vnd"] = sum(s["row"]["shipping_vnd"] for s in shipments)
        order["total_vnd"] = order["subtotal_vnd"] + order["shipping_vnd"]
        self._lines(order, shipments, point, number)
        return shipments

    def _lines(self, order: dict, shipments: list[dict], point, number: str) -> None:
        when = order["created_at"]
        by_variant = sorted(((v, q, s) for s in shipments for v, q in s["lines"]), key=lambda x: x[0].id)
        for shipment in shipments:
            shipment["order_lines"], shipment["reservations"] = [], []
        for variant, quantity, shipment in by_variant:
            location = point.id if point else variant.producer.warehouse_id
            if self.ledger.available(variant.id, location) < quantity:
                restock = quantity + (self.rng.randint(10, 40) if point else self.rng.randint(50, 300))
                self.ledger.receive(variant.id, location, restock, when - H / 2)
            self.ledger.reserve(variant.id, location, quantity)
            line = {"id": self.w.new_id("order_line"), "order_id": order["id"],
                    "shipment_id": shipment["row"]["id"], "variant_id": variant.id,
                    "sku": variant.sku, "name": variant.name, "unit": variant.unit,
                    "producer_id": variant.producer.id, "producer_name": variant.producer.name,
                    "unit_price_vnd": variant.price_vnd, "vat_category": variant.vat_category,
                    "is_service": variant.is_service, "quantity": quantity}
            shipment["order_lines"].append(line)
            shipment["reservations"].append({
                "id": self.w.new_id("stock_reservation"), "variant_id": variant.id,
                "location_id": location, "quantity": quantity, "status": "open",
                "reference": f"order {number}", "order_line_id": line["id"],
                "needs_attention": False, "note": "", "created_at": when, "closed_at": None})


class Journey:
    """One order from placement to wherever `now` finds it."""

    def __init__(self, maker: OrderMaker, order: dict, shipments: list[dict], placed: datetime):
        self.m, self.rng, self.now = maker, maker.rng, maker.run.now
        self.order, self.shipments, self.placed = order, shipments, placed
        self.events: list[tuple] = []
        self.payment = {"status": "pending", "paid_at": None}

    def event(self, when, subject, old, new, shipment=None, reason="") -> None:
        self.events.append((when, len(self.events), subject, old, new, shipment, reason))

    def run(self) -> None:
        order, rng = self.order, self.rng
        cod = order["payment_method"] == "cod"
        order["status"] = "confirmed" if cod else "awaiting_payment"
        self.event(self.placed, "order", "", order["status"], reason="placed")
        if cod:
            cancel_at = self.placed + rng.uniform(0.5, 10) * H
            if rng.random() < 0.03 and cancel_at <= self.now:
                return self._cancel(cancel_at)
            start = self.placed
        else:
            start = self._transfer()
            if start is None:
                return self._write()
        for shipment in self.shipments:
            self._fulfil(shipment, start)
        self._complete()
        self._write()

    def _transfer(self) -> datetime | None:
        """When the transfer arrived, or None: still awaited, or expired unpaid."""
        order, rng = self.order, self.rng
        paid = self.placed + rng.uniform(0.2, 20) * H
        if rng.random() < 0.06 or paid > self.now:
            expired = order["expires_at"] + rng.uniform(1, 10) * H / 60
            if expired <= self.now:
                self._expire(expired)
            return None
        note = f"bank statement, line {rng.randint(1, 200)}"
        self.m.invoices.audit_transfer(order, paid, note)
        self.payment.update(status="paid", paid_at=paid)
        order["payment_status"] = "paid"
        self.event(paid, "payment", "unpaid", "paid", reason=note)
        self.event(paid, "order", "awaiting_payment", "confirmed", reason=note)
        order["status"] = "confirmed"
        for shipment in self.shipments:
            self.m.invoices.for_shipment(order, shipment, paid)
        self.m.invoices.for_shipping(order, self.shipments, paid, f"shipping:order:{order['id']}")
        return paid

    def _fulfil(self, shipment: dict, start: datetime) -> None:
        rng, row = self.rng, shipment["row"]
        if row["kind"] == "delivery":
            steps = [("packed", rng.uniform(4, 30)), ("shipped", rng.uniform(2, 20)),
                     ("delivered", rng.uniform(20, 96))]
        else:
            steps = [("ready", rng.uniform(2, 24)), ("collected", rng.uniform(4, 72))]
        when = start
        for new, hours in steps:
            when += hours * H
            if when > self.now:
                return
            reason = ""
            if new == "shipped":
                reason = f"{rng.choice(names.CARRIERS)} {rng.randrange(10**9):09d}"
                row["tracking_note"] = reason
            self.event(when, "shipment", row["status"], new, row["id"], reason)
            row["status"], row["updated_at"] = new, when
            if new in ("shipped", "collected"):
                self._commit_stock(shipment, when)
            if new in ("delivered", "collected") and self.order["payment_method"] == "cod":
                row["cash_collected_vnd"] = row["subtotal_vnd"] + row["shipping_vnd"]
                self.m.invoices.for_shipment(self.order, shipment, when)
                self.m.invoices.for_shipping(self.order, [shipment], when,
                                             f"shipping:shipment:{row['id']}", row["id"])
        shipment["done_at"] = when

    def _commit_stock(self, shipment: dict, when: datetime) -> None:
        number = self.order["number"]
        for reservation in shipment["reservations"]:
            reservation.update(status="committed", closed_at=when)
            variant, location, quantity = (reservation["variant_id"], reservation["location_id"],
                                           reservation["quantity"])
            self.m.ledger.unreserve(variant, location, quantity)
            self.m.ledger.move(variant, location, -quantity, "online_sale", when,
                               reference=f"order {number}")

    def _complete(self) -> None:
        done = [s.get("done_at") for s in self.shipments]
        if not all(done):
            return
        when = max(done)
        self.event(when, "order", "confirmed", "completed", reason="all delivered")
        self.order["status"] = "completed"
        if self.order["payment_method"] == "cod":
            self.event(when, "payment", "unpaid", "paid", reason="cash collected")
            self.order["payment_status"] = "paid"
            self.payment["status"] = "paid"

    def _release(self, when: datetime, reason: str, shipment_reason: str, new: str) -> None:
        old = self.order["status"]
        self.event(when, "order", old, new, reason=reason)
        self.order["status"] = new
        for shipment in self.shipments:
            row = shipment["row"]
            self.event(when, "shipment", row["status"], "cancelled", row["id"], shipment_reason)
            row["status"], row["updated_at"] = "cancelled", when
            for reservation in shipment["reservations"]:
                reservation.update(status="released", closed_at=when)
                self.m.ledger.unreserve(reservation["variant_id"], reservation["location_id"],
                                        reservation["quantity"])

    def _cancel(self, when: datetime) -> None:
        self._release(when, "changed my mind", "changed my mind", "cancelled")
        self.payment["status"] = "cancelled"
        self._write()

    def _expire(self, when: datetime) -> None:
        self._release(when, "not paid in time", "order expired", "expired")
        self.payment["status"] = "expired"

    def _write(self) -> None:
        w, order = self.m.w, self.order
        w.add("customer_order", order)
        for shipment in self.shipments:
            w.add("shipment", shipment["row"])
        for shipment in self.shipments:
            for line in shipment["order_lines"]:
                w.add("order_line", line)
            for reservation in shipment["reservations"]:
                w.add("stock_reservation", reservation)
        for when, _n, subject, old, new, shipment_id, reason in sorted(self.events, key=lambda e: e[:2]):
            w.add("order_event", {
                "id": w.new_id("order_event"), "order_id": order["id"], "shipment_id": shipment_id,
                "subject": subject, "from_status": old, "to_status": new, "actor_id": None,
                "reason": reason[:300], "created_at": when})
        w.add("payment", {
            "id": w.new_id("payment"), "order_id": order["id"], "method": order["payment_method"],
            "provider_ref": None, "payment_intent": None, "amount_vnd": order["total_vnd"],
            "status": self.payment["status"], "checkout_url": "", "idempotency_key": None,
            "note": "", "created_at": self.placed, "paid_at": self.payment["paid_at"]})
        self.m.invoices.write_pending()

