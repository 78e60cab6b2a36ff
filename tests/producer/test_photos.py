"""Photo uploads: real images only (by content), size-limited, re-encoded under server-made
names, with thumbnails the shop's pages show; refused uploads leave nothing behind."""

from __future__ import annotations

import io
import os
from collections import namedtuple

import pytest
from flask import current_app
from PIL import Image, ImageChops
from sqlalchemy.exc import IntegrityError

from shop.catalog import photos
from shop.catalog.models import ListingChange, Product, ProductPhoto
from shop.errors import ValidationError
from shop.extensions import db
from tests.conftest import csrf_token
from tests.producer.helpers import fresh, page, post, text
from tests.producer.images import PROBE_TEXT, blank_png, image_bytes, jpeg_segments, upload, with_metadata

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


# Memory: an upload is judged by what decoding it would take, from its header (issue 17, item 8)

@pytest.fixture
def decodes(monkeypatch) -> list[str]:
    """The format of each image whose pixels Pillow decodes during the test."""
    from PIL import ImageFile

    seen, load = [], ImageFile.ImageFile.load

    def spy(self):
        if self.tile:  # pixels still to decode (a WebP's are decoded just before)
            seen.append(self.format)
        return load(self)

    monkeypatch.setattr(ImageFile.ImageFile, "load", spy)
    return seen


def test_the_probes_png_is_refused_from_its_header_and_leaves_nothing(client, shop, decodes):
    product = shop.tea.product
    probe = blank_png(6300, 6300)  # 39.7 megapixels in 154 KB: 159 MB once decoded
    assert len(probe) < 160_000
    before = _stored()
    response = _upload(client, product.id, probe, "probe.png")
    assert response.status_code == 422
    message = ("This image has too many pixels for its file type (at most 33 megapixels). "
               "Make it smaller, or save it as an ordinary JPEG.")
    assert f'<p class="field__error" id="photo-error">{message}</p>' in text(response)
    assert decodes == []
    assert _photos(product.id) == [] and _stored() == before


LIMITS = photos.Limits(max_bytes=10_000_000, max_pixels=40_000_000)


def bounded() -> photos.Limits:
    """Limits whose memory bound is small enough for small test images to reach it."""
    return photos.Limits(max_bytes=10_000_000, max_pixels=40_000_000, max_decode_bytes=4_000_000)


@pytest.mark.parametrize("fmt, options, fits, too_many, limit", [
    ("PNG", {}, (1000, 1000), (1001, 1000), 1),  # decoded whole: 4 bytes a pixel
    ("WEBP", {"lossless": True}, (500, 500), (501, 500), 0),  # 16: Pillow's image and libwebp's canvases
    ("JPEG", {"progressive": True}, (1150, 1150), (1160, 1150), 1),  # 4:2:0 coefficients: 3 bytes a pixel
    ("JPEG", {"progressive": True, "subsampling": 0}, (800, 800), (820, 820), 0),  # 4:4:4: 6
], ids=["png", "webp", "progressive jpeg", "progressive jpeg 4:4:4"])
def test_what_cannot_be_decoded_reduced_has_a_pixel_limit_by_its_memory(decodes, fmt, options, fits,
                                                                         too_many, limit):
    assert photos.read_image(image_bytes(fits, fmt, **options), bounded()).size == fits
    assert decodes == [fmt]
    with pytest.raises(ValidationError) as refused:
        photos.read_image(image_bytes(too_many, fmt, **options), bounded())
    assert refused.value.fields == {"photo": "too large to decode"}
    assert refused.value.details["max_megapixels"] == limit
    assert decodes == [fmt]


def _mpo(size) -> bytes:
    """A JPEG with a second picture after it (MPO: how phones keep an HDR gain map)."""
    out = io.BytesIO()
    Image.new("RGB", size, (180, 90, 40)).save(out, "MPO", save_all=True,
                                                append_images=[Image.new("RGB", size, (0, 0, 255))])
    return out.getvalue()


@pytest.mark.parametrize("data, fitted", [
    (image_bytes((6000, 4000), "JPEG", comment=b"\xff\xda\xff\xda not a scan"), (1600, 1067)),
    (_mpo((3000, 2000)), (1600, 1067)),
], ids=["scan markers in a comment", "a second picture after it"])
def test_a_baseline_jpeg_is_decoded_reduced_whatever_its_pixels(decodes, data, fitted):
    assert photos.read_image(data, bounded()).size == fitted  # 6-24 MP under a 4 MB bound
    assert decodes in (["JPEG"], ["MPO"])


def test_text_chunks_are_not_inflated_so_their_size_does_not_matter():
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    for n in range(80):  # 80 MB of text once inflated, past Pillow's own 64 MB stop
        info.add_text(f"note{n}", "a" * 1_000_000, zip=True)
    data = image_bytes((40, 30), "PNG", pnginfo=info)
    assert len(data) < 200_000
    assert photos.read_image(data, LIMITS).size == (40, 30)


