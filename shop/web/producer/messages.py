"""Service errors in the visitor's language: the services speak English to operators and logs.

Each known field text of `ValidationError.fields` has a translation; an unknown one is shown
as the service wrote it rather than hidden.
"""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from shop.errors import InsufficientStock, ShopError, ValidationError
from shop.inventory.models import MAX_QUANTITY
from shop.money import amount_rule

FIELD_TEXTS = {
    "a whole number from 1": _l("Enter a whole number from 1."),
    f"a whole number from 1 to {MAX_QUANTITY}": _l("Enter a whole number from 1 to %(max)d.",
                                                   max=MAX_QUANTITY),
    f"at most {MAX_QUANTITY} units of one product": _l(
        "At most %(max)d units of one product.", max=MAX_QUANTITY),
    amount_rule(minimum=1): _l("Enter a price from 1 đồng to ten billion đồng."),
    "say what happened": _l("Say what happened: a note is required."),
    "damage or return": _l("Choose damage or return."),
    "transfers leave from a producer's warehouse": _l("Transfers leave from one of your warehouses."),
    "transfers go to an open sales point": _l("Choose an open sales point."),
    "each quantity is at least 1": _l("Each quantity is at least 1."),
    "at least one line": _l("Add at least one line."),
    "only the producer's own goods can be sent": _l("Only your own products can be sent."),
}


def explain(error: ShopError) -> str:
    """One sentence for the top of the page."""
    details = error.details
    if isinstance(error, InsufficientStock) and {"sku", "location", "available", "requested"} <= set(details):
        return _("Only %(available)d of %(sku)s can leave %(location)s, %(requested)d asked: "
                 "units reserved for online orders stay. Nothing was sent.", **details)
    if isinstance(error, ValidationError):
        return not_saved()
    return error.message


def not_saved() -> str:
    return _("Nothing was saved. Please correct the marked fields.")


def attach(form, error: ShopError, names: dict[str, str]) -> list[str]:
    """Put each field problem of `error` on the form field `names` maps it to; return the rest."""
    loose = []
    for name, text in getattr(error, "fields", {}).items():
        message = str(FIELD_TEXTS.get(text, text))
        if name in names:
            getattr(form, names[name]).errors.append(message)
        else:
            loose.append(message)
    return loose
