"""Sales points: their registry entries (hours, address, what they offer) and their staff."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from shop.accounts.models import SalesPointStaff
from shop.errors import ShopError
from shop.extensions import db
from shop.inventory import sales_points as registry
from shop.inventory.models import Location
from shop.web.admin import bp, problems_of, province_options


def _point(code: str) -> Location:
    return db.first_or_404(db.select(Location).where(Location.code == code,
                                                     Location.kind == "sales_point"))


def _page(template: str, status: int = 200, **context):
    return render_template(template, provinces=province_options(),
                           point_staff=_staff, **{"values": {}, "problems": {}, **context}), status


@bp.get("/sales-points")
def sales_points():
    return render_template("admin/sales_points/list.html", points=registry.sales_points())


@bp.get("/sales-points/new")
def new_sales_point():
    return _page("admin/sales_points/new.html", values={"offers_pickup": "1", "is_active": "1"})


@bp.post("/sales-points")
def create_sales_point():
    values = request.form.to_dict()
    try:
        point = registry.create_sales_point(values.get("code", ""), values, actor_id=current_user.id)
    except ShopError as error:
        flash(error.message, "error")
        return _page("admin/sales_points/new.html", 422, values=values, problems=problems_of(error))
    flash(_("%(name)s is created.", name=point.name), "success")
    return redirect(url_for(".sales_point", point_code=point.code), 303)


def _staff(point: Location) -> list[SalesPointStaff]:
    return list(db.session.scalars(db.select(SalesPointStaff)
                                   .where(SalesPointStaff.location_id == point.id)
                                   .order_by(SalesPointStaff.role, SalesPointStaff.id)))


@bp.get("/sales-points/<point_code>")
def sales_point(point_code: str):
    return _page("admin/sales_points/detail.html", point=_point(point_code))


@bp.post("/sales-points/<point_code>")
def update_sales_point(point_code: str):
    point, values = _point(point_code), request.form.to_dict()
    try:
        changed = registry.update_sales_point(point, values, actor_id=current_user.id)
    except ShopError as error:
        db.session.rollback()
        flash(error.message, "error")
        return _page("admin/sales_points/detail.html", 422, point=point, values=values,
                     problems=problems_of(error))
    flash(_("Saved.") if changed else _("Nothing changed."), "success")
    return redirect(url_for(".sales_point", point_code=point.code), 303)


@bp.post("/sales-points/<point_code>/staff")
def assign_staff(point_code: str):
    point = _point(point_code)
    try:
        registry.assign_staff(point, request.form.get("email", ""), request.form.get("role", ""),
                              actor_id=current_user.id)
    except ShopError as error:
        flash(error.message, "error")
    else:
        flash(_("Saved."), "success")
    return redirect(url_for(".sales_point", point_code=point.code), 303)


@bp.post("/sales-points/<point_code>/staff/<int:member_id>/remove")
def remove_staff(point_code: str, member_id: int):
    point = _point(point_code)
    member = db.first_or_404(db.select(SalesPointStaff).where(
        SalesPointStaff.id == member_id, SalesPointStaff.location_id == point.id))
    registry.remove_staff(member, actor_id=current_user.id)
    flash(_("%(email)s no longer works here.", email=member.user.email), "success")
    return redirect(url_for(".sales_point", point_code=point.code), 303)
