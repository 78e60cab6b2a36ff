"""Sending email: through SMTP when MAIL_SERVER is set, else written to the log (development).

Messages are sent after the transaction that caused them has committed. Tests use the
"memory" backend and read `outbox(app)`.
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
    """Render templates/emails/<template>.txt and send it; a failure is logged, not raised."""
    app = current_app._get_current_object()
    message = EmailMessage()
    message["From"] = app.config["MAIL_FROM"]
    message["To"] = to
    message["Subject"] = subject
    message.set_content(render_template(f"emails/{template}.txt", **context))
    backend = app.config["MAIL_BACKEND"]
    try:
        if backend == "memory":
            outbox(app).append(message)
        elif backend == "smtp":
            _smtp(app.config, message)
        else:
            log.info("email to %s: %s\n%s", to, subject, message.get_content())
    except (OSError, smtplib.SMTPException):
        log.exception("could not send email %r to %s", subject, to)


def _smtp(config, message: EmailMessage) -> None:
    with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=10) as smtp:
        if config["MAIL_USE_TLS"]:
            smtp.starttls()
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        smtp.send_message(message)
