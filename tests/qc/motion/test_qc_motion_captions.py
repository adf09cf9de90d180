"""motion.captions: cue timing against the speech, reading speed, and where burned captions sit over time."""

from __future__ import annotations

import pytest
from qc_motion_kit import element, encode, motion_asset, solid, timeline, tone, video_format

from assetline.qc.base import CheckContext
from assetline.qc.checks.motion import MotionCaptionsCheck
from assetline.spec.formats import SafeZone

CHECK = MotionCaptionsCheck()
FORMAT = video_format(safe_zone=SafeZone(top=20, bottom=40, left=10, right=10))  # safe area 10,20 → 310,200
SPEECH = ((0.2, 0.9), (1.0, 1.8))
CUES = [{"start": 0.2, "end": 0.95, "text": "Fresh roast"}, {"start": 1.0, "end": 1.8, "text": "Order today"}]
HEADLINE = element("headline", "Fresh roast, delivered", (20, 30, 300, 80))


@pytest.fixture(scope="module")
def clip() -> bytes:
    return encode(solid((30, 60, 90)), audio=tone(2.0, -16))


def run(data: bytes, cues=CUES, speech=SPEECH, mode: str = "sidecar", captions=(), elements=(HEADLINE,),
        **settings):
    asset = motion_asset(data, FORMAT, timeline(elements, captions), cues=cues, speech=speech, captions_mode=mode)
    return CHECK.run(asset, CheckContext(settings={CHECK.id: settings}))


def sub(result, name: str) -> str:
    return result.evidence["checks"][name]["status"]


def burned(*boxes):
    return [{**cue, "box": list(box)} for cue, box in zip(CUES, boxes, strict=True)]


def test_captions_that_carry_the_speech_pass(clip: bytes) -> None:
    result = run(clip, mode="burned", captions=burned((20, 150, 300, 190), (20, 150, 300, 190)))
    assert result.status == "pass", result.message
    assert result.evidence["checks"]["reading_speed"]["fastest_cps"] == pytest.approx(14.7, abs=0.1)
    assert "2 caption cue(s) cover the voice-over" in result.message


def test_no_speech_and_no_cues_is_na_but_speech_without_cues_fails(clip: bytes) -> None:
    assert run(clip, cues=(), speech=()).status == "na"
    missing = run(clip, cues=())
    assert missing.status == "fail" and "has no captions" in missing.message


def test_uncaptioned_speech_fails(clip: bytes) -> None:
    result = run(clip, cues=CUES[:1])
    assert sub(result, "coverage") == "fail"
    gap = result.evidence["checks"]["coverage"]["gaps"][0]
    assert gap["speech"] == [1.0, 1.8] and gap["uncaptioned_s"] == pytest.approx(0.8)
    assert run(clip, cues=CUES, speech=((0.2, 1.0),)).status == "pass"  # a 0.05 s gap is within tolerance


def test_overlapping_and_unordered_cues_fail(clip: bytes) -> None:
    overlapping = [CUES[0] | {"end": 1.3}, CUES[1]]
    assert sub(run(clip, cues=overlapping), "order") == "fail"
    assert sub(run(clip, cues=[CUES[1], CUES[0]]), "order") == "fail"


def test_cues_outside_the_video_fail(clip: bytes) -> None:
    late = [CUES[0], CUES[1] | {"end": 2.6}]
    result = run(clip, cues=late)
    assert sub(result, "bounds") == "fail" and result.evidence["checks"]["bounds"]["cues"][0]["cue"] == 2


def test_reading_speed_over_20_characters_a_second_fails(clip: bytes) -> None:
    fast = [CUES[0] | {"text": "Freshly roasted beans at your door"}, CUES[1]]  # 34 chars in 0.75 s
    result = run(clip, cues=fast)
    assert sub(result, "reading_speed") == "fail"
    assert result.evidence["checks"]["reading_speed"]["fastest_cps"] == pytest.approx(45.3, abs=0.1)
    assert run(clip, cues=fast, max_cps=50).status == "pass"


def test_a_burned_caption_in_the_bottom_margin_fails(clip: bytes) -> None:
    result = run(clip, mode="burned", captions=burned((20, 150, 300, 190), (20, 180, 300, 225)))
    assert sub(result, "safe_zone") == "fail"
    box = result.evidence["checks"]["safe_zone"]["boxes"][0]
    assert box["caption"] == 2 and box["margins"] == ["bottom"]


def test_a_burned_caption_over_the_headline_fails_while_both_are_visible(clip: bytes) -> None:
    over = burned((20, 60, 300, 100), (20, 60, 300, 100))
    result = run(clip, mode="both", captions=over)
    assert sub(result, "clear_of_elements") == "fail"
    clash = result.evidence["checks"]["clear_of_elements"]["clashes"][0]
    # The headline fades in from opacity 0 at 0.2 s: the first frame both show is the next one.
    assert clash["element"] == "headline" and clash["first_s"] == pytest.approx(7 / 30, abs=1e-3)
    gone = element("headline", "Fresh roast, delivered", (20, 30, 300, 80), enter=0.0, settled=0.1, exit=0.2)
    assert sub(run(clip, mode="burned", captions=over, elements=(gone,)), "clear_of_elements") == "pass"


def test_sidecar_captions_are_not_placed(clip: bytes) -> None:
    result = run(clip, mode="sidecar", captions=burned((20, 60, 300, 100), (20, 180, 300, 225)))
    assert result.status == "pass" and "safe_zone" not in result.evidence["checks"]


def test_burned_captions_without_boxes_warn(clip: bytes) -> None:
    result = run(clip, mode="burned", captions=[{**c, "box": None} for c in CUES])
    assert result.status == "warn" and "no recorded boxes" in result.message


def test_malformed_cues_fail_clearly(clip: bytes) -> None:
    result = run(clip, cues=[{"start": "soon", "end": 1.0, "text": "x"}])
    assert result.status == "fail" and "cue 1" in result.message
