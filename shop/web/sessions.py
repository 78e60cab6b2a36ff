"""Sessions of signed-in users are kept on the server: their cookie carries a random id (256
bits) and the session itself lives in the store of `shop.accounts.sessions`, so that ending it
there ends it at once on every host. A guest's session (a form's CSRF token, the cart's token)
stays in a signed cookie as Flask keeps it: a visit writes nothing on the server, and no one
can fill the store by sending requests without a cookie.

A server session is written only when it changed (it notes its activity once a minute); one
ended while a request was under way is not brought back by that request.
"""

from __future__ import annotations

import secrets
import time

from flask import Flask, session
from flask.sessions import SecureCookieSessionInterface, SessionMixin
from itsdangerous import BadSignature
from werkzeug.datastructures import CallbackDict

from shop.accounts import sessions as store_module
from shop.web.security import SEEN_AT, SIGNED_IN_AT

ID_LENGTH = 43  # secrets.token_urlsafe(32); a signed guest cookie always holds dots


class ServerSession(CallbackDict, SessionMixin):
    """The session of one request; `sid` is its id on the server, None for a guest's session
    (kept in a signed cookie); `ended` when the browser sent the id of a session that is over."""

    def __init__(self, initial=None, sid: str | None = None, ended: bool = False):
        def on_update(data):
            data.modified = data.accessed = True

        super().__init__(initial, on_update)
        self.sid, self.ended = sid, ended
        self.renewed = self.modified = self.accessed = False

    @property
    def new(self) -> bool:  # type: ignore[override]
        return self.sid is None


def renew() -> None:
    """Give the current session a new id when the response is sent, and end the old one
    (at sign-in: an id someone planted or saw before is worth nothing after it)."""
    session.renewed = True
    session.modified = True


def open_sessions(user_id: int) -> int:
    """How many sessions of the user are open (on every device)."""
    return store_module.store().count(user_id, int(time.time()))


def user_id_of(data) -> int | None:
    """The user a session is signed in as (Flask-Login keeps "<id>.<password fingerprint>")."""
    user_id = str(data.get("_user_id") or "").partition(".")[0]
    return int(user_id) if user_id.isdigit() else None


def expires_at(app: Flask, data, now: int) -> int:
    """A signed-in session ends at its idle or absolute timeout (or, lacking its clock, after
    the session lifetime: the timeouts then sign it out at its next request)."""
    signed_in, seen = data.get(SIGNED_IN_AT), data.get(SEEN_AT)
    if isinstance(signed_in, int) and isinstance(seen, int):
        return min(signed_in + app.config["SESSION_ABSOLUTE_SECONDS"],
                   seen + app.config["SESSION_IDLE_SECONDS"])
    return now + _lifetime(app)


def _lifetime(app: Flask) -> int:
    return int(app.permanent_session_lifetime.total_seconds())


def is_server_id(value: str) -> bool:
    return len(value) == ID_LENGTH and "." not in value


class ServerSessionInterface(SecureCookieSessionInterface):
    def open_session(self, app: Flask, request) -> ServerSession:
        value = request.cookies.get(self.get_cookie_name(app)) or ""
        if is_server_id(value):
            stored = store_module.store().load(store_module.key_of(value), int(time.time()))
            if stored is not None:
                return ServerSession(self.serializer.loads(stored.data), value)
            return ServerSession(ended=True)  # signed out, revoked or expired
        try:
            data = self.get_signing_serializer(app).loads(value, max_age=_lifetime(app)) if value else {}
        except BadSignature:
            data = {}
        return ServerSession(data)

    def save_session(self, app: Flask, session: ServerSession, response) -> None:
        if session.accessed:
            response.vary.add("Cookie")
        if session.sid is not None and (not session or session.renewed or user_id_of(session) is None):
            store_module.store().delete(store_module.key_of(session.sid))  # signed out or renewed
        if not session:
            if session.sid is not None or session.modified or session.ended:
                self._forget(app, response)
            return
        if user_id_of(session) is None:  # a guest: a signed cookie, as Flask keeps it
            if session.sid is not None or session.ended or self.should_set_cookie(app, session):
                self._set(app, response, session, self.get_signing_serializer(app).dumps(dict(session)))
            return
        self._save_on_server(app, session, response)

    def _save_on_server(self, app: Flask, session: ServerSession, response) -> None:
        store, sid = store_module.store(), session.sid
        data, user_id = self.serializer.dumps(dict(session)), user_id_of(session)
        ends = expires_at(app, session, int(time.time()))
        if sid is None or session.renewed:
            sid = secrets.token_urlsafe(32)
            store.create(store_module.key_of(sid), user_id, data, ends)
        elif session.modified and not store.update(store_module.key_of(sid), user_id, data, ends):
            self._forget(app, response)  # ended meanwhile (signed out, revoked): it stays ended
            return
        if sid != session.sid or self.should_set_cookie(app, session):
            self._set(app, response, session, sid)

    def _set(self, app: Flask, response, session: ServerSession, value: str) -> None:
        response.set_cookie(
            self.get_cookie_name(app), value, expires=self.get_expiration_time(app, session),
            httponly=self.get_cookie_httponly(app), domain=self.get_cookie_domain(app),
            path=self.get_cookie_path(app), secure=self.get_cookie_secure(app),
            samesite=self.get_cookie_samesite(app), partitioned=self.get_cookie_partitioned(app))
        response.vary.add("Cookie")

    def _forget(self, app: Flask, response) -> None:
        response.delete_cookie(
            self.get_cookie_name(app), domain=self.get_cookie_domain(app),
            path=self.get_cookie_path(app), secure=self.get_cookie_secure(app),
            samesite=self.get_cookie_samesite(app), httponly=self.get_cookie_httponly(app),
            partitioned=self.get_cookie_partitioned(app))
        response.vary.add("Cookie")


def init_app(app: Flask) -> None:
    store_module.init_app(app)
    app.session_interface = ServerSessionInterface()
