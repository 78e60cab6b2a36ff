"""Use cases of accounts: registering, signing in (throttled, audited), changing a password and
granting roles."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func

from shop.accounts import passwords, sessions, twostep
from shop.accounts.models import ProducerMember, SalesPointStaff, SignInAttempt, User
from shop.audit import services as audit
from shop.catalog.models import Producer
from shop.clock import utcnow
from shop.errors import Conflict, RateLimited, ValidationError
from shop.extensions import db
from shop.inventory.models import Location

MIN_PASSWORD_LENGTH = passwords.MIN_PASSWORD_LENGTH


@dataclass(frozen=True)
class SignInLimits:
    """How many failed sign-ins are allowed in `window` per account and per network address."""

    per_account: int = 5
    per_address: int = 20
    window: timedelta = timedelta(minutes=15)


def normalise_email(email: str) -> str:
    try:
        return validate_email((email or "").strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError as error:
        raise ValidationError(f"invalid email address: {error}", {"email": str(error)}) from None


def check_password_rules(password: str) -> None:
    passwords.check(password)


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
    if is_admin or memberships:
        db.session.flush()
        audit.record("account.created_with_role", actor_id=None, subject=user.email, roles=user.roles)
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


def authenticate(email: str, password: str, *, address: str = "",
                 limits: SignInLimits = SignInLimits(), now: datetime | None = None) -> User | None:
    """The active user with these credentials, else None (the failure is recorded).

    Refused outright (RateLimited) while the account or the address has too many recent
    failures. A user with two-step verification is returned but not yet signed in: the caller
    asks for the code and calls `verify_second_step`; otherwise the sign-in is recorded here.
    """
    now = now or utcnow()
    email = (email or "").strip().lower()[:254]
    address = (address or "")[:45]
    check_throttle(email, address, limits=limits, now=now)
    user = find_by_email(email) if email else None
    if user is None or not user.is_active or not user.check_password(password or ""):
        record_failure(email, address, reason="password", now=now)
        db.session.commit()
        return None
    if user.totp_secret:
        return user
    record_sign_in(user, address, now=now)
    db.session.commit()
    return user


def verify_second_step(user: User, code: str, *, address: str = "",
                       limits: SignInLimits = SignInLimits(), now: datetime | None = None) -> bool:
    """Finish the sign-in of a two-step user with a TOTP or recovery code; failures count too."""
    now = now or utcnow()
    check_throttle(user.email, address, limits=limits, now=now)
    if not twostep.check_code(user, code, now=now):
        record_failure(user.email, address, reason="second_step", now=now)
        db.session.commit()
        return False
    record_sign_in(user, address, now=now)
    db.session.commit()
    return True


def check_throttle(email: str, address: str, *, limits: SignInLimits, now: datetime) -> None:
    """Raise RateLimited when the account or the address failed too often within the window."""
    since = now - limits.window
    failures = db.select(func.count()).select_from(SignInAttempt).where(
        SignInAttempt.created_at >= since, SignInAttempt.succeeded.is_(False))
    if email and db.session.scalar(failures.where(SignInAttempt.email == email)) >= limits.per_account:
        raise RateLimited("too many failed sign-ins for this account; try again later",
                          {"scope": "account", "retry_after": int(limits.window.total_seconds())})
    if address and db.session.scalar(failures.where(SignInAttempt.address == address)) >= limits.per_address:
        raise RateLimited("too many failed sign-ins from this address; try again later",
                          {"scope": "address", "retry_after": int(limits.window.total_seconds())})


def record_failure(email: str, address: str, *, reason: str, now: datetime) -> None:
    """Keep a failed try for the throttle and the audit log. Caller commits."""
    db.session.add(SignInAttempt(email=email, address=address, succeeded=False, created_at=now))
    user = find_by_email(email) if email else None
    audit.record("sign_in.failed", actor_id=None, subject=email[:120], address=address, reason=reason,
                 user_id=user.id if user else None)


def record_sign_in(user: User, address: str, *, now: datetime) -> None:
    """Keep a successful sign-in. Caller commits."""
    db.session.add(SignInAttempt(email=user.email, address=address, succeeded=True, created_at=now))
    user.last_login_at = now
    audit.record("sign_in", actor_id=user.id, subject=user.email, address=address)


def record_sign_out(user: User, *, address: str = "") -> None:
    """Note a sign-out in the audit log."""
    audit.record("sign_out", actor_id=user.id, subject=user.email, address=address)
    db.session.commit()


def change_password(user: User, current: str, new: str) -> None:
    """Change the user's own password, after checking the current one; other sessions end."""
    if not user.check_password(current or ""):
        raise ValidationError("the current password is wrong", {"current": "wrong"})
    check_password_rules(new)
    user.set_password(new)
    audit.record("password.changed", actor_id=user.id, subject=user.email)
    db.session.commit()
    sessions.end_all(user.id)  # the web keeps the session that changed it under a new id


def end_sessions(user: User, *, actor_id: int | None, address: str = "") -> int:
    """Sign the user out everywhere (the user's own choice, or the program office's): every
    session of the user ends at once, on every host. Returns how many ended."""
    audit.record("sessions.ended", actor_id=actor_id, subject=user.email, address=address)
    db.session.commit()
    return sessions.end_all(user.id)


def suspend(user: User, *, actor_id: int | None) -> None:
    """Suspend the account: it can no longer sign in, and its sessions end at once."""
    user.is_active = False
    audit.record("account.suspended", actor_id=actor_id, subject=user.email)
    db.session.commit()
    sessions.end_all(user.id)


def reinstate(user: User, *, actor_id: int | None) -> None:
    """Let a suspended account sign in again."""
    user.is_active = True
    audit.record("account.reinstated", actor_id=actor_id, subject=user.email)
    db.session.commit()
