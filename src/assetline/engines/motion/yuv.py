"""Frames as BT.709 limited-range YUV 4:2:0 planes, the encoders' native input.

Rendering happens on the planes, not on RGB: the camera resamples one full-size luma plane and two
quarter-size chroma planes (half the pixels of RGB), overlays are blended per plane with the same alpha
(blending commutes with the affine RGB→YUV map), and no per-frame colour conversion is needed. Conversions
use Pillow's matrix convert (C speed): RGB → (Y, Cb, Cr) in one pass, chroma box-averaged 2×2.
"""

from __future__ import annotations

from dataclasses import dataclass

from PIL import Image

# BT.709, 8-bit studio swing (Y 16–235, C 16–240).
_KR, _KB = 0.2126, 0.0722
_KG = 1.0 - _KR - _KB
_YS, _CS = 219.0 / 255.0, 224.0 / 255.0
TO_YUV: tuple[float, ...] = (
    _KR * _YS, _KG * _YS, _KB * _YS, 16.0,
    -_KR / (2 * (1 - _KB)) * _CS, -_KG / (2 * (1 - _KB)) * _CS, 0.5 * _CS, 128.0,
    0.5 * _CS, -_KG / (2 * (1 - _KR)) * _CS, -_KB / (2 * (1 - _KR)) * _CS, 128.0,
)
"""Pillow ``convert('RGB', matrix)`` coefficients: R, G, B → Y, Cb, Cr (stored in the R, G, B channels)."""
_Y, _C = 255.0 / 219.0, 255.0 / 224.0
TO_RGB: tuple[float, ...] = (
    _Y, 0.0, 2 * (1 - _KR) * _C, -16 * _Y - 128 * 2 * (1 - _KR) * _C,
    _Y, -2 * (1 - _KB) * _KB / _KG * _C, -2 * (1 - _KR) * _KR / _KG * _C,
    -16 * _Y + 128 * (2 * (1 - _KB) * _KB / _KG + 2 * (1 - _KR) * _KR / _KG) * _C,
    _Y, 2 * (1 - _KB) * _C, 0.0, -16 * _Y - 128 * 2 * (1 - _KB) * _C,
)
"""The inverse: Y, Cb, Cr (in an RGB-mode image) → R, G, B."""


@dataclass
class Planes:
    """One frame: Y at full size, U (Cb) and V (Cr) at half size, all Pillow 'L' images."""

    y: Image.Image
    u: Image.Image
    v: Image.Image

    def copy(self) -> Planes:
        return Planes(self.y.copy(), self.u.copy(), self.v.copy())


def yuv_of(rgb: tuple[int, int, int] | tuple[float, ...]) -> tuple[int, int, int]:
    """One colour's (Y, Cb, Cr), rounded as the matrix convert rounds."""
    r, g, b = (float(c) for c in rgb[:3])
    m = TO_YUV
    return tuple(max(0, min(255, int(m[4 * k] * r + m[4 * k + 1] * g + m[4 * k + 2] * b + m[4 * k + 3] + 0.5)))
                 for k in range(3))  # type: ignore[return-value]


def to_planes(image: Image.Image) -> Planes:
    """RGB image (even width and height) → planes; chroma is the 2×2 mean."""
    ycc = image.convert("RGB").convert("RGB", TO_YUV)
    y = ycc.getchannel(0)
    half = ycc.reduce(2)
    return Planes(y, half.getchannel(1), half.getchannel(2))


def half_planes(image: Image.Image) -> tuple[Image.Image, Image.Image, Image.Image]:
    """(Y at full size, U and V at half size) of an RGB patch whose width and height are even."""
    planes = to_planes(image)
    return planes.y, planes.u, planes.v


def to_rgb(planes: Planes) -> Image.Image:
    """Planes → RGB (chroma upsampled bilinearly), for GIF frames and stills."""
    size = planes.y.size
    u = planes.u.resize(size, Image.Resampling.BILINEAR)
    v = planes.v.resize(size, Image.Resampling.BILINEAR)
    return Image.merge("RGB", (planes.y, u, v)).convert("RGB", TO_RGB)
