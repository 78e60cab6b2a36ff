"""Password reset by an emailed link: single use, short-lived, only its hash is stored."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from shop.accounts import passwords, sessions
from shop.accounts.models import PasswordResetToken, User
from shop.accounts.services import find_by_email
from shop.audit import services as audit
from shop.clock import utcnow
from shop.errors import ValidationError
from shop.extensions import db

RESET_LIFETIME = timedelta(hours=1)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def request_reset(email: str, *, now: datetime | None = None,
                  lifetime: timedelta = RESET_LIFETIME) -> tuple[User, str] | None:
    """A new reset token for the active account with this email (the caller mails the link);
    None when there is no such account, which the caller must not reveal."""
    now = now or utcnow()
    user = find_by_email((email or "").strip()[:254])
    if user is None or not user.is_active:
        return None
    token = secrets.token_urlsafe(32)
    db.session.add(PasswordResetToken(user=user, token_hash=_digest(token), created_at=now,
                                      expires_at=now + lifetime))
    audit.record("password.reset_requested", actor_id=None, subject=user.email)
    db.session.commit()
    return user, token


def valid_token(token: str, *, now: datetime | None = None) -> PasswordResetToken | None:
    """The unused, unexpired reset token with this value, else None."""
    now = now or utcnow()
    if not token or len(token) > 100:
        return None
    row = db.session.scalar(
        db.select(PasswordResetToken).where(PasswordResetToken.token_hash == _digest(token)))
    if row is None or row.used_at is not None or row.expires_at <= now or not row.user.is_active:
        return None
    return row


def reset_password(token: str, new_password: str, *, now: datetime | None = None) -> User:
    """Set a new password with a reset token; the token and every other one of the user die."""
    now = now or utcnow()
    row = valid_token(token, now=now)
    if row is None:
        raise ValidationError("this reset link is invalid, used or expired", {"token": "invalid"})
    passwords.check(new_password)
    user = row.user
    user.set_password(new_password)
    pending = db.session.scalars(db.select(PasswordResetToken).where(
        PasswordResetToken.user_id == user.id, PasswordResetToken.used_at.is_(None)))
    for other in pending:
        other.used_at = now
    audit.record("password.reset", actor_id=user.id, subject=user.email)
    db.session.commit()
    sessions.end_all(user.id)
    return user
