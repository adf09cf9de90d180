"""Pixel-space helpers for layout-guided generation and outpainting (numpy + Pillow, no torch).

- ``calm_plate``: a smooth vertical gradient in the brand's background → primary colours. It is what the
  reserved areas (where the composer sets headline, body, CTA, legal line and logo) look like: encoded with the
  VAE its latents replace the masked latents while denoising, and after decoding it is composited back into the
  boxes with a feathered edge, so those areas are provably calm whatever the checkpoint paints.
- ``soft_box_mask``: 1 inside the boxes, falling linearly to 0 over ``feather`` pixels outside them.
- ``place_photo``: where a product photo goes for outpainting: fitted inside the canvas without cropping
  (contain × ``fill``), at the position overlapping the reserved boxes least (ties: nearest the centre).
- ``paste_photo``: the exact scaled source pixels inside the photo box, with a short feather only outside it.
- ``control_image``: the ControlNet condition drawn from the boxes: black, boxes filled with ADE20K's "wall"
  colour (120, 120, 120), which a segmentation ControlNet (e.g. control_v11p_sd15_seg) renders as a plain wall.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray
from PIL import Image

from assetline.engines.base import Box
from assetline.spec.brand import BrandKit
from assetline.spec.common import hex_to_rgb

F32 = NDArray[np.float32]
RGB = tuple[int, int, int]
WALL = (120, 120, 120)
"""ADE20K segmentation colour of class 'wall'."""
PLATE_MIX = 0.3
"""The plate's bottom colour: background mixed with this much primary (a gentle, not a bold, gradient)."""


def plate_colours(brand: BrandKit) -> tuple[RGB, RGB]:
    """(top, bottom) of the calm plate: the background colour (else the first) → towards the primary."""
    background = brand.colour("background") or brand.palette[0]
    primary = brand.colour("primary") or background
    top, other = hex_to_rgb(background.hex), hex_to_rgb(primary.hex)
    bottom = tuple(round(a + (b - a) * PLATE_MIX) for a, b in zip(top, other, strict=True))
    return top, (bottom[0], bottom[1], bottom[2])


def calm_plate(width: int, height: int, top: RGB, bottom: RGB) -> Image.Image:
    """A vertical linear gradient from ``top`` to ``bottom`` (a flat fill when they are equal)."""
    t = np.linspace(0.0, 1.0, height, dtype=np.float32)[:, None, None]
    a, b = np.array(top, np.float32), np.array(bottom, np.float32)
    rows = np.rint(a + (b - a) * t).astype(np.uint8)
    return Image.fromarray(np.broadcast_to(rows, (height, width, 3)).copy(), "RGB")


def soft_box_mask(width: int, height: int, boxes: Sequence[Box], feather: float) -> F32:
    """height × width float mask: 1 inside any box, 1 - d/feather at distance d outside (0 past the feather)."""
    mask = np.zeros((height, width), np.float32)
    xs = np.arange(width, dtype=np.float32) + 0.5
    ys = np.arange(height, dtype=np.float32) + 0.5
    for left, top, right, bottom in boxes:
        dx = np.maximum(np.maximum(left - xs, xs - right), 0.0)[None, :]
        dy = np.maximum(np.maximum(top - ys, ys - bottom), 0.0)[:, None]
        dist = np.sqrt(dx * dx + dy * dy)
        alpha = (dist == 0).astype(np.float32) if feather <= 0 else np.clip(1.0 - dist / feather, 0.0, 1.0)
        np.maximum(mask, alpha, out=mask)
    return mask


def scale_boxes(boxes: Sequence[Box], sx: float, sy: float) -> list[Box]:
    """Boxes mapped by (sx, sy), rounded outward so a scaled box still covers what it covered."""
    out: list[Box] = []
    for left, top, right, bottom in boxes:
        out.append((int(np.floor(left * sx)), int(np.floor(top * sy)),
                    int(np.ceil(right * sx)), int(np.ceil(bottom * sy))))
    return out


def clip_boxes(boxes: Sequence[Box], width: int, height: int) -> list[Box]:
    """Boxes clipped to the canvas; empty ones dropped."""
    out: list[Box] = []
    for left, top, right, bottom in boxes:
        box = (max(0, left), max(0, top), min(width, right), min(height, bottom))
        if box[2] > box[0] and box[3] > box[1]:
            out.append(box)
    return out


