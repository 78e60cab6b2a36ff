"""A bank statement confirms the transfers it shows and lists every other row."""

import io

import pytest
from sqlalchemy import func, select

from shop.audit.models import AuditEntry
from shop.errors import ImportRefused
from shop.extensions import db
from shop.orders.models import Order, OrderEvent
from shop.payments import bank_statement
from tests import builders
from tests.admin.test_transfers import transfer_order
from tests.conftest import csrf_token


@pytest.fixture
def three_orders():
    item = builders.product("Chè", sku="CHE-1", price_vnd=250_000)
    point = builders.sales_point("QN-HALONG")
    builders.receive(item, point, 10)
    return [transfer_order(item, point) for _ in range(3)]


def status_of(number: str) -> tuple[str, str, bool]:
    db.session.expire_all()
    order = db.session.scalar(select(Order).where(Order.number == number))
    return order.status, order.payment_status, order.needs_attention


def statement(*rows: str) -> str:
    return "date,amount_vnd,purpose,reference\n" + "\n".join(rows) + "\n"


def test_each_row_is_matched_by_the_order_number_in_its_purpose(three_orders):
    a, b, c = (o.number for o in three_orders)
    compact = b.replace("-", "")  # some banks drop the dash
    data = statement(f"2026-11-23,250000,{a} Nguyen Van An,FT1",
                     f"23/11/2026,\"200.000\",CK {compact.lower()},FT2",
                     "2026-11-23,90000,tien dien thang 11,FT3",
                     "2026-11-23,-50000,phi dich vu,FT4",
                     "2026-11-23,250000,OC2611-999999,FT5",
                     f"2026-11-24,250000,{a} lan 2,FT6")
    lines = bank_statement.import_statement(data, actor_id=None)
    assert [(line.line, line.order_number, line.outcome) for line in lines] == [
        (2, a, "paid"), (3, b, "flagged"), (4, None, "no_order_number"), (5, None, "not_a_credit"),
        (6, "OC2611-999999", "unknown_order"), (7, a, "already_paid")]
    assert status_of(a) == ("confirmed", "paid", False)
    assert status_of(b) == ("awaiting_payment", "mismatch", True)
    assert status_of(c) == ("awaiting_payment", "unpaid", False)
    assert db.session.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.action == "payment.transfer_received")) == 2


def test_the_same_statement_twice_pays_nothing_twice(three_orders):
    a = three_orders[0].number
    data = statement(f"2026-11-23,250000,{a},FT1")
    assert [line.outcome for line in bank_statement.import_statement(data, actor_id=None)] == ["paid"]
    events = db.session.scalar(select(func.count()).select_from(OrderEvent))
    assert [line.outcome for line in bank_statement.import_statement(data, actor_id=None)] == [
        "already_paid"]
    assert db.session.scalar(select(func.count()).select_from(OrderEvent)) == events


def test_an_unreadable_row_refuses_the_whole_file(three_orders):
    a, b = three_orders[0].number, three_orders[1].number
    data = statement(f"2026-11-23,250000,{a},FT1", f"2026-13-40,250000,{b},FT2",
                     f"2026-11-23,hai tram,{b},FT3")
    with pytest.raises(ImportRefused) as refused:
        bank_statement.import_statement(data, actor_id=None)
    assert refused.value.rows == [
        (3, "expected a date as YYYY-MM-DD or DD/MM/YYYY, found '2026-13-40'"),
        (4, "expected a whole number, found 'hai tram'")]
    assert status_of(a) == ("awaiting_payment", "unpaid", False)
    with pytest.raises(ImportRefused) as missing:
        bank_statement.import_statement("date,amount\n2026-11-23,1\n", actor_id=None)
    assert missing.value.rows == [(1, "missing column(s): amount_vnd, purpose")]


def test_the_office_uploads_a_statement(client, login, three_orders):
    a = three_orders[0].number
    office = login(builders.user("office@example.com", "admin"))
    token = csrf_token(client, "/admin/payments/transfers")
    data = statement(f"2026-11-23,250000,{a},FT1", "2026-11-23,90000,tien dien,FT2")
    response = client.post("/admin/payments/statement", content_type="multipart/form-data", data={
        "csrf_token": token, "statement": (io.BytesIO(data.encode("utf-8-sig")), "sao-ke.csv")})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'data-line="2" data-outcome="paid"' in page
    assert 'data-line="3" data-outcome="no_order_number" class="row--todo"' in page
    assert status_of(a) == ("confirmed", "paid", False)
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "payment.transfer_received"))
    assert (entry.actor_id, entry.subject) == (office.id, f"order:{a}")


def test_a_refused_upload_shows_each_bad_line(client, login, three_orders):
    login(builders.user("office@example.com", "admin"))
    token = csrf_token(client, "/admin/payments/transfers")
    data = statement("yesterday,250000,x,FT1")
    response = client.post("/admin/payments/statement", content_type="multipart/form-data", data={
        "csrf_token": token, "statement": (io.BytesIO(data.encode()), "sao-ke.csv")})
    assert response.status_code == 422
    assert "dòng 2: expected a date as YYYY-MM-DD or DD/MM/YYYY, found &#39;yesterday&#39;" in \
        response.get_data(as_text=True)


def test_the_command_confirms_and_lists(app, three_orders, tmp_path):
    a = three_orders[0].number
    path = tmp_path / "statement.csv"
    path.write_text(statement(f"2026-11-23,250000,{a},FT1", "2026-11-23,90000,tien dien,FT2"))
    result = app.test_cli_runner().invoke(args=["shop", "import-bank-statement", str(path)])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [f"line 2: {a} 250000 paid", "line 3: - 90000 no_order_number",
                                          "1 transfer(s) confirmed, 1 other row(s) listed"]
    path.write_text("date,amount_vnd,purpose\nnope,1,x\n")
    refused = app.test_cli_runner().invoke(args=["shop", "import-bank-statement", str(path)])
    assert refused.exit_code == 1
    assert "line 2: expected a date" in refused.stderr
