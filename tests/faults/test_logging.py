"""The app's log under real gunicorn (gunicorn.conf.py): INFO and up on standard error, each
line naming its time, level and logger; an email that is not sent leaves a warning with its
recipient and subject, whether no MAIL_SERVER is set or sending fails."""

from __future__ import annotations

import logging
import re
from types import SimpleNamespace

import pytest

from shop import mail
from tests import builders
from tests.faults.served import Gunicorn, free_port
from tests.orders.builders import DELIVERY

LINE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d{4} (?P<level>[A-Z]+) (?P<logger>[\w.]+) "
                  r"\[\d+\] (?P<message>.*)$", re.MULTILINE)


@pytest.fixture
def goods():
    item = builders.product("Chè Tân Cương", sku="CHE-1", price_vnd=100_000)
    builders.receive(item, builders.warehouse(item.producer), 10)


def served(database_url, instance, **env) -> Gunicorn:
    server = Gunicorn(database_url, instance, workers=1, env={"MAIL_BACKEND": "", **env})
    server.wait_until_serving(workers=1)
    return server


def place_order(server: Gunicorn) -> str:
    status, cart = server.post("/api/v1/carts")
    assert status == 201, cart
    status, body = server.post(f"/api/v1/carts/{cart['id']}/lines", {"sku": "CHE-1", "quantity": 1})
    assert status == 200, body
    status, body = server.post(f"/api/v1/carts/{cart['id']}/checkout", DELIVERY)
    assert status == 201, body  # the order stands whatever becomes of its email
    return body["order"]["number"]


def lines(server: Gunicorn) -> list[dict]:
    return [match.groupdict() for match in LINE.finditer(server.log.read_text(errors="replace"))]


def test_without_a_mail_server_an_email_is_a_warning_in_the_log(database_url, tmp_path, goods):
    server = served(database_url, tmp_path)
    try:
        number = place_order(server)
    finally:
        server.stop()
    logged = lines(server)
    assert {"level": "WARNING", "logger": "shop.mail",
            "message": f"email to {DELIVERY['email']} NOT sent (MAIL_SERVER is not set); "
                       f"subject: Đơn hàng {number} / Order {number}"} in logged, server.log_tail()
    # INFO reaches the log too: outside production the body follows, for the developer.
    assert {"level": "INFO", "logger": "shop.mail",
            "message": f"the email to {DELIVERY['email']}:"} in logged
    assert any(line["logger"] == "gunicorn.error" for line in logged)


def test_an_email_that_cannot_be_sent_is_a_warning_in_the_log(database_url, tmp_path, goods):
    closed = free_port()  # nothing listens there: the connection is refused
    server = served(database_url, tmp_path, MAIL_SERVER="127.0.0.1", MAIL_PORT=str(closed),
                    MAIL_USE_TLS="0", SHOP_ENV="development")
    try:
        number = place_order(server)
    finally:
        server.stop()
    warnings = [line["message"] for line in lines(server)
                if (line["level"], line["logger"]) == ("WARNING", "shop.mail")]
    assert warnings == [f"email to {DELIVERY['email']} NOT sent (ConnectionRefusedError: [Errno 111] "
                        f"Connection refused); subject: Đơn hàng {number} / Order {number}"], \
        server.log_tail()


# --- in process: what each way of not sending writes --------------------------------------------

RESET = {"user": SimpleNamespace(name="An", email="an@example.com"), "minutes": 60,
         "link": "https://ocop.example.vn/reset/SECRET-TOKEN"}


def test_in_production_the_body_of_an_unsent_email_stays_out_of_the_log(app, monkeypatch, caplog):
    monkeypatch.setitem(app.config, "MAIL_BACKEND", "console")
    monkeypatch.setitem(app.config, "SHOP_ENV", "production")
    caplog.set_level(logging.INFO, logger="shop.mail")
    with app.test_request_context():
        mail.send("an@example.com", "Đặt lại mật khẩu", "password_reset", **RESET)
    assert [(r.levelname, r.getMessage()) for r in caplog.records] == [
        ("WARNING", "email to an@example.com NOT sent (MAIL_SERVER is not set); "
                    "subject: Đặt lại mật khẩu")]
    assert "SECRET-TOKEN" not in caplog.text


def test_an_email_that_cannot_be_made_is_logged_not_raised(app, monkeypatch, caplog):
    """It is sent after the commit: raising would turn a done order into a 500 and a retry."""
    caplog.set_level(logging.INFO, logger="shop.mail")
    with app.test_request_context():
        mail.send("an@example.com", "Hai\ndòng", "password_reset", **RESET)
        mail.send("an@example.com", "Không có mẫu", "no_such_template")
    assert [(r.levelname, r.getMessage()) for r in caplog.records] == [
        ("ERROR", "email to an@example.com NOT sent; subject: Hai\ndòng"),
        ("ERROR", "email to an@example.com NOT sent; subject: Không có mẫu")]
    assert mail.outbox(app) == []
