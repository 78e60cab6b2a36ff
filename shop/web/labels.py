"""Words shown for the codes the domain uses (groups, kinds, issuer levels), in both languages."""

from flask_babel import lazy_gettext as _l

from shop import dates

GROUPS = {
    "food": _l("Food"),
    "beverages": _l("Beverages"),
    "herbal": _l("Herbal products"),
    "handicrafts": _l("Handicrafts"),
    "ornamental": _l("Ornamental plants and animals"),
    "tourism": _l("Community tourism"),
}
PRODUCER_KINDS = {
    "enterprise": _l("Enterprise"),
    "cooperative": _l("Cooperative"),
    "cooperative_group": _l("Cooperative group"),
    "household": _l("Household business"),
}
ISSUER_LEVELS = {
    "district": _l("District People's Committee"),
    "province": _l("Provincial People's Committee"),
    "central": _l("Ministry (national)"),
}
VERDICTS = {
    "valid": _l("Valid"),
    "expired": _l("Expired"),
    "not_yet_valid": _l("Not yet in force"),
    "superseded": _l("Replaced by a newer decision"),
    "revoked": _l("Revoked"),
}
SORTS = {
    "relevance": _l("Recommended"),
    "price_asc": _l("Price: low to high"),
    "price_desc": _l("Price: high to low"),
    "stars": _l("Most stars"),
    "newest": _l("Newest"),
}
ORDER_STATUSES = {
    "awaiting_payment": _l("Waiting for payment"),
    "confirmed": _l("Confirmed"),
    "completed": _l("Completed"),
    "cancelled": _l("Cancelled"),
    "expired": _l("Expired (not paid in time)"),
}
PAYMENT_STATUSES = {
    "unpaid": _l("Not paid"),
    "paid": _l("Paid"),
    "refunded": _l("Refunded"),
    "partially_refunded": _l("Partly refunded"),
    "mismatch": _l("Payment amount under review"),
}
SHIPMENT_STATUSES = {
    "pending": _l("Being prepared"),
    "packed": _l("Packed"),
    "shipped": _l("Shipped"),
    "delivered": _l("Delivered"),
    "ready": _l("Ready for pickup"),
    "collected": _l("Collected"),
    "cancelled": _l("Cancelled"),
}
PAYMENT_METHODS = {
    "cod": _l("Cash on delivery"),
    "bank_transfer": _l("Bank transfer (VietQR)"),
    "card": _l("Card"),
}
STATEMENT_OUTCOMES = {
    "paid": _l("Confirmed: the order is paid"),
    "flagged": _l("Amount differs: the order is flagged for review"),
    "already_paid": _l("The order was already paid"),
    "not_waiting": _l("The order is not waiting for a transfer"),
    "unknown_order": _l("No order has this number"),
    "no_order_number": _l("No order number in the purpose"),
    "not_a_credit": _l("Not an incoming transfer"),
}
PRODUCT_STATUSES = {
    "draft": _l("Draft"),
    "active": _l("Active"),
    "suspended": _l("Suspended"),
    "archived": _l("Archived"),
}
SCAN_STATUSES = {"pending": _l("Waiting for review"), "accepted": _l("Accepted"),
                 "rejected": _l("Rejected")}
# Beside a date field holding a real day too far off for the shop (shop.dates).
DAY_OUT_OF_RANGE = _l("Choose a day from %(first)s to %(last)s.", first=dates.FIRST_DAY.isoformat(),
                      last=dates.LAST_DAY.isoformat())
VAT_CATEGORIES = {
    "not_subject": _l("Not subject to VAT: unprocessed farm, forest and fishery products "
                      "(fresh fruit, paddy rice, raw tea leaves), salt"),
    "5": _l("5%: some herbal goods and farm inputs"),
    "10_reducible": _l("10%, lowered while a reduction is in force: most goods and services "
                       "(processed foods, fish sauce, sweets, handicrafts, tourism)"),
    "10": _l("10%, never lowered: rượu, bia and other goods under excise tax"),
}


def vat_category_options(reduction=None) -> list[tuple[str, str]]:
    """The categories to choose from; the reducible one says which reduction is in force."""
    options = list(VAT_CATEGORIES.items())
    if reduction is not None:
        options[2] = ("10_reducible", _l(
            "10%%, now %(percent)d%% until %(day)s: most goods and services (processed foods, "
            "fish sauce, sweets, handicrafts, tourism)", percent=reduction.percent,
            day=reduction.ends_on.strftime("%d/%m/%Y")))
    return options


def region_name(region, locale: str) -> str:
    return region.name_en if locale.startswith("en") else region.name


def template_globals() -> dict:
    return {"GROUPS": GROUPS, "PRODUCER_KINDS": PRODUCER_KINDS, "ISSUER_LEVELS": ISSUER_LEVELS,
            "VERDICTS": VERDICTS, "SORTS": SORTS, "VAT_CATEGORIES": VAT_CATEGORIES,
            "ORDER_STATUSES": ORDER_STATUSES, "PAYMENT_STATUSES": PAYMENT_STATUSES,
            "SHIPMENT_STATUSES": SHIPMENT_STATUSES, "PAYMENT_METHODS": PAYMENT_METHODS,
            "PRODUCT_STATUSES": PRODUCT_STATUSES, "SCAN_STATUSES": SCAN_STATUSES,
            "region_name": region_name, "local_time": local_time}


def local_time(moment) -> str:
    """An instant as Vietnam's wall-clock time, day first."""
    from shop.clock import VIETNAM

    return moment.astimezone(VIETNAM).strftime("%d/%m/%Y %H:%M") if moment else ""
