"""Pixel helpers shared by the image checks: RGB arrays, thumbnails, boxes, busy-pixel maps."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
from numpy.typing import NDArray
from PIL import Image

from assetline.engines.base import Box, Element

U8 = NDArray[np.uint8]
TEXT_KINDS = ("headline", "body", "cta")


def to_rgb_image(image: Image.Image, matte: tuple[int, int, int] = (255, 255, 255)) -> Image.Image:
    """The image as 8-bit RGB; transparency is composited over ``matte`` (white by default)."""
    if image.mode == "RGB":
        return image
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        base = Image.new("RGB", rgba.size, matte)
        base.paste(rgba, mask=rgba.getchannel("A"))
        return base
    if image.mode.startswith("I;16") or image.mode in ("I", "F"):
        arr = np.asarray(image, dtype=np.float64)
        top = 65535.0 if image.mode.startswith("I;16") or arr.max() > 255 else 255.0
        grey = Image.fromarray(np.clip(arr / top * 255.0 + 0.5, 0, 255).astype(np.uint8))
        return grey.convert("RGB")
    return image.convert("RGB")


def rgb_array(image: Image.Image) -> U8:
    return np.asarray(to_rgb_image(image), dtype=np.uint8)


def thumbnail(image: Image.Image, max_side: int) -> tuple[U8, float]:
    """An area-averaged RGB copy whose longer side is at most ``max_side``, and its scale (thumb / full)."""
    rgb = to_rgb_image(image)
    w, h = rgb.size
    scale = min(1.0, max_side / max(w, h))
    if scale < 1.0:
        size = (max(1, round(w * scale)), max(1, round(h * scale)))
        factor = max(w, h) // max_side
        if factor >= 2 and w % factor == 0 and h % factor == 0 and max(w, h) // factor == max_side:
            rgb = rgb.reduce(factor)  # exact block means, several times faster than resize
        else:
            rgb = rgb.resize(size, Image.Resampling.BOX, reducing_gap=2.0)
    return np.asarray(rgb, dtype=np.uint8), scale


def clip_box(box: Iterable[float], width: int, height: int) -> Box:
    left, top, right, bottom = (round(v) for v in box)
    return (
        max(0, min(left, width)),
        max(0, min(top, height)),
        max(0, min(right, width)),
        max(0, min(bottom, height)),
    )


def scale_box(box: Iterable[float], scale: float) -> tuple[float, float, float, float]:
    left, top, right, bottom = box
    return (left * scale, top * scale, right * scale, bottom * scale)


def box_area(box: Box) -> int:
    return max(0, box[2] - box[0]) * max(0, box[3] - box[1])


def intersect(a: Box, b: Box) -> Box | None:
    box = (max(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), min(a[3], b[3]))
    return box if box[0] < box[2] and box[1] < box[3] else None


def elements_of(elements: Iterable[Element] | None, *kinds: str) -> list[Element]:
    return [e for e in (elements or ()) if e.kind in kinds]


def luma(rgb: NDArray[np.generic]) -> NDArray[np.float64]:
    """Rec. 601 luma in 0–255 (for detection, not for WCAG)."""
    arr = np.asarray(rgb, dtype=np.float64)
    return np.asarray(arr @ np.array([0.299, 0.587, 0.114]), dtype=np.float64)
