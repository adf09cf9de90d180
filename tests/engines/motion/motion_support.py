"""Real inputs and independent readers for the motion tests.

Inputs: layouts composed by the built-in engines from the demo brief (as bench/_fixture.py builds them), at
the catalogue's motion formats. Readers: the separate FFmpeg binary imageio-ffmpeg ships (frame counts,
decoded audio samples, decoded pixels), so the engine's own PyAV code is not the only judge of its files.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import imageio_ffmpeg
import numpy as np
from PIL import Image

from assetline import api
from assetline.engines.base import Box, ComposeRequest, ComposeResult, CopyRequest, Element, VisualRequest
from assetline.engines.motion import MotionRequest
from assetline.engines.registry import EngineRegistry
from assetline.engines.voice.base import SAMPLE_RATE, Cue
from assetline.plan.keys import derive_seed
from assetline.spec.formats import ChannelFormat, catalogue
from assetline.spec.loader import LoadedCampaign, load_campaign

FFMPEG = imageio_ffmpeg.get_ffmpeg_exe()
SHORT = {"duration": 3.0, "end_card": 1.0}
"""A short video keeps the suite quick: 90 frames, two seconds of animation, a one-second end card."""
SPANS = [(0.3, 1.2), (1.3, 2.4)]
"""Caption cues of the short square video (the second runs into the end card)."""


@dataclass(frozen=True)
class Case:
    """One composed cell: the still, the background it was set on, and where the subject is."""

    format: ChannelFormat
    background: Image.Image
    result: ComposeResult
    subject: Box | None

    @property
    def elements(self) -> tuple[Element, ...]:
        return self.result.elements

    def element(self, kind: str) -> Element:
        return next(e for e in self.elements if e.kind == kind)

    def request(self, **overrides: Any) -> MotionRequest:
        assert self.format.video is not None
        fields: dict[str, Any] = {"format": self.format, "background": self.background,
                                  "composed": self.result.image.convert("RGB"), "elements": self.elements,
                                  "duration": self.format.video.duration, "fps": self.format.video.fps, "seed": 7,
                                  "subject": self.subject}
        fields.update(overrides)
        return MotionRequest(**fields)


class Demo:
    """The demo campaign's engines, building requests as the runner's worker does."""

    def __init__(self) -> None:
        self.loaded: LoadedCampaign = load_campaign(api.example_dir() / "campaign.yaml")
        registry = EngineRegistry.discover()
        c = self.loaded.campaign
        self.copy_engine = registry.get(c.engines.copy_, "copy")
        self.visual_engine = registry.get(c.engines.visual, "visual")
        self.compose_engine = registry.get(c.engines.compose, "compose")
        brand, typo = self.loaded.brand, self.loaded.brand.kit.typography
        self.fonts = {"headline": brand.file(typo.headline.file), "body": brand.file(typo.body.file)}
        self.fonts["cta"] = brand.file(typo.cta.file) if typo.cta else self.fonts["body"]
        self.fonts.update({script: brand.file(font.file) for script, font in typo.scripts.items()})
        self.logos = {lg.id: brand.file(lg.file) for lg in brand.kit.logos}

    def case(self, format_id: str, layout: str, concept_id: str = "morning-launch",
             segment_id: str = "london-commuters") -> Case:
        fmt = catalogue()[format_id]
        c, kit = self.loaded.campaign, self.loaded.brand.kit
        concept = next(x for x in c.concepts if x.id == concept_id)
        segment = next(x for x in c.segments if x.id == segment_id)
        copy = self.copy_engine.generate(CopyRequest(concept=concept, segment=segment, format=fmt, variant=0,
                                                     seed=c.seed))
        photo = None
        if concept.visual.photo:
            asset = kit.asset(concept.visual.photo)
            assert asset is not None
            photo = self.loaded.brand.file(asset.file)
        visual = self.visual_engine.generate(VisualRequest(brand=kit, concept=concept, width=fmt.width,
                                                           height=fmt.height, seed=derive_seed(c.seed, concept.id, 0),
                                                           photo=photo))
        key = f"{concept.id}/{segment.id}/{fmt.id}/v0"
        result = self.compose_engine.compose(ComposeRequest(
            brand=kit, format=fmt, copy=copy, background=visual.image.convert("RGB"), background_meta={},
            layout=layout, fonts=self.fonts, logos=self.logos, seed=derive_seed(c.seed, key),
            legal=tuple(kit.voice.disclaimers_for(segment.id, copy.language))))
        subject = visual.metadata.get("subject_box")
        return Case(fmt, visual.image.convert("RGB"), result, tuple(subject) if subject else None)


# ---------------------------------------------------------------- inputs
def tone(seconds: float, hz: float = 440.0, amplitude: float = 0.2) -> np.ndarray:
    """A stereo float32 sine at 48 kHz, exactly ``seconds`` long."""
    t = np.arange(round(seconds * SAMPLE_RATE)) / SAMPLE_RATE
    mono = (amplitude * np.sin(2 * np.pi * hz * t)).astype(np.float32)
    return np.stack([mono, mono], axis=1)


def cues_for(case: Case, spans: list[tuple[float, float]]) -> tuple[Cue, ...]:
    texts = [case.element(k).text or "" for k in ("headline", "body", "cta")]
    return tuple(Cue(s, e, texts[i % len(texts)]) for i, (s, e) in enumerate(spans))


def with_containers(fmt: ChannelFormat) -> ChannelFormat:
    """``fmt`` accepting WebM (VP9) and GIF as well as MP4."""
    assert fmt.video is not None
    return fmt.model_copy(update={"file_types": ["mp4", "webm", "gif"],
                                  "video": fmt.video.model_copy(update={"codecs": ["h264", "vp9"]})})


# ---------------------------------------------------------------- independent reading (FFmpeg binary)
def write(tmp: Path, data: bytes, suffix: str) -> Path:
    path = tmp / f"video{suffix}"
    path.write_bytes(data)
    return path


def ffmpeg_frames(path: Path) -> int:
    """Video frames FFmpeg decodes (its final progress line)."""
    log = subprocess.run([FFMPEG, "-hide_banner", "-nostdin", "-i", str(path), "-map", "0:v:0", "-f", "null", "-"],
                         capture_output=True, text=True, check=True, timeout=120).stderr
    counts = re.findall(r"frame=\s*(\d+)", log)
    assert counts, log
    return int(counts[-1])


def ffmpeg_audio_samples(path: Path) -> int:
    """Stereo samples FFmpeg decodes at 48 kHz (edit lists and Opus pre-skip applied, as players do)."""
    argv = [FFMPEG, "-v", "error", "-nostdin", "-i", str(path), "-map", "0:a:0", "-f", "s16le", "-ac", "2", "-ar",
            str(SAMPLE_RATE), "-"]
    raw = subprocess.run(argv, capture_output=True, check=True, timeout=120).stdout
    return len(raw) // 4


def ffmpeg_duration(path: Path) -> float:
    log = subprocess.run([FFMPEG, "-hide_banner", "-nostdin", "-i", str(path)], capture_output=True, text=True,
                         timeout=60).stderr
    h, m, s = re.search(r"Duration: (\d+):(\d+):([\d.]+)", log).groups()  # type: ignore[union-attr]
    return int(h) * 3600 + int(m) * 60 + float(s)


def ffmpeg_rgb(path: Path, size: tuple[int, int], frames: list[int]) -> list[np.ndarray]:
    """The decoded RGB pixels of ``frames`` (indices), by FFmpeg's own decoder and colour conversion."""
    expr = "+".join(f"eq(n\\,{i})" for i in frames)
    raw = subprocess.run([FFMPEG, "-v", "error", "-nostdin", "-i", str(path), "-vf", f"select='{expr}'",
                          "-fps_mode", "passthrough", "-f", "rawvideo", "-pix_fmt", "rgb24", "-"],
                         capture_output=True, check=True, timeout=120).stdout
    w, h = size
    out = np.frombuffer(raw, dtype=np.uint8).reshape(-1, h, w, 3)
    assert len(out) == len(frames), f"FFmpeg returned {len(out)} of {len(frames)} frames"
    return list(out)


def psnr(a: np.ndarray | Image.Image, b: np.ndarray | Image.Image) -> float:
    x, y = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    mse = float(((x - y) ** 2).mean())
    return 99.0 if mse == 0 else 10 * np.log10(255.0**2 / mse)


def region(image: np.ndarray | Image.Image, box: Box) -> np.ndarray:
    return np.asarray(image, dtype=np.float64)[box[1]: box[3], box[0]: box[2]]


def mp4_top_boxes(data: bytes) -> list[str]:
    """The top-level box types of an MP4, in file order (faststart: moov before mdat)."""
    out, pos = [], 0
    while pos + 8 <= len(data):
        size = int.from_bytes(data[pos: pos + 4], "big")
        kind = data[pos + 4: pos + 8].decode("latin-1")
        if size == 1:
            size = int.from_bytes(data[pos + 8: pos + 16], "big")
        out.append(kind)
        if size < 8:
            break
        pos += size
    return out
