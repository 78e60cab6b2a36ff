"""Photos of a product and scans of its new certificates, uploaded from the listing page."""

from __future__ import annotations

from flask import abort, current_app, flash, g, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import selectinload

from shop.catalog import images, photos, scans
from shop.catalog.models import CertificateScan, Product
from shop.clock import today
from shop.errors import ShopError
from shop.extensions import db
from shop.web.producer import bp
from shop.web.producer.listing_forms import PhotoForm, ScanForm
from shop.web.producer.products import _edit_page, _own_product, photo_limits


def _media_dir() -> str:
    return current_app.config["MEDIA_DIR"]


def _back(product_id: int):
    return redirect(url_for(".product", product_id=product_id) + "#photos", 303)


def _upload_problem(error: ShopError, not_an_image: str) -> str:
    """Why an upload was refused, in the visitor's language."""
    problem = next(iter(getattr(error, "fields", {}).values()), "")
    if problem == images.NOT_A_PHOTO:
        return not_an_image
    if problem == images.TOO_MANY_PIXELS:
        return _("This image has too many pixels.")
    if problem == images.TOO_LARGE_TO_DECODE:
        return _("This image has too many pixels for its file type (at most %(limit)s megapixels). "
                 "Make it smaller, or save it as an ordinary JPEG.", limit=error.details["max_megapixels"])
    return _("The file is too large.") if problem.endswith(" MB") else error.message


@bp.post("/products/<int:product_id>/photos")
def add_photo(product_id: int):
    """Upload a photo: checked, re-encoded and stored under a new name, with its thumbnail."""
    item = _own_product(product_id)
    form = PhotoForm()
    if not form.validate_on_submit():
        return _edit_page(item, 422, problems=[_("Choose a photo to upload.")])
    try:
        photos.add_photo(item, form.photo.data.read(), actor_id=current_user.id,
                         media_dir=_media_dir(), limits=photo_limits())
    except ShopError as error:
        db.session.rollback()
        form.photo.errors = [_upload_problem(error, _("This file is not a JPEG, PNG or WebP image."))]
        return _edit_page(_own_product(product_id), error.status, problems=form.photo.errors,
                          photo_form=form)
    flash(_("Photo added."), "success")
    return _back(product_id)


@bp.post("/products/<int:product_id>/photos/<int:photo_id>/main")
def main_photo(product_id: int, photo_id: int):
    """Show this photo first, on the listing and the product page."""
    item = _own_product(product_id)
    try:
        photos.make_main(item, photo_id, actor_id=current_user.id)
    except ShopError:
        abort(404)
    flash(_("Main photo chosen."), "success")
    return _back(product_id)


@bp.post("/products/<int:product_id>/photos/order")
def order_photos(product_id: int):
    """Put the photos in the order given (one photo id per `photo` field, first is main)."""
    item = _own_product(product_id)
    try:
        ids = [int(value) for value in request.form.getlist("photo")]
        photos.reorder(item, ids, actor_id=current_user.id)
    except (ValueError, ShopError):
        db.session.rollback()
        return _edit_page(_own_product(product_id), 422,
                          problems=[_("Name each photo once to reorder them.")])
    flash(_("Photos reordered."), "success")
    return _back(product_id)


@bp.post("/products/<int:product_id>/photos/<int:photo_id>/delete")
def delete_photo(product_id: int, photo_id: int):
    """Remove a photo and its files."""
    item = _own_product(product_id)
    try:
        photos.remove(item, photo_id, actor_id=current_user.id, media_dir=_media_dir())
    except ShopError:
        abort(404)
    flash(_("Photo removed."), "success")
    return _back(product_id)


@bp.post("/products/<int:product_id>/scans")
def add_scan(product_id: int):
    """Send the scan of a new recognition decision for the program office to review."""
    item = _own_product(product_id)
    form = ScanForm()
    if not form.validate_on_submit():
        return _edit_page(item, 422, problems=[_("Choose the scan to upload.")])
    try:
        scans.submit_scan(item, form.scan.data.read(), actor_id=current_user.id,
                          media_dir=_media_dir(), limits=photo_limits(),
                          decision_number=form.decision_number.data or "",
                          note=form.note.data or "")
    except ShopError as error:
        db.session.rollback()
        form.scan.errors = [_upload_problem(error, _("Send a PDF or a photo of the decision."))]
        return _edit_page(_own_product(product_id), error.status, problems=form.scan.errors,
                          scan_form=form)
    flash(_("Scan sent. The program office will review it."), "success")
    return redirect(url_for(".product", product_id=product_id) + "#certificate", 303)


@bp.get("/products/<int:product_id>/scans/<int:scan_id>")
def scan_file(product_id: int, scan_id: int):
    """A scan the producer sent (never public)."""
    item = _own_product(product_id)
    scan = db.session.scalar(db.select(CertificateScan).where(
        CertificateScan.id == scan_id, CertificateScan.product_id == item.id)) or abort(404)
    path = scans.scan_path(_media_dir(), scan)
    if not path.is_file():
        abort(404)
    return send_file(path, mimetype=scan.content_type)


@bp.get("/certificates")
def certificates():
    """Each product's certificate, its expiry, a warning from 60 days before, and scans sent."""
    items = db.session.scalars(
        db.select(Product).where(Product.producer_id == g.producer.id)
        .options(selectinload(Product.certificates)).order_by(Product.name, Product.id)).all()
    pending = set(db.session.scalars(
        db.select(CertificateScan.product_id).where(CertificateScan.status == "pending",
                                                    CertificateScan.product_id.in_([p.id for p in items]))))
    day = today()
    rows = [(p, c, scans.expiry_state(c, day)) for p in items
            for c in [next((c for c in p.certificates if c.status == "active"), None)]]
    return render_template("producer/certificates.html", rows=rows, pending=pending, day=day)
