"""All five motion gates together: discovery, 'na' for stills, one decode per file, clear failures on bad bytes."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PIL import Image
from qc_motion_kit import encode, flashing, motion_asset, solid, tone, video_format

from assetline.qc.base import AssetUnderCheck, CheckContext
from assetline.qc.checks.motion import (
    CACHE_RESOURCE,
    MotionAudioCheck,
    MotionCaptionsCheck,
    MotionFlashingCheck,
    MotionReadabilityCheck,
    MotionSpecCheck,
)
from assetline.qc.motion.container import mp4_box_layout, sniff_container
from assetline.qc.motion.decode import DecodeCache, UnreadableVideoError, decode_video
from assetline.qc.registry import CheckRegistry
from assetline.spec import get_format

CHECKS = [MotionSpecCheck(), MotionAudioCheck(), MotionCaptionsCheck(), MotionReadabilityCheck(),
          MotionFlashingCheck()]
SPEECH = ((0.2, 1.6),)


@pytest.fixture(scope="module")
def clip() -> bytes:
    return encode(solid((30, 60, 90)), audio=tone(2.0, -16))


def test_the_motion_checks_are_discovered_through_entry_points() -> None:
    reg = CheckRegistry.discover()
    ids = {"motion.spec", "motion.audio", "motion.captions", "motion.readability", "motion.flashing"}
    assert ids <= {c.id for c in reg.per_asset()}
    assert all(reg.versions()[i] == "1" for i in ids)


@pytest.mark.parametrize("check", CHECKS, ids=lambda c: c.id)
def test_each_check_is_na_for_a_still(check) -> None:
    still = AssetUnderCheck(image=Image.new("RGB", (1080, 1080)), format=get_format("meta-feed-1x1"))
    result = check.run(still, CheckContext())
    assert result.status == "na" and "motion" in result.message


@pytest.mark.parametrize("damage", ["garbage", "truncated", "empty"])
@pytest.mark.parametrize("check", CHECKS, ids=lambda c: c.id)
def test_corrupt_or_truncated_bytes_fail_every_check_with_a_reason(check, damage: str, clip: bytes) -> None:
    data = {"garbage": b"\x00\x00\x00\x18ftypisom" + bytes(range(256)) * 8, "truncated": clip[: len(clip) * 2 // 3],
            "empty": b""}[damage]
    asset = motion_asset(data, video_format(), speech=SPEECH, cues=[{"start": 0.2, "end": 1.6, "text": "Hi"}])
    result = check.run(asset, CheckContext())
    assert result.status == "fail"
    assert result.message.startswith("The video cannot be read: ")
    assert result.evidence["error"]


def test_five_checks_decode_a_file_once(clip: bytes) -> None:
    cache = DecodeCache()
    context = CheckContext(resources={CACHE_RESOURCE: cache})
    asset = motion_asset(clip, video_format(), target=2.0)
    results = [check.run(asset, context) for check in CHECKS]
    assert cache.decodes == 1
    assert {r.check_id: r.status for r in results}["motion.spec"] == "pass", results[0].message
    clear = [r for r in results if r.check_id in ("motion.audio", "motion.flashing")]
    assert all(r.status == "pass" for r in clear), [r.message for r in clear]


def test_the_cache_keeps_the_most_recent_files_only(clip: bytes) -> None:
    cache = DecodeCache(max_entries=1)
    other = encode(solid((200, 10, 10)), seconds=1.0)
    for data in (clip, other, clip):
        decode_video(data, cache)
    assert cache.decodes == 3
    decode_video(clip, cache)
    assert cache.decodes == 3
    with pytest.raises(UnreadableVideoError):
        decode_video(b"not a video", cache)
    with pytest.raises(UnreadableVideoError, match="cannot be opened"):
        decode_video(b"not a video", cache)  # remembered failure, same reason
    assert cache.decodes == 4


def test_decoded_facts(clip: bytes) -> None:
    video = decode_video(clip, DecodeCache())
    assert (video.container, video.video_codec, video.audio_codec) == ("mp4", "h264", "aac")
    assert (video.width, video.height, video.fps, video.frame_count) == (320, 240, 30.0, 60)
    assert video.duration == pytest.approx(2.0)
    assert video.frames.shape == (60, 120, 160, 3) and not video.frames.flags.writeable
    assert video.audio is not None and video.audio.shape[1] == 2 and video.audio_rate == 48_000
    assert abs(video.audio.shape[0] - 96_000) < 2048  # AAC pads the last frame
    assert video.faststart is True
    assert video.bitrate_kbps == pytest.approx(len(clip) * 8 / 2.0 / 1000)


def test_container_and_box_order_from_the_bytes(clip: bytes) -> None:
    late = encode(solid((30, 60, 90)), seconds=1.0, faststart=False)
    assert sniff_container(clip) == sniff_container(late) == "mp4"
    assert mp4_box_layout(clip).faststart is True and mp4_box_layout(late).faststart is False
    webm = encode(solid((30, 60, 90)), seconds=1.0, container="webm", codec="libvpx-vp9")
    assert sniff_container(webm) == "webm" and sniff_container(b"GIF89a....") == "gif"
    assert sniff_container(b"hello") is None


def test_encoding_is_deterministic() -> None:
    assert encode(solid((1, 2, 3)), seconds=1.0) == encode(solid((1, 2, 3)), seconds=1.0)


@pytest.mark.parametrize("sound", ["tone", "digital silence", "none"])
def test_evidence_is_plain_json(sound: str) -> None:
    audio = {"tone": tone(2.0, -16), "digital silence": np.zeros((96_000, 2), dtype=np.float32), "none": None}[sound]
    data = encode(flashing(5.0), audio=audio)
    asset = motion_asset(data, video_format(), speech=SPEECH, captions_mode="burned",
                         cues=[{"start": 0.2, "end": 1.6, "text": "Fresh roast"}])
    for check in CHECKS:
        result = check.run(asset, CheckContext())
        json.dumps(result.to_dict(), allow_nan=False)
