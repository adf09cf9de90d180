"""POST /campaigns/{slug}/events/import: a platform's CSV export as the request body, imported all or nothing.

    curl -X POST -H "Authorization: Bearer $TOKEN" -H "Content-Type: text/csv" \\
         --data-binary @meta-export.csv "$URL/api/v1/campaigns/acme-launch/events/import?format=auto"

Producers and admins only (``ingest_events``, as ``POST /events``). The body is read up to :data:`MAX_BODY`
(413 beyond); the file is checked and stored by experiments/imports.py in the request's one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field

from assetline.access.roles import require
from assetline.experiments.imports import import_csv
from assetline.web.api.deps import ServiceDep, Slug
from assetline.web.api.schemas import problems
from assetline.web.problems import problem

router = APIRouter(tags=["events"])
MAX_BODY = 20 * 1024 * 1024
"""Largest CSV body accepted (bigger exports: split by date range, or use `assetline events import`)."""
REFUSED_TYPES = ("application/json", "application/x-www-form-urlencoded", "multipart/form-data")


class AssetTotalsOut(BaseModel):
    asset_id: int
    ad_name: str = Field(description="The ad name the file used for this asset (its first row).")
    impressions: int
    clicks: int
    conversions: int = Field(description="As stored: fractional conversions rounded half to even per ad and day.")
    value: float


class ImportOut(BaseModel):
    file: str
    format: Literal["meta", "google", "generic"]
    campaign: str
    rows: int = Field(description="Data rows read (total rows not included).")
    summary_rows: int = Field(description="Total rows skipped (Meta's summary row, Google's 'Total: …').")
    skipped: int = Field(description="Rows skipped because their ad matched no asset (skip_unknown=true).")
    unknown: list[str] = Field(description="The ad names that matched no asset (skip_unknown=true).")
    events: int
    accepted: int = Field(description="Events stored now.")
    duplicates: int = Field(description="Events stored by an earlier import of the same rows (ignored).")
    assets: list[AssetTotalsOut] = Field(description="What the file held per asset.")


@dataclass(frozen=True)
class Upload:
    data: bytes
    too_large: bool
    content_type: str


async def csv_body(request: Request) -> Upload:
    """The raw body, read no further than MAX_BODY + 1 bytes (a bigger declared length is not read at all)."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY:
        return Upload(b"", True, content_type)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY:
            return Upload(b"", True, content_type)
        chunks.append(chunk)
    return Upload(b"".join(chunks), False, content_type)


def _responses() -> dict[int | str, dict[str, Any]]:
    out = problems(403, 404, 409, 422)
    for status, text in ((413, f"The body is over {MAX_BODY // 1024 // 1024} MB."),
                         (415, "The body is not CSV text (send Content-Type: text/csv).")):
        out[status] = {**out[422], "description": text}
    return out


_BODY = {"requestBody": {"required": True, "description": "The CSV export (UTF-8 or UTF-16), at most 20 MB.",
                         "content": {"text/csv": {"schema": {"type": "string"}}}}}


@router.post("/campaigns/{slug}/events/import", response_model=ImportOut, responses=_responses(),
             openapi_extra=_BODY, summary="Import a platform export")
def import_events(
    slug: Slug, request: Request, service: ServiceDep, upload: Annotated[Upload, Depends(csv_body)],
    format: Annotated[Literal["auto", "meta", "google", "generic"], Query(
        description="The export's layout; auto tells them apart by the header.")] = "auto",
    skip_unknown: Annotated[bool, Query(
        description="Import the rows of known ads and count the others, instead of refusing the file.")] = False,
) -> Any:
    """Import a Meta Ads Manager, Google Ads or generic CSV export as performance events (docs/events.md).

    The whole file is stored or nothing: unknown ad names, negative or unreadable numbers, more clicks than
    impressions and a malformed file are 422 problems naming file:line. The same file again stores nothing
    (every event a duplicate); a corrected export of days already imported is a 409 conflict.
    """
    require(service.actor, "ingest_events")
    campaign = service.campaign(slug)
    if upload.too_large:
        return problem(413, "payload too large", f"the body is over {MAX_BODY // 1024 // 1024} MB", "too-large",
                       request.url.path, hint="split the export by date range, or use `assetline events import`")
    if upload.content_type in REFUSED_TYPES:
        return problem(415, "unsupported media type", f"the body is {upload.content_type}, not CSV text",
                       "unsupported-media-type", request.url.path,
                       hint="send the file itself as the body, with Content-Type: text/csv")
    result = import_csv(service.session, service.actor.tenant_id, campaign.slug, upload.data, fmt=format,
                        skip_unknown=skip_unknown, filename="upload.csv")
    return ImportOut.model_validate(result.to_dict())
