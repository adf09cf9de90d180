"""Storyboards of a campaign's motion concepts: list, read, build, decide frame by frame, export (docs/api.md).

    GET  /campaigns/{slug}/storyboards                                   every board you may see
    GET  /campaigns/{slug}/storyboards/{concept}                         one board with its frames
    POST /campaigns/{slug}/storyboards/{concept}                         build or refresh it (producers, admins)
    POST /campaigns/{slug}/storyboards/{concept}/frames/{index}/decision approve / request_changes (with a note)
    GET  /campaigns/{slug}/storyboards/{concept}/frames/{index}/image    the frame's still (JPEG, ETag)
    GET  /campaigns/{slug}/storyboards/{concept}/pdf                     A4 landscape PDF
    GET  /campaigns/{slug}/storyboards/{concept}/sheet                   contact sheet (PNG)

The response models live here; StoryboardService (review/storyboard.py) does the work.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Header, Path, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from assetline.review.storyboard import BoardView, StoryboardService
from assetline.web.api.deps import ActorDep, Slug
from assetline.web.api.schemas import ID_PATTERN, MAX_TEXT, IdInt, Text, Timestamp, problems
from assetline.web.context import SessionDep, state

router = APIRouter(tags=["storyboards"])

Concept = Annotated[str, Path(pattern=ID_PATTERN, max_length=64, description="A concept id of the campaign.")]
FrameIndex = Annotated[int, Path(ge=1, le=10_000, description="The frame's shot number, from 1.")]


def storyboard_service(request: Request, session: SessionDep, actor: ActorDep) -> StoryboardService:
    return StoryboardService(session, actor, state(request).blobs)


ServiceDep = Annotated[StoryboardService, Depends(storyboard_service)]


class FrameOut(BaseModel):
    index: int = Field(description="Shot number, from 1, in time order.")
    start: float = Field(description="Seconds.")
    end: float
    timing: str = Field(description="As printed, e.g. '0.0–1.5 s'.")
    at: float = Field(description="When in the video the still was taken (seconds).")
    caption: str = Field(description="The voice-over lines that overlap the shot.")
    note: str = Field(description="The camera note of the shot.")
    status: Literal["pending", "approved", "changes_requested"]
    decision_note: str
    decided_by: str | None
    decided_at: Timestamp | None
    version: int = Field(description="Send it back as expected_version when deciding.")
    width: int
    height: int
    image_url: str


class StoryboardSummary(BaseModel):
    id: int
    campaign: str
    concept: str
    format: str
    asset_id: int = Field(description="The motion asset the frames come from.")
    asset_revision: int
    status: Literal["in_review", "approved", "changes_requested"]
    frames_total: int
    counts: dict[str, int] = Field(description="Frames by status (pending, approved, changes_requested).")
    duration: float
    width: int
    height: int
    language: str
    built_by: str
    version: int
    created_at: Timestamp
    updated_at: Timestamp
    url: str
    pdf_url: str
    sheet_url: str


class StoryboardOut(StoryboardSummary):
    frames: list[FrameOut]


class BuildOut(StoryboardOut):
    created: bool
    changed: bool = Field(description="False when the video and its timeline were unchanged: nothing was written.")
    kept: list[int] = Field(description="Frames that came out the same: their decisions stand.")
    reset: list[int] = Field(description="Frames that are new or changed: back to pending.")


class FrameDecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    decision: Literal["approve", "request_changes"]
    expected_version: IdInt = Field(description="The frame's version you decided on (from GET …/{concept}).")
    note: Text = Field(default="", max_length=MAX_TEXT, description="Required for request_changes.")


def _base(view: BoardView) -> str:
    return f"/api/v1/campaigns/{view.campaign.slug}/storyboards/{view.storyboard.concept}"


def summary_fields(view: BoardView) -> dict[str, Any]:
    base = _base(view)
    return {**view.to_dict(frames=False), "url": base, "pdf_url": f"{base}/pdf", "sheet_url": f"{base}/sheet"}


def board_out(view: BoardView) -> StoryboardOut:
    base = _base(view)
    frames = [{**f, "image_url": f"{base}/frames/{f['index']}/image"} for f in view.to_dict()["frames"]]
    return StoryboardOut.model_validate({**summary_fields(view), "frames": frames})


@router.get("/campaigns/{slug}/storyboards", response_model=list[StoryboardSummary],
            responses=problems(403, 404, 422), summary="Storyboards of a campaign")
def list_storyboards(slug: Slug, service: ServiceDep) -> list[StoryboardSummary]:
    """Every storyboard of the campaign you may see, by concept (clients: once the video reached review)."""
    return [StoryboardSummary.model_validate(summary_fields(v)) for v in service.boards(slug)]


@router.get("/campaigns/{slug}/storyboards/{concept}", response_model=StoryboardOut,
            responses=problems(403, 404, 422), summary="One storyboard")
def get_storyboard(slug: Slug, concept: Concept, service: ServiceDep) -> StoryboardOut:
    """The concept's storyboard with its frames in shot order (timing, caption, camera note, status, version)."""
    return board_out(service.board(slug, concept))


