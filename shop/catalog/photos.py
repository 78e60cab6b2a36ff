"""Product photos: only real images, size-limited, re-encoded, stored under server-made names.

An upload is read by Pillow from its bytes (its file name and type say nothing), refused when it
is too large in bytes or in pixels (a small file can unpack to gigabytes), then written again
as a JPEG without its metadata, with a thumbnail for listing and product pages.
"""

from __future__ import annotations

import io
import secrets
import warnings
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

from shop import search
from shop.catalog.models import ListingChange, Product, ProductPhoto
from shop.errors import NotFound, ValidationError
from shop.extensions import db

FORMATS = {"JPEG", "PNG", "WEBP"}
FULL_SIZE = (1600, 1600)
THUMB_SIZE = (480, 360)


@dataclass(frozen=True)
class Limits:
    max_bytes: int
    max_pixels: int


def read_image(data: bytes, limits: Limits) -> Image.Image:
    """The decoded image, or ValidationError saying why this upload is not a usable photo."""
    if len(data) > limits.max_bytes:
        raise ValidationError("the file is too large",
                              {"photo": f"at most {limits.max_bytes // (1024 * 1024)} MB"})
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            if image.format not in FORMATS:
                raise ValidationError("not a photo", {"photo": "a JPEG, PNG or WebP image"})
            if image.width * image.height > limits.max_pixels:
                raise ValidationError("the image has too many pixels",
                                      {"photo": "too many pixels"})
            if image.format == "JPEG":  # decode at the smallest scale still above the output
                ratio = min(FULL_SIZE[0] / image.width, FULL_SIZE[1] / image.height, 1)
                image.draft("RGB", (int(image.width * ratio), int(image.height * ratio)))
            image.load()
    except (Image.DecompressionBombWarning, Image.DecompressionBombError):
        raise ValidationError("the image has too many pixels", {"photo": "too many pixels"}) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ValidationError("not a photo", {"photo": "a JPEG, PNG or WebP image"}) from None
    return image


def encode(image: Image.Image) -> tuple[bytes, bytes, tuple[int, int]]:
    """The photo and its thumbnail as fresh JPEGs (turned upright, metadata dropped)."""
    image = ImageOps.exif_transpose(image)
    if image.mode not in ("RGB", "L"):
        rgba = image.convert("RGBA")
        image = Image.new("RGB", rgba.size, "white")
        image.paste(rgba, mask=rgba.getchannel("A"))
    image = image.convert("RGB")
    full = image.copy()
    full.thumbnail(FULL_SIZE)
    thumb = ImageOps.fit(full, THUMB_SIZE)
    return _jpeg(full), _jpeg(thumb), full.size


def _jpeg(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85, optimize=True)
    return out.getvalue()


def photo_path(media_dir: str | Path, name: str, thumb: bool = False) -> Path:
    return Path(media_dir) / "photos" / (f"{name}-thumb.jpg" if thumb else f"{name}.jpg")


def add_photo(product: Product, data: bytes, *, actor_id: int | None, media_dir: str,
              limits: Limits) -> ProductPhoto:
    """Store a new photo of the product after its others; the first one becomes the main one."""
    full, thumb, (width, height) = encode(read_image(data, limits))
    name = secrets.token_hex(16)
    folder = photo_path(media_dir, name).parent
    folder.mkdir(parents=True, exist_ok=True)
    files = photo_path(media_dir, name), photo_path(media_dir, name, thumb=True)
    try:
        for path, data in zip(files, (full, thumb), strict=True):
            path.write_bytes(data)
    except OSError:  # a full disk: no half-written photo is left behind, nothing is recorded
        for path in files:
            path.unlink(missing_ok=True)
        raise
    position = max((p.position for p in product.photos), default=-1) + 1
    photo = ProductPhoto(product=product, name=name, width=width, height=height,
                         position=position, uploaded_by_id=actor_id)
    db.session.add(photo)
    _refresh_main(product, actor_id)
    db.session.commit()
    search.refresh([product.id])
    return photo


def reorder(product: Product, photo_ids: list[int], *, actor_id: int | None) -> None:
    """Put the product's photos in this order; the first is the main one."""
    photos = {p.id: p for p in product.photos}
    if sorted(photo_ids) != sorted(photos):
        raise ValidationError("name each photo of the product once", {"order": "every photo once"})
    for position, photo_id in enumerate(photo_ids):
        photos[photo_id].position = position
    _refresh_main(product, actor_id)
    db.session.commit()
    search.refresh([product.id])


def make_main(product: Product, photo_id: int, *, actor_id: int | None) -> None:
    """Show this photo first; the others keep their order after it."""
    ids = [p.id for p in product.photos]
    if photo_id not in ids:
        raise NotFound("no such photo of this product")
    reorder(product, [photo_id] + [i for i in ids if i != photo_id], actor_id=actor_id)


def remove(product: Product, photo_id: int, *, actor_id: int | None, media_dir: str) -> None:
    """Delete a photo of the product and then its files."""
    photo = next((p for p in product.photos if p.id == photo_id), None)
    if photo is None:
        raise NotFound("no such photo of this product")
    product.photos.remove(photo)
    db.session.delete(photo)
    _refresh_main(product, actor_id)
    db.session.commit()
    for thumb in (False, True):
        photo_path(media_dir, photo.name, thumb).unlink(missing_ok=True)
    search.refresh([product.id])


def _refresh_main(product: Product, actor_id: int | None) -> None:
    """Keep `product.main_photo` (what listing cards show) on the first photo. Caller commits."""
    db.session.flush()
    first = min(product.photos, key=lambda p: (p.position, p.id), default=None)
    name = first.name if first else None
    if name != product.main_photo:
        db.session.add(ListingChange(product_id=product.id, field="main_photo",
                                     old_value=product.main_photo or "", new_value=name or "",
                                     actor_id=actor_id))
        product.main_photo = name

