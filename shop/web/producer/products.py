"""The producer's listings: products, their packs, photos, certificates and change history.

Every product is loaded through `g.producer`: another producer's product is a 404.
"""

from __future__ import annotations

from flask import abort, current_app, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from shop.catalog import listings, photos, scans
from shop.catalog.models import CertificateScan, Product, Variant
from shop.clock import today
from shop.errors import ShopError
from shop.extensions import db
from shop.tax import rates as tax
from shop.web.producer import bp
from shop.web.producer.listing_forms import PhotoForm, ProductForm, ScanForm, VariantForm
from shop.web.producer.messages import attach, explain, not_saved

PRODUCT_FIELDS = {name: name for name in listings.PRODUCT_FIELDS}
VARIANT_FIELDS = {name: name for name in ("sku", "label", "unit", "price_vnd", "vat_category",
                                          "weight_g")}


def _own_product(product_id: int) -> Product:
    return db.session.scalar(db.select(Product).where(
        Product.id == product_id, Product.producer_id == g.producer.id)) or abort(404)


def _own_variant(product: Product, variant_id: int) -> Variant:
    return next((v for v in product.variants if v.id == variant_id), None) or abort(404)


def photo_limits() -> photos.Limits:
    return photos.Limits(current_app.config["PHOTO_MAX_BYTES"], current_app.config["PHOTO_MAX_PIXELS"],
                         current_app.config["PHOTO_MAX_DECODE_BYTES"])


@bp.get("/products")
def products():
    """The producer's products with their status, certificate and main photo."""
    items = db.session.scalars(db.select(Product).where(Product.producer_id == g.producer.id)
                               .order_by(Product.name, Product.id)).all()
    return render_template("producer/products/list.html", products=items, day=today(),
                           expiry_state=scans.expiry_state)


def _new_page(form: ProductForm, status: int = 200, problems=()):
    return render_template("producer/products/new.html", form=form.offer(),
                           problems=list(problems)), status


@bp.get("/products/new")
def new_product():
    """The form of a new product (a draft until certified)."""
    return _new_page(ProductForm(formdata=None))


@bp.post("/products")
def create_product():
    """Save a new draft product and go on to its packs and photos."""
    form = ProductForm()
    if not form.validate_on_submit():
        return _new_page(form, 422, [not_saved()])
    try:
        product = listings.create_listing(g.producer, actor_id=current_user.id, **form.values())
    except ShopError as error:
        return _new_page(form, 422, [explain(error), *attach(form, error, PRODUCT_FIELDS)])
    flash(_("%(name)s is saved as a draft. Add its packs and photos.", name=product.name),
          "success")
    return redirect(url_for(".product", product_id=product.id), 303)


def _edit_page(product: Product, status: int = 200, *, form=None, variant_form=None,
               problems=(), editing=None, photo_form=None, scan_form=None):
    if form is None:
        form = ProductForm(formdata=None, data={name: getattr(product, name)
                                                for name in listings.PRODUCT_FIELDS})
    reduction = tax.reduction_on(today())
    variant_forms = {v.id: VariantForm(formdata=None, obj=v, prefix=f"v{v.id}").offer(reduction)
                     for v in product.variants}
    if editing is not None:
        variant_forms[editing[0]] = editing[1].offer(reduction)
    certificate = next((c for c in product.certificates if c.status == "active"), None)
    return render_template(
        "producer/products/edit.html", product=product, form=form.offer(),
        variant_form=(variant_form or VariantForm(formdata=None, prefix="new")).offer(reduction),
        variant_forms=variant_forms, photo_form=photo_form or PhotoForm(formdata=None),
        scan_form=scan_form or ScanForm(formdata=None), problems=list(problems), certificate=certificate,
        state=scans.expiry_state(certificate, today()), day=today(),
        history=listings.history(product.id, limit=30),
        scans=_scans(product)), status


def _scans(product: Product) -> list[CertificateScan]:
    return list(db.session.scalars(db.select(CertificateScan).where(
        CertificateScan.product_id == product.id).order_by(CertificateScan.id.desc())))


@bp.get("/products/<int:product_id>")
def product(product_id: int):
    """A product's texts, packs, photos, certificate and the latest changes."""
    return _edit_page(_own_product(product_id))


@bp.post("/products/<int:product_id>")
def update_product(product_id: int):
    """Save the product's texts; the storefront shows them at once."""
    item = _own_product(product_id)
    form = ProductForm()
    if not form.validate_on_submit():
        return _edit_page(item, 422, form=form, problems=[_("Nothing was saved.")])
    try:
        changes = listings.update_listing(item, actor_id=current_user.id, **form.values())
    except ShopError as error:
        db.session.rollback()
        return _edit_page(_own_product(product_id), 422, form=form,
                          problems=[explain(error), *attach(form, error, PRODUCT_FIELDS)])
    flash(_saved(len(changes)), "success")
    return redirect(url_for(".product", product_id=product_id), 303)


def _saved(count: int) -> str:
    """How many changes were saved (the history has one row per changed field)."""
    if not count:
        return _("Nothing had changed.")
    return ngettext("%(num)d change saved.", "%(num)d changes saved.", count)


@bp.post("/products/<int:product_id>/variants")
def add_variant(product_id: int):
    """Add a pack with its own SKU and price."""
    item = _own_product(product_id)
    form = VariantForm(prefix="new")
    if not form.validate_on_submit() or form.price_vnd.data is None:
        if form.price_vnd.data is None and not form.price_vnd.errors:
            form.price_vnd.errors = [_("Enter a whole number.")]
        return _edit_page(item, 422, variant_form=form, problems=[_("The pack was not added.")])
    values = form.values()
    values.pop("is_active")
    try:
        listings.add_listing_variant(item, actor_id=current_user.id, sku=form.sku.data or "",
                                     **values)
    except ShopError as error:
        db.session.rollback()
        return _edit_page(_own_product(product_id), 422, variant_form=form,
                          problems=[explain(error), *attach(form, error, VARIANT_FIELDS)])
    flash(_("Pack added."), "success")
    return redirect(url_for(".product", product_id=product_id), 303)


@bp.post("/products/<int:product_id>/variants/<int:variant_id>")
def update_variant(product_id: int, variant_id: int):
    """Change a pack's label, price, VAT category, weight or whether it is on sale."""
    item = _own_product(product_id)
    variant = _own_variant(item, variant_id)
    form = VariantForm(prefix=f"v{variant_id}")
    form.sku.data = variant.sku
    if not form.validate_on_submit() or form.price_vnd.data is None:
        if form.price_vnd.data is None and not form.price_vnd.errors:
            form.price_vnd.errors = [_("Enter a whole number.")]
        return _edit_page(item, 422, editing=(variant_id, form),
                          problems=[_("Nothing was saved.")])
    try:
        changes = listings.update_variant(variant, actor_id=current_user.id, **form.values())
    except ShopError as error:
        db.session.rollback()
        return _edit_page(_own_product(product_id), 422, editing=(variant_id, form),
                          problems=[explain(error), *attach(form, error, VARIANT_FIELDS)])
    flash(_saved(len(changes)), "success")
    return redirect(url_for(".product", product_id=product_id), 303)


@bp.get("/products/<int:product_id>/history")
def product_history(product_id: int):
    """Every change of the product and its packs: who, when, old and new value."""
    item = _own_product(product_id)
    return render_template("producer/products/history.html", product=item,
                           history=listings.history(item.id, limit=1000))


from shop.web.producer import product_media  # noqa: E402,F401
