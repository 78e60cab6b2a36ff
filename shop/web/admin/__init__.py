"""The program office's workspace at /admin: admins only.

`require_admin` runs before every view: visitors are sent to sign in, signed-in users who are
not admins are refused (403).
"""

from flask import Blueprint, abort, redirect, request, url_for
from flask_login import current_user

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
def require_admin():
    if not current_user.is_authenticated:
        target = request.full_path.rstrip("?") if request.method == "GET" else url_for(".home")
        return redirect(url_for("auth.login", next=target))
    if not current_user.is_admin:
        abort(403)
    return None


def province_options() -> list[tuple[str, str]]:
    from shop.places import services as places

    return [(p.code, p.name) for p in places.provinces()]


def problems_of(error) -> dict[str, str]:
    """The field-by-field problems a ShopError carries, for the form to show beside each field."""
    fields = getattr(error, "fields", None) or error.details.get("fields") or {}
    return {name: str(text) for name, text in fields.items()}


from shop.web.admin import (  # noqa: E402,F401
    audit_log,
    home,
    payments,
    producers,
    reports,
    sales_points,
    scans,
    supervision,
    tax,
)
