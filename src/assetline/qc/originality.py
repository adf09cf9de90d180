"""``originality.phash``: protected-work look-up and within-campaign near-duplicates, by perceptual hash.

Per asset (``run``) and per batch (``run_batch``, one result per asset, in order):

1. Protected library — ``context.resources['reference_index']``: a ``PHashIndex`` (or a path to one
   saved with ``PHashIndex.save``, or a dict {work id: hash}) of the protected works' pHashes, ids
   naming the works. Hashes from ``assetline.qc.phash.phash``; ``imagehash.phash`` values (hex strings
   or ImageHash objects) are accepted too, and land within 0–4 bits of ours on the same image. An asset whose
   pHash, or whose mirror image's pHash, lies within ``reference_max_distance`` bits (default 10 of 64)
   of a protected hash → **fail**. pHash alone decides here, on purpose: a protected photo reused as a
   background with our headline on top is still a match.
2. Within the batch — pairs whose pHash (or mirrored pHash) lies within ``batch_max_distance`` bits
   (default 8) *and* whose 64×64 detail thumbnails differ in at most ``max_changed_fraction`` of the
   pixels (default 0.008) are near-identical → **warn** on both. The second test is what separates a
   re-encoded, resized or slightly recoloured copy (≤ 0.3 % changed) from a different design on the
   same background (a new headline changes 2–4 %), which pHash alone scores as 2–6 bits apart. Variants
   of a cell legitimately share a background; only near-identical pairs are flagged, and policy decides.

Calibration (1080² ad on a photo): JPEG q40–q90, resize to 50 %, non-square resize, ±10 % brightness,
±15 % contrast, −30 % saturation, 10–25° hue shift, 12 % tint: 0–6 bits; mirrored: 0 bits against the
mirror hash; 5 % crop: 8 bits; different photos: 24–38 bits.

Nearly flat images (luminance σ < 2) carry no usable pHash: they skip the library look-up and match
each other within the batch only when their colours agree (colour-histogram distance ≤ 0.1).
Fingerprints are cached in ``resources['fingerprints']`` (a dict keyed by asset id) when one is given.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from assetline.qc.base import AssetUnderCheck, CheckContext, CheckResult, Status
from assetline.qc.phash import Fingerprint, changed_fraction, colour_distance, fingerprint
from assetline.qc.phash_index import PHashIndex, popcount64

FLAT_CONTRAST = 2.0
DEFAULTS: dict[str, Any] = {"reference_max_distance": 10, "batch_max_distance": 8,
                            "max_changed_fraction": 0.008, "mirror": True, "flat_colour_distance": 0.1}


def fingerprint_for(asset: AssetUnderCheck, context: CheckContext) -> Fingerprint:
    """The asset's fingerprint, from ``resources['fingerprints']`` when cached there."""
    cache = context.resources.get("fingerprints")
    if isinstance(cache, dict) and asset.asset_id is not None:
        fp = cache.get(asset.asset_id)
        if fp is None:
            fp = cache[asset.asset_id] = fingerprint(asset.image)
        assert isinstance(fp, Fingerprint)
        return fp
    return fingerprint(asset.image)


def reference_index(context: CheckContext) -> PHashIndex | None:
    ref = context.resources.get("reference_index")
    if ref is None or isinstance(ref, PHashIndex):
        return ref
    if isinstance(ref, str | Path):
        return PHashIndex.load(ref)
    if isinstance(ref, dict):  # {work id: hash}
        index = PHashIndex()
        index.add(list(ref), list(ref.values()))
        return index
    if isinstance(ref, list | tuple):  # hashes only: ids are their positions
        index = PHashIndex()
        index.add(list(range(len(ref))), list(ref))
        return index
    raise TypeError("resources['reference_index'] must be a PHashIndex, the path of one saved with .save(), "
                    "or a dict {work id: hash}")


def reference_matches(fp: Fingerprint, index: PHashIndex | None, max_distance: int,
                      mirror: bool) -> list[dict[str, Any]]:
    """Protected works within ``max_distance`` of the asset (or of its mirror image), nearest first."""
    if index is None or len(index) == 0 or fp.contrast < FLAT_CONTRAST:
        return []
    best: dict[Any, dict[str, Any]] = {}
    probes = [(fp.phash, False)] + ([(fp.phash_mirror, True)] if mirror else [])
    for h, mirrored in probes:
        for ref_id, dist in index.query(h, max_distance):
            if ref_id not in best or dist < best[ref_id]["distance"]:
                best[ref_id] = {"reference": ref_id, "distance": dist, "mirrored": mirrored}
    return sorted(best.values(), key=lambda m: (m["distance"], str(m["reference"])))


