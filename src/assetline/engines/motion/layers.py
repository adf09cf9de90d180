"""Pull the composed still apart into what moves: the picture, the scrims, and one overlay per element.

The composer paints onto the background in order (scrims, button, text, logo), always as ``under × (1 − a)
+ colour × a`` in sRGB. Knowing the background and each element's colour, the painting can be undone exactly:

1. **Scrims** (known colour C): per pixel ``a = ⟨comp − bg, C − bg⟩ / |C − bg|²``; pixels under text or the
   logo (where comp is not bg + scrim) take the fade's profile from their row or column (the scrim's own
   median elsewhere), so the scrim is a clean translucent layer that can fade in over a moving picture.
2. **What each element sits on** (``under``): the background with its scrims when that is what the pixels
   around the element show; else the flat fill it was set on (``Element.background``, or a uniform ring
   round it: panels, cards); else an estimate from the pixels around the ink (multi-scale normalised
   convolution), for text on a painted gradient.
3. **Element overlays**, computed once, inside each element's own box (padded a little for anti-aliasing;
   a pixel inside another element's box belongs to that one): text with its known colour solved like a
   scrim; the CTA button as its exact rounded rectangle with the label inside; the logo by minimal alpha
   (the least opaque colour that reproduces the pixel over its under, as GIMP's colour-to-alpha), with the
   colour bled into transparent pixels so a scaled logo keeps no dark fringe.
4. **The static layer**: whatever else the composer painted (split panels, product cards, avatars) —
   pixels of the plate (the still without its element overlays) that differ from background + scrims.

The camera moves the background for full-bleed pictures; for a picture panel (a ``subject`` element with
role 'picture' smaller than the frame) it moves the plate inside that panel; when most of the frame is
painted and there is no picture, the camera stays still. ``rest_psnr_db`` measures how exactly the layers
recompose the still at rest (typically > 45 dB).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray
from PIL import Image
from scipy import ndimage

from assetline.engines.base import Box, Element
from assetline.engines.compose.scrim import rounded_mask
from assetline.engines.motion.timeline import kinetic_groups

F32 = NDArray[np.float32]
PAD = 3
"""Pixels an element's overlay reaches beyond its ink box (anti-aliasing)."""
RING = 8
"""Width of the ring round an element that decides what it sits on."""
NOISE = 2.0
"""Differences up to this many levels are rounding, not paint."""


@dataclass
class Layer:
    """One overlay: straight (not premultiplied) colour and alpha inside ``box`` (even-aligned)."""

    box: Box
    alpha: F32
    colour: NDArray[np.uint8] | tuple[int, int, int]
    """(h, w, 3) RGB, or one colour for the whole layer (text, scrims: cheaper to draw)."""


@dataclass
class Layers:
    source: Image.Image
    """RGB: what the camera moves (the background, or the plate for a picture panel)."""
    camera_region: Box | None
    static: Layer | None
    scrims: dict[int, Layer] = field(default_factory=dict)
    """By element index."""
    kinetic: dict[int, Layer] = field(default_factory=dict)
    """By the first element index of each group (see timeline.kinetic_groups)."""
    scrims_animated: bool = True
    rest_psnr_db: float = 0.0
    modes: dict[int, str] = field(default_factory=dict)
    """How each group's under was found: 'exact', 'flat' or 'estimated'."""


def hex_rgb(value: str | None) -> tuple[int, int, int] | None:
    if not value or not value.startswith("#") or len(value) != 7:
        return None
    try:
        return int(value[1:3], 16), int(value[3:5], 16), int(value[5:7], 16)
    except ValueError:
        return None


