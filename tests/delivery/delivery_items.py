"""Small real delivery items for the bundle tests: Pillow-drawn JPEG/PNG ads with English and Arabic copy."""

from __future__ import annotations

import hashlib
import io
from datetime import date
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from assetline.delivery import DeliveryItem, LicensedInput, licence_record
from assetline.spec.common import Licence, LicenceTerms
from assetline.spec.files import resolve_file

BRAND = "Orbit Coffee"
CAMPAIGN = "Spring launch"
HEADLINES = {
    "en": ["Wake up to real espresso", "Your morning, done right"],
    "ar": ["استيقظ على إسبريسو حقيقي", "صباحك كما يجب"],
}
FORMATS = [("meta-feed-1x1", 1080, 1080, "image/jpeg"), ("meta-feed-4x5", 1080, 1350, "image/jpeg"),
           ("meta-stories-9x16", 1080, 1920, "image/png")]
SEGMENTS = [("en-london", "en", "GB"), ("ar-riyadh", "ar", "SA")]
COLOURS = [((31, 58, 95), (214, 140, 69)), ((92, 46, 30), (238, 214, 175))]

PHOTO = LicensedInput("photo", "coffee-cup", "a" * 64, Licence(
    owner="scikit-image contributors", name="CC0-1.0", evidence="https://scikit-image.org/docs/stable/api/skimage.data.html"))
LOGO = LicensedInput("logo", "orbit-mark", "b" * 64, Licence(
    owner="Orbit Coffee Ltd", name="proprietary", terms=LicenceTerms(channels=["meta", "google"])))
FONT = LicensedInput("font", "inter", "c" * 64, Licence(owner="The Inter Project Authors", name="OFL-1.1"))
INPUTS = [PHOTO, LOGO, FONT]


def _font(script: str, px: int) -> ImageFont.FreeTypeFont:
    ref = "fontpkg:noto-sans-arabic" if script == "ar" else "fontpkg:inter"
    font = ImageFont.truetype(str(resolve_file(ref, Path("."))), px, layout_engine=ImageFont.Layout.RAQM)
    return font


def render_ad(width: int, height: int, headline: str, language: str, colours: tuple[tuple[int, int, int], ...],
              mime: str) -> bytes:
    """A plausible ad: two-colour gradient, a disc 'product', the headline set in the right script."""
    top, bottom = colours
    grad = Image.linear_gradient("L").resize((width, height))
    img = Image.composite(Image.new("RGB", (width, height), bottom), Image.new("RGB", (width, height), top), grad)
    draw = ImageDraw.Draw(img)
    r = min(width, height) // 4
    cx, cy = width // 2, int(height * 0.62)
    draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=(250, 246, 240))
    draw.ellipse((cx - r * 0.7, cy - r * 0.7, cx + r * 0.7, cy + r * 0.7), fill=(60, 36, 21))
    font = _font(language, max(24, width // 14))
    direction = "rtl" if language == "ar" else "ltr"
    draw.text((width // 2, int(height * 0.2)), headline, font=font, fill=(255, 255, 255), anchor="mm",
              direction=direction, language=language)
    buf = io.BytesIO()
    img.save(buf, "JPEG" if mime == "image/jpeg" else "PNG", quality=85)
    return buf.getvalue()


def make_items(channel: str = "meta") -> list[DeliveryItem]:
    """12 items: 3 formats × 2 segments (English/London, Arabic/Riyadh) × 2 variants."""
    items = []
    asset_id = 100
    for format_id, width, height, mime in FORMATS:
        for segment, language, territory in SEGMENTS:
            for variant in (1, 2):
                asset_id += 1
                headline = HEADLINES[language][variant - 1]
                data = render_ad(width, height, headline, language, COLOURS[variant - 1], mime)
                items.append(DeliveryItem(
                    asset_id=asset_id, revision=1 + (asset_id % 2), campaign="spring_launch", concept="espresso",
                    segment=segment, format_id=format_id, channel=channel, width=width, height=height, mime=mime,
                    data=data, copy={"headline": headline, "body": "Fresh beans, roasted weekly.", "cta": "Order now"},
                    language=language, territory=territory, approved_by=["dana@orbit.example"],
                    content_sha256=hashlib.sha256(data).hexdigest(), watermark_id=4000 + asset_id,
                    source_type="algorithmicMedia", licences=[licence_record(i) for i in INPUTS],
                    lineage={"cell": f"espresso/{segment}/{format_id}/v{variant}", "engine": "builtin.compose@1"},
                    variant=variant))
    return items


USE_DATE = date(2026, 3, 1)
