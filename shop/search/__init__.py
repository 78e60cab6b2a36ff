"""Product search: the only package that knows the engines (Whoosh on one host, PostgreSQL full
text on several), behind five functions.

- `query(text, filters, day)`: a page of results with facets, snippets and "did you mean".
- `suggest(text, day)`: the few products to offer while the shopper types.
- `refresh(product_ids)`: catalog services call it after their commit; a failure is logged
  and queued for retry, never raised.
- `reindex(progress)`: rebuild from the database (the truth).
- `retry_pending()`: apply the queued updates again.

Settings are read when called: `SEARCH_BACKEND` (`whoosh` or `postgres`), `SEARCH_INDEX_DIR`,
`SEARCH_WRITE_TIMEOUT` (seconds a writer waits for the index lock).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from datetime import date
from itertools import islice, product

from flask import current_app

from shop.catalog.models import Product
from shop.catalog.queries import Filters
from shop.clock import utcnow
from shop.errors import ValidationError
from shop.extensions import db
from shop.search import analysis, documents, fallback, results, spelling, synonyms
from shop.search.backends import Unavailable, backend
from shop.search.models import SearchPending
from shop.search.results import SearchListing

log = logging.getLogger(__name__)
SUGGESTIONS = 8
MAX_CORRECTIONS = 12
_rebuild_lock = threading.Lock()
_rebuilding: list[threading.Thread] = []

__all__ = ["SearchListing", "query", "refresh", "reindex", "retry_pending", "search_text", "suggest"]


def version() -> str:
    """What, besides the catalog, a cached page of results depends on: the index answering."""
    return backend(current_app.config).version()


def search_text(args) -> str:
    """The `q` parameter, trimmed; ValidationError when it is longer than a query can be."""
    typed = args.get("q") or ""
    text = " ".join(typed.split())
    if len(typed) > analysis.MAX_QUERY_LENGTH:
        raise ValidationError("invalid search", {
            "q": f"at most {analysis.MAX_QUERY_LENGTH} characters"})
    return text


def query(text: str, filters: Filters, day: date) -> SearchListing:
    """The products listed on `day` that match `text`, under `filters`, best first."""
    plan = analysis.plan(text)
    suggestion, degraded = None, False
    try:
        engine = backend(current_app.config)
        ranked = engine.search(plan) if not plan.empty else []
        if not ranked and not plan.empty:
            plan, ranked, suggestion = _corrected(engine, plan)
    except Unavailable as error:
        ranked, degraded = _from_database(plan, day, error), True
    return results.page(ranked, plan, filters, day, suggestion=suggestion, degraded=degraded)


def _corrected(engine, plan: analysis.Plan) -> tuple[analysis.Plan, list[int], str | None]:
    """The typo fallback: unknown words replaced by the nearest known ones, the first
    combination that finds something."""
    candidates = engine.corrections(plan)
    for word, found in candidates.items():
        if not found:
            candidates[word] = spelling.nearest(word, synonyms.vocabulary())
    words = [w for w in candidates if candidates[w]]
    for choice in islice(product(*(candidates[w] for w in words)), MAX_CORRECTIONS):
        corrected = analysis.with_words(plan, dict(zip(words, choice, strict=True)))
        ranked = engine.search(corrected)
        if ranked:
            return corrected, ranked, corrected.text
    return plan, [], None


def suggest(text: str, day: date, limit: int = SUGGESTIONS) -> list[Product]:
    """Listed products for what is being typed (the last word may be unfinished)."""
    plan = analysis.plan(text)
    if plan.empty:
        return []
    try:
        ranked = backend(current_app.config).search(plan, limit=limit * 4)
    except Unavailable as error:
        ranked = _from_database(plan, day, error)
    return results.products_in_order(results.listed_ids(ranked, day, limit))


def _from_database(plan: analysis.Plan, day: date, error: Unavailable) -> list[int]:
    """Answer from the database (while a missing or damaged index is rebuilt in the background)."""
    log.warning("search index unavailable (%s): answering from the database", error)
    db.session.rollback()
    if error.rebuild:
        _rebuild_in_background()
    return fallback.search(plan, day) if not plan.empty else []


def refresh(product_ids: Iterable[int]) -> None:
    """Bring these products (and any queued ones) up to date in the index; never raises."""
    ids = set(product_ids)
    try:
        ids |= set(db.session.scalars(db.select(SearchPending.product_id)))
        if not ids:
            return
        docs, gone = documents.searchable(ids)
        backend(current_app.config).write(docs, gone)
        db.session.execute(db.delete(SearchPending).where(SearchPending.product_id.in_(ids)))
        db.session.commit()
    except Exception as error:  # indexing must never fail the request that changed the catalog
        log.exception("search refresh of %d product(s) failed; queued for retry", len(ids))
        _queue(ids, error)


def _queue(ids: set[int], error: Exception) -> None:
    """Remember products whose update failed, so the next refresh or reindex applies them."""
    try:
        db.session.rollback()
        known = {p.product_id: p for p in db.session.scalars(
            db.select(SearchPending).where(SearchPending.product_id.in_(ids)))}
        for product_id in ids:
            if product_id in known:
                known[product_id].attempts += 1
                known[product_id].last_error = str(error)[:500]
            else:
                db.session.add(SearchPending(product_id=product_id, last_error=str(error)[:500]))
        db.session.commit()
    except Exception:
        db.session.rollback()
        log.exception("could not queue %d product(s) for a search retry", len(ids))


def retry_pending() -> int:
    """Apply the queued updates again; the number still queued afterwards."""
    refresh(())
    return db.session.scalar(db.select(db.func.count()).select_from(SearchPending))


def reindex(progress: Callable[[int], None] = lambda n: None) -> int:
    """Rebuild the configured backend from the database; the number of products indexed."""
    started = utcnow()
    count = backend(current_app.config).rebuild(documents.all_searchable(), progress)
    db.session.execute(db.delete(SearchPending).where(SearchPending.queued_at <= started))
    db.session.commit()
    return count


def _rebuild_in_background() -> threading.Thread | None:
    """Start one rebuild in this process unless one is already running."""
    app = current_app._get_current_object()
    with _rebuild_lock:
        if _rebuilding and _rebuilding[-1].is_alive():
            return None
        thread = threading.Thread(target=_rebuild, args=(app,), name="search-rebuild", daemon=True)
        _rebuilding[:] = [thread]
        thread.start()
    return thread


def _rebuild(app) -> None:
    with app.app_context():
        try:
            log.warning("rebuilt the search index: %d products", reindex())
        except Exception:
            log.exception("rebuilding the search index failed")
        finally:
            db.session.remove()


def wait_for_rebuild(timeout: float = 60) -> None:
    """Wait for a background rebuild started by this process (operators' scripts and tests)."""
    with _rebuild_lock:
        threads = list(_rebuilding)
    for thread in threads:
        thread.join(timeout)
