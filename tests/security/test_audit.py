"""Security-relevant actions land in the audit log, in the transaction that made them."""

from datetime import UTC, datetime

from sqlalchemy import select

from shop.audit.models import AuditEntry
from shop.extensions import db
from shop.inventory import counts
from shop.pos import devices
from tests import builders


def entries(prefix: str) -> list[tuple[str, str, int | None]]:
    rows = db.session.execute(select(AuditEntry.action, AuditEntry.subject, AuditEntry.actor_id)
                              .where(AuditEntry.action.like(f"{prefix}%")).order_by(AuditEntry.id))
    return [tuple(row) for row in rows]


def test_device_tokens_created_and_revoked_are_audited():
    point = builders.sales_point("QN-HALONG")
    manager = builders.user("m@example.com", "staff:QN-HALONG:manager")
    device, token = devices.create_device(point, "Quầy 1", actor_id=manager.id)
    devices.revoke_device(device, actor_id=manager.id)
    subject = f"pos_device:{device.id}"
    assert entries("pos_device.") == [("pos_device.created", subject, manager.id),
                                      ("pos_device.revoked", subject, manager.id)]
    detail = db.session.scalar(select(AuditEntry.details).where(AuditEntry.action == "pos_device.created"))
    assert token not in detail and '"location": "QN-HALONG"' in detail


def test_applying_a_count_is_audited_with_its_adjustments():
    item = builders.product("Chè", sku="CHE-1")
    point = builders.sales_point("QN-HALONG")
    builders.receive(item, point, 5)
    manager = builders.user("m@example.com", "staff:QN-HALONG:manager")
    count_id = "00000000-0000-4000-8000-000000000001"
    _, count = counts.submit_count(point, count_id, datetime.now(UTC), [("CHE-1", 3)], "digest")
    counts.apply_count(count, actor_id=manager.id)
    assert entries("count.") == [("count.applied", f"count:{count_id}", manager.id)]
    detail = db.session.scalar(select(AuditEntry.details).where(AuditEntry.action == "count.applied"))
    assert '"adjustments": {"CHE-1": -2}' in detail


def test_an_account_created_with_a_role_is_audited():
    builders.sales_point("QN-HALONG")
    builders.user("c@example.com")
    builders.user("m@example.com", "staff:QN-HALONG:manager")
    builders.user("a@example.com", "admin")
    assert entries("account.") == [("account.created_with_role", "m@example.com", None),
                                   ("account.created_with_role", "a@example.com", None)]


def test_the_office_sees_sign_ins_in_the_audit_log(client, login):
    login(builders.user("office@example.com", "admin"))
    page = client.get("/admin/audit").get_data(as_text=True)
    assert "<code>sign_in</code>" in page and "office@example.com" in page


def test_a_price_changed_by_the_catalog_import_is_audited(today):
    from shop.catalog.imports import import_catalog
    from tests.catalog.test_imports import GOOD, csv_text

    import_catalog(csv_text(GOOD), today=today)
    import_catalog(csv_text(GOOD), today=today)  # the same file again: no price changed
    import_catalog(csv_text({**GOOD, "price_vnd": "395000"}), today=today)
    db.session.commit()
    assert entries("price.") == [("price.changed", f"variant:{GOOD['sku']}", None)]
    detail = db.session.scalar(select(AuditEntry.details).where(AuditEntry.action == "price.changed"))
    assert '"new_vnd": 395000' in detail and '"old_vnd": 380000' in detail
