"""Ways to take the database away from a running app for a while, and give it back."""

from __future__ import annotations

import contextlib
import socket
import sqlite3
import threading
from urllib.parse import urlsplit

from sqlalchemy import event
from sqlalchemy.engine import make_url


class TcpProxy:
    """Forwards a local port to `target`. `cut()` drops every connection through it and
    refuses new ones (accepted, then closed at once) until `restore()`: to the app behind it,
    the database server has gone away."""

    def __init__(self, target: tuple[str, int]):
        self.target = target
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self._open = threading.Event()
        self._open.set()
        self._lock = threading.Lock()
        self._sockets: set[socket.socket] = set()
        threading.Thread(target=self._accept, name="db-proxy", daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return  # closed
            if not self._open.is_set():
                client.close()
                continue
            try:
                upstream = socket.create_connection(self.target, timeout=5)
                upstream.settimeout(None)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._sockets |= {client, upstream}
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(source, sink), daemon=True).start()

    def _pipe(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            self._drop(source, sink)

    def _drop(self, *sockets: socket.socket) -> None:
        for sock in sockets:
            with self._lock:
                self._sockets.discard(sock)
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)  # wakes the other pipe's recv
            sock.close()

    def cut(self) -> None:
        self._open.clear()
        with self._lock:
            sockets = list(self._sockets)
        self._drop(*sockets)

    def restore(self) -> None:
        self._open.set()

    def close(self) -> None:
        self.cut()
        self.listener.close()

    def url_through(self, database_url: str) -> str:
        """`database_url` with its host and port replaced by this proxy's."""
        url = make_url(database_url).set(host="127.0.0.1", port=self.port)
        return url.render_as_string(hide_password=False)


def postgres_target(database_url: str) -> tuple[str, int]:
    parts = urlsplit(database_url.replace("postgresql+psycopg", "postgresql", 1))
    return parts.hostname or "127.0.0.1", parts.port or 5432


class SqliteWriteLock:
    """Another process's long write on the same SQLite file: it holds the write lock, so the
    shop's writers wait their busy timeout and fail with "database is locked"."""

    def __init__(self, database_url: str):
        self.path = make_url(database_url).database
        self.connection: sqlite3.Connection | None = None

    def cut(self) -> None:
        self.connection = sqlite3.connect(self.path, isolation_level=None)
        self.connection.execute("BEGIN IMMEDIATE")

    def restore(self) -> None:
        if self.connection is not None:
            self.connection.execute("ROLLBACK")
            self.connection.close()
            self.connection = None


def short_busy_timeout(engine, milliseconds: int = 200) -> None:
    """Writers on this SQLite engine give up after `milliseconds` instead of 30 s."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.execute(f"PRAGMA busy_timeout={milliseconds}")
