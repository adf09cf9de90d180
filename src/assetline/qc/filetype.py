"""What an encoded image file really is, read from its bytes (never from its name).

``sniff`` names the container by its magic number; ``encoding`` reads what the channel specs care about
from the header: colour model, bit depth, alpha and the embedded ICC profile's description.
"""

from __future__ import annotations

import io
import struct
from dataclasses import dataclass

from PIL import Image

MAGIC: tuple[tuple[bytes, int, str], ...] = (
    (b"\xff\xd8\xff", 0, "jpeg"),
    (b"\x89PNG\r\n\x1a\n", 0, "png"),
    (b"GIF87a", 0, "gif"),
    (b"GIF89a", 0, "gif"),
    (b"WEBP", 8, "webp"),
    (b"BM", 0, "bmp"),
    (b"II*\x00", 0, "tiff"),
    (b"MM\x00*", 0, "tiff"),
    (b"ftypavif", 4, "avif"),
    (b"ftypheic", 4, "heic"),
    (b"ftypmif1", 4, "heic"),
    (b"%PDF", 0, "pdf"),
)


def sniff(data: bytes) -> str | None:
    """'jpeg', 'png', 'gif', 'webp', 'bmp', 'tiff', 'avif', 'heic', 'pdf', or None when unknown."""
    for magic, offset, name in MAGIC:
        if data[offset : offset + len(magic)] == magic:
            if name == "webp" and data[:4] != b"RIFF":
                continue
            return name
    return None


@dataclass(frozen=True)
class Encoding:
    file_type: str | None
    mode: str
    """Pillow's mode after opening ('RGB', 'RGBA', 'L', 'P', 'CMYK', 'I;16' …)."""
    bits: int
    """Bits per channel as stored."""
    channels: int
    has_alpha: bool
    icc_description: str | None


def _png_ihdr(data: bytes) -> tuple[int, int] | None:
    """(bit depth, colour type) from a PNG header."""
    if len(data) < 26 or data[12:16] != b"IHDR":
        return None
    return data[24], data[25]


def _jpeg_sof(data: bytes) -> tuple[int, int] | None:
    """(precision, components) from the first JPEG start-of-frame marker."""
    i = 2
    while i + 9 < len(data):
        if data[i] != 0xFF:
            i += 1
            continue
        marker = data[i + 1]
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
            i += 2
            continue
        (length,) = struct.unpack(">H", data[i + 2 : i + 4])
        if marker in (0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF):
            return data[i + 4], data[i + 9]
        i += 2 + length
    return None


def _icc_description(profile: bytes | None) -> str | None:
    if not profile:
        return None
    try:
        from PIL import ImageCms

        return str(ImageCms.getProfileDescription(ImageCms.ImageCmsProfile(io.BytesIO(profile)))).strip()
    except Exception:  # an unreadable profile is reported as such, not fatal
        return "unreadable ICC profile"


def encoding(data: bytes, image: Image.Image | None = None) -> Encoding:
    """Colour model, depth and alpha of the encoded ``data`` (``image`` = the same bytes, opened)."""
    img = image if image is not None else Image.open(io.BytesIO(data))
    kind = sniff(data)
    bits, channels = 8, len(img.getbands())
    if kind == "png" and (ihdr := _png_ihdr(data)) is not None:
        bits = ihdr[0]
        channels = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}.get(ihdr[1], channels)
    elif kind == "jpeg" and (sof := _jpeg_sof(data)) is not None:
        bits, channels = sof
    elif img.mode.startswith("I;16") or img.mode == "I":
        bits = 16
    has_alpha = img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info)
    return Encoding(kind, img.mode, bits, channels, has_alpha, _icc_description(img.info.get("icc_profile")))
