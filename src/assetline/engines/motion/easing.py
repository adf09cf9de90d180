"""Easing curves for entrances and the camera: progress p in [0, 1] → eased value.

Every curve starts at 0 and ends at exactly 1 (``back`` overshoots on the way), so an animation that runs to
its end lands on the composed position to the pixel.
"""

from __future__ import annotations

import math


def clamp01(p: float) -> float:
    return 0.0 if p <= 0.0 else 1.0 if p >= 1.0 else p


def in_out_sine(p: float) -> float:
    """Slow start, slow end: the camera, so it neither jerks into motion nor stops dead on the end card."""
    p = clamp01(p)
    return 0.5 - 0.5 * math.cos(math.pi * p)


def out_cubic(p: float) -> float:
    """Fast in, gentle landing: slides and fades."""
    p = clamp01(p)
    return 1.0 - (1.0 - p) ** 3


def out_back(p: float, overshoot: float) -> float:
    """Overshoots past 1 by about ``overshoot`` × 0.1 and settles back: the pop and the logo sting."""
    p = clamp01(p)
    if p >= 1.0:
        return 1.0
    c3 = overshoot + 1.0
    q = p - 1.0
    return 1.0 + c3 * q**3 + overshoot * q**2
