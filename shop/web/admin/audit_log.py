"""The audit log: every action the office took, newest first."""

from flask import render_template, request

from shop.audit import services as audit
from shop.catalog.queries import MAX_PAGE
from shop.web.admin import bp


@bp.get("/audit")
def audit_log():
    action = (request.args.get("action") or "").strip() or None
    number = request.args.get("page", 1, type=int)  # a huge one would overflow the OFFSET
    page = audit.entries(page=min(max(number, 1), MAX_PAGE), action=action)
    return render_template("admin/audit.html", page=page, action=action)
