"""Inputs for image-to-image workflows: the product photo fitted on a canvas, and the mask to paint.

    canvas = outpaint_canvas(photo, 1080, 1920, reserved=((80, 1500, 1000, 1800),), fill=0.9,
                             background=(247, 241, 229))
    canvas.image        # RGB 1080 × 1920: the photo, whole, scaled to fit, on the brand background colour
    canvas.mask         # L: 255 where the workflow paints (around the photo), 0 on the photo
    canvas.photo_box    # where the photo sits, for the composer's subject box

The photo is placed where it overlaps the composer's reserved boxes (headline, CTA, logo …) least, among
the centre and the eight edge/corner positions; the centre wins ties. ``variation`` n > 0 takes the n-th best
position (a reviewer asked for a new image). Without a photo the canvas is plain background and the mask is
all "paint". Inside reserved boxes (outside the photo) the mask is ``reserved_level`` × 255: below 1 it asks a
soft-mask workflow to keep those areas close to the calm background colour.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageOps

from assetline.engines.base import Box


@dataclass(frozen=True)
class Canvas:
    image: Image.Image
    mask: Image.Image
    photo_box: Box | None


def outpaint_canvas(photo: Path | None, width: int, height: int, *, reserved: tuple[Box, ...] = (),
                    fill: float = 1.0, background: tuple[int, int, int] = (255, 255, 255),
                    reserved_level: float = 1.0, variation: int = 0) -> Canvas:
    """The canvas and mask for a width × height render (see the module docstring)."""
    image = Image.new("RGB", (width, height), background)
    mask = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(mask)
    level = round(255 * min(1.0, max(0.0, reserved_level)))
    if level < 255:
        for box in reserved:
            draw.rectangle((box[0], box[1], box[2] - 1, box[3] - 1), fill=level)
    if photo is None:
        return Canvas(image, mask, None)
    with Image.open(photo) as src:
        src.load()
        picture = ImageOps.exif_transpose(src).convert("RGB")
    scale = min(width / picture.width, height / picture.height) * fill
    pw, ph = max(1, round(picture.width * scale)), max(1, round(picture.height * scale))
    picture = picture.resize((pw, ph), Image.Resampling.LANCZOS)
    candidates = _positions(width, height, pw, ph)
    ranked = sorted(range(len(candidates)), key=lambda i: (_overlap(candidates[i], reserved), i))
    box = candidates[ranked[variation % len(ranked)]]
    image.paste(picture, box[:2])
    draw.rectangle((box[0], box[1], box[2] - 1, box[3] - 1), fill=0)
    return Canvas(image, mask, box)


def _positions(width: int, height: int, pw: int, ph: int) -> list[Box]:
    xs = [(width - pw) // 2, 0, width - pw]
    ys = [(height - ph) // 2, 0, height - ph]
    seen: list[Box] = []
    for y in ys:
        for x in xs:
            box = (x, y, x + pw, y + ph)
            if box not in seen:
                seen.append(box)
    return seen


def _overlap(box: Box, reserved: tuple[Box, ...]) -> int:
    total = 0
    for r in reserved:
        w = min(box[2], r[2]) - max(box[0], r[0])
        h = min(box[3], r[3]) - max(box[1], r[1])
        total += max(0, w) * max(0, h)
    return total
