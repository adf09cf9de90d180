"""Cost and yield of a campaign: GET /campaigns/{slug}/cost (producers and admins; docs/cost.md).

The rates are the workspace's ``[cost]`` section of assetline.toml, read on every request (a changed file
needs no restart). The response models live here: they mirror ``experiments.cost.CostReport.to_dict()``.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from assetline.access.roles import Actor, Permission, allowed
from assetline.errors import PermissionDeniedError
from assetline.experiments.cost import cost_report
from assetline.experiments.cost_rates import CostRates, load_workspace_rates
from assetline.web.api.deps import ServiceDep, Slug
from assetline.web.api.schemas import Timestamp, problems
from assetline.web.context import state

router = APIRouter(tags=["cost"])

COST_PERMISSION: Permission = "start_run"
"""Who may see cost: the roles that may start runs (producer, admin). A stand-in until the role matrix has a
permission of its own for cost."""


def require_cost_access(actor: Actor) -> None:
    if not allowed(actor.role, COST_PERMISSION):
        raise PermissionDeniedError(f"role '{actor.role}' may not view cost and yield",
                                    hint="cost is shown to producers and admins")


class DistributionOut(BaseModel):
    mean: float | None
    p50: float | None
    p90: float | None


class PerAssetOut(BaseModel):
    total_cost: DistributionOut
    compute_seconds: DistributionOut
    review_minutes: DistributionOut
    turnaround_seconds: DistributionOut = Field(description="Over delivered assets only.")


class CostTotalsOut(BaseModel):
    assets: int
    steps: int = Field(description="Artifacts (engine calls) the campaign's renders were made from.")
    untimed_steps: int = Field(description="Steps whose artifact records no time (counted as 0 s).")
    compute_seconds: float
    compute_cost: float
    engine_cost: float
    review_minutes: float
    review_cost: float
    total_cost: float
    cost_per_asset: float | None
    decisions: int
    timed_decisions: int = Field(description="Decisions answering an in_review entry (the others count 0 min).")
    capped_decisions: int = Field(description="Decisions whose review time was capped at max_review_minutes.")
    change_requests: int
    regenerations: int = Field(description="Renders made after a blocking QC failure.")
    regenerated_assets: int
    judged_assets: int = Field(description="Assets with a QC verdict: the first-pass yield's denominator.")
    first_pass_assets: int
    first_pass_yield: float | None = Field(description="first_pass_assets / judged_assets, 0..1.")
    campaign_created_at: Timestamp
    first_delivery_at: Timestamp | None
    turnaround_seconds: float | None = Field(description="Campaign first seen → first delivery.")
    per_asset: PerAssetOut


class EngineCostOut(BaseModel):
    engine_id: str
    steps: list[str]
    calls: int
    seconds: float
    engine_cost: float
    compute_cost: float
    total_cost: float


class AssetCostOut(BaseModel):
    asset_id: int
    cell_key: str
    concept: str
    segment: str
    format: str
    variant: int
    status: str
    revisions: int
    regenerations: int
    change_requests: int
    decisions: int
    steps: float = Field(description="Steps counted for this asset; a shared step counts as a fraction.")
    compute_seconds: float
    compute_cost: float
    engine_cost: float
    review_minutes: float
    review_cost: float
    total_cost: float
    first_qc: str | None
    first_pass: bool | None
    delivered_at: Timestamp | None
    turnaround_seconds: float | None


class CostReportOut(BaseModel):
    campaign: str
    name: str
    currency: str
    rates: CostRates
    totals: CostTotalsOut
    engines: list[EngineCostOut] = Field(description="Most expensive first.")
    assets: list[AssetCostOut]


@router.get("/campaigns/{slug}/cost", response_model=CostReportOut, responses=problems(403, 404, 422),
            summary="Cost and yield")
def campaign_cost(slug: Slug, request: Request, service: ServiceDep) -> CostReportOut:
    """Compute seconds, engine and review cost, first-pass QC yield, regenerations and turnaround, per engine and
    per asset, priced with the workspace's ``[cost]`` rates. Producers and admins only (others: 403)."""
    require_cost_access(service.actor)
    campaign = service.campaign(slug)
    rates = load_workspace_rates(state(request).settings.workspace)
    report = cost_report(service.session, service.actor.tenant_id, campaign.slug, rates)
    return CostReportOut.model_validate(report.to_dict())
