"""The two engines behind one shape: search, corrections, write, rebuild."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError

from shop.search import postgres_index, whoosh_index
from shop.search.analysis import Plan
from shop.search.documents import Document

BACKENDS = ("whoosh", "postgres")


class Unavailable(Exception):
    """The engine cannot answer now: a Whoosh index missing or damaged (`rebuild` says a
    rebuild from the database will mend it), or the database failing the full-text query."""

    def __init__(self, message: str, rebuild: bool = False):
        super().__init__(message)
        self.rebuild = rebuild


class WhooshBackend:
    def __init__(self, directory: str, timeout: float):
        self.directory, self.timeout = Path(directory), timeout

    def search(self, plan: Plan, limit: int | None = None) -> list[int]:
        try:
            return whoosh_index.search(self.directory, plan, limit)
        except whoosh_index.IndexUnavailable as error:
            raise Unavailable(str(error), rebuild=True) from error

    def corrections(self, plan: Plan) -> dict[str, str]:
        try:
            return whoosh_index.corrections(self.directory, plan)
        except whoosh_index.IndexUnavailable as error:
            raise Unavailable(str(error), rebuild=True) from error

    def version(self) -> str:
        try:
            return whoosh_index.version(self.directory)
        except (whoosh_index.IndexUnavailable, OSError):
            return "unavailable"

    def write(self, docs: Iterable[Document], deleted: Iterable[int]) -> None:
        whoosh_index.write(self.directory, docs, deleted, self.timeout)

    def rebuild(self, docs: Iterable[Document], progress: Callable[[int], None]) -> int:
        return whoosh_index.rebuild(self.directory, docs, self.timeout, progress)


class PostgresBackend:
    def search(self, plan: Plan, limit: int | None = None) -> list[int]:
        try:
            return postgres_index.search(plan, limit)
        except SQLAlchemyError as error:
            raise Unavailable(str(error).splitlines()[0]) from error

    def corrections(self, plan: Plan) -> dict[str, str]:
        try:
            return postgres_index.corrections(plan)
        except SQLAlchemyError as error:
            raise Unavailable(str(error).splitlines()[0]) from error

    def version(self) -> str:
        return ""  # its documents are rows: writing them raises the catalog generation

    def write(self, docs: Iterable[Document], deleted: Iterable[int]) -> None:
        postgres_index.write(docs, deleted)

    def rebuild(self, docs: Iterable[Document], progress: Callable[[int], None]) -> int:
        return postgres_index.rebuild(docs, progress)


def backend(config: Mapping) -> WhooshBackend | PostgresBackend:
    """The engine the settings name (read at each call, never at import)."""
    name = config.get("SEARCH_BACKEND") or "whoosh"
    if name == "postgres":
        return PostgresBackend()
    if name != "whoosh":
        raise ValueError(f"SEARCH_BACKEND must be one of {', '.join(BACKENDS)}, not {name!r}")
    return WhooshBackend(config["SEARCH_INDEX_DIR"], float(config.get("SEARCH_WRITE_TIMEOUT", 10)))
