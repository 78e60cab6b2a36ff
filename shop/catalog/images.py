"""Uploaded images read within a memory bound and written again as their pixels alone.

An upload is judged from its header before anything is decoded: its size in bytes, its pixels,
and the memory its decoder will take (`Limits.max_decode_bytes`). A JPEG is decoded at a reduced
DCT scale (`draft`), so it costs little however many pixels it has, unless it has several scans
(progressive): libjpeg then keeps all its coefficients at full size. PNG and WebP cannot be
decoded reduced: they cost a fixed number of bytes per pixel (measured with
`bench/upload_memory.py`), so their pixel limit is the memory bound divided by that. After
decoding, the image is brought within the output size band by band, so that no second
full-size copy is ever made, then turned upright; what comes out holds the pixels and nothing
else, and the JPEG written from it has no comment, EXIF, XMP or ICC segment.
"""

from __future__ import annotations

import io
import math
import warnings
from dataclasses import dataclass

from PIL import ExifTags, Image, UnidentifiedImageError

from shop.errors import ValidationError

PLUGINS = ("JPEG", "PNG", "WEBP")
JPEG_FORMATS = {"JPEG", "MPO"}  # MPO: a JPEG with more pictures after it (phones' HDR gain maps)
FORMATS = JPEG_FORMATS | {"PNG", "WEBP"}
DECODE_BYTES_PER_PIXEL = {"PNG": 4, "WEBP": 16}  # Pillow's image plus, for WebP, libwebp's canvases
DEFAULT_MAX_DECODE_BYTES = 128 * 1024 * 1024
BAND_ROWS = 256  # source rows converted and resized at a time
TURNS = {2: Image.Transpose.FLIP_LEFT_RIGHT, 3: Image.Transpose.ROTATE_180,
         4: Image.Transpose.FLIP_TOP_BOTTOM, 5: Image.Transpose.TRANSPOSE,
         6: Image.Transpose.ROTATE_270, 7: Image.Transpose.TRANSVERSE, 8: Image.Transpose.ROTATE_90}
SIDEWAYS = {5, 6, 7, 8}
NOT_A_PHOTO, TOO_MANY_PIXELS = "a JPEG, PNG or WebP image", "too many pixels"
TOO_LARGE_TO_DECODE = "too large to decode"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PNG_TEXT_CHUNKS = {b"tEXt", b"zTXt", b"iTXt"}


@dataclass(frozen=True)
class Limits:
    max_bytes: int
    max_pixels: int
    max_decode_bytes: int = DEFAULT_MAX_DECODE_BYTES


def load(data: bytes, limits: Limits, box: tuple[int, int]) -> Image.Image:
    """The upload as an upright RGB image within `box`, its pixels alone; or ValidationError."""
    if len(data) > limits.max_bytes:
        raise ValidationError("the file is too large",
                              {"photo": f"at most {limits.max_bytes // (1024 * 1024)} MB"})
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(_without_png_text(data)), formats=PLUGINS)
            _check(image, data, limits)
            if image.format in JPEG_FORMATS:  # the smallest DCT scale above the output, turned or not
                image.draft("RGB", _fitted_size(image.size, (max(box), max(box))))
            image.load()
            turn = _orientation(image)
            fitted = _fit(image, (box[1], box[0]) if turn in SIDEWAYS else box)
    except (Image.DecompressionBombWarning, Image.DecompressionBombError):
        raise _too_many_pixels() from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
        raise _not_a_photo() from None
    return fitted.transpose(TURNS[turn]) if turn in TURNS else fitted


def _not_a_photo() -> ValidationError:
    return ValidationError("not a photo", {"photo": NOT_A_PHOTO})


def _too_many_pixels() -> ValidationError:
    return ValidationError("the image has too many pixels", {"photo": TOO_MANY_PIXELS})


def _check(image: Image.Image, data: bytes, limits: Limits) -> None:
    """Refuse from the header what is not a photo or would take too much memory to decode."""
    if image.format not in FORMATS:
        raise _not_a_photo()
    if image.width * image.height > limits.max_pixels:
        raise _too_many_pixels()
    per_pixel = _decode_bytes_per_pixel(image, data)
    if image.width * image.height * per_pixel > limits.max_decode_bytes:
        raise ValidationError("the image is too large to decode", {"photo": TOO_LARGE_TO_DECODE},
                              max_megapixels=int(limits.max_decode_bytes / per_pixel / 10**6))


