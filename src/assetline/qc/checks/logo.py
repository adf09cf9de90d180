"""brand.logo — is the logo there, big enough, and given its clear space?

Rules (from the brand kit's logo entry):

- size: logo height ≥ max(``min_height_px``, ``min_height_ratio`` × the canvas's shorter side). The
  ratio (default 0.025, i.e. 27 px on a 1080 px square) scales the kit's pixel minimum to big canvases;
  on small banners the kit's own minimum rules;
- clear space: a band of ``clear_space`` × logo height around the logo box lies inside the canvas and is
  free of other elements.

With layout metadata (Assetline-made assets) both are exact: the logo element's box, and the boxes of
text, button and CTA elements (scrims and photos are backgrounds, not intrusions).

Without metadata (outside images) the logo is found by masked template matching of every logo version
(``qc.logomatch``; the templates come from ``CheckContext.resources['logo_templates']``, a list of
``LogoTemplate``). The clear-space band is then judged by what is in it: a line of text found by
``qc.textfind`` reaching into it fails; otherwise strong edges (grey step ≥ ``edge_step``, default 40 —
above most photo texture) covering more than ``busy_fail`` (3 %) of the band fail, more than
``busy_warn`` (1.5 %) warn.

Missing logo: status per the ``missing`` setting ('warn' by default; 'fail' or 'pass').
Settings (``brand.logo``): min_height_ratio, missing, busy_warn, busy_fail, edge_step, accept.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
from numpy.typing import NDArray
from scipy import ndimage as ndi

from assetline.engines.base import Box, Element
from assetline.qc.base import AssetUnderCheck, CheckContext, CheckResult, Status, worst
from assetline.qc.logomatch import LogoTemplate, find_logo
from assetline.qc.pixels import intersect, rgb_array
from assetline.qc.textfind import find_text_lines
from assetline.spec.brand import BrandKit, Logo

INTRUDERS = ("headline", "body", "cta", "legal", "button")


def _rule_for(brand: BrandKit, logo_id: str | None) -> Logo:
    return next((lg for lg in brand.logos if lg.id == logo_id), brand.logos[0])


def required_height(rule: Logo, width: int, height: int, ratio: float) -> int:
    return max(rule.min_height_px, int(np.ceil(ratio * min(width, height))))


def _grow(box: Box, margin: float) -> Box:
    m = int(np.ceil(margin))
    return (box[0] - m, box[1] - m, box[2] + m, box[3] + m)


def busy_share(rgb: NDArray[np.uint8], box: Box, margin: float, edge_step: float) -> tuple[float, int]:
    """(share of strong-edge pixels, pixel count) in the clear-space band around ``box`` inside the canvas."""
    h, w = rgb.shape[:2]
    outer = _grow(box, margin)
    ol, ot, orr, ob = max(0, outer[0]), max(0, outer[1]), min(w, outer[2]), min(h, outer[3])
    grey = rgb[ot:ob, ol:orr].astype(np.float64) @ np.array([0.299, 0.587, 0.114])
    if grey.shape[0] < 3 or grey.shape[1] < 3:
        return 0.0, 0
    step = np.maximum(np.abs(ndi.sobel(grey, axis=0)), np.abs(ndi.sobel(grey, axis=1))) / 4.0
    band = np.ones(grey.shape, dtype=bool)
    # Leave out the logo itself plus 2 px of its anti-aliased edge.
    band[
        max(0, box[1] - 2 - ot) : max(0, box[3] + 2 - ot), max(0, box[0] - 2 - ol) : max(0, box[2] + 2 - ol)
    ] = False
    band[:1, :] = band[-1:, :] = False
    band[:, :1] = band[:, -1:] = False
    count = int(band.sum())
    return (float((step[band] >= edge_step).mean()) if count else 0.0), count


def text_near(rgb: NDArray[np.uint8], box: Box, margin: float) -> list[Box]:
    """Lines of text (``qc.textfind``) that reach into the clear-space band around the logo ``box``."""
    h, w = rgb.shape[:2]
    reach = _grow(box, 3 * margin + 8)
    left, top, right, bottom = max(0, reach[0]), max(0, reach[1]), min(w, reach[2]), min(h, reach[3])
    outer = _grow(box, margin)
    own = _grow(box, 0.15 * (box[3] - box[1]) + 2)
    hits: list[Box] = []
    for line in find_text_lines(rgb[top:bottom, left:right]):
        lb = (line.box[0] + left, line.box[1] + top, line.box[2] + left, line.box[3] + top)
        inside_logo = lb[0] >= own[0] and lb[1] >= own[1] and lb[2] <= own[2] and lb[3] <= own[3]
        if not inside_logo and intersect(lb, outer) is not None:
            hits.append(lb)
    return hits


class LogoCheck:
    id: ClassVar[str] = "brand.logo"
    version: ClassVar[str] = "2"
    description: ClassVar[str] = "Logo present, at least the minimum size, with its clear space."

    def run(self, asset: AssetUnderCheck, context: CheckContext) -> CheckResult:
        # 1. Inputs and settings.
        if asset.brand is None or not asset.brand.logos:
            return CheckResult(self.id, self.version, "na", "The brand kit defines no logo.", None, {})
        cfg = context.for_check(self.id)
        ratio = float(cfg.get("min_height_ratio", 0.025))
        missing: Status = cfg.get("missing", "warn")
        width, height = asset.image.size

        # 2. Where the logo is.
        found: list[dict[str, Any]] = []
        if asset.elements is not None:
            source = "elements"
            for el in asset.elements:
                if el.kind == "logo":
                    found.append(
                        {
                            "box": tuple(int(v) for v in el.box),
                            "logo_id": el.extra.get("logo_id"),
                            "clear_space_px": el.extra.get("clear_space_px"),
                        }
                    )
        else:
            source = "template match"
            templates: list[LogoTemplate] | None = context.resources.get("logo_templates")
            if not templates:
                return CheckResult(
                    self.id,
                    self.version,
                    "na",
                    "No layout metadata and no logo files to search for.",
                    None,
                    {"source": source},
                )
            match = find_logo(rgb_array(asset.image), list(templates), accept=float(cfg.get("accept", 0.75)))
            if match is not None:
                found.append(
                    {"box": match.box, "logo_id": match.logo_id, "match_score": round(match.score, 3)}
                )
        if not found:
            return CheckResult(
                self.id,
                self.version,
                missing,
                "No logo found on the asset.",
                None,
                {"source": source, "policy": missing},
            )

        # 3. Size and clear space for each logo placed.
        rgb = rgb_array(asset.image) if asset.elements is None else None
        items = [self._judge(item, asset, cfg, ratio, rgb, width, height) for item in found]
        status = worst([it["status"] for it in items])
        worst_item = next(it for it in items if it["status"] == status)
        evidence = {"source": source, "logos": items}
        score = float(worst_item["height_px"])
        if status == "pass":
            return CheckResult(
                self.id,
                self.version,
                "pass",
                f"Logo {worst_item['height_px']} px tall (min {worst_item['required_px']}) "
                "with its clear space.",
                score,
                evidence,
            )
        return CheckResult(
            self.id, self.version, status, "Logo: " + "; ".join(worst_item["problems"]) + ".", score, evidence
        )

    def _judge(
        self,
        item: dict[str, Any],
        asset: AssetUnderCheck,
        cfg: dict[str, Any],
        ratio: float,
        rgb: NDArray[np.uint8] | None,
        width: int,
        height: int,
    ) -> dict[str, Any]:
        assert asset.brand is not None
        box: Box = item["box"]
        rule = _rule_for(asset.brand, item.get("logo_id"))
        logo_h = box[3] - box[1]
        need = required_height(rule, width, height, ratio)
        margin = float(item.get("clear_space_px") or rule.clear_space * logo_h)
        problems: list[str] = []
        statuses: list[str] = ["pass"]
        if logo_h < need:
            problems.append(f"{logo_h} px tall, below the minimum {need} px")
            statuses.append("fail")
        # Clear space must fit inside the canvas.
        outer = _grow(box, margin)
        if outer[0] < 0 or outer[1] < 0 or outer[2] > width or outer[3] > height:
            problems.append(f"closer than its clear space ({margin:.0f} px) to the canvas edge")
            statuses.append("fail")
        result: dict[str, Any] = {
            "logo_id": rule.id,
            "box": list(box),
            "height_px": logo_h,
            "required_px": need,
            "clear_space_px": round(margin, 1),
            "clear_space_box": list(outer),
        }
        if "match_score" in item:
            result["match_score"] = item["match_score"]
        if asset.elements is not None:
            intruders = [el for el in asset.elements if el.kind in INTRUDERS and self._hits(el, outer)]
            if intruders:
                problems.append("clear space entered by " + ", ".join(el.kind for el in intruders))
                statuses.append("fail")
                result["intruders"] = [{"element": el.kind, "box": list(el.box)} for el in intruders]
        elif rgb is not None:
            lines = text_near(rgb, box, margin)
            share, _ = busy_share(rgb, box, margin, float(cfg.get("edge_step", 40.0)))
            result["busy_share"] = round(share, 4)
            if lines:
                problems.append(f"clear space entered by text ({len(lines)} line(s) within {margin:.0f} px)")
                statuses.append("fail")
                result["intruders"] = [{"element": "text line", "box": list(b)} for b in lines]
            if share > float(cfg.get("busy_fail", 0.03)):
                problems.append(f"clear space is busy ({share:.1%} strong edges: graphics too close)")
                statuses.append("fail")
            elif share > float(cfg.get("busy_warn", 0.015)):
                problems.append(f"clear space is somewhat busy ({share:.1%} strong edges)")
                statuses.append("warn")
        result["status"] = worst(statuses)
        result["problems"] = problems
        return result

    @staticmethod
    def _hits(el: Element, outer: Box) -> bool:
        return intersect(tuple(int(v) for v in el.box), outer) is not None  # type: ignore[arg-type]
