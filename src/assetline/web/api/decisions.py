"""Decisions and comments: decide one asset (optimistic concurrency), decide many, comment, list them."""

from __future__ import annotations

from fastapi import APIRouter, status

from assetline.errors import InvalidRequestError
from assetline.review.direction import ChangeOptions
from assetline.web.api.deps import AssetId, ServiceDep
from assetline.web.api.present import asset_detail, comment_out, decision_out
from assetline.web.api.schemas import (
    AssetDetail,
    BulkDecisionIn,
    BulkOutcome,
    BulkResultOut,
    CommentIn,
    CommentOut,
    DecisionIn,
    DecisionOut,
    problems,
)

router = APIRouter(tags=["decisions"])


@router.post("/assets/{asset_id}/decisions", response_model=AssetDetail,
             responses=problems(400, 403, 404, 409, 422), summary="Decide an asset")
def decide(asset_id: AssetId, body: DecisionIn, service: ServiceDep) -> AssetDetail:
    """Approve, reject or request changes; returns the updated asset (with its new version).

    ``expected_version`` is the version you looked at: if somebody decided in the meantime, nothing changes
    and the answer is 409 (reload and decide again). ``changes`` applies to request_changes only; without
    it the note says what to change ("new headline", "layout: split"; a note naming nothing asks for both a
    new image and new copy). The next run renders the change as a new revision.
    """
    if body.changes is not None and body.decision != "request_changes":
        raise InvalidRequestError("changes apply to request_changes only", hint="leave changes out, or request changes")
    options = None if body.changes is None else ChangeOptions(**body.changes.model_dump())
    asset = service.decide(asset_id, body.decision, body.expected_version, body.note, options)
    return asset_detail(service, asset)


@router.post("/decisions/bulk", response_model=BulkResultOut, responses=problems(400, 403, 422),
             summary="Decide many assets")
def bulk_decide(body: BulkDecisionIn, service: ServiceDep) -> BulkResultOut:
    """Approve or reject up to 1,000 assets at once (needs the bulk_decide permission). No version check: each
    asset is decided as it is now; assets that are missing or cannot be decided are skipped with a reason."""
    result = service.bulk_decide(body.asset_ids, body.decision, body.note)
    skipped = {int(s["id"]): str(s["reason"]) for s in result.skipped}
    decided = set(result.decided)
    outcomes = [BulkOutcome(id=i, outcome="decided") if i in decided else
                BulkOutcome(id=i, outcome="skipped", reason=skipped.get(i, "not decided"))
                for i in dict.fromkeys(body.asset_ids)]
    return BulkResultOut(decision=body.decision, decided=len(result.decided), skipped=len(skipped),
                         outcomes=outcomes)


@router.get("/assets/{asset_id}/decisions", response_model=list[DecisionOut], responses=problems(403, 404, 422),
            summary="Decisions on an asset")
def list_decisions(asset_id: AssetId, service: ServiceDep) -> list[DecisionOut]:
    return [decision_out(d) for d in service.decisions(service.asset(asset_id))]


@router.post("/assets/{asset_id}/comments", response_model=CommentOut, status_code=status.HTTP_201_CREATED,
             responses=problems(400, 403, 404, 422), summary="Comment on an asset")
def add_comment(asset_id: AssetId, body: CommentIn, service: ServiceDep) -> CommentOut:
    """A comment on the asset's current revision (1 to 5,000 characters)."""
    return comment_out(service.comment(asset_id, body.body))


@router.get("/assets/{asset_id}/comments", response_model=list[CommentOut], responses=problems(403, 404, 422),
            summary="Comments on an asset")
def list_comments(asset_id: AssetId, service: ServiceDep) -> list[CommentOut]:
    return [comment_out(c) for c in service.comments(service.asset(asset_id))]
