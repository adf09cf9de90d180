"""Colour science for the QC gates: sRGB → CIELAB, CIEDE2000, WCAG luminance and contrast.

CIEDE2000 follows Sharma, Wu & Dalal, "The CIEDE2000 color-difference formula: implementation notes,
supplementary test data, and mathematical observations" (Color Res. Appl. 30(1), 2005); the 34 test pairs
from that paper are checked in tests/qc/test_qc_colourmath.py. Everything is vectorised over leading axes.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray
from skimage.color import rgb2lab

from assetline.spec.common import hex_to_rgb

FloatArray = NDArray[np.float64]


def srgb_to_lab(rgb: ArrayLike) -> FloatArray:
    """8-bit sRGB (…, 3) → CIELAB (D65, 2° observer), same leading shape."""
    arr = np.asarray(rgb, dtype=np.float64) / 255.0
    return np.asarray(rgb2lab(arr.reshape(-1, 1, 3)).reshape(arr.shape), dtype=np.float64)


def hex_to_lab(value: str) -> FloatArray:
    return srgb_to_lab(np.array(hex_to_rgb(value), dtype=np.float64))


def rgb_to_hex(rgb: ArrayLike) -> str:
    r, g, b = (round(float(np.clip(c, 0, 255))) for c in np.asarray(rgb).reshape(3))
    return f"#{r:02X}{g:02X}{b:02X}"


def delta_e_2000(
    lab1: ArrayLike, lab2: ArrayLike, kl: float = 1.0, kc: float = 1.0, kh: float = 1.0
) -> FloatArray:
    """CIEDE2000 colour difference between Lab arrays (…, 3); broadcasts like numpy."""
    a = np.asarray(lab1, dtype=np.float64)
    b = np.asarray(lab2, dtype=np.float64)
    l1, a1, b1 = a[..., 0], a[..., 1], a[..., 2]
    l2, a2, b2 = b[..., 0], b[..., 1], b[..., 2]

    # 1. a' with the chroma-dependent G factor, C' and h' (hue in degrees, 0 for achromatic).
    c_bar = (np.hypot(a1, b1) + np.hypot(a2, b2)) / 2.0
    c_bar7 = c_bar**7
    g = 0.5 * (1.0 - np.sqrt(c_bar7 / (c_bar7 + 25.0**7)))
    a1p, a2p = (1.0 + g) * a1, (1.0 + g) * a2
    c1p, c2p = np.hypot(a1p, b1), np.hypot(a2p, b2)
    h1p = np.where((a1p == 0) & (b1 == 0), 0.0, np.degrees(np.arctan2(b1, a1p)) % 360.0)
    h2p = np.where((a2p == 0) & (b2 == 0), 0.0, np.degrees(np.arctan2(b2, a2p)) % 360.0)

    # 2. ΔL', ΔC', ΔH'.
    dlp = l2 - l1
    dcp = c2p - c1p
    cprod = c1p * c2p
    dh = h2p - h1p
    dh = np.where(dh > 180.0, dh - 360.0, np.where(dh < -180.0, dh + 360.0, dh))
    dh = np.where(cprod == 0, 0.0, dh)
    dhp = 2.0 * np.sqrt(cprod) * np.sin(np.radians(dh / 2.0))

    # 3. Means, with the hue mean taken the short way round the circle.
    lbp = (l1 + l2) / 2.0
    cbp = (c1p + c2p) / 2.0
    hsum = h1p + h2p
    hbp = np.where(
        np.abs(h1p - h2p) <= 180.0,
        hsum / 2.0,
        np.where(hsum < 360.0, (hsum + 360.0) / 2.0, (hsum - 360.0) / 2.0),
    )
    hbp = np.where(cprod == 0, hsum, hbp)

    # 4. Weighting functions and the rotation term.
    t = (
        1.0
        - 0.17 * np.cos(np.radians(hbp - 30.0))
        + 0.24 * np.cos(np.radians(2.0 * hbp))
        + 0.32 * np.cos(np.radians(3.0 * hbp + 6.0))
        - 0.20 * np.cos(np.radians(4.0 * hbp - 63.0))
    )
    d_theta = 30.0 * np.exp(-(((hbp - 275.0) / 25.0) ** 2))
    cbp7 = cbp**7
    rc = 2.0 * np.sqrt(cbp7 / (cbp7 + 25.0**7))
    sl = 1.0 + 0.015 * (lbp - 50.0) ** 2 / np.sqrt(20.0 + (lbp - 50.0) ** 2)
    sc = 1.0 + 0.045 * cbp
    sh = 1.0 + 0.015 * cbp * t
    rt = -np.sin(np.radians(2.0 * d_theta)) * rc

    # 5. Combine.
    tl, tc, th = dlp / (kl * sl), dcp / (kc * sc), dhp / (kh * sh)
    return np.asarray(np.sqrt(tl**2 + tc**2 + th**2 + rt * tc * th), dtype=np.float64)


def relative_luminance(rgb: ArrayLike) -> FloatArray:
    """WCAG 2.x relative luminance of 8-bit sRGB (…, 3), in [0, 1]."""
    c = np.asarray(rgb, dtype=np.float64) / 255.0
    lin = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    return np.asarray(lin @ np.array([0.2126, 0.7152, 0.0722]), dtype=np.float64)


def contrast_ratio(lum1: ArrayLike, lum2: ArrayLike) -> FloatArray:
    """WCAG contrast ratio (1–21) between relative luminances; order does not matter."""
    l1, l2 = np.asarray(lum1, dtype=np.float64), np.asarray(lum2, dtype=np.float64)
    return np.asarray((np.maximum(l1, l2) + 0.05) / (np.minimum(l1, l2) + 0.05), dtype=np.float64)
