"""`assetline events …`: import ad-platform exports as performance events, and read the running counts."""

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
from assetline.experiments.import_formats import FORMATS

events_app = typer.Typer(help="Performance events: import platform exports, read the running counts.",
                         no_args_is_help=True)


def _console() -> Console:
    """Made per command, so the terminal width (COLUMNS) is read when the command runs."""
    return Console(highlight=False)


@events_app.command("import")
@handle_errors
def import_file(
    file: Annotated[Path, typer.Argument(help="The CSV export (Meta Ads Manager, Google Ads, or generic).")],
    campaign: Annotated[str, typer.Option("--campaign", "-c", help="The campaign whose delivered ads it reports.")],
    fmt: Annotated[str, typer.Option("--format", "-f", help=f"auto, {', '.join(FORMATS)}.")] = "auto",
    skip_unknown: Annotated[bool, typer.Option(
        "--skip-unknown", help="Import the rows of known ads and count the others, instead of refusing the file.")
    ] = False,
    workspace: Workspace = None,
    tenant: Tenant = None,
    as_json: Json = False,
) -> None:
    """Import a CSV export as impression, click, conversion and value events: the whole file or nothing.

    Importing the same file again stores nothing; a corrected export of days already imported is refused."""
    result = api.import_events(file, campaign, fmt=fmt, skip_unknown=skip_unknown, workspace=workspace,
                               tenant=tenant)
    if as_json:
        emit(result)
        return
    console = _console()
    console.print(f"[green]imported[/] {escape(result['file'])} ({result['format']}) into {result['campaign']}: "
                  f"{result['rows']} rows → {result['events']} events, {result['accepted']} new, "
                  f"{result['duplicates']} already stored")
    if result["summary_rows"]:
        console.print(f"  skipped {result['summary_rows']} total row(s)")
    if result["skipped"]:
        names = ", ".join(result["unknown"][:5]) + (" …" if len(result["unknown"]) > 5 else "")
        console.print(f"  [yellow]skipped {result['skipped']} row(s) of {len(result['unknown'])} unknown ad(s):[/] "
                      f"{escape(names)}")
    if result["assets"]:
        table = Table("asset", "ad name", "impressions", "clicks", "conversions", "value")
        for a in result["assets"]:
            table.add_row(str(a["asset_id"]), escape(a["ad_name"]), f"{a['impressions']:,}", f"{a['clicks']:,}",
                          f"{a['conversions']:,}", f"{a['value']:,.2f}")
        console.print(table)


def _rate(value: Any) -> str:
    return "—" if value is None else f"{value:.2%}"


@events_app.command("counts")
@handle_errors
def counts(
    campaign: Annotated[str, typer.Argument(help="Campaign id (slug).")],
    workspace: Workspace = None,
    tenant: Tenant = None,
    as_json: Json = False,
) -> None:
    """Running counts per asset (kept incrementally: no raw events are read)."""
    rows = api.event_counts(campaign, workspace=workspace, tenant=tenant)
    if as_json:
        emit(rows)
        return
    console = _console()
    if not rows:
        console.print(f"no performance events for {escape(campaign)} yet: "
                      "import an export with `assetline events import FILE --campaign …`")
        return
    table = Table("asset", "concept", "segment", "format", "variant", "impressions", "clicks", "CTR", "conversions",
                  "value")
    for r in rows:
        table.add_row(str(r["asset_id"]), escape(r["concept"]), escape(r["segment"]), escape(r["format"]),
                      f"v{r['variant']}", f"{r['impressions']:,}", f"{r['clicks']:,}", _rate(r["ctr"]),
                      f"{r['conversions']:,}", f"{r['value']:,.2f}")
    console.print(table)
