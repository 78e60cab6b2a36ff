"""What the storefront and the API share around orders: settings read from the app's config,
and the things that follow a committed order (the email, the card session)."""

from __future__ import annotations

from flask import current_app, url_for

from shop import mail
from shop.orders.checkout import OrderSettings
from shop.orders.models import Order
from shop.payments import services as payments
from shop.payments import stripe_gateway, vietqr
from shop.web import links


def order_settings() -> OrderSettings:
    config = current_app.config
    return OrderSettings(
        shipping_fee_vnd=config["SHIPPING_FEE_VND"],
        free_shipping_from_vnd=config["FREE_SHIPPING_FROM_VND"],
        card_minutes=config["CARD_PAYMENT_MINUTES"],
        transfer_hours=config["TRANSFER_PAYMENT_HOURS"],
        card_enabled=stripe_settings() is not None)


def stripe_settings() -> stripe_gateway.StripeSettings | None:
    return stripe_gateway.settings_from(current_app.config)


def bank_account() -> vietqr.BankAccount:
    config = current_app.config
    return vietqr.BankAccount(config["BANK_BIN"], config["BANK_ACCOUNT_NUMBER"],
                              config["BANK_ACCOUNT_NAME"])


def order_url(order: Order, *, external: bool = False, **kwargs) -> str:
    """The buyer's page of the order (with its access token); `external` to give it out."""
    build = links.external_url if external else url_for
    return build("storefront.order", number=order.number, token=order.access_token, **kwargs)


def after_placed(order: Order) -> None:
    """The confirmation email (sent after the order is committed)."""
    mail.send(order.email, f"Đơn hàng {order.number} / Order {order.number}", "order_placed",
              order=order, link=order_url(order, external=True))


def card_checkout(order: Order) -> payments.Payment:
    """Start (or find again) the Stripe session of a card order."""
    return payments.start_card_payment(
        order, stripe_settings(),
        success_url=order_url(order, external=True, paid=1),
        cancel_url=order_url(order, external=True))


def payment_view(order: Order) -> dict:
    """What the buyer needs to pay: the card checkout address or the transfer details."""
    view = {"method": order.payment_method, "status": order.payment_status}
    if order.payment_method == "card" and order.status == "awaiting_payment":
        try:
            view["checkout_url"] = card_checkout(order).checkout_url
        except payments.PaymentUnavailable as error:
            view["checkout_url"], view["error"] = None, error.message
    elif order.payment_method == "bank_transfer":
        view.update(payments.transfer_details(order, bank_account()))
        view["qr_svg_url"] = url_for("storefront.order_qr", number=order.number,
                                     token=order.access_token)
    return view


def notify(order: Order, template: str, subject: str, **context) -> None:
    mail.send(order.email, subject, template, order=order, link=order_url(order, external=True),
              **context)