@pytest.mark.parametrize("size, fitted", [((1700, 2300), (1183, 1600)), ((1000, 700), (1000, 700))],
                         ids=["resized", "kept"])
def test_band_by_band_is_the_same_as_all_at_once(size, fitted):
    noise = Image.frombytes("RGBA", size, os.urandom(size[0] * size[1] * 4))
    flat = Image.new("RGB", noise.size, "white")
    flat.paste(noise, mask=noise.getchannel("A"))
    expected = flat.resize(fitted, Image.Resampling.LANCZOS)
    out = io.BytesIO()
    noise.save(out, "PNG")
    got = photos.read_image(out.getvalue(), photos.Limits(10**8, 40_000_000))  # noise: 16 MB
    assert got.size == expected.size
    difference = ImageChops.difference(got, expected).getextrema()
    assert max(high for _, high in difference) <= (1 if size != fitted else 0)


# Metadata: the stored photo and thumbnail are the pixels alone (issue 17, item 9)

JPEG_HEADER = {0xE0, 0xDB, 0xC0, 0xC4, 0xDA}  # JFIF, quantization and Huffman tables, frame, scan


def assert_pixels_alone(data: bytes) -> None:
    """Only the segments a JPEG needs to be decoded, and a JFIF header without a thumbnail."""
    segments = jpeg_segments(data)
    assert {marker for marker, _ in segments} <= JPEG_HEADER, [hex(m) for m, _ in segments]
    [jfif] = [payload for marker, payload in segments if marker == 0xE0]
    assert jfif.startswith(b"JFIF\0") and len(jfif) == 14 and jfif[-2:] == b"\0\0"
    assert PROBE_TEXT.encode() not in data and b"SecretCam" not in data


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
@pytest.mark.parametrize("size, stored_size", [((2000, 1500), (1600, 1200)), ((400, 300), (400, 300))],
                         ids=["resized", "kept"])
def test_no_text_or_metadata_survives_in_the_photo_or_its_thumbnail(client, shop, fmt, size, stored_size):
    product = shop.tea.product
    assert _upload(client, product.id, with_metadata(fmt, size), "probe").status_code == 303
    [photo] = _photos(product.id)
    for thumb, expected in ((False, stored_size), (True, photos.THUMB_SIZE)):
        stored = photos.photo_path(current_app.config["MEDIA_DIR"], photo.name, thumb).read_bytes()
        assert_pixels_alone(stored)
        assert Image.open(io.BytesIO(stored)).size == expected


def test_a_jpeg_with_more_pictures_after_it_is_a_jpeg(client, shop):
    product = shop.tea.product
    assert _upload(client, product.id, _mpo((800, 600)), "hdr.jpg").status_code == 303
    [photo] = _photos(product.id)
    stored = photos.photo_path(current_app.config["MEDIA_DIR"], photo.name).read_bytes()
    assert_pixels_alone(stored)
    red, green, blue = Image.open(io.BytesIO(stored)).getpixel((400, 300))
    assert abs(red - 180) <= 3 and abs(green - 90) <= 3 and abs(blue - 40) <= 3  # the first picture


def _stored_pixels(data: bytes) -> Image.Image:
    """The JPEG a photo upload is stored as, decoded, after checking it holds nothing else."""
    full, _, _ = photos.encode(photos.read_image(data, LIMITS))
    assert_pixels_alone(full)
    return Image.open(io.BytesIO(full))


def test_sixteen_bit_grey_keeps_its_grey():
    out = io.BytesIO()
    Image.new("I;16", (40, 30), 0x8080).save(out, "PNG")
    assert _stored_pixels(out.getvalue()).convert("RGB").getpixel((20, 15)) == (128, 128, 128)


@pytest.mark.parametrize("orientation, size", [(1, (300, 200)), (3, (300, 200)), (6, (200, 300)),
                                               (8, (200, 300))])
def test_the_exif_orientation_is_applied_then_dropped(orientation, size):
    exif = Image.Exif()
    exif[0x0112] = orientation
    source = Image.new("RGB", (300, 200), "white")
    source.paste((255, 0, 0), (0, 0, 30, 30))  # a red corner, top left as taken
    out = io.BytesIO()
    source.save(out, "JPEG", exif=exif.tobytes())
    stored = _stored_pixels(out.getvalue())
    assert stored.size == size
    corner = {1: (5, 5), 3: (295, 195), 6: (195, 5), 8: (5, 295)}[orientation]
    assert stored.getpixel(corner)[0] > 200 and stored.getpixel(corner)[1] < 60


def test_a_photo_whose_row_cannot_be_written_leaves_no_file(shop):
    product, before = shop.tea.product, _stored()
    product_id = product.id
    with pytest.raises(IntegrityError):  # uploaded by a user who does not exist
        photos.add_photo(product, image_bytes(), actor_id=2**31 - 1,
                         media_dir=current_app.config["MEDIA_DIR"], limits=LIMITS)
    assert _stored() == before and _photos(product_id) == []
