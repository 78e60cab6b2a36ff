"""The program office's workspace at /admin: admins only.

`require_admin` runs before every view: visitors are sent to sign in, signed-in users who are
not admins are refused (403).
"""

from flask import Blueprint, abort, redirect, request, url_for
from flask_login import current_user

from shop import dates
from shop.web.labels import DAY_OUT_OF_RANGE

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


def decision_day(form, problems: dict[str, str]):
    """The decision date a form names (YYYY-MM-DD), or None with a problem beside the field."""
    try:
        return dates.parse_day(form.get("decision_date", ""))
    except dates.OutOfRange:
        problems["decision_date"] = str(DAY_OUT_OF_RANGE)
    except ValueError:
        problems["decision_date"] = "a date as YYYY-MM-DD"
    return None


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
