"""Links the shop gives out start with PUBLIC_URL, whatever Host a request names; in production
a request for a host outside TRUSTED_HOSTS is refused."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from shop import create_app
from shop.mail import outbox
from shop.web import invoicing, ordering
from tests import builders
from tests.conftest import PRODUCTION_SETTINGS, csrf_token
from tests.invoices.helpers import invoices_of, paid_order
from tests.invoices.test_documents import pdf_text
from tests.orders.web import CHECKOUT, TOKEN_INPUT

PUBLIC = "https://ocop.example.vn"
EVIL = "http://evil.example"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def public(app, monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_URL", PUBLIC)
    return app


def post_from(client, base: str, path: str, data: dict):
    token = csrf_token_at(client, base, path)
    return client.post(path, base_url=base, data={**data, "csrf_token": token})


def csrf_token_at(client, base: str, path: str) -> str:
    page = client.get(path, base_url=base).get_data(as_text=True)
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)


def test_a_reset_link_starts_with_the_public_url_whatever_host_was_named(public, client):
    builders.user("an@example.com")
    response = post_from(client, EVIL, "/password/forgot", {"email": "an@example.com"})
    assert response.status_code == 302
    (message,) = outbox(public)
    body = message.get_content()
    assert re.search(r"https://ocop\.example\.vn/password/reset/[A-Za-z0-9_-]{40,}\s", body), body
    assert "evil.example" not in body


def test_without_a_public_url_a_local_run_links_to_its_own_address(app, client):
    builders.user("an@example.com")
    assert client.post("/password/forgot", data={
        "email": "an@example.com", "csrf_token": csrf_token(client, "/password/forgot")}
    ).status_code == 302
    assert "http://localhost/password/reset/" in outbox(app)[0].get_content()


def test_order_emails_stripe_return_addresses_invoice_and_certificate_qr_codes(public, client, market):
    order = paid_order(("CHE-1", 1))
    invoice, = invoices_of(order)
    certificate = market.tea.product.certificates[0]
    with public.test_request_context("/", base_url=EVIL):
        links = [ordering.order_url(order, external=True),
                 ordering.order_url(order, external=True, paid=1),
                 invoicing.verify_url(invoice)]
    assert [link.split("/", 3)[2] for link in links] == ["ocop.example.vn"] * 3
    assert links[0] == f"{PUBLIC}/orders/{order.number}?token={order.access_token}"
    # the invoice's QR code and printed address; the certificate page's QR code
    with public.test_request_context("/", base_url=EVIL):
        printed = pdf_text(invoicing.pdf_response(invoice).get_data())
    assert f"Tra cứu hóa đơn: {PUBLIC}/invoices/verify/{invoice.verify_token}" in printed
    page = client.get(f"/verify/{certificate.verify_code}", base_url=EVIL).get_data(as_text=True)
    assert f"{PUBLIC}/verify/{certificate.verify_code}" in page and "evil.example" not in page


def test_the_order_email_of_a_checkout_sent_to_another_host_links_to_the_public_url(
        public, client, market):
    client.post("/cart/lines", base_url=EVIL, data={
        "sku": "CHE-1", "quantity": "1", "csrf_token": csrf_token_at(client, EVIL, "/")})
    token = TOKEN_INPUT.search(client.get("/checkout", base_url=EVIL).get_data(as_text=True)).group(1)
    response = post_from(client, EVIL, "/checkout", {**CHECKOUT, "checkout_token": token})
    assert response.status_code == 303, response.get_data(as_text=True)[:300]
    (message,) = outbox(public)
    assert f"{PUBLIC}/orders/" in message.get_content()
    assert "evil.example" not in message.get_content()


def test_production_refuses_a_request_for_another_host(database_url, tmp_path):
    shop = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "INSTANCE_PATH": str(tmp_path),
                       "SECRET_KEY": "s" * 40, "TESTING": True, "RATELIMIT_ENABLED": False,
                       "MAIL_BACKEND": "memory", "TRUSTED_HOSTS": ["ocop.example.vn"],
                       "PUBLIC_URL": PUBLIC})
    client = shop.test_client()
    refused = client.get("/verify", base_url=EVIL)
    assert (refused.status_code, refused.get_data(as_text=True)) == (400, "Bad Request: unknown host\n")
    assert client.get("/verify", headers={"Host": "ocop.example.vn.evil.example"}).status_code == 400
    assert client.get("/verify", base_url="https://ocop.example.vn").status_code == 200
    assert client.get("/verify", base_url="https://ocop.example.vn:443").status_code == 200


def test_production_settings_require_a_public_url_and_trust_only_its_host(tmp_path):
    from shop import config

    base = {"SHOP_ENV": "production", "SECRET_KEY": "s" * 40, "INSTANCE_PATH": str(tmp_path)}
    without = {k: v for k, v in PRODUCTION_SETTINGS.items() if k != "PUBLIC_URL"}
    with pytest.raises(RuntimeError, match="PUBLIC_URL must be set"):
        config.load({**base, **without})
    with pytest.raises(RuntimeError, match="PUBLIC_URL must be an origin"):
        config.load({**base, **PRODUCTION_SETTINGS, "PUBLIC_URL": "https://ocop.example.vn/x"})
    settings = config.load({**base, **PRODUCTION_SETTINGS})
    assert (settings["PUBLIC_URL"], settings["TRUSTED_HOSTS"]) == (PUBLIC, ["ocop.example.vn"])
    assert config.load({**base, **PRODUCTION_SETTINGS, "TRUSTED_HOSTS": "a.vn, B.vn"})[
        "TRUSTED_HOSTS"] == ["a.vn", "b.vn"]


def test_no_link_is_built_from_the_request_outside_one_place():
    """Every absolute link goes through shop.web.links.external_url."""
    offenders = [str(path.relative_to(ROOT)) for path in (ROOT / "shop").rglob("*.py")
                 if "_external" in path.read_text() and path.name != "links.py"]
    offenders += [str(path.relative_to(ROOT)) for path in (ROOT / "templates").rglob("*")
                  if path.is_file() and "_external" in path.read_text()]
    assert offenders == []
