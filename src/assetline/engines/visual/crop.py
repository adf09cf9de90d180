"""Smart crop: fit a photo to any aspect ratio while keeping its subject.

``analyse`` finds the subject once per photo: a saliency map (saliency.py) on a thumbnail, and faces
(faces.py), which get a strong weight — a face cut in half is the one crop nobody forgives. ``plan_crop``
then chooses, for an output size, the scale and the window of the photo:

- **cover**: the usual crop — the largest window of the output's aspect ratio, slid (an integral-image search
  over every position) to enclose the most saliency while containing the whole subject;
- **extend**: when a cover crop would cut the subject (a 728×90 banner from a portrait) or would need more
  than ``max_upscale``× enlargement (a 9:16 story from a small landscape photo), the photo is shown at a
  smaller scale, and the rest of the canvas is filled by photo.py with a blurred extension of the photo.

Boxes are (left, top, right, bottom). The plan maps the subject and faces into output pixels, so the layout
composer can keep type off them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from PIL import Image
from scipy import ndimage

from assetline.engines.base import Box
from assetline.engines.visual.colour import F32
from assetline.engines.visual.faces import FaceDetector
from assetline.engines.visual.saliency import THUMB, saliency_map

FloatBox = tuple[float, float, float, float]


@dataclass(frozen=True)
class PhotoAnalysis:
    size: tuple[int, int]
    """Source (width, height)."""
    saliency: F32
    """Thumbnail saliency with faces boosted, 0..1."""
    faces: tuple[Box, ...]
    """Detected faces in source pixels, largest first."""
    subject: Box
    """What must stay in frame, in source pixels: the faces (with head room) or the salient region."""


@dataclass(frozen=True)
class CropPlan:
    mode: Literal["cover", "extend"]
    scale: float
    """Output pixels per source pixel."""
    crop_box: FloatBox
    """The window of the source shown, in source pixels."""
    photo_box: Box
    """Where that window lands in the output (the whole canvas in cover mode)."""
    subject_box: Box
    """The subject in output pixels."""
    faces: tuple[Box, ...]
    """Faces in output pixels."""

    def to_output(self, box: FloatBox | Box) -> Box:
        return map_box(box, self.crop_box, self.photo_box, self.scale)


def map_box(box: FloatBox | Box, crop: FloatBox, photo: Box, scale: float) -> Box:
    """Map a source box into output pixels, clipped to the photo box."""
    out = (photo[0] + (box[0] - crop[0]) * scale, photo[1] + (box[1] - crop[1]) * scale,
           photo[0] + (box[2] - crop[0]) * scale, photo[1] + (box[3] - crop[1]) * scale)
    left, top = max(photo[0], int(np.floor(out[0]))), max(photo[1], int(np.floor(out[1])))
    right, bottom = min(photo[2], int(np.ceil(out[2]))), min(photo[3], int(np.ceil(out[3])))
    return left, top, max(left, right), max(top, bottom)


def salient_box(sal: F32, threshold: float = 0.4, companion: float = 0.5) -> FloatBox:
    """Bounding box (thumbnail px) of the salient object: the connected region above ``threshold`` × max
    holding the most saliency, joined by any other region holding at least ``companion`` × as much."""
    labels, n = ndimage.label(sal >= threshold * float(sal.max()))
    if n == 0:
        h, w = sal.shape
        return 0.0, 0.0, float(w), float(h)
    mass = np.asarray(ndimage.sum(sal, labels, range(1, n + 1)))
    keep = np.flatnonzero(mass >= companion * mass.max())
    slices = ndimage.find_objects(labels)
    x0 = min(slices[i][1].start for i in keep)
    y0 = min(slices[i][0].start for i in keep)
    x1 = max(slices[i][1].stop for i in keep)
    y1 = max(slices[i][0].stop for i in keep)
    return float(x0), float(y0), float(x1), float(y1)


def analyse(image: Image.Image, detector: FaceDetector | None) -> PhotoAnalysis:
    """Saliency, faces and subject of a photo (cheap: one thumbnail, one cascade pass)."""
    w, h = image.size
    f = min(1.0, THUMB / max(w, h))
    size = (max(8, round(w * f)), max(8, round(h * f)))
    thumb = image.convert("RGB").resize(size, Image.Resampling.BILINEAR)
    sal = saliency_map(np.asarray(thumb))
    th, tw = sal.shape
    fx, fy = tw / w, th / h
    faces = tuple(detector.detect(image)) if detector is not None else ()
    if faces:
        # Faces dominate the map: each adds a block worth several times the whole picture's saliency.
        boost = np.zeros_like(sal)
        for left, top, right, bottom in faces:
            boost[int(top * fy):int(np.ceil(bottom * fy)), int(left * fx):int(np.ceil(right * fx))] = 1.0
        sal = (sal * 0.25 + boost * 4.0).astype(np.float32)
        # Head room: the face box plus half a face above and to the sides, a little below (chin, neck).
        subject = faces[0]
        for box in faces[1:]:
            subject = (min(subject[0], box[0]), min(subject[1], box[1]), max(subject[2], box[2]),
                       max(subject[3], box[3]))
        fw, fh = faces[0][2] - faces[0][0], faces[0][3] - faces[0][1]
        subject = (max(0, round(subject[0] - 0.3 * fw)), max(0, round(subject[1] - 0.35 * fh)),
                   min(w, round(subject[2] + 0.3 * fw)), min(h, round(subject[3] + 0.3 * fh)))
    else:
        x0, y0, x1, y1 = salient_box(sal)
        subject = (max(0, int(x0 / fx)), max(0, int(y0 / fy)), min(w, int(np.ceil(x1 / fx))),
                   min(h, int(np.ceil(y1 / fy))))
    return PhotoAnalysis(size=(w, h), saliency=sal, faces=faces, subject=subject)


def _best_offset(csum: F32, window: int, lo: int, hi: int) -> int:
    """Offset in [lo, hi] maximising the sum of a 1-D profile over ``window`` cells (ties → centred)."""
    n = len(csum) - 1
    lo, hi = max(0, min(lo, n - window)), max(0, min(hi, n - window))
    if hi < lo:
        lo, hi = hi, lo
    offsets = np.arange(lo, hi + 1)
    sums = csum[offsets + window] - csum[offsets]
    best = np.flatnonzero(sums >= sums.max() - 1e-6)
    return int(offsets[best[len(best) // 2]])


def best_window(analysis: PhotoAnalysis, cw: float, ch: float, centring: float = 1.0) -> FloatBox:
    """Position a cw × ch window (source px) to contain the subject and enclose the most saliency.

    An exhaustive search over every thumbnail-pixel offset, by integral image: O(positions), no loops.
    """
    w, h = analysis.size
    sal = analysis.saliency.astype(np.float64)
    th, tw = sal.shape
    fx, fy = tw / w, th / h
    ww, wh = max(1, min(tw, round(cw * fx))), max(1, min(th, round(ch * fy)))
    s = analysis.subject
    # Offsets (thumbnail px) that keep the subject inside; if it cannot fit, centre on it.
    x_lo, x_hi = int(np.ceil(s[2] * fx)) - ww, int(np.floor(s[0] * fx))
    y_lo, y_hi = int(np.ceil(s[3] * fy)) - wh, int(np.floor(s[1] * fy))
    if x_lo > x_hi:
        x_lo = x_hi = round((s[0] + s[2]) / 2 * fx - ww / 2)
    if y_lo > y_hi:
        y_lo = y_hi = round((s[1] + s[3]) / 2 * fy - wh / 2)
    integral = np.zeros((th + 1, tw + 1))
    integral[1:, 1:] = sal.cumsum(0).cumsum(1)
    xs = np.arange(max(0, min(x_lo, tw - ww)), max(0, min(x_hi, tw - ww)) + 1)
    ys = np.arange(max(0, min(y_lo, th - wh)), max(0, min(y_hi, th - wh)) + 1)
    sums = (integral[ys[:, None] + wh, xs[None, :] + ww] - integral[ys[:, None], xs[None, :] + ww]
            - integral[ys[:, None] + wh, xs[None, :]] + integral[ys[:, None], xs[None, :]])
    # Most saliency wins, with a gentle pull toward framing the subject centrally (breaks near-ties the way
    # a designer would: a rocket in the middle of the frame, not against its edge).
    scx, scy = (s[0] + s[2]) / 2 * fx, (s[1] + s[3]) / 2 * fy
    off = (((xs[None, :] + ww / 2 - scx) / ww) ** 2 + ((ys[:, None] + wh / 2 - scy) / wh) ** 2)
    score = sums / max(float(sums.max()), 1e-12) - centring * off
    best = np.argwhere(score >= score.max() - 1e-9)
    iy, ix = best[len(best) // 2]
    # Back to source pixels, keeping the exact requested size and staying inside the photo.
    x0 = min(max(0.0, xs[ix] / fx), w - cw)
    y0 = min(max(0.0, ys[iy] / fy), h - ch)
    # Thumbnail rounding can leave the subject a pixel or two outside: nudge it back in.
    x0 = min(max(x0, s[2] - cw), s[0]) if cw >= s[2] - s[0] else x0
    y0 = min(max(y0, s[3] - ch), s[1]) if ch >= s[3] - s[1] else y0
    x0, y0 = min(max(0.0, x0), w - cw), min(max(0.0, y0), h - ch)
    return x0, y0, x0 + cw, y0 + ch


def plan_crop(analysis: PhotoAnalysis, width: int, height: int, *, max_upscale: float = 3.0,
              margin: float = 0.08, trim: float = 0.06, zoom: float = 1.0, centring: float = 1.0) -> CropPlan:
    """Choose how the photo fills a width × height canvas (see the module docstring). ``zoom`` > 1 crops
    tighter (a reframed variation); ``centring`` is the pull toward a centred subject."""
    sw, sh = analysis.size
    s = analysis.subject
    subj_w, subj_h = max(1, s[2] - s[0]), max(1, s[3] - s[1])
    s_cover = max(width / sw, height / sh)
    s_contain = min(width / sw, height / sh)
    # The subject must fit with ``margin`` to spare — or, when the margin is all that stands between a
    # clean cover crop and an extension, with up to ``trim`` of its (generous) box shaved off instead.
    s_subject = min(width / (subj_w * (1 + 2 * margin)), height / (subj_h * (1 + 2 * margin)))
    if s_subject < s_cover <= min(width / (subj_w * (1 - trim)), height / (subj_h * (1 - trim))):
        s_subject = s_cover
    scale = max(s_contain, min(s_cover, s_subject, max_upscale))
    mode: Literal["cover", "extend"] = "cover" if scale >= s_cover * 0.999 else "extend"
    if mode == "cover":
        scale = s_cover * max(1.0, min(zoom, max_upscale / s_cover if s_cover < max_upscale else 1.0))
    cw, ch = min(sw, width / scale), min(sh, height / scale)
    crop = best_window(analysis, cw, ch, centring)
    pw, ph = min(width, round(cw * scale)), min(height, round(ch * scale))
    # In extend mode the photo goes to the side its subject already leans to (centred when it does not):
    # that leaves one generous area of extension for the copy.
    px = _place(width - pw, ((s[0] + s[2]) / 2 - crop[0]) / cw)
    py = _place(height - ph, ((s[1] + s[3]) / 2 - crop[1]) / ch)
    photo = (px, py, px + pw, py + ph)
    faces = tuple(map_box(f, crop, photo, scale) for f in analysis.faces)
    return CropPlan(mode=mode, scale=scale, crop_box=crop, photo_box=photo,
                    subject_box=map_box(s, crop, photo, scale), faces=faces)


def _place(room: int, rel: float) -> int:
    if room <= 0:
        return 0
    if rel < 0.42:
        return 0
    if rel > 0.58:
        return room
    return room // 2
