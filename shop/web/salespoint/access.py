"""Who may use a sales point's portal: its staff and managers, and the program office.

Every request names the sales point in its URL. A visitor who is not signed in is sent to the
sign-in page; a signed-in user who does not work at this sales point (or asks for one that does
not exist) sees 404, so the portal does not tell which codes exist. Admins act as managers.
"""

from __future__ import annotations

from datetime import datetime
from functools import wraps

from flask import abort, current_app, g, redirect, request, url_for
from flask_babel import get_locale
from flask_login import current_user
from sqlalchemy import select

from shop.clock import VIETNAM
from shop.extensions import db
from shop.inventory.models import Location
from shop.web.salespoint import bp, labels

MANAGING_ROLES = ("manager", "admin")


@bp.url_value_preprocessor
def pull_code(endpoint, values) -> None:
    g.sales_point_code = values.pop("code", None) if values else None


@bp.url_defaults
def add_code(endpoint, values) -> None:
    """`url_for('salespoint.till')` inside the portal stays at the same sales point."""
    if "code" not in values and g.get("sales_point_code"):
        values["code"] = g.sales_point_code


@bp.before_request
def load_sales_point():
    if not current_user.is_authenticated:
        if request.method != "GET":  # after signing in, come back to a page, not to a form
            return redirect(url_for("auth.login", next=url_for(".home")))
        return current_app.login_manager.unauthorized()
    location = db.session.scalar(select(Location).where(
        Location.code == g.sales_point_code, Location.kind == "sales_point"))
    if location is None:
        abort(404)
    if current_user.is_admin:
        role = "admin"
    else:
        role = next((m.role for m in current_user.sales_point_memberships
                     if m.location_id == location.id), None)
    if role is None:
        abort(404)
    g.location, g.role = location, role
    return None


def is_manager() -> bool:
    return g.get("role") in MANAGING_ROLES


def manager_required(view):
    """Only a manager of the sales point (or an admin) may go on; staff get 403."""
    @wraps(view)
    def wrapped(*args, **kwargs):
        if not is_manager():
            abort(403)
        return view(*args, **kwargs)
    return wrapped


def local_time(moment: datetime | None) -> str:
    """An instant as Vietnam's wall-clock time (UTC+7), written the way the reader's language
    writes dates."""
    if moment is None:
        return ""
    english = str(get_locale() or "vi").startswith("en")
    return moment.astimezone(VIETNAM).strftime("%Y-%m-%d %H:%M" if english else "%d/%m/%Y %H:%M")


@bp.context_processor
def portal_context() -> dict:
    return {"location": g.get("location"), "role": g.get("role"), "is_manager": is_manager(),
            "local_time": local_time, "L": labels}
