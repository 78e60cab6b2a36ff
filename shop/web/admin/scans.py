"""Certificate scans producers sent: the office opens each, then records the decision it shows
(the certificate becomes active) or refuses it with a reason the producer sees."""

from flask import abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from shop.catalog import registry, scans
from shop.catalog.models import ISSUER_LEVELS, CertificateScan
from shop.clock import today
from shop.errors import ShopError, ValidationError
from shop.extensions import db
from shop.web.admin import bp, decision_day


@bp.get("/scans")
def scan_list():
    """Scans waiting for review first, then the reviewed ones, newest first."""
    waiting = db.case({"pending": 0}, value=CertificateScan.status, else_=1)
    found = db.session.scalars(db.select(CertificateScan).order_by(waiting, CertificateScan.id.desc())
                               .limit(200))
    return render_template("admin/scans.html", scans=list(found), levels=ISSUER_LEVELS)


@bp.get("/scans/<int:scan_id>/file")
def scan_download(scan_id: int):
    scan = db.get_or_404(CertificateScan, scan_id)
    path = scans.scan_path(current_app.config["MEDIA_DIR"], scan)
    if not path.is_file():
        abort(404)
    return send_file(path, mimetype=scan.content_type)


def _decision(form) -> tuple[registry.Decision, int]:
    problems = {}
    day = decision_day(form, problems)
    stars = form.get("stars", "")
    if stars not in ("3", "4", "5"):
        problems["stars"] = "3, 4 or 5"
    if problems:
        raise ValidationError("the decision is not complete", problems)
    return registry.Decision(form.get("decision_number", ""), day, form.get("issuer_level", ""),
                             form.get("issuer_name", "")), int(stars)


@bp.post("/scans/<int:scan_id>/accept")
def accept_scan(scan_id: int):
    scan = db.get_or_404(CertificateScan, scan_id)
    try:
        decision, stars = _decision(request.form)
        registry.accept_scan(scan, decision, stars, actor_id=current_user.id, today=today())
    except ShopError as error:
        db.session.rollback()
        fields = "; ".join(f"{k}: {v}" for k, v in getattr(error, "fields", {}).items())
        flash(f"{error.message}" + (f" ({fields})" if fields else ""), "error")
    else:
        flash(_("Decision %(number)s recorded for %(name)s.", number=decision.number,
                name=scan.product.name), "success")
    return redirect(url_for(".scan_list"), 303)


@bp.post("/scans/<int:scan_id>/reject")
def reject_scan(scan_id: int):
    scan = db.get_or_404(CertificateScan, scan_id)
    try:
        registry.reject_scan(scan, request.form.get("reason", ""), actor_id=current_user.id)
    except ShopError as error:
        flash(error.message, "error")
    else:
        flash(_("The scan is refused; the producer sees why."), "success")
    return redirect(url_for(".scan_list"), 303)
