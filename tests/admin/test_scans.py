"""The office reviews the certificate scans producers send: accepting records the decision it
shows (the certificate is active at once), refusing tells the producer why."""

import pytest
from sqlalchemy import select

from shop.audit.models import AuditEntry
from shop.catalog import photos, scans
from shop.catalog.models import CertificateScan
from shop.extensions import db
from tests import builders
from tests.conftest import csrf_token

PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF"


def send_scan(app, item, number="88/QĐ-UBND"):
    return scans.submit_scan(item, PDF, actor_id=None, media_dir=app.config["MEDIA_DIR"],
                             limits=photos.Limits(8 * 1024 * 1024, 40_000_000),
                             decision_number=number, note="quyết định mới")


@pytest.fixture
def office(client, login):
    return login(builders.user("office@example.com", "admin"))


def post(client, path, **form):
    return client.post(path, data={"csrf_token": csrf_token(client, "/"), **form})


def test_accepting_a_scan_puts_a_draft_product_on_sale(app, client, office):
    rice = builders.product("Gạo Séng Cù", stars=None)
    scan = send_scan(app, rice)
    page = client.get("/admin/scans").get_data(as_text=True)
    assert f'data-scan="{scan.id}" data-status="pending"' in page
    opened = client.get(f"/admin/scans/{scan.id}/file")
    assert (opened.status_code, opened.mimetype, opened.data) == (200, "application/pdf", PDF)
    response = post(client, f"/admin/scans/{scan.id}/accept", decision_number="88/QĐ-UBND",
                    decision_date="2026-11-10", stars="4", issuer_level="province",
                    issuer_name="UBND tỉnh Lào Cai")
    assert response.status_code == 303
    db.session.expire_all()
    assert (scan.status, scan.reviewed_by_id) == ("accepted", office.id)
    assert scan.certificate_id == rice.certificates[0].id
    assert (rice.status, rice.stars) == ("active", 4)
    found = client.get("/api/v1/products?q=gao seng cu").get_json()["items"]
    assert [item["slug"] for item in found] == [rice.slug]
    assert [e.action for e in db.session.scalars(select(AuditEntry).order_by(AuditEntry.id))
            if e.action.startswith("certificate.")] == ["certificate.recorded", "certificate.scan_accepted"]
    again = post(client, f"/admin/scans/{scan.id}/accept", decision_number="89/QĐ-UBND",
                 decision_date="2026-11-10", stars="4", issuer_level="province")
    assert again.status_code == 303
    assert len(rice.certificates) == 1  # a reviewed scan is not reviewed twice


def test_a_wrong_decision_records_nothing_and_the_scan_waits(app, client, office):
    rice = builders.product("Gạo", stars=None)
    scan = send_scan(app, rice)
    post(client, f"/admin/scans/{scan.id}/accept", decision_number="88/QĐ-UBND",
         decision_date="2026-11-10", stars="5", issuer_level="province")
    db.session.expire_all()
    assert (scan.status, rice.certificates, rice.status) == ("pending", [], "draft")
    page = client.get("/admin/scans").get_data(as_text=True)
    assert "5-star products are recognised by the ministry" in page


def test_refusing_a_scan_tells_the_producer_why(app, client, office, login):
    maker = builders.producer()
    rice = builders.product("Gạo", maker=maker, stars=None)
    scan = send_scan(app, rice)
    post(client, f"/admin/scans/{scan.id}/reject", reason="")
    db.session.expire_all()
    assert scan.status == "pending"
    post(client, f"/admin/scans/{scan.id}/reject", reason="bản quét không đọc được")
    db.session.expire_all()
    assert (scan.status, scan.review_note) == ("rejected", "bản quét không đọc được")
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    login(builders.user("owner@example.com", f"producer:{maker.tax_code}"))
    page = client.get(f"/producer/products/{rice.id}").get_data(as_text=True)
    assert f'data-scan="{scan.id}" data-status="rejected"' in page
    assert "(bản quét không đọc được)" in page
    assert db.session.scalar(select(AuditEntry.action).where(
        AuditEntry.subject == f"scan:{scan.id}")) == "certificate.scan_rejected"
    assert db.session.scalar(select(CertificateScan.status)) == "rejected"
