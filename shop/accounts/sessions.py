"""Where browser sessions are kept: a table of the shop's database (the embedded default, shared
by every process and host that uses the same database) or Redis when `REDIS_URL` is set.

The browser holds only a random id; the store keys a session by the id's SHA-256, notes whose
session it is, and can end every session of one user at once: signing out, a new password, a
suspension or a removed role take effect on the next request, on every host.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime

from flask import Flask, current_app
from sqlalchemy import delete, func, insert, select, update

from shop.accounts.models import WebSession
from shop.database import write_intent
from shop.extensions import db


@dataclass(frozen=True)
class Stored:
    """A session as the store gives it back: the serialized data and when it expires (epoch s)."""

    data: str
    expires_at: int


def key_of(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


def _instant(epoch: int) -> datetime:
    return datetime.fromtimestamp(epoch, UTC)


class DatabaseStore:
    """Sessions in the `web_session` table, written on a connection of their own so that a
    session is saved whatever the request did with its own transaction."""

    def load(self, key: str, now: int) -> Stored | None:
        with db.engine.connect() as connection:
            row = connection.execute(select(WebSession.data, WebSession.expires_at)
                                     .where(WebSession.id == key,
                                            WebSession.expires_at > _instant(now))).first()
        return Stored(row.data, int(row.expires_at.timestamp())) if row else None

    def create(self, key: str, user_id: int | None, data: str, expires_at: int) -> None:
        with write_intent(), db.engine.begin() as connection:
            connection.execute(insert(WebSession).values(
                id=key, user_id=user_id, data=data, expires_at=_instant(expires_at)))

    def update(self, key: str, user_id: int | None, data: str, expires_at: int) -> bool:
        """Rewrite a session that still exists; False when it was ended meanwhile (it stays ended)."""
        with write_intent(), db.engine.begin() as connection:
            result = connection.execute(update(WebSession).where(WebSession.id == key).values(
                user_id=user_id, data=data, expires_at=_instant(expires_at)))
        return result.rowcount == 1

    def delete(self, key: str) -> None:
        with write_intent(), db.engine.begin() as connection:
            connection.execute(delete(WebSession).where(WebSession.id == key))

    def end_all(self, user_id: int) -> int:
        with write_intent(), db.engine.begin() as connection:
            return connection.execute(delete(WebSession).where(WebSession.user_id == user_id)).rowcount

    def count(self, user_id: int, now: int) -> int:
        with db.engine.connect() as connection:
            return connection.scalar(select(func.count()).select_from(WebSession).where(
                WebSession.user_id == user_id, WebSession.expires_at > _instant(now)))

    def purge(self, now: int) -> int:
        with write_intent(), db.engine.begin() as connection:
            return connection.execute(delete(WebSession)
                                      .where(WebSession.expires_at <= _instant(now))).rowcount


class RedisStore:
    """Sessions in Redis, each under `<prefix>:session:<key>` with its expiry as the key's own,
    and a set `<prefix>:user-sessions:<user id>` of the keys of each signed-in user."""

    def __init__(self, client, prefix: str, longest: int):
        self.client, self.prefix, self.longest = client, prefix, longest

    def _session(self, key: str) -> str:
        return f"{self.prefix}:session:{key}"

    def _user(self, user_id: int) -> str:
        return f"{self.prefix}:user-sessions:{user_id}"

    def load(self, key: str, now: int) -> Stored | None:
        raw = self.client.get(self._session(key))
        if raw is None:
            return None
        record = json.loads(raw)
        return Stored(record["data"], record["expires_at"]) if record["expires_at"] > now else None

    def _write(self, key: str, user_id: int | None, data: str, expires_at: int, **mode) -> bool:
        ttl = max(1, expires_at - int(datetime.now(UTC).timestamp()))
        value = json.dumps({"user_id": user_id, "data": data, "expires_at": expires_at})
        if not self.client.set(self._session(key), value, ex=ttl, **mode):
            return False
        if user_id is not None:
            pipe = self.client.pipeline()
            pipe.sadd(self._user(user_id), key)
            pipe.expire(self._user(user_id), self.longest)
            pipe.execute()
        return True

    def create(self, key: str, user_id: int | None, data: str, expires_at: int) -> None:
        self._write(key, user_id, data, expires_at, nx=True)

    def update(self, key: str, user_id: int | None, data: str, expires_at: int) -> bool:
        return self._write(key, user_id, data, expires_at, xx=True)  # an ended one stays ended

    def delete(self, key: str) -> None:
        self.client.delete(self._session(key))

    def end_all(self, user_id: int) -> int:
        keys = [k.decode() if isinstance(k, bytes) else k
                for k in self.client.smembers(self._user(user_id))]
        ended = self.client.delete(*[self._session(k) for k in keys]) if keys else 0
        self.client.delete(self._user(user_id))
        return ended

    def count(self, user_id: int, now: int) -> int:
        keys = self.client.smembers(self._user(user_id))
        return sum(1 for k in keys if self.load(k.decode() if isinstance(k, bytes) else k, now))

    def purge(self, now: int) -> int:
        """Nothing to do: Redis drops each session at its expiry, and a user's set of keys
        `longest` seconds after the user's last sign-in (a stale key in it ends nothing)."""
        return 0


def init_app(app: Flask) -> None:
    """Choose the store: Redis when SESSION_STORE is "redis" (the default with REDIS_URL)."""
    kind = app.config["SESSION_STORE"]
    if kind not in ("database", "redis") or (kind == "redis" and not app.config["REDIS_URL"]):
        raise RuntimeError(f"SESSION_STORE must be database, or redis with REDIS_URL set; not {kind!r}")
    if kind == "redis":
        import redis

        client = redis.Redis.from_url(app.config["REDIS_URL"])
        longest = app.config["SESSION_ABSOLUTE_SECONDS"] + app.config["PERMANENT_SESSION_LIFETIME"]
        app.extensions["session_store"] = RedisStore(client, app.config["SESSION_KEY_PREFIX"], longest)
    else:
        app.extensions["session_store"] = DatabaseStore()


def store() -> DatabaseStore | RedisStore:
    return current_app.extensions["session_store"]


def end_all(user_id: int) -> int:
    """End every session of the user, on every host, at once. Call after the commit of the
    change that asks for it; returns how many sessions ended."""
    return store().end_all(user_id)


def purge(now: int | None = None) -> int:
    """Delete the sessions past their expiry; returns how many."""
    return store().purge(int(now if now is not None else datetime.now(UTC).timestamp()))
