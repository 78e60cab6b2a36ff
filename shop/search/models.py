"""What search keeps in the database: the retry queue, and the documents of the PostgreSQL backend.

`search_document.tsv` (what matches, weighted) and `exact` (name and places with their
diacritics, for ranking) are `tsvector`s on PostgreSQL (`tsv` with a GIN index, see migration
0005) and plain text on SQLite, where the Whoosh backend serves instead and the table stays empty.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Text
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlalchemy.orm import Mapped, mapped_column

from shop.clock import utcnow
from shop.extensions import db


class SearchDocument(db.Model):
    """One listed product's searchable text (PostgreSQL backend)."""

    __tablename__ = "search_document"
    __table_args__ = (Index("ix_search_document_tsv", "tsv", postgresql_using="gin"),)

    product_id: Mapped[int] = mapped_column(
        ForeignKey("product.id", ondelete="CASCADE"), primary_key=True)
    name: Mapped[str] = mapped_column(Text, default="")
    people: Mapped[str] = mapped_column(Text, default="")
    places: Mapped[str] = mapped_column(Text, default="")
    body: Mapped[str] = mapped_column(Text, default="")
    tsv: Mapped[str | None] = mapped_column(Text().with_variant(TSVECTOR(), "postgresql"))
    exact: Mapped[str | None] = mapped_column(Text().with_variant(TSVECTOR(), "postgresql"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class SearchPending(db.Model):
    """A product whose index update failed; the next refresh or reindex retries it."""

    __tablename__ = "search_pending"

    product_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    attempts: Mapped[int] = mapped_column(default=1)
    last_error: Mapped[str] = mapped_column(Text, default="")
    queued_at: Mapped[datetime] = mapped_column(default=utcnow)
