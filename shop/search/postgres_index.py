"""The PostgreSQL full-text backend, for a shop on several hosts: documents in `search_document`.

Each document's `tsv` weighs the name (A) over producer and places (B) and the rest (C), all
lower-cased and stripped of diacritics by `unaccent` (đ -> d included); the `simple`
configuration keeps every word (no stop words, one-letter words index). Queries are built
from the same analysed plan as the Whoosh backend, so both answer alike.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable

from sqlalchemy import text

from shop.extensions import db
from shop.search.analysis import Plan
from shop.search.documents import Document
from shop.search.models import SearchDocument
from shop.search.spelling import nearest

TSV = """setweight(to_tsvector('simple', unaccent(name)), 'A')
      || setweight(to_tsvector('simple', unaccent(people || ' ' || places)), 'B')
      || setweight(to_tsvector('simple', unaccent(body)), 'C')"""
EXACT = "to_tsvector('simple', name || ' ' || places)"
EXACT_WEIGHT = 3.0
SPELLED_WEIGHT = 1.0
PAIR_WEIGHT = 1.0


def _lower(value: str) -> str:
    return unicodedata.normalize("NFC", value).lower()


def _row(doc: Document) -> dict:
    return {"product_id": doc.product_id, "name": _lower(doc.name), "people": _lower(doc.people),
            "places": _lower(doc.places), "body": _lower(doc.body)}


def write(docs: Iterable[Document], deleted: Iterable[int]) -> None:
    """Add or replace `docs` and delete `deleted`, in one transaction."""
    rows = [_row(doc) for doc in docs]
    gone = set(deleted) | {row["product_id"] for row in rows}
    if gone:
        db.session.execute(db.delete(SearchDocument).where(SearchDocument.product_id.in_(gone)))
    if rows:
        db.session.execute(db.insert(SearchDocument), rows)
        db.session.execute(text(f"UPDATE search_document SET tsv = {TSV}, exact = {EXACT} "
                                "WHERE product_id = ANY(:ids)"), {"ids": [r["product_id"] for r in rows]})
    db.session.commit()


def rebuild(docs: Iterable[Document], progress: Callable[[int], None] = lambda n: None,
            batch: int = 500) -> int:
    """Replace every document, committed as one transaction."""
    db.session.execute(db.delete(SearchDocument))
    rows, count = [], 0
    for doc in docs:
        rows.append(_row(doc))
        if len(rows) == batch:
            count += _insert(rows, progress)
            rows = []
    count += _insert(rows, progress)
    db.session.execute(text(f"UPDATE search_document SET tsv = {TSV}, exact = {EXACT}"))
    db.session.commit()
    return count


def _insert(rows: list[dict], progress: Callable[[int], None]) -> int:
    if rows:
        db.session.execute(db.insert(SearchDocument), rows)
        progress(len(rows))
    return len(rows)


def _lexeme(word: str) -> str:
    return "'" + word.replace("'", "''") + "'"


def tsquery(plan: Plan) -> str:
    """`(tea | che | tra) & tan & (cuong | cuong:*AB)`: every unit, any of its alternatives; the
    word being typed completes to words of names, producers and places (weights A and B)."""
    units = []
    for unit in plan.units:
        options = [" <-> ".join(_lexeme(w) for w in run) for run in unit.alternatives]
        if unit.prefix:
            options.append(_lexeme(unit.typed[0]) + ":*AB")
        units.append("(" + " | ".join(options) + ")")
    return " & ".join(units)


def search(plan: Plan, limit: int | None = None) -> list[int]:
    """Product ids matching the plan, best first.

    Words typed with diacritics, the Vietnamese spelling of synonyms and typed words side by
    side (in the name or places) add to the rank, as in the Whoosh backend.
    """
    rank, params = ["ts_rank_cd(tsv, q)"], {"q": tsquery(plan), "limit": limit}
    for key, spelled, weight in (("exact", plan.exact, EXACT_WEIGHT),
                                 ("spelled", plan.spelled, SPELLED_WEIGHT)):
        if spelled:
            rank.append(f"{weight} * ts_rank_cd(exact, to_tsquery('simple', :{key}))")
            params[key] = " | ".join(_lexeme(w) for w in spelled)
    if plan.pairs:
        rank.append(f"{PAIR_WEIGHT} * ts_rank_cd(tsv, to_tsquery('simple', :pairs))")
        open_end = ":*" if plan.units and plan.units[-1].prefix else ""
        pairs = [f"{_lexeme(a)} <-> {_lexeme(b)}" for a, b in plan.pairs]
        params["pairs"] = " | ".join(pairs[:-1] + [pairs[-1] + open_end])
    sql = text("SELECT product_id FROM search_document, to_tsquery('simple', :q) AS q "
               f"WHERE tsv @@ q ORDER BY {' + '.join(rank)} DESC, product_id LIMIT :limit")
    return list(db.session.scalars(sql, params))


def corrections(plan: Plan, limit: int = 5) -> dict[str, list[str]]:
    """For each typed word no document has, the nearest words some document has, best first
    (an empty list when none is near)."""
    typed = sorted({w for unit in plan.units for w in unit.typed if len(w) >= 3})
    if not typed:
        return {}
    known = dict(db.session.execute(text(
        "SELECT word, ndoc FROM ts_stat('SELECT tsv FROM search_document') "
        "WHERE length(word) BETWEEN 2 AND 40")).all())
    return {w: nearest(w, known, limit) for w in typed if w not in known}


def document_count() -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(SearchDocument))
