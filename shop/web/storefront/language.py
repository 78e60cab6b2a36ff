from urllib.parse import urlsplit

from flask import redirect, request

from shop.web.setup import LANGUAGE_COOKIE
from shop.web.storefront import bp


@bp.post("/language")
def set_language():
    """Remember the visitor's language (vi or en) and go back to the page they were on."""
    choice = request.form.get("lang", "vi")
    target = request.form.get("next") or "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or "\\" in target:
        target = "/"
    response = redirect(target)
    response.set_cookie(LANGUAGE_COOKIE, choice if choice in ("vi", "en") else "vi",
                        max_age=365 * 24 * 3600, samesite="Lax", httponly=True,
                        secure=request.is_secure)
    return response
