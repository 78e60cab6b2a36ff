"""Words the producer pages show for the codes of the stock ledger and of transfers."""

from flask_babel import lazy_gettext as _l

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
