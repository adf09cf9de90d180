"""`assetline cost CAMPAIGN`: the campaign's cost and yield report (docs/cost.md), as tables or --json."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from assetline import api
from assetline.cli.errors import handle_errors
from assetline.cli.options import Json, Tenant, Workspace, emit
from assetline.experiments.cost_format import duration, money, percent

console = Console(highlight=False)
MAX_ASSET_ROWS = 50
"""The text view lists the most expensive assets; --json has all of them."""

Rates = Annotated[Path | None, typer.Option("--rates", help="TOML file with a [cost] table (default: the "
                                            "workspace's assetline.toml [cost]).")]


def _headline(report: dict[str, Any]) -> Table:
    t, cur = report["totals"], report["currency"]
    dist = t["per_asset"]
    table = Table("figure", "value", "per asset (p50 / p90)", title=f"{escape(report['name'])} "
                  f"({report['campaign']}): cost and yield", title_justify="left")
    table.add_row("total cost", money(t["total_cost"], cur),
                  f"{money(dist['total_cost']['p50'], cur)} / {money(dist['total_cost']['p90'], cur)}")
    table.add_row("  engines / compute / review", f"{money(t['engine_cost'], cur)} / {money(t['compute_cost'], cur)}"
                  f" / {money(t['review_cost'], cur)}", "")
    table.add_row("cost per asset", money(t["cost_per_asset"], cur), f"{t['assets']:,} assets")
    table.add_row("compute seconds", f"{t['compute_seconds']:,.2f} s",
                  f"{dist['compute_seconds']['p50'] or 0:.3f} s / {dist['compute_seconds']['p90'] or 0:.3f} s")
    table.add_row("review minutes", f"{t['review_minutes']:,.1f} min",
                  f"{t['timed_decisions']} of {t['decisions']} decisions timed, {t['capped_decisions']} capped")
    table.add_row("first-pass QC yield", percent(t["first_pass_yield"]),
                  f"{t['first_pass_assets']} of {t['judged_assets']} judged assets")
    table.add_row("regenerations", f"{t['regenerations']:,}", f"{t['regenerated_assets']} assets regenerated")
    table.add_row("change requests", f"{t['change_requests']:,}", "")
    turnaround = dist["turnaround_seconds"]
    table.add_row("turnaround brief → delivery", duration(t["turnaround_seconds"]),
                  f"{duration(turnaround['p50'])} / {duration(turnaround['p90'])}"
                  if turnaround["p50"] is not None else "not delivered yet")
    return table


def _engines(report: dict[str, Any]) -> Table:
    cur = report["currency"]
    table = Table(title=f"Engines (costs in {cur})", title_justify="left")
    table.add_column("engine", overflow="fold", min_width=15)
    table.add_column("steps", overflow="fold")
    for name in ("calls", "seconds", "engine", "compute", "total"):
        table.add_column(name, justify="right", no_wrap=True)
    for e in report["engines"]:
        table.add_row(e["engine_id"], ", ".join(e["steps"]), f"{e['calls']:,}", f"{e['seconds']:,.3f}",
                      money(e["engine_cost"]), money(e["compute_cost"]), money(e["total_cost"]))
    return table


def _assets(report: dict[str, Any]) -> Table:
    rows = sorted(report["assets"], key=lambda a: (-a["total_cost"], a["asset_id"]))
    shown = rows[:MAX_ASSET_ROWS]
    title = "Assets" if len(rows) <= MAX_ASSET_ROWS else f"Assets: the {MAX_ASSET_ROWS} most expensive of " \
                                                         f"{len(rows):,} (--json lists all)"
    caption = ("rev: revisions · regen: regenerations after QC · chg: change requests · sec: compute seconds · "
               "min: review minutes · 1st: first-pass QC")
    table = Table(title=title, title_justify="left", caption=caption, caption_justify="left")
    table.add_column("id", justify="right", no_wrap=True)
    table.add_column("cell", overflow="fold", min_width=16)
    for name in ("rev", "regen", "chg", "sec", "min", report["currency"], "1st"):
        table.add_column(name, justify="right", no_wrap=True)
    for a in shown:
        first = {True: "yes", False: "no", None: "—"}[a["first_pass"]]
        table.add_row(str(a["asset_id"]), escape(a["cell_key"]), str(a["revisions"]),
                      str(a["regenerations"]), str(a["change_requests"]), f"{a['compute_seconds']:.3f}",
                      f"{a['review_minutes']:.2f}", money(a["total_cost"]), first)
    return table


@handle_errors
def cost(
    campaign: Annotated[str, typer.Argument(help="Campaign id.")],
    rates: Rates = None,
    workspace: Workspace = None,
    tenant: Tenant = None,
    as_json: Json = False,
) -> None:
    """Cost and yield of a campaign: compute seconds, engine and review cost, first-pass QC yield, regenerations,
    turnaround; per engine and per asset."""
    report = api.cost_report(campaign, workspace, tenant=tenant, rates_file=rates)
    if as_json:
        emit(report)
        return
    console.print(_headline(report))
    console.print(_engines(report))
    console.print(_assets(report))
