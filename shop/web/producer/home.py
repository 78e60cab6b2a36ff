from flask import abort, g, redirect, render_template, request, session, url_for

from shop.web.producer import PRODUCER_KEY, bp, queries
from shop.web.producer.forms import optional_int


@bp.get("/")
def home():
    """The producer at a glance: its warehouses, its transfers under way, where to go next."""
    return render_template("producer/home.html", warehouses=queries.warehouses(g.producer.id),
                           transfer_counts=queries.transfer_counts(g.producer.id))


@bp.post("/choose")
def choose():
    """Work for another of the user's producers (only one the user is a member of)."""
    producer_id = optional_int(request.form.get("producer_id"))
    if producer_id not in {m.producer_id for m in g.memberships}:
        abort(404)
    session[PRODUCER_KEY] = producer_id
    return redirect(url_for(".home"), 303)
