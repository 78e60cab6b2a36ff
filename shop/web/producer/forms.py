"""The producer portal's forms: they parse what was typed; the services decide what is allowed."""

from __future__ import annotations

import re

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import FieldList, Form, FormField, IntegerField, SelectField, TextAreaField

from shop.catalog.models import Variant
from shop.web.producer.labels import ADJUSTMENTS

try:  # WTForms 3.3 names options; tuples go away in 3.4
    from wtforms.fields.choices import SelectChoice
except ImportError:  # older WTForms: an option is a (value, label) pair
    def SelectChoice(value, label):  # noqa: N802
        return (value, label)

TRANSFER_LINES = 8
NUMBER = {"inputmode": "numeric", "min": "1", "step": "1"}


def options(pairs) -> list:
    return [SelectChoice(value, str(label)) for value, label in pairs]


def _variant_label(variant: Variant) -> str:
    """Name first: a phone's narrow select shows the start of the option."""
    return f"{variant.product.name} · {variant.label} ({variant.sku})"


_ROW_ID = re.compile(r"[0-9]{1,9}")      # under 2**31: an INTEGER key on every engine
_WHOLE = re.compile(r"-?[0-9]{1,15}")    # int() also takes "１２", "1_000" and "+3"


def optional_int(value) -> int | None:
    """An id or a page number sent as ASCII digits (or an option's own int), or None."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    text = value.strip() if isinstance(value, str) else ""
    return int(text) if _ROW_ID.fullmatch(text) else None


class QuantityField(IntegerField):
    """A whole number in ASCII digits, or None when left empty; the rule on its size belongs to
    the service (15 digits at most reach it)."""

    def process_formdata(self, valuelist):
        text = (valuelist[0] if valuelist else "").strip()
        self.data = None
        if text:
            if not _WHOLE.fullmatch(text):
                raise ValueError(_("Enter a whole number."))
            self.data = int(text)


class _StockForm(FlaskForm):
    """A change at one of the producer's warehouses: which goods, how many, and why."""

    warehouse = SelectField(_l("Warehouse"), coerce=optional_int, validate_choice=False)
    sku = SelectField(_l("Product"), validate_choice=False)
    quantity = QuantityField(_l("Quantity"), render_kw=NUMBER)
    note = TextAreaField(_l("Note"), render_kw={"rows": 2, "maxlength": 300})

    def offer(self, warehouses, variants: list[Variant]):
        self.warehouse.choices = options((w.id, w.name) for w in warehouses)
        self.sku.choices = options([("", _("Choose a product"))] + [
            (v.sku, _variant_label(v)) for v in variants])
        if hasattr(self, "reason"):
            self.reason.choices = options(ADJUSTMENTS.items())
        return self

    def chosen_variant(self, variants: list[Variant]) -> Variant | None:
        """The producer's variant the form names; a field error when it names none."""
        variant = next((v for v in variants if v.sku == self.sku.data), None)
        if variant is None:
            self.sku.errors.append(_("Choose one of your products."))
        return variant


class ReceiptForm(_StockForm):
    pass


class AdjustmentForm(_StockForm):
    """Posted under the same names as a receipt; its own element ids share the page with one."""

    warehouse = SelectField(_l("Warehouse"), coerce=optional_int, validate_choice=False,
                            id="adjustment-warehouse")
    sku = SelectField(_l("Product"), validate_choice=False, id="adjustment-sku")
    reason = SelectField(_l("What happened"), validate_choice=False, id="adjustment-reason")
    quantity = QuantityField(_l("Quantity"), render_kw=NUMBER, id="adjustment-quantity")
    note = TextAreaField(_l("Note (required)"), render_kw={"rows": 2, "maxlength": 300},
                         id="adjustment-note")


class LineForm(Form):
    sku = SelectField(_l("Product"), validate_choice=False)
    quantity = QuantityField(_l("Quantity"), render_kw=NUMBER)


class TransferForm(FlaskForm):
    source = SelectField(_l("From warehouse"), coerce=optional_int, validate_choice=False)
    destination = SelectField(_l("To sales point"), coerce=optional_int, validate_choice=False)
    lines = FieldList(FormField(LineForm), min_entries=TRANSFER_LINES, max_entries=TRANSFER_LINES)
    note = TextAreaField(_l("Note"), render_kw={"rows": 2, "maxlength": 300})

    def offer(self, warehouses, points, variants: list[Variant]):
        self.source.choices = options((w.id, w.name) for w in warehouses)
        self.destination.choices = options([("", _("Choose a sales point"))] + [
            (p.id, f"{p.name} ({p.code})") for p in points])
        skus = options([("", "—")] + [(v.sku, _variant_label(v)) for v in variants])
        for entry in self.lines:
            entry.sku.choices = skus
        return self

    def chosen_lines(self, variants: list[Variant]) -> list[tuple[int, int]] | None:
        """(variant id, quantity) of each filled line; None after marking a half-filled one."""
        by_sku = {v.sku: v for v in variants}
        lines, ok = [], True
        for entry in self.lines:
            sku, quantity = entry.sku.data or "", entry.quantity.data
            if not sku and quantity is None:
                continue
            if sku not in by_sku:
                entry.sku.errors.append(_("Choose one of your products."))
                ok = False
            if quantity is None:
                entry.quantity.errors.append(_("Enter a quantity."))
                ok = False
            if ok:
                lines.append((by_sku[sku].id, quantity))
        return lines if ok else None
