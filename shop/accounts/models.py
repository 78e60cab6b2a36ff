"""Users and what they may act for.

Roles come from memberships: a user is a member (owner or staff) of a producer, staff
(or manager) of a sales point, or an admin of the program office. A customer is a user
with none of them.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from shop.catalog.models import Producer
from shop.clock import utcnow
from shop.extensions import db
from shop.inventory.models import Location

PRODUCER_ROLES = ("owner", "staff")
SALES_POINT_ROLES = ("staff", "manager")


class User(UserMixin, db.Model):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    name: Mapped[str] = mapped_column(String(120), default="")
    phone: Mapped[str] = mapped_column(String(30), default="")
    is_admin: Mapped[bool] = mapped_column(default=False)
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]
    # Two-step verification: the base32 TOTP secret once enabled, and the last time step used
    # (a code is accepted once only).
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_last_step: Mapped[int | None] = mapped_column(BigInteger)

    producer_memberships: Mapped[list[ProducerMember]] = relationship(
        back_populates="user", cascade="all, delete-orphan")
    sales_point_memberships: Mapped[list[SalesPointStaff]] = relationship(
        back_populates="user", cascade="all, delete-orphan")

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def get_id(self) -> str:
        """The session's user id, with a fingerprint of the password hash: a new password
        ends every session signed in with the old one."""
        return f"{self.id}.{self.password_fingerprint}"

    @property
    def password_fingerprint(self) -> str:
        return hashlib.sha256(self.password_hash.encode()).hexdigest()[:16]

    @property
    def roles(self) -> list[str]:
        """What the user may act as, in the words of `shop create-user --role`."""
        roles = ["admin"] if self.is_admin else []
        roles += [f"producer:{m.producer.tax_code}" for m in self.producer_memberships]
        roles += [
            f"staff:{m.location.code}" + (":manager" if m.role == "manager" else "")
            for m in self.sales_point_memberships
        ]
        return roles or ["customer"]


class ProducerMember(db.Model):
    __tablename__ = "producer_member"
    __table_args__ = (
        UniqueConstraint("user_id", "producer_id"),
        CheckConstraint("role IN ('owner', 'staff')", name="role"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    producer_id: Mapped[int] = mapped_column(ForeignKey("producer.id"), index=True)
    role: Mapped[str] = mapped_column(String(10), default="owner")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship(back_populates="producer_memberships")
    producer: Mapped[Producer] = relationship()


class SalesPointStaff(db.Model):
    __tablename__ = "sales_point_staff"
    __table_args__ = (
        UniqueConstraint("user_id", "location_id"),
        CheckConstraint("role IN ('staff', 'manager')", name="role"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("location.id"), index=True)
    role: Mapped[str] = mapped_column(String(10), default="staff")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship(back_populates="sales_point_memberships")
    location: Mapped[Location] = relationship()


class ProducerInvitation(db.Model):
    """An invitation to work for a producer, sent by email as a signed link that works once."""

    __tablename__ = "producer_invitation"
    __table_args__ = (CheckConstraint("role IN ('owner', 'staff')", name="role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    producer_id: Mapped[int] = mapped_column(ForeignKey("producer.id"), index=True)
    email: Mapped[str] = mapped_column(String(254))
    role: Mapped[str] = mapped_column(String(10))
    nonce: Mapped[str] = mapped_column(String(32), unique=True)
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    accepted_at: Mapped[datetime | None]
    accepted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    producer: Mapped[Producer] = relationship()


class SignInAttempt(db.Model):
    """One try at signing in, kept to throttle guessing per account and per address."""

    __tablename__ = "sign_in_attempt"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    email: Mapped[str] = mapped_column(String(254), index=True)
    address: Mapped[str] = mapped_column(String(45), index=True)
    succeeded: Mapped[bool] = mapped_column(default=False)


class PasswordResetToken(db.Model):
    """A password reset link sent by email: only its SHA-256 is kept; it works once, until expiry."""

    __tablename__ = "password_reset_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()


class RecoveryCode(db.Model):
    """A single-use code that replaces a TOTP code when the phone is lost; kept as SHA-256."""

    __tablename__ = "recovery_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[datetime | None]


class WebSession(db.Model):
    """A browser session kept on the server (the embedded store; Redis keeps them when
    `REDIS_URL` is set). The cookie holds a random id; only its SHA-256 is kept here, so the
    table alone opens no session. Ending a row ends the session at once, on every host."""

    __tablename__ = "web_session"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    data: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(index=True)
