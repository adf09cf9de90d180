"""Every QC gate over 1,000 composed assets.

    .venv/bin/python -m bench --only qc [--quick]

1. Compose a set of distinct assets from the demo brief (concepts × en/ar/hi segments × formats ×
   variants, layouts rotating as the planner rotates them), keeping the composer's element metadata and
   the encoded bytes as delivered.
2. Cycle them to N ``AssetUnderCheck`` objects (each with its own asset id, so no check can reuse
   another asset's cached work).
3. Time every per-asset check over all N (per check id: total ms, ms/asset) after one warm-up call
   (its time, which includes loading models and word lists, is reported as '1st call ms'), then
   every batch check over the whole batch. The context holds what a campaign run would hand the
   checks: the kit's logo templates, a protected pHash library, protected reference copy and the
   concept of each asset.
"""

from __future__ import annotations

import io
import itertools
import random
import time
from typing import Any

import numpy as np
from PIL import Image

from assetline.plan.planner import choose_layout
from assetline.qc.base import AssetUnderCheck, CheckContext
from assetline.qc.filetype import sniff
from assetline.qc.phash_index import PHashIndex
from assetline.qc.registry import CheckRegistry
from assetline.qc.standalone import logo_templates
from bench._common import show, timed
from bench._fixture import DEMO_FORMATS, DemoFixture, Rendered

NAME = "qc"
REFERENCE_HASHES = 100_000
REFERENCE_COPY = ["The best coffee in the universe.", "Wake up and smell the stars.",
                  "Every great day starts with coffee.", "Fuel for your mission."]


def compose_distinct(fx: DemoFixture, count: int) -> list[Rendered]:
    """``count`` distinct assets spread over concepts, segments (languages), formats and variants."""
    c = fx.loaded.campaign
    cells = list(itertools.product(c.concepts, c.segments, DEMO_FORMATS, range(c.variants)))
    # A fixed shuffle, so a short prefix already spreads over concepts, languages and formats.
    picked = random.Random(0).sample(cells, min(count, len(cells)))
    fmts = {f.id: f for f in fx.loaded.formats}
    out = []
    for concept, segment, fid, variant in picked:
        out.append(fx.render(concept, segment, fmts[fid], variant, choose_layout(concept, variant)))
    return out


def to_assets(fx: DemoFixture, rendered: list[Rendered],
              n: int) -> tuple[list[AssetUnderCheck], dict[str, str]]:
    decoded = []
    for r in rendered:
        image = Image.open(io.BytesIO(r.data))
        image.load()
        decoded.append(image)
    assets, concepts = [], {}
    for i in range(n):
        k = i % len(rendered)
        r = rendered[k]
        asset_id = f"a{i:05d}-{r.concept.id}-{r.segment.id}-{r.format.id}"
        concepts[asset_id] = r.concept.id
        assets.append(AssetUnderCheck(image=decoded[k], data=r.data, file_type=sniff(r.data),
                                      brand=fx.loaded.brand.kit, format=r.format, copy=dict(r.copy.fields),
                                      language=r.copy.language, segment=r.segment, elements=r.result.elements,
                                      asset_id=asset_id))
    return assets, concepts


def context(fx: DemoFixture, concepts: dict[str, str]) -> CheckContext:
    rng = np.random.default_rng(7)
    index = PHashIndex()
    index.add(np.arange(REFERENCE_HASHES), rng.integers(0, 2**64, size=REFERENCE_HASHES, dtype=np.uint64))
    return CheckContext(resources={"logo_templates": logo_templates(fx.loaded.brand),
                                   "brand_path": fx.loaded.brand.path, "reference_index": index,
                                   "reference_copy": REFERENCE_COPY, "concepts": concepts})


