"""Consumers' quality reports, triaged by the program office."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from shop.catalog import reports as quality
from shop.catalog.models import REPORT_STATUSES, QualityReport
from shop.errors import ShopError
from shop.extensions import db
from shop.web.admin import bp


@bp.get("/reports")
def reports():
    status = request.args.get("status") if request.args.get("status") in REPORT_STATUSES else None
    return render_template("admin/reports.html", reports=quality.reports(status), status=status)


@bp.post("/reports/<int:report_id>")
def triage(report_id: int):
    report = db.get_or_404(QualityReport, report_id)
    try:
        quality.triage(report, status=request.form.get("status", ""),
                       resolution=request.form.get("resolution", ""), actor_id=current_user.id)
    except ShopError as error:
        flash(error.message, "error")
    else:
        flash(_("Report %(id)d updated.", id=report.id), "success")
    return redirect(url_for(".reports"), 303)
