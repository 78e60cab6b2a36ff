"""Device tokens of the sales points' tills: shown once, kept only as a hash, revocable."""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import select

from shop.audit import services as audit
from shop.clock import utcnow
from shop.database import write_transaction
from shop.errors import Conflict, ValidationError
from shop.extensions import db
from shop.inventory.models import Location
from shop.pos.models import PosDevice

PREFIX = "ocop_pos_"


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_device(location: Location, name: str, *, can_apply_counts: bool = False,
                  actor_id: int | None = None) -> tuple[PosDevice, str]:
    """A new device and its token; the token is returned this once and never stored."""
    if location.kind != "sales_point":
        raise ValidationError("devices belong to sales points", {"location": "not a sales point"})
    name = (name or "").strip()[:100] or "POS"
    token = PREFIX + secrets.token_urlsafe(32)
    with write_transaction(db.session):
        device = PosDevice(location_id=location.id, name=name, token_hash=_digest(token),
                           can_apply_counts=can_apply_counts, created_by_id=actor_id)
        db.session.add(device)
        db.session.flush()
        audit.record("pos_device.created", actor_id=actor_id, subject=f"pos_device:{device.id}",
                     location=location.code, name=name, can_apply_counts=can_apply_counts)
    return device, token


def revoke_device(device: PosDevice, actor_id: int | None = None) -> None:
    if device.revoked_at is not None:
        raise Conflict("this device token is already revoked")
    with write_transaction(db.session):
        device.revoked_at = utcnow()
        audit.record("pos_device.revoked", actor_id=actor_id, subject=f"pos_device:{device.id}",
                     name=device.name)


def device_for_token(token: str) -> PosDevice | None:
    """The live device a bearer token belongs to, or None."""
    if not token or not token.startswith(PREFIX):
        return None
    return db.session.scalar(select(PosDevice).where(
        PosDevice.token_hash == _digest(token), PosDevice.revoked_at.is_(None)))


def devices_of(location: Location) -> list[PosDevice]:
    return list(db.session.scalars(select(PosDevice).where(PosDevice.location_id == location.id)
                                   .order_by(PosDevice.revoked_at.is_not(None), PosDevice.id)))
