"""What no field of the shop may hold, and JSON no view should read, is refused at the edge,
before any view runs, on every engine alike.

- A NUL character (U+0000) is never part of a name, an address, a SKU or a search: PostgreSQL
  cannot store it in a text column and its driver fails on it even in a WHERE clause.
- A lone surrogate (U+D800 to U+DFFF) is not a character at all: UTF-8 cannot encode it, so
  neither database driver can send it (nor can an email header). JSON's `"\\ud800"` escape makes
  one; Werkzeug reads paths, queries and forms with replacement characters, but every part of
  a request is checked alike.
- JSON nested deeper than `MAX_JSON_DEPTH` levels: the deepest body the shop reads has six (a
  sync, its sales, a sale, its lines, a line, the line's override), and a deep one reaches
  Python's recursion limit in the parser (a 500 before this guard) or in code that walks it.
- A body sent as JSON that does not parse is a 400 (an empty body is no body).

The path is a 404; anything else is a 422 naming each field ("lines[0].sku", a query
parameter, a header, a form field), in the API's error shape under /api/ and a page elsewhere.
One exception: the sales inside a POS sync are judged one by one by the POS service (a sale
holding such text is `rejected` alone, the others are recorded), so that one bad sale never
blocks a till's whole batch.
"""

from __future__ import annotations

import json
import re

from flask import request
from flask_babel import gettext
from werkzeug.exceptions import BadRequest

from shop.errors import InvalidJson, NotFound, ValidationError

MAX_JSON_DEPTH = 20
BODY_METHODS = ("POST", "PUT", "PATCH", "DELETE")
FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")
UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
NUL_PROBLEM = "must not contain NUL characters"
SURROGATE_PROBLEM = "must not contain lone surrogates (U+D800 to U+DFFF)"
TOO_DEEP = f"JSON nested deeper than {MAX_JSON_DEPTH} levels"


def guard_request() -> None:
    """Refuse the request (NotFound, ValidationError, InvalidJson) before any view reads it."""
    if UNSTORABLE.search(request.path):
        raise NotFound("no such address")
    fields = _texts(request.args.items(multi=True))
    fields.update(_texts(request.headers.items()))
    if request.method in BODY_METHODS and not request.path.startswith("/webhooks/"):
        if request.is_json:
            fields.update(_in_json(_body(), judged_alone=_judged_alone()))
        elif request.mimetype in FORMS:
            fields.update(_texts(request.form.items(multi=True)))
            fields.update(_texts((name, upload.filename or "")
                                 for name, upload in request.files.items(multi=True)))
    if fields:
        raise _refused(fields)


def _refused(fields: dict[str, str]) -> ValidationError:
    return ValidationError(gettext("Some of what was sent cannot be stored (a NUL character, a "
                                   "lone surrogate or JSON nested too deep); nothing was changed."),
                           fields)


def problem(text: str) -> str | None:
    """What makes `text` unstorable, or None."""
    found = UNSTORABLE.search(text)
    if found is None:
        return None
    return NUL_PROBLEM if found.group() == "\x00" else SURROGATE_PROBLEM


def _texts(pairs) -> dict[str, str]:
    """{name: problem} of the (name, value) pairs whose name or value is unstorable."""
    found = {}
    for name, value in pairs:
        wrong = problem(name + value)
        if wrong:
            found[name] = wrong
    return found


def _body():
    """The JSON body, parsed once (views read the same parse); None when there is none."""
    if not request.get_data(cache=True):
        return None
    try:
        return request.get_json()
    except BadRequest:
        raise InvalidJson(gettext("The body is not valid JSON."),
                          {"fields": {"body": _parse_error()}}) from None
    except RecursionError:  # only far past MAX_JSON_DEPTH: the parser ran out of stack
        raise _refused({"body": TOO_DEEP}) from None


def _parse_error() -> str:
    """Where and why the body fails to parse, as the JSON parser says it."""
    try:
        json.loads(request.get_data(cache=True))
    except ValueError as error:  # JSONDecodeError, or bytes that are not UTF-8
        return str(error)
    return "not JSON"


def _judged_alone() -> str | None:
    """The top-level field whose items a view judges one by one: a POS sync's `sales`."""
    return "sales" if request.endpoint == "api.pos_sync" else None


def _in_json(value, judged_alone: str | None = None) -> dict[str, str]:
    """{path: problem} of the strings and keys that are unstorable ("lines[0].sku") and of
    the top-level fields nested too deep. Walked without recursion, whatever the depth. The
    text inside the items of `judged_alone` is left to the view that judges each item."""
    found: dict[str, str] = {}
    pending = [(value, "body", 1, "body")]
    while pending:
        item, path, depth, top = pending.pop()
        if isinstance(item, str):
            wrong = problem(item)
            if wrong and not (judged_alone and path.startswith(f"{judged_alone}[")):
                found[path] = wrong
            continue
        if not isinstance(item, dict | list):
            continue
        if depth > MAX_JSON_DEPTH:
            found[top] = TOO_DEEP
            continue
        for key, child in (item.items() if isinstance(item, dict) else enumerate(item)):
            if isinstance(item, dict):
                child_path = str(key) if path == "body" else f"{path}.{key}"
                wrong = problem(key)
                if wrong and not (judged_alone and child_path.startswith(f"{judged_alone}[")):
                    found[child_path] = wrong
                    continue
            else:
                child_path = f"{path}[{key}]"
            pending.append((child, child_path, depth + 1, child_path if path == "body" else top))
    return found
