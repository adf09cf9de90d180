"""`assetline storyboard …`: build a concept's storyboard from its video, list and show boards, export the PDF and
contact sheet, and decide frames as a named user (the web UI does the same at /campaigns/{slug}/storyboards).

Reading and building act for the workspace (like `assetline status`); decisions need `--as EMAIL`, and are
recorded under that user with their role's permissions.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from assetline import api
from assetline.access.roles import Actor
from assetline.access.users import actor_of, find_user
from assetline.cli.errors import handle_errors
from assetline.cli.options import Json, Tenant, Workspace, emit
from assetline.errors import InvalidRequestError
from assetline.review.storyboard import BoardView, StoryboardService
from assetline.store.blobs import BlobStore

console = Console(highlight=False)
storyboard_app = typer.Typer(help="Storyboards of motion concepts: frames from the video, decided one by one.",
                             no_args_is_help=True)
CampaignSlug = Annotated[str, typer.Argument(help="Campaign id.")]
ConceptId = Annotated[str, typer.Argument(help="Concept id.")]
FrameNumber = Annotated[int, typer.Argument(help="Frame (shot) number, from 1.")]
AsUser = Annotated[str, typer.Option("--as", help="Your user e-mail (the decision is recorded under it).")]
STYLE = {"approved": "green", "changes_requested": "yellow", "pending": "dim", "in_review": "blue"}
T = TypeVar("T")


@contextmanager
def _service(workspace: Path | None, tenant: str | None = None, as_user: str | None = None,
             ) -> Iterator[StoryboardService]:
    """One transaction on the workspace's store, as the workspace (role admin) or as ``as_user``."""
    settings, db = api.open_store(workspace, tenant=tenant)
    try:
        with db.session() as s:
            actor = (actor_of(find_user(s, as_user)) if as_user else
                     Actor(tenant_id=settings.tenant, user_id=None, email="cli", role="admin"))
            yield StoryboardService(s, actor, BlobStore(settings.blob_dir))
    finally:
        db.dispose()


def _with(workspace: Path | None, tenant: str | None, work: Callable[[StoryboardService], T],
          as_user: str | None = None) -> T:
    with _service(workspace, tenant, as_user) as svc:
        return work(svc)


def _status(status: str) -> str:
    return f"[{STYLE.get(status, '')}]{status.replace('_', ' ')}[/]"


def _print_board(board: dict[str, Any]) -> None:
    c = board["counts"]
    console.print(f"[bold]{board['campaign']} · {board['concept']}[/] ({board['format']}, {board['duration']:g} s, "
                  f"asset #{board['asset_id']} r{board['asset_revision']}): {_status(board['status'])} — "
                  f"{c['approved']} approved, {c['changes_requested']} changes requested, {c['pending']} pending")
    table = Table("#", "timing", "status", "caption", "camera", "note")
    for f in board.get("frames", []):
        table.add_row(str(f["index"]), f["timing"], _status(f["status"]), escape(f["caption"][:60]),
                      escape(f["note"][:40]), escape(f["decision_note"][:40]))
    console.print(table)


@storyboard_app.command("build")
@handle_errors
def build(
    campaign: CampaignSlug,
    concept: Annotated[str | None, typer.Option("--concept", help="Only this concept (default: every concept "
                                                                  "with a motion asset).")] = None,
    workspace: Workspace = None,
    tenant: Tenant = None,
    as_json: Json = False,
) -> None:
    """Build (or refresh) storyboards from each concept's first motion asset; unchanged videos are skipped."""
    def work(svc: StoryboardService) -> list[dict[str, Any]]:
        return [{**o.board.to_dict(), "created": o.created, "changed": o.changed, "kept": o.kept, "reset": o.reset}
                for o in svc.build(campaign, concept)]

    results = _with(workspace, tenant, work)
    if as_json:
        emit(results)
        return
    for r in results:
        what = "built" if r["created"] else ("refreshed" if r["changed"] else "unchanged")
        refreshed = r["changed"] and not r["created"]
        extra = f" ({len(r['reset'])} back to pending, {len(r['kept'])} kept)" if refreshed else ""
        console.print(f"[green]{what}[/] {r['concept']}: {r['frames_total']} frames from asset #{r['asset_id']}{extra}")


