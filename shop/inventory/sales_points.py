"""The program office runs the sales points: their registry entries and who works there."""

from __future__ import annotations

from shop.accounts import services as accounts
from shop.accounts import sessions
from shop.accounts.models import SalesPointStaff
from shop.audit import services as audit
from shop.database import write_transaction
from shop.errors import Conflict, ValidationError
from shop.extensions import db
from shop.inventory.imports import CODE_PATTERN
from shop.inventory.models import Location
from shop.places import services as places

TEXT_FIELDS = {"name": 200, "address": 300, "opening_hours": 200, "phone": 30}
FLAGS = ("ships_online", "offers_pickup", "is_active")
STAFF_ROLES = ("staff", "manager")


def _cleaned(fields: dict) -> dict:
    """The entry's fields, checked; ValidationError naming each bad one."""
    values = {k: (fields.get(k) or "").strip() for k in (*TEXT_FIELDS, "province_code", "ward_code")}
    problems = {k: f"at most {n} characters" for k, n in TEXT_FIELDS.items() if len(values[k]) > n}
    if not values["name"]:
        problems["name"] = "required"
    if problems:
        raise ValidationError("the sales point is not valid", problems)
    places.require_province(values["province_code"])
    values["ward_code"] = values["ward_code"] or None
    if values["ward_code"]:
        places.require_ward(values["ward_code"], values["province_code"])
    return {**values, **{flag: bool(fields.get(flag)) for flag in FLAGS}}


def create_sales_point(code: str, fields: dict, *, actor_id: int | None) -> Location:
    """A new OCOP sales point (shop, centre or showroom)."""
    code = (code or "").strip().upper()
    if not CODE_PATTERN.match(code):
        raise ValidationError("the code is not valid",
                              {"code": "upper-case letters, digits, '-' or '_', at most 40"})
    values = _cleaned(fields)
    if db.session.scalar(db.select(Location.id).where(Location.code == code)):
        raise Conflict(f"the code {code} is taken", {"fields": {"code": "taken"}})
    with write_transaction(db.session):
        location = Location(code=code, kind="sales_point", **values)
        db.session.add(location)
        db.session.flush()
        audit.record("sales_point.created", actor_id=actor_id, subject=f"location:{code}", **values)
    return location


def update_sales_point(location: Location, fields: dict, *, actor_id: int | None) -> dict:
    """Change hours, address, phone and what the sales point offers; {field: (old, new)}."""
    values = _cleaned(fields)
    changed = {k: (getattr(location, k), v) for k, v in values.items() if getattr(location, k) != v}
    with write_transaction(db.session):
        for name, (_, new) in changed.items():
            setattr(location, name, new)
        if changed:
            audit.record("sales_point.updated", actor_id=actor_id, subject=f"location:{location.code}",
                         changes={k: list(v) for k, v in changed.items()})
    return changed


def assign_staff(location: Location, email: str, role: str, *, actor_id: int | None) -> SalesPointStaff:
    """Give an existing account a role (staff or manager) at the sales point, or change it."""
    if role not in STAFF_ROLES:
        raise ValidationError("unknown role", {"role": "staff or manager"})
    user = accounts.find_by_email(email or "")
    if user is None:
        raise ValidationError("no account has this email address", {"email": "no such account"})
    member = db.session.scalar(db.select(SalesPointStaff).where(
        SalesPointStaff.location_id == location.id, SalesPointStaff.user_id == user.id))
    previous = member.role if member else None
    with write_transaction(db.session):
        if member is None:
            member = SalesPointStaff(user=user, location=location, role=role)
            db.session.add(member)
        member.role = role
        audit.record("sales_point.staff_assigned", actor_id=actor_id,
                     subject=f"location:{location.code}", user=user.email, role=role, previous=previous)
    if previous == "manager" and role != "manager":  # a role taken away ends the sessions
        sessions.end_all(user.id)
    return member


def remove_staff(member: SalesPointStaff, *, actor_id: int | None) -> None:
    """The person no longer works at the sales point: the portal closes to them at once, and
    their sessions end."""
    user_id = member.user_id
    with write_transaction(db.session):
        audit.record("sales_point.staff_removed", actor_id=actor_id,
                     subject=f"location:{member.location.code}", user=member.user.email,
                     role=member.role)
        db.session.delete(member)
    sessions.end_all(user_id)


def sales_points() -> list[Location]:
    return list(db.session.scalars(db.select(Location).where(Location.kind == "sales_point")
                                   .order_by(Location.province_code, Location.code)))