def even_box(box: Box, pad: int, width: int, height: int) -> Box:
    """``box`` grown by ``pad``, clipped to the frame, with even edges (chroma is sampled 2×2)."""
    left, top = max(0, box[0] - pad) // 2 * 2, max(0, box[1] - pad) // 2 * 2
    right, bottom = min(width, box[2] + pad), min(height, box[3] + pad)
    return left, top, min(width, (right + 1) // 2 * 2), min(height, (bottom + 1) // 2 * 2)


def _sl(box: Box) -> tuple[slice, slice]:
    return slice(box[1], box[3]), slice(box[0], box[2])


def _solve_known(comp: F32, under: F32, colour: NDArray[np.float32] | tuple[int, int, int]) -> F32:
    """Least-squares alpha of ``colour`` painted over ``under`` giving ``comp``."""
    c = np.asarray(colour, dtype=np.float32)
    span = c - under
    power = (span * span).sum(axis=-1)
    a = ((comp - under) * span).sum(axis=-1) / np.maximum(power, 1.0)
    a = np.where(power < 100.0, 0.0, a)
    return np.clip(a, 0.0, 1.0).astype(np.float32)


def _minimal_alpha(comp: F32, under: F32) -> tuple[F32, NDArray[np.uint8]]:
    """The least opaque (alpha, colour) that gives ``comp`` over ``under`` (colour-to-alpha)."""
    up = np.where(comp > under, (comp - under) / np.maximum(255.0 - under, 1.0), 0.0)
    down = np.where(comp < under, (under - comp) / np.maximum(under, 1.0), 0.0)
    a = np.clip(np.maximum(up, down).max(axis=-1), 0.0, 1.0).astype(np.float32)
    safe = np.maximum(a, 1e-3)[..., None]
    colour = np.clip(under + (comp - under) / safe, 0, 255)
    return a, np.rint(colour).astype(np.uint8)


def _bleed(colour: NDArray[np.uint8], alpha: F32) -> NDArray[np.uint8]:
    """Give transparent pixels the colour of the nearest inked one (no fringe when the patch is resampled)."""
    empty = alpha <= 0.5 / 255
    if not empty.any() or empty.all():
        return colour
    _, (iy, ix) = ndimage.distance_transform_edt(empty, return_indices=True)
    return np.asarray(colour[iy, ix], dtype=np.uint8)


def _inpaint(region: F32, known: NDArray[np.bool_]) -> F32:
    """Fill unknown pixels from known neighbours, at the finest scale that has enough of them."""
    out = region.copy()
    todo = ~known
    weights0 = known.astype(np.float32)
    for sigma in (2.0, 6.0, 18.0, 54.0):
        if not todo.any():
            break
        weight = ndimage.gaussian_filter(weights0, sigma)
        ok = todo & (weight > 0.05)
        if ok.any():
            for ch in range(3):
                num = ndimage.gaussian_filter(region[..., ch] * weights0, sigma)
                out[..., ch][ok] = num[ok] / weight[ok]
            todo &= ~ok
    if todo.any():
        out[todo] = np.median(region[known], axis=0) if known.any() else region[todo]
    return out


class _Extractor:
    """Holds the float images and claims while the layers are worked out (one call of extract_layers)."""

    def __init__(self, background: Image.Image, composed: Image.Image, elements: tuple[Element, ...]) -> None:
        self.bg = np.asarray(background.convert("RGB"), dtype=np.float32)
        self.comp = np.asarray(composed.convert("RGB"), dtype=np.float32)
        self.height, self.width = self.bg.shape[:2]
        self.elements = elements
        self.groups = kinetic_groups(elements)
        self.boxes = {g[0]: self._union(g) for g in self.groups}
        self.inked = np.zeros((self.height, self.width), dtype=bool)
        for box in self.boxes.values():
            self.inked[_sl(self._clip(box, PAD))] = True
        self.under = self.bg.copy()
        """Background + scrims so far: what the composer painted each element on, where that shows."""
        self.plate = self.comp.copy()
        """The still with every element overlay taken off (filled in as overlays are found)."""

    def _union(self, members: list[int]) -> Box:
        boxes = [self.elements[i].box for i in members]
        return (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes),
                max(b[3] for b in boxes))

    def _clip(self, box: Box, pad: int) -> Box:
        return (max(0, box[0] - pad), max(0, box[1] - pad), min(self.width, box[2] + pad),
                min(self.height, box[3] + pad))

    # -------------------------------------------------------- 1. scrims
    def scrim(self, element: Element) -> Layer | None:
        colour = hex_rgb(element.background)
        box = self._clip(element.box, 0)
        if colour is None or box[2] <= box[0] or box[3] <= box[1]:
            return None
        sl = _sl(box)
        under, comp = self.under[sl], self.comp[sl]
        a = _solve_known(comp, under, colour)
        span = ((np.asarray(colour, dtype=np.float32) - under) ** 2).sum(axis=-1)
        valid = ~self.inked[sl] & (span > 900.0)
        a = _fill_profile(a, valid, str(element.extra.get("fade", "none")))
        self.under[sl] = under * (1 - a[..., None]) + np.asarray(colour, dtype=np.float32) * a[..., None]
        out = even_box(box, 0, self.width, self.height)
        full = np.zeros((out[3] - out[1], out[2] - out[0]), dtype=np.float32)
        full[box[1] - out[1]: box[3] - out[1], box[0] - out[0]: box[2] - out[0]] = a
        return Layer(out, full, colour)

    # -------------------------------------------------------- 2-3. element overlays
    def claim(self, first: int) -> tuple[Box, NDArray[np.bool_]]:
        """The even box of group ``first`` and which of its pixels it owns."""
        box = even_box(self.boxes[first], PAD, self.width, self.height)
        own = np.ones((box[3] - box[1], box[2] - box[0]), dtype=bool)
        for other, ob in self.boxes.items():
            if other == first:
                continue
            ol, ot, orr, obb = (max(ob[0], box[0]), max(ob[1], box[1]), min(ob[2], box[2]), min(ob[3], box[3]))
            if orr > ol and obb > ot:
                own[ot - box[1]: obb - box[1], ol - box[0]: orr - box[0]] = False
        return box, own

    def ring(self, first: int) -> NDArray[np.bool_]:
        """Frame-sized mask of the ring round group ``first``, off every element's ink area."""
        mask = np.zeros((self.height, self.width), dtype=bool)
        mask[_sl(self._clip(self.boxes[first], PAD + RING))] = True
        return mask & ~self.inked

    def under_for(self, first: int, box: Box, ink_guess: NDArray[np.bool_],
                  own: NDArray[np.bool_]) -> tuple[F32, str]:
        """What group ``first`` was painted on, inside ``box``, and how that was found."""
        sl = _sl(box)
        ring = self.ring(first)
        if ring.any():
            diff = np.abs(self.comp[ring] - self.under[ring]).max(axis=-1)
            if float(np.median(diff)) <= NOISE + 1.0 and float(np.percentile(diff, 90)) <= 6.0:
                return self.under[sl].copy(), "exact"
        element = self.elements[first]
        flat = hex_rgb(element.background) if element.kind not in ("button", "logo") else None
        if flat is None and ring.any():
            pixels = self.comp[ring]
            if float(np.ptp(pixels, axis=0).max()) <= 3.0:
                flat = tuple(int(v) for v in np.rint(np.median(pixels, axis=0)))  # type: ignore[assignment]
        if flat is not None:
            h, w = box[3] - box[1], box[2] - box[0]
            return np.broadcast_to(np.asarray(flat, dtype=np.float32), (h, w, 3)).copy(), "flat"
        margin = 24
        outer = self._clip(box, margin)
        region = self.comp[_sl(outer)]
        known = ~self.inked[_sl(outer)]
        inner = (slice(box[1] - outer[1], box[3] - outer[1]), slice(box[0] - outer[0], box[2] - outer[0]))
        known[inner] = own & ~ndimage.binary_dilation(ink_guess, iterations=2)
        return _inpaint(region, known)[inner], "estimated"

    def overlay(self, first: int) -> tuple[Layer, str]:
        members = next(g for g in self.groups if g[0] == first)
        box, own = self.claim(first)
        sl = _sl(box)
        comp = self.comp[sl]
        button = next((i for i in members if self.elements[i].kind == "button"), None)
        if button is not None:
            return self._button(button, box, own)
        element = self.elements[first]
        colour = hex_rgb(element.colour) if element.kind != "logo" else None
        ring = self.ring(first)
        ring_colour = np.median(self.comp[ring], axis=0) if ring.any() else comp[0, 0]
        guess = np.abs(comp - ring_colour).max(axis=-1) > 12.0
        if colour is not None:
            guess = _solve_known(comp, np.broadcast_to(ring_colour, comp.shape), colour) > 0.08
        under, mode = self.under_for(first, box, guess & own, own)
        noise = NOISE if mode != "estimated" else 2 * NOISE
        quiet = np.abs(comp - under).max(axis=-1) <= noise
        if colour is not None:
            a = _solve_known(comp, under, colour)
            a[quiet | ~own] = 0.0
            return self._finish(Layer(box, a, colour), under), mode
        a, rgb = _minimal_alpha(comp, under)
        a[quiet | ~own] = 0.0
        return self._finish(Layer(box, a, _bleed(rgb, a)), under), mode

    def _button(self, button: int, box: Box, own: NDArray[np.bool_]) -> tuple[Layer, str]:
        """The button's exact rounded rectangle (the composer's own mask) with its label inside."""
        el = self.elements[button]
        bl, bt, br, bb = self._clip(el.box, 0)
        shape = np.zeros(own.shape, dtype=np.float32)
        radius = int(el.extra.get("radius", 0) or 0)
        shape[bt - box[1]: bb - box[1], bl - box[0]: br - box[0]] = rounded_mask(br - bl, bb - bt, radius)
        fill = hex_rgb(el.background or el.colour) or (0, 0, 0)
        under, mode = self.under_for(button, box, shape > 0, own)
        comp = self.comp[_sl(box)]
        solid = shape >= 0.999
        rgb = np.where(solid[..., None], comp, np.asarray(fill, dtype=np.float32))
        return self._finish(Layer(box, shape, np.rint(rgb).astype(np.uint8)), under), mode

    def _finish(self, layer: Layer, under: F32) -> Layer:
        """Record the plate (the still with this overlay taken off)."""
        sl = _sl(layer.box)
        inked = layer.alpha > 0
        self.plate[sl][inked] = under[inked]
        return layer

    # -------------------------------------------------------- 4. static layer
    def static(self) -> Layer | None:
        diff = np.abs(self.plate - self.under).max(axis=-1)
        a = np.clip((diff - 3.0) / 5.0, 0.0, 1.0).astype(np.float32)
        ys, xs = np.nonzero(a > 0)
        if ys.size == 0:
            return None
        box = even_box((int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1), 0, self.width,
                       self.height)
        sl = _sl(box)
        alpha = a[sl]
        under, plate = self.under[sl], self.plate[sl]
        colour = np.clip(under + (plate - under) / np.maximum(alpha, 1e-3)[..., None], 0, 255)
        return Layer(box, alpha, _bleed(np.rint(colour).astype(np.uint8), alpha))