def near_duplicate_pairs(fps: list[Fingerprint], max_distance: int, max_changed: float, mirror: bool,
                         flat_colour: float) -> list[tuple[int, int, dict[str, Any]]]:
    """(i, j, details) for every near-identical pair i < j (hash pre-filter, then detail check)."""
    n = len(fps)
    if n < 2:
        return []
    h = np.array([f.phash for f in fps], dtype=np.uint64)
    hm = np.array([f.phash_mirror for f in fps], dtype=np.uint64)
    flat = np.array([f.contrast < FLAT_CONTRAST for f in fps])
    out: list[tuple[int, int, dict[str, Any]]] = []
    chunk = max(1, min(512, 4_000_000 // n))  # bounded memory: ≤ 4 M pair distances at a time
    for start in range(0, n, chunk):
        rows = np.arange(start, min(n, start + chunk))
        d = popcount64(h[rows, None] ^ h[None, :])
        dm = popcount64(hm[rows, None] ^ h[None, :]) if mirror else np.full_like(d, 65)
        cand = np.argwhere(np.minimum(d, dm) <= max_distance)
        for r, j in cand:
            i = int(rows[r])
            j = int(j)
            if j <= i or flat[i] != flat[j]:
                continue
            if flat[i]:
                cd = colour_distance(fps[i], fps[j])
                if cd <= flat_colour:
                    out.append((i, j, {"distance": int(d[r, j]), "mirrored": False, "flat": True,
                                       "colour_distance": round(cd, 3)}))
                continue
            mirrored = bool(dm[r, j] < d[r, j])
            frac = changed_fraction(fps[i], fps[j], mirrored=mirrored)
            if frac <= max_changed:
                out.append((i, j, {"distance": int(min(d[r, j], dm[r, j])), "mirrored": mirrored,
                                   "changed_fraction": round(frac, 4)}))
    return out


class ImageOriginalityCheck:
    """Perceptual-hash look-up against a protected library, and near-identical assets in a batch."""

    id: ClassVar[str] = "originality.phash"
    version: ClassVar[str] = "1"
    description: ClassVar[str] = ("The image does not copy a protected work (pHash, mirror-aware) and is not "
                                  "a near-identical duplicate of another asset in the campaign.")

    def _settings(self, context: CheckContext) -> dict[str, Any]:
        return {**DEFAULTS, **context.for_check(self.id)}

    def run(self, asset: AssetUnderCheck, context: CheckContext) -> CheckResult:
        return self.run_batch([asset], context)[0]

    def run_batch(self, assets: list[AssetUnderCheck], context: CheckContext) -> list[CheckResult]:
        s = self._settings(context)
        # 1. Fingerprint every asset once
        fps = [fingerprint_for(a, context) for a in assets]
        # 2. Protected library
        index = reference_index(context)
        ref_max, mirror = int(s["reference_max_distance"]), bool(s["mirror"])
        refs = [reference_matches(fp, index, ref_max, mirror) for fp in fps]
        # 3. Near-identical pairs within the batch
        dups: list[list[dict[str, Any]]] = [[] for _ in assets]
        pairs = near_duplicate_pairs(fps, int(s["batch_max_distance"]), float(s["max_changed_fraction"]),
                                     bool(s["mirror"]), float(s["flat_colour_distance"]))
        for i, j, info in pairs:
            dups[i].append({"asset": _name(assets[j], j), "index": j, **info})
            dups[j].append({"asset": _name(assets[i], i), "index": i, **info})
        # 4. One result per asset
        return [self._result(fp, ref, dup, s, index is not None) for fp, ref, dup in zip(fps, refs, dups,
                                                                                         strict=True)]

    def _result(self, fp: Fingerprint, refs: list[dict[str, Any]], dups: list[dict[str, Any]],
                s: dict[str, Any], has_index: bool) -> CheckResult:
        dups = sorted(dups, key=lambda d: (d["distance"], d["index"]))
        evidence: dict[str, Any] = {
            "phash": fp.hex, "phash_mirror": f"{fp.phash_mirror:016x}", "reference_matches": refs[:20],
            "duplicates": dups[:50], "duplicate_count": len(dups), "low_detail": fp.contrast < FLAT_CONTRAST,
            "reference_library": has_index,
            "thresholds": {k: s[k] for k in ("reference_max_distance", "batch_max_distance",
                                             "max_changed_fraction")},
        }
        status: Status
        if refs:
            top = refs[0]
            status = "fail"
            how = " (mirrored)" if top["mirrored"] else ""
            message = (f"Image matches protected work '{top['reference']}'{how}: pHash distance "
                       f"{top['distance']}/64 (≤ {s['reference_max_distance']}).")
            score = float(top["distance"])
        elif dups:
            top = dups[0]
            status = "warn"
            plural = "s" if len(dups) > 1 else ""
            message = (f"Near-identical to {len(dups)} other asset{plural} in the batch "
                       f"(closest '{top['asset']}', pHash distance {top['distance']}/64).")
            score = float(top["distance"])
        else:
            status = "pass"
            message = ("No protected-work match and no near-identical asset in the batch." if has_index
                       else "No near-identical asset in the batch (no protected library given).")
            score = None
        return CheckResult(self.id, self.version, status, message, score=score, evidence=evidence)


def _name(asset: AssetUnderCheck, index: int) -> str:
    return asset.asset_id if asset.asset_id is not None else f"#{index}"
