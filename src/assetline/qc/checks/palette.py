"""brand.palette — are the designed colours brand colours?

What is measured:

- **Designed element colours** (Assetline-made assets): each text colour, button fill and scrim colour
  recorded by the composer. These are exact hex values, so each one counts whatever its area.
- **Flat fills** (any image): panels, bands, buttons and backgrounds found by ``qc.flatfill`` — the
  places where an off-palette colour shows. Photo areas are left out: an element of kind 'subject'
  marks them, and camera pixels are never flat enough to count as fills anyway. Logo boxes are left out
  (the logo file defines its own colours). Near-pure black and white (L* < 3 or > 97, C* < 3) are
  neutral by default: clipped shadows and highlights of photos are exactly flat.

Fill pixels are grouped into dominant colours by k-means in CIELAB (deterministic init, fixed seed,
weights = pixel share); each dominant colour is compared with its nearest palette colour by CIEDE2000.
Verdict per colour: ΔE00 ≤ pass → ok; ≤ warn → warn; above → fail. A fill colour counts only when it
covers at least ``min_share`` of the image (default 2 %).

Settings (``brand.palette``): pass_delta_e, warn_delta_e (default from brand.tolerance), min_share,
neutral_extremes (bool), max_side (working size, default 160), kmeans_k (default 8).
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from assetline.qc.base import AssetUnderCheck, CheckContext, CheckResult, Status, worst
from assetline.qc.colourmath import delta_e_2000, hex_to_lab, rgb_to_hex
from assetline.qc.flatfill import find_fills, working_mask
from assetline.qc.kmeans import weighted_kmeans
from assetline.qc.pixels import elements_of
from assetline.spec.brand import BrandKit


def _lab_to_rgb(lab: np.ndarray) -> np.ndarray:
    from skimage.color import lab2rgb

    return np.asarray(lab2rgb(np.asarray(lab, dtype=np.float64).reshape(1, 1, 3)).reshape(3) * 255.0)


class PaletteCheck:
    id: ClassVar[str] = "brand.palette"
    version: ClassVar[str] = "1"
    description: ClassVar[str] = (
        "Designed colours (fills, text, buttons) are within ΔE00 tolerance of the palette."
    )

    def run(self, asset: AssetUnderCheck, context: CheckContext) -> CheckResult:
        # 1. Check inputs and settings.
        if asset.brand is None:
            return self._result("na", "No brand kit given: nothing to compare colours with.")
        cfg = context.for_check(self.id)
        brand: BrandKit = asset.brand
        pass_de = float(cfg.get("pass_delta_e", brand.tolerance.pass_delta_e))
        warn_de = float(cfg.get("warn_delta_e", brand.tolerance.warn_delta_e))
        min_share = float(cfg.get("min_share", 0.02))
        neutral = bool(cfg.get("neutral_extremes", True))
        max_side = int(cfg.get("max_side", 160))
        names = [c.name for c in brand.palette]
        palette_lab = np.array([hex_to_lab(c.hex) for c in brand.palette])

        def nearest(lab: np.ndarray) -> tuple[str, float]:
            de = delta_e_2000(np.asarray(lab)[None, :], palette_lab)
            i = int(np.argmin(de))
            return names[i], float(de[i])

        def grade(de: float) -> Status:
            return "pass" if de <= pass_de else "warn" if de <= warn_de else "fail"

        # 2. Designed element colours (exact values recorded by the composer).
        designed: list[dict[str, Any]] = []
        for el in asset.elements or ():
            for attr in ("colour", "background"):
                value = getattr(el, attr)
                if value is None or el.kind in ("logo", "subject"):
                    continue
                if el.kind == "scrim" and attr == "colour" and el.background is not None:
                    continue
                name, de = nearest(hex_to_lab(value))
                designed.append(
                    {
                        "element": el.kind,
                        "field": attr,
                        "hex": value.upper(),
                        "nearest": name,
                        "delta_e": round(de, 2),
                        "status": grade(de),
                    }
                )

        # 3. Flat fills outside photo and logo areas, grouped into dominant colours.
        hidden = [tuple(e.box) for e in elements_of(asset.elements, "subject", "logo")]
        exclude = working_mask(asset.image, hidden, max_side) if hidden else None  # type: ignore[arg-type]
        fmap = find_fills(asset.image, exclude=exclude, max_side=max_side, min_share=min(0.005, min_share))
        fill_pixels = fmap.lab[fmap.labels > 0]
        dominant: list[dict[str, Any]] = []
        if len(fill_pixels):
            k = min(int(cfg.get("kmeans_k", 8)), len(fmap.fills))
            centres, counts = weighted_kmeans(fill_pixels, k=k, seed=0, merge_delta_e=1.0)
            total = fmap.labels.size
            for centre, count in sorted(zip(centres, counts, strict=True), key=lambda t: -t[1]):
                share = float(count) / total
                chroma = float(np.hypot(centre[1], centre[2]))
                is_neutral = neutral and chroma < 3.0 and (centre[0] < 3.0 or centre[0] > 97.0)
                name, de = nearest(centre)
                status: Status = "pass" if is_neutral or share < min_share else grade(de)
                dominant.append(
                    {
                        "hex": rgb_to_hex(_lab_to_rgb(centre)),
                        "share": round(share, 4),
                        "nearest": name,
                        "delta_e": round(de, 2),
                        "status": status,
                        **({"neutral": True} if is_neutral else {}),
                    }
                )

        # 4. Verdict: the worst designed colour or counted fill colour.
        counted = designed + [d for d in dominant if d["share"] >= min_share and not d.get("neutral")]
        evidence: dict[str, Any] = {
            "pass_delta_e": pass_de,
            "warn_delta_e": warn_de,
            "min_share": min_share,
            "designed_colours": designed,
            "dominant_colours": dominant,
            "fills_found": len(fmap.fills),
            "flat_regions_rejected": fmap.rejected,
            "excluded_boxes": [list(b) for b in hidden],
        }
        if not counted:
            return self._result(
                "na", "No designed colours to measure (no flat fills, no element colours).", evidence=evidence
            )
        status = worst([c["status"] for c in counted])
        bad = max(counted, key=lambda c: c["delta_e"])
        score = float(bad["delta_e"])
        if status == "pass":
            msg = f"All {len(counted)} designed colour(s) match the palette (worst ΔE00 {score:.1f})."
        else:
            where = bad.get("element") or f"fill covering {bad['share']:.0%}"
            msg = (
                f"Off-palette colour {bad['hex']} ({where}) is ΔE00 {score:.1f} from the nearest "
                "brand colour "
                f"'{bad['nearest']}' (pass ≤ {pass_de:g}, warn ≤ {warn_de:g})."
            )
        return self._result(status, msg, score=score, evidence=evidence)

    def _result(
        self, status: Status, message: str, score: float | None = None, evidence: dict[str, Any] | None = None
    ) -> CheckResult:
        return CheckResult(self.id, self.version, status, message, score, evidence or {})
