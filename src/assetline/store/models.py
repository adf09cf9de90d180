"""SQLAlchemy 2 models. Every row carries ``tenant_id``; repositories always filter on it.

Tables: tenants, campaigns, runs, artifacts (one per content key), assets (one per cell), asset_revisions
(every artifact an asset has pointed at), events (append-only log of state changes and logins), users,
api_tokens (stored hashed), decisions (review decisions, one row each), comments, deliveries; for the learning
loop: experiments, experiment_arms, performance_events (raw, idempotent by event id), performance_counts (running
totals per asset, so reads never scan raw events) and dco_decisions (every served decision with its propensity).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSON}


class Tenant(Base):
    __tablename__ = "tenants"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Campaign(Base):
    __tablename__ = "campaigns"
    __table_args__ = (UniqueConstraint("tenant_id", "slug"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"), index=True)
    slug: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    spec_path: Mapped[str] = mapped_column(Text)
    spec_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Run(Base):
    __tablename__ = "runs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"), index=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="running")
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    summary: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class Artifact(Base):
    """A blob one step produced, named by the step's content key."""

    __tablename__ = "artifacts"
    __table_args__ = (UniqueConstraint("tenant_id", "content_key"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"), index=True)
    content_key: Mapped[str] = mapped_column(String(64))
    step: Mapped[str] = mapped_column(String(32))
    engine_id: Mapped[str] = mapped_column(String(100))
    engine_version: Mapped[str] = mapped_column(String(32))
    blob_sha: Mapped[str] = mapped_column(String(64), index=True)
    media_type: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    meta: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    """Lineage: parameters, input keys and hashes, engine output metadata, timings."""
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Asset(Base):
    """The deliverable of one cell (concept × segment × format × variant)."""

    __tablename__ = "assets"
    __table_args__ = (
        UniqueConstraint("tenant_id", "campaign_id", "cell_key"),
        Index("ix_assets_board", "tenant_id", "campaign_id", "status"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"), index=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"))
    cell_key: Mapped[str] = mapped_column(String(300))
    concept: Mapped[str] = mapped_column(String(64))
    segment: Mapped[str] = mapped_column(String(64))
    format: Mapped[str] = mapped_column(String(64))
    variant: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(24), default="planned")
    revision: Mapped[int] = mapped_column(Integer, default=0)
    artifact_id: Mapped[int | None] = mapped_column(ForeignKey("artifacts.id"), nullable=True)
    content_key: Mapped[str | None] = mapped_column(String(64), nullable=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    """Optimistic-concurrency counter: every update checks and bumps it."""
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    direction: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    """Reviewers' accumulated change requests for this cell (excluded copy, seed salt, layout, notes): the
    planner applies them on every later run, so a revision is never undone by the next run."""
    qc_status: Mapped[str | None] = mapped_column(String(24), nullable=True)
    """The gate's verdict for the current revision (passed, flagged, failed); kept when review moves on."""
    qc_flags: Mapped[str] = mapped_column(String(500), default="")
    """Space-separated ids of the checks that warned or failed on the current revision (board filter)."""
    sampled: Mapped[bool] = mapped_column(Boolean, default=False)
    """Chosen for review by the random sample of a flagged_and_sample review policy."""

    __mapper_args__ = {"version_id_col": version}


class AssetRevision(Base):
    __tablename__ = "asset_revisions"
    __table_args__ = (UniqueConstraint("asset_id", "revision"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"), index=True)
    asset_id: Mapped[int] = mapped_column(ForeignKey("assets.id"), index=True)
    revision: Mapped[int] = mapped_column(Integer)
    artifact_id: Mapped[int] = mapped_column(ForeignKey("artifacts.id"))
    content_key: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Event(Base):
    """Append-only log of state changes (who, when, why). Never updated or deleted."""

    __tablename__ = "events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"), index=True)
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaigns.id"), nullable=True, index=True)
    asset_id: Mapped[int | None] = mapped_column(ForeignKey("assets.id"), nullable=True, index=True)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("runs.id"), nullable=True)
    kind: Mapped[str] = mapped_column(String(40))
    from_status: Mapped[str | None] = mapped_column(String(24), nullable=True)
    to_status: Mapped[str | None] = mapped_column(String(24), nullable=True)
    actor: Mapped[str] = mapped_column(String(100), default="system")
    reason: Mapped[str] = mapped_column(Text, default="")
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class User(Base):
    """A person (or service account) of one tenant. Roles: admin, producer, reviewer, client."""

    __tablename__ = "users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"), index=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    role: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str | None] = mapped_column(String(300), nullable=True)
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ApiToken(Base):
    """A bearer token. Only its SHA-256 is stored; the prefix identifies it in listings."""

    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(100), default="")
    prefix: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class Decision(Base):
    """One review decision on one revision of an asset."""

    __tablename__ = "decisions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"), index=True)
    asset_id: Mapped[int] = mapped_column(ForeignKey("assets.id"), index=True)
    revision: Mapped[int] = mapped_column(Integer)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    actor: Mapped[str] = mapped_column(String(254))
    role: Mapped[str] = mapped_column(String(16))
    decision: Mapped[str] = mapped_column(String(24))
    note: Mapped[str] = mapped_column(Text, default="")
    changes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Comment(Base):
    __tablename__ = "comments"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"), index=True)
    asset_id: Mapped[int] = mapped_column(ForeignKey("assets.id"), index=True)
    revision: Mapped[int] = mapped_column(Integer)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    author: Mapped[str] = mapped_column(String(254))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Delivery(Base):
    """A bundle written by `assetline deliver`: where, for which channel, what went in and what was held back."""

    __tablename__ = "deliveries"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"), index=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), index=True)
    channel: Mapped[str] = mapped_column(String(32))
    out_dir: Mapped[str] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(254), default="system")
    summary: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Experiment(Base):
    """A DCO / A-B experiment: delivered assets of one campaign (its arms) competing on one channel and metric."""

    __tablename__ = "experiments"
    __table_args__ = (UniqueConstraint("tenant_id", "campaign_id", "slug"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"), index=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), index=True)
    slug: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200), default="")
    channel: Mapped[str] = mapped_column(String(32))
    segment: Mapped[str | None] = mapped_column(String(64), nullable=True)
    """The campaign segment this experiment is for (None: every segment of the arms)."""
    metric: Mapped[str] = mapped_column(String(32))
    """ctr | conversion_rate | revenue_per_impression."""
    control_asset_id: Mapped[int] = mapped_column(ForeignKey("assets.id"))
    fallback_asset_id: Mapped[int | None] = mapped_column(ForeignKey("assets.id"), nullable=True)
    burn_in_units: Mapped[int] = mapped_column(Integer, default=100)
    explore: Mapped[float] = mapped_column(Float, default=0.0)
    flight_start: Mapped[date | None] = mapped_column(Date, nullable=True)
    flight_end: Mapped[date | None] = mapped_column(Date, nullable=True)
    cap_impressions: Mapped[int | None] = mapped_column(Integer, nullable=True)
    cap_seconds: Mapped[int | None] = mapped_column(Integer, nullable=True)
    status: Mapped[str] = mapped_column(String(16), default="running")
    """running | stopped (a stopped experiment always serves its fallback)."""
    created_by: Mapped[str] = mapped_column(String(254), default="system")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ExperimentArm(Base):
    __tablename__ = "experiment_arms"
    __table_args__ = (UniqueConstraint("experiment_id", "asset_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"), index=True)
    experiment_id: Mapped[int] = mapped_column(ForeignKey("experiments.id"), index=True)
    asset_id: Mapped[int] = mapped_column(ForeignKey("assets.id"), index=True)


