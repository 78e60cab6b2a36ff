"""The POS part of the API (API.md, POS devices): a device token sees only its sales point."""

from functools import wraps

from flask import g, jsonify, request

from shop.errors import Forbidden, NotFound, Unauthorized, ValidationError
from shop.extensions import db
from shop.inventory import counts, transfers
from shop.inventory import queries as stock_queries
from shop.inventory.models import StockCount, Transfer
from shop.pos import devices, schemas
from shop.pos import services as pos
from shop.web.api import bp

LISTED_TRANSFER_STATUSES = ("in_transit", "received")  # a draft is the producer's alone


def device_required(view):
    @wraps(view)
    def wrapped(*args, **kwargs):
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        device = devices.device_for_token(token.strip()) if scheme.lower() == "bearer" else None
        if device is None:
            raise Unauthorized("a valid device token is required (Authorization: Bearer ...)")
        g.device, g.location = device, device.location
        pos.touch_device(device)
        return view(*args, **kwargs)
    return wrapped


def _json():
    return request.get_json(silent=True)


@bp.get("/pos/stock")
@device_required
def pos_stock():
    items = [{"sku": variant.sku, "name": f"{variant.product.name} – {variant.label}",
              "on_hand": level.on_hand, "reserved": level.reserved, "available": level.available}
             for level, variant in stock_queries.levels_at(g.location.id)]
    return jsonify({"sales_point": {"code": g.location.code, "name": g.location.name},
                    "items": items})


@bp.post("/pos/sales")
@device_required
def pos_sale():
    sale = schemas.parse_sale(_json())
    created, response = pos.record_sale(g.location, sale, device_id=g.device.id)
    return jsonify(response), 201 if created else 200


@bp.post("/pos/sync")
@device_required
def pos_sync():
    results = pos.sync_sales(g.location, schemas.parse_batch(_json()), device_id=g.device.id)
    return jsonify({"results": results})


@bp.post("/pos/counts")
@device_required
def pos_count():
    count = schemas.parse_count(_json())
    created, record = pos.submit_count(g.location, count, device_id=g.device.id)
    return jsonify(counts.count_response(record)), 201 if created else 200


@bp.post("/pos/counts/<count_id>/apply")
@device_required
def pos_apply_count(count_id: str):
    record = db.session.get(StockCount, count_id)
    if record is None or record.location_id != g.location.id:
        raise NotFound("no such count at this sales point")
    if not g.device.can_apply_counts:
        raise Forbidden("only a manager's device may apply counts")
    return jsonify(counts.count_response(counts.apply_count(record)))


@bp.get("/pos/transfers")
@device_required
def pos_transfers():
    status = request.args.get("status")
    if status and status not in LISTED_TRANSFER_STATUSES:
        raise ValidationError("unknown transfer status",
                              {"status": "one of " + ", ".join(LISTED_TRANSFER_STATUSES)})
    query = db.select(Transfer).where(Transfer.to_location_id == g.location.id,
                                      Transfer.status != "draft")
    if status:
        query = query.where(Transfer.status == status)
    found = db.session.scalars(query.order_by(Transfer.id.desc()).limit(200))
    return jsonify({"items": [transfers.transfer_response(t) for t in found]})


@bp.post("/pos/transfers/<int:transfer_id>/receive")
@device_required
def pos_receive_transfer(transfer_id: int):
    transfer = db.session.get(Transfer, transfer_id)
    if transfer is None or transfer.to_location_id != g.location.id or transfer.status == "draft":
        raise NotFound("no such transfer for this sales point")
    received = schemas.parse_received(_json())
    return jsonify(transfers.transfer_response(transfers.receive_transfer(transfer, received)))
