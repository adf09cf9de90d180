"""The motion engine end to end on real demo layouts, read back by PyAV and by the separate FFmpeg binary."""

from __future__ import annotations

import hashlib
import pickle
import subprocess
import sys
from pathlib import Path

import av
import numpy as np
import pytest
from motion_support import (
    SHORT,
    SPANS,
    Case,
    cues_for,
    ffmpeg_audio_samples,
    ffmpeg_duration,
    ffmpeg_frames,
    ffmpeg_rgb,
    mp4_top_boxes,
    psnr,
    region,
    tone,
    with_containers,
    write,
)
from PIL import Image

from assetline.engines.motion import KineticMotionEngine, MotionResult, extract_stills, probe
from assetline.engines.motion.timeline import KINETIC_KINDS
from assetline.qc.motion.captions import assess_burned
from assetline.qc.motion.onscreen import assess_safe_zone_over_time
from assetline.qc.motion.timeline import parse_timeline


def test_the_mp4_is_what_the_format_asks_for(square_video: MotionResult, tmp_path: Path) -> None:
    info = probe(square_video.data)
    assert (info.container, info.codec, info.profile, info.pix_fmt) == ("mp4", "h264", "High", "yuv420p")
    assert (info.width, info.height, info.fps, info.frames) == (1080, 1080, 30.0, 90)
    assert info.duration == pytest.approx(3.0, abs=1e-3) and info.audio_duration == pytest.approx(3.0, abs=1e-3)
    assert (info.audio_codec, info.audio_channels, info.audio_rate) == ("aac", 2, 48_000)
    assert info.bitrate_kbps < 8000
    assert square_video.media_type == "video/mp4"
    assert square_video.timeline["frames"] == 90 and square_video.timeline["fps"] == 30

    path = write(tmp_path, square_video.data, ".mp4")  # the independent reader
    assert ffmpeg_frames(path) == 90
    assert ffmpeg_audio_samples(path) == 3 * 48_000, "AAC priming and padding are trimmed exactly"
    assert ffmpeg_duration(path) == pytest.approx(3.0, abs=0.01)

    boxes = mp4_top_boxes(square_video.data)
    assert boxes.index("moov") < boxes.index("mdat"), "faststart: the index comes first"
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        keys = sorted(round(float(p.pts * stream.time_base) * 30) for p in container.demux(stream)
                      if p.size and p.is_keyframe)
    assert keys == [0, 60], "a keyframe every 2 s"


def test_two_renders_are_byte_identical(engine: KineticMotionEngine, square: Case,
                                        square_video: MotionResult) -> None:
    again = engine.animate(square.request(**SHORT, audio=tone(3.0), cues=cues_for(square, SPANS),
                                          burn_captions=True))
    assert hashlib.sha256(again.data).digest() == hashlib.sha256(square_video.data).digest()
    assert again.timeline == square_video.timeline and again.metadata == square_video.metadata


def test_another_process_renders_the_same_bytes(square: Case, tmp_path: Path) -> None:
    request = square.request(duration=1.5, end_card=0.5, audio=tone(1.5))
    (tmp_path / "request.pkl").write_bytes(pickle.dumps(request))
    code = ("import hashlib, pickle, sys; from assetline.engines.motion import KineticMotionEngine; "
            "r = pickle.loads(open(sys.argv[1], 'rb').read()); "
            "print(hashlib.sha256(KineticMotionEngine().animate(r).data).hexdigest())")
    other = subprocess.run([sys.executable, "-c", code, str(tmp_path / "request.pkl")], capture_output=True,
                           text=True, check=True, timeout=300).stdout.strip()
    assert other == hashlib.sha256(KineticMotionEngine().animate(request).data).hexdigest()


def test_the_video_ends_on_the_composed_still(square_video: MotionResult, square: Case, tmp_path: Path) -> None:
    still = square.result.image
    assert square_video.poster.tobytes() == still.tobytes()
    first, last = ffmpeg_rgb(write(tmp_path, square_video.data, ".mp4"), (1080, 1080), [0, 89])
    assert psnr(last, still) > 35
    assert psnr(first, still) < 25, "the first frame is the camera's opening, not the end card"
    pyav_first, pyav_last = extract_stills(square_video.data, (0.0, 1.0))
    assert psnr(pyav_last, still) > 35 and psnr(pyav_first, last) < psnr(pyav_last, last)


