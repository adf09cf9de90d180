"""`assetline keys …`, `assetline lineage`, `assetline verify`, `assetline deliver`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape

from assetline import api
from assetline.cli.errors import handle_errors
from assetline.cli.options import Json, Tenant, Workspace, emit

console = Console(highlight=False)
keys_app = typer.Typer(help="Per-tenant C2PA signing keys.", no_args_is_help=True)


@keys_app.command("init")
@handle_errors
def keys_init(
    organisation: Annotated[str, typer.Option("--org", help="Organisation named in the certificate.")] = "",
    force: Annotated[bool, typer.Option(help="Replace existing keys (old ones are kept under retired/).")] = False,
    workspace: Workspace = None,
    tenant: Tenant = None,
    as_json: Json = False,
) -> None:
    """Create a local root CA and a signing certificate for the tenant."""
    info = api.init_signing_keys(organisation or (tenant or "Assetline studio"), force=force, workspace=workspace,
                                 tenant=tenant)
    if as_json:
        emit(info)
        return
    console.print(f"[green]signing keys ready[/] for tenant {info['tenant']}: {escape(info['subject'])}")
    console.print(f"  folder {info['directory']}  (valid until {info['not_after'][:10]})")


@keys_app.command("import")
@handle_errors
def keys_import(
    chain: Annotated[Path, typer.Argument(help="PEM certificate chain (signing certificate first).")],
    key: Annotated[Path, typer.Argument(help="PEM private key (EC P-256/P-384, unencrypted).")],
    anchors: Annotated[Path | None, typer.Option(help="PEM trust anchor(s) (your CA root).")] = None,
    force: Annotated[bool, typer.Option(help="Replace existing keys.")] = False,
    workspace: Workspace = None,
    tenant: Tenant = None,
    as_json: Json = False,
) -> None:
    """Install a real certificate and key for the tenant (checked with a trial signature first)."""
    info = api.import_signing_keys(chain, key, anchors, force=force, workspace=workspace, tenant=tenant)
    if as_json:
        emit(info)
        return
    console.print(f"[green]imported[/] {escape(info['subject'])} for tenant {info['tenant']}")


@handle_errors
def lineage(
    asset_id: Annotated[int, typer.Argument(help="Asset id (see `assetline review list`).")],
    revision: Annotated[int | None, typer.Option(help="Revision (default: current).")] = None,
    workspace: Workspace = None,
    tenant: Tenant = None,
    as_json: Json = False,
) -> None:
    """Where an asset revision came from: inputs and licences, engines, seeds, copy, QC, review."""
    data = api.lineage(asset_id, revision, workspace=workspace, tenant=tenant)
    if as_json:
        emit(data)
        return
    a = data["asset"]
    console.print(f"[bold]asset {a['id']}[/] {a['cell']} — revision {data['revision']} of {data['revisions']}, "
                  f"{a['status']}")
    for st in data["steps"]:
        console.print(f"  {st['step']:8} {st['engine']} v{st['engine_version']}  seed {st['seed']}  "
                      f"key {st['content_key'][:12]}…")
    for i in data["inputs"]:
        lic = i["licence"]
        console.print(f"  input {i['role']:6} {i['ref']}  sha256 {i['sha256'][:12]}…  "
                      f"{'licence ' + lic['name'] + ' (' + lic['owner'] + ')' if lic else '[red]no licence[/]'}")
    for k, v in data["copy"]["fields"].items():
        console.print(f"  copy {k}: {escape(str(v))}")
    bad = [r for r in data["qc"] if r["status"] != "pass"]
    console.print(f"  QC: {len(data['qc']) - len(bad)} passed" + "".join(
        f"; {r['check']} {r['status']}" for r in bad))
    for d in data["review"]["decisions"]:
        console.print(f"  review: {d['decision']} by {d['by']} ({d['role']}) {d['at'][:16]} {escape(d['note'])}")


@handle_errors
def verify(
    file: Annotated[Path, typer.Argument(help="A delivered file (or any PNG/JPEG).")],
    anchors: Annotated[Path | None, typer.Option(help="Extra PEM trust anchors.")] = None,
    workspace: Workspace = None,
    tenant: Tenant = None,
    as_json: Json = False,
) -> None:
    """Check a file's Content Credentials and watermark; exit 1 when the manifest is invalid (tampered)."""
    report = api.verify(file, workspace=workspace, anchors=anchors, tenant=tenant)
    if as_json:
        emit(report)
    else:
        _print_verify(report)
    if report.get("state") == "invalid":
        raise typer.Exit(1)


def _print_verify(r: dict[str, Any]) -> None:
    style = {"trusted": "green", "valid": "yellow", "invalid": "bold red", "none": "dim"}.get(r["state"], "")
    console.print(f"[{style}]{r['state'].upper()}[/] {escape(r['file'])}")
    for line in r.get("summary", []):
        console.print(f"  {escape(line)}")
    match = r.get("asset")
    if match:
        console.print(f"  asset {match['id']} in this workspace: {match['cell']} (revision {match['revision']}, "
                      f"{match['status']}); file {'matches' if r.get('delivered_file') else 'differs from'} "
                      "the delivered bytes")


@handle_errors
def deliver(
    campaign: Annotated[str, typer.Argument(help="Campaign id.")],
    channel: Annotated[str, typer.Option("--channel", help="meta, google, linkedin, x, tiktok, iab, …")],
    out: Annotated[Path, typer.Option("--out", help="Folder for the bundle (a <channel> folder is made in it).")],
    overwrite: Annotated[bool, typer.Option(help="Replace an earlier bundle for this channel.")] = False,
    workspace: Workspace = None,
    tenant: Tenant = None,
    as_json: Json = False,
) -> None:
    """Licence-gate, watermark, C2PA-sign and bundle the approved assets of one channel."""
    result = api.deliver(campaign, channel, out, overwrite=overwrite, workspace=workspace, tenant=tenant)
    if as_json:
        emit(result)
        return
    _print_delivery(result)


def _print_delivery(result: dict[str, Any]) -> None:
    console.print(f"[green]delivered[/] {len(result['delivered'])} signed file(s) for {result['channel']} → "
                  f"{result['root']}")
    for name in ("manifest", "csv", "contact_sheet", "disclosure_html"):
        console.print(f"  {name.replace('_', ' ')}: {result['files'][name]}")
    if result["withheld"]:
        console.print(f"[yellow]withheld by the licence gate: {len(result['withheld'])}[/]")
        for reason in sorted({r["message"] for w in result["withheld"] for r in w["reasons"]})[:10]:
            console.print(f"  {escape(reason)}")
