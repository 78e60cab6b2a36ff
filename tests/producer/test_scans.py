"""Scans of new decisions: a PDF or a photo, kept for review, shown only to the producer."""

from __future__ import annotations

import errno
import io
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy.exc import IntegrityError

from shop.catalog import photos, scans
from shop.catalog.models import Certificate, CertificateScan
from shop.extensions import db
from tests import builders
from tests.conftest import csrf_token
from tests.producer.helpers import fresh, page, text
from tests.producer.images import blank_png, image_bytes, upload, with_metadata
from tests.producer.test_photos import assert_pixels_alone


def _send(client, product_id, data, name, number="12/QĐ-UBND"):
    return client.post(f"/producer/products/{product_id}/scans", data={
        "scan": upload(data, name), "decision_number": number, "note": "Quyết định mới",
        "csrf_token": csrf_token(client, "/")}, content_type="multipart/form-data")


def _scans():
    fresh()
    return [(s.content_type, s.decision_number, s.status) for s in
            db.session.scalars(db.select(CertificateScan).order_by(CertificateScan.id))]


def test_a_pdf_and_a_photo_are_kept_for_review_and_change_no_certificate(client, shop):
    product = shop.tea.product
    certificates = db.session.scalar(db.select(db.func.count()).select_from(Certificate))
    pdf = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF"
    assert _send(client, product.id, pdf, "quyet-dinh.pdf").status_code == 303
    assert _send(client, product.id, image_bytes((1200, 1600)), "scan.png").status_code == 303
    assert _scans() == [("application/pdf", "12/QĐ-UBND", "pending"),
                        ("image/jpeg", "12/QĐ-UBND", "pending")]
    assert db.session.scalar(db.select(db.func.count()).select_from(Certificate)) == certificates
    first, second = db.session.scalars(db.select(CertificateScan).order_by(CertificateScan.id))
    stored = client.get(f"/producer/products/{product.id}/scans/{first.id}")
    assert (stored.status_code, stored.mimetype, stored.data) == (200, "application/pdf", pdf)
    photo = client.get(f"/producer/products/{product.id}/scans/{second.id}")
    assert Image.open(io.BytesIO(photo.data)).format == "JPEG"
    assert "Waiting for review" in page(client, f"/producer/products/{product.id}")
    assert "scan waiting for review" in page(client, "/producer/certificates")
    assert client.get(f"/media/photos/{first.name}.jpg").status_code == 404


def test_a_text_file_is_not_a_scan(client, shop):
    response = _send(client, shop.tea.product_id, b"hello" * 100, "scan.pdf")
    assert response.status_code == 422
    assert "Send a PDF or a photo of the decision." in response.get_data(as_text=True)
    assert _scans() == []


def test_another_producers_scan_is_not_found(client, shop, app):
    other = builders.product("Mắm", sku="MAM-1")
    scan = scans.submit_scan(other, b"%PDF-1.4 x", actor_id=None, media_dir=app.config["MEDIA_DIR"],
                             limits=photos.Limits(1_000_000, 1_000_000))
    assert client.get(f"/producer/products/{other.id}/scans/{scan.id}").status_code == 404
    assert client.get(f"/producer/products/{shop.tea.product_id}/scans/{scan.id}").status_code == 404
    assert _send(client, other.id, b"%PDF-1.4 y", "a.pdf").status_code == 404
    assert len(_scans()) == 1


def _stored_scans(app) -> list[str]:
    folder = Path(app.config["MEDIA_DIR"]) / "scans"
    return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []


def test_a_scan_too_large_to_decode_is_refused_beside_its_field_and_leaves_nothing(client, shop, app):
    before = _stored_scans(app)
    response = _send(client, shop.tea.product_id, blank_png(6300, 6300), "scan.png")
    assert response.status_code == 422
    message = ("This image has too many pixels for its file type (at most 33 megapixels). "
               "Make it smaller, or save it as an ordinary JPEG.")
    assert f'<p class="field__error" id="scan-error">{message}</p>' in text(response)
    assert _scans() == [] and _stored_scans(app) == before


def test_a_refused_scan_is_explained_in_the_visitors_language(client, shop, app):
    client.set_cookie("lang", "vi")
    before = _stored_scans(app)
    bomb = image_bytes((12_000, 12_000), "PNG", color=(0, 0, 0), optimize=True)
    response = _send(client, shop.tea.product_id, bomb, "scan.png")
    assert response.status_code == 422
    assert '<p class="field__error" id="scan-error">Ảnh này có quá nhiều điểm ảnh.</p>' in text(response)
    assert _scans() == [] and _stored_scans(app) == before


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_no_text_or_metadata_survives_in_a_scan_that_is_a_photo(client, shop, app, fmt):
    assert _send(client, shop.tea.product_id, with_metadata(fmt), "scan").status_code == 303
    fresh()
    scan = db.session.scalar(db.select(CertificateScan))
    assert_pixels_alone(scans.scan_path(app.config["MEDIA_DIR"], scan).read_bytes())


def test_a_scan_whose_row_cannot_be_written_leaves_no_file(shop, app):
    before = _stored_scans(app)
    with pytest.raises(IntegrityError):  # sent by a user who does not exist
        scans.submit_scan(shop.tea.product, b"%PDF-1.4 x", actor_id=2**31 - 1,
                          media_dir=app.config["MEDIA_DIR"], limits=photos.Limits(1_000_000, 1_000_000))
    assert _stored_scans(app) == before and _scans() == []


def test_a_scan_on_a_full_disk_leaves_no_file(shop, tiny_disk):
    media = tiny_disk.path / "media"
    (media / "scans").mkdir(parents=True)
    tiny_disk.fill()
    with pytest.raises(OSError) as refused:  # the web layer answers it with a 503
        scans.submit_scan(shop.tea.product, b"%PDF-1.4 x", actor_id=None, media_dir=str(media),
                          limits=photos.Limits(1_000_000, 1_000_000))
    assert refused.value.errno == errno.ENOSPC
    assert list((media / "scans").iterdir()) == [] and _scans() == []
