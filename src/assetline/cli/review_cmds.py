"""`assetline serve` (web UI + API) and `assetline review …` (decide from the terminal, as a named user)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from assetline import api
from assetline.cli.errors import handle_errors
from assetline.cli.options import Json, Workspace, emit

console = Console(highlight=False)
review_app = typer.Typer(help="Review assets from the terminal (the web UI does the same: `assetline serve`).",
                         no_args_is_help=True)
AsUser = Annotated[str, typer.Option("--as", help="Your user e-mail (decisions are recorded under it).")]


@handle_errors
def serve(
    workspace: Workspace = None,
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
) -> None:
    """Serve the review web app and the API (/api/v1, OpenAPI at /api/v1/openapi.json)."""
    import uvicorn

    from assetline.web.app import create_app, prepare_to_serve

    settings, db = api.open_store(workspace, create=True)
    db.dispose()
    app = create_app(settings)
    prepare_to_serve()
    console.print(f"Assetline review: [bold]http://{host}:{port}/[/]  (API: http://{host}:{port}/api/v1/docs)")
    uvicorn.run(app, host=host, port=port, log_level="warning")


@review_app.command("list")
@handle_errors
def review_list(
    campaign: Annotated[str, typer.Argument(help="Campaign id.")],
    as_user: AsUser,
    status: Annotated[str | None, typer.Option(help="Only this status (e.g. in_review).")] = None,
    workspace: Workspace = None,
    as_json: Json = False,
) -> None:
    """List a campaign's assets as the given user sees them."""
    rows = api.review_assets(campaign, as_user, status=status, workspace=workspace)
    if as_json:
        emit(rows)
        return
    table = Table("id", "status", "concept", "segment", "format", "v", "rev", "QC flags")
    for r in rows:
        table.add_row(str(r["id"]), r["status"], r["concept"], r["segment"], r["format"], str(r["variant"]),
                      str(r["revision"]), r["qc_flags"])
    console.print(table)


def _decide(decision: str, asset_ids: list[int], as_user: str, note: str, workspace: object,
            as_json: bool) -> None:
    result = api.review_decide(asset_ids, decision, as_user, note=note, workspace=workspace)  # type: ignore[arg-type]
    if as_json:
        emit(result)
        return
    console.print(f"{decision}: {len(result['decided'])} decided")
    for s in result["skipped"]:
        console.print(f"  [yellow]skipped[/] {s['id']}: {escape(s['reason'])}")


@review_app.command("approve")
@handle_errors
def review_approve(asset_ids: Annotated[list[int], typer.Argument(help="Asset ids.")], as_user: AsUser,
                   note: str = "", workspace: Workspace = None, as_json: Json = False) -> None:
    """Approve assets."""
    _decide("approve", asset_ids, as_user, note, workspace, as_json)


@review_app.command("reject")
@handle_errors
def review_reject(asset_ids: Annotated[list[int], typer.Argument(help="Asset ids.")], as_user: AsUser,
                  note: str = "", workspace: Workspace = None, as_json: Json = False) -> None:
    """Reject assets."""
    _decide("reject", asset_ids, as_user, note, workspace, as_json)


@review_app.command("request-changes")
@handle_errors
def review_request_changes(
    asset_id: Annotated[int, typer.Argument(help="Asset id.")],
    as_user: AsUser,
    note: Annotated[str, typer.Option(help="What should change, e.g. 'warmer image' or 'layout: split'.")],
    workspace: Workspace = None,
    as_json: Json = False,
) -> None:
    """Ask for a new revision; `assetline run` then regenerates exactly the cells with requested changes."""
    _decide("request_changes", [asset_id], as_user, note, workspace, as_json)
