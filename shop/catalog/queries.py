"""Reading the certified catalog: the listing with its filters and facets, and one product."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import and_, func
from sqlalchemy.orm import joinedload, selectinload

from shop import cache
from shop.catalog.models import PRODUCT_GROUPS, Producer, Product
from shop.errors import ValidationError
from shop.extensions import db
from shop.inventory import queries as stock_queries
from shop.places.models import REGION_CODES, Province

SORTS = ("relevance", "price_asc", "price_desc", "stars", "newest")
MAX_PER_PAGE = 100
MAX_PAGE = 10_000  # deeper than any shopper goes; keeps the OFFSET a small integer on every engine
FACETS = ("stars", "group", "region", "province")


@dataclass(frozen=True)
class Filters:
    stars: tuple[int, ...] = ()
    group: str | None = None
    region: str | None = None
    province: str | None = None
    sort: str = "relevance"
    page: int = 1
    per_page: int = 24

    def without(self, facet: str) -> Filters:
        return Filters(**{**self.__dict__, facet: () if facet == "stars" else None})


@dataclass
class Listing:
    items: list[Product]
    total: int
    filters: Filters
    facets: dict[str, dict[str, int]]
    online_available: dict[int, int] = field(default_factory=dict)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.filters.per_page))


def parse_filters(args: Mapping[str, str], per_page_default: int = 24) -> Filters:
    """Filters from query parameters; ValidationError naming each bad parameter."""
    problems: dict[str, str] = {}
    given = args.getlist("stars") if hasattr(args, "getlist") else [args.get("stars") or ""]
    pieces = [s for text in given if text for s in text.split(",")]
    stars = tuple(sorted(set(pieces)))
    if any(s not in ("3", "4", "5") for s in stars):
        problems["stars"] = "stars are 3, 4 or 5, separated by commas"
    group, region = args.get("group") or None, args.get("region") or None
    if group and group not in PRODUCT_GROUPS:
        problems["group"] = "one of " + ", ".join(PRODUCT_GROUPS)
    if region and region not in REGION_CODES:
        problems["region"] = "one of " + ", ".join(REGION_CODES)
    province = args.get("province") or None
    if province and db.session.get(Province, province) is None:
        problems["province"] = "unknown province code"
    sort = args.get("sort") or "relevance"
    if sort not in SORTS:
        problems["sort"] = "one of " + ", ".join(SORTS)
    page = _positive(args.get("page"), 1, "page", problems)
    per_page = _positive(args.get("per_page"), per_page_default, "per_page", problems)
    if per_page > MAX_PER_PAGE:
        problems["per_page"] = f"at most {MAX_PER_PAGE}"
    if problems:
        raise ValidationError("invalid filters", problems)
    return Filters(tuple(int(s) for s in stars), group, region, province, sort, page, per_page)


def _positive(text: str | None, default: int, name: str, problems: dict) -> int:
    if text in (None, ""):
        return default
    if not (text.isascii() and text.isdigit() and len(text) <= len(str(MAX_PAGE))) \
            or not 1 <= int(text) <= MAX_PAGE:  # int() refuses 4,300 digits and more
        problems[name] = f"a whole number from 1 to {MAX_PAGE}"
        return default
    return int(text)


def listing_condition(day: date):
    """What makes a product listed on `day`: active, with a certificate valid that day."""
    return and_(Product.status == "active", Product.certified_until >= day)


def _listed(day: date):
    return db.select(Product).where(listing_condition(day))


def listed(day: date):
    """The select of products the shop lists on `day`: active, with a valid certificate."""
    return _listed(day)


def _filtered(query, filters: Filters):
    if filters.stars:
        query = query.where(Product.stars.in_(filters.stars))
    if filters.group:
        query = query.where(Product.group == filters.group)
    if filters.region:
        query = query.where(Product.province_code.in_(
            db.select(Province.code).where(Province.region_code == filters.region)))
    if filters.province:
        query = query.where(Product.province_code == filters.province)
    return query


ORDERINGS = {
    "relevance": (Product.stars.desc(), Product.name, Product.id),
    "price_asc": (Product.min_price_vnd, Product.id),
    "price_desc": (Product.min_price_vnd.desc(), Product.id),
    "stars": (Product.stars.desc(), Product.name, Product.id),
    "newest": (Product.created_at.desc(), Product.id.desc()),
}


def listing(filters: Filters, day: date) -> Listing:
    """One page of listed products with the facet counts for the other filters."""
    query = _filtered(_listed(day), filters)
    cells = listed_counts(day)
    total = sum(count for stars, group, province, region, count in cells
                if _matches(filters, stars, group, province, region))
    items = list(db.session.scalars(
        query.options(joinedload(Product.producer), joinedload(Product.province))
        .order_by(*ORDERINGS[filters.sort])
        .limit(filters.per_page).offset((filters.page - 1) * filters.per_page)).unique())
    available = stock_queries.online_available_by_product([p.id for p in items])
    return Listing(items, total, filters, facets(filters, day), available)


def facets(filters: Filters, day: date) -> dict[str, dict[str, int]]:
    """Counts per value of each facet, under every filter but the facet's own."""
    result = {"stars": dict.fromkeys(("3", "4", "5"), 0),
              "group": dict.fromkeys(PRODUCT_GROUPS, 0),
              "region": dict.fromkeys(REGION_CODES, 0),
              "province": {}}
    cells = listed_counts(day)
    for name in FACETS:
        others = filters.without(name)
        for stars, group, province, region, count in cells:
            if _matches(others, stars, group, province, region):
                value = {"stars": str(stars), "group": group, "region": region,
                         "province": province}[name]
                result[name][value] = result[name].get(value, 0) + count
    return result


