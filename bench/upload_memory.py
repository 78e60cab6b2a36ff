"""Benchmark: the peak memory of one photo upload, per format and size.

Each upload runs in a fresh child process that reads the file, then does what an upload does to
the image (`photos.encode(photos.read_image(data, limits))` with the default limits: checked,
decoded, written again as the photo and its thumbnail, or refused). It reports how far its
resident set rose above the resident set just before (`VmHWM` against `VmRSS` in
`/proc/self/status`, the peak reset first by writing 5 to `/proc/self/clear_refs`: Linux only),
how much of that it still held afterwards, and how long it took. The files are made once by
the parent: the outside probe's 39.7-megapixel PNG of 154 KB and the same size as a palette PNG
and a lossless WebP, the largest PNG and WebP the default bound lets through, a small PNG with
63 MB of compressed text, a 39.8-megapixel camera JPEG (baseline, progressive, progressive
without chroma subsampling), phone-sized photos as JPEG, WebP and PNG, and a 144-megapixel PNG
refused from its header. The same script runs against older code (it only needs
`read_image`, `encode` and `Limits`), which is how the "before" figures were made.

    .venv/bin/python bench/upload_memory.py              # each file 3 times, the median is shown
    .venv/bin/python bench/upload_memory.py --runs 5 --json
    .venv/bin/python bench/upload_memory.py --max-decode-mb 4096   # what each costs with no bound
"""

from __future__ import annotations

import argparse
import gc
import io
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

MAX_BYTES = 8 * 1024 * 1024  # the defaults of PHOTO_MAX_BYTES and PHOTO_MAX_PIXELS
MAX_PIXELS = 40_000_000


def _save(image, fmt: str, **options) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, **options)
    return out.getvalue()


def _photo(size: tuple[int, int], seed: int):
    """Smooth colour and blur like a real photo, so that encoders weigh it like one."""
    from PIL import Image, ImageFilter

    rng = random.Random(seed)
    small = Image.frombytes("RGB", (160, 120), bytes(rng.randrange(256) for _ in range(160 * 120 * 3)))
    return small.resize(size, Image.BICUBIC).filter(ImageFilter.GaussianBlur(2))


def _with_text(megabytes: int) -> bytes:
    """A small PNG carrying `megabytes` of compressed text (Pillow inflates up to 64 MB of it)."""
    from PIL import Image, PngImagePlugin

    info = PngImagePlugin.PngInfo()
    for n in range(megabytes):
        info.add_text(f"note{n}", "a" * (1024 * 1024 - 1024), zip=True)
    return _save(Image.new("RGB", (800, 600), (180, 90, 40)), "PNG", pnginfo=info)


def samples() -> dict[str, bytes]:
    """The uploads measured, by name (made once, deterministic)."""
    from PIL import Image

    camera = _photo((7728, 5152), 1)
    phone = _photo((4000, 3000), 2)
    return {
        "PNG 6300x6300 RGBA, blank (the probe)": _save(Image.new("RGBA", (6300, 6300)), "PNG", optimize=True),
        "PNG 6300x6300 palette, blank": _save(Image.new("P", (6300, 6300)), "PNG", optimize=True),
        "WebP 6300x6300 lossless, blank": _save(Image.new("RGB", (6300, 6300)), "WEBP", lossless=True),
        "PNG 5780x5780 RGBA, blank (33.4 MP)": _save(Image.new("RGBA", (5780, 5780)), "PNG", optimize=True),
        "WebP 3340x2500 lossless, blank (8.4 MP)": _save(Image.new("RGB", (3340, 2500)), "WEBP",
                                                          lossless=True),
        "PNG 800x600 with 63 MB of zTXt": _with_text(63),
        "JPEG 7728x5152 camera, baseline": _save(camera, "JPEG", quality=80),
        "JPEG 7728x5152 camera, progressive": _save(camera, "JPEG", quality=80, progressive=True),
        "JPEG 7728x5152 camera, progressive 4:4:4": _save(camera, "JPEG", quality=70, progressive=True,
                                                           subsampling=0),
        "JPEG 4000x3000 phone photo": _save(phone, "JPEG", quality=90),
        "WebP 4000x3000 phone photo": _save(phone, "WEBP", quality=85),
        "WebP 2400x1800 photo": _save(phone.resize((2400, 1800)), "WEBP", quality=85),
        "PNG 4000x3000 RGB, flat drawing": _save(phone.quantize(16).convert("RGB"), "PNG", optimize=True),
        "PNG 2000x1500 photo": _save(phone.resize((2000, 1500)), "PNG"),
        "PNG 12000x12000 (refused from its header)": _save(Image.new("RGB", (12_000, 12_000)), "PNG",
                                                           optimize=True),
    }


