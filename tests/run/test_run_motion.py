"""Motion formats through the whole line: plan → run (voice-over, animation, motion gates) → review → delivery
(signed MP4 with poster and captions) → the web app plays it. One small campaign: one concept, an English and an
Arabic segment, one square video (3 s) and one still."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import re
import sys
from pathlib import Path

import av
import pytest
from fastapi.testclient import TestClient
from ruamel.yaml import YAML
from small_brief import shrink
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from assetline import api
from assetline.config import load_settings
from assetline.engines.voice.captions import parse_vtt
from assetline.errors import SpecError
from assetline.provenance.keys import init_keys, load_keys
from assetline.spec.loader import load_campaign
from assetline.store.blobs import BlobStore
from assetline.store.models import Artifact, Asset

sys.path.insert(0, str(Path(__file__).parents[1] / "provenance"))
from c2pa_mp4_reader import read_c2pa

VIDEO = "meta-feed-1x1-video"
REVIEWER = "rita@studio.example"


def _motion_brief(brief: Path, **motion: object) -> Path:
    campaign = shrink(brief, concepts=1, segments=2, formats=(VIDEO, "meta-feed-1x1"), variants=1)
    yaml = YAML()
    data = yaml.load(campaign.read_text(encoding="utf-8"))
    data["motion"] = {"variants": 1, "durations": {VIDEO: 3}, "voiceover": {"music": "music-bed"}, **motion}
    with campaign.open("w", encoding="utf-8") as fh:
        yaml.dump(data, fh)
    return campaign


@pytest.fixture(scope="module")
def motion_ws(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict]:
    import shutil

    root = tmp_path_factory.mktemp("motion")
    brief = root / "brief"
    shutil.copytree(api.example_dir(), brief, ignore=shutil.ignore_patterns("__pycache__", "make_*.py"))
    campaign = _motion_brief(brief)
    ws = root / "ws"
    summary = api.run_campaign(campaign, ws, workers=1)
    return ws, campaign, dataclasses.asdict(summary)


def _video_artifacts(ws: Path) -> list[tuple[Asset, Artifact]]:
    """The motion cells' assets with their current render (detached from the session)."""
    engine = create_engine(load_settings(ws).db_url)
    with Session(engine) as s:
        out = []
        for asset in s.scalars(select(Asset).where(Asset.format == VIDEO).order_by(Asset.id)):
            art = s.get(Artifact, asset.artifact_id)
            assert art is not None
            out.append((asset, art))
        s.expunge_all()
    engine.dispose()
    return out


def test_plan_counts_motion_cells_and_rejects_bad_motion_blocks(demo_brief: Path) -> None:
    campaign = _motion_brief(demo_brief)
    plan = api.plan_campaign(campaign, workspace=demo_brief.parent / "ws")
    assert plan["cells"] == 4  # 1 concept × 2 segments × (1 video + 1 still)
    bad = [({"durations": {"meta-feed-1x1": 3}}, "not a motion format"),
           ({"durations": {VIDEO: 900}}, "takes 1–240 s"),
           ({"durations": {VIDEO: 2}}, "too short for the 2 s end card"),
           ({"variants": 5}, "motion.variants is 5"),
           ({"concepts": ["nope"]}, "not a concept"),
           ({"voiceover": {"music": "coffee"}}, "not an audio asset")]
    for motion, message in bad:
        _motion_brief(demo_brief, **motion)
        with pytest.raises(SpecError, match=message) as exc:
            load_campaign(campaign)
        assert exc.value.location is not None and exc.value.location.line


def test_videos_render_with_exact_frames_voice_and_motion_gates(motion_ws: tuple[Path, Path, dict]) -> None:
    ws, _, summary = motion_ws
    assert summary["failed"] == 0, summary.get("failures")
    videos = _video_artifacts(ws)
    assert len(videos) == 2
    blobs = BlobStore(load_settings(ws).blob_dir)
    for _, art in videos:
        assert art.media_type == "video/mp4"
        data = blobs.get(art.blob_sha)
        with av.open(io.BytesIO(data)) as container:
            stream = container.streams.video[0]
            frames = sum(1 for _ in container.decode(video=0))
            assert (stream.codec_context.width, stream.codec_context.height) == (1080, 1080)
            assert container.streams.audio, "the voice-over is in the file"
        assert frames == 90  # 3 s × 30 fps, frame-accurate
        motion = art.meta["motion"]
        assert motion["duration"] == 3 and motion["fps"] == 30
        assert blobs.exists(motion["poster_sha"])
        cues = parse_vtt(blobs.get(motion["captions"]["vtt"]).decode("utf-8"))
        assert cues and cues[-1].end <= 3.0
        checks = {r["check"]: r for r in art.meta["qc"]}
        for check in ("motion.spec", "motion.audio", "motion.captions", "motion.readability", "motion.flashing"):
            assert check in checks, f"{check} did not run"
            assert checks[check]["status"] in ("pass", "warn"), checks[check]
        assert abs(motion["voiceover"]["measurements"]["integrated_lufs"] + 16) <= 1.0
    languages = {art.meta["language"] for _, art in videos}
    assert languages == {"en", "ar"}