@router.post("/campaigns/{slug}/storyboards/{concept}", response_model=BuildOut,
             responses=problems(403, 404, 409, 422), summary="Build or refresh a storyboard")
def build_storyboard(slug: Slug, concept: Concept, service: ServiceDep) -> BuildOut:
    """Take the frames from the concept's first motion asset (producers and admins). Unchanged video: nothing
    changes. New render: frames that came out the same keep their decisions, the others go back to pending.
    422 when the concept has no motion asset."""
    [outcome] = service.build(slug, concept)
    return BuildOut.model_validate({**board_out(outcome.board).model_dump(), "created": outcome.created,
                                    "changed": outcome.changed, "kept": outcome.kept, "reset": outcome.reset})


@router.post("/campaigns/{slug}/storyboards/{concept}/frames/{index}/decision", response_model=StoryboardOut,
             responses=problems(400, 403, 404, 409, 422), summary="Decide one frame")
def decide_frame(slug: Slug, concept: Concept, index: FrameIndex, body: FrameDecisionIn,
                 service: ServiceDep) -> StoryboardOut:
    """Approve the frame, or request changes with a note (required). ``expected_version`` is the frame's
    version you looked at: if it changed in the meantime (another decision, a refresh), nothing changes and
    the answer is 409. Returns the whole board: its status rolls up the frames (approved when every frame is
    approved, changes_requested when any is)."""
    return board_out(service.decide(slug, concept, index, body.decision, body.note, body.expected_version))


def _binary(make: Callable[[], bytes], media_type: str, etag: str, if_none_match: str | None,
            filename: str | None = None) -> Response:
    """``make()``'s bytes, or 304 when the client holds ``etag`` already (then nothing is rendered)."""
    headers = {"ETag": f'"{etag}"', "Cache-Control": "private, max-age=0, must-revalidate"}
    if filename:
        headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    if if_none_match and headers["ETag"] in {t.strip() for t in if_none_match.split(",")}:
        return Response(status_code=304, headers=headers)
    return Response(make(), media_type=media_type, headers=headers)


def _export_etag(service: StoryboardService, slug: str, concept: str) -> str:
    """The board's id and version (every decision and refresh bumps it) and the engine that draws it."""
    board = service.board(slug, concept).storyboard
    return f"{board.id}-{board.version}-{service.engine.version}"


def _file_responses(media_type: str) -> dict[int | str, dict[str, object]]:
    return {200: {"description": "The file, with an ETag.",
                  "content": {media_type: {"schema": {"type": "string", "format": "binary"}}}},
            304: {"description": "Not modified (If-None-Match matched the ETag)."}, **problems(403, 404, 422)}


IfNoneMatch = Annotated[str | None, Header(include_in_schema=False)]


@router.get("/campaigns/{slug}/storyboards/{concept}/frames/{index}/image", response_class=Response,
            responses=_file_responses("image/jpeg"), summary="A frame's still")
def frame_image(slug: Slug, concept: Concept, index: FrameIndex, service: ServiceDep,
                if_none_match: IfNoneMatch = None) -> Response:
    data, sha = service.frame_image(slug, concept, index)
    return _binary(lambda: data, "image/jpeg", sha, if_none_match)


@router.get("/campaigns/{slug}/storyboards/{concept}/pdf", response_class=Response,
            responses=_file_responses("application/pdf"), summary="The storyboard as PDF")
def storyboard_pdf(slug: Slug, concept: Concept, service: ServiceDep, if_none_match: IfNoneMatch = None) -> Response:
    """A4 landscape, 3 × 2 frames a page, with each frame's timing, caption, camera note and status."""
    return _binary(lambda: service.pdf(slug, concept), "application/pdf", _export_etag(service, slug, concept),
                   if_none_match, f"{slug}-{concept}-storyboard.pdf")


@router.get("/campaigns/{slug}/storyboards/{concept}/sheet", response_class=Response,
            responses=_file_responses("image/png"), summary="The storyboard's contact sheet")
def storyboard_sheet(slug: Slug, concept: Concept, service: ServiceDep,
                     if_none_match: IfNoneMatch = None) -> Response:
    return _binary(lambda: service.sheet(slug, concept), "image/png", _export_etag(service, slug, concept),
                   if_none_match, f"{slug}-{concept}-storyboard.png")
