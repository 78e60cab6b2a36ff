"""The producer's members: owners invite by email and manage roles; staff only see the list.

The invitation link is for a signed-in user with the invited email; it works once.
"""

from __future__ import annotations

from flask import current_app, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from shop import mail
from shop.accounts import members as producer_members
from shop.errors import ShopError
from shop.extensions import db
from shop.web import links
from shop.web.producer import bp
from shop.web.producer.listing_forms import InviteForm
from shop.web.producer.messages import explain

# The services' sentences (English, for operators and logs) as the portal says them.
MESSAGES = {
    "only an owner of the producer manages its members": _l("Only an owner can invite or change members."),
    "a producer keeps at least one owner": _l("A producer keeps at least one owner."),
    "this invitation has expired": _l("This invitation has expired. Ask for a new one."),
    "this invitation link is not valid": _l("This invitation link is not valid."),
    "this invitation has already been used": _l("This invitation has already been used."),
    "you are already a member of this producer": _l("You are already a member of this producer."),
}


def _explain(error: ShopError) -> str:
    if error.message in MESSAGES:
        return str(MESSAGES[error.message])
    if error.message.endswith(" is already a member"):
        return _("%(email)s is already a member.", email=error.message.split()[0])
    if error.message.startswith("this invitation is for "):
        return _("This invitation is for %(email)s: sign in with that address.",
                 email=error.message.removeprefix("this invitation is for "))
    return explain(error)


def _page(form: InviteForm | None = None, status: int = 200, problem: str | None = None):
    return render_template(
        "producer/members.html", members=producer_members.members(g.producer.id),
        invitations=producer_members.pending_invitations(g.producer.id),
        form=(form or InviteForm(formdata=None)).offer(), problem=problem,
        is_owner=g.membership.role == "owner"), status


@bp.get("/members")
def members():
    """Who works for the producer, and the invitations not yet accepted."""
    return _page()


def _secret() -> str:
    return current_app.config["SECRET_KEY"]


@bp.post("/members/invite")
def invite_member():
    """Invite someone by email as owner or staff (owners only); the link is emailed."""
    form = InviteForm()
    if not form.validate_on_submit():
        return _page(form, 403 if g.membership.role != "owner" else 422,
                     _("Nothing was sent. Please correct the marked fields."))
    try:
        invitation, token = producer_members.invite(
            g.producer, email=form.email.data, role=form.role.data, actor=g.membership,
            secret=_secret())
    except ShopError as error:
        db.session.rollback()
        return _page(form, error.status, _explain(error))
    mail.send(invitation.email, _("Invitation to %(producer)s on the OCOP marketplace",
                                  producer=g.producer.name),
              "producer_invitation", producer=g.producer, role=invitation.role,
              link=links.external_url("producer.accept_invitation", token=token))
    flash(_("Invitation sent to %(email)s.", email=invitation.email), "success")
    return redirect(url_for(".members"), 303)


@bp.post("/members/<int:member_id>/role/<any(owner, staff):role>")
def change_member_role(member_id: int, role: str):
    """Make a member owner or staff (owners only; the last owner stays)."""
    try:
        producer_members.change_role(g.producer, member_id, role, actor=g.membership)
    except ShopError as error:
        db.session.rollback()
        return _page(status=error.status, problem=_explain(error))
    flash(_("Role changed."), "success")
    return redirect(url_for(".members"), 303)


@bp.post("/members/<int:member_id>/remove")
def remove_member(member_id: int):
    """Take a member off the producer (owners only; the last owner stays)."""
    try:
        producer_members.remove_member(g.producer, member_id, actor=g.membership)
    except ShopError as error:
        db.session.rollback()
        return _page(status=error.status, problem=_explain(error))
    flash(_("Member removed."), "success")
    return redirect(url_for(".members"), 303)


def _invitation_page(token: str, status: int = 200, problem: str | None = None):
    try:
        invitation = producer_members.invitation_for(token, secret=_secret())
    except ShopError as error:
        return render_template("producer/invitation.html", invitation=None,
                               problem=problem or _explain(error)), 404
    return render_template("producer/invitation.html", invitation=invitation, token=token,
                           problem=problem), status


@bp.get("/invitations/<token>")
def accept_invitation(token: str):
    """The invitation, with the button that accepts it."""
    return _invitation_page(token)


@bp.post("/invitations/<token>")
def join(token: str):
    """Accept the invitation: the signed-in user becomes a member, once."""
    try:
        member = producer_members.accept(token, user=current_user, secret=_secret())
    except ShopError as error:
        db.session.rollback()
        return _invitation_page(token, error.status, _explain(error))
    flash(_("Welcome to %(producer)s.", producer=member.producer.name), "success")
    return redirect(url_for(".home"), 303)
