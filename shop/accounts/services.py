"""Use cases of accounts: registering, signing in, and granting roles."""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func

from shop.accounts.models import ProducerMember, SalesPointStaff, User
from shop.catalog.models import Producer
from shop.clock import utcnow
from shop.errors import Conflict, ValidationError
from shop.extensions import db
from shop.inventory.models import Location

MIN_PASSWORD_LENGTH = 8


def normalise_email(email: str) -> str:
    try:
        return validate_email((email or "").strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError as error:
        raise ValidationError(f"invalid email address: {error}", {"email": str(error)}) from None


def check_password_rules(password: str) -> None:
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise ValidationError(
            f"the password needs at least {MIN_PASSWORD_LENGTH} characters",
            {"password": f"at least {MIN_PASSWORD_LENGTH} characters"})


def find_by_email(email: str) -> User | None:
    return db.session.scalar(
        db.select(User).where(func.lower(User.email) == email.strip().lower()))


def register(email: str, password: str, name: str = "", role: str = "customer") -> User:
    """Create a user with the membership that `role` names (create-user's --role syntax).

    Everything is checked before anything is written, so a refusal leaves no trace.
    """
    email = normalise_email(email)
    check_password_rules(password)
    is_admin, memberships = resolve_role(role)
    if find_by_email(email):
        raise Conflict(f"an account with {email} already exists", {"fields": {"email": "taken"}})
    user = User(email=email, name=(name or "").strip()[:120], is_admin=is_admin)
    user.set_password(password)
    user.producer_memberships = [m for m in memberships if isinstance(m, ProducerMember)]
    user.sales_point_memberships = [m for m in memberships if isinstance(m, SalesPointStaff)]
    db.session.add(user)
    db.session.commit()
    return user


def resolve_role(role: str) -> tuple[bool, list[ProducerMember | SalesPointStaff]]:
    """Read 'customer', 'admin', 'producer:<tax_code>' or 'staff:<code>[:manager]'.

    Returns whether the user is an admin and the memberships to give it (not yet saved).
    """
    kind, _, rest = (role or "customer").partition(":")
    if kind in ("customer", "admin") and not rest:
        return kind == "admin", []
    if kind == "producer" and rest:
        producer = db.session.scalar(db.select(Producer).where(Producer.tax_code == rest))
        if producer is None:
            raise ValidationError(f"no producer with tax code {rest}", {"role": "unknown producer"})
        return False, [ProducerMember(producer=producer, role="owner")]
    if kind == "staff" and rest:
        code, _, level = rest.partition(":")
        if level not in ("", "manager"):
            raise ValidationError(f"unknown staff level {level!r}", {"role": "staff or manager"})
        location = db.session.scalar(
            db.select(Location).where(Location.code == code, Location.kind == "sales_point"))
        if location is None:
            raise ValidationError(f"no sales point with code {code}", {"role": "unknown sales point"})
        return False, [SalesPointStaff(location=location, role="manager" if level else "staff")]
    raise ValidationError(
        f"unknown role {role!r}: use customer, admin, producer:<tax_code> or "
        "staff:<sales_point_code>[:manager]", {"role": "unknown role"})


def authenticate(email: str, password: str) -> User | None:
    """The active user with these credentials, with the sign-in time recorded; else None."""
    user = find_by_email(email or "")
    if user is None or not user.is_active or not user.check_password(password or ""):
        return None
    user.last_login_at = utcnow()
    db.session.commit()
    return user
