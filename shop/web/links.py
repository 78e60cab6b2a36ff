"""Links the shop gives out (emails, PDFs, QR codes, the addresses Stripe sends buyers back to)
start with one configured origin, PUBLIC_URL, never with the Host a request happened to name: a
forged Host must not turn a password-reset email into a link to someone else's site. Without
PUBLIC_URL (local runs only; production requires it) the request's own origin is used."""

from __future__ import annotations

from flask import current_app, url_for
from werkzeug.exceptions import SecurityError
from werkzeug.wrappers import Response
from werkzeug.wsgi import get_host


def external_url(endpoint: str, **values) -> str:
    """The absolute address of `endpoint`, to be given out."""
    public = current_app.config.get("PUBLIC_URL")
    if public:
        return public + url_for(endpoint, **values)
    return url_for(endpoint, _external=True, **values)


class TrustedHosts:
    """WSGI middleware: a request naming a host outside TRUSTED_HOSTS gets a plain 400 before
    the app sees it (Flask's own check would let the error page build links from that host)."""

    def __init__(self, app, hosts: list[str]):
        self.app, self.hosts = app, hosts

    def __call__(self, environ, start_response):
        try:
            get_host(environ, self.hosts)
        except SecurityError:
            return Response("Bad Request: unknown host\n", 400, mimetype="text/plain")(
                environ, start_response)
        return self.app(environ, start_response)


def trust_only_configured_hosts(app) -> None:
    """Install the host check when TRUSTED_HOSTS is set (production sets it); call it before
    the proxy fix wraps the app, so that a trusted proxy's X-Forwarded-Host is what is judged."""
    hosts = app.config.get("TRUSTED_HOSTS")
    if hosts:
        app.wsgi_app = TrustedHosts(app.wsgi_app, list(hosts))
