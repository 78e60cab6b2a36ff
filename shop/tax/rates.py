"""The VAT rate of a category on a day, and the withholding of household sellers.

A pack has a VAT category; its rate is looked up for the day its invoice is due:

| category | rate |
|---|---|
| `not_subject` | none (KCT): unprocessed farm, forest and fishery products, salt |
| `5` | 5% |
| `10_reducible` | 10%, or the reduced rate of a reduction in force that day (8% until 2026-12-31) |
| `10` | 10%, never reduced: goods under excise tax (rượu, bia) and the other exclusions |

A rate is a string: `not_subject` or the percentage (`"8"`). Invoices issued before the
categories may also hold `"0"`.
"""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import select

from shop.extensions import db
from shop.money import NO_VAT
from shop.tax.models import VatReduction

NOT_SUBJECT = "not_subject"
REDUCIBLE = "10_reducible"
VAT_CATEGORIES = (NOT_SUBJECT, "5", REDUCIBLE, "10")
FULL_RATE = "10"

# Decree 117/2025: a platform that takes payment withholds, on each sale of a household
# seller, these basis points of the amount paid (100 bp = 1%): goods, and services (the
# `tourism` group). The same table names the lines of the statements.
WITHHOLDING_BP = {"goods": {"vat": 100, "pit": 50}, "service": {"vat": 500, "pit": 200}}
# Decree 174/2025: a seller on the direct method (sales invoice) lowers the percentage it
# pays on revenue by 20% on reducible goods while a reduction is in force, and says so.
DIRECT_METHOD_REDUCTION_PERCENT = 20

# Goods under excise tax are excluded from every reduction; OCOP products of that kind are
# rice wines and beers. Only used to read the rates of files and rows made before categories.
_EXCISE_WORDS = re.compile(r"(?<!\w)(rượu|bia|thuốc lá|xì gà)(?!\w)", re.IGNORECASE)


def reductions() -> list[VatReduction]:
    """Every reduction, oldest first."""
    return list(db.session.scalars(select(VatReduction).order_by(VatReduction.starts_on)))


def reduction_on(day: date) -> VatReduction | None:
    """The reduction in force on `day`, if any."""
    return db.session.scalar(select(VatReduction).where(
        VatReduction.starts_on <= day, VatReduction.ends_on >= day))


def rate_for(category: str, day: date, reduction: VatReduction | None | bool = False) -> str:
    """The rate of `category` on `day` (pass `reduction` when it is already known)."""
    if category not in VAT_CATEGORIES:
        raise ValueError(f"not a VAT category: {category!r}")
    if category != REDUCIBLE:
        return category
    if reduction is False:
        reduction = reduction_on(day)
    return str(reduction.percent) if reduction is not None else FULL_RATE


def rates_on(day: date) -> dict[str, str]:
    """Every category's rate on `day`, in one query."""
    reduction = reduction_on(day)
    return {category: rate_for(category, day, reduction) for category in VAT_CATEGORIES}


def legacy_rate(rate: str) -> str:
    """A rate in the words of the catalog file and product API made before categories, which
    said `exempt` where no VAT applies."""
    return "exempt" if rate == NOT_SUBJECT else rate


def label(rate: str) -> str:
    """As invoices print a rate: `KCT` (không chịu thuế) or `8%`."""
    return "KCT" if rate in NO_VAT else f"{rate}%"


def excluded_from_reduction(product_name: str) -> bool:
    """Whether a product is, by its name, goods under excise tax (rượu, bia...)."""
    return bool(_EXCISE_WORDS.search(product_name or ""))


def category_of_rate(rate: str, product_name: str) -> str:
    """The category of a pack rated by hand before categories existed: `exempt` (and `0`) are
    not subject; 8 and 10 are reducible unless the product is excluded; 5 stays 5."""
    if rate in ("exempt", "0", NOT_SUBJECT):
        return NOT_SUBJECT
    if rate == "5":
        return "5"
    if rate in ("8", "10"):
        return "10" if excluded_from_reduction(product_name) else REDUCIBLE
    raise ValueError(f"not a VAT rate: {rate!r}")


def supply_of(group: str) -> str:
    """`service` for the tourism group (homestays, tours), `goods` for the other five."""
    return "service" if group == "tourism" else "goods"


SUPPLY_NAMES = {"goods": "hàng hóa", "service": "dịch vụ"}  # as documents in Vietnamese say


def withholding_text(tax_name: str, supplies: set[str]) -> str:
    """The withholding rate of `tax_name` ("vat", "pit") as documents print it: "1%" for goods
    alone, "1% hàng hóa, 5% dịch vụ" where both were sold."""
    shown = sorted(supplies or {"goods"})
    if len(shown) == 1:
        return percent_text(WITHHOLDING_BP[shown[0]][tax_name])
    return ", ".join(f"{percent_text(WITHHOLDING_BP[s][tax_name])} {SUPPLY_NAMES[s]}" for s in shown)


def percent_text(basis_points: int) -> str:
    """100 -> '1%', 50 -> '0,5%', 275 -> '2,75%' (with the Vietnamese decimal comma)."""
    whole, rest = divmod(basis_points, 100)
    return f"{whole}%" if not rest else f"{whole},{rest:02d}".rstrip("0") + "%"
