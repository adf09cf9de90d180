"""The storyboard engine on real MP4s: shots and captions from the timeline, the still at each shot's middle,
byte-identical output, and a clear EngineError for every kind of bad input."""

from __future__ import annotations

import io
from typing import Any

import pytest
from PIL import Image
from storykit import CUES, DURATION, FPS, SHOT_COLOURS, SHOTS, colour_of, frame_of, make_video, timeline

from assetline.engines.storyboard import StoryboardEngine, StoryboardRequest
from assetline.engines.storyboard.frames import SEEK_AHEAD, grab_stills
from assetline.engines.storyboard.shots import parse_cues, parse_shots
from assetline.errors import EngineError


@pytest.fixture(scope="module")
def video() -> bytes:
    return make_video()


def request(video: bytes, **changes: Any) -> StoryboardRequest:
    return StoryboardRequest(video=video, timeline=changes.pop("timeline", timeline()),
                             cues=tuple(changes.pop("cues", CUES)), **changes)


def close(a: tuple[int, int, int], b: tuple[int, int, int], tolerance: int = 12) -> bool:
    return all(abs(x - y) <= tolerance for x, y in zip(a, b, strict=True))


def test_one_frame_per_shot_taken_at_the_middle(video: bytes) -> None:
    draft = StoryboardEngine().build(request(video))
    assert [f.number for f in draft.frames] == [1, 2, 3]
    assert [(f.start, f.end) for f in draft.frames] == [(s, e) for s, e, _ in SHOTS]
    assert [f.timing for f in draft.frames] == ["0.0–1.5 s", "1.5–3.0 s", "3.0–4.5 s"]
    assert [f.note for f in draft.frames] == [n for _, _, n in SHOTS]
    assert (draft.duration, draft.width, draft.height) == (DURATION, 192, 192)
    for frame, (start, end, _), colour in zip(draft.frames, SHOTS, SHOT_COLOURS, strict=True):
        still = Image.open(io.BytesIO(frame.image))
        assert still.format == "JPEG" and still.size == (frame.width, frame.height) == (192, 192)
        # the frame shown at the middle of the shot: the last one that starts at or before it
        middle = (start + end) / 2
        assert frame_of(still) == int(middle * FPS + 1e-9)
        assert frame.at == pytest.approx(int(middle * FPS + 1e-9) / FPS, abs=1e-3)
        assert close(colour_of(still), colour), (frame.number, colour_of(still))


def test_captions_are_the_cues_that_overlap_each_shot(video: bytes) -> None:
    draft = StoryboardEngine().build(request(video))
    # the second cue (1.3–2.6 s) is spoken across the first cut: it belongs to both shots
    assert [f.caption for f in draft.frames] == ["Every great day starts with a launch.", "starts with a launch.",
                                                 "Order now."]


def test_a_cue_that_ends_at_a_cut_stays_in_its_own_shot() -> None:
    cues = parse_cues([{"start": 0.2, "end": 1.5, "text": "first"}, {"start": 1.5, "end": 2.0, "text": "second"}])
    shots = parse_shots(timeline(), cues)
    assert [s.caption for s in shots] == ["first", "second", ""]


def test_without_cues_the_timeline_captions_are_used(video: bytes) -> None:
    tl = timeline()
    tl["captions"] = [{"start": 3.2, "end": 4.0, "text": "  Burned-in\nline  ", "box": [0, 150, 192, 180]}]
    draft = StoryboardEngine().build(request(video, timeline=tl, cues=()))
    assert [f.caption for f in draft.frames] == ["", "", "Burned-in line"]


def test_shots_are_put_in_time_order(video: bytes) -> None:
    tl = timeline()
    tl["shots"] = list(reversed(tl["shots"]))
    draft = StoryboardEngine().build(request(video, timeline=tl))
    assert [f.start for f in draft.frames] == [0.0, 1.5, 3.0] and draft.frames[0].note == SHOTS[0][2]


def test_same_request_same_bytes_and_key(video: bytes) -> None:
    first, second = StoryboardEngine().build(request(video)), StoryboardEngine().build(request(video))
    assert [f.image for f in first.frames] == [f.image for f in second.frames]
    assert first.content_key == second.content_key == StoryboardEngine().key_for(request(video))
    # a different caption is a different storyboard
    other = StoryboardEngine().key_for(request(video, cues=[{"start": 0, "end": 1, "text": "changed"}]))
    assert other != first.content_key


