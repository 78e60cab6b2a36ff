"""The program office's registry: decisions, revocation, suspension, expiry notices, quality
reports, sales points and producers; each action changes what shoppers see at once and writes
an audit entry."""

from datetime import date

import pytest
from sqlalchemy import func, select

from shop.accounts.models import ProducerMember
from shop.audit.models import AuditEntry
from shop.catalog import registry
from shop.catalog.models import Certificate, Producer, QualityReport
from shop.errors import Conflict, ValidationError
from shop.extensions import db
from shop.inventory import services as inventory
from shop.inventory import stock
from shop.inventory.models import Location
from shop.mail import outbox
from shop.places.models import Ward
from tests import builders
from tests.admin.test_transfers import transfer_order
from tests.conftest import csrf_token

DAY = builders.DAY


# sign-ins and accounts are audited too; these tests look at the office's decisions only
SIGN_INS = ("sign_in", "sign_in.failed", "sign_out", "account.created_with_role")


def office_entries():
    return select(AuditEntry).where(AuditEntry.action.not_in(SIGN_INS)).order_by(AuditEntry.id)


def audit_actions() -> list[tuple[str, str]]:
    return [(e.action, e.subject) for e in db.session.scalars(office_entries())]


def listed_slugs(client) -> set[str]:
    return {item["slug"] for item in client.get("/api/v1/products?per_page=100").get_json()["items"]}


def found_slugs(client, text: str) -> list[str]:
    return [item["slug"] for item in client.get(f"/api/v1/products?q={text}").get_json()["items"]]


@pytest.fixture
def office(client, login):
    return login(builders.user("office@example.com", "admin"))


def post(client, path: str, **form):
    return client.post(path, data={"csrf_token": csrf_token(client, "/"), **form})


# --- recognition decisions and revocation ---------------------------------------------------

def test_one_decision_rates_many_products_and_a_star_may_go_down(client, office):
    tea = builders.product("Chè Tân Cương", stars=4, decision_date=date(2024, 1, 10))
    rice = builders.product("Gạo Séng Cù", stars=None)
    response = post(client, "/admin/decisions", decision_number="1114/QĐ-UBND",
                    decision_date="2026-11-01", issuer_level="province",
                    issuer_name="UBND tỉnh Thái Nguyên", product_0=tea.slug, stars_0="3",
                    product_1=rice.slug, stars_1="4")
    assert response.status_code == 303
    db.session.expire_all()
    assert (tea.stars, rice.stars, rice.status) == (3, 4, "active")
    assert [c.status for c in sorted(tea.certificates, key=lambda c: c.id)] == ["superseded", "active"]
    assert listed_slugs(client) >= {tea.slug, rice.slug}
    assert audit_actions() == [("certificate.recorded", f"product:{tea.id}"),
                               ("certificate.recorded", f"product:{rice.id}")]
    assert db.session.scalar(office_entries()).actor_id == office.id


def test_a_decision_with_one_bad_line_records_nothing(client, office):
    tea = builders.product("Chè", stars=None)
    rice = builders.product("Gạo", stars=None)
    response = post(client, "/admin/decisions", decision_number="7/QĐ-UBND",
                    decision_date="2026-11-01", issuer_level="province", product_0=tea.slug,
                    stars_0="5", product_1=rice.slug, stars_1="4", product_2="no-such-thing", stars_2="3")
    assert response.status_code == 422
    assert "no product has this address (slug)" in response.get_data(as_text=True)
    # a 5-star line needs the ministry: the whole decision is refused
    with pytest.raises(ValidationError) as refused:
        registry.record_decision(registry.Decision("7/QĐ-UBND", date(2026, 11, 1), "province", ""),
                                 [(rice, 4), (tea, 5)], actor_id=None, today=DAY)
    assert refused.value.fields == {
        "issuer_level": "5-star products are recognised by the ministry (central)"}
    assert db.session.scalar(select(func.count()).select_from(Certificate)) == 0
    assert audit_actions() == []


