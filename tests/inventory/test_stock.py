"""The stock building blocks and use cases: reserve, release, commit, transfers, counts."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from shop.database import write_transaction
from shop.errors import Conflict, InsufficientStock, ValidationError
from shop.extensions import db
from shop.inventory import counts, services, stock, transfers
from shop.inventory.models import StockMovement, StockReservation, Transfer
from tests import builders


@pytest.fixture
def shop():
    item = builders.product("Chè", sku="CHE-1")
    warehouse = builders.warehouse(item.producer)
    point = builders.sales_point("QN-HALONG")
    builders.receive(item, warehouse, 10)
    return item.variants[0], warehouse, point


def movements(reason: str | None = None) -> list[tuple[int, str]]:
    query = select(StockMovement.delta, StockMovement.reason).order_by(StockMovement.id)
    if reason:
        query = query.where(StockMovement.reason == reason)
    return [tuple(row) for row in db.session.execute(query)]


def test_reserve_never_takes_available_below_zero(shop):
    variant, warehouse, _ = shop
    with write_transaction(db.session):
        stock.reserve(variant.id, warehouse.id, 7, "order A")
    with pytest.raises(InsufficientStock) as refused, write_transaction(db.session):
        stock.reserve(variant.id, warehouse.id, 4, "order B")
    assert refused.value.details == {"sku": "CHE-1", "location": warehouse.code, "requested": 4,
                                     "available": 3}
    assert stock.level(variant.id, warehouse.id) == stock.Level(10, 7)


def test_reserve_all_is_all_or_nothing(shop):
    variant, warehouse, point = shop
    with pytest.raises(InsufficientStock), write_transaction(db.session):
        stock.reserve_all([(variant.id, warehouse.id, 5), (variant.id, point.id, 1)], "order A")
    assert stock.level(variant.id, warehouse.id) == stock.Level(10, 0)
    assert db.session.scalar(select(func.count()).select_from(StockReservation)) == 0


def test_release_and_commit(shop):
    variant, warehouse, _ = shop
    with write_transaction(db.session):
        kept = stock.reserve(variant.id, warehouse.id, 2, "order A")
        dropped = stock.reserve(variant.id, warehouse.id, 3, "order B")
    with write_transaction(db.session):
        stock.release(dropped)
        stock.commit(kept, reference="order A shipped")
    assert stock.level(variant.id, warehouse.id) == stock.Level(8, 0)
    assert movements("online_sale") == [(-2, "online_sale")]
    with pytest.raises(ValueError), write_transaction(db.session):
        stock.release(kept)
    assert services.ledger_mismatches() == []


def test_take_available_respects_reservations(shop):
    variant, warehouse, _ = shop
    with write_transaction(db.session):
        stock.reserve(variant.id, warehouse.id, 8)
    with pytest.raises(InsufficientStock), write_transaction(db.session):
        stock.take_available(variant.id, warehouse.id, 3, "transfer_out")
    assert stock.level(variant.id, warehouse.id) == stock.Level(10, 8)


def test_a_transfer_goes_draft_in_transit_received(shop):
    variant, warehouse, point = shop
    transfer = transfers.create_transfer(warehouse, point, [(variant.id, 6)])
    assert transfer.status == "draft" and stock.level(variant.id, warehouse.id).on_hand == 10
    transfers.send_transfer(transfer)
    assert transfer.status == "in_transit" and stock.level(variant.id, warehouse.id).on_hand == 4
    with pytest.raises(Conflict):
        transfers.send_transfer(transfer)
    transfers.receive_transfer(transfer, {"CHE-1": 5})
    assert transfer.status == "received" and transfer.lines[0].difference == -1
    assert stock.level(variant.id, point.id).on_hand == 5
    assert movements() == [(10, "receipt"), (-6, "transfer_out"), (5, "transfer_in")]
    assert services.ledger_mismatches() == []


def test_a_receipt_must_name_every_line_of_the_transfer(shop):
    variant, warehouse, point = shop
    transfer = transfers.send_transfer(transfers.create_transfer(warehouse, point, [(variant.id, 2)]))
    with pytest.raises(ValidationError) as refused:
        transfers.receive_transfer(transfer, {"OTHER": 1})
    assert refused.value.fields == {"lines.OTHER": "not a line of this transfer",
                                    "lines.CHE-1": "the received quantity is missing"}
    assert transfer.status == "in_transit" and stock.level(variant.id, point.id).on_hand == 0


def test_transfers_only_carry_the_producers_own_goods(shop):
    _, warehouse, point = shop
    other = builders.product("Gốm", sku="GOM-1")
    with pytest.raises(ValidationError) as refused:
        transfers.create_transfer(warehouse, point, [(other.variants[0].id, 1)])
    assert refused.value.fields == {"lines": "only the producer's own goods can be sent"}
    assert db.session.scalar(select(func.count()).select_from(Transfer)) == 0


def test_adjustments_need_a_reason_and_a_note(shop):
    variant, warehouse, _ = shop
    with pytest.raises(ValidationError) as refused:
        services.record_adjustment(warehouse, variant, 2, "theft", actor_id=None, note="")
    assert set(refused.value.fields) == {"reason", "note"}
    services.record_adjustment(warehouse, variant, 2, "damage", actor_id=None, note="vỡ hộp")
    services.record_adjustment(warehouse, variant, 1, "return", actor_id=None, note="khách trả")
    assert movements()[1:] == [(-2, "damage"), (1, "return")]
    assert stock.level(variant.id, warehouse.id).on_hand == 9


def _count(point, variant, counted, at):
    count_id = f"00000000-0000-4000-8000-{int(at.timestamp()):012d}"
    return counts.submit_count(point, count_id, at, [(variant.sku, counted)], f"digest-{counted}")[1]


def test_a_count_is_taken_against_the_ledger_at_the_time_it_was_counted(shop):
    variant, warehouse, point = shop
    transfers.receive_transfer(transfers.send_transfer(
        transfers.create_transfer(warehouse, point, [(variant.id, 9)])), {"CHE-1": 9})
    counted_at = datetime.now(UTC)
    count = _count(point, variant, 7, counted_at)
    assert [(line.expected, line.counted, line.difference) for line in count.lines] == [(9, 7, -2)]
    # A counter sale made before the count but synced after it, and one made after the count.
    with write_transaction(db.session):
        stock.move(variant.id, point.id, -1, "pos_sale", occurred_at=counted_at - timedelta(minutes=5))
        stock.move(variant.id, point.id, -1, "pos_sale", occurred_at=counted_at + timedelta(minutes=5))
    counts.apply_count(count)
    assert [(line.expected, line.counted, line.adjustment) for line in count.lines] == [(8, 7, -1)]
    assert count.movements_after == 1 and count.status == "applied"
    assert stock.level(variant.id, point.id).on_hand == 6
    with pytest.raises(Conflict):
        counts.apply_count(count)
    assert services.ledger_mismatches() == []


def test_losing_stock_moves_reservations_to_where_they_can_be_covered(shop):
    variant, warehouse, point = shop
    transfers.receive_transfer(transfers.send_transfer(
        transfers.create_transfer(warehouse, point, [(variant.id, 4)])), {"CHE-1": 4})
    with write_transaction(db.session):
        reservation = stock.reserve(variant.id, point.id, 3, "order A")
    services.record_adjustment(point, variant, 2, "damage", actor_id=None, note="ướt")
    assert reservation.location_id == warehouse.id and not reservation.needs_attention
    assert stock.level(variant.id, point.id) == stock.Level(2, 0)
    assert stock.level(variant.id, warehouse.id) == stock.Level(6, 3)
    assert services.ledger_mismatches() == []


def test_an_uncoverable_reservation_is_flagged(shop):
    variant, warehouse, point = shop
    with write_transaction(db.session):
        reservation = stock.reserve(variant.id, warehouse.id, 10, "order A")
    services.record_adjustment(warehouse, variant, 1, "damage", actor_id=None, note="rơi vỡ")
    assert reservation.needs_attention and reservation.location_id == warehouse.id
    assert stock.level(variant.id, warehouse.id) == stock.Level(9, 10)
    assert services.ledger_mismatches() == []


def test_check_ledger_sees_reserved_that_no_reservation_explains(shop):
    variant, warehouse, _ = shop
    from sqlalchemy import update

    from shop.inventory.models import StockLevel

    db.session.execute(update(StockLevel).values(reserved=2))
    db.session.commit()
    assert [str(m) for m in services.ledger_mismatches()] == [
        f"{warehouse.code} CHE-1: reserved is 2, the ledger says 0"]


def test_no_more_damage_than_is_there_and_only_own_goods_arrive(shop):
    variant, warehouse, _ = shop
    with pytest.raises(ValidationError) as refused:
        services.record_adjustment(warehouse, variant, 11, "damage", actor_id=None, note="lũ")
    assert refused.value.fields == {"quantity": "at most what is on hand"}
    other = builders.product("Mắm", sku="MAM-1").variants[0]
    with pytest.raises(ValidationError) as refused:
        services.receive_goods(warehouse, other, 5, actor_id=None)
    assert refused.value.fields == {"location": "not this producer's warehouse"}
    warehouse.is_active = False
    db.session.commit()
    with pytest.raises(ValidationError):
        services.receive_goods(warehouse, variant, 1, actor_id=None)
    assert movements() == [(10, "receipt")]
