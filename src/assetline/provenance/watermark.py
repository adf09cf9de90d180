"""Soft binding: the asset id hidden in the pixels, so a file whose manifest was stripped can still be traced.

    result = embed(png_bytes, "image/png", asset_id=42)   # WatermarkResult(data, embedded, reason, ...)
    extract(result.data)                                   # 42; None for an image without an Assetline mark

The mark is invisible-watermark's ``dwtDctSvd`` on a canonical working grid (``wmcore.py`` explains how and
why). Payload: 64 bits = 32-bit asset id + CRC-32 of (salt + id), XOR-whitened. A reader accepts a payload only
when the CRC matches (after at most 2 flips of its 6 least certain bits), so an unmarked image reads as None
with a false-positive chance of about 22·2⁻³² per working grid tried (at most 6, usually 1).

``embed`` marks in passes until the blocks sit well inside their quantiser cells, re-encodes in the input's
format (PNG stays PNG; JPEG at the source's quality kept within 92–95), and returns ``embedded=True`` only
after reading the mark back from the bytes it returns. Measured figures are in docs/provenance.md.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from PIL import Image, JpegImagePlugin, PngImagePlugin, UnidentifiedImageError

from assetline.errors import ProvenanceError
from assetline.provenance import wmcore
from assetline.provenance.media import normalise_mime, sniff_mime
from assetline.provenance.wmcore import PAYLOAD_BITS, decode_payload, payload_bits

__all__ = ["PAYLOAD_BITS", "WatermarkReading", "WatermarkResult", "decode_payload", "embed", "extract",
           "jpeg_quality", "payload_bits", "psnr", "read"]

MIN_PIXELS = 16 * PAYLOAD_BITS
"""Below this many pixels (16 per payload bit) an image is not marked."""
MIN_FREE_BLOCKS = PAYLOAD_BITS
"""At least this many blocks must be free (not pure white/black/saturated) to carry the mark."""
MAX_PASSES = 4
TARGET_MARGIN = 0.75
TARGET_MARGIN_P10 = 0.5
"""Passes continue until the blocks' mean margin and its 10th percentile reach these (usually 2 passes)."""
JPEG_QUALITY = (92, 95)
"""A marked JPEG is re-encoded at the source's estimated quality, kept within these bounds."""
FORMATS = {"image/png": "PNG", "image/jpeg": "JPEG"}
_IJG_LUMA = np.array([16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55, 14, 13, 16, 24, 40, 57, 69, 56,
                      14, 17, 22, 29, 51, 87, 80, 62, 18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81, 104, 113,
                      92, 49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99], dtype=np.float64)


@dataclass(frozen=True)
class WatermarkResult:
    """``data`` is the marked file when ``embedded``, else the input unchanged; ``reason`` says why not (or what
    was converted to carry the mark)."""

    data: bytes
    embedded: bool
    reason: str | None = None
    psnr_db: float | None = None
    """Pixel fidelity of the marked image against the input (8-bit RGB)."""
    confidence: float | None = None
    """Mean agreement of the blocks voting for each bit, as read back from ``data`` (0–1)."""
    margin: float | None = None
    """Mean distance of the blocks from their quantiser cells' edges, 0 (edge) to 1 (centre): what lets the mark
    survive recompression."""
    passes: int = 0


@dataclass(frozen=True)
class WatermarkReading:
    asset_id: int
    confidence: float
    grid: tuple[int, int]
    """The working grid (width, height) it was read on."""


# -- files -------------------------------------------------------------------------------------------------


def _open(data: bytes) -> Image.Image:
    try:
        image = Image.open(io.BytesIO(data))
        image.load()
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
        raise ProvenanceError(f"the data is not a readable image ({len(data)} bytes): {exc}",
                              hint="pass the encoded PNG or JPEG file") from exc
    return image


def _to_bgr(image: Image.Image) -> NDArray[np.uint8]:
    return np.ascontiguousarray(np.asarray(image.convert("RGB"))[..., ::-1])


def jpeg_quality(image: Image.Image) -> int:
    """The IJG quality, within ``JPEG_QUALITY``, whose luminance table matches the image's; the upper bound when
    the image is not a JPEG."""
    low, high = JPEG_QUALITY
    tables = getattr(image, "quantization", None) or {}
    if image.format != "JPEG" or 0 not in tables:
        return high
    # Compare sorted values: Pillow's table order (zigzag) does not matter for telling qualities apart.
    actual = np.sort(np.asarray(tables[0], dtype=np.float64))
    best, best_err = high, math.inf
    for q in range(1, 101):
        scale = 5000 / q if q < 50 else 200 - 2 * q
        err = float(np.abs(np.sort(np.clip(np.floor((_IJG_LUMA * scale + 50) / 100), 1, 255)) - actual).sum())
        if err < best_err:
            best, best_err = q, err
    return min(high, max(low, best))


