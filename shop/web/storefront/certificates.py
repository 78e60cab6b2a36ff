import segno
from flask import abort, render_template, request
from markupsafe import Markup

from shop.catalog import verification
from shop.clock import today
from shop.web import links
from shop.web.storefront import bp


@bp.get("/verify")
def verify_search():
    """Look a certificate up by its code or decision number, as printed on a package."""
    query = request.args.get("q", "").strip()
    found = verification.find(query) if query else []
    return render_template("storefront/verify_search.html", query=query, found=found,
                           day=today())


@bp.get("/verify/<code>")
def verify(code: str):
    """Whether a certificate is genuine and valid today, with a QR code of this page."""
    certificate = verification.by_code(code)
    if certificate is None:
        abort(404)
    url = links.external_url("storefront.verify", code=certificate.verify_code)
    qr = Markup(segno.make(url, error="m").svg_inline(scale=4, dark="#1d1d1b"))
    return render_template("storefront/verify.html", certificate=certificate, qr=qr, url=url,
                           verdict=verification.verdict(certificate, today()), day=today())
