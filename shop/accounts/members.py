"""The members of a producer: owners invite people by email and decide who stays and as what.

An invitation is a signed link naming an invitation row; it works once (the row records who
accepted it, set by a conditional update) and for a limited time. Staff may work in the portal
but never change its members.
"""

from __future__ import annotations

import secrets

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import func, update
from sqlalchemy.exc import IntegrityError

from shop.accounts import sessions
from shop.accounts.models import PRODUCER_ROLES, ProducerInvitation, ProducerMember, User
from shop.accounts.services import normalise_email
from shop.catalog.models import Producer
from shop.clock import utcnow
from shop.database import write_transaction
from shop.errors import Conflict, Forbidden, NotFound, ValidationError
from shop.extensions import db

SALT = "producer-invitation"
INVITATION_DAYS = 7


def _require_owner(producer: Producer, actor: ProducerMember) -> None:
    if actor.producer_id != producer.id or actor.role != "owner":
        raise Forbidden("only an owner of the producer manages its members")


def _serializer(secret: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt=SALT)


def invite(producer: Producer, *, email: str, role: str, actor: ProducerMember,
           secret: str) -> tuple[ProducerInvitation, str]:
    """Record an invitation and return it with the signed token of its link (to email after)."""
    _require_owner(producer, actor)
    email = normalise_email(email)
    if role not in PRODUCER_ROLES:
        raise ValidationError("the role is not valid", {"role": "owner or staff"})
    if db.session.scalar(db.select(ProducerMember.id).join(ProducerMember.user).where(
            ProducerMember.producer_id == producer.id, func.lower(User.email) == email)):
        raise Conflict(f"{email} is already a member", {"fields": {"email": "already a member"}})
    invitation = ProducerInvitation(producer=producer, email=email, role=role,
                                    nonce=secrets.token_hex(16), invited_by_id=actor.user_id)
    db.session.add(invitation)
    db.session.commit()
    return invitation, _serializer(secret).dumps({"i": invitation.id, "n": invitation.nonce})


def invitation_for(token: str, *, secret: str) -> ProducerInvitation:
    """The open invitation a token names; NotFound when forged, expired or already used."""
    try:
        data = _serializer(secret).loads(token, max_age=INVITATION_DAYS * 86400)
    except SignatureExpired:
        raise NotFound("this invitation has expired") from None
    except BadSignature:
        raise NotFound("this invitation link is not valid") from None
    invitation = db.session.get(ProducerInvitation, data.get("i")) if isinstance(data, dict) else None
    if invitation is None or invitation.nonce != data.get("n"):
        raise NotFound("this invitation link is not valid")
    if invitation.accepted_at is not None:
        raise NotFound("this invitation has already been used")
    return invitation


def accept(token: str, *, user: User, secret: str) -> ProducerMember:
    """Make the signed-in user a member, once; the invitation must be for the user's email."""
    email, user_id = user.email.lower(), user.id
    try:
        with write_transaction(db.session):
            invitation = invitation_for(token, secret=secret)
            if email != invitation.email:
                raise Forbidden(f"this invitation is for {invitation.email}")
            if db.session.scalar(db.select(ProducerMember.id).where(
                    ProducerMember.user_id == user_id,
                    ProducerMember.producer_id == invitation.producer_id)):
                raise Conflict("you are already a member of this producer")
            taken = db.session.execute(
                update(ProducerInvitation)
                .where(ProducerInvitation.id == invitation.id,
                       ProducerInvitation.accepted_at.is_(None))
                .values(accepted_at=utcnow(), accepted_by_id=user_id))
            if taken.rowcount != 1:
                raise NotFound("this invitation has already been used")
            member = ProducerMember(user_id=user_id, producer_id=invitation.producer_id,
                                    role=invitation.role)
            db.session.add(member)
    except IntegrityError:
        raise Conflict("you are already a member of this producer") from None
    return member


def members(producer_id: int) -> list[ProducerMember]:
    return list(db.session.scalars(
        db.select(ProducerMember).where(ProducerMember.producer_id == producer_id)
        .join(ProducerMember.user).order_by(ProducerMember.role, User.email)))


def pending_invitations(producer_id: int) -> list[ProducerInvitation]:
    return list(db.session.scalars(
        db.select(ProducerInvitation).where(ProducerInvitation.producer_id == producer_id,
                                            ProducerInvitation.accepted_at.is_(None))
        .order_by(ProducerInvitation.created_at.desc(), ProducerInvitation.id.desc())))


def _member(producer: Producer, member_id: int) -> ProducerMember:
    member = db.session.scalar(db.select(ProducerMember).where(
        ProducerMember.id == member_id, ProducerMember.producer_id == producer.id))
    if member is None:
        raise NotFound("no such member")
    return member


def _keep_an_owner(producer: Producer, leaving: ProducerMember) -> None:
    owners = db.session.scalar(db.select(func.count()).select_from(ProducerMember).where(
        ProducerMember.producer_id == producer.id, ProducerMember.role == "owner",
        ProducerMember.id != leaving.id))
    if leaving.role == "owner" and owners == 0:
        raise Conflict("a producer keeps at least one owner")


def change_role(producer: Producer, member_id: int, role: str, *, actor: ProducerMember) -> None:
    """Make a member owner or staff; the last owner stays an owner."""
    _require_owner(producer, actor)
    if role not in PRODUCER_ROLES:
        raise ValidationError("the role is not valid", {"role": "owner or staff"})
    member = _member(producer, member_id)
    if role != "owner":
        _keep_an_owner(producer, member)
    lowered = member.role == "owner" and role != "owner"
    member.role = role
    db.session.commit()
    if lowered:  # a role taken away ends the member's sessions
        sessions.end_all(member.user_id)


def remove_member(producer: Producer, member_id: int, *, actor: ProducerMember) -> None:
    """Take a member off the producer; the last owner cannot be removed."""
    _require_owner(producer, actor)
    member = _member(producer, member_id)
    _keep_an_owner(producer, member)
    user_id = member.user_id
    db.session.delete(member)
    db.session.commit()
    sessions.end_all(user_id)
