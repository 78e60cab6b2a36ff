from flask import render_template

from shop.catalog import queries
from shop.clock import today
from shop.places import services as places
from shop.web.storefront import bp


@bp.get("/")
def home():
    """Five-star products first, then ways to browse by group and region."""
    return render_template("storefront/home.html", sections=queries.home_sections(today()),
                           regions=places.regions())
