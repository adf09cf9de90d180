"""motion.spec against format.video, and channel.spec on a motion asset (container, video bytes, poster)."""

from __future__ import annotations

import numpy as np
import pytest
from qc_motion_kit import encode, motion_asset, solid, tone, video_format

from assetline.qc.base import CheckContext
from assetline.qc.checks.channel import ChannelSpecCheck
from assetline.qc.checks.motion import MotionSpecCheck
from assetline.spec import get_format

CHECK = MotionSpecCheck()
BLUE = solid((30, 60, 90))


def run(data: bytes, fmt=None, **motion):
    return CHECK.run(motion_asset(data, fmt or video_format(), **motion), CheckContext())


def sub(result, name: str) -> str:
    return result.evidence["checks"][name]["status"]


def test_a_clip_made_to_spec_passes() -> None:
    result = run(encode(BLUE, audio=tone(2.0, -16)), target=2.0, speech=((0.3, 1.5),))
    assert result.status == "pass", result.message
    assert result.message.startswith("Meets the test-video video spec: 320×240, 30 fps, 2.00 s")
    assert result.evidence["video"]["bitrate_kbps"] > 0 and sub(result, "audio") == "pass"


def test_wrong_fps_fails() -> None:
    result = run(encode(BLUE, fps=25), target=2.0)
    assert result.status == "fail" and sub(result, "fps") == "fail"
    assert result.evidence["checks"]["fps"]["actual"] == 25.0
    assert "the format plays 30 fps" in result.message


def test_wrong_frame_size_fails() -> None:
    result = run(encode(solid((30, 60, 90), (320, 180)), size=(320, 180)))
    assert sub(result, "frame_size") == "fail" and "320×180 px, the format needs 320×240" in result.message


def test_duration_outside_the_range_fails() -> None:
    short = run(encode(BLUE, seconds=0.5))
    assert sub(short, "duration") == "fail" and short.evidence["checks"]["duration"]["seconds"] == 0.5
    assert sub(run(encode(BLUE, seconds=2.0), video_format(max_duration=1.5, seconds=1.5)), "duration") == "fail"


def test_duration_must_match_the_target_within_one_frame() -> None:
    clip = encode(BLUE, seconds=2.0)
    assert sub(run(clip, target=2.0), "target_duration") == "pass"
    assert sub(run(clip, target=2.03), "target_duration") == "pass"  # one frame is 0.033 s
    off = run(clip, target=2.1)
    assert sub(off, "target_duration") == "fail" and off.evidence["checks"]["target_duration"]["off_s"] == -0.1
    assert sub(run(clip), "target_duration") == "na"


def test_bitrate_above_the_limit_fails() -> None:
    rng = np.random.default_rng(7)
    noise = [rng.integers(0, 256, (240, 320, 3), dtype=np.uint8) for _ in range(60)]
    result = run(encode(lambda i: noise[i], crf=0), video_format(max_bitrate_kbps=500))
    assert sub(result, "bitrate") == "fail"
    assert result.evidence["checks"]["bitrate"]["kbps"] > 500


def test_index_after_the_media_warns() -> None:
    result = run(encode(BLUE, faststart=False), target=2.0)
    assert result.status == "warn" and sub(result, "faststart") == "warn"
    assert "faststart" in result.message


def test_audio_stream_only_when_something_is_heard() -> None:
    silent = encode(BLUE)
    assert sub(run(silent), "audio") == "pass"
    missing = run(silent, speech=((0.2, 1.2),))
    assert sub(missing, "audio") == "fail" and "no audio stream" in missing.message
    empty = encode(BLUE, audio=np.zeros((96_000, 2), dtype=np.float32))
    assert sub(run(empty), "audio") == "warn"
    assert sub(run(empty, speech=((0.2, 1.2),)), "audio") == "fail"
    music = encode(BLUE, audio=tone(2.0, -16))
    assert sub(run(music, video_format(audio=False)), "audio") == "warn"


def test_webm_vp9_fails_an_mp4_h264_format() -> None:
    result = run(encode(BLUE, seconds=1.0, container="webm", codec="libvpx-vp9"))
    assert sub(result, "container") == "fail" and sub(result, "codec") == "fail"
    assert sub(result, "faststart") == "na"
    assert result.evidence["video"]["video_codec"] == "vp9"


def test_without_a_motion_format_the_check_is_na() -> None:
    result = CHECK.run(motion_asset(encode(BLUE, seconds=1.0), get_format("meta-feed-1x1")), CheckContext())
    assert result.status == "na" and result.evidence["video"]["frames"] == 30


def test_a_catalogue_format_at_full_size() -> None:
    fmt = get_format("meta-feed-1x1-video")
    assert fmt is not None and fmt.video is not None
    clip = encode(solid((30, 60, 90), fmt.size), seconds=1.0, size=fmt.size)
    result = run(clip, fmt, target=1.0)
    assert result.status == "pass", result.message
    channel = ChannelSpecCheck().run(motion_asset(clip, fmt), CheckContext())
    assert channel.status == "pass", channel.message
    checks = channel.evidence["checks"]
    assert checks["file_type"]["actual"] == "mp4" and checks["colour_mode"]["status"] == "pass"


@pytest.mark.parametrize(("fmt_id", "expected"), [("meta-feed-1x1-video", "pass"), ("meta-feed-1x1", "fail")])
def test_channel_spec_reads_the_container_of_a_motion_asset(fmt_id: str, expected: str) -> None:
    fmt = get_format(fmt_id)
    clip = encode(solid((30, 60, 90), (1080, 1080)), seconds=0.2, size=(1080, 1080))
    result = ChannelSpecCheck().run(motion_asset(clip, fmt), CheckContext())
    assert result.evidence["checks"]["file_type"]["status"] == expected
    assert result.evidence["checks"]["file_type"]["actual"] == "mp4"


def test_channel_spec_limits_the_video_bytes() -> None:
    fmt = get_format("meta-feed-1x1-video").model_copy(update={"max_file_kb": 1})
    clip = encode(solid((30, 60, 90), (1080, 1080)), seconds=0.5, size=(1080, 1080))
    result = ChannelSpecCheck().run(motion_asset(clip, fmt), CheckContext())
    file_size = result.evidence["checks"]["file_size"]
    assert file_size["status"] == "fail" and file_size["kb"] == round(len(clip) / 1024, 1)
