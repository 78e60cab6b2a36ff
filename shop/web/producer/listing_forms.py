"""Forms of the listing pages: products, packs, photos, certificate scans, CSV and members."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from shop.web.labels import GROUPS, vat_category_options
from shop.web.producer.forms import NUMBER, QuantityField, options


class ProductForm(FlaskForm):
    name = StringField(_l("Product name"), validators=[DataRequired(), Length(max=200)])
    group = SelectField(_l("OCOP group"), validate_choice=False)
    description = TextAreaField(_l("Short description"), render_kw={"rows": 3})
    origin_story = TextAreaField(_l("Origin story"),
                                 render_kw={"rows": 8, "data-richtext": "1"})
    locality = StringField(_l("Locality (as certified)"), validators=[Length(max=200)])
    raw_material_origin = StringField(_l("Where the raw material comes from"),
                                      validators=[Length(max=300)])

    def offer(self):
        self.group.choices = options(GROUPS.items())
        return self

    def values(self) -> dict:
        return {name: getattr(self, name).data or "" for name in (
            "name", "group", "description", "origin_story", "locality", "raw_material_origin")}


class VariantForm(FlaskForm):
    sku = StringField(_l("SKU"), validators=[Length(max=64)])
    label = StringField(_l("Pack"), validators=[DataRequired(), Length(max=120)])
    unit = StringField(_l("Unit"), validators=[Length(max=30)])
    price_vnd = QuantityField(_l("Price (đồng, VAT included)"), render_kw=NUMBER)
    vat_category = SelectField(_l("VAT category"), validate_choice=False)
    weight_g = QuantityField(_l("Weight (g)"), render_kw={**NUMBER, "min": "0"})
    is_active = BooleanField(_l("On sale"), default=True)

    def offer(self, reduction=None):
        """Offer the categories, the reducible one naming `reduction`, the one in force."""
        self.vat_category.choices = options(vat_category_options(reduction))
        return self

    def values(self) -> dict:
        return {"label": self.label.data or "", "unit": self.unit.data or "",
                "price_vnd": self.price_vnd.data, "vat_category": self.vat_category.data,
                "weight_g": self.weight_g.data or 0, "is_active": bool(self.is_active.data)}


class PhotoForm(FlaskForm):
    photo = FileField(_l("Photo"), validators=[FileRequired()],
                      render_kw={"accept": "image/jpeg,image/png,image/webp"})


class ScanForm(FlaskForm):
    scan = FileField(_l("Scan of the decision (PDF or photo)"), validators=[FileRequired()],
                     render_kw={"accept": "application/pdf,image/jpeg,image/png,image/webp"})
    decision_number = StringField(_l("Decision number"), validators=[Length(max=60)])
    note = TextAreaField(_l("Note"), render_kw={"rows": 2, "maxlength": 300})


class ImportForm(FlaskForm):
    file = FileField(_l("catalog.csv"), validators=[FileRequired()], render_kw={"accept": ".csv"})


class InviteForm(FlaskForm):
    email = StringField(_l("Email"), validators=[DataRequired(), Length(max=254)],
                        render_kw={"type": "email", "autocomplete": "off"})
    role = SelectField(_l("Role"), validate_choice=False)

    def offer(self):
        self.role.choices = options([("staff", _l("Staff")), ("owner", _l("Owner"))])
        return self
