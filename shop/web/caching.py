"""Cached storefront pages and API reads, answered with ETags.

What a page shows of the catalog is rendered once per catalog generation, day in Vietnam,
language and address, and kept in the cache store; what belongs to one visitor (the menu of
a signed-in user, flashed messages, CSRF tokens) is rendered on every request around it.
A CSRF token inside the cached part is left as a hole and filled in per request. A guest's
page has nothing else of its own: without a flashed message it is kept whole, header and
footer included, and only its tokens are filled in. The day is
in the key, so no entry outlives a certificate's expiry (certificates end with a day).
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Callable
from urllib.parse import urlencode

from flask import current_app, make_response, render_template, request, session
from flask_babel import get_locale
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

from shop import cache
from shop.clock import today
from shop.database import replica_reads

CSRF_HOLE = "\x1fcsrf-token\x1f"
HTML_CACHE_CONTROL = "private, no-cache"
API_CACHE_CONTROL = "public, no-cache"


def read_mostly(view: Callable) -> Callable:
    """Run the view's reads on the read replica, where DATABASE_REPLICA_URL names one."""

    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        with replica_reads():
            return view(*args, **kwargs)

    return wrapped


# What of the stock a page shows, and so which generations key it beside the catalog's:
LISTED = "listed"  # whether each product is in stock (listings, results, the API's list)
PRODUCT = "product"  # one product's stock everywhere (its page and API read: view arg `slug`)
NO_STOCK = None  # none (the home page)


def page_key(kind: str, *, per_language: bool = True, version: str = "",
             stock: str | None = LISTED) -> str:
    """The cache key of this request's page: read the generations before any data."""
    slug = request.view_args.get("slug") if stock == PRODUCT and request.view_args else None
    values = cache.generations(slug)
    generations = [values.get(cache.CATALOG, 0)]
    if stock is not None:  # any stock write not named by the ledger raises `stock`
        generations += [values.get(cache.STOCK, 0),
                        values.get(cache.PRODUCT if stock == PRODUCT else cache.AVAILABLE, 0)]
    parts = [kind, ".".join(map(str, generations)), version, today().isoformat(),
             str(get_locale()) if per_language else "", request.path,
             urlencode(sorted(request.args.items(multi=True)))]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def fragment(template: str, **context) -> str:
    """Render the cached part of a page, with a hole where each CSRF token goes."""
    return render_template(template, csrf_token=lambda: CSRF_HOLE, **context)


def render_page(page: dict, **context) -> str:
    """The visitor's page around a cached part {"title", "body"}."""
    body = page["body"]
    if CSRF_HOLE in body:
        body = body.replace(CSRF_HOLE, generate_csrf())
    return render_template("storefront/page.html", title=page["title"], body=Markup(body),
                           **context)


def html_page(kind: str | None, build: Callable[[], dict], version: str = "",
              stock: str | None = LISTED, **context):
    """A storefront page whose cached part comes from `build()` on a miss; with an ETag
    private to the visitor's session, and 304 when the browser already holds it.
    `kind` None: not cached. `version`: what else than the catalog the page depends on (the
    search index that ranked a page of results). `stock`: what of the stock the page shows
    (LISTED, PRODUCT or NO_STOCK). A page built with "keep": False (results answered from the database
    while the index is rebuilt) is not kept."""
    if kind is None or not current_app.config.get("PAGE_CACHE", True):
        return render_page(build(), **context)
    key = page_key(kind, version=version, stock=stock)
    flashed = "_flashes" in session  # rendering takes the flashes
    if not flashed and "csrf_token" in session and request.if_none_match.contains(
            _html_etag(key)):
        return _not_modified(_html_etag(key), HTML_CACHE_CONTROL)
    if not flashed and "_user_id" not in session:
        response = make_response(_guest_page(key, build, context))
    else:
        response = make_response(render_page(_cached(key, build), **context))
    if not flashed and "csrf_token" in session:
        response.set_etag(_html_etag(key))
        response.headers["Cache-Control"] = HTML_CACHE_CONTROL
    else:  # a flashed message is shown once, a first visit's token is new: keep no copy
        response.headers["Cache-Control"] = "no-store"
    response.vary.add("Cookie")
    return response


def json_read(kind: str, build: Callable[[], dict], stock: str | None = LISTED):
    """A public JSON read: cached body, an ETag of the key, 304 on If-None-Match."""
    if not current_app.config.get("PAGE_CACHE", True):
        return current_app.json.response(build())
    key = page_key(kind, per_language=False, stock=stock)
    etag = key[:32]
    if request.if_none_match.contains(etag):
        return _not_modified(etag, API_CACHE_CONTROL)
    raw = cache.get(key)
    if raw is None:
        raw = (current_app.json.dumps(build()) + "\n").encode()  # as jsonify writes it
        cache.put(key, raw)
    response = current_app.response_class(raw, mimetype="application/json")
    response.set_etag(etag)
    response.headers["Cache-Control"] = API_CACHE_CONTROL
    return response


def _cached(key: str, build: Callable[[], dict]) -> dict:
    raw = cache.get(key)
    if raw is not None:
        return json.loads(raw)
    page = build()
    if page.get("keep", True):
        cache.put(key, json.dumps(page).encode())
    return page


def _guest_page(key: str, build: Callable[[], dict], context: dict) -> str:
    """The whole page as every guest sees it, with holes for the CSRF tokens."""
    whole = f"{key}:guest"
    raw = cache.get(whole)
    if raw is None:
        page = _cached(key, build)
        raw = render_template("storefront/page.html", title=page["title"], body=Markup(page["body"]),
                              csrf_token=lambda: CSRF_HOLE, **context).encode()
        if page.get("keep", True):
            cache.put(whole, raw)
    html = raw.decode()
    return html.replace(CSRF_HOLE, generate_csrf()) if CSRF_HOLE in html else html


def _html_etag(key: str) -> str:
    """The page's key and what the visitor's own parts depend on: who is signed in (and
    with which password), their CSRF token."""
    mine = f"{key}\n{session.get('_user_id', '')}\n{session.get('csrf_token', '')}"
    return hashlib.sha256(mine.encode()).hexdigest()[:32]


def _not_modified(etag: str, cache_control: str):
    response = current_app.response_class(status=304)
    response.set_etag(etag)
    response.headers["Cache-Control"] = cache_control
    if cache_control == HTML_CACHE_CONTROL:
        response.vary.add("Cookie")
    return response
