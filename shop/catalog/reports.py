"""Consumers' reports of a problem with a product, and their triage by the program office."""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email

from shop.audit import services as audit
from shop.catalog.models import REPORT_KINDS, REPORT_STATUSES, Product, QualityReport
from shop.database import write_transaction
from shop.errors import ValidationError
from shop.extensions import db

MESSAGE_LENGTH = (10, 2000)


def report_problem(product: Product, *, kind: str, message: str, email: str = "",
                   user_id: int | None = None) -> QualityReport:
    """A shopper tells the program office what is wrong with a product."""
    problems, message, email = {}, (message or "").strip(), (email or "").strip()
    if kind not in REPORT_KINDS:
        problems["kind"] = "one of " + ", ".join(REPORT_KINDS)
    if not MESSAGE_LENGTH[0] <= len(message) <= MESSAGE_LENGTH[1]:
        problems["message"] = f"from {MESSAGE_LENGTH[0]} to {MESSAGE_LENGTH[1]} characters"
    if email:
        try:
            email = validate_email(email, check_deliverability=False).normalized
        except EmailNotValidError:
            problems["email"] = "not an email address"
    if problems:
        raise ValidationError("the report is not complete", problems)
    with write_transaction(db.session):
        report = QualityReport(product=product, kind=kind, message=message, email=email,
                               user_id=user_id)
        db.session.add(report)
    return report


def triage(report: QualityReport, *, status: str, resolution: str, actor_id: int | None) -> None:
    """Move a report along (new -> in review -> closed) with what was found or done."""
    resolution = (resolution or "").strip()
    if status not in REPORT_STATUSES:
        raise ValidationError("unknown status", {"status": "one of " + ", ".join(REPORT_STATUSES)})
    if status == "closed" and not resolution:
        raise ValidationError("say what was found or done", {"resolution": "required to close"})
    with write_transaction(db.session):
        previous = report.status
        report.status, report.resolution, report.handled_by_id = status, resolution, actor_id
        audit.record("report.triaged", actor_id=actor_id, subject=f"report:{report.id}",
                     previous=previous, status=status, resolution=resolution)


def reports(status: str | None = None) -> list[QualityReport]:
    """Reports, those still open first, the newest first within each status."""
    order = db.case({"new": 0, "in_review": 1, "closed": 2}, value=QualityReport.status)
    query = db.select(QualityReport).order_by(order, QualityReport.id.desc())
    if status:
        query = query.where(QualityReport.status == status)
    return list(db.session.scalars(query))
