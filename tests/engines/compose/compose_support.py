"""Shared test data and independent checks for the layout composer tests (imported by conftest and tests).

The checks here re-measure a composed ad from its pixels — they never call the composer's own contrast or
layout code — so they can catch the composer's mistakes.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from assetline.engines.base import CopyResult
from assetline.spec import ChannelFormat

KIT = Path(__file__).resolve().parents[3] / "src" / "assetline" / "examples" / "orbit-coffee" / "brand.yaml"

ENGLISH = CopyResult(
    fields={
        "headline": "Fuel your morning launch",
        "body": "Small-batch coffee, roasted this week in London.",
        "cta": "Order now",
    },
    language="en",
    direction="ltr",
    alternatives={
        "headline": [
            "Lift-off in every cup",
            "Fuel your morning launch",
            "Every great day starts with a launch",
        ],
        "body": [
            "Freshly roasted beans, delivered across London.",
            "Small-batch coffee, roasted this week in London.",
        ],
        "cta": ["Order now", "Start your order"],
    },
)
ARABIC = CopyResult(
    fields={
        "headline": "ابدأ صباحك بانطلاقة",
        "body": "قهوة محمّصة طازجة هذا الأسبوع في دبي.",
        "cta": "اطلب الآن",
    },
    language="ar",
    direction="rtl",
)
HINDI = CopyResult(
    fields={"headline": "अपनी सुबह को उड़ान दें", "body": "मुंबई में इसी हफ़्ते भुनी ताज़ा कॉफ़ी।", "cta": "अभी ऑर्डर करें"},
    language="hi",
    direction="ltr",
)


def flat(size: tuple[int, int], colour: tuple[int, int, int]) -> Image.Image:
    return Image.new("RGB", size, colour)


def gradient(
    size: tuple[int, int], start: tuple[int, int, int], end: tuple[int, int, int], vertical: bool = True
) -> Image.Image:
    w, h = size
    t = (
        np.linspace(0.0, 1.0, h if vertical else w)[:, None]
        if vertical
        else np.linspace(0.0, 1.0, w)[None, :]
    )
    a, b = np.array(start, dtype=np.float64), np.array(end, dtype=np.float64)
    rows = a + (b - a) * t[..., None]
    img = np.broadcast_to(rows, (h, w, 3)).astype(np.uint8)
    return Image.fromarray(np.ascontiguousarray(img), "RGB")


BACKGROUNDS: dict[str, Callable[[tuple[int, int]], Image.Image]] = {
    "light": lambda s: flat(s, (242, 238, 230)),
    "dark": lambda s: flat(s, (24, 26, 33)),
    "light-to-dark": lambda s: gradient(s, (250, 246, 238), (30, 34, 48)),
    "dusk": lambda s: gradient(s, (40, 52, 90), (214, 140, 96), vertical=False),
}


# ---------------------------------------------------------------- independent checks of a composed ad
TEXT_KINDS = ("headline", "body", "cta", "legal")
SOLID_KINDS = ("headline", "body", "cta", "legal", "logo", "button")


def _luminance(px: np.ndarray) -> np.ndarray:
    c = px[..., :3].astype(np.float64) / 255.0
    lin = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    return 0.2126 * lin[..., 0] + 0.7152 * lin[..., 1] + 0.0722 * lin[..., 2]


def _hex(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def _intersects(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> bool:
    return min(a[2], b[2]) > max(a[0], b[0]) and min(a[3], b[3]) > max(a[1], b[1])


def _inside(inner: tuple[int, int, int, int], outer: tuple[int, int, int, int]) -> bool:
    return inner[0] >= outer[0] and inner[1] >= outer[1] and inner[2] <= outer[2] and inner[3] <= outer[3]


def glyph_mask(size: tuple[int, int], element: Any) -> np.ndarray:
    """Re-render an element's text straight with Pillow (raqm) from its recorded font, lines and origins."""
    from PIL import ImageDraw, ImageFont

    ex = element.extra
    font = ImageFont.truetype(ex["font_file"], element.font_px, layout_engine=ImageFont.Layout.RAQM)
    if ex["font_axes"]:
        font.set_variation_by_axes(ex["font_axes"])
    mask = Image.new("L", size, 0)
    draw = ImageDraw.Draw(mask)
    for line, origin in zip(ex["lines"], ex["origins"], strict=True):
        draw.text(
            tuple(origin),
            line,
            font=font,
            fill=255,
            anchor="ls",
            direction=ex["direction"],
            language=ex["language"],
        )
    return np.asarray(mask)


