"""`assetline insights CAMPAIGN` and `assetline next-round CAMPAIGN --out brief.yaml`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich import box
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from assetline import api
from assetline.cli.errors import handle_errors
from assetline.cli.options import Json, Tenant, Workspace, emit

console = Console(highlight=False)
Metric = Annotated[str, typer.Option(help="ctr, conversion_rate or revenue_per_impression.")]


def _short(text: str, limit: int = 48) -> str:
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def _interval(metric: str, ci: list[float]) -> str:
    if metric == "revenue_per_impression":
        return f"{ci[0]:,.3g}–{ci[1]:,.3g}"
    return f"{ci[0] * 100:.2f}–{ci[1] * 100:.2f}"


def _print_insights(data: dict[str, Any]) -> None:
    from assetline.experiments.plots import format_probability, format_rate  # matplotlib: only when printing

    console.print(f"[bold]{escape(data['campaign_name'])}[/] ({data['campaign']}) — {data['metric_label']}, "
                  f"{data['assets_with_data']} assets with data")
    if data["explanation"]:
        console.print(f"[yellow]{escape(data['explanation'])}[/]")
    for seg in data["segments"]:
        console.print(f"\n[bold]{escape(seg['label'])}[/]: {seg['units']:,} impressions")
        if seg["constant"]:
            console.print("  [dim]same for every asset: " + ", ".join(
                f"{k} {escape(v)}" for k, v in seg["constant"].items()) + "[/]")
        for attr in seg["attributes"]:
            verdict = (f"[green]winner {escape(_short(attr['winner']))}[/]" if attr["winner"]
                       else f"[dim]no winner yet (leader {escape(_short(attr['leader']))})[/]")
            table = Table(title=f"{attr['label']}: {verdict}", title_justify="left", show_edge=False,
                          box=box.SIMPLE_HEAD)
            table.add_column("value", no_wrap=True, overflow="ellipsis", max_width=27)
            for column in ("impr.", "rate", "95 % CI", "P(best)", "lift"):
                table.add_column(column, justify="right", no_wrap=True)
            for v in attr["values"]:
                lift = "" if v["lift"] is None else f"{v['lift'] * 100:+.1f} %"
                style = "green" if v["value"] == attr["winner"] else ""
                table.add_row(escape(v["value"]), f"{v['units']:,}",
                              format_rate(data["metric"], v["rate"]),
                              _interval(data["metric"], v["ci"]),
                              format_probability(v["p_best"]), lift, style=style)
            console.print(table)


@handle_errors
def insights(
    campaign: Annotated[str, typer.Argument(help="Campaign id.")],
    metric: Metric = "ctr",
    segment: Annotated[str | None, typer.Option(help="Only this segment (default: all, then each).")] = None,
    workspace: Workspace = None,
    tenant: Tenant = None,
    as_json: Json = False,
) -> None:
    """Which creative attributes win (layout, headline, CTA, concept, style…), with credible intervals."""
    data = api.insights(campaign, metric, segment, workspace=workspace, tenant=tenant)
    if as_json:
        emit(data)
        return
    _print_insights(data)


@handle_errors
def next_round(
    campaign: Annotated[str, typer.Argument(help="Campaign id.")],
    out: Annotated[Path, typer.Option("--out", help="Where to write the next round's campaign YAML.")],
    metric: Metric = "ctr",
    force: Annotated[bool, typer.Option(help="Replace --out if it exists.")] = False,
    workspace: Workspace = None,
    tenant: Tenant = None,
    as_json: Json = False,
) -> None:
    """Write the next round's brief: keep the winners, drop clear losers, one more variant around the winners."""
    data = api.next_round(campaign, out, metric, force=force, workspace=workspace, tenant=tenant)
    if as_json:
        emit(data)
        return
    console.print(f"[green]wrote[/] {escape(data['out'])}: campaign [bold]{data['new_id']}[/] "
                  f"(round {data['round']} of {data['campaign']})")
    for c in data["changes"]:
        evidence = f"  [dim]{escape(c['evidence'])}[/]" if c["evidence"] else ""
        console.print(f"  {escape(c['detail'])}{evidence}")
    for w in data["warnings"]:
        console.print(f"  [yellow]{escape(w)}[/]")
    console.print(f"Next: edit it, then [bold]assetline run {escape(data['out'])}[/]")
