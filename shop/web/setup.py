"""Binding the extensions to the app, template helpers, and error pages."""

from __future__ import annotations

import errno
import logging

from flask import Flask, jsonify, make_response, render_template, request
from flask_babel import get_locale, gettext
from flask_wtf.csrf import CSRFError
from sqlalchemy import exc as sql_errors
from werkzeug.exceptions import HTTPException
from werkzeug.routing import IntegerConverter

from shop import cache
from shop.config import PROJECT_ROOT
from shop.database import configure_engine
from shop.errors import ShopError
from shop.extensions import babel, csrf, db, login_manager, migrate
from shop.money import format_vnd
from shop.web import labels

LANGUAGE_COOKIE = "lang"
log = logging.getLogger(__name__)
DISK_FULL = (errno.ENOSPC, errno.EDQUOT)
RETRY_DATABASE_SECONDS, RETRY_DISK_SECONDS = 5, 60


def select_locale() -> str:
    """Vietnamese unless the visitor chose English (the language form sets a cookie)."""
    choice = request.cookies.get(LANGUAGE_COOKIE, "")
    return choice if choice in ("vi", "en") else "vi"


class RowId(IntegerConverter):
    """`<int:...>` in a route is a row id: 1 to 2**31 - 1, what an INTEGER key holds on
    PostgreSQL, so that a larger number is a 404 instead of an overflow in the database driver."""

    def __init__(self, map, fixed_digits: int = 0, min: int = 1, max: int = 2**31 - 1,
                 signed: bool = False) -> None:
        super().__init__(map, fixed_digits, min, max, signed)


def extensions(app: Flask) -> None:
    app.url_map.converters["int"] = RowId  # before any route is added
    db.init_app(app)
    with app.app_context():
        for engine in db.engines.values():
            configure_engine(engine)
    cache.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"), render_as_batch=True,
                     compare_type=True)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None
    login_manager.session_protection = "strong"

    @login_manager.user_loader
    def load_user(session_id: str):
        from shop.accounts.models import User

        user_id, _, fingerprint = session_id.partition(".")
        user = db.session.get(User, int(user_id)) if user_id.isdigit() else None
        if user is None or not user.is_active or user.password_fingerprint != fingerprint:
            return None  # a changed password ends the sessions signed in with the old one
        return user

    app.jinja_env.filters["vnd"] = lambda amount: format_vnd(int(amount), str(get_locale()))
    app.jinja_env.globals["current_locale"] = lambda: str(get_locale())
    app.jinja_env.globals.update(labels.template_globals())


def security(app: Flask) -> None:
    """Security headers, session timeouts and rate limits (once the blueprints are in)."""
    from shop.web import security as web_security

    web_security.init_app(app)


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.path.startswith("/webhooks/")


def _error(status: int, code: str, message: str, details: dict | None = None):
    if _wants_json():
        body = {"error": {"code": code, "message": message, "details": details or {}}}
        return jsonify(body), status
    return render_template("errors/error.html", status=status, message=message), status


def _unavailable(message: str, retry_after: int, details: dict):
    """503 with Retry-After; the page reads nothing from the database (it may be down)."""
    if _wants_json():
        body = {"error": {"code": "service_unavailable", "message": message, "details": details}}
        response = jsonify(body)
    else:
        response = make_response(render_template("errors/unavailable.html", status=503,
                                                message=message))
    response.status_code = 503
    response.headers["Retry-After"] = str(retry_after)
    return response


def _forget_transaction() -> None:
    try:
        db.session.rollback()
    except Exception:  # the connection is gone: the pool drops it, the next request reconnects
        log.debug("rollback after a database failure failed", exc_info=True)


HTTP_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
              405: "method_not_allowed", 413: "too_large", 429: "rate_limited"}


def error_handlers(app: Flask) -> None:
    @app.errorhandler(ShopError)
    def shop_error(error: ShopError):
        return _error(error.status, error.code, error.message, error.details)

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        message = gettext("Your form expired or was sent from elsewhere. Please try again.")
        return _error(400, "csrf_failed", message)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        messages = {404: gettext("We could not find that page."),
                    403: gettext("You do not have access to this page."),
                    405: gettext("This address does not accept that method."),
                    429: gettext("Too many requests. Please wait a moment and try again.")}
        message = messages.get(error.code, error.description or error.name)
        response = make_response(_error(error.code or 500, HTTP_CODES.get(error.code, "http_error"),
                                        message))
        if error.code == 429:  # a rate limit: when it lets a request through again
            from shop.web.security import retry_after_seconds

            response.headers["Retry-After"] = str(retry_after_seconds())
        return response

    # The database cannot answer now (down, cut off, locked, out of space, its pool taken):
    # the request is refused whole, and the next one connects again.
    @app.errorhandler(sql_errors.OperationalError)
    @app.errorhandler(sql_errors.DisconnectionError)
    @app.errorhandler(sql_errors.TimeoutError)
    def database_unavailable(error):
        log.error("database unavailable during %s %s: %s", request.method, request.path,
                  str(error).splitlines()[0] if str(error) else type(error).__name__)
        _forget_transaction()
        return _unavailable(gettext("The shop cannot reach its database right now. "
                                    "Please try again in a moment."),
                            RETRY_DATABASE_SECONDS, {"retry_after_seconds": RETRY_DATABASE_SECONDS})

    @app.errorhandler(OSError)
    def storage_error(error: OSError):
        if error.errno not in DISK_FULL:
            raise error  # any other OSError is a fault of ours: logged, and the 500 page
        log.critical("disk full during %s %s: %s", request.method, request.path, error)
        _forget_transaction()
        return _unavailable(gettext("The shop's storage is full, so this cannot be done right "
                                    "now. Please try again later."),
                            RETRY_DISK_SECONDS, {"retry_after_seconds": RETRY_DISK_SECONDS})

    @app.errorhandler(500)
    def server_error(error):
        _forget_transaction()
        return _error(500, "server_error",
                      gettext("Something went wrong on our side. Please try again."))
