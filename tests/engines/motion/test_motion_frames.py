"""Frame rendering against the plan: the end card is the still, elements are drawn where the timeline says."""

from __future__ import annotations

import numpy as np
import pytest
from motion_support import Case

from assetline.engines.motion.captions import caption_font, plan_captions
from assetline.engines.motion.frames import FrameRenderer
from assetline.engines.motion.layers import extract_layers
from assetline.engines.motion.timeline import Timeline, plan_timeline
from assetline.engines.voice.base import Cue


def _plan(case: Case, duration: float = 3.0, end_card: float = 1.0) -> tuple[Timeline, FrameRenderer]:
    layers = extract_layers(case.background, case.result.image, case.elements)
    timeline = plan_timeline(case.elements, 1080, 1080, 30, duration, end_card, (0, 0, 1080, 1080), 7,
                             layers.camera_region, case.subject, layers.scrims_animated)
    return timeline, FrameRenderer(timeline, layers, case.result.image)


def test_frames_from_the_end_card_on_are_the_composed_still(square: Case) -> None:
    timeline, renderer = _plan(square)
    start = round(timeline.end_card_start * 30)
    assert start == 60
    still = np.asarray(square.result.image)
    for index in (start, start + 1, timeline.frames - 1):
        assert np.array_equal(np.asarray(renderer.rgb(index)), still)
    assert not np.array_equal(np.asarray(renderer.rgb(start - 1)), still)
    # The frame just before is the still but for the camera's last sub-pixel of travel.
    before = np.asarray(renderer.rgb(start - 1), dtype=np.float64)
    assert 10 * np.log10(255**2 / ((before - still) ** 2).mean()) > 38


def test_a_burned_caption_changes_the_end_card_only_inside_its_pill(square: Case) -> None:
    timeline, _ = _plan(square)
    cue = Cue(2.2, 2.9, "Order now.")
    plan = plan_captions([cue], 1080, 1080, (0, 0, 1080, 1080), [e.box for e in square.elements
                                                                   if e.kind not in ("scrim", "subject")],
                         caption_font([cue], None), "en")
    layers = extract_layers(square.background, square.result.image, square.elements)
    renderer = FrameRenderer(timeline, layers, square.result.image, plan.captions)
    (caption,) = plan.captions
    frame, card = renderer.planes(70), renderer.planes(timeline.frames - 1)  # t = 2.33 s: end card, cue on
    left, top, right, bottom = caption.box
    for plane, still, k in ((frame.y, card.y, 1), (frame.u, card.u, 2), (frame.v, card.v, 2)):
        diff = np.abs(np.asarray(plane, dtype=np.int16) - np.asarray(still, dtype=np.int16))
        inside = diff[top // k: bottom // k, left // k: right // k].copy()
        diff[top // k: bottom // k, left // k: right // k] = 0
        assert diff.max() == 0, "outside the pill the frame is the end card, exactly"
        assert k == 2 or inside.mean() > 20
    assert np.array_equal(np.asarray(renderer.rgb(89)), np.asarray(square.result.image)), "t = 2.97 s: cue over"


@pytest.mark.parametrize("progress", [0.25, 0.5, 0.8])
def test_the_headline_is_drawn_where_its_keyframes_say(square: Case, progress: float) -> None:
    timeline, renderer = _plan(square)
    _, without = _plan(square)
    index, track = next((i, t) for i, t in enumerate(timeline.tracks) if "headline" in t.kinds)
    without.kinetic = [(t, p) for t, p in without.kinetic if t is not track and "headline" not in t.kinds]
    frame = round((track.enter + progress * track.duration) * 30)
    t = frame / 30
    drawn = np.abs(np.asarray(renderer.planes(frame).y, dtype=np.int16)
                   - np.asarray(without.planes(frame).y, dtype=np.int16)) > 24
    ys = np.nonzero(drawn)[0]
    assert ys.size > 1000
    # Where the ink is drawn vs where it sits on the end card: the offset is the timeline's own.
    still = np.abs(np.asarray(renderer.planes(timeline.frames - 1).y, dtype=np.int16)
                   - np.asarray(without.planes(0).y, dtype=np.int16)) > 24
    box = track.box
    final_rows = np.nonzero(still[box[1]: box[3], box[0]: box[2]].any(axis=1))[0] + box[1]
    expected = track.placed(box, t)[1] - box[1]
    assert abs((ys.min() - final_rows.min()) - expected) <= 2.5, (index, ys.min(), final_rows.min(), expected)