def pixel_contrast(image: Image.Image, element: Any) -> float:
    """Worst contrast between the text colour and every rendered background pixel inside the element's box
    that is not within one pixel of a glyph (found by re-rendering the text on a mask)."""
    from scipy.ndimage import binary_dilation

    px = np.asarray(image.convert("RGB"))
    mask = glyph_mask(image.size, element)
    x0, t, r, b = element.box
    ys, xs = np.nonzero(mask)
    assert xs.size, f"{element.kind}: re-rendered text has no pixels"
    ink = (int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1)
    assert _inside(ink, element.box), f"{element.kind}: glyph ink {ink} outside recorded box {element.box}"
    colour = _hex(element.colour)
    core = mask == 255
    if core.any():
        diff = np.abs(px[core].astype(int) - np.array(colour)).max(axis=1)
        assert (diff <= 1).mean() > 0.95, f"{element.kind}: glyph pixels are not the recorded colour"
    near = binary_dilation(mask > 0, iterations=1)
    region = px[t:b, x0:r]
    background = region[~near[t:b, x0:r]]
    assert background.size, f"{element.kind}: no background pixels in its box"
    lb = _luminance(background)
    lt = float(_luminance(np.array(colour, dtype=np.uint8)))
    hi, lo = np.maximum(lb, lt), np.minimum(lb, lt)
    return float(((hi + 0.05) / (lo + 0.05)).min())


def required(element: Any) -> float:
    if element.kind == "legal":  # read closely: normal-text AA at any size
        return 4.5
    bold = element.extra["font_weight"] >= 700
    return 3.0 if element.font_px >= 24 or (bold and element.font_px >= 18.66) else 4.5


def check_composition(result: Any, fmt: ChannelFormat) -> None:
    """Everything a creative director and the QC gates rely on, measured independently."""
    image = result.image
    assert image.size == fmt.size and image.mode == "RGB"
    elements = list(result.elements)
    kinds = [e.kind for e in elements]
    assert "headline" in kinds, result.warnings
    w, h = fmt.size
    sz = fmt.safe_zone
    safe = (sz.left, sz.top, w - sz.right, h - sz.bottom)
    solid = [e for e in elements if e.kind in SOLID_KINDS]
    for e in solid:
        x0, t, r, b = e.box
        assert x0 < r and t < b, f"{e.kind}: empty box {e.box}"
        assert _inside(e.box, (0, 0, w, h)), f"{e.kind} {e.box} leaves the {w}×{h} canvas"
        assert _inside(e.box, safe), f"{e.kind} {e.box} enters the safe zone {safe}"
    buttons = [e for e in elements if e.kind == "button"]
    for i, a in enumerate(solid):
        for b_ in solid[i + 1 :]:
            pair = {a.kind, b_.kind}
            if pair == {"cta", "button"}:
                cta, button = (a, b_) if a.kind == "cta" else (b_, a)
                assert _inside(cta.box, button.box), f"CTA {cta.box} not inside its button {button.box}"
                continue
            assert not _intersects(a.box, b_.box), f"{a.kind} {a.box} overlaps {b_.kind} {b_.box}"
    if "cta" in kinds:
        assert len(buttons) == 1
    for logo in (e for e in elements if e.kind == "logo"):
        c = logo.extra["clear_space_px"]
        zone = (logo.box[0] - c, logo.box[1] - c, logo.box[2] + c, logo.box[3] + c)
        for other in solid:
            if other is not logo:
                assert not _intersects(zone, other.box), (
                    f"{other.kind} {other.box} inside the logo's clear space"
                )
        assert logo.extra["logo_id"]
    for e in elements:
        if e.kind in TEXT_KINDS:
            assert e.text and e.font_px and e.colour and e.contrast is not None
            measured = pixel_contrast(image, e)
            assert measured >= required(e), f"{e.kind} '{e.text}' contrast {measured:.2f} < {required(e)}"
            assert measured >= e.contrast - 1e-6, f"{e.kind}: recorded contrast {e.contrast} above measured"
