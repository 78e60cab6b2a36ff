"""Photo uploads: real images only (by content), size-limited, re-encoded under server-made
names, with thumbnails the shop's pages show; refused uploads leave nothing behind."""

from __future__ import annotations

import io
import os
from collections import namedtuple

import pytest
from flask import current_app
from PIL import Image

from shop.catalog import photos
from shop.catalog.models import ListingChange, Product, ProductPhoto
from shop.errors import ValidationError
from shop.extensions import db
from tests.conftest import csrf_token
from tests.producer.helpers import fresh, page, post
from tests.producer.images import image_bytes, upload

Stored = namedtuple("Stored", "id name")


def _upload(client, product_id: int, data: bytes, name: str = "photo.jpg"):
    return client.post(f"/producer/products/{product_id}/photos", data={
        "photo": upload(data, name), "csrf_token": csrf_token(client, "/")},
        content_type="multipart/form-data")


def _stored() -> set[str]:
    folder = os.path.join(current_app.config["MEDIA_DIR"], "photos")
    return set(os.listdir(folder)) if os.path.isdir(folder) else set()


def _photos(product_id: int) -> list[ProductPhoto]:
    fresh()
    return list(db.session.scalars(db.select(ProductPhoto).where(
        ProductPhoto.product_id == product_id).order_by(ProductPhoto.position)))


def test_a_real_photo_is_re_encoded_with_a_thumbnail_shown_in_the_shop(client, shop):
    product = shop.tea.product
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"  # camera maker: metadata that must not survive
    data = image_bytes((2400, 1800), "JPEG", exif=exif.tobytes())
    before = _stored()
    response = _upload(client, product.id, data, "../../etc/passwd.jpg")
    assert response.status_code == 303
    [photo] = _photos(product.id)
    assert len(photo.name) == 32 and (photo.width, photo.height) == (1600, 1200)
    assert _stored() - before == {f"{photo.name}.jpg", f"{photo.name}-thumb.jpg"}
    full = client.get(f"/media/photos/{photo.name}.jpg")
    thumb = client.get(f"/media/photos/{photo.name}-thumb.jpg")
    assert (full.status_code, full.mimetype, thumb.status_code) == (200, "image/jpeg", 200)
    assert Image.open(io.BytesIO(thumb.data)).size == photos.THUMB_SIZE
    stored = Image.open(io.BytesIO(full.data))
    assert stored.format == "JPEG" and 0x010F not in stored.getexif()
    assert full.data != data
    fresh()
    assert db.session.get(Product, product.id).main_photo == photo.name
    assert f"/media/photos/{photo.name}-thumb.jpg" in page(client, "/products")
    assert f"/media/photos/{photo.name}-thumb.jpg" in page(client, f"/p/{product.slug}")
    assert f"/media/photos/{photo.name}-thumb.jpg" in page(client, f"/producer/products/{product.id}")


@pytest.mark.parametrize("data, name", [
    (b"just some text, not a picture\n" * 20, "notes.jpg"),
    (b"GIF89a" + b"\x00" * 100, "fake.png"),
    (b"%PDF-1.4 a document", "doc.jpg"),
], ids=["text renamed .jpg", "broken header", "pdf renamed .jpg"])
def test_files_that_are_not_images_are_refused(client, shop, data, name):
    product = shop.tea.product
    before = _stored()
    response = _upload(client, product.id, data, name)
    assert response.status_code == 422
    assert "This file is not a JPEG, PNG or WebP image." in response.get_data(as_text=True)
    assert _photos(product.id) == [] and _stored() == before


def test_an_oversized_file_is_refused(client, shop, app):
    product = shop.tea.product
    limit = app.config["PHOTO_MAX_BYTES"]
    app.config["PHOTO_MAX_BYTES"] = 50_000
    try:
        noisy = Image.frombytes("RGB", (400, 400), os.urandom(400 * 400 * 3))
        out = io.BytesIO()
        noisy.save(out, "PNG")
        assert len(out.getvalue()) > 50_000
        response = _upload(client, product.id, out.getvalue(), "big.png")
    finally:
        app.config["PHOTO_MAX_BYTES"] = limit
    assert response.status_code == 422
    assert "The file is too large." in response.get_data(as_text=True)
    assert _photos(product.id) == []


def test_a_decompression_bomb_is_refused_before_it_is_decoded(client, shop):
    product = shop.tea.product
    bomb = image_bytes((12_000, 12_000), "PNG", color=(0, 0, 0), optimize=True)
    assert len(bomb) < 1_000_000  # 144 million pixels in a small file
    before = _stored()
    response = _upload(client, product.id, bomb, "bomb.png")
    assert response.status_code == 422
    assert "This image has too many pixels." in response.get_data(as_text=True)
    assert _photos(product.id) == [] and _stored() == before


