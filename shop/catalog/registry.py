"""The program office's registry: producers, recognition decisions, revocations, suspensions
and the expiry notices of supervision after recognition.

Each function is one use case: it takes the acting admin explicitly, writes an audit entry in
the same transaction as its change, and commits once. What the storefront lists follows at
once, since listing reads `Product.status` and the newest valid certificate; the search index
is told after the commit (`search.refresh`, which logs and queues a failure, never raises).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from shop import search
from shop.accounts.models import ProducerMember, User
from shop.audit import services as audit
from shop.catalog import services as catalog
from shop.catalog.models import Certificate, CertificateScan, Producer, Product
from shop.clock import utcnow
from shop.database import write_transaction
from shop.errors import Conflict, ValidationError
from shop.extensions import db

PRODUCER_FIELDS = ("name", "kind", "tax_code", "province_code", "ward_code", "address")
NOTICE_DAYS = 30


def register_producer(fields: dict, *, actor_id: int | None) -> Producer:
    """A new producer in the registry."""
    with write_transaction(db.session):
        producer = catalog.add_producer(**_producer_fields(fields))
        audit.record("producer.registered", actor_id=actor_id, subject=f"producer:{producer.id}",
                     name=producer.name, tax_code=producer.tax_code)
    return producer


def update_producer(producer: Producer, fields: dict, *, actor_id: int | None) -> dict:
    """Correct a registry entry; returns {field: (old, new)} of what changed. A change of tax
    code, kind or address takes the verification away: it must be checked again."""
    wanted = _producer_fields(fields)
    with write_transaction(db.session):
        catalog.producer_problems(exclude_id=producer.id, **{k: wanted[k] for k in PRODUCER_FIELDS
                                                            if k != "address"})
        changed = {k: (getattr(producer, k), v) for k, v in wanted.items() if getattr(producer, k) != v}
        for name, (_, new) in changed.items():
            setattr(producer, name, new)
        if changed.keys() & {"tax_code", "kind", "province_code", "ward_code", "address"}:
            producer.verified_at = producer.verified_by_id = None
        if changed:
            audit.record("producer.updated", actor_id=actor_id, subject=f"producer:{producer.id}",
                         changes={k: list(v) for k, v in changed.items()})
    if changed.keys() & {"name", "province_code"}:
        search.refresh([p.id for p in producer.products])
    return changed


def _producer_fields(fields: dict) -> dict:
    cleaned = {k: (fields.get(k) or "").strip() for k in PRODUCER_FIELDS}
    return {**cleaned, "ward_code": cleaned["ward_code"] or None}


def verify_producer(producer: Producer, *, actor_id: int | None) -> None:
    """The office checked the tax code, kind and address (ward of the 2025 units) on record."""
    if not producer.ward_code or not producer.address.strip():
        raise ValidationError("the producer's address is incomplete",
                              {"ward_code": "required", "address": "required"})
    with write_transaction(db.session):
        producer.verified_at, producer.verified_by_id = utcnow(), actor_id
        audit.record("producer.verified", actor_id=actor_id, subject=f"producer:{producer.id}",
                     tax_code=producer.tax_code)


def suspend_producer(producer: Producer, reason: str, *, actor_id: int | None) -> list[int]:
    """Take a producer and every product of its on sale off sale; the product ids suspended."""
    reason = _reason(reason)
    if producer.status == "suspended":
        raise Conflict(f"{producer.name} is already suspended")
    with write_transaction(db.session):
        producer.status = "suspended"
        on_sale = [p for p in producer.products if p.status in ("active", "draft")]
        for product in on_sale:
            product.status = "suspended"
        changed = [p.id for p in on_sale]
        audit.record("producer.suspended", actor_id=actor_id, subject=f"producer:{producer.id}",
                     reason=reason, products=changed)
    search.refresh(changed)
    return changed


def reinstate_producer(producer: Producer, *, actor_id: int | None) -> None:
    """The producer may sell again; its products are reinstated one by one."""
    if producer.status != "suspended":
        raise Conflict(f"{producer.name} is not suspended")
    with write_transaction(db.session):
        producer.status = "active"
        audit.record("producer.reinstated", actor_id=actor_id, subject=f"producer:{producer.id}")


def suspend_product(product: Product, reason: str, *, actor_id: int | None) -> None:
    """Off sale at once (listing, search, cart and checkout); what is already sold stays sold:
    no order and no reservation is touched."""
    reason = _reason(reason)
    if product.status == "suspended":
        raise Conflict(f"{product.name} is already suspended")
    with write_transaction(db.session):
        previous, product.status = product.status, "suspended"
        audit.record("product.suspended", actor_id=actor_id, subject=f"product:{product.id}",
                     reason=reason, previous=previous)
    search.refresh([product.id])


def reinstate_product(product: Product, *, actor_id: int | None, today: date) -> str:
    """Back on sale when it holds a valid certificate, else back to draft; the new status."""
    if product.status != "suspended":
        raise Conflict(f"{product.name} is not suspended")
    if product.producer.status == "suspended":
        raise Conflict(f"{product.producer.name} is suspended: reinstate the producer first")
    valid = any(c.is_valid_on(today) for c in product.certificates)
    with write_transaction(db.session):
        product.status = "active" if valid else "draft"
        audit.record("product.reinstated", actor_id=actor_id, subject=f"product:{product.id}",
                     status=product.status)
    search.refresh([product.id])
    return product.status


@dataclass(frozen=True)
class Decision:
    number: str
    day: date
    issuer_level: str
    issuer_name: str


def record_decision(decision: Decision, lines: list[tuple[Product, int]], *,
                    actor_id: int | None, today: date) -> list[Certificate]:
    """One recognition decision listing many products, all or none. A product rated again
    gets its new stars (up or down) and its older certificate is superseded."""
    _check_decision(decision, lines)
    with write_transaction(db.session):
        made = _record_lines(decision, lines, actor_id=actor_id, today=today)
    search.refresh([product.id for product, _ in lines])
    return made


def _check_decision(decision: Decision, lines: list[tuple[Product, int]]) -> None:
    problems = {}
    if not decision.number.strip():
        problems["decision_number"] = "required"
    if not lines:
        problems["lines"] = "name at least one product"
    seen = [product.id for product, _ in lines]
    if len(set(seen)) != len(seen):
        problems["lines"] = "a product is listed twice"
    for product, _ in lines:
        if any(c.decision_number == decision.number.strip() for c in product.certificates):
            problems[f"product:{product.slug}"] = f"decision {decision.number} is already recorded"
    if problems:
        raise ValidationError("the decision is not valid", problems)


def _record_lines(decision: Decision, lines: list[tuple[Product, int]], *, actor_id: int | None,
                  today: date) -> list[Certificate]:
    """Each product's certificate of the decision, audited. Caller commits."""
    made = []
    for product, stars in lines:
        try:
            made.append(catalog.add_certificate(
                product, stars=stars, decision_number=decision.number,
                decision_date=decision.day, issuer_level=decision.issuer_level,
                issuer_name=decision.issuer_name, today=today))
        except ValidationError as error:
            raise ValidationError(f"{product.name}: {error.message}", error.fields) from None
        audit.record("certificate.recorded", actor_id=actor_id, subject=f"product:{product.id}",
                     decision=decision.number, stars=stars)
    return made


