"""Experiments: create/list/read/stop experiments of a campaign, and their results (``POST /decide`` is in
decide.py). See docs/experiments.md."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, status
from pydantic import BaseModel, Field

from assetline.access.roles import require
from assetline.experiments import manage
from assetline.experiments.manage import SLUG_PATTERN, ExperimentSpec
from assetline.experiments.results import experiment_report
from assetline.web.api.deps import ActorDep, Slug
from assetline.web.api.schemas import _In, problems
from assetline.web.context import SessionDep

router = APIRouter(tags=["experiments"])
ExperimentSlug = Annotated[str, Path(pattern=SLUG_PATTERN, max_length=64, description="An experiment's slug.")]


class CapOut(BaseModel):
    max_impressions: int
    per_seconds: int


class ExperimentOut(BaseModel):
    slug: str
    name: str
    campaign: str
    channel: str
    segment: str | None
    metric: str
    control: int
    fallback: int | None
    arms: list[int]
    burn_in_units: int
    explore: float
    flight_start: date | None
    flight_end: date | None
    cap: CapOut | None
    status: str
    created_by: str
    created_at: str


class StatusIn(_In):
    status: Literal["running", "stopped"]


class ResultOut(BaseModel):
    chance_to_beat_control: float
    expected_lift: float
    ci: list[float]
    risk_control: float
    risk_variant: float
    verdict_ready: bool
    error: str | None
    error_detail: str | None
    enough_data: bool
    data_reasons: list[str]


class ArmOut(BaseModel):
    asset_id: int
    control: bool
    concept: str | None
    segment: str | None
    format: str | None
    variant: int | None
    status: str | None
    impressions: int
    clicks: int
    conversions: int
    value: float
    rate: float | None
    decisions_served: int
    counts_inconsistent: bool
    result: ResultOut | None = Field(description="Against the control (None for the control itself).")


class SrmOut(BaseModel):
    p_value: float
    chi_square: float
    mismatch: bool
    expected: str = Field(description="What the split is compared with: 'served decisions' or 'equal split'.")
    expected_units: list[float]


class ResultsOut(BaseModel):
    experiment: str
    metric: str
    metric_label: str
    status: str
    control: int
    arms: list[ArmOut]
    srm: SrmOut


def _out(session: Any, experiment: Any, slug: str) -> ExperimentOut:
    return ExperimentOut.model_validate(manage.experiment_dict(session, experiment, slug))


@router.post("/campaigns/{slug}/experiments", response_model=ExperimentOut, status_code=status.HTTP_201_CREATED,
             responses=problems(400, 403, 404, 409, 422), summary="Create an experiment")
def create(slug: Slug, body: ExperimentSpec, session: SessionDep, actor: ActorDep) -> ExperimentOut:
    """Arms are asset ids of the campaign made for the channel (default: every approved or delivered one);
    the control defaults to the lowest id, the fallback to the control."""
    require(actor, "manage_experiments")
    experiment = manage.create_experiment(session, actor.tenant_id, slug, body, actor=actor.label)
    return _out(session, experiment, slug)


@router.get("/campaigns/{slug}/experiments", response_model=list[ExperimentOut], responses=problems(404, 422),
            summary="Experiments of a campaign")
def list_all(slug: Slug, session: SessionDep, actor: ActorDep) -> list[ExperimentOut]:
    require(actor, "view")
    return [_out(session, e, slug) for e in manage.list_experiments(session, actor.tenant_id, slug)]


@router.get("/campaigns/{slug}/experiments/{experiment}", response_model=ExperimentOut,
            responses=problems(404, 422), summary="An experiment")
def get_one(slug: Slug, experiment: ExperimentSlug, session: SessionDep, actor: ActorDep) -> ExperimentOut:
    require(actor, "view")
    return _out(session, manage.get_experiment(session, actor.tenant_id, slug, experiment), slug)


@router.patch("/campaigns/{slug}/experiments/{experiment}", response_model=ExperimentOut,
              responses=problems(400, 403, 404, 422), summary="Stop or restart an experiment")
def patch(slug: Slug, experiment: ExperimentSlug, body: StatusIn, session: SessionDep,
          actor: ActorDep) -> ExperimentOut:
    """A stopped experiment serves its fallback to every request (within a second on each server)."""
    require(actor, "manage_experiments")
    return _out(session, manage.set_status(session, actor.tenant_id, slug, experiment, body.status), slug)


@router.get("/campaigns/{slug}/experiments/{experiment}/results", response_model=ResultsOut,
            responses=problems(404, 422), summary="Results of an experiment")
def results(slug: Slug, experiment: ExperimentSlug, session: SessionDep, actor: ActorDep) -> ResultsOut:
    """Each arm against the control: chance to beat it, expected lift with a 95 % credible interval, risk
    (GrowthBook's Bayesian engine), and a sample-ratio-mismatch check."""
    require(actor, "view")
    found = manage.get_experiment(session, actor.tenant_id, slug, experiment)
    return ResultsOut.model_validate(experiment_report(session, actor.tenant_id, found))
