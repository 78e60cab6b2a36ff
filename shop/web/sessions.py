"""Sessions kept on the server: the cookie carries a random id (256 bits), the session itself
lives in the store of `shop.accounts.sessions`, so that ending it there ends it everywhere.

A session is written only when it changed (a signed-in one notes its activity once a minute)
or when a guest's is past half its life; a session that was ended while a request was under
way is not brought back by that request.
"""

from __future__ import annotations

import secrets
import time

from flask import Flask, session
from flask.sessions import SessionInterface, SessionMixin, session_json_serializer
from werkzeug.datastructures import CallbackDict

from shop.accounts import sessions as store_module
from shop.web.security import SEEN_AT, SIGNED_IN_AT


class ServerSession(CallbackDict, SessionMixin):
    """The session of one request; `sid` is the browser's id, None for a session not yet stored."""

    def __init__(self, initial=None, sid: str | None = None, expires_at: int | None = None):
        def on_update(data):
            data.modified = data.accessed = True

        super().__init__(initial, on_update)
        self.sid, self.expires_at = sid, expires_at
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
    """A signed-in session ends at its idle or absolute timeout; a guest's after the lifetime."""
    signed_in, seen = data.get(SIGNED_IN_AT), data.get(SEEN_AT)
    if user_id_of(data) is not None and isinstance(signed_in, int) and isinstance(seen, int):
        return min(signed_in + app.config["SESSION_ABSOLUTE_SECONDS"],
                   seen + app.config["SESSION_IDLE_SECONDS"])
    return now + _lifetime(app)


def _lifetime(app: Flask) -> int:
    return int(app.permanent_session_lifetime.total_seconds())


class ServerSessionInterface(SessionInterface):
    serializer = session_json_serializer

    def open_session(self, app: Flask, request) -> ServerSession:
        sid = request.cookies.get(self.get_cookie_name(app)) or ""
        if 20 <= len(sid) <= 100:
            stored = store_module.store().load(store_module.key_of(sid), int(time.time()))
            if stored is not None:
                return ServerSession(self.serializer.loads(stored.data), sid, stored.expires_at)
        return ServerSession()

    def save_session(self, app: Flask, session: ServerSession, response) -> None:
        if session.accessed:
            response.vary.add("Cookie")
        store = store_module.store()
        if not session:
            if session.sid is not None:
                store.delete(store_module.key_of(session.sid))
            if session.sid is not None or session.modified:
                self._forget(app, response)
            return
        now = int(time.time())
        ends = expires_at(app, session, now)
        data, user_id = self.serializer.dumps(dict(session)), user_id_of(session)
        sid = session.sid
        if sid is None or session.renewed:
            if sid is not None:
                store.delete(store_module.key_of(sid))
            sid = secrets.token_urlsafe(32)
            store.create(store_module.key_of(sid), user_id, data, ends)
        elif ((session.modified or self._half_spent(app, session, now))
              and not store.update(store_module.key_of(sid), user_id, data, ends)):
            self._forget(app, response)  # ended meanwhile (signed out, revoked): stays ended
            return
        if sid != session.sid or self.should_set_cookie(app, session):
            response.set_cookie(
                self.get_cookie_name(app), sid, expires=self.get_expiration_time(app, session),
                httponly=self.get_cookie_httponly(app), domain=self.get_cookie_domain(app),
                path=self.get_cookie_path(app), secure=self.get_cookie_secure(app),
                samesite=self.get_cookie_samesite(app), partitioned=self.get_cookie_partitioned(app))
            response.vary.add("Cookie")

    @staticmethod
    def _half_spent(app: Flask, session: ServerSession, now: int) -> bool:
        """A guest's session (a cart, a form's CSRF token) lives on while the guest browses."""
        return user_id_of(session) is None and (session.expires_at or 0) - now < _lifetime(app) // 2

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