def _status_kb(field: str) -> int:
    """A size from /proc/self/status, in KB (`VmRSS`: resident now, `VmHWM`: its peak)."""
    text = Path("/proc/self/status").read_text()
    return int(text.split(f"{field}:", 1)[1].split()[0])


def _reset_peak() -> None:
    """Start the peak resident set again from the resident set now (Linux 4.0 and later)."""
    Path("/proc/self/clear_refs").write_text("5")


def child(path: str, max_decode_mb: int | None) -> None:
    """Run one upload's image work and print its peak memory above the start, as JSON."""
    from shop.catalog import photos
    from shop.errors import ShopError

    data = Path(path).read_bytes()
    limits = photos.Limits(MAX_BYTES, MAX_PIXELS)
    if max_decode_mb is not None:  # the bound this change added; older code has no such field
        limits = photos.Limits(MAX_BYTES, MAX_PIXELS, max_decode_mb * 1024 * 1024)
    _reset_peak()
    start = _status_kb("VmRSS")
    t0 = time.perf_counter()
    try:
        photos.encode(photos.read_image(data, limits))
        outcome = "accepted"
    except ShopError as error:
        outcome = "refused: " + "; ".join(error.fields.values())
    seconds = time.perf_counter() - t0
    peak = _status_kb("VmHWM")
    gc.collect()
    print(json.dumps({"start_mb": start / 1024, "peak_mb": peak / 1024, "rise_mb": (peak - start) / 1024,
                      "kept_mb": (_status_kb("VmRSS") - start) / 1024, "seconds": seconds,
                      "outcome": outcome}))


def measure(path: Path, runs: int, max_decode_mb: int | None) -> dict:
    results = []
    bound = [] if max_decode_mb is None else ["--max-decode-mb", str(max_decode_mb)]
    for _ in range(runs):
        out = subprocess.run([sys.executable, __file__, "--child", str(path), *bound], check=True,
                             capture_output=True, text=True)
        results.append(json.loads(out.stdout))
    return {"rise_mb": round(statistics.median(r["rise_mb"] for r in results), 1),
            "rise_mb_max": round(max(r["rise_mb"] for r in results), 1),
            "start_mb": round(statistics.median(r["start_mb"] for r in results), 1),
            "kept_mb": round(statistics.median(r["kept_mb"] for r in results), 1),
            "seconds": round(statistics.median(r["seconds"] for r in results), 2),
            "outcome": results[0]["outcome"]}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--child")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--max-decode-mb", type=int, help="the bound (default: PHOTO_MAX_DECODE_BYTES's)")
    args = parser.parse_args()
    if args.child:
        return child(args.child, args.max_decode_mb)
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for n, (name, data) in enumerate(samples().items()):
            path = Path(folder) / f"{n}.bin"
            path.write_bytes(data)
            measured = measure(path, args.runs, args.max_decode_mb)
            rows.append({"upload": name, "kb": round(len(data) / 1024), **measured})
    load = os.getloadavg()
    if args.json:
        print(json.dumps({"load_average": load, "rows": rows}, indent=2))
        return
    print(f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; median of {args.runs} runs")
    print("| upload | file | peak rise (max) | kept after | time | outcome |")
    print("|---|---:|---:|---:|---:|---|")
    for r in rows:
        print(f"| {r['upload']} | {r['kb']:,} KB | {r['rise_mb']} MB ({r['rise_mb_max']}) | "
              f"{r['kept_mb']} MB | {r['seconds']} s | {r['outcome']} |")


if __name__ == "__main__":
    main()
