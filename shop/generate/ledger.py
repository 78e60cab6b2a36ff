"""The stock ledger kept in memory while the generator writes it.

Every change of `on_hand` is a movement row, as `inventory.stock.move` writes it; the stock
levels are written last, with `on_hand` the sum of their movements and `reserved` the sum of
their open reservations, so `shop check-ledger` finds nothing to report.
"""

from __future__ import annotations

from datetime import datetime

from shop.generate.bulk import Writer


class Ledger:
    def __init__(self, writer: Writer):
        self.writer = writer
        self.levels: dict[tuple[int, int], list[int]] = {}  # (variant, location) -> [on_hand, reserved]

    def available(self, variant_id: int, location_id: int) -> int:
        level = self.levels.get((variant_id, location_id))
        return level[0] - level[1] if level else 0

    def holds(self, variant_id: int, location_id: int) -> bool:
        return (variant_id, location_id) in self.levels

    def move(self, variant_id: int, location_id: int, delta: int, reason: str, when: datetime, *,
             reference: str = "", note: str = "", created_at: datetime | None = None) -> None:
        level = self.levels.setdefault((variant_id, location_id), [0, 0])
        level[0] += delta
        self.writer.add("stock_movement", {
            "id": self.writer.new_id("stock_movement"), "variant_id": variant_id,
            "location_id": location_id, "delta": delta, "reason": reason, "reference": reference,
            "note": note, "actor_id": None, "idempotency_key": None, "occurred_at": when,
            "created_at": created_at or when})

    def receive(self, variant_id: int, location_id: int, quantity: int, when: datetime) -> None:
        """A goods receipt, as `inventory.services.receive_goods` records it."""
        self.move(variant_id, location_id, quantity, "receipt", when, reference="goods receipt")

    def reserve(self, variant_id: int, location_id: int, quantity: int) -> None:
        self.levels[(variant_id, location_id)][1] += quantity

    def unreserve(self, variant_id: int, location_id: int, quantity: int) -> None:
        self.levels[(variant_id, location_id)][1] -= quantity

    def write_levels(self) -> None:
        for (variant_id, location_id), (on_hand, reserved) in sorted(self.levels.items()):
            self.writer.add("stock_level", {
                "id": self.writer.new_id("stock_level"), "variant_id": variant_id,
                "location_id": location_id, "on_hand": on_hand, "reserved": reserved})
