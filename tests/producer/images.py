"""Real images made with Pillow for the upload tests."""

from __future__ import annotations

import io
import re
import struct
import zlib

from PIL import Image


def image_bytes(size=(800, 600), fmt: str = "JPEG", color=(180, 90, 40), **save) -> bytes:
    out = io.BytesIO()
    mode = "RGBA" if fmt == "PNG" and save.pop("alpha", False) else "RGB"
    Image.new(mode, size, color if mode == "RGB" else (*color, 128)).save(out, fmt, **save)
    return out.getvalue()


def upload(data: bytes, name: str = "photo.jpg"):
    """A file field value for the test client."""
    return (io.BytesIO(data), name)


def blank_png(width: int, height: int, mode: str = "RGBA") -> bytes:
    """A blank PNG written row by row, so that a huge one costs the test no memory (the outside
    probe: 6300x6300 RGBA in 154 KB)."""
    channels = {"L": (0, 1), "RGB": (2, 3), "RGBA": (6, 4)}[mode]
    row = b"\0" * (1 + width * channels[1])  # filter byte 0, then black (and transparent) pixels
    packer = zlib.compressobj(9)
    idat = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    header = struct.pack(">IIBBBBB", width, height, 8, channels[0], 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", idat) + _chunk(b"IEND", b"")


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def jpeg_segments(data: bytes) -> list[tuple[int, bytes]]:
    """A JPEG's segments up to its first scan as (marker, payload), after checking that nothing
    but the end marker follows the scan's data."""
    assert data[:2] == b"\xff\xd8", "not a JPEG"
    segments, at = [], 2
    while True:
        assert data[at] == 0xFF, f"no marker at {at}"
        marker, length = data[at + 1], int.from_bytes(data[at + 2:at + 4], "big")
        segments.append((marker, data[at + 4:at + 2 + length]))
        at += 2 + length
        if marker == 0xDA:
            break
    later = [m.group() for m in re.finditer(rb"\xff[^\x00\xd0-\xd7]", data[at:])]
    assert later == [b"\xff\xd9"] and data.endswith(b"\xff\xd9"), later
    return segments


PROBE_TEXT = "<html><script>alert('probe')</script></html>"


def _exif() -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"  # camera maker
    exif[0x010E] = PROBE_TEXT  # image description
    return exif.tobytes()


def _xmp() -> bytes:
    return ('<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
            f'<rdf:Description>{PROBE_TEXT}</rdf:Description></rdf:RDF></x:xmpmeta>').encode()


def _icc() -> bytes:
    from PIL import ImageCms

    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))
    return profile.tobytes()


def with_metadata(fmt: str, size=(2000, 1500)) -> bytes:
    """A photo carrying the probe's text in every place its format keeps text or metadata:
    JPEG COM, APP1 EXIF and XMP, APP2 ICC, APP13 (Photoshop); PNG tEXt (under `comment`, the key
    Pillow's JPEG writer would copy), zTXt, iTXt, eXIf, iCCP; WebP EXIF, XMP and ICCP."""
    from PIL import PngImagePlugin

    image = Image.new("RGB", size, (180, 90, 40))
    out = io.BytesIO()
    if fmt == "JPEG":
        image.save(out, "JPEG", comment=PROBE_TEXT, exif=_exif(), xmp=_xmp(), icc_profile=_icc())
        photoshop = b"Photoshop 3.0\0" + PROBE_TEXT.encode()
        data = out.getvalue()
        return data[:2] + b"\xff\xed" + struct.pack(">H", 2 + len(photoshop)) + photoshop + data[2:]
    if fmt == "PNG":
        info = PngImagePlugin.PngInfo()
        info.add_text("comment", PROBE_TEXT)
        info.add_text("Description", PROBE_TEXT, zip=True)
        info.add_itxt("XML:com.adobe.xmp", _xmp().decode(), zip=False)
        image.save(out, "PNG", pnginfo=info, exif=_exif(), icc_profile=_icc())
        return out.getvalue()
    image.save(out, "WEBP", exif=_exif(), xmp=_xmp(), icc_profile=_icc())
    return out.getvalue()
