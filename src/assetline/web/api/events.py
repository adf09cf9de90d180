"""Performance events: ``POST /events`` (batched, idempotent by event id, tenant-scoped); see docs/events.md."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter
from pydantic import BaseModel, Field

from assetline.access.roles import require
from assetline.experiments.ingest import MAX_BATCH, MAX_COUNT, PerfEvent, ingest
from assetline.web.api.deps import ActorDep
from assetline.web.api.schemas import IdInt, _In, problems
from assetline.web.context import SessionDep

router = APIRouter(tags=["events"])


class EventIn(_In):
    id: Annotated[str, Field(min_length=1, max_length=128, pattern=r"^[\x21-\x7e]+$",
                             description="The sender's unique id of this event (a retry sends the same id).")]
    asset_id: IdInt
    kind: Literal["impression", "click", "conversion", "value"]
    count: Annotated[int, Field(ge=1, le=MAX_COUNT, description="Events this row stands for (aggregated rows).")] = 1
    value: Annotated[float, Field(ge=0, allow_inf_nan=False,
                                  description="Total value (revenue) of the row; conversion and value events.")] = 0.0
    user_key: Annotated[str, Field(max_length=200)] = ""
    occurred_at: datetime | None = None


class EventsIn(_In):
    events: Annotated[list[EventIn], Field(min_length=1, max_length=MAX_BATCH)]


class EventsOut(BaseModel):
    accepted: int = Field(description="Events stored by this request.")
    duplicates: int = Field(description="Events already stored with the same payload (skipped).")
    assets: list[int] = Field(description="Assets whose counts changed.")


@router.post("/events", response_model=EventsOut, responses=problems(400, 403, 404, 409, 422),
             summary="Ingest performance events")
def post_events(body: EventsIn, session: SessionDep, actor: ActorDep) -> EventsOut:
    """Store up to 10,000 events in one transaction and add them to the assets' running counts.

    The batch is all or nothing: a malformed event (422), an unknown asset or another tenant's (404, the ids
    listed), or an id already stored with a different payload (409) stores nothing. An id already stored with
    the same payload is skipped and counted in ``duplicates``, so a retried batch is harmless."""
    require(actor, "ingest_events")
    events = [PerfEvent(event_id=e.id, asset_id=e.asset_id, kind=e.kind, count=e.count, value=e.value,
                        user_key=e.user_key, occurred_at=e.occurred_at) for e in body.events]
    result = ingest(session, actor.tenant_id, events, source="api")
    return EventsOut(accepted=result.accepted, duplicates=result.duplicates, assets=result.assets)
