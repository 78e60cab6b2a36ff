"""What each product contributes to search: its text in four weighted parts, read from the database."""

from __future__ import annotations

import html
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import nh3
from sqlalchemy.orm import joinedload

from shop.catalog.models import Product
from shop.extensions import db

# Searchable words for the six OCOP groups, in Vietnamese and English.
GROUP_WORDS = {
    "food": "Thực phẩm food",
    "beverages": "Đồ uống beverages drinks",
    "herbal": "Thảo dược herbal",
    "handicrafts": "Thủ công mỹ nghệ handicrafts crafts",
    "ornamental": "Hoa cây cảnh ornamental flowers plants",
    "tourism": "Du lịch cộng đồng community tourism",
}
BATCH = 500


@dataclass(frozen=True)
class Document:
    product_id: int
    name: str
    people: str
    places: str
    body: str


def plain_text(rich: str) -> str:
    """The words of a sanitised rich text, without its tags and entities."""
    return html.unescape(nh3.clean(rich or "", tags=set())).strip()


def document(product: Product) -> Document:
    """The product's name, producer, places (old and new names) and the rest of its text."""
    province = product.province
    places = [product.locality, province.name, province.full_name, province.region.name,
              product.raw_material_origin]
    if product.former_province is not None:
        places += [product.former_province.name, product.former_province.full_name]
    body = [GROUP_WORDS.get(product.group, ""), product.description, plain_text(product.origin_story)]
    return Document(product.id, product.name, product.producer.name,
                    " · ".join(p for p in places if p), "\n".join(b for b in body if b))


def _loading(query):
    return query.options(joinedload(Product.producer), joinedload(Product.province),
                         joinedload(Product.former_province))


def searchable(product_ids: Iterable[int]) -> tuple[list[Document], set[int]]:
    """Documents of the given products that belong in search, and the ids that do not."""
    wanted = set(product_ids)
    found = list(db.session.scalars(_loading(db.select(Product)).where(
        Product.id.in_(wanted), Product.status == "active")).unique()) if wanted else []
    return [document(p) for p in found], wanted - {p.id for p in found}


def all_searchable() -> Iterator[Document]:
    """Every active product's document, read in batches (for a full rebuild)."""
    last = 0
    while True:
        batch = list(db.session.scalars(_loading(db.select(Product)).where(
            Product.status == "active", Product.id > last)
            .order_by(Product.id).limit(BATCH)).unique())
        if not batch:
            return
        yield from (document(p) for p in batch)
        last = batch[-1].id


def searchable_count() -> int:
    return db.session.scalar(db.select(db.func.count(Product.id)).where(Product.status == "active"))
