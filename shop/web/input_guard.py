"""Text no field of the shop may hold is refused at the edge, before any view reads it.

A NUL character (U+0000) is never part of a name, an address, a SKU or a search: PostgreSQL
cannot store it in a text column and its driver fails on it even in a WHERE clause, so a
request carrying one in its path, query, headers, form or JSON body is answered 404 (path) or
422 naming the field, on every engine alike.
"""

from __future__ import annotations

from flask import request

from shop.errors import NotFound, ValidationError

NUL = "\x00"
PROBLEM = "must not contain NUL characters"


def refuse_nul_characters() -> None:
    if NUL in request.path:
        raise NotFound("no such address")
    fields = {name: PROBLEM for name, value in request.args.items(multi=True) if NUL in name + value}
    fields.update({name: PROBLEM for name, value in request.headers.items() if NUL in value})
    if request.method in ("POST", "PUT", "PATCH") and not request.path.startswith("/webhooks/"):
        if request.is_json:
            fields.update(_in_json(request.get_json(silent=True), "body"))
        elif request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
            fields.update({name: PROBLEM for name, value in request.form.items(multi=True)
                           if NUL in name + value})
    if fields:
        raise ValidationError("the request contains NUL characters; nothing was changed", fields)


def _in_json(value, where: str) -> dict[str, str]:
    """The paths ("lines[0].sku") of the JSON strings and keys that hold a NUL."""
    found: dict[str, str] = {}
    if isinstance(value, str):
        if NUL in value:
            found[where] = PROBLEM
    elif isinstance(value, dict):
        for key, item in value.items():
            path = f"{where}.{key}" if where != "body" else str(key)
            found.update({path: PROBLEM} if NUL in str(key) else _in_json(item, path))
    elif isinstance(value, list):
        for n, item in enumerate(value):
            found.update(_in_json(item, f"{where}[{n}]"))
    return found
