"""The dated table of VAT reductions: the program office extends or ends a reduction, or records
a new one, when parliament decides; the rates of invoices follow from the next day on."""

from __future__ import annotations

from datetime import date

from flask import flash, redirect, render_template, request, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from shop import dates
from shop.clock import today
from shop.errors import ValidationError
from shop.extensions import db
from shop.tax import rates
from shop.tax import services as tax
from shop.tax.models import VatReduction
from shop.web.admin import bp
from shop.web.labels import DAY_OUT_OF_RANGE

PROBLEMS = {
    "past": _l("Only days after today can change: invoices of today and before were issued at "
               "the rate they had."),
    "before_start": _l("The last day cannot come before the first."),
    "too_far": _l("A day more than five years ahead is surely a typing error."),
    "overlap": _l("Another reduction covers some of these days."),
    "resolution": _l("Name the resolution that decides it (3 to 120 characters), for example "
                     "Nghị quyết số 204/2025/QH15."),
    "reduced_percent": _l("The reduced rate is a whole percentage from 0 to 9."),
    "too_long": _l("At most 120 characters."),
    "date": _l("A date such as 31/12/2027 or 2027-12-31."),
}


def _page(status: int = 200, problems: dict | None = None, typed: dict | None = None):
    return render_template("admin/tax.html", reductions=rates.reductions(), day=today(),
                           in_force=rates.reduction_on(today()), problems=problems or {},
                           typed=typed or {}), status


@bp.get("/tax")
def tax_page():
    """The reductions, the one in force today, and the forms to change them."""
    return _page()


def _days(form, *names: str) -> tuple[dict[str, date], dict[str, str]]:
    """The days the form names (31/12/2027 or 2027-12-31), and a problem for each unreadable one."""
    days, problems = {}, {}
    for name in names:
        try:
            days[name] = dates.parse_day_either(form.get(name))
        except dates.OutOfRange:
            problems[name] = DAY_OUT_OF_RANGE
        except ValueError:
            problems[name] = PROBLEMS["date"]
    return days, problems


def _explained(error: ValidationError) -> dict:
    return {name: PROBLEMS.get(code, code) for name, code in error.fields.items()}


@bp.post("/tax/<int:reduction_id>")
def change_reduction(reduction_id: int):
    """Move the last day of a reduction: later to extend it, earlier to end it."""
    db.get_or_404(VatReduction, reduction_id)
    (days, problems), form = _days(request.form, "ends_on"), str(reduction_id)
    typed = {form: request.form.to_dict()}
    if problems:
        return _page(422, {form: problems}, typed)
    try:
        changed = tax.change_end(reduction_id, ends_on=days["ends_on"],
                                 resolution=request.form.get("resolution", ""),
                                 actor_id=current_user.id, today=today())
    except ValidationError as error:
        return _page(422, {form: _explained(error)}, typed)
    flash(_("The reduction to %(percent)d%% now ends on %(day)s.", percent=changed.percent,
            day=format_date(changed.ends_on, "dd/MM/yyyy")), "success")
    return redirect(url_for(".tax_page"), 303)


@bp.post("/tax")
def add_reduction():
    """Record a new reduction that parliament decided."""
    days, problems = _days(request.form, "starts_on", "ends_on")
    typed = {"new": request.form.to_dict()}
    percent = request.form.get("percent", "").strip()
    if not (percent.isascii() and percent.isdigit() and len(percent) <= 2):
        problems["percent"] = PROBLEMS["reduced_percent"]
    if problems:
        return _page(422, {"new": problems}, typed)
    try:
        added = tax.add(starts_on=days["starts_on"], ends_on=days["ends_on"], percent=int(percent),
                        resolution=request.form.get("resolution", ""),
                        decree=request.form.get("decree", ""), actor_id=current_user.id,
                        today=today())
    except ValidationError as error:
        return _page(422, {"new": _explained(error)}, typed)
    flash(_("A reduction to %(percent)d%% from %(start)s to %(end)s is recorded.",
            percent=added.percent, start=format_date(added.starts_on, "dd/MM/yyyy"),
            end=format_date(added.ends_on, "dd/MM/yyyy")), "success")
    return redirect(url_for(".tax_page"), 303)
