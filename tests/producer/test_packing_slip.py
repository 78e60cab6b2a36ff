"""The packing slip: a real PDF of what goes in the parcel, for the producer's own deliveries."""

import io

from pypdf import PdfReader

from shop.payments import services as payments
from tests import builders
from tests.producer.test_orders import order_of, stocked  # noqa: F401 (fixture)


def pdf_text(data: bytes) -> str:
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages).split())


def test_the_packing_slip_lists_the_parcel_and_the_cash_to_collect(client, stocked):  # noqa: F811
    order = order_of(("CHE-1", 2), ("GAO-1", 1))
    [shipment] = order.shipments
    response = client.get(f"/producer/orders/{shipment.id}/packing-slip.pdf")
    assert (response.status_code, response.mimetype) == (200, "application/pdf")
    assert response.data.startswith(b"%PDF-")
    text = pdf_text(response.data)
    assert "PHIẾU ĐÓNG GÓI" in text
    assert f"Đơn hàng: {order.number}" in text
    assert "Người nhận: Nguyễn Văn An · Điện thoại: 0912345678" in text
    assert "Phường Ba Đình" in text and "Thành phố Hà Nội" in text
    assert "CHE-1 Chè Tân Cương" in text and "GAO-1 Gạo nếp" in text
    assert "Tổng số lượng 3" in text
    assert "Thu hộ khi giao hàng (COD): 480.000 ₫" in text


def test_a_paid_order_collects_nothing(client, stocked):  # noqa: F811
    order = order_of(("CHE-1", 1), payment_method="bank_transfer")
    path = f"/producer/orders/{order.shipments[0].id}/packing-slip.pdf"
    assert "Đơn hàng chưa được thanh toán: chưa đóng gói, chưa giao." in pdf_text(client.get(path).data)
    payments.confirm_transfer(order, order.total_vnd, actor_id=None)
    text = pdf_text(client.get(path).data)
    assert "Đơn hàng đã được thanh toán: không thu tiền khi giao." in text
    assert "COD" not in text


def test_another_producers_packing_slip_is_not_found(client, login, stocked):  # noqa: F811
    order = order_of(("CHE-1", 1))
    stranger = builders.product("Mắm tôm", sku="MAM-1").producer
    login(builders.user("other@example.com", f"producer:{stranger.tax_code}"))
    assert client.get(f"/producer/orders/{order.shipments[0].id}/packing-slip.pdf").status_code == 404
