"""Security headers on every kind of response, and templates that need no inline code."""

import re
from pathlib import Path

import pytest

from shop.web import security
from tests import builders

TEMPLATES = Path(__file__).parent.parent.parent / "templates"


def directives(response) -> dict[str, str]:
    policy = response.headers["Content-Security-Policy"]
    return {part.split()[0]: part.strip() for part in policy.split(";") if part.strip()}


@pytest.mark.parametrize("path", ["/", "/products", "/login", "/api/v1/products",
                                  "/static/css/shop.css", "/no-such-page", "/api/v1/nope"])
def test_every_response_has_the_security_headers(client, path):
    response = client.get(path)
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Frame-Options"] == "DENY"
    policy = directives(response)
    assert policy["frame-ancestors"] == "frame-ancestors 'none'"
    assert policy["script-src"] == "script-src 'self'"
    assert policy["style-src"] == "style-src 'self'"
    assert policy["object-src"] == "object-src 'none'"
    assert policy["base-uri"] == "base-uri 'none'"
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"]


def test_forms_may_go_to_stripe_checkout_and_nowhere_else(client, app):
    policy = directives(client.get("/"))
    assert policy["form-action"] == f"form-action 'self' {security.STRIPE_CHECKOUT}"
    app.config["STRIPE_API_BASE"] = "http://127.0.0.1:4567/v1"
    try:
        policy = directives(client.get("/"))
    finally:
        app.config["STRIPE_API_BASE"] = None
    assert policy["form-action"] == f"form-action 'self' {security.STRIPE_CHECKOUT} http://127.0.0.1:4567"


def test_hsts_only_over_https(client):
    assert "Strict-Transport-Security" not in client.get("/").headers
    secure = client.get("/", base_url="https://localhost")
    assert secure.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_signed_in_pages_carry_the_headers_too(client, login):
    login(builders.user())
    response = client.get("/account")
    assert response.status_code == 200
    assert directives(response)["frame-ancestors"] == "frame-ancestors 'none'"


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)
INLINE_STYLE = re.compile(r"<style\b|\sstyle=", re.I)
INLINE_HANDLER = re.compile(r"\son[a-z]+\s*=\s*[\"']", re.I)


# Documents (invoices, statements, packing slips) are rendered to PDF by WeasyPrint, never
# served as pages: they carry their stylesheet inline, and no browser applies the CSP to them.
DOCUMENT_STYLE = '{% include "invoices/_document.css" %}'
PAGES = sorted(p.relative_to(TEMPLATES).as_posix() for p in TEMPLATES.rglob("*.html")
               if DOCUMENT_STYLE not in p.read_text(encoding="utf-8"))


def test_the_pdf_documents_are_the_only_templates_left_out():
    every = {p.relative_to(TEMPLATES).as_posix() for p in TEMPLATES.rglob("*.html")}
    assert every - set(PAGES) == {"invoices/invoice.html", "invoices/statement.html",
                                  "producer/orders/packing_slip.html"}


@pytest.mark.parametrize("template", PAGES)
def test_templates_need_no_inline_script_or_style(template):
    text = (TEMPLATES / template).read_text(encoding="utf-8")
    assert not INLINE_SCRIPT.search(text), "inline <script>: move it to static/js"
    assert not INLINE_STYLE.search(text), "inline style: move it to static/css"
    assert not INLINE_HANDLER.search(text), "inline event handler: use addEventListener"
    assert "javascript:" not in text
