"""Small deterministic k-means (k-means++ init with a fixed seed), for dominant colours in CIELAB."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from assetline.qc.colourmath import delta_e_2000


def weighted_kmeans(
    points: NDArray[np.float64],
    k: int,
    *,
    weights: NDArray[np.float64] | None = None,
    seed: int = 0,
    iterations: int = 25,
    merge_delta_e: float = 0.0,
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Cluster ``points`` (N×3 Lab) into at most ``k`` centres; returns (centres, summed weights).

    Centres closer than ``merge_delta_e`` (CIEDE2000) are merged afterwards, so asking for more clusters
    than there are colours does no harm.
    """
    pts = np.asarray(points, dtype=np.float64)
    wts = np.ones(len(pts)) if weights is None else np.asarray(weights, dtype=np.float64)
    if len(pts) == 0 or k <= 0:
        return np.zeros((0, 3)), np.zeros(0)
    rng = np.random.default_rng(seed)
    k = min(k, len(pts))
    # 1. k-means++ seeding, weighted.
    centres = [pts[rng.choice(len(pts), p=wts / wts.sum())]]
    d2 = ((pts - centres[0]) ** 2).sum(axis=1)
    for _ in range(1, k):
        p = d2 * wts
        if p.sum() <= 0:
            break
        centres.append(pts[rng.choice(len(pts), p=p / p.sum())])
        d2 = np.minimum(d2, ((pts - centres[-1]) ** 2).sum(axis=1))
    c = np.array(centres)
    # 2. Lloyd iterations.
    for _ in range(iterations):
        assign = np.argmin(((pts[:, None, :] - c[None, :, :]) ** 2).sum(axis=2), axis=1)
        new = np.array(
            [
                np.average(pts[assign == j], axis=0, weights=wts[assign == j])
                if wts[assign == j].sum() > 0
                else c[j]
                for j in range(len(c))
            ]
        )
        if np.allclose(new, c, atol=1e-4):
            c = new
            break
        c = new
    assign = np.argmin(((pts[:, None, :] - c[None, :, :]) ** 2).sum(axis=2), axis=1)
    mass = np.array([wts[assign == j].sum() for j in range(len(c))])
    keep = mass > 0
    c, mass = c[keep], mass[keep]
    # 3. Merge near-identical centres (heaviest first).
    if merge_delta_e > 0 and len(c) > 1:
        order = np.argsort(-mass)
        merged_c: list[NDArray[np.float64]] = []
        merged_m: list[float] = []
        for j in order:
            for i, mc in enumerate(merged_c):
                if float(delta_e_2000(mc, c[j])) <= merge_delta_e:
                    total = merged_m[i] + mass[j]
                    merged_c[i] = (mc * merged_m[i] + c[j] * mass[j]) / total
                    merged_m[i] = float(total)
                    break
            else:
                merged_c.append(c[j].copy())
                merged_m.append(float(mass[j]))
        c, mass = np.array(merged_c), np.array(merged_m)
    return c, mass