def test_revoking_takes_the_badge_and_the_listing_away(client, office):
    tea = builders.product("Chè Tân Cương", stars=4)
    certificate = tea.certificates[0]
    assert tea.slug in listed_slugs(client)
    assert found_slugs(client, "che tan cuong") == [tea.slug]
    assert post(client, f"/admin/certificates/{certificate.id}/revoke", reason="").status_code == 303
    db.session.expire_all()
    assert certificate.status == "active"  # a revocation needs its reason
    post(client, f"/admin/certificates/{certificate.id}/revoke", reason="không tái đánh giá")
    db.session.expire_all()
    assert (certificate.status, certificate.revoked_reason, tea.stars) == (
        "revoked", "không tái đánh giá", None)
    assert tea.slug not in listed_slugs(client)
    assert found_slugs(client, "che tan cuong") == []
    verify = client.get(f"/verify/{certificate.verify_code}").get_data(as_text=True)
    assert '<section class="verify verify--revoked">' in verify
    assert "<strong>Đã thu hồi</strong>\n    — lý do: không tái đánh giá" in verify
    assert audit_actions() == [("certificate.revoked", f"certificate:{certificate.id}")]
    with pytest.raises(Conflict):
        registry.revoke_certificate(certificate, "again", actor_id=None)


# --- suspension ----------------------------------------------------------------------------

def test_suspending_a_product_takes_it_off_sale_and_keeps_what_is_sold(client, office):
    tea = builders.product("Chè", sku="CHE-1", price_vnd=250_000)
    point = builders.sales_point("QN-HALONG")
    builders.receive(tea, point, 10)
    order = transfer_order(tea, point, quantity=2)
    post(client, f"/admin/products/{tea.id}/suspend", reason="mẫu kiểm tra không đạt")
    db.session.expire_all()
    assert tea.status == "suspended"
    assert tea.slug not in listed_slugs(client)
    assert found_slugs(client, "che") == []
    assert client.get(f"/p/{tea.slug}").status_code == 404
    # the order placed before keeps its reservation
    assert stock.level(tea.variants[0].id, point.id).reserved == 2
    assert order.status == "awaiting_payment"
    assert inventory.ledger_mismatches() == []
    post(client, f"/admin/products/{tea.id}/reinstate")
    db.session.expire_all()
    assert tea.status == "active" and tea.slug in listed_slugs(client)
    assert found_slugs(client, "che") == [tea.slug]
    assert [a for a, _ in audit_actions()] == ["product.suspended", "product.reinstated"]


def test_suspending_a_producer_suspends_its_products(client, office):
    maker = builders.producer()
    tea = builders.product("Chè", maker=maker)
    rice = builders.product("Gạo", maker=maker)
    other = builders.product("Mật ong")
    post(client, f"/admin/producers/{maker.id}/suspend", reason="giải thể")
    db.session.expire_all()
    assert (maker.status, tea.status, rice.status, other.status) == (
        "suspended", "suspended", "suspended", "active")
    assert listed_slugs(client) == {other.slug}
    with pytest.raises(Conflict):
        registry.reinstate_product(tea, actor_id=None, today=DAY)
    post(client, f"/admin/producers/{maker.id}/reinstate")
    post(client, f"/admin/products/{tea.id}/reinstate")
    db.session.expire_all()
    assert listed_slugs(client) == {other.slug, tea.slug}
    assert [a for a, _ in audit_actions()] == [
        "producer.suspended", "producer.reinstated", "product.reinstated"]


# --- supervision: the expiry notice ---------------------------------------------------------

