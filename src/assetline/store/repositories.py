"""Tenant-scoped data access. Views, CLI and runner never query models directly; they use a Repository.

Every method filters on the repository's tenant; an object of another tenant is "not found".
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from assetline.errors import NotFoundError
from assetline.store.events import AssetRevised, AssetStateChanged, AuditEvent, RunFinished, RunStarted
from assetline.store.models import Artifact, Asset, AssetRevision, Campaign, Event, Run, Tenant, utcnow


class Repository:
    def __init__(self, session: Session, tenant_id: str) -> None:
        self.session = session
        self.tenant_id = tenant_id

    # ------------------------------------------------------------------ tenants
    def ensure_tenant(self, name: str | None = None) -> Tenant:
        tenant = self.session.get(Tenant, self.tenant_id)
        if tenant is None:
            tenant = Tenant(id=self.tenant_id, name=name or self.tenant_id)
            self.session.add(tenant)
            self.session.flush()
        return tenant

    # ------------------------------------------------------------------ campaigns
    def upsert_campaign(self, slug: str, name: str, spec_path: str, spec_hash: str) -> Campaign:
        campaign = self.find_campaign(slug)
        if campaign is None:
            campaign = Campaign(tenant_id=self.tenant_id, slug=slug, name=name, spec_path=spec_path,
                                spec_hash=spec_hash)
            self.session.add(campaign)
        else:
            campaign.name, campaign.spec_path, campaign.spec_hash = name, spec_path, spec_hash
            campaign.updated_at = utcnow()
        self.session.flush()
        return campaign

    def find_campaign(self, slug: str) -> Campaign | None:
        return self.session.scalar(
            select(Campaign).where(Campaign.tenant_id == self.tenant_id, Campaign.slug == slug))

    def get_campaign(self, slug: str) -> Campaign:
        campaign = self.find_campaign(slug)
        if campaign is None:
            raise NotFoundError(f"no campaign '{slug}' in this workspace",
                                hint="run `assetline status` to list campaigns, or `assetline run` it first")
        return campaign

    def list_campaigns(self) -> Sequence[Campaign]:
        return self.session.scalars(
            select(Campaign).where(Campaign.tenant_id == self.tenant_id).order_by(Campaign.slug)).all()

    # ------------------------------------------------------------------ runs
    def start_run(self, campaign: Campaign) -> Run:
        run = Run(tenant_id=self.tenant_id, campaign_id=campaign.id, status="running", summary={})
        self.session.add(run)
        self.session.flush()
        self.record(RunStarted(campaign_id=campaign.id, run_id=run.id))
        return run

    def finish_run(self, run_id: int, status: str, summary: dict[str, Any]) -> None:
        run = self.session.scalar(select(Run).where(Run.tenant_id == self.tenant_id, Run.id == run_id))
        if run is None:
            raise NotFoundError(f"no run {run_id}")
        run.status, run.summary, run.finished_at = status, summary, utcnow()
        self.record(RunFinished(campaign_id=run.campaign_id, run_id=run.id, status=status))

    def runs(self, campaign: Campaign) -> Sequence[Run]:
        """The campaign's runs, newest first."""
        return self.session.scalars(select(Run).where(Run.tenant_id == self.tenant_id,
                                                      Run.campaign_id == campaign.id).order_by(Run.id.desc())).all()

    def last_run(self, campaign: Campaign) -> Run | None:
        return self.session.scalar(select(Run).where(Run.tenant_id == self.tenant_id,
                                                     Run.campaign_id == campaign.id).order_by(Run.id.desc()))

    # ------------------------------------------------------------------ artifacts
    def artifacts_by_keys(self, keys: Iterable[str]) -> dict[str, Artifact]:
        found: dict[str, Artifact] = {}
        key_list = list(keys)
        for start in range(0, len(key_list), 500):
            chunk = key_list[start:start + 500]
            rows = self.session.scalars(select(Artifact).where(
                Artifact.tenant_id == self.tenant_id, Artifact.content_key.in_(chunk)))
            found.update({a.content_key: a for a in rows})
        return found

    def add_artifact(self, *, content_key: str, step: str, engine_id: str, engine_version: str, blob_sha: str,
                     media_type: str, size: int, meta: dict[str, Any]) -> Artifact:
        """Insert the artifact for ``content_key`` (or return the one already there)."""
        existing = self.artifacts_by_keys([content_key]).get(content_key)
        if existing is not None:
            return existing
        artifact = Artifact(tenant_id=self.tenant_id, content_key=content_key, step=step, engine_id=engine_id,
                            engine_version=engine_version, blob_sha=blob_sha, media_type=media_type, size=size,
                            meta=meta)
        try:
            with self.session.begin_nested():
                self.session.add(artifact)
                self.session.flush()
        except IntegrityError:  # another runner committed the same key first: same content by definition
            return self.artifacts_by_keys([content_key])[content_key]
        return artifact

    def all_artifact_blobs(self) -> list[tuple[int, str, str]]:
        """(artifact id, content key, blob sha) for every artifact of the tenant."""
        rows = self.session.execute(select(Artifact.id, Artifact.content_key, Artifact.blob_sha)
                                    .where(Artifact.tenant_id == self.tenant_id))
        return [(r[0], r[1], r[2]) for r in rows]

    def get_artifact(self, artifact_id: int) -> Artifact:
        art = self.session.scalar(select(Artifact).where(Artifact.tenant_id == self.tenant_id,
                                                         Artifact.id == artifact_id))
        if art is None:
            raise NotFoundError(f"no artifact {artifact_id}")
        return art

    # ------------------------------------------------------------------ assets
    def assets_by_cell(self, campaign: Campaign) -> dict[str, Asset]:
        rows = self.session.scalars(select(Asset).where(Asset.tenant_id == self.tenant_id,
                                                        Asset.campaign_id == campaign.id))
        return {a.cell_key: a for a in rows}

    def create_assets(self, campaign: Campaign, cells: Iterable[dict[str, Any]], run_id: int | None) -> int:
        """Insert a 'planned' asset for each cell that has none; returns how many were created."""
        existing = set(self.assets_by_cell(campaign))
        created = []
        for cell in cells:
            if cell["cell_key"] in existing:
                continue
            asset = Asset(tenant_id=self.tenant_id, campaign_id=campaign.id, status="planned", revision=0, **cell)
            self.session.add(asset)
            created.append(asset)
        self.session.flush()
        for asset in created:
            self.record(AssetStateChanged(asset_id=asset.id, campaign_id=campaign.id, from_status=None,
                                          to_status="planned", reason="cell planned", run_id=run_id))
        return len(created)

    def set_status(self, asset: Asset, status: str, reason: str, run_id: int | None = None,
                   actor: str = "system", data: dict[str, Any] | None = None) -> None:
        if asset.status == status:
            return
        old = asset.status
        asset.status = status
        asset.updated_at = utcnow()
        self.session.flush()
        self.record(AssetStateChanged(asset_id=asset.id, campaign_id=asset.campaign_id, from_status=old,
                                      to_status=status, reason=reason, actor=actor, run_id=run_id,
                                      data=data or {}))

    def attach_render(self, asset: Asset, artifact: Artifact, reason: str, run_id: int | None) -> bool:
        """Point ``asset`` at ``artifact`` as a new revision; False when it already points there."""
        if asset.artifact_id == artifact.id:
            return False
        asset.revision += 1
        asset.artifact_id = artifact.id
        asset.content_key = artifact.content_key
        asset.updated_at = utcnow()
        self.session.add(AssetRevision(tenant_id=self.tenant_id, asset_id=asset.id, revision=asset.revision,
                                       artifact_id=artifact.id, content_key=artifact.content_key, reason=reason))
        self.session.flush()
        self.record(AssetRevised(asset_id=asset.id, campaign_id=asset.campaign_id, revision=asset.revision,
                                 content_key=artifact.content_key, reason=reason, run_id=run_id))
        return True

    def cell_directions(self, campaign: Campaign) -> dict[str, dict[str, Any]]:
        """Cell key → the reviewers' direction, for cells that have one."""
        rows = self.session.execute(select(Asset.cell_key, Asset.direction).where(
            Asset.tenant_id == self.tenant_id, Asset.campaign_id == campaign.id))
        return {key: direction for key, direction in rows if direction}

    def status_counts(self, campaign: Campaign) -> dict[str, int]:
        rows = self.session.execute(select(Asset.status, func.count()).where(
            Asset.tenant_id == self.tenant_id, Asset.campaign_id == campaign.id).group_by(Asset.status))
        return {status: count for status, count in rows}

    def list_assets(self, campaign: Campaign, status: str | None = None) -> Sequence[Asset]:
        query = select(Asset).where(Asset.tenant_id == self.tenant_id, Asset.campaign_id == campaign.id)
        if status:
            query = query.where(Asset.status == status)
        return self.session.scalars(query.order_by(Asset.concept, Asset.format, Asset.segment, Asset.variant)).all()

    def assets_with_artifacts(self) -> list[tuple[int, str, int | None, str | None]]:
        """(asset id, cell key, artifact id, blob sha) for every asset of the tenant."""
        rows = self.session.execute(
            select(Asset.id, Asset.cell_key, Asset.artifact_id, Artifact.blob_sha)
            .outerjoin(Artifact, Artifact.id == Asset.artifact_id).where(Asset.tenant_id == self.tenant_id))
        return [(r[0], r[1], r[2], r[3]) for r in rows]

    # ------------------------------------------------------------------ events
    def record(self, event: AuditEvent) -> None:
        payload = asdict(event)
        self.session.add(Event(
            tenant_id=self.tenant_id, kind=event.kind, campaign_id=payload.pop("campaign_id", None),
            asset_id=payload.pop("asset_id", None), run_id=payload.pop("run_id", None),
            from_status=payload.pop("from_status", None),
            to_status=payload.pop("to_status", None) or payload.get("status"),
            actor=payload.pop("actor", "system"), reason=payload.pop("reason", ""),
            data={**payload.pop("data", {}), **_jsonable(payload)}))

    def events(self, asset_id: int | None = None, limit: int = 1000) -> Sequence[Event]:
        query = select(Event).where(Event.tenant_id == self.tenant_id)
        if asset_id is not None:
            query = query.where(Event.asset_id == asset_id)
        return self.session.scalars(query.order_by(Event.id).limit(limit)).all()


def _jsonable(values: dict[str, Any]) -> dict[str, Any]:
    return {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in values.items()}
