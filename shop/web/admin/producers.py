"""The producers' registry: register, correct, verify, suspend and reinstate; and the
products and certificates of each, with suspension and revocation."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import or_

from shop.catalog import registry
from shop.catalog.models import Certificate, Producer, Product
from shop.clock import today
from shop.errors import ShopError
from shop.extensions import db
from shop.web.admin import bp, problems_of, province_options

PER_PAGE = 50


@bp.get("/producers")
def producers():
    """The registry, searchable by name or tax code."""
    query = (request.args.get("q") or "").strip()
    select = db.select(Producer).order_by(Producer.name, Producer.id)
    if query:
        select = select.where(or_(Producer.name.ilike(f"%{query}%"), Producer.tax_code == query))
    page = db.paginate(select, per_page=PER_PAGE, error_out=False)
    return render_template("admin/producers/list.html", page=page, query=query)


def _form(template: str, status: int = 200, **context):
    return render_template(template, provinces=province_options(), **context), status


@bp.get("/producers/new")
def new_producer():
    return _form("admin/producers/new.html", values={}, problems={})


@bp.post("/producers")
def create_producer():
    values = request.form.to_dict()
    try:
        producer = registry.register_producer(values, actor_id=current_user.id)
    except ShopError as error:
        flash(error.message, "error")
        return _form("admin/producers/new.html", 422, values=values, problems=problems_of(error))
    flash(_("%(name)s is registered.", name=producer.name), "success")
    return redirect(url_for(".producer", producer_id=producer.id), 303)


@bp.get("/producers/<int:producer_id>")
def producer(producer_id: int):
    found = db.get_or_404(Producer, producer_id)
    return _form("admin/producers/detail.html", producer=found, values={}, problems={}, day=today())


@bp.post("/producers/<int:producer_id>")
def update_producer(producer_id: int):
    found = db.get_or_404(Producer, producer_id)
    values = request.form.to_dict()
    try:
        changed = registry.update_producer(found, values, actor_id=current_user.id)
    except ShopError as error:
        db.session.rollback()
        flash(error.message, "error")
        return _form("admin/producers/detail.html", 422, producer=found, values=values,
                     problems=problems_of(error), day=today())
    flash(_("Saved.") if changed else _("Nothing changed."), "success")
    return redirect(url_for(".producer", producer_id=found.id), 303)


def _act(producer_id: int, action, done: str):
    """Run one registry action on the producer's page and come back to it."""
    found = db.get_or_404(Producer, producer_id)
    try:
        action(found)
    except ShopError as error:
        flash(error.message, "error")
    else:
        flash(done, "success")
    return redirect(url_for(".producer", producer_id=found.id), 303)


@bp.post("/producers/<int:producer_id>/verify")
def verify_producer(producer_id: int):
    return _act(producer_id, lambda p: registry.verify_producer(p, actor_id=current_user.id),
                _("Verified."))


@bp.post("/producers/<int:producer_id>/suspend")
def suspend_producer(producer_id: int):
    reason = request.form.get("reason", "")
    return _act(producer_id, lambda p: registry.suspend_producer(p, reason, actor_id=current_user.id),
                _("Suspended: its products are off sale."))


@bp.post("/producers/<int:producer_id>/reinstate")
def reinstate_producer(producer_id: int):
    return _act(producer_id, lambda p: registry.reinstate_producer(p, actor_id=current_user.id),
                _("Reinstated. Reinstate each product that may be sold again."))


@bp.post("/products/<int:product_id>/suspend")
def suspend_product(product_id: int):
    item = db.get_or_404(Product, product_id)
    reason = request.form.get("reason", "")
    return _act(item.producer_id, lambda p: registry.suspend_product(item, reason, actor_id=current_user.id),
                _("%(name)s is off sale.", name=item.name))


@bp.post("/products/<int:product_id>/reinstate")
def reinstate_product(product_id: int):
    item = db.get_or_404(Product, product_id)
    return _act(item.producer_id,
                lambda p: registry.reinstate_product(item, actor_id=current_user.id, today=today()),
                _("%(name)s is reinstated.", name=item.name))


@bp.post("/certificates/<int:certificate_id>/revoke")
def revoke_certificate(certificate_id: int):
    certificate = db.get_or_404(Certificate, certificate_id)
    reason = request.form.get("reason", "")
    return _act(certificate.product.producer_id,
                lambda p: registry.revoke_certificate(certificate, reason, actor_id=current_user.id),
                _("Decision %(number)s is revoked for %(name)s.",
                  number=certificate.decision_number, name=certificate.product.name))
