"""Real images made with Pillow for the upload tests."""

from __future__ import annotations

import io

from PIL import Image


def image_bytes(size=(800, 600), fmt: str = "JPEG", color=(180, 90, 40), **save) -> bytes:
    out = io.BytesIO()
    mode = "RGBA" if fmt == "PNG" and save.pop("alpha", False) else "RGB"
    Image.new(mode, size, color if mode == "RGB" else (*color, 128)).save(out, fmt, **save)
    return out.getvalue()


def upload(data: bytes, name: str = "photo.jpg"):
    """A file field value for the test client."""
    return (io.BytesIO(data), name)
