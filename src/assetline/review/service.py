"""Review operations for one actor. The API, the web pages and the CLI all go through ReviewService.

Every read goes through the tenant-scoped Repository; a client sees only assets that reached review (anything
else is "not found", exactly like another tenant's objects). Decisions check the asset's version: a decision
made on a stale version raises ConflictError (HTTP 409) and changes nothing.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from assetline.access.roles import Actor, allowed, require
from assetline.errors import ConflictError, InvalidRequestError, NotFoundError
from assetline.review.direction import ChangeOptions, apply, interpret
from assetline.review.lifecycle import CLIENT_VISIBLE, DECIDABLE, DECISIONS
from assetline.store.blobs import BlobStore
from assetline.store.models import Artifact, Asset, AssetRevision, Campaign, Comment, Decision, Event, utcnow
from assetline.store.repositories import Repository

MAX_PAGE = 200
MAX_BULK = 1000


@dataclass(frozen=True)
class BoardFilter:
    status: str | None = None
    concept: str | None = None
    segment: str | None = None
    format: str | None = None
    qc_flag: str | None = None
    """A check id (e.g. 'text.contrast'), or '*' for any flag."""


def _filtered(query: Any, f: BoardFilter) -> Any:
    """``query`` narrowed by the board's filters (the board and j/k navigation use the same rule)."""
    for column, value in ((Asset.status, f.status), (Asset.concept, f.concept), (Asset.segment, f.segment),
                          (Asset.format, f.format)):
        if value:
            query = query.where(column == value)
    if f.qc_flag == "*":
        query = query.where(Asset.qc_flags != "")
    elif f.qc_flag:
        query = query.where((" " + Asset.qc_flags + " ").contains(f" {f.qc_flag} "))
    return query


@dataclass
class BoardPage:
    items: list[Asset]
    total: int
    page: int
    per_page: int
    facets: dict[str, list[str]] = field(default_factory=dict)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


@dataclass
class BulkResult:
    decided: list[int] = field(default_factory=list)
    skipped: list[dict[str, Any]] = field(default_factory=list)
    """Assets left as they were, each with id and reason (not found, not decidable)."""


