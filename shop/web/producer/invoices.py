"""The producer's invoices (download, buyer corrections, returns) and its invoice settings.

Everything loads through `g.producer`: another producer's invoice is not found (404). Only the
producer's owner sees and changes the settings; its staff get 403.
"""

from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from shop.clock import today
from shop.errors import ShopError, ValidationError
from shop.extensions import db
from shop.invoices import issuing, queries, services
from shop.invoices import settings as invoice_settings
from shop.invoices.models import symbol_for_year
from shop.web import invoicing
from shop.web.producer import bp
from shop.web.producer.forms import optional_int

PER_PAGE = 50
SETTINGS_FIELDS = ("template", "symbol", "legal_name", "tax_code", "address")
# What each refused field needs, in the visitor's language (the service names the field).
SETTINGS_PROBLEMS = {
    "template": _l("Choose template 1 or 2."),
    "symbol": _l("Six characters: C or K, two digits, a type letter, two capital letters (C26TAA)."),
    "legal_name": _l("Enter the legal name (2 to 200 characters)."),
    "tax_code": _l("A tax code has 10 digits, 10 digits and 3 more (0101234567-001), or 12 digits."),
    "address": _l("Enter the address (5 to 300 characters)."),
}


@bp.get("/invoices")
def invoices():
    page = max(optional_int(request.args.get("page")) or 1, 1)
    pagination = db.paginate(queries.of_producer(g.producer.id), page=page, per_page=PER_PAGE,
                             error_out=False)
    return render_template("producer/invoices/list.html", pagination=pagination,
                           is_owner=g.membership.role == "owner")


def _own_invoice(invoice_id: int):
    invoice = queries.one_of_producer(g.producer.id, invoice_id)
    if invoice is None:
        abort(404)
    return invoice


@bp.get("/invoices/<int:invoice_id>.pdf")
def invoice_pdf(invoice_id: int):
    return invoicing.pdf_response(_own_invoice(invoice_id))


BUYER_FIELDS = ("name", "address", "email", "phone")
BUYER_PROBLEMS = {
    "name": _l("Enter the buyer's name (2 to 120 characters)."),
    "address": _l("At most 400 characters."), "email": _l("At most 254 characters."),
    "phone": _l("At most 20 characters."),
    "reason": _l("Say what was wrong (3 to 300 characters)."),
    "invoice": _l("Correct the original invoice, not an adjustment."),
    "quantity": _l("Enter at least one returned unit."),
}
RETURN_PROBLEM = _l("At most what the invoice still stands for, and not below 0.")


def _invoice_page(invoice, values: dict | None = None, problems: dict | None = None, status: int = 200):
    values = values or {**{name: getattr(invoice, f"buyer_{name}") for name in BUYER_FIELDS}, "reason": ""}
    return render_template("producer/invoices/detail.html", invoice=invoice, values=values,
                           problems=problems or {}, adjustments=queries.adjustments_of(invoice.id),
                           outstanding=issuing.outstanding(invoice)), status


@bp.get("/invoices/<int:invoice_id>")
def invoice(invoice_id: int):
    """One invoice: its lines, its adjustments, and the form that corrects the buyer's details."""
    return _invoice_page(_own_invoice(invoice_id))


@bp.post("/invoices/<int:invoice_id>/correct-buyer")
def correct_buyer(invoice_id: int):
    found = _own_invoice(invoice_id)
    values = {name: request.form.get(name, "") for name in (*BUYER_FIELDS, "reason")}
    try:
        adjustment = services.correct_buyer(
            found, actor_id=current_user.id, details=values, reason=values["reason"], day=today())
    except ValidationError as error:
        return _invoice_page(found, values, {name: BUYER_PROBLEMS[name] for name in error.fields}, 422)
    flash(_("Adjustment invoice %(label)s issued with the corrected buyer details.",
            label=adjustment.label), "success")
    return redirect(url_for(".invoice", invoice_id=found.id), 303)


def _owner_only() -> None:
    if g.membership.role != "owner":
        abort(403)


def _settings_page(values: dict, problems: dict, status: int = 200):
    day = today()
    return render_template("producer/invoices/settings.html", values=values, problems=problems,
                           this_year_symbol=symbol_for_year(values["symbol"], day.year)
                           if len(values.get("symbol", "")) == 6 else ""), status


@bp.get("/invoices/settings")
def invoice_settings_page():
    """How the producer's invoices are made; a default from its kind until the owner saves."""
    _owner_only()
    current = invoice_settings.settings_for(g.producer, today())
    return _settings_page({name: getattr(current, name) for name in SETTINGS_FIELDS}, {})


@bp.post("/invoices/settings")
def save_invoice_settings():
    _owner_only()
    values = {name: request.form.get(name, "") for name in SETTINGS_FIELDS}
    try:
        invoice_settings.save_settings(g.producer, actor_id=current_user.id, day=today(), **values)
    except ValidationError as error:
        return _settings_page(values, {name: SETTINGS_PROBLEMS[name] for name in error.fields}, 422)
    except ShopError as error:
        abort(error.status)
    flash(_("Invoice settings saved. Invoices already issued keep theirs."), "success")
    return redirect(url_for(".invoice_settings_page"), 303)


@bp.post("/invoices/<int:invoice_id>/return")
def return_goods(invoice_id: int):
    """Goods the buyer sent back: an adjustment invoice takes them back."""
    found = _own_invoice(invoice_id)
    quantities = {sold.sku: optional_int(request.form.get(f"quantity.{sold.sku}") or "0")
                  for sold in issuing.outstanding(found)}
    bad = {f"quantity.{sku}": RETURN_PROBLEM for sku, quantity in quantities.items() if quantity is None}
    try:
        if bad:
            raise ValidationError("bad quantities", bad)
        adjustment = services.return_goods(found, actor_id=current_user.id, quantities=quantities,
                                           reason=request.form.get("reason", ""), day=today())
    except ValidationError as error:
        problems = {name: BUYER_PROBLEMS.get(name, RETURN_PROBLEM) for name in error.fields}
        return _invoice_page(found, None, problems, 422)
    flash(_("Adjustment invoice %(label)s issued for the returned goods.", label=adjustment.label),
          "success")
    return redirect(url_for(".invoice", invoice_id=found.id), 303)
