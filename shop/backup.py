"""Backing up and restoring the database: SQLite's online backup API, pg_dump / pg_restore.

A backup is taken while the shop runs. A restore replaces every table; it refuses a file that
is not a backup of this shop at the same schema revision, so a wrong file changes nothing.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.engine import URL, make_url

from shop.errors import ShopError


class BackupError(ShopError):
    code = "backup_failed"


@dataclass(frozen=True)
class PgCommand:
    """A pg_dump or pg_restore call: its arguments and the libpq environment it needs."""

    args: list[str]
    env: dict[str, str]

    def shown(self) -> str:
        """The command as an operator would type it, the password left out."""
        env = " ".join(f"{k}={v}" for k, v in sorted(self.env.items()) if k != "PGPASSWORD")
        password = "PGPASSWORD=... " if "PGPASSWORD" in self.env else ""
        return f"{password}{env} {' '.join(self.args)}".strip()


def default_path(database_url: str, instance: str | Path, now: datetime | None = None) -> Path:
    """instance/backups/shop-<UTC time>.db (SQLite) or .dump (PostgreSQL custom format)."""
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%d-%H%M%S")
    suffix = ".db" if database_url.startswith("sqlite") else ".dump"
    return Path(instance) / "backups" / f"shop-{stamp}{suffix}"


def sqlite_file(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up")
    return Path(url.database)


def backup_sqlite(database_url: str, target: Path) -> int:
    """Copy the live SQLite database into `target` (a consistent snapshot); returns its size."""
    source = sqlite_file(make_url(database_url))
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    live, copy = sqlite3.connect(source), sqlite3.connect(partial)
    try:
        live.backup(copy)
        copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
    finally:
        copy.close()
        live.close()
    os.replace(partial, target)
    return target.stat().st_size


def _revision(connection: sqlite3.Connection) -> str | None:
    try:
        row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.DatabaseError:
        return None
    return row[0] if row else None


def check_sqlite_backup(database_url: str, source: Path) -> str:
    """The schema revision of a backup file fit to restore here; BackupError names what is wrong."""
    if not source.is_file():
        raise BackupError(f"{source}: no such file")
    with source.open("rb") as file:
        if file.read(16) != b"SQLite format 3\x00":
            raise BackupError(f"{source}: not a SQLite database")
    backup = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    live = sqlite3.connect(sqlite_file(make_url(database_url)))
    try:
        if backup.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            raise BackupError(f"{source}: the file is damaged (integrity check failed)")
        revision, current = _revision(backup), _revision(live)
    finally:
        backup.close()
        live.close()
    if revision is None:
        raise BackupError(f"{source}: not a backup of this shop (no schema revision)")
    if revision != current:
        raise BackupError(f"{source}: schema revision {revision}, but the database is at {current}; "
                          "restore into a database at the same revision")
    return revision


def restore_sqlite(database_url: str, source: Path) -> str:
    """Replace the live SQLite database with a checked backup, in one step; returns its revision."""
    revision = check_sqlite_backup(database_url, source)
    backup = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    live = sqlite3.connect(sqlite_file(make_url(database_url)), timeout=30)
    try:
        backup.backup(live)
    finally:
        live.close()
        backup.close()
    return revision


def _libpq(database_url: str) -> tuple[dict[str, str], str]:
    url = make_url(database_url)
    env = {"PGHOST": url.host or "", "PGPORT": str(url.port or ""), "PGUSER": url.username or "",
           "PGPASSWORD": url.password or ""}
    return {k: v for k, v in env.items() if v}, url.database or ""


def pg_dump_command(database_url: str, target: Path) -> PgCommand:
    env, name = _libpq(database_url)
    return PgCommand(["pg_dump", "--format=custom", "--no-owner", "--no-privileges",
                      f"--file={target}", name], env)


def pg_restore_command(database_url: str, source: Path) -> PgCommand:
    env, name = _libpq(database_url)
    return PgCommand(["pg_restore", "--clean", "--if-exists", "--no-owner", "--no-privileges",
                      "--single-transaction", "--exit-on-error", f"--dbname={name}", str(source)], env)


def pg_available(command: PgCommand) -> bool:
    return shutil.which(command.args[0]) is not None


def run_pg(command: PgCommand) -> None:
    """Run pg_dump / pg_restore; BackupError with its message when it fails."""
    result = subprocess.run(command.args, env={**os.environ, **command.env}, capture_output=True,
                            text=True, check=False)
    if result.returncode != 0:
        raise BackupError(f"{command.args[0]} failed: {result.stderr.strip() or result.returncode}")
