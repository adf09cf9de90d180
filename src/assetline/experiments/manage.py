"""Create, list, read and stop experiments. An experiment is a set of delivered assets of one campaign (its arms)
competing on one channel (and optionally one segment) for one primary metric.

    spec = ExperimentSpec(slug="feed-test", channel="meta", metric="ctr", control=17, arms=[17, 18, 19])
    experiment = create_experiment(session, tenant_id, "spring-launch", spec, actor="ana@studio.example")

Rules checked before anything is written:
- the campaign exists in the tenant, the slug is free in it (else ConflictError);
- every arm is an asset of that campaign (a missing asset and another tenant's look alike: NotFoundError), made
  for a format of the experiment's channel and, when ``segment`` is set, for that segment;
- at least 2 arms, no duplicates; the control is one of them; the fallback (default: the control) is an asset of
  the campaign made for the channel;
- ``arms`` left out means every approved or delivered asset of the campaign for the channel (and segment).
Arms need not be delivered yet: /decide only serves delivered ones (see eligibility).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlalchemy import select
from sqlalchemy.orm import Session

from assetline.errors import ConflictError, InvalidRequestError, NotFoundError
from assetline.spec.formats import catalogue
from assetline.store.models import Asset, Campaign, Experiment, utcnow
from assetline.store.performance import PerformanceRepository
from assetline.store.repositories import Repository

Metric = Literal["ctr", "conversion_rate", "revenue_per_impression"]
METRICS: tuple[str, ...] = ("ctr", "conversion_rate", "revenue_per_impression")
SLUG_PATTERN = r"^[a-z0-9][a-z0-9._-]{0,63}$"
MAX_ARMS = 200


class FrequencyCapSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    max_impressions: int = Field(ge=1, le=1000)
    per_seconds: int = Field(ge=1, le=366 * 86_400)


class ExperimentSpec(BaseModel):
    """What a producer asks for. Asset ids are Assetline ids."""

    model_config = ConfigDict(extra="forbid")
    slug: Annotated[str, Field(pattern=SLUG_PATTERN, max_length=64)]
    name: Annotated[str, Field(max_length=200)] = ""
    channel: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,31}$")]
    segment: Annotated[str | None, Field(pattern=SLUG_PATTERN, max_length=64)] = None
    metric: Metric = "ctr"
    control: Annotated[int, Field(ge=1, le=2**31 - 1)] | None = None
    """Default: the lowest asset id among the arms."""
    arms: Annotated[list[Annotated[int, Field(ge=1, le=2**31 - 1)]], Field(max_length=MAX_ARMS)] | None = None
    fallback: Annotated[int, Field(ge=1, le=2**31 - 1)] | None = None
    burn_in_units: Annotated[int, Field(ge=0, le=1_000_000)] = 100
    explore: Annotated[float, Field(ge=0.0, le=0.5)] = 0.0
    flight_start: date | None = None
    flight_end: date | None = None
    cap: FrequencyCapSpec | None = None

    @model_validator(mode="after")
    def _consistent(self) -> ExperimentSpec:
        if self.flight_start and self.flight_end and self.flight_end < self.flight_start:
            raise ValueError("flight_end is before flight_start")
        if self.arms is not None and len(set(self.arms)) != len(self.arms):
            raise ValueError("an asset is listed twice in arms")
        return self


def channel_formats(channel: str) -> set[str]:
    return {fid for fid, fmt in catalogue().items() if fmt.channel == channel}


def _campaign(session: Session, tenant_id: str, slug: str) -> Campaign:
    return Repository(session, tenant_id).get_campaign(slug)


def create_experiment(session: Session, tenant_id: str, campaign_slug: str, spec: ExperimentSpec,
                      actor: str = "system") -> Experiment:
    campaign = _campaign(session, tenant_id, campaign_slug)
    perf = PerformanceRepository(session, tenant_id)
    if perf.find_experiment(campaign.id, spec.slug) is not None:
        raise ConflictError(f"campaign '{campaign_slug}' already has an experiment '{spec.slug}'",
                            hint="choose another slug, or stop the existing experiment")
    formats = channel_formats(spec.channel)
    if not formats:
        known = sorted({f.channel for f in catalogue().values()})
        raise InvalidRequestError(f"no format of the catalogue is for channel '{spec.channel}'",
                                  hint=f"channels: {', '.join(known)}")
    campaign_assets = {a.id: a for a in session.scalars(select(Asset).where(
        Asset.tenant_id == tenant_id, Asset.campaign_id == campaign.id))}
    if spec.arms is None:
        arm_ids = sorted(a.id for a in campaign_assets.values() if a.format in formats
                         and (spec.segment is None or a.segment == spec.segment)
                         and a.status in ("approved", "delivered"))
    else:
        arm_ids = list(spec.arms)
    named = [*arm_ids, *(i for i in (spec.control, spec.fallback) if i is not None)]
    missing = sorted({i for i in named if i not in campaign_assets})
    if missing:
        raise NotFoundError(f"no asset {', '.join(map(str, missing))} in campaign '{campaign_slug}'",
                            hint="list assets with GET /api/v1/campaigns/{slug}/assets")
    wrong = [i for i in [*arm_ids, *([spec.fallback] if spec.fallback else [])]
             if campaign_assets[i].format not in formats]
    if wrong:
        raise InvalidRequestError(f"asset {', '.join(map(str, wrong))} is not made for a {spec.channel} format",
                                  hint=f"{spec.channel} formats: {', '.join(sorted(formats))}")
    if spec.segment is not None:
        off = [i for i in arm_ids if campaign_assets[i].segment != spec.segment]
        if off:
            raise InvalidRequestError(f"asset {', '.join(map(str, off))} is not for segment '{spec.segment}'",
                                      hint="leave segment out to compare assets across segments")
    if len(arm_ids) < 2:
        raise InvalidRequestError(f"an experiment needs at least 2 arms; {len(arm_ids)} found",
                                  hint="list the asset ids in arms, or approve more assets for the channel")
    control = spec.control if spec.control is not None else min(arm_ids)
    if control not in arm_ids:
        raise InvalidRequestError(f"the control (asset {control}) is not one of the arms",
                                  hint="add it to arms or choose another control")
    experiment = Experiment(
        tenant_id=tenant_id, campaign_id=campaign.id, slug=spec.slug, name=spec.name or spec.slug,
        channel=spec.channel, segment=spec.segment, metric=spec.metric, control_asset_id=control,
        fallback_asset_id=spec.fallback if spec.fallback is not None else control,
        burn_in_units=spec.burn_in_units, explore=spec.explore, flight_start=spec.flight_start,
        flight_end=spec.flight_end, cap_impressions=spec.cap.max_impressions if spec.cap else None,
        cap_seconds=spec.cap.per_seconds if spec.cap else None, status="running", created_by=actor)
    return perf.add_experiment(experiment, arm_ids)


def get_experiment(session: Session, tenant_id: str, campaign_slug: str, slug: str) -> Experiment:
    campaign = _campaign(session, tenant_id, campaign_slug)
    experiment = PerformanceRepository(session, tenant_id).find_experiment(campaign.id, slug)
    if experiment is None:
        raise NotFoundError(f"no experiment '{slug}' in campaign '{campaign_slug}'",
                            hint="list them with `assetline experiments list CAMPAIGN`")
    return experiment


def list_experiments(session: Session, tenant_id: str, campaign_slug: str) -> list[Experiment]:
    campaign = _campaign(session, tenant_id, campaign_slug)
    return list(PerformanceRepository(session, tenant_id).experiments(campaign.id))


def set_status(session: Session, tenant_id: str, campaign_slug: str, slug: str, status: str) -> Experiment:
    if status not in ("running", "stopped"):
        raise InvalidRequestError(f"status must be running or stopped, not {status!r}")
    experiment = get_experiment(session, tenant_id, campaign_slug, slug)
    experiment.status = status
    experiment.updated_at = utcnow()
    session.flush()
    return experiment


def experiment_dict(session: Session, experiment: Experiment, campaign_slug: str) -> dict[str, object]:
    arms = PerformanceRepository(session, experiment.tenant_id).arm_asset_ids(experiment.id)
    cap = ({"max_impressions": experiment.cap_impressions, "per_seconds": experiment.cap_seconds}
           if experiment.cap_impressions else None)
    return {"slug": experiment.slug, "name": experiment.name, "campaign": campaign_slug,
            "channel": experiment.channel, "segment": experiment.segment, "metric": experiment.metric,
            "control": experiment.control_asset_id, "fallback": experiment.fallback_asset_id, "arms": arms,
            "burn_in_units": experiment.burn_in_units, "explore": experiment.explore,
            "flight_start": experiment.flight_start.isoformat() if experiment.flight_start else None,
            "flight_end": experiment.flight_end.isoformat() if experiment.flight_end else None,
            "cap": cap, "status": experiment.status, "created_by": experiment.created_by,
            "created_at": experiment.created_at.isoformat()}
