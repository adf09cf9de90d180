"""The analytics page of a campaign: which creative attributes win, as forest plots and tables, and its experiments.

    /campaigns/{slug}/analytics?metric=ctr&segment=S                 the page (metric and segment selectors)
    /campaigns/{slug}/analytics/plots/{attribute}.png?metric&segment&v   one attribute's forest plot (PNG)

The plots are drawn on the server (experiments/plots.py), without the title block of a plot shown on its own:
the page says the attribute, its verdict and the legend in HTML. Their URLs carry ``v``, a hash of the numbers they
show: a URL with the current hash never changes, so browsers keep it a year; a stale or missing one is answered
fresh and uncached (``private, no-cache``). Every answer is scoped to the signed-in user's tenant and role (the
session middleware adds ``Vary: Cookie``), and ETags spare a redraw: ``If-None-Match`` with the current one is a
304.

Who sees what: every role that may view the campaign (clients count only assets that reached review, as on the
board); the experiments section, whose arms name assets of any status, is for the roles that see unreviewed work.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response

from assetline.access.roles import allowed
from assetline.errors import InvalidRequestError, NotFoundError
from assetline.experiments.attributes import ATTRIBUTES, LABELS
from assetline.experiments.insights import METRICS, AttributeInsight
from assetline.experiments.plots import PLOT_VERSION, forest_png, format_probability, format_rate, plot_size
from assetline.web.api.insights import insights_for
from assetline.web.pages.deps import ServiceDep, Slug
from assetline.web.pages.errors import PageRoute
from assetline.web.pages.templating import query, render

router = APIRouter(route_class=PageRoute)
IMMUTABLE = "private, max-age=31536000, immutable"
FRESH = "private, no-cache"
MetricParam = Annotated[str, Query(max_length=40)]
SegmentParam = Annotated[str | None, Query(max_length=64)]


def _metric(metric: str) -> str:
    if metric not in METRICS:
        raise InvalidRequestError(f"unknown metric '{metric}'", hint=f"choose one of: {', '.join(METRICS)}")
    return metric


def format_total(metric: str, value: float) -> str:
    """A value's total for people: a count of clicks or conversions, or a sum of revenue (2 decimals)."""
    return f"{value:,.0f}" if METRICS[metric].kind == "proportion" else f"{value:,.2f}"


def format_lift(value: float) -> str:
    """A relative lift as a signed percentage, with a real minus sign: '+4.8 %', '−55.3 %'."""
    return f"{value * 100:+.1f} %".replace("-", "\u2212")


def format_chance(p: float) -> str:
    """A Monte Carlo chance as a percentage, never a certain 0 % or 100 %: '84.7 %', '> 99.9 %'."""
    if p > 0.999:
        return "> 99.9 %"
    if p < 0.001:
        return "< 0.1 %"
    return f"{p * 100:.1f} %"


def plot_url(slug: str, insight: AttributeInsight, metric: str, segment: str | None) -> str:
    return (f"/campaigns/{slug}/analytics/plots/{insight.attribute}.png"
            + query({"metric": metric, "segment": segment or "", "v": insight.digest() + PLOT_VERSION}))


def _reports(svc: Any, campaign_id: int) -> list[dict[str, Any]] | None:
    """The campaign's experiment results, for roles that see unreviewed assets (None: not shown)."""
    if not allowed(svc.actor.role, "view_unreviewed"):
        return None
    from assetline.experiments.results import campaign_reports

    return campaign_reports(svc.session, svc.actor.tenant_id, campaign_id)


@router.get("/campaigns/{slug}/analytics")
def analytics_page(request: Request, svc: ServiceDep, slug: Slug, metric: MetricParam = "ctr",
                   segment: SegmentParam = None) -> Response:
    campaign = svc.campaign(slug)
    chosen = _metric(metric)
    segment = segment or None
    insights = insights_for(svc, slug, chosen, segment)
    shown = insights.for_segment(segment)
    attributes = [] if shown is None else list(shown.attributes)
    ctx = {"campaign": campaign, "insights": insights, "shown": shown, "attributes": attributes,
           "metric": chosen, "segment": segment or "", "metrics": METRICS,
           "successes": METRICS[chosen].successes or "value",
           "plots": {a.attribute: plot_url(campaign.slug, a, chosen, segment) for a in attributes},
           "sizes": {a.attribute: plot_size(len(a.values), titled=False) for a in attributes},
           "winners": [w for w in insights.winners() if w.segment == segment],
           "reports": _reports(svc, campaign.id), "rate": lambda v: format_rate(chosen, v),
           "total": lambda v: format_total(chosen, v), "lift": format_lift, "chance": format_chance,
           "metric_rate": format_rate,
           "probability": format_probability, "labels": LABELS}
    return render(request, "analytics.html", ctx)


@router.get("/campaigns/{slug}/analytics/plots/{attribute}.png")
def analytics_plot(request: Request, svc: ServiceDep, slug: Slug, attribute: str, metric: MetricParam = "ctr",
                   segment: SegmentParam = None, v: Annotated[str, Query(max_length=40)] = "") -> Response:
    if attribute not in ATTRIBUTES:
        raise NotFoundError(f"no attribute '{attribute[:40]}'", hint=f"attributes: {', '.join(ATTRIBUTES)}")
    chosen = _metric(metric)
    segment = segment or None
    insight = insights_for(svc, slug, chosen, segment).attribute(attribute, segment)
    if insight is None:
        raise NotFoundError(f"nothing to plot for {attribute}: fewer than two of its values have data")
    version = insight.digest() + PLOT_VERSION
    headers = {"Cache-Control": IMMUTABLE if v == version else FRESH, "ETag": f'"{version}"'}
    if request.headers.get("if-none-match") == f'"{version}"':
        return Response(status_code=304, headers=headers)
    return Response(forest_png(insight, titled=False), media_type="image/png", headers=headers)
