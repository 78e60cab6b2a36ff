"""Errors a user can fix, each with a stable code used by the JSON API and the web pages."""

from __future__ import annotations


class ShopError(Exception):
    """Base of every error the shop reports to a user instead of failing."""

    code = "shop_error"
    status = 400

    def __init__(self, message: str, details: dict | None = None):
        super().__init__(message)
        self.message = message
        self.details = details or {}

    def to_dict(self) -> dict:
        return {"error": {"code": self.code, "message": self.message, "details": self.details}}


class NotFound(ShopError):
    code = "not_found"
    status = 404


class ValidationError(ShopError):
    """Bad input; `fields` maps each bad field to what is wrong with it."""

    code = "validation_error"
    status = 422

    def __init__(self, message: str, fields: dict[str, str] | None = None, **details):
        super().__init__(message, {"fields": fields or {}, **details})
        self.fields = fields or {}


class InvalidJson(ShopError):
    """A body sent as JSON that does not parse; `details.fields.body` says where."""

    code = "invalid_json"
    status = 400


class ImportRefused(ShopError):
    """A CSV import with bad rows: nothing was written; `rows` lists (line, reason)."""

    code = "import_refused"
    status = 422

    def __init__(self, rows: list[tuple[int, str]]):
        super().__init__(
            f"{len(rows)} bad row(s); nothing was imported",
            {"rows": [{"line": line, "reason": reason} for line, reason in rows]},
        )
        self.rows = rows


class InsufficientStock(ShopError):
    code = "insufficient_stock"
    status = 409


class IdempotencyConflict(ShopError):
    code = "idempotency_conflict"
    status = 409


class Unauthorized(ShopError):
    code = "unauthorized"
    status = 401


class Forbidden(ShopError):
    code = "forbidden"
    status = 403


class Conflict(ShopError):
    code = "conflict"
    status = 409


class RateLimited(ShopError):
    """Too many tries in a short time (sign-in guessing): wait, then try again."""

    code = "rate_limited"
    status = 429
