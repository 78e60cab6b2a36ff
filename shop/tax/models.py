"""The dated table of VAT reductions: from a day to a day, goods of the category `10_reducible`
are taxed at `percent` instead of 10 (Resolution 204/2025/QH15: 8% from 2025-07-01 to
2026-12-31). Parliaments extend such reductions: the program office changes this table, no
release is needed."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from shop.clock import utcnow
from shop.extensions import db


class VatReduction(db.Model):
    __tablename__ = "vat_reduction"
    __table_args__ = (
        CheckConstraint("ends_on >= starts_on", name="period"),
        CheckConstraint("percent BETWEEN 0 AND 9", name="percent"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    starts_on: Mapped[date] = mapped_column(unique=True)
    ends_on: Mapped[date]
    percent: Mapped[int]  # the reduced rate, 8 for 8%
    # The resolution and decree that grant it, as invoices and statements name them.
    resolution: Mapped[str] = mapped_column(String(120))
    decree: Mapped[str] = mapped_column(String(120), default="")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    def covers(self, day: date) -> bool:
        return self.starts_on <= day <= self.ends_on