def test_the_expiry_notice_is_sent_once_per_certificate(client, office, app, monkeypatch):
    monkeypatch.setattr("shop.web.admin.supervision.today", lambda: DAY)
    maker = builders.producer("HTX Chè Hảo Đạt")
    builders.user("owner@example.com", f"producer:{maker.tax_code}")
    helper = builders.user("helper@example.com")
    db.session.add(ProducerMember(user=helper, producer=maker, role="staff"))  # staff are not told
    db.session.commit()
    soon = builders.product("Chè", maker=maker, decision_date=date(2023, 12, 10), today=date(2023, 12, 10))
    later = builders.product("Gạo", maker=maker, decision_date=date(2024, 2, 1), today=date(2024, 2, 1))
    page = client.get("/admin/supervision").get_data(as_text=True)
    assert f'data-certificate="{soon.certificates[0].id}" class="row--todo"' in page   # 18 days left
    assert f'data-certificate="{later.certificates[0].id}"' in page                     # 71 days left
    outbox(app).clear()
    assert post(client, f"/admin/certificates/{soon.certificates[0].id}/notify").status_code == 303
    assert [m["To"] for m in outbox(app)] == ["owner@example.com"]
    assert "10/12/2026" in outbox(app)[0].get_content()
    post(client, f"/admin/certificates/{soon.certificates[0].id}/notify")
    assert len(outbox(app)) == 1
    assert "the expiry notice was already sent" in client.get("/admin/supervision").get_data(as_text=True)
    assert [a for a, _ in audit_actions()] == ["certificate.notice_sent"]


def test_the_command_notifies_what_expires_within_the_days(app, monkeypatch):
    monkeypatch.setattr("shop.commands.today", lambda: DAY)
    maker = builders.producer()
    builders.user("owner@example.com", f"producer:{maker.tax_code}")
    builders.product("Chè", maker=maker, decision_date=date(2023, 12, 10), today=date(2023, 12, 10))
    builders.product("Gạo", maker=maker, decision_date=date(2024, 2, 1), today=date(2024, 2, 1))
    outbox(app).clear()
    first = app.test_cli_runner().invoke(args=["shop", "certificates-due", "--notify"])
    assert first.exit_code == 0, first.output
    assert "notice sent: Chè -> owner@example.com" in first.output
    assert first.output.rstrip().endswith("1 expiry notice(s) sent")
    second = app.test_cli_runner().invoke(args=["shop", "certificates-due", "--notify"])
    assert second.output.rstrip().endswith("0 expiry notice(s) sent")
    assert len(outbox(app)) == 1


# --- quality reports ------------------------------------------------------------------------

def test_a_shopper_reports_a_problem_and_the_office_closes_it(client, login, app):
    tea = builders.product("Chè Tân Cương")
    token = csrf_token(client, f"/p/{tea.slug}/report")
    refused = client.post(f"/p/{tea.slug}/report", data={"csrf_token": token, "kind": "quality",
                                                         "message": "tệ", "email": "not-an-email"})
    assert refused.status_code == 422
    assert db.session.scalar(select(func.count()).select_from(QualityReport)) == 0
    sent = client.post(f"/p/{tea.slug}/report", data={
        "csrf_token": token, "kind": "labelling", "message": "Nhãn không ghi hạn sử dụng.",
        "email": "An@Example.com"})
    assert sent.status_code == 303
    report = db.session.scalar(select(QualityReport))
    assert (report.kind, report.email, report.status) == ("labelling", "An@example.com", "new")
    login(builders.user("office@example.com", "admin"))
    page = client.get("/admin/reports").get_data(as_text=True)
    assert f'data-report="{report.id}" data-status="new"' in page
    post(client, f"/admin/reports/{report.id}", status="closed", resolution="")
    db.session.expire_all()
    assert report.status == "new"  # closing needs what was found
    post(client, f"/admin/reports/{report.id}", status="closed", resolution="Đã yêu cầu chủ thể in lại nhãn")
    db.session.expire_all()
    assert (report.status, report.resolution) == ("closed", "Đã yêu cầu chủ thể in lại nhãn")
    assert audit_actions() == [("report.triaged", f"report:{report.id}")]


