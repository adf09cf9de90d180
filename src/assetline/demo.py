"""The end of `assetline demo`: demo people, a scripted review, signing keys and signed channel bundles.

After the example campaign has run, the demo
  1. adds three demo users (producer, reviewer, client; password DEMO_PASSWORD) so `assetline serve` has logins,
  2. approves every asset waiting for review as the demo reviewer (recorded under that name, note "demo"),
  3. creates the tenant's signing keys (once),
  4. delivers every channel of the campaign into <workspace>/delivery/<channel>, replacing earlier demo bundles.
The licence gate runs for real: the example brand kit's astronaut portrait may not be used commercially (NASA's
media guidelines), so the assets made from it are withheld and listed with the reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assetline import api
from assetline.errors import AssetlineError
from assetline.spec.formats import catalogue
from assetline.spec.loader import load_campaign

DEMO_PASSWORD = "orbit-demo-2026"
DEMO_USERS = (("producer@orbit.example", "producer", "Priya Producer"),
              ("reviewer@orbit.example", "reviewer", "Rafael Reviewer"),
              ("client@orbit.example", "client", "Chloe Client"))
REVIEWER = "reviewer@orbit.example"


@dataclass
class DemoDelivery:
    approved: int = 0
    deliveries: list[dict[str, Any]] = field(default_factory=list)
    users: list[str] = field(default_factory=list)
    sample_file: str | None = None
    sample_video: str | None = None
    storyboards: list[dict[str, Any]] = field(default_factory=list)
    """Per concept with videos: its storyboard's frames and the PDF written."""

    def to_dict(self) -> dict[str, Any]:
        return {"approved": self.approved, "deliveries": self.deliveries, "users": self.users,
                "password": DEMO_PASSWORD, "sample_file": self.sample_file, "sample_video": self.sample_video,
                "storyboards": self.storyboards}


def finish_demo(workspace: Path, campaign: Path) -> DemoDelivery:
    out = DemoDelivery()
    existing = {u["email"] for u in api.list_users(workspace=workspace)}
    for email, role, name in DEMO_USERS:
        if email not in existing:
            api.add_user(email, role, name=name, password=DEMO_PASSWORD, workspace=workspace)
        out.users.append(f"{email} ({role})")
    loaded = load_campaign(campaign)
    slug = loaded.campaign.id
    waiting = [a["id"] for a in api.review_assets(slug, REVIEWER, status="in_review", workspace=workspace)]
    if waiting:
        result = api.review_decide(waiting, "approve", REVIEWER, note="demo: approved by the scripted reviewer",
                                   workspace=workspace)
        out.approved = len(result["decided"])
    from assetline.config import load_settings
    from assetline.provenance.keys import load_keys

    try:
        load_keys(workspace, load_settings(workspace).tenant)
    except AssetlineError:  # first demo run: make the tenant's CA and signing certificate
        api.init_signing_keys(f"{loaded.brand.kit.name} demo studio", workspace=workspace)
    formats = catalogue()
    channels = sorted({formats[f].channel for f in loaded.campaign.formats})
    for channel in channels:
        report = api.deliver(slug, channel, workspace / "delivery", overwrite=True, actor="demo",
                             workspace=workspace)
        out.deliveries.append({"channel": channel, "root": report["root"], "delivered": len(report["delivered"]),
                               "withheld": len(report["withheld"]),
                               "reasons": sorted({r["message"] for w in report["withheld"] for r in w["reasons"]}),
                               "disclosure": report["files"]["disclosure_html"],
                               "contact_sheet": report["files"]["contact_sheet"]})
        if out.sample_file is None and report["delivered"]:
            out.sample_file = report["delivered"][0]["file"]
        if out.sample_video is None:
            out.sample_video = next((d["file"] for d in report["delivered"] if d["file"].endswith(".mp4")), None)
    out.storyboards = build_storyboards(workspace, slug)
    return out


def build_storyboards(workspace: Path, slug: str) -> list[dict[str, Any]]:
    """A storyboard per concept with videos, exported as PDF and contact sheet under ``storyboards/``."""
    from assetline.access.roles import Actor
    from assetline.review.storyboard import StoryboardService
    from assetline.store.blobs import BlobStore

    settings, db = api.open_store(workspace)
    folder = workspace / "storyboards"
    boards: list[dict[str, Any]] = []
    try:
        with db.session() as s:
            svc = StoryboardService(s, Actor(tenant_id=settings.tenant, user_id=None, email="demo", role="admin"),
                                    BlobStore(settings.blob_dir))
            try:
                outcomes = svc.build(slug)
            except AssetlineError:  # no motion formats in this campaign: no storyboards
                return []
            folder.mkdir(parents=True, exist_ok=True)
            for outcome in outcomes:
                concept = outcome.board.storyboard.concept
                pdf = folder / f"{slug}-{concept}.pdf"
                pdf.write_bytes(svc.pdf(slug, concept))
                (folder / f"{slug}-{concept}.png").write_bytes(svc.sheet(slug, concept))
                boards.append({"concept": concept, "frames": len(outcome.board.frames), "pdf": str(pdf)})
    finally:
        db.dispose()
    return boards
