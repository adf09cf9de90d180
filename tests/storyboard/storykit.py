"""Motion assets for storyboard tests: a small real MP4 (PyAV, libx264), its timeline and cues, stored as an
artifact + asset the way the runner commits a render.

The video has three shots of 1.5 s at 10 fps, each a different colour (SHOT_COLOURS), with a white bar across
the top whose width grows by BAR_STEP px every frame: a still tells which frame it is (``frame_of``).
``story_workspace`` adds motion assets to a copy of the reviewed workspace (tests/reviewkit.py): two for acme
concept CONCEPT (the first, lower id, is the storyboard's source) and one for globex.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import av
import numpy as np
from PIL import Image

from assetline.access.roles import Actor
from assetline.review.storyboard import StoryboardService
from assetline.store.blobs import BlobStore
from assetline.store.db import Database
from assetline.store.models import Asset
from assetline.store.repositories import Repository
from reviewkit import ReviewWorkspace

FPS = 10
SIZE = (192, 192)
SHOTS = [(0.0, 1.5, "push-in on the subject; headline slides up"), (1.5, 3.0, "pan left to the product"),
         (3.0, 4.5, "end card holds")]
DURATION = 4.5
SHOT_COLOURS = [(200, 40, 40), (40, 160, 60), (40, 70, 200)]
BAR_STEP = 4
CUES = [{"start": 0.4, "end": 1.3, "text": "Every great day"},
        {"start": 1.3, "end": 2.6, "text": "starts with a launch."},
        {"start": 3.1, "end": 4.2, "text": "Order now."}]
MOTION_FORMAT = "meta-feed-1x1-video"
SLUG = "acme-launch"
CONCEPT = "morning-launch"
STILLS_ONLY = "lift-off"
"""acme's second concept: still formats only, no motion asset."""