def test_unchanged_rerun_renders_no_video(motion_ws: tuple[Path, Path, dict]) -> None:
    ws, campaign, _ = motion_ws
    again = api.run_campaign(campaign, ws, workers=1)
    assert again.rendered == 0 and again.failed == 0


def test_delivery_signs_the_mp4_with_poster_captions_and_sheet(motion_ws: tuple[Path, Path, dict]) -> None:
    ws, _, _ = motion_ws
    api.add_user(REVIEWER, "reviewer", password="correct horse battery", workspace=ws)
    waiting = [a["id"] for a in api.review_assets("launch-season", REVIEWER, status="in_review", workspace=ws)]
    if waiting:
        api.review_decide(waiting, "approve", REVIEWER, note="ok", workspace=ws)
    init_keys(ws, load_settings(ws).tenant, "Motion Studio")
    report = api.deliver("launch-season", "meta", ws / "out", workspace=ws)
    root = Path(report["root"])
    manifest = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
    videos = [f for f in manifest["files"] if f["mime"] == "video/mp4"]
    assert len(videos) == 2
    for entry in videos:
        data = (root / entry["path"]).read_bytes()
        assert entry["duration"] == 3
        for kind in ("poster", "srt", "vtt"):
            assert (root / entry["sidecars"][kind]).is_file(), kind
        assert api.verify(root / entry["path"], workspace=ws)["state"] == "trusted"
        ours = read_c2pa(data, load_keys(ws, load_settings(ws).tenant).anchors_pem)  # the independent reader
        assert ours.valid and ours.trusted and ours.hard_binding.startswith("c2pa.hash.bmff"), ours.problems
        tampered = bytearray(data)
        tampered[len(data) // 2] ^= 0x01  # one byte of the media data
        bad = root / "tampered.mp4"
        bad.write_bytes(bytes(tampered))
        checked = api.verify(bad, workspace=ws)
        assert checked["state"] == "invalid" and checked["failures"]
        assert not read_c2pa(bytes(tampered)).valid
    rows = list(csv.DictReader(io.StringIO((root / manifest["bulk_upload"]["path"]).read_text("utf-8-sig"))))
    by_video = {r["Video File Name"] for r in rows if r["Video File Name"]}
    assert by_video == {v["file_name"] for v in videos}
    skipped = {s["asset_id"] for s in report["watermark_skipped"]}
    assert {v["asset_id"] for v in videos} <= skipped  # the watermark is for images; C2PA binds the video


def test_web_app_plays_the_video_with_ranges_and_captions(motion_ws: tuple[Path, Path, dict]) -> None:
    ws, _, _ = motion_ws
    from assetline.web.app import create_app

    asset, _ = _video_artifacts(ws)[0]
    email = "paula@studio.example"
    api.add_user(email, "producer", password="correct horse battery", workspace=ws)
    with TestClient(create_app(load_settings(ws))) as client:
        csrf = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").text)
        assert csrf is not None
        login = client.post("/login", data={"email": email, "password": "correct horse battery",
                                            "csrf": csrf.group(1)}, follow_redirects=False)
        assert login.status_code in (302, 303)
        page = client.get(f"/assets/{asset.id}")
        assert page.status_code == 200
        assert 'id="preview-video"' in page.text and "captions.vtt" in page.text and "data-seek" in page.text
        part = client.get(f"/assets/{asset.id}/image", headers={"Range": "bytes=0-99"})
        assert part.status_code == 206 and len(part.content) == 100
        assert part.headers["content-type"] == "video/mp4"
        vtt = client.get(f"/assets/{asset.id}/captions.vtt")
        assert vtt.status_code == 200 and vtt.text.startswith("WEBVTT")
        thumb = client.get(f"/assets/{asset.id}/thumb?s=240")
        assert thumb.status_code == 200 and thumb.headers["content-type"] == "image/jpeg"
        missing = client.get("/assets/999999/captions.vtt")
        assert missing.status_code == 404


def test_demo_builds_a_storyboard_per_concept_with_videos(motion_ws: tuple[Path, Path, dict]) -> None:
    from assetline.demo import build_storyboards

    ws, _, _ = motion_ws
    boards = build_storyboards(ws, "launch-season")
    assert [b["concept"] for b in boards] == ["morning-launch"] and boards[0]["frames"] >= 3
    pdf = Path(boards[0]["pdf"])
    assert pdf.read_bytes().startswith(b"%PDF") and pdf.with_suffix(".png").is_file()
    assert build_storyboards(ws, "launch-season") == boards  # a re-run refreshes nothing
    assert api.doctor(ws).ok
