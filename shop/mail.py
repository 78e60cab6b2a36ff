"""Sending email: through SMTP when MAIL_SERVER is set, else written to the log.

Messages are sent after the transaction that caused them has committed, so sending never
raises into the request (the order or the reset stands, and a retry would do it twice), and no
message goes without a trace: one that cannot be sent, or that has no server to go to, is a
warning naming its recipient and subject (gunicorn.conf.py sends the app's log to standard
error). The body is logged too outside production, where a developer follows its links; in
production it stays out of the log, since it may hold a reset link. Tests use the "memory"
backend and read `outbox(app)`.
"""

from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage

from flask import current_app, render_template

log = logging.getLogger(__name__)


def outbox(app) -> list[EmailMessage]:
    return app.extensions.setdefault("mail_outbox", [])


def send(to: str, subject: str, template: str, **context) -> None:
    """Render templates/emails/<template>.txt and send it; a failure is logged, never raised."""
    app = current_app._get_current_object()
    try:
        message = _compose(app.config["MAIL_FROM"], to, subject, template, context)
        backend = app.config["MAIL_BACKEND"]
        if backend == "memory":
            outbox(app).append(message)
        elif backend == "smtp":
            _smtp(app.config, message)
        else:
            _to_log(message, body=app.config.get("SHOP_ENV") != "production")
    except _Unsendable as error:  # the server is away or refuses
        log.warning("email to %s NOT sent (%s: %s); subject: %s", to,
                    type(error.__cause__).__name__, error.__cause__, subject)
    except Exception:  # a fault of ours (a template, a header): still not the request's failure
        log.exception("email to %s NOT sent; subject: %s", to, subject)


class _Unsendable(Exception):
    """The mail server could not be reached, or refused the message."""


def _compose(sender: str, to: str, subject: str, template: str, context: dict) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message.set_content(render_template(f"emails/{template}.txt", **context))
    return message


def _to_log(message: EmailMessage, *, body: bool) -> None:
    log.warning("email to %s NOT sent (MAIL_SERVER is not set); subject: %s",
                message["To"], message["Subject"])
    if body:
        log.info("the email to %s:\n%s", message["To"], message.get_content())


def _smtp(config, message: EmailMessage) -> None:
    try:
        with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=10) as smtp:
            if config["MAIL_USE_TLS"]:
                smtp.starttls()
            if config["MAIL_USERNAME"]:
                smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as error:
        raise _Unsendable() from error
