"""Frontal face detection with scikit-image's shipped LBP cascade, plus a skin-tone check.

The cascade (``skimage.data.lbp_frontal_face_cascade_filename()``) is fast but fires now and then on
textured non-faces (a helmet visor, a stained tissue section). A detection is kept only when the middle of
its box is mostly skin-coloured in YCbCr (a broad range that covers light to dark skin), unless the photo
is greyscale, where the check cannot apply. Loading the cascade takes ~0.5 s, so it happens once per
detector, on first use.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from PIL import Image

from assetline.engines.base import Box

_DETECT_SIDE = 256


class FaceDetector:
    """Finds frontal faces; ``detect`` returns boxes in the given image's pixels, largest first."""

    def __init__(self, min_skin: float = 0.3) -> None:
        self.min_skin = min_skin
        self._cascade: object | None = None

    def _load(self) -> object:
        if self._cascade is None:
            from skimage import data, feature

            self._cascade = feature.Cascade(data.lbp_frontal_face_cascade_filename())  # type: ignore[no-untyped-call]
        return self._cascade

    def detect(self, image: Image.Image) -> list[Box]:
        w, h = image.size
        f = min(1.0, _DETECT_SIDE / max(w, h))
        small = image.convert("RGB")
        if f < 1.0:
            small = small.resize((max(1, round(w * f)), max(1, round(h * f))), Image.Resampling.BILINEAR)
        rgb = np.asarray(small, dtype=np.float32) / 255.0
        side = min(rgb.shape[:2])
        if side < 24:
            return []
        cascade = self._load()
        found = cascade.detect_multi_scale(  # type: ignore[attr-defined]
            img=rgb, scale_factor=1.2, step_ratio=1, min_size=(max(20, int(side * 0.07)),) * 2,
            max_size=(int(side * 0.8),) * 2, min_neighbor_number=4)
        grey = float(np.abs(rgb - rgb.mean(axis=2, keepdims=True)).mean()) < 0.01
        boxes: list[Box] = []
        for d in found:
            r, c, s = int(d["r"]), int(d["c"]), int(d["width"])
            middle = rgb[r + s // 4:r + 3 * s // 4, c + s // 4:c + 3 * s // 4]
            if not grey and skin_fraction(middle) < self.min_skin:
                continue
            boxes.append((round(c / f), round(r / f), round((c + s) / f), round((r + s) / f)))
        return sorted(boxes, key=lambda b: -(b[2] - b[0]) * (b[3] - b[1]))


def skin_fraction(rgb: NDArray[np.float32]) -> float:
    """Share of pixels in the classic YCbCr skin range (Cb 77–127, Cr 133–173)."""
    if rgb.size == 0:
        return 0.0
    r, g, b = rgb[..., 0] * 255, rgb[..., 1] * 255, rgb[..., 2] * 255
    cb = 128 - 0.168736 * r - 0.331264 * g + 0.5 * b
    cr = 128 + 0.5 * r - 0.418688 * g - 0.081312 * b
    return float(((cb >= 77) & (cb <= 127) & (cr >= 133) & (cr <= 173)).mean())