def accept_scan(scan: CertificateScan, decision: Decision, stars: int, *, actor_id: int | None,
                today: date) -> Certificate:
    """The scan shows a genuine decision: record it for the scan's product (it becomes the
    product's active certificate, and a draft product goes on sale)."""
    if scan.status != "pending":
        raise Conflict("this scan was already reviewed")
    lines = [(scan.product, stars)]
    _check_decision(decision, lines)
    with write_transaction(db.session):
        certificate = _record_lines(decision, lines, actor_id=actor_id, today=today)[0]
        _close_scan(scan, "accepted", actor_id, certificate_id=certificate.id)
    search.refresh([scan.product_id])
    return certificate


def reject_scan(scan: CertificateScan, reason: str, *, actor_id: int | None) -> None:
    """The scan is not a decision the office can record; the producer sees why."""
    reason = _reason(reason)
    if scan.status != "pending":
        raise Conflict("this scan was already reviewed")
    with write_transaction(db.session):
        _close_scan(scan, "rejected", actor_id, note=reason)


def _close_scan(scan: CertificateScan, status: str, actor_id: int | None, *,
                certificate_id: int | None = None, note: str = "") -> None:
    scan.status, scan.reviewed_by_id, scan.reviewed_at = status, actor_id, utcnow()
    scan.certificate_id, scan.review_note = certificate_id, note
    audit.record(f"certificate.scan_{status}", actor_id=actor_id, subject=f"scan:{scan.id}",
                 product=scan.product_id, certificate=certificate_id, reason=note)


