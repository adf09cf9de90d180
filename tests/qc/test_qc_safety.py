"""safety.nudity: the threshold policy, with NudeNet's real output on benign photos and a detector
passed in through CheckContext.resources for the paths a test cannot show with real images."""

from __future__ import annotations

import sys
from typing import Any

import pytest
from planted import Layout, photo, render

from assetline.qc.base import AssetUnderCheck, CheckContext
from assetline.qc.checks.safety import NudityCheck, load_nudenet

CHECK = NudityCheck()


def fixed(*detections: dict[str, Any]):
    calls: list[tuple[int, ...]] = []

    def detect(bgr):
        calls.append(bgr.shape)
        return list(detections)

    detect.calls = calls  # type: ignore[attr-defined]
    return detect


def run(img, detector=None, **settings: object):
    resources = {"nudity_detector": detector} if detector is not None else {}
    return CHECK.run(
        AssetUnderCheck(image=img), CheckContext(settings={"safety.nudity": settings}, resources=resources)
    )


@pytest.mark.parametrize("name", ["astronaut", "coffee", "chelsea", "rocket"])
def test_real_detector_passes_benign_photos(name: str) -> None:
    pytest.importorskip("nudenet")
    r = run(photo(name))
    assert r.status == "pass", r.evidence
    assert all(d["class"] not in r.evidence["flagged"] for d in r.evidence["detections"])


def test_real_detector_passes_a_composed_ad() -> None:
    pytest.importorskip("nudenet")
    img, _ = render(Layout(photo="astronaut"))
    assert run(img).status == "pass"


def test_exposed_classes_fail_and_warn_by_score() -> None:
    box = [10, 10, 40, 40]
    assert (
        run(photo("coffee"), fixed({"class": "FEMALE_BREAST_EXPOSED", "score": 0.81, "box": box})).status
        == "fail"
    )
    assert (
        run(photo("coffee"), fixed({"class": "BUTTOCKS_EXPOSED", "score": 0.35, "box": box})).status == "warn"
    )
    assert (
        run(photo("coffee"), fixed({"class": "BUTTOCKS_EXPOSED", "score": 0.25, "box": box})).status == "pass"
    )


def test_covered_and_face_classes_are_ignored_by_default() -> None:
    dets = (
        {"class": "FACE_FEMALE", "score": 0.95, "box": [0, 0, 5, 5]},
        {"class": "BELLY_COVERED", "score": 0.9, "box": [0, 0, 5, 5]},
    )
    assert run(photo("coffee"), fixed(*dets)).status == "pass"


def test_thresholds_come_from_settings() -> None:
    det = fixed(
        {"class": "BELLY_EXPOSED", "score": 0.6, "box": [0, 0, 5, 5]},
        {"class": "MALE_GENITALIA_EXPOSED", "score": 0.9, "box": [0, 0, 5, 5]},
    )
    r = run(photo("coffee"), det, thresholds={"BELLY_EXPOSED": {"fail": 0.5}, "MALE_GENITALIA_EXPOSED": None})
    assert r.status == "fail" and r.evidence["flagged"][0]["class"] == "BELLY_EXPOSED"


def test_detector_sees_a_reduced_bgr_copy_and_boxes_come_back_full_size() -> None:
    img = photo("astronaut").resize((1280, 1280))
    det = fixed({"class": "ANUS_EXPOSED", "score": 0.7, "box": [32, 32, 16, 16]})
    r = run(img, det)
    assert det.calls == [(320, 320, 3)]  # type: ignore[attr-defined]
    assert r.evidence["flagged"][0]["box"] == [128, 128, 192, 192]


def test_missing_nudenet_is_na_with_the_install_hint(monkeypatch: pytest.MonkeyPatch) -> None:
    load_nudenet.cache_clear()
    monkeypatch.setitem(sys.modules, "nudenet", None)  # makes `import nudenet` raise ImportError
    try:
        r = run(photo("coffee"), threads=3)
        assert r.status == "na" and "pip install 'assetline[qc]'" in r.message
    finally:
        load_nudenet.cache_clear()