def test_read_image_checks_pixels_before_decoding():
    limits = photos.Limits(max_bytes=10_000_000, max_pixels=1_000_000)
    with pytest.raises(ValidationError) as refused:
        photos.read_image(image_bytes((1001, 1000), "PNG"), limits)
    assert refused.value.fields == {"photo": "too many pixels"}
    assert photos.read_image(image_bytes((1000, 1000), "PNG"), limits).size == (1000, 1000)


def test_transparent_png_is_flattened_on_white(shop):
    image = photos.read_image(image_bytes((40, 30), "PNG", alpha=True),
                              photos.Limits(10_000_000, 1_000_000))
    full, thumb, size = photos.encode(image)
    assert size == (40, 30) and Image.open(io.BytesIO(full)).mode == "RGB"


def test_reorder_make_main_and_remove(client, shop):
    product = shop.tea.product
    for color in ((255, 0, 0), (0, 255, 0), (0, 0, 255)):
        assert _upload(client, product.id, image_bytes((300, 200), "PNG", color=color)).status_code == 303
    first, second, third = (Stored(p.id, p.name) for p in _photos(product.id))
    assert post(client, f"/producer/products/{product.id}/photos/{third.id}/main").status_code == 303
    assert [p.id for p in _photos(product.id)] == [third.id, first.id, second.id]
    assert db.session.get(Product, product.id).main_photo == third.name
    order = client.post(f"/producer/products/{product.id}/photos/order", data={
        "photo": [str(second.id), str(third.id), str(first.id)],
        "csrf_token": csrf_token(client, "/")})
    assert order.status_code == 303
    assert [p.id for p in _photos(product.id)] == [second.id, third.id, first.id]
    refused = client.post(f"/producer/products/{product.id}/photos/order", data={
        "photo": [str(second.id), str(second.id), str(first.id)],
        "csrf_token": csrf_token(client, "/")})
    assert refused.status_code == 422
    assert [p.id for p in _photos(product.id)] == [second.id, third.id, first.id]
    assert post(client, f"/producer/products/{product.id}/photos/{second.id}/delete").status_code == 303
    assert [p.id for p in _photos(product.id)] == [third.id, first.id]
    assert db.session.get(Product, product.id).main_photo == third.name
    assert client.get(f"/media/photos/{second.name}.jpg").status_code == 404
    assert f"{second.name}.jpg" not in _stored()
    changes = [(c.old_value, c.new_value) for c in db.session.scalars(
        db.select(ListingChange).where(ListingChange.field == "main_photo").order_by(ListingChange.id))]
    assert changes == [("", first.name), (first.name, third.name), (third.name, second.name),
                       (second.name, third.name)]


def test_another_producers_photo_cannot_be_touched(client, shop):
    from tests import builders

    other = builders.product("Mắm", sku="MAM-1")
    photo = photos.add_photo(other, image_bytes((100, 100)), actor_id=None,
                             media_dir=current_app.config["MEDIA_DIR"],
                             limits=photos.Limits(10_000_000, 1_000_000))
    mine = shop.tea.product
    assert post(client, f"/producer/products/{mine.id}/photos/{photo.id}/main").status_code == 404
    assert post(client, f"/producer/products/{mine.id}/photos/{photo.id}/delete").status_code == 404
    assert post(client, f"/producer/products/{other.id}/photos/{photo.id}/delete").status_code == 404
    assert [p.id for p in _photos(other.id)] == [photo.id]


def test_the_media_route_serves_only_server_made_names(client, shop):
    for name in ("..%2F..%2Fsecret_key", "abc", "0123456789ABCDEF0123456789ABCDEF"):
        assert client.get(f"/media/photos/{name}.jpg").status_code == 404


def test_the_earlier_button_swaps_a_photo_with_the_one_before(client, shop):
    import re

    product = shop.tea.product
    for color in ((255, 0, 0), (0, 255, 0), (0, 0, 255)):
        assert _upload(client, product.id, image_bytes((300, 200), "PNG", color=color)).status_code == 303
    first, second, third = (p.id for p in _photos(product.id))
    html = page(client, f"/producer/products/{product.id}")
    item = re.search(rf'<li data-photo="{third}">(.*?)</li>', html, re.S).group(1)
    form = re.search(r'action="([^"]+/photos/order)">(.*?)</form>', item, re.S)
    order = re.findall(r'name="photo" value="(\d+)"', form.group(2))
    assert order == [str(first), str(third), str(second)]
    response = client.post(form.group(1), data={"photo": order, "csrf_token": csrf_token(client, "/")})
    assert response.status_code == 303
    assert [p.id for p in _photos(product.id)] == [first, third, second]
    main = re.search(rf'<li data-photo="{first}">(.*?)</li>', html, re.S).group(1)
    assert "/photos/order" not in main  # the main photo has no place before it
