from flask import abort, g, redirect, render_template, request, session, url_for

from shop.clock import today
from shop.web.producer import PRODUCER_KEY, bp, figures, queries
from shop.web.producer.forms import optional_int


@bp.get("/")
def home():
    """The producer at a glance: sales per week, best sellers, low stock, certificates ending."""
    day = today()
    weeks = figures.weekly_sales(g.producer.id, day)
    return render_template("producer/home.html", warehouses=queries.warehouses(g.producer.id),
                           transfer_counts=queries.transfer_counts(g.producer.id),
                           chart=figures.chart(weeks), best=figures.best_sellers(g.producer.id, day),
                           low=figures.low_stock(g.producer.id),
                           expiring=figures.expiring_certificates(g.producer.id, day), day=day)


@bp.post("/choose")
def choose():
    """Work for another of the user's producers (only one the user is a member of)."""
    producer_id = optional_int(request.form.get("producer_id"))
    if producer_id not in {m.producer_id for m in g.memberships}:
        abort(404)
    session[PRODUCER_KEY] = producer_id
    return redirect(url_for(".home"), 303)