def _save(original: Image.Image, marked_rgb: NDArray[np.uint8], alpha: Image.Image | None, fmt: str) -> bytes:
    """Encode like the original: same format, ICC profile, DPI, PNG text / JPEG EXIF and chroma subsampling."""
    image = Image.fromarray(marked_rgb, "RGB")
    if alpha is not None:
        image.putalpha(alpha)
    extra: dict[str, Any] = {k: original.info[k] for k in ("icc_profile", "dpi") if original.info.get(k)}
    buf = io.BytesIO()
    if fmt == "PNG":
        text = PngImagePlugin.PngInfo()
        for key, value in getattr(original, "text", {}).items():
            text.add_text(key, value)
        image.save(buf, "PNG", pnginfo=text, compress_level=6, **extra)
    else:
        sampling = JpegImagePlugin.get_sampling(original) if original.format == "JPEG" else -1
        if original.info.get("exif"):
            extra["exif"] = original.info["exif"]
        image.save(buf, "JPEG", quality=jpeg_quality(original), subsampling=sampling if sampling >= 0 else "4:2:0",
                   progressive=bool(original.info.get("progressive")), optimize=True, **extra)
    return buf.getvalue()


def psnr(a: NDArray[np.uint8], b: NDArray[np.uint8]) -> float:
    """Peak signal-to-noise ratio in dB of two 8-bit images (inf when equal)."""
    mse = float(np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2))
    return math.inf if mse == 0 else 10 * math.log10(255.0**2 / mse)


# -- public API --------------------------------------------------------------------------------------------


def embed(data: bytes, mime: str, asset_id: int) -> WatermarkResult:
    """Mark ``asset_id`` into a PNG or JPEG, re-encoded in the same format.

    Returns ``embedded=False``, the input unchanged and a ``reason`` when the image cannot carry a mark that reads
    back: greyscale, CMYK, 16-bit, animated, too small, mostly pure white/black, or the mark did not survive.
    """
    # 1. Check inputs
    bits = payload_bits(asset_id)
    mime = normalise_mime(mime)
    found = sniff_mime(data)
    if found != mime:
        raise ProvenanceError(f"the data is {found or 'not a known file type'}, not {mime}",
                              hint=f"pass mime='{found}'" if found else "pass the encoded image file")

    def refuse(reason: str) -> WatermarkResult:
        return WatermarkResult(data, False, reason)

    if mime not in FORMATS:
        return refuse(f"only PNG and JPEG images are watermarked, not {mime}")
    if mime == "image/png" and data[12:16] == b"IHDR" and data[24] == 16:
        return refuse("16-bit PNGs are not watermarked (re-encoding would drop them to 8 bits)")
    image = _open(data)
    # 2. Pixels: RGB (alpha kept aside); refuse what a colour mark cannot live in
    if getattr(image, "n_frames", 1) > 1:
        return refuse("animated images are not watermarked")
    note = None
    if image.mode == "P":
        note = "palette image saved as true colour to carry the mark"
        rgb_image = image.convert("RGBA" if "transparency" in image.info else "RGB")
    elif image.mode in ("RGB", "RGBA"):
        rgb_image = image
    elif image.mode in ("L", "LA", "1"):
        return refuse(f"greyscale image ({image.mode}): the mark lives in the colour channels")
    else:
        return refuse(f"{image.mode} images are not watermarked (8-bit RGB or RGBA only)")
    alpha = rgb_image.getchannel("A") if rgb_image.mode == "RGBA" else None
    bgr = _to_bgr(rgb_image)
    h, w = bgr.shape[:2]
    grid = wmcore.canonical_grid(w, h)
    if wmcore.blocks(grid) < PAYLOAD_BITS or w * h < MIN_PIXELS:
        return refuse(f"{w}×{h} px is too small or too elongated to hold the 64-bit mark "
                      f"(working grid {grid[0]}×{grid[1]} has {wmcore.blocks(grid)} blocks)")
    free = wmcore.free_blocks(bgr, grid)
    if free < MIN_FREE_BLOCKS:
        return refuse(f"only {free} of {wmcore.blocks(grid)} blocks can carry the mark: the image is mostly pure "
                      "white, black or fully saturated blue/yellow")
    # 3. Mark until the blocks sit well inside their cells, then encode and read back from the encoded bytes
    current = bgr.astype(np.float32)
    for passes in range(1, MAX_PASSES + 1):
        wmcore.mark_pass(current, bits, grid)
        marked = np.clip(np.rint(current), 0, 255).astype(np.uint8)
        margins = wmcore.margins(marked, grid, bits)
        strong = margins.mean() >= TARGET_MARGIN and np.percentile(margins, 10) >= TARGET_MARGIN_P10
        if not strong and passes < MAX_PASSES:
            continue
        encoded = _save(image, np.ascontiguousarray(marked[..., ::-1]), alpha, FORMATS[mime])
        reading = wmcore.read_scores(marked if mime == "image/png" else _to_bgr(_open(encoded)))
        if reading is not None and reading[0] == asset_id:
            return WatermarkResult(encoded, True, note, round(psnr(bgr, marked), 2), round(reading[1], 3),
                                   round(float(margins.mean()), 3), passes)
    return refuse(f"the mark did not read back after {MAX_PASSES} passes ({w}×{h} px, working grid "
                  f"{grid[0]}×{grid[1]}): the image is too small, too flat or too saturated to carry it")


def read(data: bytes) -> WatermarkReading | None:
    """The Assetline mark in an image file (any format Pillow opens), with its confidence; None when absent."""
    image = _open(data)
    if image.mode in ("L", "LA", "1", "I", "I;16", "F"):
        return None
    found = wmcore.read_scores(_to_bgr(image))
    return WatermarkReading(*found) if found else None


def extract(data: bytes) -> int | None:
    """The asset id marked in an image file, or None when it carries no Assetline mark."""
    reading = read(data)
    return reading.asset_id if reading else None