def _matches(filters: Filters, stars: int, group: str, province: str, region: str) -> bool:
    return ((not filters.stars or stars in filters.stars)
            and (filters.group is None or group == filters.group)
            and (filters.region is None or region == filters.region)
            and (filters.province is None or province == filters.province))


def listed_counts(day: date) -> tuple[tuple[int, str, str, str, int], ...]:
    """How many products are listed on `day` per stars, group and province (with the
    province's region): at most 3 x 6 x 34 cells, from which every total and facet count of
    the listing is summed, whatever the filters.

    Counting them reads every listed product (a second at 200,000), so it is done once per
    catalog generation and day in each process (`cache.derived`). Stock has a generation of
    its own: a sale does not count them again."""

    def count():
        return tuple((int(stars), group, province, region, int(count))
                for stars, group, province, region, count in db.session.execute(
                    db.select(Product.stars, Product.group, Product.province_code,
                              Province.region_code, func.count())
                    .select_from(Product).join(Province, Province.code == Product.province_code)
                    .where(listing_condition(day))
                    .group_by(Product.stars, Product.group, Product.province_code,
                              Province.region_code)))

    return cache.derived(f"listed-counts\n{cache.generation(cache.CATALOG)}\n{day.isoformat()}",
                         count)


def home_sections(day: date, limit: int = 8) -> dict:
    """What the home page shows: five-star products and the counts by group and region."""
    five_star = list(db.session.scalars(
        _listed(day).where(Product.stars == 5)
        .options(joinedload(Product.producer), joinedload(Product.province))
        .order_by(Product.certified_until.desc(), Product.id).limit(limit)).unique())
    counts = facets(Filters(), day)
    return {"five_star": five_star, "groups": counts["group"], "regions": counts["region"],
            "total": sum(counts["stars"].values())}


def product_by_slug(slug: str) -> Product | None:
    """A product the storefront may show (not draft, suspended or archived)."""
    return db.session.scalar(
        db.select(Product).where(Product.slug == slug, Product.status == "active")
        .options(joinedload(Product.producer), joinedload(Product.province),
                 joinedload(Product.former_province),
                 selectinload(Product.variants), selectinload(Product.certificates)))


def producer_by_slug(slug: str) -> Producer | None:
    return db.session.scalar(db.select(Producer).where(
        Producer.slug == slug, Producer.status == "active"))


def producer_products(producer: Producer, day: date) -> list[Product]:
    return list(db.session.scalars(
        _listed(day).where(Product.producer_id == producer.id)
        .options(joinedload(Product.province)).order_by(Product.stars.desc(), Product.name)))
