"""Request and response models of the JSON API. Every route declares one, so the OpenAPI schema is exact.

Requests forbid unknown fields and bound every number and string (ids fit a 32-bit integer, texts are
at most 5,000 characters of valid UTF-8 without NUL), so bad input is a 422 problem, never a database error.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from assetline.review.service import MAX_BULK

MAX_ID = 2**31 - 1
"""Ids and versions are 32-bit integers in every supported database."""
MAX_TEXT = 5000
ID_PATTERN = r"^[a-z0-9][a-z0-9._-]{0,63}$"
"""Campaign, concept, segment and format ids (spec/common.py)."""
QC_FLAG_PATTERN = r"^(\*|[a-z0-9][a-z0-9._-]{0,63})$"


def _clean_text(value: str) -> str:
    if "\x00" in value:
        raise ValueError("text must not contain NUL characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValueError("text must be valid Unicode (no lone surrogates)") from exc
    return value


def _utc(value: datetime) -> datetime:
    """The store writes UTC; SQLite hands it back without an offset. Answers always carry one."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


Text = Annotated[str, AfterValidator(_clean_text)]
Timestamp = Annotated[datetime, AfterValidator(_utc)]
IdInt = Annotated[int, Field(ge=1, le=MAX_ID)]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


# ---------------------------------------------------------------------------------------------------- errors
class Problem(BaseModel):
    """An RFC 9457 problem detail (media type application/problem+json)."""

    type: str = Field(description="A URI naming the problem type, e.g. /api/v1/problems/not-found.")
    title: str
    status: int = Field(description="The HTTP status code.")
    detail: str | None = None
    instance: str | None = Field(default=None, description="The request path.")
    hint: str | None = Field(default=None, description="How to fix it, when known.")
    errors: list[dict[str, Any]] | None = Field(default=None, description="Validation errors: loc and msg each.")


_PROBLEM_SCHEMA = Problem.model_json_schema()
_PROBLEM_TEXT = {
    400: "The body could not be read (it is not UTF-8 text).",
    401: "No valid bearer token (missing, unknown, revoked, or its user is disabled).",
    403: "The token's role may not do this.",
    404: "No such object in your tenant (objects of other tenants are reported exactly like missing ones).",
    409: "Conflict: the object changed since you read it, or a run of the campaign is already in progress.",
    422: "Invalid request: a malformed parameter or body, or an action the object's state does not allow.",
}


