"""Members: an owner invites by email with a role; the signed link works once, for that email;
staff cannot change members; a producer keeps at least one owner."""

from __future__ import annotations

import re

import pytest

from shop.accounts import members
from shop.accounts.models import ProducerInvitation, ProducerMember
from shop.errors import Conflict, Forbidden, NotFound
from shop.extensions import db
from shop.mail import outbox
from tests import builders
from tests.producer.helpers import fresh, page, post

LINK = re.compile(r"http://localhost(/producer/invitations/\S+)")


def _roles(producer_id: int) -> list[tuple[str, str]]:
    fresh()
    return sorted((m.user.email, m.role) for m in db.session.scalars(
        db.select(ProducerMember).where(ProducerMember.producer_id == producer_id)))


def _invite(client, app, email="new@example.com", role="staff") -> str:
    response = post(client, "/producer/members/invite", {"email": email, "role": role})
    assert response.status_code == 303
    [message] = outbox(app)
    assert message["To"] == email.lower()
    return LINK.search(message.get_content()).group(1)


def test_an_invited_user_joins_once_with_the_role(client, app, login, shop):
    link = _invite(client, app, "New@Example.com", "staff")
    invited = builders.user("new@example.com")
    client.get("/logout")
    login(invited)
    assert "Accept the invitation" in page(client, link)
    assert post(client, link).status_code == 303
    assert _roles(shop.producer.id) == [("new@example.com", "staff"), ("owner@example.com", "owner")]
    assert "Chè Tân Cương" in page(client, "/producer/products")
    assert post(client, link).status_code == 404
    assert client.get(link).status_code == 404
    assert _roles(shop.producer.id) == [("new@example.com", "staff"), ("owner@example.com", "owner")]


def test_the_link_is_for_the_invited_email_only_and_cannot_be_forged(client, app, login, shop):
    link = _invite(client, app)
    login(builders.user("someone@example.com"))
    refused = post(client, link)
    assert refused.status_code == 403
    assert ("This invitation is for new@example.com: sign in with that address."
            in refused.get_data(as_text=True))
    assert post(client, link[:-2] + "xx").status_code == 404
    fresh()
    assert db.session.scalar(db.select(ProducerInvitation)).accepted_at is None
    assert _roles(shop.producer.id) == [("owner@example.com", "owner")]


def test_a_link_signed_with_another_secret_or_too_old_is_refused(app, shop, monkeypatch):
    owner = db.session.scalar(db.select(ProducerMember).where(ProducerMember.user_id == shop.user.id))
    _, token = members.invite(shop.producer, email="late@example.com", role="owner", actor=owner,
                              secret="s")
    assert members.invitation_for(token, secret="s").email == "late@example.com"
    with pytest.raises(NotFound, match="not valid"):
        members.invitation_for(token, secret="other secret")
    with monkeypatch.context() as past:
        past.setattr("time.time", lambda: 1_000_000_000.0)  # 2001
        _, old = members.invite(shop.producer, email="old@example.com", role="staff",
                                actor=owner, secret="s")
    with pytest.raises(NotFound, match="expired"):
        members.invitation_for(old, secret="s")


def test_staff_cannot_change_members(client, login, shop):
    helper = builders.user("staff@example.com", f"producer:{shop.producer.tax_code}")
    membership = db.session.scalar(db.select(ProducerMember).where(ProducerMember.user_id == helper.id))
    membership.role = "staff"
    db.session.commit()
    owner_id = db.session.scalar(db.select(ProducerMember.id).where(
        ProducerMember.user_id == shop.user.id))
    client.get("/logout")
    login(helper)
    assert "Only an owner can invite or change members." in page(client, "/producer/members")
    assert post(client, "/producer/members/invite",
                {"email": "x@example.com", "role": "owner"}).status_code == 403
    assert post(client, f"/producer/members/{owner_id}/role/staff").status_code == 403
    assert post(client, f"/producer/members/{owner_id}/remove").status_code == 403
    assert post(client, f"/producer/members/{membership.id}/role/owner").status_code == 403
    assert _roles(shop.producer.id) == [("owner@example.com", "owner"), ("staff@example.com", "staff")]
    assert db.session.scalar(db.select(db.func.count()).select_from(ProducerInvitation)) == 0


def test_an_owner_manages_roles_but_the_last_owner_stays(client, shop):
    helper = builders.user("staff@example.com", f"producer:{shop.producer.tax_code}")
    helper_id = db.session.scalar(db.select(ProducerMember.id).where(ProducerMember.user_id == helper.id))
    owner_id = db.session.scalar(db.select(ProducerMember.id).where(ProducerMember.user_id == shop.user.id))
    assert post(client, f"/producer/members/{helper_id}/role/staff").status_code == 303
    last = post(client, f"/producer/members/{owner_id}/role/staff")
    assert last.status_code == 409
    assert "A producer keeps at least one owner." in last.get_data(as_text=True)
    assert post(client, f"/producer/members/{owner_id}/remove").status_code == 409
    assert _roles(shop.producer.id) == [("owner@example.com", "owner"), ("staff@example.com", "staff")]
    assert post(client, f"/producer/members/{helper_id}/remove").status_code == 303
    assert _roles(shop.producer.id) == [("owner@example.com", "owner")]


def test_inviting_a_member_again_or_a_bad_role_is_refused(shop):
    owner = db.session.scalar(db.select(ProducerMember).where(ProducerMember.user_id == shop.user.id))
    with pytest.raises(Conflict):
        members.invite(shop.producer, email="owner@example.com", role="staff", actor=owner,
                       secret="s")
    stranger = builders.product("Mắm", sku="MAM-1").producer
    with pytest.raises(Forbidden):
        members.invite(stranger, email="a@example.com", role="staff", actor=owner, secret="s")
    assert db.session.scalar(db.select(db.func.count()).select_from(ProducerInvitation)) == 0
