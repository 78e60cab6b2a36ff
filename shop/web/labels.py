"""Words shown for the codes the domain uses (groups, kinds, issuer levels), in both languages."""

from flask_babel import lazy_gettext as _l

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
VAT_RATES = {"exempt": _l("not subject to VAT"), "0": "0%", "5": "5%", "8": "8%", "10": "10%"}


def region_name(region, locale: str) -> str:
    return region.name_en if locale.startswith("en") else region.name


def template_globals() -> dict:
    return {"GROUPS": GROUPS, "PRODUCER_KINDS": PRODUCER_KINDS, "ISSUER_LEVELS": ISSUER_LEVELS,
            "VERDICTS": VERDICTS, "SORTS": SORTS, "VAT_RATES": VAT_RATES,
            "region_name": region_name}
