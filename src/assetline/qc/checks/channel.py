"""channel.spec — does the delivered file meet the channel format's technical spec?

Sub-checks (each reported in evidence['checks'] with its own status):

- size: pixel size exactly the format's width × height;
- ratio: aspect ratio within ``ratio_tolerance`` (relative);
- file_size: encoded bytes ≤ max_file_kb × 1024;
- file_type: the type read from the bytes (magic number) is one of the format's file_types;
- colour_mode: 8-bit RGB/greyscale/palette; CMYK or more than 8 bits per channel fail; an ICC profile
  other than sRGB warns; transparent pixels in a PNG/GIF warn (platforms composite them on their own
  background); alpha does not apply to JPEG;
- safe_zone: text, logo, button and CTA element boxes stay out of the margins platform UI covers
  (needs layout metadata, else 'na');
- text_limits: each copy field is within the format's character limit (needs the copy, else 'na').

The overall status is the worst sub-check; 'na' sub-checks do not count.

For a motion asset (``asset.motion`` set) the delivered file is the video: file_size measures the video
bytes, file_type is its container ('mp4', 'webm') read from the bytes, and colour_mode judges the poster
frame (``asset.image``), since the video's own pixels are the motion checks' business.
"""

from __future__ import annotations

import io
from typing import Any, ClassVar

import numpy as np
from PIL import Image

from assetline.qc.base import AssetUnderCheck, CheckContext, CheckResult, Status, worst
from assetline.qc.filetype import encoding, sniff
from assetline.qc.motion.container import sniff_container
from assetline.qc.pixels import elements_of, intersect
from assetline.spec.formats import ChannelFormat

SAFE_ZONE_KINDS = ("headline", "body", "cta", "legal", "logo", "button")


def _sub(status: Status, message: str, **values: Any) -> dict[str, Any]:
    return {"status": status, "message": message, **values}


