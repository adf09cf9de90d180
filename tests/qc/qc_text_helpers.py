"""Builders shared by the copy/originality/homogenisation tests: a brand kit, ad-like images, edits."""

from __future__ import annotations

import io
from functools import cache
from typing import Any

import numpy as np
from PIL import Image, ImageDraw, ImageEnhance, ImageFont
from skimage import data

from assetline.qc.base import AssetUnderCheck
from assetline.spec.brand import BrandKit
from assetline.spec.campaign import Segment

PHOTOS = (
    "coffee",
    "rocket",
    "astronaut",
    "chelsea",
    "camera",
    "immunohistochemistry",
    "hubble_deep_field",
    "coins",
    "moon",
    "page",
)


def brand(**voice: Any) -> BrandKit:
    """The Orbit Coffee voice by default; keyword arguments replace voice fields."""
    v: dict[str, Any] = {
        "banned_terms": ["cheap", "world's best", "miracle"],
        "banned_claims": ["cures", "guaranteed weight loss", "clinically proven"],
        "required_disclaimers": [
            {"text": "Offer valid while stocks last.", "segments": ["*"]},
            {"text": "Alcohol-free. 18+ only.", "segments": ["uk-adults"], "languages": ["en"]},
        ],
        "reading_grade_max": 8,
        "max_exclamations": 1,
    }
    v.update(voice)
    return BrandKit.model_validate(
        {
            "id": "orbit-coffee",
            "name": "Orbit Coffee",
            "palette": [{"name": "navy", "hex": "#14213D"}],
            "typography": {"headline": {"file": "fontpkg:inter"}, "body": {"file": "fontpkg:inter"}},
            "voice": v,
        }
    )


SEGMENTS = {
    "london": Segment(id="london", language="en", city="London"),
    "uk-adults": Segment(id="uk-adults", language="en", city="London"),
    "dubai": Segment(id="dubai", language="ar", city="دبي"),
    "mumbai": Segment(id="mumbai", language="hi", city="मुंबई"),
}

BLANK = Image.new("RGB", (16, 16), "white")


def copy_asset(
    copy: dict[str, str],
    segment: str = "london",
    kit: BrandKit | None = None,
    fmt: Any = None,
    asset_id: str | None = None,
) -> AssetUnderCheck:
    seg = SEGMENTS[segment]
    return AssetUnderCheck(
        image=BLANK,
        brand=kit or brand(),
        format=fmt,
        copy=copy,
        segment=seg,
        language=seg.language,
        asset_id=asset_id,
    )


@cache
def photo(name: str, size: int = 540) -> Image.Image:
    return Image.fromarray(getattr(data, name)()).convert("RGB").resize((size, size))


def ad(
    name: str,
    text: str = "Fuel your morning launch",
    *,
    pos: tuple[int, int] = (30, 350),
    size: int = 540,
    bar: tuple[int, int, int] | None = None,
) -> Image.Image:
    """An ad-like image: a photo, optionally a colour bar, and a headline."""
    im = photo(name, size).copy()
    draw = ImageDraw.Draw(im)
    if bar is not None:
        draw.rectangle((0, int(size * 0.75), size, size), fill=bar)
    draw.text(pos, text, font=ImageFont.load_default(size=size // 12), fill=(255, 255, 255))
    return im


def jpeg(im: Image.Image, quality: int = 60) -> Image.Image:
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=quality)
    return Image.open(io.BytesIO(buf.getvalue())).convert("RGB")


def hue_shift(im: Image.Image, degrees: float) -> Image.Image:
    h, s, v = im.convert("HSV").split()
    h = h.point(lambda x: (x + int(degrees * 255 / 360)) % 256)
    return Image.merge("HSV", (h, s, v)).convert("RGB")


def near_copies(im: Image.Image) -> dict[str, Image.Image]:
    """Edits that keep an image near-identical: re-encoding, resizing, mild recolouring, mirroring."""
    w, h = im.size
    return {
        "jpeg-q50": jpeg(im, 50),
        "resized-60%": im.resize((int(w * 0.6), int(h * 0.6)), Image.Resampling.LANCZOS),
        "upscaled-jpeg": jpeg(im.resize((w * 2, h * 2)), 80),
        "brighter": ImageEnhance.Brightness(im).enhance(1.08),
        "desaturated": ImageEnhance.Color(im).enhance(0.75),
        "hue+12": hue_shift(im, 12),
        "tinted": Image.blend(im, Image.new("RGB", im.size, (255, 140, 0)), 0.1),
        "mirrored": im.transpose(Image.Transpose.FLIP_LEFT_RIGHT),
    }


def gradient(
    c1: tuple[int, int, int], c2: tuple[int, int, int], size: int = 256, angle: int = 0
) -> Image.Image:
    y, x = np.mgrid[0:size, 0:size] / (size - 1)
    t = x if angle == 0 else y if angle == 90 else (x + y) / 2
    arr = np.array(c1)[None, None] * (1 - t[..., None]) + np.array(c2)[None, None] * t[..., None]
    return Image.fromarray(arr.astype(np.uint8))
