"""The disk fills up while the shop writes its search index or renders an invoice PDF.

The folder the shop writes to is a real 1 MB tmpfs that the test fills to the last block. The
failure is logged and explained, nothing the buyer or the producer did is lost (the catalog
change is saved, the order completes and its invoice is issued: those live in the database),
and once there is space again the index catches up and the PDF is made.
"""

from __future__ import annotations

import errno
import html
import logging
import tempfile

import pytest
from sqlalchemy import select

from shop import search
from shop.catalog import listings, photos
from shop.catalog.models import ProductPhoto
from shop.catalog.queries import Filters
from shop.extensions import db
from shop.search import whoosh_index
from shop.search.models import SearchPending
from tests import builders
from tests.invoices.helpers import delivered_cod, invoices_of
from tests.producer.images import image_bytes

NO_SPACE = "No space left on device"


def found(text: str, today) -> list[int]:
    return [p.id for p in search.query(text, Filters(), today).items]


def test_a_full_disk_while_indexing_is_logged_queued_and_caught_up(
        app, tiny_disk, monkeypatch, caplog, today):
    folder = tiny_disk.path / "search-index"
    monkeypatch.setitem(app.config, "SEARCH_BACKEND", "whoosh")
    monkeypatch.setitem(app.config, "SEARCH_INDEX_DIR", str(folder))
    monkeypatch.setitem(app.config, "SEARCH_WRITE_TIMEOUT", 2)
    tea = builders.product("Chè Đinh Tân Cương")
    rice = builders.product("Gạo ST25")
    search.reindex()
    assert found("che dinh", today) == [tea.id]

    tiny_disk.fill()
    caplog.set_level(logging.ERROR, logger="shop.search")
    listings.update_listing(tea, actor_id=None, name="Chè Móc Câu Tân Cương")
    listings.update_listing(rice, actor_id=None, name="Gạo Tám Xoan")
    assert "search refresh of 1 product(s) failed; queued for retry" in caplog.text
    assert NO_SPACE in caplog.text
    db.session.rollback()
    queued = {p.product_id: p for p in db.session.scalars(select(SearchPending))}
    assert set(queued) == {tea.id, rice.id}
    assert queued[tea.id].attempts == 2  # the second change tried the queued one again
    assert NO_SPACE in queued[rice.id].last_error
    assert db.session.get(type(tea), tea.id).name == "Chè Móc Câu Tân Cương"  # the change stands
    assert found("che dinh", today) == [tea.id]  # the index as it was still answers
    assert whoosh_index.document_count(folder) == 2

    tiny_disk.free()
    assert search.retry_pending() == 0
    assert found("moc cau", today) == [tea.id] and found("tam xoan", today) == [rice.id]
    assert found("dinh", today) == []
    assert whoosh_index.document_count(folder) == 2


def test_a_full_disk_while_making_an_invoice_pdf_loses_no_invoice(
        app, client, tiny_disk, monkeypatch, market, caplog):
    monkeypatch.setattr(tempfile, "tempdir", str(tiny_disk.path))  # WeasyPrint writes fonts there
    client.set_cookie("lang", "en")
    tiny_disk.fill()
    order = delivered_cod(("CHE-1", 1))  # delivered and invoiced while the disk is full
    invoice, = invoices_of(order)
    assert invoice.total_vnd == 250_000
    path = f"/orders/{order.number}/invoices/{invoice.id}.pdf"

    caplog.set_level(logging.CRITICAL, logger="shop.web.setup")
    response = client.get(path, query_string={"token": order.access_token})
    assert response.status_code == 503 and response.headers["Retry-After"] == "60"
    assert ("The shop's storage is full, so this cannot be done right now. Please try again "
            "later.") in html.unescape(response.get_data(as_text=True))
    assert f"disk full during GET {path}" in caplog.text and NO_SPACE in caplog.text

    tiny_disk.free()
    response = client.get(path, query_string={"token": order.access_token})
    assert response.status_code == 200 and response.data.startswith(b"%PDF-")
    assert invoices_of(order) == [invoice]


def test_statements_on_a_full_disk_leave_no_truncated_file_and_say_so(
        app, tiny_disk, market):
    order = delivered_cod(("CHE-1", 1))
    month = f"{invoices_of(order)[0].issued_on:%Y-%m}"
    out = tiny_disk.path / "statements"
    out.mkdir()
    runner = app.test_cli_runner()
    tiny_disk.fill()

    result = runner.invoke(args=["shop", "statements", "--month", month, "--out", str(out)])
    assert result.exit_code == 1
    assert (f"error: the disk is full ({NO_SPACE}): 0 of 2 statement(s) written to {out}; "
            "free some space and run the command again") in result.output
    assert sorted(p.name for p in out.iterdir()) == []

    tiny_disk.free()
    result = runner.invoke(args=["shop", "statements", "--month", month, "--out", str(out)])
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in out.iterdir())
    assert names == sorted(f"{slug}-{month}.{ext}" for slug in ("htx-che", "htx-gao")
                           for ext in ("csv", "pdf"))
    assert (out / f"htx-che-{month}.pdf").read_bytes().startswith(b"%PDF-")


def test_a_photo_upload_on_a_full_disk_leaves_no_file_and_no_record(tiny_disk):
    item = builders.product("Chè Đinh", sku="CHE-1")
    limits = photos.Limits(10_000_000, 40_000_000)
    media = tiny_disk.path / "media"
    tiny_disk.fill()
    with pytest.raises(OSError) as refused:  # the web layer answers it with a 503
        photos.add_photo(item, image_bytes(), actor_id=None, media_dir=str(media), limits=limits)
    assert refused.value.errno == errno.ENOSPC
    db.session.rollback()
    assert list((media / "photos").iterdir()) == []
    assert db.session.scalars(select(ProductPhoto)).all() == []

    tiny_disk.free()
    photo = photos.add_photo(item, image_bytes(), actor_id=None, media_dir=str(media), limits=limits)
    assert sorted(p.name for p in (media / "photos").iterdir()) == [
        f"{photo.name}-thumb.jpg", f"{photo.name}.jpg"]


def test_only_a_full_disk_is_a_503_other_os_errors_stay_a_500(database_url, tmp_path):
    from shop import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "x",
                      "INSTANCE_PATH": str(tmp_path)})

    @app.get("/api/v1/full")
    def full():
        raise OSError(errno.ENOSPC, NO_SPACE)

    @app.get("/api/v1/denied")
    def denied():
        raise PermissionError(errno.EACCES, "Permission denied", "/srv/ocop/instance/media")

    client = app.test_client()
    response = client.get("/api/v1/full")
    assert response.status_code == 503 and response.headers["Retry-After"] == "60"
    assert response.get_json()["error"]["code"] == "service_unavailable"
    response = client.get("/api/v1/denied")
    assert response.status_code == 500 and response.get_json()["error"]["code"] == "server_error"
    assert "/srv/ocop" not in response.get_data(as_text=True)
