"""Every model, imported in one place so that Alembic and the app see all tables."""

from shop.accounts.models import (
    PasswordResetToken,
    ProducerInvitation,
    ProducerMember,
    RecoveryCode,
    SalesPointStaff,
    SignInAttempt,
    User,
    WebSession,
)
from shop.audit.models import AuditEntry
from shop.cache.models import CacheGeneration
from shop.catalog.models import (
    Certificate,
    CertificateScan,
    ListingChange,
    Producer,
    Product,
    ProductPhoto,
    QualityReport,
    Variant,
)
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
from shop.invoices.models import Invoice, InvoiceLine, InvoiceSeries, InvoiceSettings
from shop.orders.models import Cart, CartLine, Order, OrderEvent, OrderLine, Shipment
from shop.payments.models import Payment, WebhookEvent
from shop.places.models import FormerProvince, Province, Region, Ward
from shop.pos.models import PosDevice, PosSale, PosSaleLine
from shop.search.models import SearchDocument, SearchPending
from shop.tax.models import VatReduction

__all__ = [
    "AuditEntry", "CacheGeneration", "QualityReport",
    "Certificate", "FormerProvince", "Location", "PosDevice", "PosSale", "PosSaleLine",
    "Producer", "ProducerMember", "Product", "Province", "Region", "SalesPointStaff",
    "StockCount", "StockCountLine", "StockLevel", "StockMovement", "StockReservation",
    "Transfer", "TransferLine", "User", "Variant", "Ward", "Cart", "CartLine", "Order",
    "OrderEvent", "OrderLine", "Shipment", "Payment", "WebhookEvent",
    "Invoice", "InvoiceLine", "InvoiceSeries", "InvoiceSettings",
    "CertificateScan", "ListingChange", "ProducerInvitation", "ProductPhoto",
    "SearchDocument", "SearchPending",
    "PasswordResetToken", "RecoveryCode", "SignInAttempt", "WebSession", "VatReduction",
]
