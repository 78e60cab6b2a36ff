"""Product photos: only real images, size-limited, re-encoded, stored under server-made names.

An upload is read by Pillow from its bytes (its file name and type say nothing), refused when it
is too large in bytes, in pixels or in the memory its decoding would take (a small file can
unpack to gigabytes: `catalog.images`), then written again as a JPEG of its pixels alone, with
a thumbnail for listing and product pages.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from PIL import Image, ImageOps

from shop import search
from shop.catalog import images
from shop.catalog.images import Limits
from shop.catalog.models import ListingChange, Product, ProductPhoto
from shop.errors import NotFound, ValidationError
from shop.extensions import db

FULL_SIZE = (1600, 1600)
THUMB_SIZE = (480, 360)


def read_image(data: bytes, limits: Limits) -> Image.Image:
    """The photo, upright and within FULL_SIZE, or ValidationError saying why it is not usable."""
    return images.load(data, limits, FULL_SIZE)


def encode(image: Image.Image) -> tuple[bytes, bytes, tuple[int, int]]:
    """The photo and its thumbnail as fresh JPEGs of the pixels alone."""
    thumb = ImageOps.fit(image, THUMB_SIZE)
    return images.to_jpeg(image), images.to_jpeg(thumb), image.size


@contextmanager
def written(files: dict[Path, bytes]) -> Iterator[None]:
    """Write the files, and remove them all again if writing or the caller's commit fails."""
    try:
        for path, data in files.items():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        yield
    except BaseException:  # a full disk, a failed commit: no file is left without its row
        for path in files:
            path.unlink(missing_ok=True)
        raise


def photo_path(media_dir: str | Path, name: str, thumb: bool = False) -> Path:
    return Path(media_dir) / "photos" / (f"{name}-thumb.jpg" if thumb else f"{name}.jpg")


def add_photo(product: Product, data: bytes, *, actor_id: int | None, media_dir: str,
              limits: Limits) -> ProductPhoto:
    """Store a new photo of the product after its others; the first one becomes the main one."""
    full, thumb, (width, height) = encode(read_image(data, limits))
    name = secrets.token_hex(16)
    files = {photo_path(media_dir, name): full, photo_path(media_dir, name, thumb=True): thumb}
    with written(files):
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

