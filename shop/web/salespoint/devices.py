"""The tills' device tokens (managers only). A new token is shown once, on the page that
answers the request that made it: never in the session cookie or a flashed message."""

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from shop.errors import Conflict
from shop.extensions import db
from shop.pos import devices as device_service
from shop.pos.models import PosDevice
from shop.web.salespoint import bp, forms
from shop.web.salespoint.access import manager_required


@bp.get("/devices")
@manager_required
def devices():
    return render_template("salespoint/devices.html",
                           devices=device_service.devices_of(g.location))


@bp.post("/devices")
@manager_required
def create_device():
    name, can_apply_counts = forms.read_device(request.form)
    device, token = device_service.create_device(
        g.location, name, can_apply_counts=can_apply_counts, actor_id=current_user.id)
    page = render_template("salespoint/device_token.html", device=device, token=token)
    return page, 200, {"Cache-Control": "no-store", "Pragma": "no-cache"}


@bp.post("/devices/<int:device_id>/revoke")
@manager_required
def revoke_device(device_id: int):
    device = db.session.get(PosDevice, device_id)
    if device is None or device.location_id != g.location.id:
        abort(404)
    try:
        device_service.revoke_device(device, actor_id=current_user.id)
    except Conflict:
        flash(_("This device token was already revoked."), "error")
    else:
        flash(_("The token of %(name)s is revoked: the device can no longer connect.",
                name=device.name), "success")
    return redirect(url_for(".devices"), 303)
