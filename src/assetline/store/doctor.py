"""Store consistency check: every row names a blob that exists and hashes to its name."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import text

from assetline.errors import BlobCorruptError, StoreError
from assetline.store.blobs import BlobStore
from assetline.store.db import Database
from assetline.store.repositories import Repository


@dataclass
class DoctorReport:
    ok: bool
    artifacts: int
    assets: int
    blobs: int
    missing_blobs: list[str] = field(default_factory=list)
    corrupt_blobs: list[str] = field(default_factory=list)
    dangling_assets: list[str] = field(default_factory=list)
    orphan_blobs: int = 0
    """Blobs no row names (harmless: left by an interrupted run; reused or ignored later)."""
    temp_files: int = 0
    database: str = "ok"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def check_store(db: Database, blobs: BlobStore, tenant: str, verify_hashes: bool = True) -> DoctorReport:
    database = "ok"
    if db.is_sqlite:
        with db.engine.connect() as conn:
            result = conn.execute(text("PRAGMA integrity_check")).scalar()
            database = "ok" if result == "ok" else f"integrity_check: {result}"
    with db.session() as s:
        repo = Repository(s, tenant)
        artifacts = repo.all_artifact_blobs()
        assets = repo.assets_with_artifacts()
        side_blobs = _side_blobs(s, tenant)
    missing, corrupt = [], []
    referenced = set()
    for _id, key, sha in artifacts:
        referenced.add(sha)
        if not blobs.exists(sha):
            missing.append(f"artifact {key[:12]}… → blob {sha[:12]}…")
            continue
        if verify_hashes:
            try:
                blobs.verify(sha)
            except BlobCorruptError:
                corrupt.append(f"artifact {key[:12]}… → blob {sha[:12]}…")
            except StoreError:
                missing.append(f"artifact {key[:12]}… → blob {sha[:12]}…")
    for label, sha in side_blobs:  # a video's poster and captions, storyboard frames
        referenced.add(sha)
        if not blobs.exists(sha):
            missing.append(f"{label} → blob {sha[:12]}…")
    dangling = [cell for _aid, cell, art_id, sha in assets if art_id is not None and sha is None]
    stored = set(blobs.iter_hashes())
    report = DoctorReport(
        ok=not (missing or corrupt or dangling) and database == "ok", artifacts=len(artifacts),
        assets=len(assets), blobs=len(stored), missing_blobs=missing, corrupt_blobs=corrupt,
        dangling_assets=dangling, orphan_blobs=len(stored - referenced),
        temp_files=sum(1 for _ in blobs.iter_temp_files()), database=database)
    return report


def _side_blobs(session: Any, tenant: str) -> list[tuple[str, str]]:
    """(what, sha) of blobs rows name besides an artifact's own: a video's poster frame and caption files, and
    storyboard frame images."""
    from sqlalchemy import select

    from assetline.store.models import Artifact, StoryboardFrame

    out: list[tuple[str, str]] = []
    videos = session.execute(select(Artifact.content_key, Artifact.meta).where(
        Artifact.tenant_id == tenant, Artifact.media_type.like("video/%")))
    for key, meta in videos:
        motion = (meta or {}).get("motion") or {}
        if motion.get("poster_sha"):
            out.append((f"poster of artifact {key[:12]}…", motion["poster_sha"]))
        for ext, sha in (motion.get("captions") or {}).items():
            out.append((f"{ext} captions of artifact {key[:12]}…", sha))
    frames = session.execute(select(StoryboardFrame.id, StoryboardFrame.image_sha).where(
        StoryboardFrame.tenant_id == tenant))
    out += [(f"storyboard frame {fid}", sha) for fid, sha in frames]
    return out
