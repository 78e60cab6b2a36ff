"""The shop served by real gunicorn (gunicorn.conf.py) in a subprocess, and a small client."""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from shop.config import PROJECT_ROOT

BOOT_SECONDS = 60


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Gunicorn:
    """`gunicorn --config gunicorn.conf.py wsgi:app` with 2 workers on a temporary instance."""

    def __init__(self, database_url: str, instance: Path, workers: int = 2,
                 env: dict[str, str] | None = None):
        self.port = free_port()
        self.log = instance / "gunicorn.log"
        env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": "test-secret",
               "INSTANCE_PATH": str(instance), "SEARCH_INDEX_DIR": str(instance / "search-index"),
               "MEDIA_DIR": str(instance / "media"), "MAIL_BACKEND": "memory",
               "RATELIMIT_ENABLED": "0", "WEB_CONCURRENCY": str(workers),
               "GUNICORN_BIND": f"127.0.0.1:{self.port}", **(env or {})}
        gunicorn = Path(sys.executable).parent / "gunicorn"
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen(
                [str(gunicorn), "--config", "gunicorn.conf.py", "wsgi:app"], cwd=PROJECT_ROOT,
                env=env, stdout=log, stderr=subprocess.STDOUT)
        self.workers_seen: set[int] = set()

    def wait_until_serving(self, workers: int = 2) -> None:
        deadline = time.monotonic() + BOOT_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited:\n{self.log_tail()}")
            if len(self.workers()) >= workers and self.get("/api/v1/products")[0] == 200:
                return
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not serve within {BOOT_SECONDS} s:\n{self.log_tail()}")

    def workers(self) -> list[int]:
        """The live worker processes (children of the master)."""
        children = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == self.process.pid and fields[0] != "Z":
                children.append(int(stat.parent.name))
        self.workers_seen |= set(children)
        return sorted(children)

    def kill_a_worker(self) -> int:
        pid = self.workers()[0]
        os.kill(pid, signal.SIGKILL)
        return pid

    def request(self, method: str, path: str, body=None, headers: dict | None = None):
        """(status, parsed JSON body) or (None, the error) when the connection broke."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {"Content-Type": "application/json", **(headers or {})}
        try:
            connection.request(method, path, body=None if body is None else json.dumps(body),
                               headers=headers)
            response = connection.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException) as error:
            return None, error
        finally:
            connection.close()
        try:
            return response.status, json.loads(data) if data else None
        except ValueError:
            return response.status, data.decode(errors="replace")

    def get(self, path: str, headers: dict | None = None):
        return self.request("GET", path, headers=headers)

    def post(self, path: str, body=None, headers: dict | None = None):
        return self.request("POST", path, body, headers)

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGQUIT)  # quick shutdown: the test is over
            try:
                self.process.wait(timeout=25)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