@storyboard_app.command("list")
@handle_errors
def list_boards(campaign: CampaignSlug, workspace: Workspace = None, tenant: Tenant = None,
                as_json: Json = False) -> None:
    """The campaign's storyboards with their status and frame counts."""
    boards = _with(workspace, tenant, lambda svc: [v.to_dict(frames=False) for v in svc.boards(campaign)])
    if as_json:
        emit(boards)
        return
    table = Table("concept", "format", "status", "frames", "approved", "changes", "pending", "asset")
    for b in boards:
        c = b["counts"]
        table.add_row(b["concept"], b["format"], _status(b["status"]), str(b["frames_total"]), str(c["approved"]),
                      str(c["changes_requested"]), str(c["pending"]), f"#{b['asset_id']} r{b['asset_revision']}")
    console.print(table)


@storyboard_app.command("show")
@handle_errors
def show(campaign: CampaignSlug, concept: ConceptId, workspace: Workspace = None, tenant: Tenant = None,
         as_json: Json = False) -> None:
    """One storyboard, frame by frame: timing, status, caption, camera note, reviewer's note."""
    board = _with(workspace, tenant, lambda svc: svc.board(campaign, concept).to_dict())
    if as_json:
        emit(board)
        return
    _print_board(board)


def _writable(path: Path, suffix: str) -> Path:
    if path.suffix.lower() != suffix:
        raise InvalidRequestError(f"{path} should end in {suffix}", hint=f"e.g. --out storyboard{suffix}")
    if not path.parent.is_dir():
        raise InvalidRequestError(f"folder {path.parent} does not exist", hint="create it first")
    if path.is_dir():
        raise InvalidRequestError(f"{path} is a folder", hint=f"name a file, e.g. {path / ('storyboard' + suffix)}")
    return path


@storyboard_app.command("export")
@handle_errors
def export(
    campaign: CampaignSlug,
    concept: ConceptId,
    out: Annotated[Path, typer.Option("--out", help="The PDF to write (A4 landscape, 3 × 2 frames a page).")],
    sheet: Annotated[Path | None, typer.Option("--sheet", help="Also write the contact sheet (PNG).")] = None,
    workspace: Workspace = None,
    tenant: Tenant = None,
    as_json: Json = False,
) -> None:
    """Write the storyboard as a PDF (and optionally its contact sheet)."""
    pdf_path = _writable(out, ".pdf")
    sheet_path = _writable(sheet, ".png") if sheet is not None else None

    def work(svc: StoryboardService) -> tuple[bytes, bytes | None, BoardView]:
        return (svc.pdf(campaign, concept), svc.sheet(campaign, concept) if sheet_path else None,
                svc.board(campaign, concept))

    pdf_data, sheet_data, view = _with(workspace, tenant, work)
    pdf_path.write_bytes(pdf_data)
    if sheet_path is not None and sheet_data is not None:
        sheet_path.write_bytes(sheet_data)
    result = {"pdf": str(pdf_path), "pdf_bytes": len(pdf_data), "sheet": str(sheet_path) if sheet_path else None,
              "frames": len(view.frames), "status": view.storyboard.status}
    if as_json:
        emit(result)
        return
    console.print(f"wrote {pdf_path} ({len(view.frames)} frames, {len(pdf_data) / 1024:.0f} KB)")
    if sheet_path is not None:
        console.print(f"wrote {sheet_path}")


def _decide(campaign: str, concept: str, frame: int, decision: str, note: str, as_user: str,
            workspace: Path | None, as_json: bool) -> None:
    board = _with(workspace, None, lambda svc: svc.decide(campaign, concept, frame, decision, note).to_dict(),
                  as_user=as_user)
    if as_json:
        emit(board)
        return
    decided = next(f for f in board["frames"] if f["index"] == frame)
    console.print(f"frame {frame}: {_status(decided['status'])}; storyboard {concept} is now "
                  f"{_status(board['status'])}")


@storyboard_app.command("approve")
@handle_errors
def approve(campaign: CampaignSlug, concept: ConceptId, frame: FrameNumber, as_user: AsUser,
            note: Annotated[str, typer.Option(help="An optional remark.")] = "",
            workspace: Workspace = None, as_json: Json = False) -> None:
    """Approve one frame."""
    _decide(campaign, concept, frame, "approve", note, as_user, workspace, as_json)


@storyboard_app.command("request-changes")
@handle_errors
def request_changes(campaign: CampaignSlug, concept: ConceptId, frame: FrameNumber, as_user: AsUser,
                    note: Annotated[str, typer.Option(help="What should change in this frame.")],
                    workspace: Workspace = None, as_json: Json = False) -> None:
    """Send one frame back, saying what should change."""
    _decide(campaign, concept, frame, "request_changes", note, as_user, workspace, as_json)
