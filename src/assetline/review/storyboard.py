"""Storyboards for one actor: build or refresh a concept's board from its first motion asset, read it, decide
frame by frame, export it. The API, the pages and the CLI all go through StoryboardService.

    build(slug, concept=None)      frames from the concept's first motion asset (or every concept that has one)
    boards(slug) / board(slug, c)  what the actor may see: a client sees a board once its video reached review
    decide(slug, c, n, decision)   approve, or request_changes with a note, one frame
    frame_image / pdf / sheet      a frame's still, the A4 PDF and the contact-sheet PNG

A motion asset is an asset whose current render is a video ('video/mp4' or 'video/webm') with
``meta["motion"]`` (timeline, cues); the first is the lowest asset id of the concept. A refresh of an unchanged
video writes nothing; after a new render, frames that came out the same keep their decision and the others go
back to pending.

The board's status rolls up its frames: approved when every frame is approved, changes_requested when any is,
else in_review. Every decision writes a ``storyboard.decision`` event (who, from → to, the note), the way
review decisions do, and the frame and board rows check their version: a stale decision is a ConflictError.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from assetline.access.roles import Actor, allowed, require
from assetline.engines.storyboard import FrameCard, SheetHeader, StoryboardEngine, StoryboardRequest
from assetline.engines.storyboard.base import DraftFrame, StoryboardDraft, timing_label
from assetline.engines.storyboard.pdf import pdf_bytes, render_pages
from assetline.engines.storyboard.sheet import png_bytes, render_sheet
from assetline.errors import ConflictError, EngineError, InvalidRequestError, NotFoundError
from assetline.review.lifecycle import CLIENT_VISIBLE
from assetline.spec.formats import get_format
from assetline.store.blobs import BlobStore
from assetline.store.models import Artifact, Asset, Campaign, Event, Storyboard, StoryboardFrame, utcnow
from assetline.store.repositories import Repository

MOTION_MEDIA_TYPES = ("video/mp4", "video/webm")
"""Renders a storyboard can be drawn from (PyAV decodes both)."""
FRAME_DECISIONS: dict[str, str] = {"approve": "approved", "request_changes": "changes_requested"}
MAX_NOTE = 5000
NO_MOTION_HINT = "add a motion format (e.g. meta-feed-1x1-video) to the campaign's formats and run it"


def roll_up(statuses: Sequence[str]) -> str:
    """The board's status from its frames' statuses."""
    if any(s == "changes_requested" for s in statuses):
        return "changes_requested"
    if statuses and all(s == "approved" for s in statuses):
        return "approved"
    return "in_review"


@dataclass
class BoardView:
    """A storyboard with its frames (in shot order) and campaign."""

    storyboard: Storyboard
    frames: list[StoryboardFrame]
    campaign: Campaign

    @property
    def counts(self) -> dict[str, int]:
        out = {"approved": 0, "changes_requested": 0, "pending": 0}
        for f in self.frames:
            out[f.status] = out.get(f.status, 0) + 1
        return out

    def to_dict(self, frames: bool = True) -> dict[str, Any]:
        """JSON-able: the board, its counts and (with ``frames``) every frame."""
        b = self.storyboard
        out: dict[str, Any] = {
            "id": b.id, "campaign": self.campaign.slug, "concept": b.concept, "format": b.format,
            "asset_id": b.asset_id, "asset_revision": b.asset_revision, "status": b.status,
            "frames_total": len(self.frames), "counts": self.counts, "duration": b.duration, "width": b.width,
            "height": b.height, "language": b.language, "built_by": b.built_by, "version": b.version,
            "created_at": b.created_at.isoformat(), "updated_at": b.updated_at.isoformat()}
        if frames:
            out["frames"] = [{"index": f.number, "start": f.start_s, "end": f.end_s,
                              "timing": timing_label(f.start_s, f.end_s), "at": f.at_s, "caption": f.caption,
                              "note": f.note, "status": f.status, "decision_note": f.decision_note,
                              "decided_by": f.decided_by,
                              "decided_at": f.decided_at.isoformat() if f.decided_at else None,
                              "version": f.version, "image_sha": f.image_sha, "width": f.width,
                              "height": f.height} for f in self.frames]
        return out

    def frame(self, number: int) -> StoryboardFrame:
        for f in self.frames:
            if f.number == number:
                return f
        raise NotFoundError(f"the storyboard of concept '{self.storyboard.concept}' has no frame {number}",
                            hint=f"its frames are numbered 1 to {len(self.frames)}")


@dataclass
class BuildOutcome:
    board: BoardView
    created: bool
    changed: bool
    kept: list[int] = field(default_factory=list)
    """Frames whose still, timing, caption and note came out the same: their decisions stand."""
    reset: list[int] = field(default_factory=list)
    """Frames that changed (or are new): back to pending."""


def _same(frame: StoryboardFrame, draft: DraftFrame, image_sha: str) -> bool:
    return (frame.image_sha, frame.start_s, frame.end_s, frame.caption, frame.note) == (
        image_sha, draft.start, draft.end, draft.caption, draft.note)


class StoryboardService:
    def __init__(self, session: Session, actor: Actor, blobs: BlobStore,
                 engine: StoryboardEngine | None = None) -> None:
        self.session = session
        self.actor = actor
        self.repo = Repository(session, actor.tenant_id)
        self.blobs = blobs
        self.engine = engine or StoryboardEngine()
        self.sees_all = allowed(actor.role, "view_unreviewed")

    # ------------------------------------------------------------------ motion assets
    def _check_concept(self, campaign: Campaign, concept: str) -> None:
        concepts = sorted(set(self.session.scalars(select(Asset.concept).where(
            Asset.tenant_id == self.actor.tenant_id, Asset.campaign_id == campaign.id))))
        if concept not in concepts:
            raise NotFoundError(f"campaign '{campaign.slug}' has no concept '{concept}'",
                                hint=f"its concepts: {', '.join(concepts) or 'none yet'}")

    def motion_sources(self, campaign: Campaign, concept: str | None = None) -> dict[str, tuple[Asset, Artifact]]:
        """Concept → its first motion asset and that asset's current render (concepts without one left out)."""
        query = (select(Asset, Artifact).join(Artifact, Artifact.id == Asset.artifact_id)
                 .where(Asset.tenant_id == self.actor.tenant_id, Artifact.tenant_id == self.actor.tenant_id,
                        Asset.campaign_id == campaign.id, Asset.status != "retired",
                        Artifact.media_type.in_(MOTION_MEDIA_TYPES)))
        if concept is not None:
            query = query.where(Asset.concept == concept)
        out: dict[str, tuple[Asset, Artifact]] = {}
        for asset, artifact in self.session.execute(query.order_by(Asset.concept, Asset.id)):
            if asset.concept not in out and isinstance((artifact.meta or {}).get("motion"), dict):
                out[asset.concept] = (asset, artifact)
        return out

    def buildable(self, slug: str) -> list[str]:
        """Concepts that have a motion asset but no storyboard yet."""
        campaign = self.repo.get_campaign(slug)
        built = {b.storyboard.concept for b in self.boards(slug)}
        return [c for c in self.motion_sources(campaign) if c not in built]

    # ------------------------------------------------------------------ building
    def build(self, slug: str, concept: str | None = None) -> list[BuildOutcome]:
        """Build (or refresh) the storyboard of ``concept``, or of every concept that has a motion asset."""
        require(self.actor, "start_run")
        campaign = self.repo.get_campaign(slug)
        if concept is not None:
            self._check_concept(campaign, concept)
        sources = self.motion_sources(campaign, concept)
        if not sources:
            what = f"concept '{concept}'" if concept is not None else f"campaign '{slug}'"
            raise InvalidRequestError(f"{what} has no motion asset (a video cell) to draw a storyboard from",
                                      hint=NO_MOTION_HINT)
        return [self._build_one(campaign, asset, artifact) for asset, artifact in sources.values()]

    def _request(self, artifact: Artifact) -> StoryboardRequest:
        motion = (artifact.meta or {}).get("motion") or {}
        timeline, cues = motion.get("timeline"), motion.get("cues") or []
        if not isinstance(timeline, dict):
            raise EngineError(f"motion artifact {artifact.id} has no timeline",
                              hint="the motion engine records meta['motion']['timeline']: re-run the campaign")
        if not isinstance(cues, list):
            raise EngineError(f"the voice-over cues of motion artifact {artifact.id} are not a list")
        return StoryboardRequest(video=self.blobs.get(artifact.blob_sha), timeline=timeline, cues=tuple(cues))

    def _draft(self, asset: Asset, artifact: Artifact, board: Storyboard | None) -> StoryboardDraft | None:
        """The engine's frames for ``artifact``, or None when ``board`` already shows exactly them. A motion
        asset the engine cannot read is the request's problem (422), said with the asset's id."""
        try:
            request = self._request(artifact)
            if board is not None and board.asset_id == asset.id and board.content_key == self.engine.key_for(request):
                return None
            return self.engine.build(request)
        except EngineError as exc:
            raise InvalidRequestError(f"cannot draw a storyboard from motion asset #{asset.id}: {exc.message}",
                                      hint=exc.hint) from exc

    def _build_one(self, campaign: Campaign, asset: Asset, artifact: Artifact) -> BuildOutcome:
        board = self._find(campaign, asset.concept)
        draft = self._draft(asset, artifact, board)
        if draft is None:
            assert board is not None
            return BuildOutcome(self._view(board, campaign), created=False, changed=False)
        shas = [self.blobs.put(f.image) for f in draft.frames]  # blobs before the rows that name them
        values = {"asset_id": asset.id, "asset_revision": asset.revision, "format": asset.format,
                  "video_sha": artifact.blob_sha, "content_key": draft.content_key,
                  "engine_version": self.engine.version, "duration": draft.duration, "width": draft.width,
                  "height": draft.height, "language": str((artifact.meta or {}).get("language") or "en")[:16],
                  "built_by": self.actor.email, "updated_at": utcnow()}
        created = board is None
        if board is None:
            board = Storyboard(tenant_id=self.actor.tenant_id, campaign_id=campaign.id, concept=asset.concept,
                               status="in_review", **values)
            self.session.add(board)
            self.session.flush()
        else:
            for name, value in values.items():
                setattr(board, name, value)
        old = {f.number: f for f in self._frames(board)}
        kept, reset = [], []
        for draft_frame, sha in zip(draft.frames, shas, strict=True):
            frame = old.pop(draft_frame.number, None)
            if frame is not None and _same(frame, draft_frame, sha):
                frame.at_s, frame.width, frame.height = draft_frame.at, draft_frame.width, draft_frame.height
                kept.append(draft_frame.number)
                continue
            if frame is None:
                frame = StoryboardFrame(tenant_id=self.actor.tenant_id, storyboard_id=board.id,
                                        number=draft_frame.number)
                self.session.add(frame)
            frame.start_s, frame.end_s, frame.at_s = draft_frame.start, draft_frame.end, draft_frame.at
            frame.caption, frame.note, frame.image_sha = draft_frame.caption, draft_frame.note, sha
            frame.width, frame.height = draft_frame.width, draft_frame.height
            frame.status, frame.decision_note, frame.decided_by, frame.decided_at = "pending", "", None, None
            reset.append(draft_frame.number)
        for gone in old.values():
            self.session.delete(gone)
        self.session.flush()
        view = self._view(board, campaign)
        board.status = roll_up([f.status for f in view.frames])
        self._flush(f"the storyboard of concept '{asset.concept}' changed while it was being built")
        self.session.add(Event(
            tenant_id=self.actor.tenant_id, campaign_id=campaign.id, asset_id=asset.id,
            kind="storyboard.built" if created else "storyboard.refreshed", to_status=board.status,
            actor=self.actor.email, reason=f"{len(view.frames)} frames from asset #{asset.id} revision "
                                           f"{asset.revision}",
            data={"storyboard_id": board.id, "concept": asset.concept, "frames": len(view.frames), "kept": kept,
                  "reset": reset, "content_key": draft.content_key}))
        self.session.flush()
        return BuildOutcome(view, created=created, changed=True, kept=kept, reset=reset)

    # ------------------------------------------------------------------ reading
    def _find(self, campaign: Campaign, concept: str) -> Storyboard | None:
        return self.session.scalar(select(Storyboard).where(
            Storyboard.tenant_id == self.actor.tenant_id, Storyboard.campaign_id == campaign.id,
            Storyboard.concept == concept))

    def _frames(self, board: Storyboard) -> list[StoryboardFrame]:
        return list(self.session.scalars(select(StoryboardFrame).where(
            StoryboardFrame.tenant_id == self.actor.tenant_id, StoryboardFrame.storyboard_id == board.id)
            .order_by(StoryboardFrame.number)))

    def _view(self, board: Storyboard, campaign: Campaign) -> BoardView:
        return BoardView(board, self._frames(board), campaign)

    def _visible(self, query: Any) -> Any:
        query = query.join(Asset, Asset.id == Storyboard.asset_id).where(
            Storyboard.tenant_id == self.actor.tenant_id, Asset.tenant_id == self.actor.tenant_id)
        return query if self.sees_all else query.where(Asset.status.in_(sorted(CLIENT_VISIBLE)))

    def boards(self, slug: str) -> list[BoardView]:
        """The campaign's storyboards the actor may see, by concept."""
        require(self.actor, "view")
        campaign = self.repo.get_campaign(slug)
        rows = self.session.scalars(self._visible(select(Storyboard)).where(
            Storyboard.campaign_id == campaign.id).order_by(Storyboard.concept))
        return [self._view(b, campaign) for b in rows]

    def board(self, slug: str, concept: str) -> BoardView:
        require(self.actor, "view")
        campaign = self.repo.get_campaign(slug)
        board = self.session.scalar(self._visible(select(Storyboard)).where(
            Storyboard.campaign_id == campaign.id, Storyboard.concept == concept))
        if board is None:
            self._check_concept(campaign, concept)
            raise NotFoundError(f"concept '{concept}' of campaign '{slug}' has no storyboard yet",
                                hint=f"build one: assetline storyboard build {slug} --concept {concept}")
        return self._view(board, campaign)

    # ------------------------------------------------------------------ deciding
    def decide(self, slug: str, concept: str, number: int, decision: str, note: str = "",
               expected_version: int | None = None) -> BoardView:
        """Approve a frame or send it back with a note. ``expected_version`` is the frame's version as the
        reviewer saw it (None: decide on the frame as it is now)."""
        require(self.actor, "decide")
        if decision not in FRAME_DECISIONS:
            raise InvalidRequestError(f"unknown frame decision '{decision[:40]}'",
                                      hint=f"use one of: {', '.join(FRAME_DECISIONS)}")
        note = note.strip()
        if len(note) > MAX_NOTE:
            raise InvalidRequestError(f"note too long ({MAX_NOTE:,} characters at most)")
        if decision == "request_changes" and not note:
            raise InvalidRequestError("say what should change in this frame",
                                      hint="add a note, e.g. 'hold the product shot longer'")
        view = self.board(slug, concept)
        frame, board = view.frame(number), view.storyboard
        if expected_version is not None and frame.version != expected_version:
            raise ConflictError(f"frame {number} changed since you loaded it (version {expected_version}, now "
                                f"{frame.version})", hint="reload the storyboard and decide again")
        old, old_board = frame.status, board.status
        frame.status, frame.decision_note = FRAME_DECISIONS[decision], note
        frame.decided_by, frame.decided_at = self.actor.email, utcnow()
        board.status = roll_up([f.status for f in view.frames])
        board.updated_at = utcnow()
        self._flush(f"frame {number} was decided by someone else at the same time")
        self.session.add(Event(
            tenant_id=self.actor.tenant_id, campaign_id=board.campaign_id, asset_id=board.asset_id,
            kind="storyboard.decision", from_status=old, to_status=frame.status, actor=self.actor.email,
            reason=note[:2000], data={"storyboard_id": board.id, "concept": concept, "frame": number,
                                      "decision": decision, "role": self.actor.role,
                                      "asset_revision": board.asset_revision,
                                      "board_status": {"from": old_board, "to": board.status}}))
        self.session.flush()
        return view

    def _flush(self, conflict: str) -> None:
        try:
            self.session.flush()  # UPDATE … WHERE version = loaded version
        except StaleDataError as exc:
            raise ConflictError(conflict, hint="reload the storyboard and try again") from exc

    # ------------------------------------------------------------------ files
    def frame_image(self, slug: str, concept: str, number: int) -> tuple[bytes, str]:
        """A frame's still (JPEG) and its sha256."""
        frame = self.board(slug, concept).frame(number)
        return self.blobs.get(frame.image_sha), frame.image_sha

    def header(self, view: BoardView) -> SheetHeader:
        b = view.storyboard
        fmt = get_format(b.format)
        built = b.updated_at
        return SheetHeader(campaign=view.campaign.name, concept=b.concept,
                           format=f"{fmt.name} ({b.format})" if fmt else b.format, status=b.status,
                           subtitle=f"{b.duration:g} s  ·  {b.width}×{b.height}",
                           footer=f"{view.campaign.slug} · asset #{b.asset_id} revision {b.asset_revision} · "
                                  f"built by {b.built_by} · updated {built:%Y-%m-%d %H:%M} UTC")

    def cards(self, view: BoardView) -> list[FrameCard]:
        return [FrameCard(number=f.number, start=f.start_s, end=f.end_s, caption=f.caption, note=f.note,
                          image=self.blobs.get(f.image_sha), status=f.status, decision_note=f.decision_note,
                          language=view.storyboard.language) for f in view.frames]

    def pdf(self, slug: str, concept: str) -> bytes:
        """The storyboard as an A4 landscape PDF (the same board state gives the same bytes)."""
        view = self.board(slug, concept)
        pages = render_pages(self.header(view), self.cards(view))
        return pdf_bytes(pages, title=f"{view.campaign.name} — storyboard {concept}", author="Assetline",
                         created=view.storyboard.updated_at)

    def sheet(self, slug: str, concept: str) -> bytes:
        """The storyboard's contact sheet as PNG."""
        view = self.board(slug, concept)
        return png_bytes(render_sheet(self.header(view), self.cards(view)))
