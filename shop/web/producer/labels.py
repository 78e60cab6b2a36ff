"""Words the producer pages show for the codes of the stock ledger and of transfers."""

from flask_babel import lazy_gettext as _l

from shop.web.labels import PRODUCT_STATUSES, SCAN_STATUSES  # noqa: F401 (the portal's names)

REASONS = {
    "receipt": _l("Goods receipt"),
    "online_sale": _l("Online sale"),
    "pos_sale": _l("Counter sale"),
    "transfer_out": _l("Transfer out"),
    "transfer_in": _l("Transfer in"),
    "count_adjustment": _l("Stock count adjustment"),
    "return": _l("Return"),
    "damage": _l("Damage"),
}
ADJUSTMENTS = {"damage": REASONS["damage"], "return": REASONS["return"]}
TRANSFER_STATUSES = {
    "draft": _l("Draft"),
    "in_transit": _l("In transit"),
    "received": _l("Received"),
}
LISTING_FIELDS = {
    "name": _l("Name"), "group": _l("OCOP group"), "description": _l("Short description"),
    "origin_story": _l("Origin story"), "locality": _l("Locality"),
    "raw_material_origin": _l("Raw material origin"), "label": _l("Pack"), "unit": _l("Unit"),
    "price_vnd": _l("Price"), "vat_rate": _l("VAT rate"), "vat_category": _l("VAT category"),
    "weight_g": _l("Weight (g)"),
    "is_active": _l("On sale"), "main_photo": _l("Main photo"),
}