class PerformanceEvent(Base):
    """One ingested performance event (or an aggregated row of a platform export: ``count`` > 1).

    Never updated. ``event_id`` is the sender's id: a second event with the same id is a duplicate (ignored when
    its payload is the same, refused when it differs); ``payload_hash`` tells which.
    """

    __tablename__ = "performance_events"
    __table_args__ = (UniqueConstraint("tenant_id", "event_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"), index=True)
    event_id: Mapped[str] = mapped_column(String(128))
    asset_id: Mapped[int] = mapped_column(ForeignKey("assets.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    """impression | click | conversion | value."""
    count: Mapped[int] = mapped_column(BigInteger, default=1)
    value: Mapped[float] = mapped_column(Float, default=0.0)
    user_key: Mapped[str] = mapped_column(String(200), default="")
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    source: Mapped[str] = mapped_column(String(32), default="api")
    payload_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class PerformanceCounts(Base):
    """Running totals per asset, updated in the same transaction as the events that change them."""

    __tablename__ = "performance_counts"
    __table_args__ = (UniqueConstraint("tenant_id", "asset_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"), index=True)
    asset_id: Mapped[int] = mapped_column(ForeignKey("assets.id"))
    impressions: Mapped[int] = mapped_column(BigInteger, default=0)
    clicks: Mapped[int] = mapped_column(BigInteger, default=0)
    conversions: Mapped[int] = mapped_column(BigInteger, default=0)
    value_sum: Mapped[float] = mapped_column(Float, default=0.0)
    value_sum_squares: Mapped[float] = mapped_column(Float, default=0.0)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class DcoDecision(Base):
    """One decision served by ``POST /api/v1/decide``, with the propensity of the choice (off-policy evaluation)."""

    __tablename__ = "dco_decisions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"), index=True)
    experiment_id: Mapped[int] = mapped_column(ForeignKey("experiments.id"), index=True)
    request_id: Mapped[str] = mapped_column(String(128))
    asset_id: Mapped[int | None] = mapped_column(ForeignKey("assets.id"), nullable=True)
    propensity: Mapped[float] = mapped_column(Float)
    phase: Mapped[str] = mapped_column(String(16))
    fallback: Mapped[bool] = mapped_column(Boolean, default=False)
    user_key_hash: Mapped[str] = mapped_column(String(64))
    weights: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Storyboard(Base):
    """A concept's storyboard: the shots of its first motion asset as frames, approved or sent back one by one.

    ``content_key`` names what the frames were made from (storyboard engine version, video blob, shots, cues):
    refreshing from an unchanged video changes nothing. ``status`` is the roll-up of the frames, written in the
    same transaction as every frame decision: approved when every frame is, changes_requested when any is,
    else in_review.
    """

    __tablename__ = "storyboards"
    __table_args__ = (UniqueConstraint("tenant_id", "campaign_id", "concept"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"), index=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), index=True)
    concept: Mapped[str] = mapped_column(String(64))
    asset_id: Mapped[int] = mapped_column(ForeignKey("assets.id"), index=True)
    """The motion asset (video cell) the frames were taken from."""
    asset_revision: Mapped[int] = mapped_column(Integer)
    format: Mapped[str] = mapped_column(String(64))
    video_sha: Mapped[str] = mapped_column(String(64))
    content_key: Mapped[str] = mapped_column(String(64))
    engine_version: Mapped[str] = mapped_column(String(32))
    duration: Mapped[float] = mapped_column(Float)
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    language: Mapped[str] = mapped_column(String(16), default="en")
    status: Mapped[str] = mapped_column(String(24), default="in_review")
    built_by: Mapped[str] = mapped_column(String(254), default="system")
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    __mapper_args__ = {"version_id_col": version}


class StoryboardFrame(Base):
    """One shot of a storyboard: its still (a blob), timing, caption and camera note, and its latest decision.

    Every decision is also an append-only ``storyboard.decision`` event; this row keeps only the latest.
    """

    __tablename__ = "storyboard_frames"
    __table_args__ = (UniqueConstraint("storyboard_id", "number"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"), index=True)
    storyboard_id: Mapped[int] = mapped_column(ForeignKey("storyboards.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    """Shot number, 1-based, in time order."""
    start_s: Mapped[float] = mapped_column(Float)
    end_s: Mapped[float] = mapped_column(Float)
    at_s: Mapped[float] = mapped_column(Float)
    """When in the video the still was taken (the middle of the shot)."""
    caption: Mapped[str] = mapped_column(Text, default="")
    note: Mapped[str] = mapped_column(Text, default="")
    """The camera note of the shot (from the motion timeline)."""
    image_sha: Mapped[str] = mapped_column(String(64))
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(24), default="pending")
    """pending | approved | changes_requested."""
    decision_note: Mapped[str] = mapped_column(Text, default="")
    decided_by: Mapped[str | None] = mapped_column(String(254), nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}
