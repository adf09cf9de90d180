"""motion.flashing: WCAG 2.3.1 general and red flashes, counted per second over a 10° visual field."""

from __future__ import annotations

import numpy as np
import pytest
from qc_motion_kit import encode, flashing, motion_asset, solid, video_format

from assetline.qc.base import CheckContext
from assetline.qc.checks.motion import MotionFlashingCheck
from assetline.qc.motion.flashing import analyse_flashes, field_rectangle

CHECK = MotionFlashingCheck()


def run(data: bytes, **settings: float):
    return CHECK.run(motion_asset(data, video_format()), CheckContext(settings={CHECK.id: settings}))


def test_full_frame_flashing_at_5_hz_fails() -> None:
    result = run(encode(flashing(5.0)))
    assert result.status == "fail", result.message
    general = result.evidence["general"]
    assert general["flashes_per_second"] == 5.0 and general["field_share"] == 1.0
    assert general["end_s"] - general["start_s"] == pytest.approx(1.0, abs=0.05)
    assert "5 flashes/s" in result.message and "WCAG 2.3.1" in result.message
    assert result.evidence["red"]["flashes_per_second"] == 0.0


def test_full_frame_flashing_at_2_hz_passes() -> None:
    result = run(encode(flashing(2.0)))
    assert result.status == "pass", result.message
    assert result.evidence["general"]["flashes_per_second"] == 2.0


def test_three_flashes_a_second_is_the_limit_and_passes() -> None:
    assert run(encode(flashing(3.0))).status == "pass"
    assert run(encode(flashing(3.0)), max_flashes=2).status == "fail"


def test_a_small_patch_flashing_at_5_hz_is_below_the_area_threshold() -> None:
    # 24 × 24 px on 320 × 240: the 10° field is 107 × 80 px there, so the patch is ~7 % of it (< 25 %).
    result = run(encode(flashing(5.0, patch=(100, 100, 124, 124))))
    assert result.status == "pass", result.message
    general = result.evidence["general"]
    assert general["peak_pixel_flashes"] == 5.0
    assert 0.03 < general["over_limit_field_share"] < 0.25
    assert "covers only" in result.message


def test_a_patch_larger_than_a_quarter_of_the_field_fails() -> None:
    result = run(encode(flashing(5.0, patch=(100, 80, 170, 140))))
    assert result.status == "fail"
    assert result.evidence["general"]["field_share"] > 0.25


def test_red_flashing_fails_even_without_a_luminance_flash() -> None:
    # Saturated red and a grey of the same relative luminance (≈0.21): no general flash, only a red one.
    result = run(encode(flashing(5.0, on=(255, 0, 0), off=(128, 128, 128))))
    assert result.status == "fail", result.message
    assert result.evidence["red"]["flashes_per_second"] == 5.0
    assert result.evidence["general"]["flashes_per_second"] == 0.0
    assert result.message.startswith("Red flashing")


def test_small_luminance_changes_and_bright_flicker_are_not_flashes() -> None:
    assert run(encode(flashing(6.0, on=(140, 140, 140), off=(128, 128, 128)))).status == "pass"  # < 10 % step
    assert run(encode(flashing(6.0, on=(255, 255, 255), off=(240, 240, 240)))).status == "pass"  # darker ≥ 0.8


def test_a_slow_fade_is_one_transition() -> None:
    def fade(i: int) -> np.ndarray:
        level = round(255 * abs(((i / 60.0) % 2) - 1))  # black → white → black over 4 s
        return np.full((240, 320, 3), level, dtype=np.uint8)

    result = run(encode(fade, seconds=4.0), max_flashes=0.5)  # one transition (half a flash) per second at most
    assert result.status == "pass" and result.evidence["general"]["peak_pixel_flashes"] <= 0.5


def test_a_still_video_has_no_flashes() -> None:
    result = run(encode(solid((200, 30, 30))))
    assert result.status == "pass" and result.score == 0.0


def test_the_10_degree_field_scales_with_the_frame() -> None:
    assert field_rectangle(1024, 768) == (341, 256)
    assert field_rectangle(2048, 1536) == (682, 512)
    w, h = field_rectangle(1080, 1920)
    assert w * h == pytest.approx(341 * 256 * 1080 * 1920 / (1024 * 768), rel=0.01)
    assert field_rectangle(64, 48) == (21, 16)


def test_analysis_on_raw_frames_counts_pairs_of_transitions() -> None:
    frames = np.zeros((61, 30, 40, 3), dtype=np.uint8)
    frames[::2] = 255  # a change every frame: 30 transitions a second = 15 flashes
    report = analyse_flashes(frames, np.arange(61) / 30.0, 30.0, (40, 30))
    assert report.fails and report.general.flashes == 15.0
