"""Supervision after recognition: certificates about to expire and expired, the expiry notice,
and recording a recognition decision that lists many products."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from shop.catalog import registry
from shop.catalog.models import ISSUER_LEVELS, Certificate, Product
from shop.clock import today
from shop.errors import ShopError, ValidationError
from shop.extensions import db
from shop.web.admin import bp, decision_day, problems_of

HORIZON_DAYS = 90
DECISION_ROWS = 12


@bp.get("/supervision")
def supervision():
    """Certificates expiring in the next 90 days and those already expired, soonest first."""
    day = today()
    return render_template("admin/supervision.html", due=registry.supervision_list(day, HORIZON_DAYS),
                           day=day, notice_days=registry.NOTICE_DAYS)


@bp.post("/certificates/<int:certificate_id>/notify")
def notify(certificate_id: int):
    """Email the producer the expiry notice (sent once per certificate)."""
    certificate = db.get_or_404(Certificate, certificate_id)
    try:
        recipients = registry.notify_expiry(certificate, actor_id=current_user.id)
    except ShopError as error:
        flash(error.message, "error")
    else:
        flash(_("Notice sent to %(to)s.", to=", ".join(recipients)), "success")
    return redirect(url_for(".supervision"), 303)


def _decision_form(status: int = 200, **context):
    return render_template("admin/decision.html", rows=DECISION_ROWS, levels=ISSUER_LEVELS,
                           **{"values": {}, "problems": {}, **context}), status


@bp.get("/decisions/new")
def new_decision():
    return _decision_form()


def _read_decision(form) -> tuple[registry.Decision, list]:
    """The decision and its (product, stars) lines; ValidationError naming each bad field."""
    problems = {}
    day = decision_day(form, problems)
    lines = []
    for n in range(DECISION_ROWS):
        slug, stars = form.get(f"product_{n}", "").strip(), form.get(f"stars_{n}", "").strip()
        if not slug and not stars:
            continue
        product = db.session.scalar(db.select(Product).where(Product.slug == slug))
        if product is None:
            problems[f"product_{n}"] = "no product has this address (slug)"
        elif stars not in ("3", "4", "5"):
            problems[f"stars_{n}"] = "3, 4 or 5"
        else:
            lines.append((product, int(stars)))
    if problems:
        raise ValidationError("the decision is not complete", problems)
    return registry.Decision(form.get("decision_number", ""), day, form.get("issuer_level", ""),
                             form.get("issuer_name", "")), lines


@bp.post("/decisions")
def create_decision():
    """Record a recognition decision: each product listed gets its certificate, all or none."""
    try:
        decision, lines = _read_decision(request.form)
        made = registry.record_decision(decision, lines, actor_id=current_user.id, today=today())
    except ShopError as error:
        db.session.rollback()
        flash(error.message, "error")
        return _decision_form(422, values=request.form, problems=problems_of(error))
    flash(_("Decision %(number)s recorded for %(count)d product(s).", number=decision.number,
            count=len(made)), "success")
    return redirect(url_for(".supervision"), 303)