def _decode_bytes_per_pixel(image: Image.Image, data: bytes) -> float:
    """The memory decoding takes per pixel of the upload, known from its header."""
    if image.format not in JPEG_FORMATS:
        return DECODE_BYTES_PER_PIXEL[image.format]
    if _jpeg_scans(data) < 2:
        return 0  # decoded row by row at the reduced scale: bounded by the output size
    h_max = max(h for _, h, _, _ in image.layer)
    v_max = max(v for _, _, v, _ in image.layer)
    return 2 * sum(h * v for _, h, v, _ in image.layer) / (h_max * v_max)  # 2-byte coefficients


def _jpeg_scans(data: bytes) -> int:
    """How many scans a JPEG's picture has: its segments are walked to the first scan, then the
    scans are counted up to the picture's end (an MPO's next pictures do not count).

    In entropy-coded data a 0xFF byte is always followed by 0x00 or a restart marker, so every
    0xFF 0xDA after the first scan starts another one, and 0xFF 0xD9 ends the picture.
    """
    at = 2
    while at + 4 <= len(data) and data[at] == 0xFF:
        marker = data[at + 1]
        if marker == 0xDA:
            end = data.find(b"\xff\xd9", at)
            return data.count(b"\xff\xda", at, len(data) if end < 0 else end)
        if marker == 0xFF:  # fill byte
            at += 1
            continue
        at += 2 + int.from_bytes(data[at + 2:at + 4], "big")
    return 1


def _without_png_text(data: bytes) -> bytes:
    """The PNG without its text chunks, which Pillow would inflate (up to 64 MB) for nothing."""
    if not data.startswith(PNG_SIGNATURE):
        return data
    kept, at = [PNG_SIGNATURE], len(PNG_SIGNATURE)
    while at + 12 <= len(data):
        end = at + 12 + int.from_bytes(data[at:at + 4], "big")
        if data[at + 4:at + 8] not in PNG_TEXT_CHUNKS:
            kept.append(data[at:end])
        at = end
    kept.append(data[at:])
    return b"".join(kept)


def _orientation(image: Image.Image) -> int:
    """The EXIF orientation (1: upright), read before the EXIF is dropped with the rest."""
    try:
        value = image.getexif().get(ExifTags.Base.Orientation, 1)
    except Exception:  # a broken EXIF block only loses its orientation
        return 1
    return value if value in TURNS else 1


def _fitted_size(size: tuple[int, int], box: tuple[int, int]) -> tuple[int, int]:
    scale = min(box[0] / size[0], box[1] / size[1], 1)
    return max(1, round(size[0] * scale)), max(1, round(size[1] * scale))


def _fit(image: Image.Image, box: tuple[int, int]) -> Image.Image:
    """The image within `box`, on white, made band by band from a fresh image (no metadata).

    Each band is taken with enough rows around it for the Lanczos filter, so the result is the
    same as resizing the whole image at once, without a second full-size copy of it.
    """
    width, height = image.size
    size = _fitted_size(image.size, box)
    out = Image.new("RGB", size, "white")
    step = height / size[1]  # source rows per output row
    margin = math.ceil(3 * max(step, 1)) + 2  # Lanczos reaches 3 output rows either way
    rows = max(1, BAND_ROWS // math.ceil(step))
    for top in range(0, size[1], rows):
        bottom = min(top + rows, size[1])
        if size == image.size:
            band = _rgb(image.crop((0, top, width, bottom)))
        else:
            y0, y1 = max(0, math.floor(top * step) - margin), min(height, math.ceil(bottom * step) + margin)
            band = _rgb(image.crop((0, y0, width, y1))).resize(
                (size[0], bottom - top), Image.Resampling.LANCZOS,
                box=(0, top * step - y0, width, bottom * step - y0))
        out.paste(band, (0, top))
    return out


def _rgb(image: Image.Image) -> Image.Image:
    """The image in RGB, transparent parts on white; 16-bit grey keeps its top 8 bits."""
    if image.mode.startswith("I;16") or image.mode == "I":
        image = image.point(lambda value: value / 256, "L")
    if not image.has_transparency_data:
        return image.convert("RGB")
    rgba = image.convert("RGBA")
    flat = Image.new("RGB", rgba.size, "white")
    flat.paste(rgba, mask=rgba.getchannel("A"))
    return flat


def to_jpeg(image: Image.Image) -> bytes:
    """A fresh JPEG of the image's pixels alone: no comment, EXIF, XMP or ICC profile.

    Pillow's JPEG writer copies `info["comment"]` from the image it saves unless told otherwise,
    so the image saved is a copy whose `info` is emptied first.
    """
    bare = image.copy()
    bare.info = {}
    out = io.BytesIO()
    bare.save(out, "JPEG", quality=85, optimize=True)
    return out.getvalue()
