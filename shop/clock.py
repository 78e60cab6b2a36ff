"""The shop's notion of now: UTC instants, and calendar days in Vietnam (UTC+7, no DST)."""

from datetime import UTC, date, datetime, timedelta, timezone

VIETNAM = timezone(timedelta(hours=7), "ICT")


def utcnow() -> datetime:
    return datetime.now(UTC)


def today() -> date:
    """Today's date in Vietnam: certificate validity and invoice dates follow it."""
    return datetime.now(VIETNAM).date()
