"""Scans of new decisions: a PDF or a photo, kept for review, shown only to the producer."""

from __future__ import annotations

import io

from PIL import Image

from shop.catalog.models import Certificate, CertificateScan
from shop.extensions import db
from tests import builders
from tests.conftest import csrf_token
from tests.producer.helpers import fresh, page
from tests.producer.images import image_bytes, upload


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
    from shop.catalog import photos, scans

    other = builders.product("Mắm", sku="MAM-1")
    scan = scans.submit_scan(other, b"%PDF-1.4 x", actor_id=None, media_dir=app.config["MEDIA_DIR"],
                             limits=photos.Limits(1_000_000, 1_000_000))
    assert client.get(f"/producer/products/{other.id}/scans/{scan.id}").status_code == 404
    assert client.get(f"/producer/products/{shop.tea.product_id}/scans/{scan.id}").status_code == 404
    assert _send(client, other.id, b"%PDF-1.4 y", "a.pdf").status_code == 404
    assert len(_scans()) == 1