def problems(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The OpenAPI ``responses`` entry for these problem statuses; 401 is always included (every route takes a
    token). Routes with parameters add 422, routes with a body 400 (unreadable) as well."""
    out: dict[int | str, dict[str, Any]] = {}
    for status in sorted({401, *statuses}):
        entry: dict[str, Any] = {"description": _PROBLEM_TEXT[status],
                                 "content": {"application/problem+json": {"schema": _PROBLEM_SCHEMA}}}
        if status == 401:
            entry["headers"] = {"WWW-Authenticate": {"description": "Bearer", "schema": {"type": "string"}}}
        out[status] = entry
    return out


# ---------------------------------------------------------------------------------------------------- who am I
class Me(BaseModel):
    email: str
    name: str
    role: str
    tenant: str
    permissions: list[str] = Field(description="What this role may do (access/roles.py).")


# ---------------------------------------------------------------------------------------------------- campaigns
class RunRef(BaseModel):
    id: int
    status: str


class CampaignOut(BaseModel):
    slug: str
    name: str
    assets: int = Field(description="Assets you can see (retired ones excluded).")
    by_status: dict[str, int] = Field(description="Visible assets by status; clients see only reviewed ones.")
    updated_at: Timestamp
    last_run: RunRef | None


class CampaignDetail(CampaignOut):
    created_at: Timestamp
    facets: dict[str, list[str]] = Field(description="Filter values: concept, segment, format, status, qc_flag.")


# ---------------------------------------------------------------------------------------------------- runs
class RunSummaryOut(BaseModel):
    cells: int | None = None
    rendered: int | None = None
    reused: int | None = None
    failed: int | None = None
    wall_seconds: float | None = None
    qc: dict[str, int] = Field(default_factory=dict)
    review: dict[str, int] = Field(default_factory=dict)


class RunOut(BaseModel):
    id: int
    status: str = Field(description="running, finished or failed.")
    started_at: Timestamp
    finished_at: Timestamp | None
    summary: RunSummaryOut | None = Field(description="Counts of the run; null for clients.")


class LaunchOut(BaseModel):
    """A run process started through the API."""

    launch_id: str
    started_at: Timestamp
    started_by: str
    alive: bool = Field(description="Whether the run process is still running.")
    exit_code: int | None = Field(description="The process's exit status once it ended (0 = every cell done).")
    finished_at: Timestamp | None


class RunHandle(BaseModel):
    campaign: str
    launch: LaunchOut
    progress_url: str = Field(description="Poll this for status counts and whether the process is alive.")
    runs_url: str


class Progress(BaseModel):
    campaign: str
    total: int
    by_status: dict[str, int]
    latest_run: RunOut | None
    process_alive: bool = Field(description="A run process started through the API is running now.")
    launch: LaunchOut | None = Field(description="The latest run process started through the API, if any.")


# ---------------------------------------------------------------------------------------------------- assets
class QCResult(BaseModel):
    check: str
    version: str = ""
    status: str = Field(description="pass, warn, fail or na.")
    score: float | None = None
    message: str = ""
    evidence: dict[str, Any] = Field(default_factory=dict)


class Direction(BaseModel):
    """Reviewers' accumulated change requests for the cell (review/direction.py)."""

    salt: int = 0
    exclude: list[str] = Field(default_factory=list)
    layout: str | None = None
    notes: list[str] = Field(default_factory=list)


class AssetOut(BaseModel):
    id: int
    campaign: str
    cell_key: str
    concept: str
    segment: str
    format: str
    variant: int
    status: str
    revision: int
    version: int = Field(description="Send it back as expected_version when deciding.")
    qc_status: str | None
    qc_flags: list[str]
    sampled: bool
    updated_at: Timestamp
    file_url: str | None = Field(description="The current render; null before the first render.")


class AssetDetail(AssetOut):
    copy_text: dict[str, str] = Field(alias="copy", description="headline, body and cta of the render.")
    layout: str | None
    width: int | None
    height: int | None
    media_type: str | None
    size: int | None
    sha256: str | None = Field(description="The render's blob hash (the file's ETag).")
    qc: list[QCResult]
    direction: Direction
    links: dict[str, str]


class AssetPage(BaseModel):
    total: int
    page: int
    per_page: int
    pages: int
    items: list[AssetOut]
    facets: dict[str, list[str]]


class QCReport(BaseModel):
    asset_id: int
    revision: int
    qc_status: str | None
    qc_flags: list[str]
    results: list[QCResult]


class RevisionOut(BaseModel):
    revision: int
    current: bool
    content_key: str
    reason: str
    created_at: Timestamp
    media_type: str | None
    size: int | None
    sha256: str | None
    file_url: str


class EventOut(BaseModel):
    id: int
    kind: str
    from_status: str | None
    to_status: str | None
    actor: str
    reason: str
    data: dict[str, Any]
    run_id: int | None
    created_at: Timestamp


class ArtifactRef(BaseModel):
    role: str = Field(description="What the render used it as: copy or visual.")
    content_key: str
    step: str
    engine_id: str
    engine_version: str
    sha256: str
    media_type: str
    size: int
    created_at: Timestamp
    params: dict[str, Any]


class Lineage(BaseModel):
    """How a render was made: its engine, parameters and the artifacts it was built from."""

    asset_id: int
    revision: int
    content_key: str
    step: str
    engine_id: str
    engine_version: str
    sha256: str
    media_type: str
    created_at: Timestamp
    params: dict[str, Any]
    inputs: dict[str, str] = Field(description="Input name → content key (copy, visual) or file hash.")
    built_from: list[ArtifactRef]
    record: dict[str, Any] = Field(
        default_factory=dict,
        description="The provenance lineage record (as `assetline lineage --json`): input files with sha256 and "
                    "licences, engines and seeds per step, copy choices, QC results, review decisions.")


# ---------------------------------------------------------------------------------------------------- decisions
class ChangesIn(_In):
    """Explicit change options for request_changes; omitted ones are read from the note."""

    new_copy: bool | None = None
    new_visual: bool | None = None
    layout: Literal["hero", "split", "typographic", "product", "quote", "banner"] | None = None


class DecisionIn(_In):
    decision: Literal["approve", "reject", "request_changes"]
    expected_version: IdInt = Field(description="The asset's version you decided on (from GET /assets/{id}).")
    note: Text = Field(default="", max_length=MAX_TEXT)
    changes: ChangesIn | None = None


class BulkDecisionIn(_In):
    asset_ids: list[IdInt] = Field(min_length=1, max_length=MAX_BULK)
    decision: Literal["approve", "reject"]
    note: Text = Field(default="", max_length=MAX_TEXT)


class BulkOutcome(BaseModel):
    id: int
    outcome: Literal["decided", "skipped"]
    reason: str | None = Field(default=None, description="Why it was skipped (not found, not decidable…).")


class BulkResultOut(BaseModel):
    decision: str
    decided: int
    skipped: int
    outcomes: list[BulkOutcome]


class DecisionOut(BaseModel):
    id: int
    revision: int
    actor: str
    role: str
    decision: str
    note: str
    changes: dict[str, Any]
    created_at: Timestamp


class CommentIn(_In):
    body: Text = Field(min_length=1, max_length=MAX_TEXT)


class CommentOut(BaseModel):
    id: int
    revision: int
    author: str
    body: str
    created_at: Timestamp