def place_photo(photo_size: tuple[int, int], width: int, height: int, reserved: Sequence[Box],
                fill: float) -> Box:
    """The photo's box on a width × height canvas: never cropped, as large as ``fill`` × contain allows, at the
    position overlapping ``reserved`` least (nearest the centre among equals)."""
    sw, sh = photo_size
    scale = min(width / sw, height / sh) * fill
    pw, ph = max(1, min(width, round(sw * scale))), max(1, min(height, round(sh * scale)))
    steps = 17
    xs = sorted({round(i * (width - pw) / (steps - 1)) for i in range(steps)})
    ys = sorted({round(i * (height - ph) / (steps - 1)) for i in range(steps)})
    cx, cy = (width - pw) / 2, (height - ph) / 2

    def cost(x: int, y: int) -> tuple[int, float]:
        overlap = sum(max(0, min(x + pw, r) - max(x, lt)) * max(0, min(y + ph, b) - max(y, t))
                      for lt, t, r, b in reserved)
        return overlap, (x - cx) ** 2 + (y - cy) ** 2

    x, y = min(((x, y) for y in ys for x in xs), key=lambda p: cost(*p))
    return x, y, x + pw, y + ph


def scaled_photo(photo: Image.Image, box: Box) -> Image.Image:
    """The source photo resized (Lanczos) to ``box``'s size: exactly what ``paste_photo`` leaves inside it."""
    return photo.convert("RGB").resize((box[2] - box[0], box[3] - box[1]), Image.Resampling.LANCZOS)


def paste_photo(canvas: Image.Image, photo: Image.Image, box: Box, feather: int) -> Image.Image:
    """``canvas`` with the scaled photo inside ``box`` (exact pixels) and its edge pixels extended and faded over
    ``feather`` pixels outside the box, hiding the seam without touching the photo."""
    width, height = canvas.size
    small = np.asarray(scaled_photo(photo, box), np.float32)
    left, top, right, bottom = box
    pad = max(0, int(feather))
    x0, y0, x1, y1 = max(0, left - pad), max(0, top - pad), min(width, right + pad), min(height, bottom + pad)
    extended = np.pad(small, ((top - y0, y1 - bottom), (left - x0, x1 - right), (0, 0)), mode="edge")
    alpha = soft_box_mask(x1 - x0, y1 - y0, [(left - x0, top - y0, right - x0, bottom - y0)], float(pad))
    base = np.asarray(canvas.convert("RGB"), np.float32).copy()
    region = base[y0:y1, x0:x1]
    a = alpha[:, :, None]
    base[y0:y1, x0:x1] = region * (1 - a) + extended * a
    out = np.rint(base).astype(np.uint8)
    out[top:bottom, left:right] = np.asarray(scaled_photo(photo, box), np.uint8)  # exact, not re-rounded
    return Image.fromarray(out, "RGB")


def composite(image: Image.Image, overlay: Image.Image, mask: F32, strength: float = 1.0) -> Image.Image:
    """``overlay`` over ``image`` where ``mask`` × ``strength`` says (both the same size)."""
    a = (np.clip(mask, 0.0, 1.0) * strength)[:, :, None]
    if not a.any():
        return image
    base = np.asarray(image.convert("RGB"), np.float32)
    top = np.asarray(overlay.convert("RGB"), np.float32)
    return Image.fromarray(np.rint(base * (1 - a) + top * a).astype(np.uint8), "RGB")


def control_image(width: int, height: int, boxes: Sequence[Box]) -> Image.Image:
    """The ControlNet condition: black, with ``boxes`` filled with ADE20K's 'wall' colour."""
    arr = np.zeros((height, width, 3), np.uint8)
    for left, top, right, bottom in clip_boxes(boxes, width, height):
        arr[top:bottom, left:right] = WALL
    return Image.fromarray(arr, "RGB")


def downscale_mask(mask: F32, width: int, height: int) -> F32:
    """A mask averaged down to width × height (the latent grid)."""
    img = Image.fromarray(mask.astype(np.float32), "F").resize((width, height), Image.Resampling.BOX)
    return np.clip(np.asarray(img, np.float32), 0.0, 1.0)
