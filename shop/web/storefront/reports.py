"""'Report a problem' on a product page: the shopper tells the program office."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from shop.catalog import queries
from shop.catalog import reports as quality
from shop.errors import ShopError
from shop.web.storefront import bp


def _listed(slug: str):
    item = queries.product_by_slug(slug)
    if item is None:
        abort(404)
    return item


@bp.get("/p/<slug>/report")
def report_form(slug: str):
    return render_template("storefront/report.html", product=_listed(slug), values={}, problems={})


@bp.post("/p/<slug>/report")
def report(slug: str):
    item, form = _listed(slug), request.form
    user_id = current_user.id if current_user.is_authenticated else None
    email = form.get("email", "") or (current_user.email if user_id else "")
    try:
        quality.report_problem(item, kind=form.get("kind", ""), message=form.get("message", ""),
                               email=email, user_id=user_id)
    except ShopError as error:
        return render_template("storefront/report.html", product=item, values=form,
                               problems=getattr(error, "fields", {})), 422
    flash(_("Thank you. The OCOP program office will look into it."), "success")
    return redirect(url_for(".product", slug=item.slug), 303)