class ChannelSpecCheck:
    id: ClassVar[str] = "channel.spec"
    version: ClassVar[str] = "2"
    description: ClassVar[str] = (
        "Pixel size, ratio, file size and type, colour mode, safe zones and text limits."
    )

    def run(self, asset: AssetUnderCheck, context: CheckContext) -> CheckResult:
        fmt = asset.format
        checks: dict[str, dict[str, Any]] = {}
        width, height = asset.image.size

        # 1. Geometry.
        if fmt is None:
            for name in ("size", "ratio", "file_size", "file_type", "safe_zone", "text_limits"):
                checks[name] = _sub("na", "no channel format given")
        else:
            checks["size"] = (
                _sub("pass", f"{width}×{height} px", actual=[width, height])
                if (width, height) == fmt.size
                else _sub(
                    "fail",
                    f"{width}×{height} px, the format needs {fmt.width}×{fmt.height}",
                    actual=[width, height],
                    expected=[fmt.width, fmt.height],
                )
            )
            error = abs(width / height - fmt.aspect) / fmt.aspect
            checks["ratio"] = _sub(
                "pass" if error <= fmt.ratio_tolerance + 1e-9 else "fail",
                f"aspect {width / height:.4f} vs {fmt.aspect:.4f} ({error:.2%} off, "
                f"tolerance {fmt.ratio_tolerance:.2%})",
                error=round(error, 5),
            )
            checks.update(self._file(asset, fmt))
            checks["safe_zone"] = self._safe_zone(asset, fmt)
            checks["text_limits"] = self._text_limits(asset, fmt)

        # 2. Colour mode (needs no format).
        checks["colour_mode"] = self._colour_mode(asset)

        # 3. Verdict.
        status = worst([c["status"] for c in checks.values()])
        bad = [f"{name}: {c['message']}" for name, c in checks.items() if c["status"] in ("fail", "warn")]
        if status in ("pass", "na"):
            done = [n for n, c in checks.items() if c["status"] == "pass"]
            msg = (
                f"Meets the {fmt.id} spec ({', '.join(done)})."
                if fmt
                else "Colour mode fine; no channel format given to check size, type and limits."
            )
        else:
            msg = ("Off spec — " if status == "fail" else "Spec warning — ") + "; ".join(bad) + "."
        evidence = {"format": fmt.id if fmt else None, "checks": checks}
        score = float(len(bad))
        return CheckResult(self.id, self.version, status, msg, score, evidence)

    @staticmethod
    def _file(asset: AssetUnderCheck, fmt: ChannelFormat) -> dict[str, dict[str, Any]]:
        payload = asset.motion.data if asset.motion is not None else asset.data
        if payload is None:
            return {
                "file_size": _sub("na", "no encoded file given"),
                "file_type": _sub("na", "no encoded file given"),
            }
        size_kb = len(payload) / 1024.0
        out = {
            "file_size": _sub(
                "pass" if size_kb <= fmt.max_file_kb else "fail",
                f"{size_kb:,.1f} KB (limit {fmt.max_file_kb:,} KB)",
                kb=round(size_kb, 1),
                limit_kb=fmt.max_file_kb,
            )
        }
        kind = sniff_container(payload) if asset.motion is not None else sniff(payload) or asset.file_type
        allowed = list(fmt.file_types)
        out["file_type"] = (
            _sub("pass", f"{kind}", actual=kind, allowed=allowed)
            if kind in allowed
            else _sub(
                "fail",
                f"{kind or 'unknown type'}, the format takes {', '.join(allowed)}",
                actual=kind,
                allowed=allowed,
            )
        )
        return out

    @staticmethod
    def _colour_mode(asset: AssetUnderCheck) -> dict[str, Any]:
        encoded = asset.data if asset.motion is None else None  # a video's still is its poster frame
        if encoded is not None:
            try:
                enc = encoding(encoded)
            except Exception as exc:  # undecodable bytes are a finding, not a crash
                return _sub("fail", f"the file cannot be decoded ({exc})")
            mode, bits, channels, alpha, icc = (
                enc.mode,
                enc.bits,
                enc.channels,
                enc.has_alpha,
                enc.icc_description,
            )
            kind = enc.file_type
        else:
            mode, kind, icc = (
                asset.image.mode,
                asset.file_type,
                asset.image.info.get("icc_profile") and "embedded",
            )
            bits = 16 if mode.startswith("I;16") or mode in ("I", "F") else 8
            channels = len(asset.image.getbands())
            alpha = mode in ("RGBA", "LA", "PA")
        values = {"mode": mode, "bits": bits, "channels": channels, "icc": icc}
        if mode == "CMYK" or (kind == "jpeg" and channels == 4):
            return _sub("fail", "CMYK image; screens need RGB (sRGB)", **values)
        if mode in ("LAB", "HSV", "YCbCr") and kind != "jpeg":
            return _sub("fail", f"{mode} image; screens need RGB (sRGB)", **values)
        if bits > 8:
            return _sub("fail", f"{bits}-bit channels; deliver 8-bit sRGB", **values)
        if isinstance(icc, str) and icc not in ("embedded",) and "srgb" not in icc.lower().replace(" ", ""):
            return _sub(
                "warn", f"ICC profile '{icc}' is not sRGB; colours will shift on most screens", **values
            )
        if alpha and kind != "jpeg":
            image = asset.image if encoded is None else Image.open(io.BytesIO(encoded))
            a = np.asarray(image.convert("RGBA").getchannel("A"))
            transparent = float((a < 255).mean())
            if transparent > 0:
                return _sub(
                    "warn",
                    f"{transparent:.0%} of pixels are transparent; the platform picks the background",
                    transparent_share=round(transparent, 4),
                    **values,
                )
        return _sub("pass", f"{mode}, {bits}-bit" + (f", {icc}" if isinstance(icc, str) else ""), **values)

    @staticmethod
    def _safe_zone(asset: AssetUnderCheck, fmt: ChannelFormat) -> dict[str, Any]:
        zone = fmt.safe_zone
        if asset.elements is None:
            return _sub("na", "no layout metadata to locate text and logo")
        if not any((zone.top, zone.bottom, zone.left, zone.right)):
            return _sub("pass", "the format has no safe-zone margins")
        w, h = asset.image.size
        margins = {
            "top": (0, 0, w, zone.top),
            "bottom": (0, h - zone.bottom, w, h),
            "left": (0, 0, zone.left, h),
            "right": (w - zone.right, 0, w, h),
        }
        hits = []
        for el in elements_of(asset.elements, *SAFE_ZONE_KINDS):
            for side, margin in margins.items():
                if margin[2] > margin[0] and margin[3] > margin[1] and intersect(tuple(el.box), margin):
                    hits.append({"element": el.kind, "box": list(el.box), "margin": side})
        zone_px = {"top": zone.top, "bottom": zone.bottom, "left": zone.left, "right": zone.right}
        if hits:
            where = ", ".join(f"{h['element']} in the {h['margin']} margin" for h in hits[:4])
            return _sub("fail", f"{where} (covered by platform UI)", hits=hits, zone=zone_px)
        return _sub("pass", "text, logo and CTA are clear of the platform UI", zone=zone_px)

    @staticmethod
    def _text_limits(asset: AssetUnderCheck, fmt: ChannelFormat) -> dict[str, Any]:
        if not asset.copy:
            return _sub("na", "no copy given")
        limits = fmt.text_limits.model_dump()
        fields, over = {}, []
        for name, limit in limits.items():
            text = asset.copy.get(name)
            if text is None or limit is None:
                continue
            fields[name] = {"chars": len(text), "limit": limit}
            if len(text) > limit:
                over.append(f"{name} {len(text)}/{limit} chars")
        if over:
            return _sub("fail", "over the limit: " + ", ".join(over), fields=fields)
        return _sub("pass", "within limits", fields=fields) if fields else _sub("na", "no limited fields")
