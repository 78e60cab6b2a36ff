"""Every model, imported in one place so that Alembic and the app see all tables."""

from shop.accounts.models import ProducerMember, SalesPointStaff, User
from shop.catalog.models import Certificate, Producer, Product, Variant
from shop.inventory.models import Location, StockLevel, StockMovement
from shop.places.models import FormerProvince, Province, Region, Ward

__all__ = [
    "Certificate", "FormerProvince", "Location", "Producer", "ProducerMember", "Product",
    "Province", "Region", "SalesPointStaff", "StockLevel", "StockMovement", "User", "Variant",
    "Ward",
]
