"""`assetline experiments`: create, list, show results of, stop and restart the experiments of a campaign."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from assetline import api
from assetline.cli.errors import handle_errors
from assetline.cli.options import Json, Tenant, Workspace, emit

console = Console(highlight=False)
experiments_app = typer.Typer(help="A/B and DCO experiments over a campaign's delivered assets.",
                              no_args_is_help=True)
Campaign = Annotated[str, typer.Argument(help="Campaign id (its slug).")]
Slug = Annotated[str, typer.Argument(help="Experiment slug.")]


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.2%}"


@experiments_app.command("create")
@handle_errors
def create(
    campaign: Campaign,
    slug: Slug,
    channel: Annotated[str, typer.Option(help="Channel the arms are served on (meta, google, iab, …).")],
    metric: Annotated[str, typer.Option(help="ctr | conversion_rate | revenue_per_impression.")] = "ctr",
    arms: Annotated[str | None, typer.Option(help="Asset ids, comma-separated (default: every approved or "
                                                  "delivered asset of the campaign for the channel).")] = None,
    control: Annotated[int | None, typer.Option(help="Control asset id (default: the lowest arm id).")] = None,
    fallback: Annotated[int | None, typer.Option(help="Asset shown when nothing is eligible (default: control).")]
    = None,
    segment: Annotated[str | None, typer.Option(help="Only this campaign segment's assets.")] = None,
    burn_in: Annotated[int, typer.Option(help="Impressions every arm gets before sampling starts.")] = 100,
    explore: Annotated[float, typer.Option(help="Uniform share mixed into the weights (0-0.5).")] = 0.0,
    start: Annotated[str | None, typer.Option(help="Flight start date (YYYY-MM-DD).")] = None,
    end: Annotated[str | None, typer.Option(help="Flight end date (YYYY-MM-DD).")] = None,
    cap: Annotated[str | None, typer.Option(help="Frequency cap per user key: IMPRESSIONS/SECONDS, e.g. 3/86400.")]
    = None,
    name: Annotated[str, typer.Option(help="A readable name.")] = "",
    workspace: Workspace = None,
    tenant: Tenant = None,
    as_json: Json = False,
) -> None:
    """Create an experiment: its arms compete for the metric, served by POST /api/v1/decide."""
    from assetline.experiments.commands import parse_arms, parse_cap

    values: dict[str, Any] = {"slug": slug, "name": name, "channel": channel, "metric": metric,
                              "arms": parse_arms(arms), "control": control, "fallback": fallback,
                              "segment": segment, "burn_in_units": burn_in, "explore": explore,
                              "flight_start": start, "flight_end": end, "cap": parse_cap(cap)}
    out = api.experiment_create(campaign, values, workspace=workspace, tenant=tenant)
    if as_json:
        emit(out)
        return
    console.print(f"[green]Experiment {escape(out['slug'])}[/] on {escape(out['channel'])}: "
                  f"{len(out['arms'])} arms, control {out['control']}, metric {out['metric']}")


@experiments_app.command("list")
@handle_errors
def list_cmd(campaign: Campaign, workspace: Workspace = None, tenant: Tenant = None, as_json: Json = False) -> None:
    """The campaign's experiments."""
    rows = api.experiment_list(campaign, workspace=workspace, tenant=tenant)
    if as_json:
        emit(rows)
        return
    if not rows:
        console.print(f"no experiments in {escape(campaign)}; create one with `assetline experiments create`")
        return
    table = Table("slug", "channel", "segment", "metric", "arms", "control", "status")
    for r in rows:
        table.add_row(r["slug"], r["channel"], r["segment"] or "all", r["metric"], str(len(r["arms"])),
                      str(r["control"]), r["status"])
    console.print(table)


@experiments_app.command("results")
@handle_errors
def results(campaign: Campaign, slug: Slug, workspace: Workspace = None, tenant: Tenant = None,
            as_json: Json = False) -> None:
    """Each arm against the control: chance to beat it, lift with a 95 % interval, risk; and the SRM check."""
    report = api.experiment_results(campaign, slug, workspace=workspace, tenant=tenant)
    if as_json:
        emit(report)
        return
    table = Table("asset", "cell", "impressions", report["metric"], "P(beats control)", "lift (95 % CI)",
                  "risk", "verdict", title=f"{slug}: {report['metric_label']}")
    for arm in report["arms"]:
        r = arm["result"]
        cell = f"{arm['concept']} · {arm['segment']} · v{(arm['variant'] or 0) + 1}"
        rate = (f"{arm['rate']:.4g}" if report["metric"] == "revenue_per_impression" and arm["rate"] is not None
                else _pct(arm["rate"]))
        if r is None:
            table.add_row(str(arm["asset_id"]), cell, f"{arm['impressions']:,}", rate, "control", "", "", "")
            continue
        verdict = "ready" if r["verdict_ready"] else (r["error_detail"] or "not enough data")
        table.add_row(str(arm["asset_id"]), cell, f"{arm['impressions']:,}", rate,
                      _pct(r["chance_to_beat_control"]),
                      f"{r['expected_lift']:+.1%} ({r['ci'][0]:+.1%} … {r['ci'][1]:+.1%})",
                      f"{r['risk_variant']:.2%}", verdict)
    console.print(table)
    srm = report["srm"]
    line = f"SRM p = {srm['p_value']:.4f} against {srm['expected']}"
    console.print(f"[red]{line}: sample ratio mismatch[/]" if srm["mismatch"] else line)


def _status(campaign: str, slug: str, status: str, workspace: Any, tenant: Any, as_json: bool) -> None:
    out = api.experiment_status(campaign, slug, status, workspace=workspace, tenant=tenant)
    if as_json:
        emit(out)
    else:
        console.print(f"{escape(slug)}: {out['status']}")


@experiments_app.command("stop")
@handle_errors
def stop(campaign: Campaign, slug: Slug, workspace: Workspace = None, tenant: Tenant = None,
         as_json: Json = False) -> None:
    """Stop an experiment: /decide serves its fallback from then on."""
    _status(campaign, slug, "stopped", workspace, tenant, as_json)


@experiments_app.command("start")
@handle_errors
def start_cmd(campaign: Campaign, slug: Slug, workspace: Workspace = None, tenant: Tenant = None,
              as_json: Json = False) -> None:
    """Restart a stopped experiment."""
    _status(campaign, slug, "running", workspace, tenant, as_json)


