"""Random sequences of receipts, transfers, reservations, releases, counter sales, damage and
counts: after every step the ledger explains every stock level, and the stock matches a
plain model of what should be there."""

import uuid
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from shop.database import write_transaction
from shop.errors import InsufficientStock, ValidationError
from shop.extensions import db
from shop.inventory import counts, services, stock, transfers
from shop.inventory.models import StockLevel
from shop.pos import schemas
from shop.pos import services as pos
from tests import builders
from tests.conftest import _clean

QUANTITY = st.integers(min_value=1, max_value=6)


class StockMachine(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        _clean(None)
        item = builders.product(sku="P-1")
        self.variant = item.variants[0]
        self.warehouse = builders.warehouse(item.producer)
        self.points = [builders.sales_point("SP-A", ships_online=True),
                       builders.sales_point("SP-B", ships_online=False, province_code="01")]
        self.locations = [self.warehouse, *self.points]
        self.on_hand = {loc.id: 0 for loc in self.locations}
        self.reservations = []  # open StockReservation ids

    def level(self, location) -> stock.Level:
        return stock.level(self.variant.id, location.id)

    @rule(quantity=QUANTITY)
    def receipt(self, quantity):
        services.receive_goods(self.warehouse, self.variant, quantity, actor_id=None)
        self.on_hand[self.warehouse.id] += quantity

    @rule(quantity=QUANTITY, point=st.integers(0, 1), short=st.integers(0, 2))
    def transfer(self, quantity, point, short):
        destination = self.points[point]
        draft = transfers.create_transfer(self.warehouse, destination, [(self.variant.id, quantity)])
        available = self.level(self.warehouse).available
        try:
            transfers.send_transfer(draft)
        except InsufficientStock:
            assert available < quantity
            return
        assert available >= quantity
        self.on_hand[self.warehouse.id] -= quantity
        received = max(quantity - short, 0)
        transfers.receive_transfer(draft, {"P-1": received})
        self.on_hand[destination.id] += received

    @rule(quantity=QUANTITY, where=st.integers(0, 2))
    def reserve(self, quantity, where):
        location = self.locations[where]
        available = self.level(location).available
        try:
            with write_transaction(db.session):
                reservation = stock.reserve(self.variant.id, location.id, quantity, "order")
        except InsufficientStock:
            assert available < quantity
            return
        assert available >= quantity, "never reserve what is not available"
        self.reservations.append(reservation.id)

    @precondition(lambda self: self.reservations)
    @rule(data=st.data(), ship=st.booleans())
    def close_reservation(self, data, ship):
        from shop.inventory.models import StockReservation

        reservation = db.session.get(StockReservation, data.draw(st.sampled_from(self.reservations)))
        self.reservations.remove(reservation.id)
        with write_transaction(db.session):
            if ship:
                stock.commit(reservation)
                self.on_hand[reservation.location_id] -= reservation.quantity
            else:
                stock.release(reservation)

    @rule(quantity=QUANTITY, point=st.integers(0, 1))
    def counter_sale(self, quantity, point):
        location = self.points[point]
        if db.session.scalar(db.select(StockLevel.id).where(
                StockLevel.location_id == location.id)) is None:
            return  # never stocked here: the sale would be refused as an unknown SKU
        sale = schemas.parse_sale({
            "id": str(uuid.uuid4()), "occurred_at": datetime.now(UTC).isoformat(),
            "payment_method": "cash",
            "lines": [{"sku": "P-1", "quantity": quantity, "unit_price_vnd": 1000}]})
        assert pos.record_sale(location, sale)[0] is True
        assert pos.record_sale(location, sale)[0] is False, "a replay changes nothing"
        self.on_hand[location.id] -= quantity

    @rule(quantity=QUANTITY, where=st.integers(0, 2))
    def damage(self, quantity, where):
        location = self.locations[where]
        if quantity > self.on_hand[location.id]:
            with pytest.raises(ValidationError):
                services.record_adjustment(location, self.variant, quantity, "damage",
                                           actor_id=None, note="hỏng")
            return
        services.record_adjustment(location, self.variant, quantity, "damage", actor_id=None,
                                   note="hỏng")
        self.on_hand[location.id] -= quantity

    @rule(counted=st.integers(0, 20), point=st.integers(0, 1))
    def count(self, counted, point):
        location = self.points[point]
        if db.session.scalar(db.select(StockLevel.id).where(
                StockLevel.location_id == location.id)) is None:
            return
        count_id = str(uuid.uuid4())
        _, record = counts.submit_count(location, count_id, datetime.now(UTC), [("P-1", counted)],
                                        count_id)
        counts.apply_count(record)
        self.on_hand[location.id] = counted

    @invariant()
    def ledger_explains_every_level(self):
        assert services.ledger_mismatches() == []

    @invariant()
    def stock_matches_the_model(self):
        for location in self.locations:
            level = self.level(location)
            assert level.on_hand == self.on_hand[location.id]
            assert level.reserved >= 0

    def teardown(self):
        db.session.rollback()
        _clean(None)


def test_the_ledger_holds_under_any_sequence(app):
    run = StockMachine.TestCase
    run.settings = settings(max_examples=25, stateful_step_count=25, deadline=None,
                            suppress_health_check=list(HealthCheck))
    run("runTest").runTest()
