"""Where cached entries live: this process's memory (embedded default) or Redis (REDIS_URL)."""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict

log = logging.getLogger(__name__)


class LocalStore:
    """A least-recently-used map with a time to live, shared by the threads of one process."""

    def __init__(self, size: int, ttl: int):
        self.size, self.ttl = size, ttl
        self._entries: OrderedDict[str, tuple[float, bytes]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> bytes | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            if entry[0] < time.monotonic():
                del self._entries[key]
                return None
            self._entries.move_to_end(key)
            return entry[1]

    def set(self, key: str, value: bytes) -> None:
        with self._lock:
            self._entries[key] = (time.monotonic() + self.ttl, value)
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


class RedisStore:
    """Entries in Redis with a time to live; an unreachable Redis is a miss, never an error."""

    def __init__(self, url: str, ttl: int, prefix: str = "ocop:page:"):
        import redis

        self.ttl, self.prefix = ttl, prefix
        self.client = redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)

    def get(self, key: str) -> bytes | None:
        try:
            return self.client.get(self.prefix + key)
        except Exception as error:  # any Redis failure: serve from the database
            log.warning("page cache: Redis get failed: %s", error)
            return None

    def set(self, key: str, value: bytes) -> None:
        try:
            self.client.set(self.prefix + key, value, ex=self.ttl)
        except Exception as error:
            log.warning("page cache: Redis set failed: %s", error)

    def clear(self) -> None:
        try:
            for key in self.client.scan_iter(self.prefix + "*"):
                self.client.delete(key)
        except Exception as error:
            log.warning("page cache: Redis clear failed: %s", error)


class NoStore:
    """Caching switched off (PAGE_CACHE=0): every get misses."""

    def get(self, key: str) -> None:
        return None

    def set(self, key: str, value: bytes) -> None:
        pass

    def clear(self) -> None:
        pass
