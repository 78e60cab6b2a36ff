"""Listings from the portal: drafts until certified, texts sanitised, prices at once in the shop,
every change kept with who, when, old and new."""

from __future__ import annotations

import pytest

from shop.catalog import listings
from shop.catalog.models import ListingChange, Product, Variant
from shop.errors import Conflict, ValidationError
from shop.extensions import db
from tests.producer.helpers import fresh, page, post


def _history(product_id: int) -> list[tuple[str, str, str, int | None]]:
    fresh()
    return [(c.field, c.old_value, c.new_value, c.actor_id) for c in db.session.scalars(
        db.select(ListingChange).where(ListingChange.product_id == product_id)
        .order_by(ListingChange.id))]


def test_a_new_product_is_a_draft_with_a_sanitised_story(client, shop):
    response = post(client, "/producer/products", {
        "name": "Mật ong bạc hà", "group": "food", "description": "Mật ong cao nguyên",
        "origin_story": '<p>Ong <strong>bạc hà</strong></p><script>alert(1)</script>'
                        '<img src=x onerror=alert(1)>',
        "locality": "Hà Giang", "raw_material_origin": "Đồng Văn"})
    assert response.status_code == 303
    fresh()
    product = db.session.scalar(db.select(Product).where(Product.name == "Mật ong bạc hà"))
    assert response.headers["Location"] == f"/producer/products/{product.id}"
    assert (product.producer_id, product.status, product.origin_story) == (
        shop.producer.id, "draft", "<p>Ong <strong>bạc hà</strong></p>")
    assert client.get(f"/p/{product.slug}").status_code == 404
    assert "Mật ong bạc hà" not in page(client, "/products?lang=en")


def test_a_refused_product_changes_nothing(client, shop):
    before = db.session.scalar(db.select(db.func.count()).select_from(Product))
    response = post(client, "/producer/products", {"name": "Chè Tân Cương", "group": "food"})
    assert response.status_code == 422
    response = post(client, "/producer/products", {"name": "X", "group": "weapons"})
    assert response.status_code == 422
    assert db.session.scalar(db.select(db.func.count()).select_from(Product)) == before


def test_a_price_change_shows_in_the_shop_at_once_and_is_kept(client, shop):
    variant = shop.tea
    product = variant.product
    response = post(client, f"/producer/products/{product.id}/variants/{variant.id}", {
        f"v{variant.id}-label": "Hộp 200 g", f"v{variant.id}-price_vnd": "175000",
        f"v{variant.id}-vat_category": "10_reducible", f"v{variant.id}-weight_g": "250",
        f"v{variant.id}-unit": "", f"v{variant.id}-is_active": "y"})
    assert response.status_code == 303
    assert _history(product.id) == [("price_vnd", "150000", "175000", shop.user.id)]
    fresh()
    assert db.session.get(Variant, variant.id).price_vnd == 175_000
    assert db.session.get(Product, product.id).min_price_vnd == 175_000
    shop_page = page(client, f"/p/{product.slug}")
    assert "₫175,000" in shop_page and "150,000" not in shop_page
    history = page(client, f"/producer/products/{product.id}/history")
    assert "150000" in history and "175000" in history and shop.user.email in history


def test_a_bad_price_is_refused_and_nothing_changes(client, shop):
    variant = shop.tea
    response = post(client, f"/producer/products/{variant.product_id}/variants/{variant.id}", {
        f"v{variant.id}-label": "Hộp mới", f"v{variant.id}-price_vnd": "0",
        f"v{variant.id}-vat_category": "10_reducible", f"v{variant.id}-weight_g": "250"})
    assert response.status_code == 422
    fresh()
    assert (db.session.get(Variant, variant.id).label,
            db.session.get(Variant, variant.id).price_vnd) == ("Hộp 200 g", 150_000)
    assert _history(variant.product_id) == []


def test_text_changes_are_kept_field_by_field(client, shop):
    product = shop.tea.product
    response = post(client, f"/producer/products/{product.id}", {
        "name": "Chè Tân Cương", "group": "beverages", "description": "Chè búp",
        "origin_story": "<p>Đồi chè</p>", "locality": "", "raw_material_origin": ""})
    assert response.status_code == 303
    assert _history(product.id) == [
        ("group", "food", "beverages", shop.user.id),
        ("description", "", "Chè búp", shop.user.id),
        ("origin_story", "", "<p>Đồi chè</p>", shop.user.id)]
    assert "Chè búp" in page(client, f"/p/{product.slug}")


def test_a_new_pack_and_its_sku_rules(client, shop):
    product = shop.tea.product
    form = {"new-sku": "CHE-500", "new-label": "Hộp 500 g", "new-price_vnd": "320000",
            "new-vat_category": "10_reducible", "new-weight_g": "520", "new-unit": "hộp"}
    assert post(client, f"/producer/products/{product.id}/variants", form).status_code == 303
    fresh()
    added = db.session.scalar(db.select(Variant).where(Variant.sku == "CHE-500"))
    assert (added.product_id, added.price_vnd, added.weight_g) == (product.id, 320_000, 520)
    taken = {**form, "new-sku": "GAO-1"}
    assert post(client, f"/producer/products/{product.id}/variants", taken).status_code == 422
    assert db.session.scalar(db.select(db.func.count()).select_from(Variant)) == 3


def test_the_service_refuses_another_products_name_and_unknown_fields(shop):
    product = shop.tea.product
    with pytest.raises(Conflict):
        listings.update_listing(product, actor_id=shop.user.id, name="Gạo nếp")
    db.session.rollback()
    with pytest.raises(ValidationError):
        listings.update_variant(shop.tea, actor_id=None, vat_category="7")
    db.session.rollback()
    with pytest.raises(ValueError):
        listings.update_variant(shop.tea, actor_id=None, sku="NEW")
    db.session.rollback()
    assert _history(product.id) == []


def test_a_draft_becomes_active_when_certified_and_the_portal_warns_before_expiry(client, shop):
    from datetime import timedelta

    from shop.catalog import services as catalog
    from shop.catalog.models import add_months
    from shop.clock import today

    day = today()  # the portal warns against the real calendar

    draft = listings.create_listing(shop.producer, actor_id=None, name="Miến dong", group="food")
    listings.add_listing_variant(draft, actor_id=None, sku="MIEN-1", label="Gói 500 g",
                                 price_vnd=60_000, vat_category="5")
    assert 'data-state="none"' in page(client, "/producer/certificates")
    decided = add_months(day + timedelta(days=45), -36)
    catalog.certify(draft, stars=3, decision_number="9/QĐ", decision_date=decided,
                    issuer_level="province", today=day)
    fresh()
    assert db.session.get(Product, draft.id).status == "active"
    html = page(client, f"/producer/products/{draft.id}")
    assert 'data-certificate-state="expiring"' in html
    days = (add_months(decided, 36) - day).days
    assert f"This certificate ends in {days} days." in html
    assert 'data-state="expiring"' in page(client, "/producer/certificates")
