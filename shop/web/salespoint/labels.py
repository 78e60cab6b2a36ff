"""Words shown in the portal for the codes the stock ledger and the tills use."""

from flask_babel import lazy_gettext as _l

PAYMENT_METHODS = {
    "cash": _l("Cash"),
    "card": _l("Card"),
    "bank_transfer": _l("Bank transfer"),
    "e_wallet": _l("E-wallet"),
}
MOVEMENT_REASONS = {
    "receipt": _l("Goods receipt"),
    "online_sale": _l("Online sale"),
    "pos_sale": _l("Counter sale"),
    "transfer_out": _l("Transfer out"),
    "transfer_in": _l("Transfer in"),
    "count_adjustment": _l("Count adjustment"),
    "return": _l("Return"),
    "damage": _l("Damage"),
}
ADJUSTMENT_REASONS = {
    "damage": _l("Damaged (goods leave the stock)"),
    "return": _l("Returned by a customer (goods come back)"),
}
TRANSFER_STATUSES = {
    "draft": _l("Draft"),
    "in_transit": _l("In transit"),
    "received": _l("Received"),
}
COUNT_STATUSES = {
    "submitted": _l("Waiting for a manager"),
    "applied": _l("Applied"),
}
DISCREPANCY_KINDS = {
    "count": _l("Count difference"),
    "transfer": _l("Transfer difference"),
    "negative_stock": _l("Negative stock"),
    "flagged_sale": _l("Flagged sale"),
    "uncovered_reservation": _l("Online order not covered"),
}


def label(mapping: dict, code: str) -> str:
    """The words for `code`, or the code itself when it has none (a newer code)."""
    return str(mapping.get(code, code))
