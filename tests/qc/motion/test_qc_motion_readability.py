"""motion.readability: settled reading time per word, and the safe zone over time (not only on the end card)."""

from __future__ import annotations

import pytest
from qc_motion_kit import element, encode, motion_asset, solid, timeline, video_format

from assetline.qc.base import CheckContext
from assetline.qc.checks.motion import MotionReadabilityCheck
from assetline.qc.motion.timeline import parse_timeline
from assetline.spec.formats import SafeZone

CHECK = MotionReadabilityCheck()
FORMAT = video_format(safe_zone=SafeZone(top=20, bottom=40, left=10, right=10))
FINAL = (20, 120, 300, 170)


@pytest.fixture(scope="module")
def clip() -> bytes:
    return encode(solid((30, 60, 90)))


def run(data: bytes, *elements, fmt=FORMAT, **settings):
    asset = motion_asset(data, fmt, timeline(elements))
    return CHECK.run(asset, CheckContext(settings={CHECK.id: settings}))


def sub(result, name: str) -> str:
    return result.evidence["checks"][name]["status"]


def slide_up(opacity_at_start: float) -> list[tuple[float, tuple[float, ...], float]]:
    """Slides up 60 px into FINAL over 0.3 s, starting inside the bottom margin (y > 200)."""
    return [(0.2 + 0.1 * i, (20, 180 - 20 * i, 300, 230 - 20 * i), opacity_at_start + (1 - opacity_at_start) * i / 3)
            for i in range(4)]


def test_text_that_stays_long_enough_passes(clip: bytes) -> None:
    result = run(clip, element("headline", "Fresh roast delivered", FINAL, settled=0.5, exit=2.0),
                 element("cta", "Order now", (100, 60, 220, 100), enter=0.8, settled=1.0))
    assert result.status == "pass", result.message
    rows = result.evidence["checks"]["reading_time"]["elements"]
    assert rows[0] == {"element": "headline", "words": 3, "settled_s": 1.5, "needed_s": 0.9}


def test_text_that_leaves_too_soon_fails(clip: bytes) -> None:
    result = run(clip, element("body", "Single origin beans roasted every Monday morning", FINAL,
                               settled=1.0, exit=2.0))
    assert sub(result, "reading_time") == "fail"
    assert "readable for 1.00 s but its 7 words need 2.10 s" in result.message
    assert run(clip, element("body", "Single origin beans roasted every Monday morning", FINAL, settled=1.0),
               seconds_per_word=0.1).status == "pass"


def test_a_visible_keyframe_in_the_margin_fails(clip: bytes) -> None:
    headline = element("headline", "Fresh roast", FINAL, settled=0.5, keyframes=slide_up(0.25))
    result = run(clip, headline)
    assert sub(result, "safe_zone") == "fail"
    hit = result.evidence["checks"]["safe_zone"]["hits"][0]
    assert hit["margin"] == "bottom" and hit["first_s"] == pytest.approx(0.2) and hit["opacity"] == 0.25
    assert "headline in the bottom margin at 0.20 s" in result.message


def test_an_invisible_keyframe_in_the_margin_passes(clip: bytes) -> None:
    frames = slide_up(0.0)
    frames[1] = (frames[1][0], (20, 160, 300, 199), frames[1][2])  # visible from 0.3 s, already clear
    headline = element("headline", "Fresh roast", FINAL, settled=0.5, keyframes=frames)
    result = run(clip, headline)
    assert result.status == "pass", result.message


def test_a_final_box_outside_the_safe_zone_fails_and_no_margins_pass(clip: bytes) -> None:
    low = element("logo", "", (240, 190, 300, 230))
    assert sub(run(clip, low), "safe_zone") == "fail"
    assert sub(run(clip, low, fmt=video_format()), "safe_zone") == "pass"


def test_an_element_sliding_in_from_beyond_the_frame_is_not_under_the_ui(clip: bytes) -> None:
    frames = [(0.2, (20, 250, 300, 300), 1.0), (0.3, FINAL, 1.0)]  # opaque, but below the frame's edge at 0.2 s
    result = run(clip, element("headline", "Fresh roast", FINAL, settled=0.3, keyframes=frames))
    assert sub(result, "safe_zone") == "pass"


def test_no_elements_is_na_and_a_broken_timeline_fails(clip: bytes) -> None:
    assert run(clip).status == "na"
    broken = motion_asset(clip, FORMAT, {"duration": 2.0, "elements": [{"kind": "headline", "box": [1, 2]}]})
    result = CHECK.run(broken, CheckContext())
    assert result.status == "fail" and "elements[0].box" in result.message


def test_state_at_interpolates_box_and_opacity() -> None:
    tl = parse_timeline(timeline([element("cta", "Go", (0, 100, 50, 120), enter=0.0, settled=1.0, exit=1.5,
                                          keyframes=[(0.0, (0, 0, 50, 20), 0.0), (1.0, (0, 100, 50, 120), 1.0)])]))
    cta = tl.elements[0]
    assert cta.state_at(0.5) == ((0, 50, 50, 70), 0.5)
    assert cta.state_at(1.2) == ((0, 100, 50, 120), 1.0)
    assert cta.state_at(1.5) is None and cta.state_at(-0.1) is None
