"""The program office's use cases on the reductions table: extend or end a reduction, or
record a new one. A change never reaches back: the rate of today and of every day before it
stays as it was, since invoices were issued at it."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select, text

from shop.audit import services as audit
from shop.database import write_transaction
from shop.errors import NotFound, ValidationError
from shop.extensions import db
from shop.tax.models import VatReduction


def change_end(reduction_id: int, *, ends_on: date, resolution: str, actor_id: int | None,
               today: date) -> VatReduction:
    """Move the last day of a reduction (later: extended; earlier: ended sooner)."""
    resolution = " ".join((resolution or "").split())
    with write_transaction(db.session):
        _lock_table()
        reduction = db.session.get(VatReduction, reduction_id)
        if reduction is None:
            raise NotFound("no such VAT reduction")
        problems = _period_problems(reduction.starts_on, ends_on, resolution, reduction.id, today)
        if min(reduction.ends_on, ends_on) < today:
            problems["ends_on"] = "past"
        if problems:
            raise ValidationError("the reduction cannot be changed so", problems,
                                  today=today.isoformat())
        audit.record("tax.reduction_changed", actor_id=actor_id, subject=f"vat_reduction:{reduction.id}",
                     old_ends_on=reduction.ends_on, ends_on=ends_on, resolution=resolution)
        reduction.ends_on, reduction.resolution, reduction.updated_by_id = ends_on, resolution, actor_id
    return reduction


def add(*, starts_on: date, ends_on: date, percent: int, resolution: str, decree: str = "",
        actor_id: int | None, today: date) -> VatReduction:
    """A new reduction, from tomorrow at the earliest."""
    resolution, decree = " ".join((resolution or "").split()), " ".join((decree or "").split())
    with write_transaction(db.session):
        _lock_table()
        problems = _period_problems(starts_on, ends_on, resolution, None, today)
        if starts_on <= today:
            problems["starts_on"] = "past"
        if not isinstance(percent, int) or isinstance(percent, bool) or not 0 <= percent <= 9:
            problems["percent"] = "reduced_percent"
        if len(decree) > 120:
            problems["decree"] = "too_long"
        if problems:
            raise ValidationError("the reduction is not valid", problems, today=today.isoformat())
        reduction = VatReduction(starts_on=starts_on, ends_on=ends_on, percent=percent,
                                 resolution=resolution, decree=decree, updated_by_id=actor_id)
        db.session.add(reduction)
        db.session.flush()
        audit.record("tax.reduction_added", actor_id=actor_id, subject=f"vat_reduction:{reduction.id}",
                     starts_on=starts_on, ends_on=ends_on, percent=percent, resolution=resolution)
    return reduction


def _lock_table() -> None:
    """One change of the table at a time, so that two offices cannot both add overlapping
    reductions (SQLite's writer holds the whole database already)."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("LOCK TABLE vat_reduction IN SHARE ROW EXCLUSIVE MODE"))


FARTHEST_YEARS = 5  # a reduction decided further ahead than this is a typing error


def _period_problems(starts_on: date, ends_on: date, resolution: str, own_id: int | None,
                     today: date) -> dict:
    problems = {}
    if ends_on < starts_on:
        problems["ends_on"] = "before_start"
    elif ends_on.year > today.year + FARTHEST_YEARS:
        problems["ends_on"] = "too_far"
    elif _overlapping(starts_on, ends_on, own_id):
        problems["ends_on"] = "overlap"
    if not 3 <= len(resolution) <= 120:
        problems["resolution"] = "resolution"
    return problems


def _overlapping(starts_on: date, ends_on: date, own_id: int | None) -> bool:
    query = select(VatReduction.id).where(VatReduction.starts_on <= ends_on,
                                          VatReduction.ends_on >= starts_on)
    if own_id is not None:
        query = query.where(VatReduction.id != own_id)
    return db.session.scalar(query.limit(1)) is not None
