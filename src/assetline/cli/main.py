"""`assetline` — the command line. Each command calls one function of assetline.api (or spec/store)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from assetline import api
from assetline.cli.access_cmds import audit, token_app, user_app
from assetline.cli.brand_cmds import brand_app
from assetline.cli.cost_cmds import cost
from assetline.cli.engines_cmds import engines_app
from assetline.cli.errors import handle_errors
from assetline.cli.events_cmds import events_app
from assetline.cli.experiments_cmds import experiments_app
from assetline.cli.insights_cmds import insights, next_round
from assetline.cli.options import Json, Workspace, emit
from assetline.cli.progress import run_progress
from assetline.cli.provenance_cmds import deliver, keys_app, lineage, verify
from assetline.cli.review_cmds import review_app, serve
from assetline.cli.storyboard import storyboard_app

app = typer.Typer(
    help="Assetline: brief → plan → generate → QC → review → provenance → delivery.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console(highlight=False)
app.add_typer(user_app, name="user")
app.add_typer(token_app, name="token")
app.command("audit")(audit)
app.add_typer(review_app, name="review")
app.command("serve")(serve)
app.add_typer(keys_app, name="keys")
app.command("lineage")(lineage)
app.command("verify")(verify)
app.command("deliver")(deliver)
app.add_typer(brand_app, name="brand")
app.add_typer(engines_app, name="engines")
app.add_typer(experiments_app, name="experiments")
app.add_typer(events_app, name="events")
app.command("cost")(cost)
app.command("insights")(insights)
app.command("next-round")(next_round)
app.add_typer(storyboard_app, name="storyboard")

_emit = emit


@app.command()
@handle_errors
def init(
    path: Annotated[Path, typer.Argument(help="Folder for the new workspace.")] = Path("."),
    force: Annotated[bool, typer.Option(help="Reset the example brief if the workspace exists.")] = False,
    as_json: Json = False,
) -> None:
    """Create a workspace with an example brand kit and campaign brief."""
    result = api.init_workspace(path, force=force)
    if as_json:
        _emit(result)
        return
    console.print(f"[green]Workspace ready:[/] {result['workspace']}")
    console.print(f"  brand kit: {result['brand']}\n  campaign:  {result['campaign']}")
    console.print(f"Next: [bold]assetline run {result['campaign']} -w {result['workspace']}[/]")


@app.command()
@handle_errors
def plan(
    campaign: Annotated[Path, typer.Argument(help="Campaign YAML.")],
    workspace: Workspace = None,
    max_cells: Annotated[int | None, typer.Option(help="Refuse matrices above this many cells.")] = None,
    sample: Annotated[int, typer.Option(help="How many cells to show.")] = 5,
    as_json: Json = False,
) -> None:
    """Dry run: count cells and steps, show a sample, say what would render. Writes nothing."""
    result = api.plan_campaign(campaign, workspace, sample=sample, max_cells=max_cells)
    if as_json:
        _emit(result)
        return
    m = result["matrix"]
    console.print(
        f"[bold]{result['campaign']}[/]: {m['concepts']} concepts × {m['segments']} segments × "
        f"{m['formats']} formats × {m['variants']} variants = [bold]{result['cells']}[/] cells"
    )
    console.print(f"steps: {result['steps']}  (limit {result['limit']:,} cells)")
    console.print(f"would render: [bold]{result['would_render']}[/]")
    for s in result["sample"]:
        console.print(f"  {s['cell']}  layout={s['layout']}  key={s['compose_key'][:12]}…")


def _print_summary(summary: Any) -> None:
    d = summary.to_dict()
    colour = "green" if d["status"] == "finished" else "red"
    console.print(
        f"[{colour}]{d['status']}[/] {d['campaign']} (run {d['run_id']}): {d['cells']} cells, "
        f"[bold]{d['rendered']} rendered[/], {d['reused']} unchanged, {d['failed']} failed "
        f"in {d['wall_seconds']:.1f}s ({d['assets_per_second']} assets/s, {d['workers']} workers)"
    )
    qc = d.get("qc") or {}
    if qc:
        console.print(f"QC gates: {qc.get('passed', 0)} passed, {qc.get('flagged', 0)} flagged for review, "
                      f"{qc.get('failed', 0)} failed ({qc.get('regenerations', 0)} regenerations)")
    review = d.get("review") or {}
    if review:
        console.print(f"Review:   {review.get('to_review', 0)} to review ({review.get('sampled', 0)} sampled), "
                      f"{review.get('auto_approved', 0)} approved by the review policy")
    for f in d.get("qc_failures", [])[:10]:
        console.print(f"  [red]QC failed[/] {f['cell']}: {'; '.join(f['reasons'])[:300]}")
    for f in d["failures"][:10]:
        console.print(f"  [red]failed[/] {f['cell']}: {f['error']}")
    console.print(f"assets:        {d['output_dir']}")
    console.print(f"contact sheet: {d['contact_sheet']}")


@app.command()
@handle_errors
def run(
    campaign: Annotated[Path, typer.Argument(help="Campaign YAML.")],
    workspace: Workspace = None,
    workers: Annotated[int | None, typer.Option(help="Worker processes (default: one per core).")] = None,
    executor: Annotated[str | None, typer.Option(
        help="'local' (process pool), 'inline' or 'ray' (Ray actors; see docs/configuration.md).")] = None,
    max_cells: Annotated[int | None, typer.Option(help="Refuse matrices above this many cells.")] = None,
    as_json: Json = False,
) -> None:
    """Render a campaign. Unchanged cells are skipped; a crashed run resumes where it stopped."""
    with run_progress(not as_json) as progress:
        summary = api.run_campaign(
            campaign, workspace, progress, workers=workers, executor=executor, max_cells=max_cells
        )
    if as_json:
        _emit(summary.to_dict())
    else:
        _print_summary(summary)
    if summary.failed:
        raise typer.Exit(1)


@app.command()
@handle_errors
def status(
    campaign: Annotated[str | None, typer.Argument(help="Campaign id (default: all).")] = None,
    workspace: Workspace = None,
    as_json: Json = False,
) -> None:
    """Asset counts by status and the last run, per campaign."""
    result = api.campaign_status(workspace, campaign)
    if as_json:
        _emit(result)
        return
    table = Table("campaign", "assets", "by status", "last run")
    for c in result["campaigns"]:
        last = c["last_run"]
        table.add_row(
            c["campaign"],
            str(c["assets"]),
            ", ".join(f"{k} {v}" for k, v in sorted(c["by_status"].items())),
            "-" if not last else f"#{last['id']} {last['status']}, {last['rendered']} rendered",
        )
    console.print(table)


@app.command()
@handle_errors
def doctor(
    workspace: Workspace = None,
    fast: Annotated[bool, typer.Option(help="Skip re-hashing blobs.")] = False,
    as_json: Json = False,
) -> None:
    """Check that every row names a blob that exists and is intact."""
    report = api.doctor(workspace, verify_hashes=not fast)
    if as_json:
        _emit(report.to_dict())
    else:
        mark = "[green]ok[/]" if report.ok else "[red]PROBLEMS[/]"
        console.print(
            f"store {mark}: {report.artifacts} artifacts, {report.assets} assets, {report.blobs} blobs "
            f"({report.orphan_blobs} unreferenced, {report.temp_files} temp files), database {report.database}"
        )
        for label, items in (
            ("missing", report.missing_blobs),
            ("corrupt", report.corrupt_blobs),
            ("dangling", report.dangling_assets),
        ):
            for item in items[:20]:
                console.print(f"  [red]{label}[/] {item}")
    if not report.ok:
        raise typer.Exit(1)


@app.command()
@handle_errors
def demo(workspace: Workspace = Path("demo-workspace"), as_json: Json = False) -> None:
    """Run the example campaign (what `make demo` calls) and print where the results are."""
    ws = workspace or Path("demo-workspace")
    with run_progress(not as_json) as progress:
        summary = api.run_demo(ws, progress)
    if as_json:
        _emit(summary.to_dict())
    else:
        _print_summary(summary)
        _print_demo(summary.demo, ws)
        console.print(f"\nOpen the contact sheet in a browser: [bold]file://{Path(summary.contact_sheet).resolve()}[/]")
    if summary.failed:
        raise typer.Exit(1)


def _invoked_as() -> str:
    """How to call assetline again from here: `.venv/bin/assetline` after `make demo`, else `assetline`."""
    import shutil
    import sys

    argv0 = Path(sys.argv[0])
    if argv0.name == "assetline" and "/" in sys.argv[0] and not shutil.which("assetline"):
        return sys.argv[0]
    return "assetline"


def _print_demo(demo: dict[str, Any], ws: Path) -> None:
    if not demo:
        return
    console.print(f"\nDemo review: {demo['approved']} assets approved by the scripted reviewer")
    for d in demo["deliveries"]:
        console.print(f"Delivered [bold]{d['channel']}[/]: {d['delivered']} signed files → {d['root']}"
                      + (f"  [yellow]({d['withheld']} withheld by the licence gate)[/]" if d["withheld"] else ""))
    reasons = sorted({r for d in demo["deliveries"] for r in d["reasons"]})
    for reason in reasons[:5]:
        console.print(f"  [yellow]licence gate:[/] {escape(reason)}")
    exe = _invoked_as()
    if demo["sample_file"]:
        console.print(f"Check a delivered file:  [bold]{exe} verify {demo['sample_file']} -w {ws}[/]")
    if demo.get("sample_video"):
        console.print(f"A delivered video:       {demo['sample_video']}  (poster, .srt and .vtt beside it)")
    for board in demo.get("storyboards", []):
        console.print(f"Storyboard {board['concept']}: {board['frames']} frames → {board['pdf']}")
    console.print(f"Review in the browser:  [bold]{exe} serve -w {ws}[/]  then log in as "
                  f"{', '.join(demo['users'])} — password {demo['password']}")


STATUS_STYLE = {"pass": "green", "warn": "yellow", "fail": "bold red", "na": "dim"}


@app.command()
@handle_errors
def check(
    file: Annotated[Path, typer.Argument(help="Image to check (JPEG, PNG or GIF, e.g. a vendor's).")],
    brand: Annotated[Path, typer.Option("--brand", help="Brand kit YAML to check against.")],
    format_id: Annotated[
        str | None, typer.Option("--format", help="Channel format id (see `assetline formats`).")
    ] = None,
    copy: Annotated[
        Path | None,
        typer.Option("--copy", help='Copy shown on the image, as JSON: {"headline": …, "body": …, "cta": …}.'),
    ] = None,
    as_json: Json = False,
) -> None:
    """Run the QC gates on any image; exit 0 when it passes (or only warns), 1 when a check fails."""
    from assetline.qc.standalone import check_file

    verdict = check_file(file, brand, format_id, copy)
    if as_json:
        _emit(verdict.to_dict())
    else:
        w, h = verdict.size
        colour = STATUS_STYLE.get(verdict.status, "")
        console.print(
            f"[{colour}]{verdict.status.upper()}[/] {verdict.path} ({verdict.file_type or '?'}, "
            f"{w}×{h}{', ' + verdict.format_id if verdict.format_id else ''})"
        )
        table = Table("check", "status", "score", "message")
        for r in verdict.results:
            score = "" if r.score is None else f"{r.score:.3g}"
            table.add_row(r.check_id, f"[{STATUS_STYLE.get(r.status, '')}]{r.status}[/]", score, escape(r.message))
        console.print(table)
    if verdict.failed:
        raise typer.Exit(1)


@app.command()
@handle_errors
def formats(as_json: Json = False) -> None:
    """List the channel formats Assetline knows."""
    from assetline.spec.formats import catalogue

    cat = catalogue()
    if as_json:
        _emit([f.model_dump(mode="json") for f in cat.values()])
        return
    table = Table("id", "name", "size", "max KB", "types", "safe zone t/b/l/r", "video")
    for f in cat.values():
        sz = f.safe_zone
        video = (f"{f.video.duration:g} s ({f.video.min_duration:g}–{f.video.max_duration:g}) · {f.video.fps} fps"
                 if f.video else "")
        table.add_row(
            f.id,
            f.name,
            f"{f.width}×{f.height}",
            str(f.max_file_kb),
            ",".join(f.file_types),
            f"{sz.top}/{sz.bottom}/{sz.left}/{sz.right}",
            video,
        )
    console.print(table)


@app.command()
@handle_errors
def schema(
    out: Annotated[Path | None, typer.Option(help="Write <name>.schema.json files into this folder.")] = None,
    name: Annotated[str | None, typer.Argument(help="brand, campaign or formats (default: all).")] = None,
) -> None:
    """Export JSON Schema for brand kits and campaigns (editor autocompletion)."""
    from assetline.errors import AssetlineError
    from assetline.spec.schema import json_schemas, write_schemas

    if out is not None:
        for path in write_schemas(out):
            console.print(f"wrote {path}")
        return
    schemas = json_schemas()
    if name is not None and name not in schemas:
        raise AssetlineError(f"unknown schema '{name}'", hint=f"choose one of: {', '.join(schemas)}")
    _emit(schemas[name] if name else schemas)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
