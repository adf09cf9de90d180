"""The encoders on synthetic frames: exact frame and sample counts, colour tags, odd sizes, GIF timing."""

from __future__ import annotations

import hashlib
import subprocess
from pathlib import Path

import numpy as np
import pytest
from motion_support import FFMPEG, ffmpeg_audio_samples, ffmpeg_duration, ffmpeg_frames, ffmpeg_rgb, psnr, tone, write
from PIL import Image

from assetline.engines.motion import probe
from assetline.engines.motion.encode import EncodeSettings, encode_gif, encode_video, gif_rate
from assetline.engines.motion.yuv import Planes, to_planes


def moving(width: int, height: int, index: int) -> Image.Image:
    """A colourful test frame that changes every frame (a gradient with a moving bar)."""
    x = np.linspace(0, 255, width, dtype=np.float32)[None, :].repeat(height, 0)
    y = np.linspace(0, 255, height, dtype=np.float32)[:, None].repeat(width, 1)
    rgb = np.stack([x, y, 255 - x], axis=-1)
    left = (index * 7) % max(1, width - 20)
    rgb[:, left: left + 20] = (250, 200, 30)
    return Image.fromarray(rgb.astype(np.uint8), "RGB")


def frames_of(width: int, height: int, count: int) -> list[Planes]:
    return [to_planes(moving(width, height, i)) for i in range(count)]


@pytest.mark.parametrize(("container", "seconds"), [("mp4", 1.37), ("webm", 1.37), ("mp4", 2.0)])
def test_frames_and_audio_samples_come_out_exact(tmp_path: Path, container: str, seconds: float) -> None:
    count = round(seconds * 30)
    frames = frames_of(320, 240, count)
    data, meta = encode_video(frames.__getitem__, count, EncodeSettings(container, 320, 240, 30, 2000),
                              tone(seconds))
    path = write(tmp_path, data, f".{container}")
    assert ffmpeg_frames(path) == count and probe(data).frames == count
    assert ffmpeg_audio_samples(path) == round(seconds * 48_000), "encoder priming and padding trimmed"
    assert probe(data).audio_duration == pytest.approx(seconds, abs=1e-3)
    assert meta["frames"] == count and meta["audio_samples"] == round(seconds * 48_000)


def test_mp4_is_tagged_bt709_and_decodes_to_the_colours_we_meant(tmp_path: Path) -> None:
    colours = [(252, 163, 17), (20, 33, 61), (247, 241, 229), (30, 160, 90)]
    frames = [to_planes(Image.new("RGB", (320, 240), c)) for c in colours]
    data, _ = encode_video(frames.__getitem__, len(frames), EncodeSettings("mp4", 320, 240, 30, 2000), None)
    path = write(tmp_path, data, ".mp4")
    log = subprocess.run([FFMPEG, "-hide_banner", "-i", str(path)], capture_output=True, text=True).stderr
    assert "yuv420p(tv, bt709" in log and "High" in log
    for colour, decoded in zip(colours, ffmpeg_rgb(path, (320, 240), list(range(len(colours)))), strict=True):
        # FFmpeg converts with the tagged BT.709 matrix (a BT.601 reading shifts orange by 7–9 levels; x264
        # quantisation of a flat frame moves it by up to 3).
        assert np.abs(decoded.reshape(-1, 3).mean(axis=0) - colour).max() < 4, (colour, decoded[120, 160])


def test_a_height_that_is_not_a_multiple_of_four_encodes_identically_twice(tmp_path: Path) -> None:
    frames = frames_of(320, 242, 12)
    settings = EncodeSettings("mp4", 320, 242, 30, 2000)
    first, _ = encode_video(frames.__getitem__, 12, settings, None)
    second, _ = encode_video(frames.__getitem__, 12, settings, None)
    assert hashlib.sha256(first).digest() == hashlib.sha256(second).digest()
    info = probe(first)
    assert (info.width, info.height, info.frames) == (320, 242, 12)
    assert ffmpeg_frames(write(tmp_path, first, ".mp4")) == 12


def test_gif_rates_keep_whole_centisecond_delays(tmp_path: Path) -> None:
    assert [gif_rate(f) for f in (60, 30, 25, 24, 12, 1)] == [50, 25, 25, 20, 10, 1]
    images = [moving(160, 120, i) for i in range(20)]
    data, meta = encode_gif(images.__getitem__, 20, 25, (160, 120), (0, 10, 19))
    path = write(tmp_path, data, ".gif")
    assert ffmpeg_frames(path) == 20 and ffmpeg_duration(path) == pytest.approx(0.8, abs=0.011)
    info = probe(data)
    assert (info.container, info.frames, info.fps) == ("gif", 20, 25.0)
    assert meta["fps"] == 25
    (decoded,) = ffmpeg_rgb(path, (160, 120), [10])
    assert psnr(decoded, images[10]) > 25, "one palette for the clip, dithered"