def test_stills_are_scaled_to_max_side_keeping_the_aspect_ratio() -> None:
    tall = make_video(size=(108, 192))
    draft = StoryboardEngine().build(request(tall, timeline=timeline(size=(108, 192)), max_side=96))
    for frame in draft.frames:
        still = Image.open(io.BytesIO(frame.image))
        assert still.size == (54, 96) == (frame.width, frame.height)
    assert (draft.width, draft.height) == (108, 192)


def test_a_shot_at_the_very_end_takes_the_last_frame(video: bytes) -> None:
    tl = timeline()
    tl["shots"] = [{"start": 4.4, "end": 4.5, "note": "last"}]
    [frame] = StoryboardEngine().build(request(video, timeline=tl)).frames
    assert frame_of(Image.open(io.BytesIO(frame.image))) == 44


def test_stills_in_any_order_and_across_long_jumps() -> None:
    """Out-of-order times and a jump further than SEEK_AHEAD (a seek) give the same frames as decoding through."""
    long = make_video(shots=[(0.0, 4.0, "a"), (4.0, 8.0, "b"), (8.0, 12.0, "c")], size=(512, 64))
    times = [11.55, 0.35, 6.05, 0.0, 11.95]
    assert max(times) - min(times) > SEEK_AHEAD
    stills, info = grab_stills(long, times)
    assert [frame_of(s.image, width=512) for s in stills] == [115, 3, 60, 0, 119]
    assert [s.shown for s in stills] == pytest.approx([11.5, 0.3, 6.0, 0.0, 11.9])
    assert (info.width, info.height, info.codec) == (512, 64, "h264")


def _with(**changes: Any) -> dict[str, Any]:
    tl = timeline()
    tl.update(changes)
    return tl


@pytest.mark.parametrize(("tl", "message"), [
    (_with(shots=[]), "lists no shots"),
    (_with(shots="cut at 1.5 s"), "lists no shots"),
    ({k: v for k, v in timeline().items() if k != "duration"}, "no 'duration'"),
    (_with(duration=0), "above 0 s"),
    (_with(duration="six"), "must be a number"),
    (_with(shots=[{"start": 0, "end": "1.5"}]), "shot 1's end must be a number"),
    (_with(shots=[{"start": True, "end": 1.5}]), "shot 1's start must be a number"),
    (_with(shots=[{"start": 1.0, "end": 1.0}]), "end after it starts"),
    (_with(shots=[{"start": 0, "end": 9.0}]), "runs past the end"),
    (_with(shots=[{"start": 0, "end": 2.0}, {"start": 1.0, "end": 3.0}]), "shots overlap"),
    (_with(shots=[["0", "1.5"]]), "shot 1 is not an object"),
    (_with(shots=[{"start": 0, "end": 1.5, "note": 7}]), "note must be text"),
    (_with(shots=[{"start": 0, "end": float("nan")}]), "must be a number"),
])
def test_bad_timelines_are_named(video: bytes, tl: dict[str, Any], message: str) -> None:
    with pytest.raises(EngineError, match=message):
        StoryboardEngine().build(request(video, timeline=tl))


@pytest.mark.parametrize(("cues", "message"), [
    ([{"start": 2, "end": 1, "text": "x"}], "ends .* before it starts"),
    (["hello"], "cue 1 is not an object"),
    ([{"start": 0, "end": 1, "text": 5}], "text must be text"),
])
def test_bad_cues_are_named(video: bytes, cues: list[Any], message: str) -> None:
    with pytest.raises(EngineError, match=message):
        StoryboardEngine().build(request(video, cues=cues))


def test_a_file_that_is_not_a_video_is_an_engine_error() -> None:
    with pytest.raises(EngineError, match="cannot read the motion asset's video"):
        StoryboardEngine().build(request(b"\x00\x00\x00\x18ftypmp42 this is not really a video"))
    with pytest.raises(EngineError, match="empty"):
        StoryboardEngine().build(request(b""))


def test_a_timeline_longer_than_its_video_is_refused() -> None:
    short = make_video(shots=[(0.0, 1.5, "a")])
    with pytest.raises(EngineError, match="different renders"):
        StoryboardEngine().build(request(short))


def test_max_side_is_bounded(video: bytes) -> None:
    with pytest.raises(EngineError, match="max_side"):
        StoryboardEngine().build(request(video, max_side=10))