def _fill_profile(a: F32, valid: NDArray[np.bool_], fade: str) -> F32:
    """A scrim's alpha where it could be measured, its fade profile (or median) where text hid it."""
    if valid.all():
        return a
    if not valid.any():
        return np.zeros_like(a)
    if fade in ("top", "bottom", "left", "right"):
        axis = 1 if fade in ("top", "bottom") else 0
        lines = a.shape[0] if axis == 1 else a.shape[1]
        profile = np.full(lines, np.nan, dtype=np.float32)
        for k in range(lines):
            vals = a[k][valid[k]] if axis == 1 else a[:, k][valid[:, k]]
            if vals.size:
                profile[k] = np.median(vals)
        known = ~np.isnan(profile)
        profile = np.interp(np.arange(lines), np.nonzero(known)[0], profile[known]).astype(np.float32)
        return profile[:, None].repeat(a.shape[1], 1) if axis == 1 else profile[None, :].repeat(a.shape[0], 0)
    out = a.copy()
    out[~valid] = float(np.median(a[valid]))
    return out


def _psnr(a: F32, b: F32) -> float:
    mse = float(((a - b) ** 2).mean())
    return 99.0 if mse <= 1e-12 else round(float(10 * np.log10(255.0**2 / mse)), 2)


def _paint(canvas: F32, layer: Layer) -> None:
    sl = _sl(layer.box)
    a = layer.alpha[..., None]
    colour = np.asarray(layer.colour, dtype=np.float32)
    canvas[sl] = canvas[sl] * (1 - a) + colour * a