def revoke_certificate(certificate: Certificate, reason: str, *, actor_id: int | None) -> None:
    """Revoke a certificate: its product shows the next valid one, or no badge and leaves the
    certified listing; the verification page says so."""
    reason = _reason(reason)
    if certificate.status == "revoked":
        raise Conflict("the certificate is already revoked")
    with write_transaction(db.session):
        certificate.status, certificate.revoked_reason = "revoked", reason
        product = certificate.product
        catalog.refresh_certification(product)
        audit.record("certificate.revoked", actor_id=actor_id, subject=f"certificate:{certificate.id}",
                     product=product.id, decision=certificate.decision_number, reason=reason)
    search.refresh([certificate.product_id])


def supervision_list(today: date, within_days: int) -> list[Certificate]:
    """Active certificates that expire within `within_days` or have expired, of products not
    archived, the soonest first: what the office supervises."""
    return [c for c in catalog.certificates_due(today, within_days) if c.product.status != "archived"]


def notices_due(today: date, within_days: int = NOTICE_DAYS) -> list[Certificate]:
    """Active certificates of products on sale that expire within the notice period and whose
    producer has not been told yet."""
    return [c for c in catalog.certificates_due(today, within_days)
            if c.notice_sent_at is None and c.valid_until >= today
            and c.product.status in ("active", "draft")]


def mark_notice_sent(certificate: Certificate, *, actor_id: int | None) -> list[str]:
    """Record that the producer is told about the expiry (once per certificate); the owners'
    email addresses to send it to, after the commit."""
    if certificate.notice_sent_at is not None:
        raise Conflict("the expiry notice was already sent for this certificate")
    recipients = owner_emails(certificate.product.producer_id)
    if not recipients:
        raise Conflict(f"{certificate.product.producer.name} has no owner account to notify")
    with write_transaction(db.session):
        certificate.notice_sent_at = utcnow()
        audit.record("certificate.notice_sent", actor_id=actor_id,
                     subject=f"certificate:{certificate.id}", to=recipients,
                     valid_until=certificate.valid_until.isoformat())
    return recipients


def notify_expiry(certificate: Certificate, *, actor_id: int | None) -> list[str]:
    """Send the producer's owners the notice that the certificate expires (once); after the
    commit, as every email. The addresses it went to."""
    from shop import mail

    recipients = mark_notice_sent(certificate, actor_id=actor_id)
    product = certificate.product
    for to in recipients:
        mail.send(to, f"Chứng nhận OCOP sắp hết hạn / OCOP certificate expiring: {product.name}",
                  "certificate_expiring", certificate=certificate, product=product)
    return recipients


def owner_emails(producer_id: int) -> list[str]:
    return list(db.session.scalars(
        select(User.email).join(ProducerMember, ProducerMember.user_id == User.id)
        .where(ProducerMember.producer_id == producer_id, ProducerMember.role == "owner")
        .order_by(User.email)))


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("a reason is required", {"reason": "required"})
    if len(reason) > 300:
        raise ValidationError("the reason is too long", {"reason": "at most 300 characters"})
    return reason
