"""safety.nudity — nudity detection with NudeNet, under a per-class threshold policy.

The detector is NudeNet's bundled 320n ONNX model (``pip install 'assetline[qc]'``); nothing is
downloaded. It is loaded lazily, once per process and thread count, with ONNX Runtime limited to
``threads`` intra-op threads (default 1: the runner already runs one process per core). The image is
area-reduced to ``max_side`` (default 320, the model's own input size) before detection.

Policy (settings ``safety.nudity``): ``thresholds`` maps a NudeNet class to {'fail': score, 'warn':
score}; by default the exposed genitalia, breast, buttocks and anus classes fail at ≥ 0.5 and warn at
≥ 0.3, and every other class (faces, covered parts, feet, belly, armpits) is ignored. Set a class to
``null`` to ignore it.

A detector can be passed in through ``CheckContext.resources['nudity_detector']``: any callable taking
an H×W×3 BGR uint8 array and returning NudeNet-style detections ``[{'class', 'score', 'box'}]`` (a
hosted moderation API, a different model, or a fixed answer in tests).

ONNX Runtime writes a telemetry file under ``$XDG_CACHE_HOME`` (else ``~/.cache``) when it is imported;
set ``cache_dir`` in the settings to send it elsewhere (used only if XDG_CACHE_HOME is not already set).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from functools import cache
from typing import Any, ClassVar

import numpy as np

from assetline.qc.base import AssetUnderCheck, CheckContext, CheckResult, Status
from assetline.qc.pixels import thumbnail

Detector = Callable[[np.ndarray], list[dict[str, Any]]]
EXPOSED = (
    "FEMALE_GENITALIA_EXPOSED",
    "MALE_GENITALIA_EXPOSED",
    "FEMALE_BREAST_EXPOSED",
    "BUTTOCKS_EXPOSED",
    "ANUS_EXPOSED",
)
DEFAULT_THRESHOLDS: dict[str, dict[str, float]] = {name: {"fail": 0.5, "warn": 0.3} for name in EXPOSED}
INSTALL_HINT = "pip install 'assetline[qc]'"


class DetectorUnavailable(ImportError):
    """NudeNet (or ONNX Runtime) is not installed."""


@cache
def load_nudenet(threads: int = 1, cache_dir: str | None = None) -> Detector:
    """NudeNet's detector with a thread-limited ONNX session (once per process and arguments)."""
    if cache_dir and "XDG_CACHE_HOME" not in os.environ:
        os.environ["XDG_CACHE_HOME"] = cache_dir  # before onnxruntime is imported: it writes there
    try:
        import onnxruntime as ort
        from nudenet import NudeDetector
    except ImportError as exc:
        raise DetectorUnavailable(f"nudity detection needs NudeNet: {INSTALL_HINT}") from exc
    detector = NudeDetector()
    model_path = os.path.join(os.path.dirname(__import__("nudenet").__file__), "320n.onnx")
    options = ort.SessionOptions()
    options.intra_op_num_threads = max(1, threads)
    options.inter_op_num_threads = 1
    detector.onnx_session = ort.InferenceSession(model_path, options, providers=["CPUExecutionProvider"])

    def detect(bgr: np.ndarray) -> list[dict[str, Any]]:
        return list(detector.detect(np.ascontiguousarray(bgr)))

    return detect


class NudityCheck:
    id: ClassVar[str] = "safety.nudity"
    version: ClassVar[str] = "1"
    description: ClassVar[str] = "No exposed nudity (NudeNet detections under per-class thresholds)."

    def run(self, asset: AssetUnderCheck, context: CheckContext) -> CheckResult:
        # 1. Settings and the detector.
        cfg = context.for_check(self.id)
        thresholds = dict(DEFAULT_THRESHOLDS)
        for name, value in (cfg.get("thresholds") or {}).items():
            if value is None:
                thresholds.pop(name, None)
            else:
                thresholds[name] = {
                    "fail": float(value.get("fail", 1.01)),
                    "warn": float(value.get("warn", 1.01)),
                }
        detector: Detector | None = context.resources.get("nudity_detector")
        if detector is None:
            try:
                detector = load_nudenet(int(cfg.get("threads", 1)), cfg.get("cache_dir"))
            except DetectorUnavailable as exc:
                return CheckResult(
                    self.id, self.version, "na", f"Not checked: {exc}.", None, {"install": INSTALL_HINT}
                )

        # 2. Detect on a reduced copy; boxes are mapped back to full resolution.
        small, scale = thumbnail(asset.image, int(cfg.get("max_side", 320)))
        raw = detector(np.ascontiguousarray(small[..., ::-1]))
        detections = []
        for det in raw:
            x, y, w, h = (float(v) / scale for v in det.get("box", (0, 0, 0, 0)))
            detections.append(
                {
                    "class": str(det["class"]),
                    "score": round(float(det["score"]), 3),
                    "box": [round(x), round(y), round(x + w), round(y + h)],
                }
            )

        # 3. Policy.
        status: Status = "pass"
        flagged = []
        for det in detections:
            rule = thresholds.get(det["class"])
            if rule is None:
                continue
            level: Status | None = (
                "fail" if det["score"] >= rule["fail"] else "warn" if det["score"] >= rule["warn"] else None
            )
            if level is not None:
                flagged.append({**det, "status": level})
                if level == "fail" or status == "pass":
                    status = level
        top = max(flagged, key=lambda d: d["score"]) if flagged else None
        evidence = {"detections": detections, "flagged": flagged, "thresholds": thresholds}
        if top is None:
            return CheckResult(
                self.id,
                self.version,
                "pass",
                "No nudity detected above the policy thresholds.",
                max((d["score"] for d in detections if d["class"] in thresholds), default=0.0),
                evidence,
            )
        label = top["class"].lower().replace("_", " ")
        msg = f"{label.capitalize()} detected (score {top['score']:.2f}); policy: {status}."
        return CheckResult(self.id, self.version, status, msg, float(top["score"]), evidence)
