"""The packing slip of a delivery: a PDF to print and put in the parcel."""

from flask import Response

from shop.invoices import pdf
from shop.web.producer import bp
from shop.web.producer.orders import _own_shipment, _places


@bp.get("/orders/<int:shipment_id>/packing-slip.pdf")
def packing_slip(shipment_id: int):
    """What is in the parcel, where it goes, and the cash to collect on delivery."""
    shipment = _own_shipment(shipment_id)
    order = shipment.order
    provinces, wards = _places([order])
    document = pdf.render("producer/orders/packing_slip.html", shipment=shipment, order=order,
                          province=provinces.get(order.province_code),
                          ward=wards.get(order.ward_code),
                          cod_vnd=shipment.subtotal_vnd + shipment.shipping_vnd
                          if order.payment_method == "cod" else None)
    return Response(document, mimetype="application/pdf", headers={
        "Content-Disposition": f'inline; filename="phieu-dong-goi-{order.number}.pdf"'})
