"""Every model, imported in one place so that Alembic and the app see all tables."""

from shop.accounts.models import (
    PasswordResetToken,
    ProducerMember,
    RecoveryCode,
    SalesPointStaff,
    SignInAttempt,
    User,
)
from shop.audit.models import AuditEntry
from shop.catalog.models import Certificate, Producer, Product, QualityReport, Variant
from shop.inventory.models import (
    Location,
    StockCount,
    StockCountLine,
    StockLevel,
    StockMovement,
    StockReservation,
    Transfer,
    TransferLine,
)
from shop.orders.models import Cart, CartLine, Order, OrderEvent, OrderLine, Shipment
from shop.payments.models import Payment, WebhookEvent
from shop.places.models import FormerProvince, Province, Region, Ward
from shop.pos.models import PosDevice, PosSale, PosSaleLine

__all__ = [
    "AuditEntry", "QualityReport",
    "Certificate", "FormerProvince", "Location", "PosDevice", "PosSale", "PosSaleLine",
    "Producer", "ProducerMember", "Product", "Province", "Region", "SalesPointStaff",
    "StockCount", "StockCountLine", "StockLevel", "StockMovement", "StockReservation",
    "Transfer", "TransferLine", "User", "Variant", "Ward", "Cart", "CartLine", "Order",
    "OrderEvent", "OrderLine", "Shipment", "Payment", "WebhookEvent",
    "PasswordResetToken", "RecoveryCode", "SignInAttempt",
]
