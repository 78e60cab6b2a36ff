"""The producer portal at /producer: a producer's members see and change only its own things.

`load_producer` runs before every view: it sends visitors to sign in, refuses users who work
for no producer, and sets `g.producer` (the one chosen in the session, else the first). Every
page loads through `g.producer`, so another producer's transfer or warehouse is not found.
"""

from flask import Blueprint, abort, g, redirect, request, session, url_for
from flask_login import current_user

from shop.clock import VIETNAM
from shop.web.producer import labels, queries

bp = Blueprint("producer", __name__, url_prefix="/producer")

PRODUCER_KEY = "producer_id"
# Pages for a signed-in user who is not a member yet: the invitation that makes them one.
OPEN_TO_INVITED = {"producer.accept_invitation", "producer.join"}


@bp.before_request
def load_producer():
    if not current_user.is_authenticated:
        target = request.full_path.rstrip("?") if request.method == "GET" else url_for(".home")
        return redirect(url_for("auth.login", next=target))
    if request.endpoint in OPEN_TO_INVITED:
        return None
    found = queries.memberships(current_user.id)
    if not found:
        abort(403)
    chosen = session.get(PRODUCER_KEY)
    member = next((m for m in found if m.producer_id == chosen), found[0])
    g.producer, g.membership, g.memberships = member.producer, member, found
    return None


def local_time(moment) -> str:
    """An instant as Vietnam's wall-clock time, day first."""
    return moment.astimezone(VIETNAM).strftime("%d/%m/%Y %H:%M") if moment else ""


@bp.context_processor
def portal_globals() -> dict:
    return {"producer": g.get("producer"), "memberships": g.get("memberships", []),
            "local_time": local_time, "REASONS": labels.REASONS,
            "TRANSFER_STATUSES": labels.TRANSFER_STATUSES,
            "PRODUCT_STATUS_LABELS": labels.PRODUCT_STATUSES,
            "LISTING_FIELDS": labels.LISTING_FIELDS, "SCAN_STATUSES": labels.SCAN_STATUSES}


from shop.web.producer import (  # noqa: E402,F401
    catalog_csv,
    home,
    invoices,
    members,
    orders,
    packing,
    products,
    receipts,
    statements,
    stock,
    transfers,
)