def test_the_headline_enters_over_the_bare_picture(square_plain: MotionResult, square: Case,
                                                   tmp_path: Path) -> None:
    entry = next(e for e in square_plain.timeline["elements"] if e["kind"] == "headline")
    after = int(entry["settled"] * 30) + 3
    assert entry["enter"] > 0 and after / 30 < square_plain.timeline["end_card_start"]
    frames = ffmpeg_rgb(write(tmp_path, square_plain.data, ".mp4"), (1080, 1080), [0, after])
    box = tuple(entry["box"])
    # Before its entrance (frame 0) the box shows the picture as the camera frames it: no text, no scrim yet.
    camera = square_plain.timeline["camera"]
    scale, (cx, cy) = camera["from"]["scale"], camera["from"]["centre"]
    crop = (cx - 540 / scale, cy - 540 / scale, cx + 540 / scale, cy + 540 / scale)
    opening = square.background.resize((1080, 1080), Image.Resampling.BILINEAR, box=crop)
    assert psnr(region(frames[0], box), region(opening, box)) > 30
    # Once settled, every fully inked pixel of the headline shows the text colour.
    still = np.asarray(square.result.image, dtype=np.float64)
    colour = np.array([int(square.element("headline").colour[i: i + 2], 16) for i in (1, 3, 5)], dtype=np.float64)
    ink = np.abs(region(still, box) - colour).max(axis=-1) < 8
    assert ink.sum() > 2000
    assert float(np.abs(region(frames[1], box)[ink] - colour).mean()) < 20
    assert float(np.abs(region(frames[0], box)[ink] - colour).mean()) > 60


def test_burned_captions_show_only_while_their_cue_is_on(square_video: MotionResult, square_plain: MotionResult,
                                                         square: Case, tmp_path: Path) -> None:
    captions = square_video.timeline["captions"]
    assert [c["box"] is not None for c in captions] == [True, True]
    assert all(c["box"] is None for c in square_plain.timeline["captions"])
    samples = [3, 12, 30, 37, 45, 70, 80, 89]
    burned = ffmpeg_rgb(write(tmp_path, square_video.data, ".mp4"), (1080, 1080), samples)
    plain = ffmpeg_rgb(write(tmp_path, square_plain.data, ".plain.mp4"), (1080, 1080), samples)
    for index, a, b in zip(samples, burned, plain, strict=True):
        t = index / 30
        on = [c for c in captions if c["start"] <= t < c["end"]]
        diffs = [float(np.abs(region(a, c["box"]) - region(b, c["box"])).mean()) for c in captions]
        if on:  # the cue's pill is there (the cues share one band, so their boxes overlap)
            assert all(diffs[captions.index(c)] > 15 for c in on), (index, diffs)
        else:  # no pill anywhere in the band: only codec noise differs
            assert max(diffs) < 3, (index, diffs)
    gates = assess_burned(parse_timeline(square_video.timeline), square.format, 30, KINETIC_KINDS)
    assert {k: v["status"] for k, v in gates.items()} == {"safe_zone": "pass", "clear_of_elements": "pass"}


def test_a_reel_keeps_everything_in_its_safe_zone(engine: KineticMotionEngine, reel: Case, tmp_path: Path) -> None:
    cues = cues_for(reel, [(0.3, 1.6), (1.7, 3.0)])
    result = engine.animate(reel.request(duration=4.0, end_card=1.5, cues=cues, burn_captions=True))
    timeline = parse_timeline(result.timeline)
    assert assess_safe_zone_over_time(timeline, reel.format, 0.0)["status"] == "pass"
    gates = assess_burned(timeline, reel.format, 30, KINETIC_KINDS)
    assert {k: v["status"] for k, v in gates.items()} == {"safe_zone": "pass", "clear_of_elements": "pass"}
    z = reel.format.safe_zone
    for entry in result.timeline["elements"]:
        if entry["kind"] in KINETIC_KINDS:
            for _, (left, top, right, bottom), opacity in entry["keyframes"]:
                assert opacity <= 0 or (left >= z.left and top >= z.top and right <= 1080 - z.right
                                        and bottom <= 1920 - z.bottom), entry["kind"]
    path = write(tmp_path, result.data, ".mp4")
    assert ffmpeg_frames(path) == 120 and probe(result.data).height == 1920
    (last,) = ffmpeg_rgb(path, (1080, 1920), [119])
    assert psnr(last, reel.result.image) > 35


def test_webm_and_gif_decode(engine: KineticMotionEngine, square: Case, tmp_path: Path) -> None:
    fmt = with_containers(square.format)
    webm = engine.animate(square.request(format=fmt, duration=1.5, end_card=0.5, audio=tone(1.5), container="webm"))
    info = probe(webm.data)
    assert (webm.media_type, info.container, info.codec, info.audio_codec) == ("video/webm", "webm", "vp9", "opus")
    assert info.frames == 45 and info.audio_duration == pytest.approx(1.5, abs=1e-3)
    path = write(tmp_path, webm.data, ".webm")
    assert ffmpeg_frames(path) == 45 and ffmpeg_audio_samples(path) == 72_000
    (last,) = ffmpeg_rgb(path, (1080, 1080), [44])
    assert psnr(last, square.result.image) > 33

    gif = engine.animate(square.request(format=fmt, duration=1.5, end_card=0.5, container="gif"))
    info = probe(gif.data)
    assert (gif.media_type, info.container, info.fps, gif.timeline["fps"]) == ("image/gif", "gif", 25.0, 25)
    assert info.frames == gif.timeline["frames"] == round(1.5 * 25)
    assert ffmpeg_frames(write(tmp_path, gif.data, ".gif")) == round(1.5 * 25)
    assert psnr(extract_stills(gif.data, (1.0,))[0].convert("RGB"), square.result.image) > 30
