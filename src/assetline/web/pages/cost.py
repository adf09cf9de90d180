"""/campaigns/{slug}/cost: the campaign's cost and yield (headline figures, engines, assets); see docs/cost.md.

Producers and admins only (others get the 403 page), with the workspace's ``[cost]`` rates, as the JSON API
(GET /api/v1/campaigns/{slug}/cost) and ``assetline cost`` compute them. The asset table lists at most
MAX_ASSET_ROWS assets, the most expensive first, and says so when it leaves some out.

Amounts read as people write them: two decimals from 1 up (184.06), up to four below it so a per-call rate is
not shown as 0 (0.0032, 0.43); the JSON API and ``--json`` carry the exact values.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request, Response

from assetline.experiments.cost import AssetCost, CostReport, cost_report
from assetline.experiments.cost_format import duration, minutes, percent, seconds
from assetline.experiments.cost_rates import load_workspace_rates
from assetline.web.api.cost import require_cost_access
from assetline.web.context import state
from assetline.web.pages.deps import ServiceDep, Slug
from assetline.web.pages.errors import PageRoute
from assetline.web.pages.templating import render

router = APIRouter(route_class=PageRoute)
MAX_ASSET_ROWS = 200


@dataclass(frozen=True)
class Figure:
    """One headline figure: what it is, its value and a line of detail."""

    key: str
    label: str
    value: str
    detail: str


def amount(value: float | None, currency: str = "") -> str:
    """'184.06', '0.43', '0.0032', '0.00' (with the currency code when given); '—' for no value."""
    if value is None:
        return "—"
    if abs(value) >= 1 or value == 0:
        text = f"{value:,.2f}"
    else:
        text = f"{value:.4f}".rstrip("0")
        if text.endswith("."):  # below 0.0001: not shown as a cost of nothing
            return f"< 0.0001 {currency}".rstrip()
        text += "0" * max(0, 2 - len(text.split(".")[1]))
    return f"{text} {currency}" if currency else text


def rate(value: float) -> str:
    """A rate from the workspace's [cost] section without trailing zeros: '0.01', '60', '0.25'."""
    return f"{value:,.4f}".rstrip("0").rstrip(".")


def plural(count: int, word: str, many: str | None = None) -> str:
    """'1 asset', '3 assets' (``many`` for irregular plurals)."""
    return f"{count:,} {word if count == 1 else many or word + 's'}"


def _spread(low: str, high: str) -> str:
    return f"p50 {low} · p90 {high}"


def headline(report: CostReport) -> list[Figure]:
    t, cur = report.totals, report.currency
    dist = t.distributions
    cost_d, secs_d, review_d, turn_d = (dist["total_cost"], dist["compute_seconds"], dist["review_minutes"],
                                        dist["turnaround_seconds"])
    return [
        Figure("total_cost", "Total cost", amount(t.total_cost, cur),
               f"engines {amount(t.engine_cost)} · compute {amount(t.compute_cost)} · review {amount(t.review_cost)}"),
        Figure("cost_per_asset", "Cost per asset", amount(t.cost_per_asset, cur),
               _spread(amount(cost_d.p50), amount(cost_d.p90)) + f" · {plural(t.assets, 'asset')}"),
        Figure("compute_seconds", "Compute seconds", seconds(t.compute_seconds),
               f"{plural(t.steps, 'step')} · " + _spread(seconds(secs_d.p50), seconds(secs_d.p90)) + " per asset"),
        Figure("review_minutes", "Review minutes", minutes(t.review_minutes),
               f"{t.timed_decisions:,} of {plural(t.decisions, 'decision')} timed · "
               + _spread(minutes(review_d.p50), minutes(review_d.p90))),
        Figure("first_pass_yield", "First-pass QC yield", percent(t.first_pass_yield),
               f"{t.first_pass_assets:,} of {plural(t.judged_assets, 'asset')} without rework"),
        Figure("regenerations", "Regenerations", f"{t.regenerations:,}",
               f"{plural(t.regenerated_assets, 'asset')} regenerated · {plural(t.change_requests, 'change request')}"),
        Figure("turnaround", "Turnaround", duration(t.turnaround_seconds),
               "brief → first delivery" if turn_d.p50 is None
               else "brief → first delivery · per asset " + _spread(duration(turn_d.p50), duration(turn_d.p90))),
    ]


def asset_rows(report: CostReport) -> list[AssetCost]:
    """The most expensive assets first (then the slowest, then by id), at most MAX_ASSET_ROWS."""
    ranked = sorted(report.assets, key=lambda a: (-a.total_cost, -a.compute_seconds, a.asset_id))
    return ranked[:MAX_ASSET_ROWS]


def priced(report: CostReport) -> bool:
    """Whether any rate is set (else every cost is 0 and the page says how to set them)."""
    rates = report.rates
    return bool(rates.compute_per_second or rates.reviewer_per_hour
                or any(e.per_call or e.per_second for e in rates.engines.values()))


@router.get("/campaigns/{slug}/cost")
def cost_page(request: Request, svc: ServiceDep, slug: Slug) -> Response:
    require_cost_access(svc.actor)
    campaign = svc.campaign(slug)
    report = cost_report(svc.session, svc.actor.tenant_id, campaign.slug,
                         load_workspace_rates(state(request).settings.workspace))
    rows = asset_rows(report)
    ctx: dict[str, Any] = {"campaign": campaign, "report": report, "figures": headline(report), "rows": rows,
                           "hidden_rows": len(report.assets) - len(rows), "priced": priced(report),
                           "amount": amount, "rate": rate, "duration": duration}
    return render(request, "cost.html", ctx)