def make_video(shots: list[tuple[float, float, str]] = SHOTS, fps: int = FPS, size: tuple[int, int] = SIZE,
               colours: list[tuple[int, int, int]] = SHOT_COLOURS) -> bytes:
    """An H.264 MP4, byte-identical for the same arguments (x264 on one thread)."""
    duration = max(end for _, end, _ in shots)
    buf = io.BytesIO()
    with av.open(buf, "w", format="mp4") as container:
        stream = container.add_stream("libx264", rate=fps)
        stream.width, stream.height, stream.pix_fmt = size[0], size[1], "yuv420p"
        stream.options = {"preset": "veryfast", "crf": "18", "threads": "1"}
        for i in range(round(duration * fps)):
            t = i / fps
            shot = next(n for n, (start, end, _) in enumerate(shots) if start <= t + 1e-9 < end)
            pixels = np.zeros((size[1], size[0], 3), np.uint8)
            pixels[...] = colours[shot % len(colours)]
            pixels[:24, :BAR_STEP * (i + 1)] = 255
            for packet in stream.encode(av.VideoFrame.from_ndarray(pixels, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return buf.getvalue()


def frame_of(still: Image.Image, width: int = SIZE[0]) -> int:
    """Which frame of ``make_video`` a still shows (from the white bar, at any scale)."""
    row = np.asarray(still.convert("L"), dtype=np.int16)[still.height * 6 // 192]
    white = int((row > 230).sum())
    return round(white * width / still.width / BAR_STEP) - 1


def colour_of(still: Image.Image) -> tuple[int, int, int]:
    """The mean colour below the bar."""
    pixels = np.asarray(still.convert("RGB"), dtype=np.float64)[still.height // 3:]
    r, g, b = pixels.reshape(-1, 3).mean(axis=0)
    return round(r), round(g), round(b)


def timeline(shots: list[tuple[float, float, str]] = SHOTS, cues: list[dict[str, Any]] = CUES,
             size: tuple[int, int] = SIZE, fps: int = FPS) -> dict[str, Any]:
    """A timeline in the motion engine's documented format (engines/motion/base.py)."""
    duration = max(end for _, end, _ in shots)
    return {"fps": fps, "frames": round(duration * fps), "duration": duration, "width": size[0], "height": size[1],
            "end_card_start": shots[-1][0],
            "camera": {"kind": "ken-burns", "from": {"scale": 1.08, "centre": [96, 96]},
                       "to": {"scale": 1.0, "centre": [96, 96]}},
            "elements": [{"kind": "headline", "text": "Every great day", "box": [16, 40, 170, 90], "enter": 0.5,
                          "settled": 0.9, "exit": duration, "animation": "slide-up", "keyframes": []}],
            "captions": [{**c, "box": None} for c in cues],
            "shots": [{"start": s, "end": e, "note": n} for s, e, n in shots]}


def add_motion_asset(s: Any, blobs: BlobStore, tenant: str, slug: str, concept: str, segment: str, *,
                     variant: int = 0, video: bytes | None = None, motion: dict[str, Any] | None = None,
                     status: str = "in_review", language: str = "en") -> int:
    """Store a video render as the runner does (artifact, asset, revision, events); returns the asset id."""
    repo = Repository(s, tenant)
    campaign = repo.get_campaign(slug)
    data = video if video is not None else make_video()
    sha = blobs.put(data)
    poster = io.BytesIO()
    Image.new("RGB", SIZE, SHOT_COLOURS[-1]).save(poster, "PNG")
    motion = motion if motion is not None else {"timeline": timeline(), "cues": CUES}
    motion = {**motion, "poster_sha": blobs.put(poster.getvalue())}
    key = hashlib.sha256(f"motion:{tenant}:{slug}:{concept}:{segment}:{variant}:{sha}".encode()).hexdigest()
    artifact = repo.add_artifact(content_key=key, step="motion", engine_id="builtin.motion", engine_version="1",
                                 blob_sha=sha, media_type="video/mp4", size=len(data),
                                 meta={"motion": motion, "language": language, "width": SIZE[0], "height": SIZE[1],
                                       "lineage": {"params": {"seed": 1}, "inputs": {}}, "seconds": 0.1})
    cell_key = f"{concept}/{segment}/{MOTION_FORMAT}/v{variant}"
    cells = repo.assets_by_cell(campaign)
    if cell_key not in cells:
        repo.create_assets(campaign, [{"cell_key": cell_key, "concept": concept, "segment": segment,
                                       "format": MOTION_FORMAT, "variant": variant}], run_id=None)
        cells = repo.assets_by_cell(campaign)
    asset: Asset = cells[cell_key]
    repo.attach_render(asset, artifact, "rendered", None)
    repo.set_status(asset, "rendered", "render finished")
    repo.set_status(asset, status, "routed for review")
    s.flush()
    return asset.id


def story_workspace(base: ReviewWorkspace, target: Path) -> StoryWorkspace:
    """A copy of ``base`` with motion assets: 'first' and 'second' (acme, CONCEPT) and 'globex'."""
    ws = base.copy_to(target)
    db = Database(ws.settings().db_url)
    blobs = BlobStore(ws.settings().blob_dir)
    ids: dict[str, int] = {}
    try:
        db.migrate()
        with db.session() as s:
            segments = sorted({a.segment for a in Repository(s, "acme").list_assets(
                Repository(s, "acme").get_campaign(SLUG))})
            ids["first"] = add_motion_asset(s, blobs, "acme", SLUG, CONCEPT, segments[0])
            other = make_video(colours=[(230, 230, 230), (20, 20, 20), (120, 120, 120)])
            ids["second"] = add_motion_asset(s, blobs, "acme", SLUG, CONCEPT, segments[1], video=other)
            g_concept = Repository(s, "globex").list_assets(Repository(s, "globex").get_campaign("globex-launch"))[0]
            ids["globex"] = add_motion_asset(s, blobs, "globex", "globex-launch", g_concept.concept,
                                             g_concept.segment)
    finally:
        db.dispose()
    return StoryWorkspace(ws, ids)


@dataclass
class StoryWorkspace:
    ws: ReviewWorkspace
    ids: dict[str, int]
    """'first', 'second' (acme motion assets of CONCEPT, by id) and 'globex'."""

    def db(self) -> Database:
        return Database(self.ws.settings().db_url)

    def blobs(self) -> BlobStore:
        return BlobStore(self.ws.settings().blob_dir)


def actor(role: str, tenant: str = "acme") -> Actor:
    return Actor(tenant_id=tenant, user_id=None, email=f"{role}@{tenant}.example", role=role)


def service(session, story: StoryWorkspace, role: str = "producer", tenant: str = "acme") -> StoryboardService:  # type: ignore[no-untyped-def]
    return StoryboardService(session, actor(role, tenant), story.blobs())