def _picture(elements: tuple[Element, ...]) -> Box | None:
    return next((e.box for e in elements if e.kind == "subject" and e.extra.get("role") == "picture"), None)


def extract_layers(background: Image.Image, composed: Image.Image, elements: tuple[Element, ...]) -> Layers:
    """The layers of one composed still (see the module docstring)."""
    ex = _Extractor(background, composed, elements)
    width, height = ex.width, ex.height
    # 1. Scrims, in paint order.
    scrims: dict[int, Layer] = {}
    for i, element in enumerate(elements):
        if element.kind == "scrim":
            layer = ex.scrim(element)
            if layer is not None:
                scrims[i] = layer
    # 2-3. Element overlays and the plate.
    kinetic: dict[int, Layer] = {}
    modes: dict[int, str] = {}
    for members in ex.groups:
        kinetic[members[0]], modes[members[0]] = ex.overlay(members[0])
    # 4. What else was painted, and where the camera may move.
    static = ex.static()
    painted = 0.0 if static is None else float((static.alpha > 0.5).sum()) / (width * height)
    picture = _picture(elements)
    full = (0, 0, width, height)
    source = background.convert("RGB")
    region: Box | None
    animated = True
    if picture is not None and (picture[2] - picture[0]) * (picture[3] - picture[1]) < 0.98 * width * height:
        region = (picture[0] + picture[0] % 2, picture[1] + picture[1] % 2, picture[2] - picture[2] % 2,
                  picture[3] - picture[3] % 2)  # even edges, inside the panel
        source = Image.fromarray(np.rint(ex.plate).astype(np.uint8), "RGB")
        static, scrims, animated = None, {}, False
    elif picture is not None or painted < 0.5:
        region = full
    else:
        region = None
    # 5. How exactly the layers rebuild the still at rest.
    canvas = np.asarray(source, dtype=np.float32).copy()
    for layer in [*scrims.values(), *([static] if static else []), *kinetic.values()]:
        _paint(canvas, layer)
    return Layers(source=source, camera_region=region, static=static, scrims=scrims, kinetic=kinetic,
                  scrims_animated=animated, rest_psnr_db=_psnr(canvas, ex.comp), modes=modes)
