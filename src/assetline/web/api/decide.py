"""``POST /decide``: the asset to show, chosen in memory by experiments/serving.py (docs/experiments.md).

Its own router, included first: FastAPI matches routes in order, and this is the one endpoint whose latency is a
product figure (p99 ≤ 5 ms at 500 requests/s, bench/bench_dco.py).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.security import HTTPAuthorizationCredentials
from pydantic import BaseModel, Field

from assetline.access.roles import Actor
from assetline.errors import AuthError
from assetline.experiments.manage import SLUG_PATTERN
from assetline.experiments.serving import DecideInput
from assetline.web.api.deps import bearer
from assetline.web.api.schemas import _In, problems
from assetline.web.context import state

router = APIRouter(tags=["experiments"])
Short = Annotated[str, Field(max_length=64)]


class DecideIn(_In):
    campaign: Annotated[str, Field(pattern=SLUG_PATTERN, max_length=64)]
    experiment: Annotated[str, Field(pattern=SLUG_PATTERN, max_length=64)]
    channel: Short
    format: Short
    user_key: Annotated[str, Field(min_length=1, max_length=200)]
    country: Annotated[str, Field(max_length=8)] = ""
    language: Annotated[str, Field(max_length=35)] = ""
    attributes: Annotated[dict[Short, Annotated[str, Field(max_length=200)]], Field(max_length=20)] = {}
    request_id: Annotated[str | None, Field(min_length=1, max_length=128, pattern=r"^[\x21-\x7e]+$")] = None


class ExcludedOut(BaseModel):
    asset_id: int
    reasons: list[str]


class DecideOut(BaseModel):
    request_id: str
    asset_id: int | None = Field(description="The asset to show (the fallback when nothing is eligible).")
    propensity: float = Field(description="Probability with which this asset was chosen (logged).")
    phase: str = Field(description="burn_in | thompson | fallback | stopped")
    fallback: bool
    weights: dict[str, float] = Field(description="Every eligible asset's probability, by asset id.")
    excluded: list[ExcludedOut]


def _decide_actor(request: Request,
                  credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]) -> Actor:
    if credentials is None:
        raise AuthError("missing bearer token", hint="send 'Authorization: Bearer <token>' (assetline token create)")
    return state(request).dco.actor(credentials.credentials)


@router.post("/decide", response_model=DecideOut, responses=problems(400, 403, 404, 422),
             summary="Choose the asset to show")
async def decide(request: Request, body: DecideIn,
                 actor: Annotated[Actor, Depends(_decide_actor)]) -> DecideOut:
    """Eligibility (approved and delivered, licence valid for the channel, country and today, flight dates,
    frequency cap per user key), then Thompson sampling over the eligible arms after a uniform burn-in, or the
    fallback. Every decision is logged with its propensity. Served from memory; counts refresh every second."""
    outcome = state(request).dco.decide(actor, DecideInput(
        campaign=body.campaign, experiment=body.experiment, channel=body.channel, format=body.format,
        user_key=body.user_key, country=body.country, language=body.language, attributes=dict(body.attributes),
        request_id=body.request_id))
    return DecideOut(request_id=outcome.request_id, asset_id=outcome.asset_id, propensity=outcome.propensity,
                     phase=outcome.phase, fallback=outcome.fallback, weights=outcome.weights,
                     excluded=[ExcludedOut(**e) for e in outcome.excluded])
