"""Attribute insights of a campaign: ``GET /campaigns/{slug}/insights?metric=ctr&segment=…`` (docs/insights.md).

Every role that may view the campaign may read them — producers, admins, reviewers and clients: insights only
aggregate the tenant's own assets. A client's insights count only the assets a client may see (those that
reached review), like everything else a client reads. The response models mirror ``Insights.to_dict()``.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from assetline.experiments.insights import Insights, campaign_insights
from assetline.review.lifecycle import CLIENT_VISIBLE
from assetline.review.service import ReviewService
from assetline.web.api.deps import ServiceDep, Slug
from assetline.web.api.schemas import ID_PATTERN, problems

router = APIRouter(tags=["insights"])
MetricName = Literal["ctr", "conversion_rate", "revenue_per_impression"]


def insights_for(service: ReviewService, slug: str, metric: str = "ctr", segment: str | None = None) -> Insights:
    """The insights ``service.actor`` may see (NotFoundError for a campaign of another tenant)."""
    campaign = service.campaign(slug)
    statuses = None if service.sees_all else CLIENT_VISIBLE
    return campaign_insights(service.session, service.actor.tenant_id, campaign.slug, metric, segment,
                             statuses=statuses)


class ValueOut(BaseModel):
    value: str
    assets: int
    units: int = Field(description="Impressions.")
    successes: int | None = Field(description="Clicks or conversions (proportion metrics); null for means.")
    total: float
    rate: float = Field(description="Observed rate (successes or value per impression).")
    ci: list[float] = Field(description="95 % credible interval: Beta(1+s, 1+n−s), or Normal for means.")
    p_best: float = Field(description="Probability of being the best value (seeded Monte Carlo, 10,000 draws).")
    enough_data: bool
    lift: float | None = Field(description="Relative lift over the other values pooled.")
    lift_ci: list[float] | None
    chance_to_beat_rest: float | None


class AttributeOut(BaseModel):
    attribute: str
    label: str
    segment: str | None
    metric: str
    leader: str
    p_best: float
    winner: str | None = Field(description="Set when P(best) ≥ 0.95 and the leader and runner-up have enough data.")
    reasons: list[str] = Field(description="Why there is no winner.")
    values: list[ValueOut]


class SegmentOut(BaseModel):
    segment: str | None = Field(description="null: all segments together.")
    label: str
    assets: int
    units: int
    total: float
    constant: dict[str, str] = Field(description="Attributes with a single value among the assets with data.")
    attributes: list[AttributeOut]


class WinnerOut(BaseModel):
    segment: str | None
    attribute: str
    value: str
    p_best: float


class InsightsOut(BaseModel):
    campaign: str
    campaign_name: str
    metric: str
    metric_label: str
    assets_with_data: int
    available_segments: list[str]
    explanation: str | None = Field(description="Why there is nothing to compare (no data yet, …).")
    winners: list[WinnerOut]
    segments: list[SegmentOut]


@router.get("/campaigns/{slug}/insights", response_model=InsightsOut, responses=problems(403, 404, 422),
            summary="Which creative attributes win")
def get_insights(slug: Slug, service: ServiceDep, metric: Annotated[MetricName, Query()] = "ctr",
                 segment: Annotated[str | None, Query(pattern=ID_PATTERN, max_length=64)] = None) -> InsightsOut:
    """Per segment and over all segments: each attribute's values (layout, headline, CTA, concept, visual style,
    palette colour, engine) with rate, 95 % credible interval, P(best) and lift; the winners."""
    return InsightsOut.model_validate(insights_for(service, slug, metric, segment).to_dict())