class ReviewService:
    def __init__(self, session: Session, actor: Actor, blobs: BlobStore | None = None) -> None:
        self.session = session
        self.actor = actor
        self.repo = Repository(session, actor.tenant_id)
        self.blobs = blobs
        self.sees_all = allowed(actor.role, "view_unreviewed")

    # ------------------------------------------------------------------ reading
    def campaigns(self) -> list[dict[str, Any]]:
        require(self.actor, "view")
        out = []
        for c in self.repo.list_campaigns():
            counts = self._visible_counts(c)
            last = self.repo.last_run(c)
            out.append({"slug": c.slug, "name": c.name, "assets": sum(counts.values()), "by_status": counts,
                        "updated_at": c.updated_at.isoformat(),
                        "last_run": None if last is None else {"id": last.id, "status": last.status}})
        return out

    def campaign(self, slug: str) -> Campaign:
        require(self.actor, "view")
        return self.repo.get_campaign(slug)

    def _visible_counts(self, campaign: Campaign) -> dict[str, int]:
        counts = self.repo.status_counts(campaign)
        counts.pop("retired", None)
        if not self.sees_all:
            counts = {k: v for k, v in counts.items() if k in CLIENT_VISIBLE}
        return counts

    def counts(self, campaign: Campaign) -> dict[str, int]:
        return self._visible_counts(campaign)

    def _scope(self, query: Any) -> Any:
        query = query.where(Asset.tenant_id == self.actor.tenant_id, Asset.status != "retired")
        if not self.sees_all:
            query = query.where(Asset.status.in_(sorted(CLIENT_VISIBLE)))
        return query

    def board(self, slug: str, filters: BoardFilter | None = None, page: int = 1, per_page: int = 60) -> BoardPage:
        campaign = self.campaign(slug)
        f = filters or BoardFilter()
        if page < 1 or not 1 <= per_page <= MAX_PAGE:
            raise InvalidRequestError(f"page must be ≥ 1 and per_page between 1 and {MAX_PAGE}")
        query = _filtered(self._scope(select(Asset).where(Asset.campaign_id == campaign.id)), f)
        total = self.session.scalar(select(func.count()).select_from(query.subquery())) or 0
        items = self.session.scalars(query.order_by(Asset.id).offset((page - 1) * per_page).limit(per_page)).all()
        return BoardPage(items=list(items), total=total, page=page, per_page=per_page,
                         facets=self.facets(campaign))

    def facets(self, campaign: Campaign) -> dict[str, list[str]]:
        """Distinct values per filterable column (for the filter menus)."""
        out: dict[str, list[str]] = {}
        for name, column in (("concept", Asset.concept), ("segment", Asset.segment), ("format", Asset.format),
                             ("status", Asset.status)):
            q = self._scope(select(column).where(Asset.campaign_id == campaign.id)).distinct()
            out[name] = sorted(v for v in self.session.scalars(q) if v)
        flags = self._scope(select(Asset.qc_flags).where(Asset.campaign_id == campaign.id,
                                                        Asset.qc_flags != "")).distinct()
        out["qc_flag"] = sorted({f for value in self.session.scalars(flags) for f in value.split()})
        return out

    def asset(self, asset_id: int) -> Asset:
        require(self.actor, "view")
        asset = self.session.scalar(self._scope(select(Asset).where(Asset.id == asset_id)))
        if asset is None:
            raise NotFoundError(f"no asset {asset_id}")
        return asset

    def campaign_of(self, asset: Asset) -> Campaign:
        campaign = self.session.get(Campaign, asset.campaign_id)
        assert campaign is not None and campaign.tenant_id == self.actor.tenant_id
        return campaign

    def render(self, asset: Asset, revision: int | None = None) -> Artifact | None:
        """The render of ``revision`` (default: current)."""
        if revision is None or revision == asset.revision:
            return None if asset.artifact_id is None else self.repo.get_artifact(asset.artifact_id)
        row = self.session.scalar(select(AssetRevision).where(
            AssetRevision.tenant_id == self.actor.tenant_id, AssetRevision.asset_id == asset.id,
            AssetRevision.revision == revision))
        if row is None:
            raise NotFoundError(f"asset {asset.id} has no revision {revision}")
        return self.repo.get_artifact(row.artifact_id)

    def revisions(self, asset: Asset) -> Sequence[AssetRevision]:
        return self.session.scalars(select(AssetRevision).where(
            AssetRevision.tenant_id == self.actor.tenant_id, AssetRevision.asset_id == asset.id)
            .order_by(AssetRevision.revision)).all()

    def decisions(self, asset: Asset) -> Sequence[Decision]:
        return self.session.scalars(select(Decision).where(
            Decision.tenant_id == self.actor.tenant_id, Decision.asset_id == asset.id).order_by(Decision.id)).all()

    def comments(self, asset: Asset) -> Sequence[Comment]:
        return self.session.scalars(select(Comment).where(
            Comment.tenant_id == self.actor.tenant_id, Comment.asset_id == asset.id).order_by(Comment.id)).all()

    def history(self, asset: Asset) -> Sequence[Event]:
        return self.repo.events(asset_id=asset.id)

    def variants(self, asset: Asset) -> list[Asset]:
        """Every visible variant of the asset's cell (same concept, segment and format), by variant."""
        query = self._scope(select(Asset).where(
            Asset.campaign_id == asset.campaign_id, Asset.concept == asset.concept, Asset.segment == asset.segment,
            Asset.format == asset.format))
        return list(self.session.scalars(query.order_by(Asset.variant)))

    def neighbours(self, asset: Asset, filters: BoardFilter | None = None) -> tuple[int | None, int | None]:
        """Previous and next asset ids on the board (same filters), for j/k on the asset page."""
        base = _filtered(self._scope(select(Asset.id).where(Asset.campaign_id == asset.campaign_id)),
                         filters or BoardFilter())
        prev_id = self.session.scalar(base.where(Asset.id < asset.id).order_by(Asset.id.desc()).limit(1))
        next_id = self.session.scalar(base.where(Asset.id > asset.id).order_by(Asset.id).limit(1))
        return prev_id, next_id

    # ------------------------------------------------------------------ writing
    def decide(self, asset_id: int, decision: str, expected_version: int | None, note: str = "",
               options: ChangeOptions | None = None) -> Asset:
        """Approve, reject or request changes. ``expected_version`` None skips the stale check (bulk)."""
        require(self.actor, "decide")
        if decision not in DECISIONS:
            raise InvalidRequestError(f"unknown decision '{decision}'", hint=f"use one of: {', '.join(DECISIONS)}")
        if len(note) > 5000:
            raise InvalidRequestError("note too long (5,000 characters at most)")
        asset = self.asset(asset_id)
        if expected_version is not None and asset.version != expected_version:
            raise ConflictError(
                f"asset {asset_id} changed since you loaded it (version {expected_version}, now {asset.version})",
                hint="reload the asset and decide again")
        if asset.status not in DECIDABLE:
            raise InvalidRequestError(f"asset {asset_id} is {asset.status.replace('_', ' ')}: it cannot be "
                                      f"{DECISIONS[decision].replace('_', ' ')} now")
        if decision == "request_changes" and not note.strip() and options is None:
            raise InvalidRequestError("say what should change", hint="add a note, e.g. 'warmer image, layout: split'")
        changes: dict[str, Any] = {}
        if decision == "request_changes":
            changes = self._redirect(asset, note, options or ChangeOptions())
        old = asset.status
        asset.status = DECISIONS[decision]
        asset.updated_at = utcnow()
        try:
            self.session.flush()  # UPDATE … WHERE version = loaded version: a concurrent writer makes this stale
        except StaleDataError as exc:
            raise ConflictError(f"asset {asset_id} was decided by someone else at the same time",
                                hint="reload the asset and decide again") from exc
        self.session.add(Decision(tenant_id=self.actor.tenant_id, asset_id=asset.id, revision=asset.revision,
                                  user_id=self.actor.user_id, actor=self.actor.email, role=self.actor.role,
                                  decision=decision, note=note.strip(), changes=changes))
        self.session.add(Event(tenant_id=self.actor.tenant_id, campaign_id=asset.campaign_id, asset_id=asset.id,
                               kind="review.decision", from_status=old, to_status=asset.status,
                               actor=self.actor.email, reason=note.strip()[:2000],
                               data={"decision": decision, "revision": asset.revision, "role": self.actor.role,
                                     **changes}))
        self.session.flush()
        return asset

    def _redirect(self, asset: Asset, note: str, options: ChangeOptions) -> dict[str, Any]:
        wanted = interpret(note, options)
        current_copy, alternatives, current_layout = self._current_copy(asset)
        if wanted.layout and wanted.layout == (asset.direction or {}).get("layout", current_layout):
            raise InvalidRequestError(f"the asset already uses the {wanted.layout} layout")
        direction, said = apply(asset.direction or {}, wanted, note, current_copy, alternatives)
        asset.direction = direction
        return {"changes": said, "direction": direction}

    def _current_copy(self, asset: Asset) -> tuple[dict[str, str], dict[str, list[str]], str | None]:
        render = self.render(asset)
        if render is None:
            return {}, {}, None
        meta = render.meta or {}
        alternatives: dict[str, list[str]] = {}
        copy_key = ((meta.get("lineage") or {}).get("inputs") or {}).get("copy")
        if copy_key and self.blobs is not None:
            copy_art = self.repo.artifacts_by_keys([copy_key]).get(copy_key)
            if copy_art is not None and self.blobs.exists(copy_art.blob_sha):
                alternatives = json.loads(self.blobs.get(copy_art.blob_sha)).get("alternatives") or {}
        return dict(meta.get("copy") or {}), alternatives, meta.get("layout")

    def bulk_decide(self, asset_ids: Sequence[int], decision: str, note: str = "") -> BulkResult:
        require(self.actor, "bulk_decide")
        if decision == "request_changes":
            raise InvalidRequestError("changes are requested one asset at a time, with a note for each")
        if not asset_ids or len(asset_ids) > MAX_BULK:
            raise InvalidRequestError(f"choose between 1 and {MAX_BULK} assets")
        result = BulkResult()
        for asset_id in dict.fromkeys(asset_ids):
            try:
                with self.session.begin_nested():
                    self.decide(asset_id, decision, None, note)
                result.decided.append(asset_id)
            except (NotFoundError, InvalidRequestError, ConflictError) as exc:
                result.skipped.append({"id": asset_id, "reason": exc.message})
        return result

    def comment(self, asset_id: int, body: str) -> Comment:
        require(self.actor, "comment")
        body = body.strip()
        if not body or len(body) > 5000:
            raise InvalidRequestError("a comment needs 1 to 5,000 characters")
        asset = self.asset(asset_id)
        row = Comment(tenant_id=self.actor.tenant_id, asset_id=asset.id, revision=asset.revision,
                      user_id=self.actor.user_id, author=self.actor.email, body=body)
        self.session.add(row)
        self.session.add(Event(tenant_id=self.actor.tenant_id, campaign_id=asset.campaign_id, asset_id=asset.id,
                               kind="review.comment", actor=self.actor.email, reason=body[:2000],
                               data={"revision": asset.revision}))
        self.session.flush()
        return row
