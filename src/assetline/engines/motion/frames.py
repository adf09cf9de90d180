"""Render frame i of a motion plan onto YUV planes: camera, scrims, painted panels, elements, captions.

Work per frame is bounded by what changes: the camera resamples the picture once (one luma and two
quarter-size chroma planes; bilinear, Pillow ``resize(box=…)``), or not at all when it is still (the
finished background is then reused); overlays are blended only inside their own boxes, with Pillow's C
paste-with-mask; a scaled element is resampled only while it pops. Positions snap to even pixels so luma
and chroma stay registered. From ``end_card_start`` on, the frame is the composed still itself (plus the
caption of the moment, when captions are burned in).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from PIL import Image

from assetline.engines.base import Box
from assetline.engines.motion.layers import Layer, Layers
from assetline.engines.motion.timeline import Timeline, Track
from assetline.engines.motion.yuv import Planes, to_planes, to_rgb, yuv_of

_BILINEAR = Image.Resampling.BILINEAR


def _even(value: float) -> int:
    return round(value / 2.0) * 2


def _lut(opacity: float) -> list[int]:
    return [int(v * opacity + 0.5) for v in range(256)]


@dataclass
class Patch:
    """A layer ready to blend on planes: alpha at full and half size, colour as YUV planes or one value."""

    box: Box
    alpha: Image.Image
    alpha_half: Image.Image
    fill: tuple[int, int, int] | None
    planes: tuple[Image.Image, Image.Image, Image.Image] | None
    rgb: Image.Image | None
    """The straight RGB colour, kept to resample the patch when it scales."""
    scaled: dict[tuple[int, int], Patch] = field(default_factory=dict)

    @classmethod
    def of(cls, layer: Layer) -> Patch:
        alpha = Image.fromarray(np.rint(layer.alpha * 255).astype(np.uint8), "L")
        if isinstance(layer.colour, tuple):
            return cls(layer.box, alpha, alpha.reduce(2), yuv_of(layer.colour), None, None)
        rgb = Image.fromarray(layer.colour, "RGB")
        p = to_planes(rgb)
        return cls(layer.box, alpha, alpha.reduce(2), None, (p.y, p.u, p.v), rgb)

    @property
    def size(self) -> tuple[int, int]:
        return self.alpha.size

    def at_size(self, width: int, height: int) -> Patch:
        """This patch resampled to ``width`` × ``height`` (even; cached: pops repeat few sizes)."""
        key = (width, height)
        if key == self.size:
            return self
        if key not in self.scaled:
            alpha = self.alpha.resize(key, _BILINEAR)
            planes, rgb = None, None
            if self.rgb is not None:
                rgb = self.rgb.resize(key, _BILINEAR)
                p = to_planes(rgb)
                planes = (p.y, p.u, p.v)
            if len(self.scaled) > 64:
                self.scaled.clear()
            self.scaled[key] = Patch(self.box, alpha, alpha.reduce(2), self.fill, planes, rgb)
        return self.scaled[key]

    def blend(self, frame: Planes, left: int, top: int, opacity: float) -> None:
        """Blend onto ``frame`` with the patch's top-left at (left, top), both even."""
        alpha, half = self.alpha, self.alpha_half
        if opacity < 0.999:
            alpha, half = alpha.point(_lut(opacity)), half.point(_lut(opacity))
        w, h = self.size
        if self.fill is not None:
            y, u, v = self.fill
            frame.y.paste(y, (left, top, left + w, top + h), alpha)
            frame.u.paste(u, (left // 2, top // 2, (left + w) // 2, (top + h) // 2), half)
            frame.v.paste(v, (left // 2, top // 2, (left + w) // 2, (top + h) // 2), half)
            return
        assert self.planes is not None
        frame.y.paste(self.planes[0], (left, top), alpha)
        frame.u.paste(self.planes[1], (left // 2, top // 2), half)
        frame.v.paste(self.planes[2], (left // 2, top // 2), half)


@dataclass(frozen=True)
class BurnedCaption:
    """A caption drawn on the frames from ``start`` to ``end`` (end exclusive): RGBA pill at ``box``."""

    start: float
    end: float
    text: str
    box: Box
    image: Image.Image


class FrameRenderer:
    """Frames of one video, rendered on demand (``planes(i)``); holds the prepared patches."""

    def __init__(self, timeline: Timeline, layers: Layers, composed: Image.Image,
                 captions: tuple[BurnedCaption, ...] = ()) -> None:
        self.timeline = timeline
        self.layers = layers
        self.composed = composed.convert("RGB")
        self.end_card = to_planes(self.composed)
        self.source = to_planes(layers.source)
        self.static = Patch.of(layers.static) if layers.static is not None else None
        self.scrims: list[tuple[Track, Patch]] = []
        self.kinetic: list[tuple[Track, Patch]] = []
        for track in timeline.tracks:
            first = track.members[0]
            if first in layers.scrims:
                self.scrims.append((track, Patch.of(layers.scrims[first])))
            elif first in layers.kinetic:
                self.kinetic.append((track, Patch.of(layers.kinetic[first])))
        self.captions = [(c, self._caption_patch(c)) for c in captions]
        self._still_key: tuple[float, ...] | None = None
        self._still: Planes | None = None

    @staticmethod
    def _caption_patch(caption: BurnedCaption) -> Patch:
        rgba = np.asarray(caption.image.convert("RGBA"))
        layer = Layer(caption.box, rgba[..., 3].astype(np.float32) / 255.0, np.ascontiguousarray(rgba[..., :3]))
        return Patch.of(layer)

    # ------------------------------------------------------------ the picture
    def _camera(self, t: float) -> Planes:
        camera = self.timeline.camera
        if camera.kind == "none":
            return self.source.copy()
        crop = camera.crop_at(t)
        region = camera.region
        rw, rh = region[2] - region[0], region[3] - region[1]
        half = (crop[0] / 2, crop[1] / 2, crop[2] / 2, crop[3] / 2)
        y = self.source.y.resize((rw, rh), _BILINEAR, box=crop)
        u = self.source.u.resize((rw // 2, rh // 2), _BILINEAR, box=half)
        v = self.source.v.resize((rw // 2, rh // 2), _BILINEAR, box=half)
        if (rw, rh) == self.source.y.size:
            return Planes(y, u, v)
        frame = self.source.copy()
        frame.y.paste(y, region[:2])
        frame.u.paste(u, (region[0] // 2, region[1] // 2))
        frame.v.paste(v, (region[0] // 2, region[1] // 2))
        return frame

    def _background(self, t: float) -> Planes:
        """Picture + scrims + painted panels at ``t``; reused while neither camera nor scrims change."""
        camera = self.timeline.camera
        crop = camera.crop_at(t)
        opacities = tuple(round(track.state(t)[2], 3) for track, _ in self.scrims)
        moving = camera.kind != "none" and crop != tuple(float(v) for v in camera.region)
        key = (*crop, *opacities)
        if not moving and key == self._still_key and self._still is not None:
            return self._still.copy()
        frame = self._camera(t)
        for (_, patch), opacity in zip(self.scrims, opacities, strict=True):
            if opacity > 0:
                patch.blend(frame, patch.box[0], patch.box[1], opacity)
        if self.static is not None:
            self.static.blend(frame, self.static.box[0], self.static.box[1], 1.0)
        if not moving:
            self._still_key, self._still = key, frame.copy()
        return frame

    # ------------------------------------------------------------ frames
    def planes(self, index: int) -> Planes:
        """Frame ``index`` as YUV planes (do not modify: end-card frames share one object)."""
        t = self.timeline.time_of(index)
        caption = next((p for c, p in self.captions if c.start <= t < c.end), None)
        if t >= self.timeline.end_card_start - 1e-9:
            if caption is None:
                return self.end_card
            frame = self.end_card.copy()
        else:
            frame = self._background(t)
            for track, patch in self.kinetic:
                self._blend_track(frame, track, patch, t)
        if caption is not None:
            caption.blend(frame, caption.box[0], caption.box[1], 1.0)
        return frame

    def rgb(self, index: int) -> Image.Image:
        """Frame ``index`` in RGB (the composed still itself on caption-free end-card frames)."""
        planes = self.planes(index)
        return self.composed if planes is self.end_card else to_rgb(planes)

    @staticmethod
    def _blend_track(frame: Planes, track: Track, patch: Patch, t: float) -> None:
        dy, scale, opacity = track.state(t)
        if opacity <= 0.0:
            return
        cx, cy = track.centre
        left, top = patch.box[0], patch.box[1]
        if abs(scale - 1.0) > 1e-3:
            w, h = patch.size
            sw, sh = max(2, _even(w * scale)), max(2, _even(h * scale))
            left, top = _even(cx + (left - cx) * scale), _even(cy + (top - cy) * scale)
            patch = patch.at_size(sw, sh)
        patch.blend(frame, left, _even(top + dy), opacity)