def run(quick: bool = False) -> dict[str, Any]:
    n, distinct = (200, 24) if quick else (1000, 64)
    # 1. Compose distinct assets.
    fx = DemoFixture.load()
    compose_s, rendered = timed(lambda: compose_distinct(fx, distinct))
    assets, concepts = to_assets(fx, rendered, n)
    ctx = context(fx, concepts)
    registry = CheckRegistry.discover()
    print(f"QC: {len(rendered)} distinct assets composed in {compose_s:.1f} s, cycled to {n}\n", flush=True)

    # 2. Per-asset checks, one check at a time over every asset.
    per_asset: list[dict[str, Any]] = []
    for check in registry.per_asset():
        counts: dict[str, int] = {}
        first_s, _ = timed(lambda c=check: c.run(assets[0], ctx))  # loads models/data once; reported apart
        start = time.perf_counter()
        for asset in assets:
            res = check.run(asset, ctx)
            counts[res.status] = counts.get(res.status, 0) + 1
        total_ms = (time.perf_counter() - start) * 1000
        per_asset.append({"check": check.id, "kind": "asset", "total_ms": round(total_ms, 1),
                          "ms_per_asset": round(total_ms / n, 3), "first_call_ms": round(first_s * 1000, 1),
                          "statuses": counts, "method": res.evidence.get("method")})

    # 3. Batch checks over the whole batch.
    batch: list[dict[str, Any]] = []
    for bcheck in registry.batch():
        seconds, results = timed(lambda b=bcheck: b.run_batch(assets, ctx))
        counts = {}
        for res in results:
            counts[res.status] = counts.get(res.status, 0) + 1
        batch.append({"check": bcheck.id, "kind": "batch", "total_ms": round(seconds * 1000, 1),
                      "ms_per_asset": round(seconds * 1000 / n, 3), "statuses": counts,
                      "method": results[0].evidence.get("method") if results else None})

    # 4. Report.
    rows = per_asset + batch
    show(f"QC: time per check over {n} assets ({len(rendered)} distinct)",
         ["check", "kind", "total ms", "ms/asset", "1st call ms", "statuses", "method"],
         [[r["check"], r["kind"], r["total_ms"], r["ms_per_asset"], r.get("first_call_ms"),
           " ".join(f"{k}={v}" for k, v in sorted(r["statuses"].items())), r["method"] or ""]
          for r in rows], 2)
    asset_ms = sum(r["total_ms"] for r in per_asset)
    batch_ms = sum(r["total_ms"] for r in batch)
    slowest = max(rows, key=lambda r: r["total_ms"])
    summary = {"assets": n, "distinct_assets": len(rendered), "compose_seconds": round(compose_s, 2),
               "per_asset_checks": len(per_asset), "batch_checks": len(batch),
               "per_asset_gates_ms": round(asset_ms, 1),
               "per_asset_gates_assets_per_second": round(n / (asset_ms / 1000), 1),
               "batch_checks_ms": round(batch_ms, 1),
               "batch_checks_assets_per_second": round(n / (batch_ms / 1000), 1) if batch_ms else None,
               "all_gates_assets_per_second": round(n / ((asset_ms + batch_ms) / 1000), 1),
               "slowest_check": slowest["check"], "slowest_kind": slowest["kind"],
               "slowest_ms_per_asset": slowest["ms_per_asset"]}
    show("QC: summary", ["figure", "value"],
         [["per-asset gates: total s", asset_ms / 1000], ["per-asset gates: assets/s",
                                                          summary["per_asset_gates_assets_per_second"]],
          ["batch checks: total s", batch_ms / 1000], ["batch checks: assets/s",
                                                       summary["batch_checks_assets_per_second"]],
          ["all gates: assets/s", summary["all_gates_assets_per_second"]],
          ["slowest check",
           f"{slowest['check']} ({slowest['kind']}, {slowest['ms_per_asset']} ms/asset)"]], 2)
    return {"summary": summary, "rows": rows,
            "notes": ["Checks run in this process, one at a time (no worker pool).",
                      "originality.phash and originality.copy have both run() and run_batch(); they appear "
                      "once as per-asset and once as batch checks.",
                      "No fingerprint cache in the context: each check computes what it needs.",
                      "Images are the encoded files decoded again (as delivered); the runner's compose step "
                      "checks the composer's image before encoding.",
                      f"Protected library: {REFERENCE_HASHES:,} random pHashes; "
                      f"{len(REFERENCE_COPY)} reference copy lines."]}