# --- sales points and their staff -----------------------------------------------------------

def test_the_office_opens_a_sales_point_and_staffs_it(client, office, login):
    bad = post(client, "/admin/sales-points", code="ha long!", name="", province_code="22")
    assert bad.status_code == 422
    assert db.session.scalar(select(func.count()).select_from(Location)) == 0
    created = post(client, "/admin/sales-points", code="qn-bai-chay", name="OCOP Bãi Cháy",
                   province_code="22", address="1 Hạ Long", opening_hours="8:00–21:00",
                   offers_pickup="1", is_active="1")
    assert created.status_code == 303
    point = db.session.scalar(select(Location).where(Location.code == "QN-BAI-CHAY"))
    assert (point.kind, point.offers_pickup, point.ships_online, point.is_active) == (
        "sales_point", True, False, True)
    wrong_ward = post(client, "/admin/sales-points/QN-BAI-CHAY", name="OCOP Bãi Cháy",
                      province_code="22", ward_code="00004")
    assert wrong_ward.status_code == 422
    seller = builders.user("seller@example.com")
    assert post(client, "/admin/sales-points/QN-BAI-CHAY/staff", email="nobody@example.com",
                role="staff").status_code == 303
    post(client, "/admin/sales-points/QN-BAI-CHAY/staff", email="seller@example.com", role="manager")
    member = seller.sales_point_memberships[0]
    assert (member.location_id, member.role) == (point.id, "manager")
    post(client, f"/admin/sales-points/QN-BAI-CHAY/staff/{member.id}/remove")
    db.session.expire_all()
    assert seller.sales_point_memberships == []
    assert [a for a, _ in audit_actions()] == [
        "sales_point.created", "sales_point.staff_assigned", "sales_point.staff_removed"]


# --- producers ------------------------------------------------------------------------------

def test_register_correct_and_verify_a_producer(client, office):
    form = {"name": "HTX Chè Hảo Đạt", "kind": "cooperative", "tax_code": "4600123456",
            "province_code": "19", "ward_code": "", "address": "Xóm Hồng Thái 2"}
    wrong = post(client, "/admin/producers", **{**form, "tax_code": "12ab"})
    assert wrong.status_code == 422
    assert db.session.scalar(select(func.count()).select_from(Producer)) == 0
    assert post(client, "/admin/producers", **form).status_code == 303
    maker = db.session.scalar(select(Producer))
    assert post(client, f"/admin/producers/{maker.id}/verify").status_code == 303
    db.session.expire_all()
    assert maker.verified_at is None   # no ward yet: the address is incomplete
    ward = db.session.scalar(select(Ward.code).where(Ward.province_code == "19").order_by(Ward.code))
    post(client, f"/admin/producers/{maker.id}", **{**form, "ward_code": ward})
    post(client, f"/admin/producers/{maker.id}/verify")
    db.session.expire_all()
    assert maker.verified_at is not None and maker.verified_by_id == office.id
    post(client, f"/admin/producers/{maker.id}", **{**form, "ward_code": ward, "tax_code": "4600123457"})
    db.session.expire_all()
    assert (maker.tax_code, maker.verified_at) == ("4600123457", None)  # checked again after a change
    assert [a for a, _ in audit_actions()] == [
        "producer.registered", "producer.updated", "producer.verified", "producer.updated"]


def test_the_audit_log_page_lists_the_entries(client, office):
    tea = builders.product("Chè")
    registry.suspend_product(tea, "thử", actor_id=office.id)
    page = client.get("/admin/audit").get_data(as_text=True)
    assert "<code>product.suspended</code>" in page and f"product:{tea.id}" in page
    entry = db.session.scalar(office_entries())
    entry.subject = "changed"
    with pytest.raises(ValueError):
        db.session.flush()
    db.session.rollback()
    assert db.session.scalar(office_entries()).subject == f"product:{tea.id}"
