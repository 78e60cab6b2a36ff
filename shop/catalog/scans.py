"""Scans of new recognition decisions, sent by producers for the program office to review.

A scan is a PDF (checked by its signature) or a photo (decoded and re-encoded like product
photos); it is stored outside the public media under a server-made name, with status `pending`
until the program office decides.
"""

from __future__ import annotations

import secrets
from datetime import date
from pathlib import Path

from shop.catalog import images, photos
from shop.catalog.models import Certificate, CertificateScan, Product
from shop.errors import ValidationError
from shop.extensions import db

PDF_SIGNATURE = b"%PDF-"
EXPIRY_WARNING_DAYS = 60


def scan_path(media_dir: str | Path, scan: CertificateScan) -> Path:
    suffix = "pdf" if scan.content_type == "application/pdf" else "jpg"
    return Path(media_dir) / "scans" / f"{scan.name}.{suffix}"


def _content(data: bytes, limits: photos.Limits) -> tuple[bytes, str]:
    if data.startswith(PDF_SIGNATURE):
        if len(data) > limits.max_bytes:
            raise ValidationError("the file is too large",
                                  {"scan": f"at most {limits.max_bytes // (1024 * 1024)} MB"})
        return data, "application/pdf"
    try:
        full = images.to_jpeg(photos.read_image(data, limits))
    except ValidationError as error:  # the same problem, named for the scan field
        details = {key: value for key, value in error.details.items() if key != "fields"}
        raise ValidationError(error.message, {"scan": error.fields["photo"]}, **details) from None
    return full, "image/jpeg"


def submit_scan(product: Product, data: bytes, *, actor_id: int | None, media_dir: str,
                limits: photos.Limits, decision_number: str = "", note: str = "") -> CertificateScan:
    """Keep the scan of a new decision for review; nothing about the certificate changes yet."""
    content, content_type = _content(data, limits)
    scan = CertificateScan(product_id=product.id, name=secrets.token_hex(16), content_type=content_type,
                           decision_number=(decision_number or "").strip()[:60],
                           note=(note or "").strip()[:300], uploaded_by_id=actor_id)
    with photos.written({scan_path(media_dir, scan): content}):
        db.session.add(scan)
        db.session.commit()
    return scan


def expiry_state(certificate: Certificate | None, today: date) -> str:
    """'none', 'expired', 'expiring' (within 60 days) or 'valid': what the portal warns about."""
    if certificate is None or certificate.status != "active":
        return "none"
    days = (certificate.valid_until - today).days
    if days < 0:
        return "expired"
    return "expiring" if days <= EXPIRY_WARNING_DAYS else "valid"
