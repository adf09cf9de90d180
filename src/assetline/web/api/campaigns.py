"""Campaigns: the list with visible status counts, and one campaign with its filter facets."""

from __future__ import annotations

from fastapi import APIRouter

from assetline.web.api.deps import ServiceDep, Slug
from assetline.web.api.schemas import CampaignDetail, CampaignOut, RunRef, problems

router = APIRouter(tags=["campaigns"])


@router.get("/campaigns", response_model=list[CampaignOut], responses=problems(403), summary="List campaigns")
def list_campaigns(service: ServiceDep) -> list[CampaignOut]:
    """Your tenant's campaigns with asset counts by status (clients count only assets that reached review)."""
    return [CampaignOut.model_validate(c) for c in service.campaigns()]


@router.get("/campaigns/{slug}", response_model=CampaignDetail, responses=problems(403, 404, 422),
            summary="One campaign")
def get_campaign(slug: Slug, service: ServiceDep) -> CampaignDetail:
    campaign = service.campaign(slug)
    counts = service.counts(campaign)
    last = service.repo.last_run(campaign)
    return CampaignDetail(slug=campaign.slug, name=campaign.name, assets=sum(counts.values()), by_status=counts,
                          created_at=campaign.created_at, updated_at=campaign.updated_at,
                          last_run=None if last is None else RunRef(id=last.id, status=last.status),
                          facets=service.facets(campaign))
