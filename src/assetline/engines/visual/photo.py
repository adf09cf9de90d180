"""Render a photo into the output canvas following a CropPlan: resample well, extend gracefully.

- Resampling is Lanczos from the source window straight to the output size. When the photo is enlarged,
  a gentle unsharp mask is applied at *source* resolution first (radius ≈ 1 source pixel): it restores the
  crispness Lanczos softens, costs a fraction of sharpening the large result, and keeps halos small.
- In extend mode (crop.py) the canvas around the photo is filled with the same photo, mapped by the same
  transform, its edge pixels stretched beyond its borders and heavily blurred, then toned toward the
  brand's field colour (more so further from the photo). Because the extension is the photo's own
  continuation, the sharp photo is feathered into it without a seam: it reads as depth of field, not as a
  box pasted on a blur.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image, ImageFilter, ImageOps

from assetline.engines.visual.colour import F32
from assetline.engines.visual.crop import CropPlan

_EXT_REDUCE = 8  # the extension is computed at 1/8 of the output size (it is a blur anyway)


def load_photo(path: Path) -> Image.Image:
    """Open a photo as RGB, honouring its EXIF orientation."""
    with Image.open(path) as img:
        img.load()
        return ImageOps.exif_transpose(img).convert("RGB")


def render_photo(image: Image.Image, plan: CropPlan, width: int, height: int, tone: F32) -> Image.Image:
    """The photo placed per ``plan`` on a width × height canvas; ``tone`` (sRGB 0..1) tints the extension."""
    px0, py0, px1, py1 = plan.photo_box
    pw, ph = px1 - px0, py1 - py0
    box = plan.crop_box
    if plan.scale > 1.25:  # sharpen just the window (plus the resampling filter's reach), at source size
        sw, sh = image.size
        x0, y0 = max(0, int(box[0]) - 4), max(0, int(box[1]) - 4)
        x1, y1 = min(sw, int(np.ceil(box[2])) + 4), min(sh, int(np.ceil(box[3])) + 4)
        radius = 1.0 if plan.scale < 2.5 else 1.4
        sharpen = ImageFilter.UnsharpMask(radius=radius, percent=70, threshold=2)
        window = image.crop((x0, y0, x1, y1)).filter(sharpen)
        photo = window.resize((pw, ph), Image.Resampling.LANCZOS,
                              box=(box[0] - x0, box[1] - y0, box[2] - x0, box[3] - y0))
    else:
        photo = image.resize((pw, ph), Image.Resampling.LANCZOS, box=box)
    if plan.mode == "cover" and (pw, ph) == (width, height):
        return photo
    canvas = extension(image, plan, width, height, tone)
    canvas.paste(photo, (px0, py0), feather_mask(plan.photo_box, width, height))
    return canvas


def extension(image: Image.Image, plan: CropPlan, width: int, height: int, tone: F32) -> Image.Image:
    """The blurred continuation of the photo (edges stretched outward) over the whole canvas."""
    ew, eh = max(4, -(-width // _EXT_REDUCE)), max(4, -(-height // _EXT_REDUCE))
    # Work from a small copy of the photo: the extension carries no detail.
    sw, sh = image.size
    q = min(1.0, (plan.scale / _EXT_REDUCE) * 2.0)
    small = image
    if q < 1:
        small = image.resize((max(2, round(sw * q)), max(2, round(sh * q))), Image.Resampling.BILINEAR)
    qx, qy = small.size[0] / sw, small.size[1] / sh
    # The canvas in source coordinates, by the plan's transform.
    cx0, cy0 = plan.crop_box[0], plan.crop_box[1]
    s = plan.scale
    left, top = cx0 - plan.photo_box[0] / s, cy0 - plan.photo_box[1] / s
    right, bottom = left + width / s, top + height / s
    pad_l = max(0, int(np.ceil(-left * qx)) + 2)
    pad_t = max(0, int(np.ceil(-top * qy)) + 2)
    pad_r = max(0, int(np.ceil((right - sw) * qx)) + 2)
    pad_b = max(0, int(np.ceil((bottom - sh) * qy)) + 2)
    arr = np.pad(np.asarray(small), ((pad_t, pad_b), (pad_l, pad_r), (0, 0)), mode="edge")
    padded = Image.fromarray(arr)
    box = (left * qx + pad_l, top * qy + pad_t, right * qx + pad_l, bottom * qy + pad_t)
    ext = padded.resize((ew, eh), Image.Resampling.BILINEAR, box=box)
    ext = ext.filter(ImageFilter.GaussianBlur(radius=max(2.0, 0.035 * max(ew, eh))))
    # Quieten it: darker and toward the brand's field colour, more so the further from the photo, so the
    # photo stays the hero and the open space reads as a designed field for the copy.
    x0, y0, x1, y1 = plan.photo_box
    cx = (np.arange(ew, dtype=np.float32) + 0.5) * np.float32(width / ew)
    cy = (np.arange(eh, dtype=np.float32) + 0.5) * np.float32(height / eh)
    dx = np.maximum(np.maximum(x0 - cx, cx - x1), 0.0)[None, :]
    dy = np.maximum(np.maximum(y0 - cy, cy - y1), 0.0)[:, None]
    reach = max(1.0, float(max(x0, width - x1, y0, height - y1)))
    t = np.clip(np.sqrt(dx * dx + dy * dy) / np.float32(reach), 0.0, 1.0)
    a = (np.float32(0.22) + np.float32(0.6) * t * t * (3 - 2 * t))[..., None]
    toned = np.asarray(ext, dtype=np.float32) * (1 - a)
    toned += np.asarray(tone, dtype=np.float32) * np.float32(255) * a
    ext = Image.fromarray(np.clip(toned + 0.5, 0, 255).astype(np.uint8))
    return ext.resize((width, height), Image.Resampling.BICUBIC)


def feather_mask(photo_box: tuple[int, int, int, int], width: int, height: int) -> Image.Image:
    """An 8-bit alpha for the photo: opaque, fading out over ~12 % along each edge inside the canvas."""
    x0, y0, x1, y1 = photo_box
    pw, ph = x1 - x0, y1 - y0
    fx = max(2.0, 0.12 * pw)
    fy = max(2.0, 0.12 * ph)
    ax = np.ones(pw, dtype=np.float32)
    ay = np.ones(ph, dtype=np.float32)
    ramp_x = (np.arange(pw, dtype=np.float32) + 0.5) / np.float32(fx)
    ramp_y = (np.arange(ph, dtype=np.float32) + 0.5) / np.float32(fy)
    if x0 > 0:
        ax = np.minimum(ax, ramp_x)
    if x1 < width:
        ax = np.minimum(ax, ramp_x[::-1])
    if y0 > 0:
        ay = np.minimum(ay, ramp_y)
    if y1 < height:
        ay = np.minimum(ay, ramp_y[::-1])
    ax, ay = np.clip(ax, 0, 1), np.clip(ay, 0, 1)
    ax, ay = ax * ax * (3 - 2 * ax), ay * ay * (3 - 2 * ay)
    return Image.fromarray((ay[:, None] * ax[None, :] * 255 + 0.5).astype(np.uint8))
