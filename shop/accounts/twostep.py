"""Two-step verification with TOTP (RFC 6238) and single-use recovery codes.

Offered to accounts that can change more than their own orders: producer members,
sales-point managers and the program office.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime

import pyotp

from shop.accounts import sessions
from shop.accounts.models import RecoveryCode, User
from shop.audit import services as audit
from shop.clock import utcnow
from shop.errors import Forbidden, ValidationError
from shop.extensions import db

ISSUER = "Chợ OCOP"
RECOVERY_CODES = 10
RECOVERY_CODE_BYTES = 14
DRIFT_STEPS = 1  # a code of the previous or next 30-second step is accepted too


def eligible(user: User) -> bool:
    """Whether the account may turn on two-step verification."""
    return bool(user.is_admin or user.producer_memberships
                or any(m.role == "manager" for m in user.sales_point_memberships))


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(user: User, secret: str) -> str:
    """The otpauth:// address an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


def _matching_step(secret: str, code: str, now: datetime) -> int | None:
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now)
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def _recovery_code() -> str:
    """112 random bits (28 hex digits, shown in groups of four): enough to keep as a plain SHA-256."""
    digits = secrets.token_hex(RECOVERY_CODE_BYTES)
    return "-".join(digits[i:i + 4] for i in range(0, len(digits), 4))


def _digest(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def _clean(code: str) -> str:
    return "".join((code or "").split()).replace("-", "").lower()[:64]


def enable(user: User, secret: str, code: str, *, now: datetime | None = None) -> list[str]:
    """Turn two-step verification on once the user proves the app shows the right code.

    Returns the recovery codes, shown once; only their hashes are kept.
    """
    now = now or utcnow()
    if not eligible(user):
        raise Forbidden("two-step verification is for producer, sales-point manager and admin accounts")
    if user.totp_secret:
        raise ValidationError("two-step verification is already on", {"code": "already_enabled"})
    step = _matching_step(secret, _clean(code), now) if secret else None
    if step is None:
        raise ValidationError("the code does not match; check the time on the phone", {"code": "wrong"})
    user.totp_secret, user.totp_last_step = secret, step
    codes = [_recovery_code() for _ in range(RECOVERY_CODES)]
    db.session.add_all(RecoveryCode(user_id=user.id, code_hash=_digest(_clean(c))) for c in codes)
    audit.record("two_step.enabled", actor_id=user.id, subject=user.email)
    db.session.commit()
    sessions.end_all(user.id)  # a changed factor ends the other sessions (the web renews its own)
    return codes


def disable(user: User, password: str) -> None:
    """Turn two-step verification off, after checking the password."""
    if not user.check_password(password or ""):
        raise ValidationError("the password is wrong", {"password": "wrong"})
    user.totp_secret, user.totp_last_step = None, None
    db.session.execute(db.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    audit.record("two_step.disabled", actor_id=user.id, subject=user.email)
    db.session.commit()
    sessions.end_all(user.id)


def check_code(user: User, code: str, *, now: datetime) -> bool:
    """Whether `code` is the user's current TOTP code (each step once) or an unused recovery
    code, which is then used up. Only flushes: the caller commits."""
    code = _clean(code)
    if not user.totp_secret or not code:
        return False
    if code.isdigit() and len(code) == 6:
        step = _matching_step(user.totp_secret, code, now)
        if step is None or (user.totp_last_step is not None and step <= user.totp_last_step):
            return False
        user.totp_last_step = step
        return True
    recovery = db.session.scalar(db.select(RecoveryCode).where(
        RecoveryCode.user_id == user.id, RecoveryCode.code_hash == _digest(code),
        RecoveryCode.used_at.is_(None)))
    if recovery is None:
        return False
    recovery.used_at = now
    audit.record("two_step.recovery_code_used", actor_id=user.id, subject=user.email)
    return True


def recovery_codes_left(user: User) -> int:
    return len(db.session.scalars(db.select(RecoveryCode.id).where(
        RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))).all())
