"""Several processes (gunicorn workers) and threads write the Whoosh index at once: no document is lost."""

from __future__ import annotations

import multiprocessing
import threading
from pathlib import Path

import pytest

from shop import search
from shop.catalog.queries import Filters
from shop.search import analysis, whoosh_index
from shop.search.documents import Document
from tests import builders

PER_WRITER = 40


def _write_many(directory: str, first_id: int, start: multiprocessing.Event) -> None:
    """One worker: index its products one commit at a time, as requests do."""
    start.wait()
    for product_id in range(first_id, first_id + PER_WRITER):
        doc = Document(product_id, f"Sản phẩm {product_id} chè xanh", "HTX", "Thái Nguyên", "")
        whoosh_index.write(Path(directory), [doc], [], timeout=30)


def test_two_processes_writing_at_once_lose_no_document(tmp_path):
    directory = tmp_path / "index"
    whoosh_index.open_index(directory, create=True)
    context = multiprocessing.get_context("spawn")
    start = context.Event()
    writers = [context.Process(target=_write_many, args=(str(directory), first, start))
               for first in (1, 1001)]
    for writer in writers:
        writer.start()
    start.set()
    for writer in writers:
        writer.join(120)
    assert [w.exitcode for w in writers] == [0, 0]
    assert whoosh_index.document_count(directory) == 2 * PER_WRITER
    hits = whoosh_index.search(directory, analysis.plan("che xanh", prefix=False))
    assert sorted(hits) == list(range(1, 1 + PER_WRITER)) + list(range(1001, 1001 + PER_WRITER))


# Known defect, not yet found: under load, about one run in five on PostgreSQL and fewer on
# SQLite ends with one of the twelve products missing from the index, with no error logged and
# nothing queued for retry. The test keeps running and reports when it passes.
@pytest.mark.xfail(strict=False, reason="a product refreshed by one of 12 threads at once is "
                                        "sometimes missing from the Whoosh index (open defect)")
def test_threads_refreshing_at_once_lose_no_document(app, today):
    items = [builders.product(f"Mứt gừng số {n}") for n in range(12)]
    ids = [item.id for item in items]
    search.reindex()
    whoosh_index.rebuild(Path(app.config["SEARCH_INDEX_DIR"]), [], timeout=10)  # empty again

    def refresh(product_id: int) -> None:
        with app.app_context():
            search.refresh([product_id])

    threads = [threading.Thread(target=refresh, args=(i,)) for i in ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    page = search.query("mut gung", Filters(per_page=50), today)
    assert sorted(p.id for p in page.items) == sorted(ids)
