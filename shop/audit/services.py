"""Writing and reading the audit log."""

from __future__ import annotations

import json

from shop.audit.models import AuditEntry
from shop.extensions import db


def record(action: str, *, actor_id: int | None, subject: str = "", **details) -> AuditEntry:
    """Add one entry to the log, in the transaction of the action it records. Caller commits."""
    entry = AuditEntry(action=action, actor_id=actor_id, subject=subject,
                       details=json.dumps(details, ensure_ascii=False, sort_keys=True, default=str))
    db.session.add(entry)
    return entry


def entries(*, page: int = 1, per_page: int = 50, action: str | None = None):
    """The newest entries first, optionally of one action."""
    query = db.select(AuditEntry).order_by(AuditEntry.id.desc())
    if action:
        query = query.where(AuditEntry.action == action)
    return db.paginate(query, page=page, per_page=per_page, error_out=False)
