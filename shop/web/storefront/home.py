from flask_babel import gettext

from shop.catalog import queries
from shop.clock import today
from shop.places import services as places
from shop.web import caching
from shop.web.storefront import bp


@bp.get("/")
@caching.read_mostly
def home():
    """Five-star products first, then ways to browse by group and region."""
    return caching.html_page("home", lambda: {"title": gettext("OCOP Market"), "body": caching.fragment(
        "storefront/home_body.html", sections=queries.home_sections(today()),
        regions=places.regions())}, stock=caching.NO_STOCK)  # its cards show none
