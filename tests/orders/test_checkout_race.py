"""The same checkout form sent by two tabs at the same instant, against the served app.

Sent one after the other, the second send finds the first order (test_checkout_pages). Sent
at once, every send but one used to pass place_order's idempotency check before the first
committed and fail on the unique key (sqlite3.IntegrityError: UNIQUE constraint failed:
customer_order.idempotency_key, a 500); place_order now looks the key up again under the
write lock and answers the order that won.
"""

from __future__ import annotations

import http.client
import re
import threading
from urllib.parse import urlencode, urlsplit

import pytest
from sqlalchemy import func, select
from werkzeug.serving import make_server

from shop.extensions import db
from shop.orders.models import Order
from tests.orders.web import CHECKOUT

SENDS = 4


@pytest.fixture
def served(app):
    """The app served from a thread with several request threads, as in production."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


class Browser:
    """A few requests with one cookie jar (the session cookie), never following redirects."""

    def __init__(self, base: str):
        parts = urlsplit(base)
        self.host, self.port, self.cookies = parts.hostname, parts.port, {}

    def request(self, method: str, path: str, form: dict | None = None) -> tuple[int, dict, str]:
        connection = http.client.HTTPConnection(self.host, self.port, timeout=30)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        text = response.read().decode()
        for cookie in response.msg.get_all("Set-Cookie") or []:
            name, _, value = cookie.split(";", 1)[0].partition("=")
            if value:
                self.cookies[name] = value
            else:
                self.cookies.pop(name, None)
        connection.close()
        return response.status, dict(response.getheaders()), text


def test_two_tabs_sending_the_same_form_at_once_get_the_same_order(served, market):
    browser = Browser(served)
    _, _, home = browser.request("GET", "/")
    csrf = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', home).group(1)
    browser.request("POST", "/cart/lines", {"csrf_token": csrf, "sku": "CHE-1", "quantity": "1"})
    _, _, page = browser.request("GET", "/checkout")
    token = re.search(r'name="checkout_token" value="([^"]+)"', page).group(1)
    form = {**CHECKOUT, "csrf_token": csrf, "checkout_token": token}

    start, answers = threading.Barrier(SENDS), []

    def send():
        start.wait()
        status, headers, _ = browser.request("POST", "/checkout", form)
        answers.append((status, headers.get("Location")))

    threads = [threading.Thread(target=send) for _ in range(SENDS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Order)) == 1
    assert len({location for _, location in answers}) == 1 and {s for s, _ in answers} == {303}, answers
