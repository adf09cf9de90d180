"""A delivered workspace for the learning-loop tests: the reviewed workspace of reviewkit with every asset of
both tenants approved and delivered (acme: meta + iab, 8 assets each; globex: iab, 2 assets).

Built once per session (fixture ``delivered_base`` in tests/conftest.py); tests that write take a private copy
with ``delivered_base.copy_to(path)``.
"""

from __future__ import annotations

from pathlib import Path

from assetline import api
from assetline.provenance.keys import init_keys
from reviewkit import TENANTS, ReviewWorkspace

CHANNELS = {"acme": ("meta", "iab"), "globex": ("iab",)}


def deliver_everything(ws: ReviewWorkspace) -> ReviewWorkspace:
    for tenant in TENANTS:
        reviewer = ws.emails[(tenant, "reviewer")]
        slug = ws.campaigns[tenant]
        waiting = [a["id"] for a in api.review_assets(slug, reviewer, status="in_review", workspace=ws.root)]
        api.review_decide(waiting, "approve", reviewer, note="ok", workspace=ws.root)
        init_keys(ws.root, tenant, f"{tenant.title()} Studio")
        for channel in CHANNELS[tenant]:
            api.deliver(slug, channel, ws.root / "out" / tenant, workspace=ws.root, tenant=tenant)
    return ws


def build_delivered_workspace(review_base: ReviewWorkspace, target: Path) -> ReviewWorkspace:
    return deliver_everything(review_base.copy_to(target))
