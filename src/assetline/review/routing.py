"""Route checked assets to review by the campaign's review policy.

    mode all                 every passed or flagged asset goes to review
    mode flagged_and_sample  flagged assets go to review, plus a random sample of the passed ones (sample_rate);
                             the other passed assets are approved by the policy (actor "review-policy")

An asset a reviewer asked to change always comes back to review. The sample is drawn from a hash of the
campaign seed, cell and revision: the same run routes the same way every time.
"""

from __future__ import annotations

from sqlalchemy import select

from assetline.plan.keys import derive_seed
from assetline.review.lifecycle import AWAITING_ROUTE
from assetline.spec.campaign import ReviewPolicy
from assetline.store.models import Asset, Campaign
from assetline.store.repositories import Repository

POLICY_ACTOR = "review-policy"


def in_sample(seed: int, cell_key: str, revision: int, rate: float) -> bool:
    return derive_seed(seed, "review-sample", cell_key, revision) / 0x7FFFFFFF < rate


def route_assets(repo: Repository, campaign: Campaign, policy: ReviewPolicy, seed: int,
                 run_id: int | None = None) -> dict[str, int]:
    """Move every passed/flagged asset of ``campaign`` on; returns counts (to_review, sampled, auto_approved)."""
    counts = {"to_review": 0, "sampled": 0, "auto_approved": 0}
    assets = repo.session.scalars(select(Asset).where(
        Asset.tenant_id == repo.tenant_id, Asset.campaign_id == campaign.id,
        Asset.status.in_(sorted(AWAITING_ROUTE))).order_by(Asset.id)).all()
    for asset in assets:
        asked = bool(asset.direction)
        if policy.mode == "all" or asset.status == "flagged" or asked:
            why = ("review policy: everything is reviewed" if policy.mode == "all" else
                   "a reviewer asked for this revision" if asked else "QC flagged it")
            repo.set_status(asset, "in_review", why, run_id, actor=POLICY_ACTOR)
            counts["to_review"] += 1
        elif in_sample(seed, asset.cell_key, asset.revision, policy.sample_rate):
            asset.sampled = True
            repo.set_status(asset, "in_review", f"random review sample ({policy.sample_rate:.0%} of passed assets)",
                            run_id, actor=POLICY_ACTOR)
            counts["to_review"] += 1
            counts["sampled"] += 1
        else:
            repo.set_status(asset, "approved", "passed QC and not sampled: approved by the review policy", run_id,
                            actor=POLICY_ACTOR)
            counts["auto_approved"] += 1
    return counts
