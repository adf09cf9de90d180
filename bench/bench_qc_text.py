"""Benchmark the copy and originality QC checks; writes bench/results/qc_text.json.

    .venv/bin/python -m bench --only qc_text [--quick]      (part of `make bench`)
    .venv/bin/python -m bench.bench_qc_text [--hashes 1000000]

Measures: copy.rules and copy.bias per asset, pHash/fingerprint per 1080² image, PHashIndex build and
query latency at several radii (multi-index hashing vs a full XOR+popcount scan), planted-neighbour
recall.
"""

from __future__ import annotations

import argparse
import time
from typing import Any

import numpy as np
from PIL import Image
from skimage import data

from assetline.qc.base import AssetUnderCheck, CheckContext
from assetline.qc.bias import BiasCheck
from assetline.qc.copy_rules import CopyRulesCheck
from assetline.qc.phash import fingerprint, phash
from assetline.qc.phash_index import PHashIndex, popcount64
from assetline.spec.brand import BrandKit
from assetline.spec.formats import get_format
from bench._common import machine, show, write_json


def per_call(fn, reps: int) -> float:
    fn()
    t = time.perf_counter()
    for _ in range(reps):
        fn()
    return (time.perf_counter() - t) / reps * 1000


NAME = "qc_text"


def run(quick: bool = False, hashes: int | None = None) -> dict[str, Any]:
    """Measure; print a table; return the figures (bench/__main__.py writes the JSON)."""
    n_hashes = hashes or (100_000 if quick else 1_000_000)
    out: dict[str, Any] = {}

    kit = BrandKit.model_validate(
        {
            "id": "b",
            "name": "Orbit Coffee",
            "palette": [{"name": "n", "hex": "#14213D"}],
            "typography": {"headline": {"file": "fontpkg:inter"}, "body": {"file": "fontpkg:inter"}},
            "voice": {
                "banned_terms": ["cheap", "world's best", "miracle"],
                "banned_claims": ["cures"],
                "required_disclaimers": [{"text": "Offer valid while stocks last."}],
                "reading_grade_max": 8,
            },
        }
    )
    asset = AssetUnderCheck(
        image=Image.new("RGB", (8, 8)),
        brand=kit,
        format=get_format("meta-feed-1x1"),
        copy={
            "headline": "Every great day starts with a launch",
            "body": "Freshly roasted beans, delivered across London.",
            "cta": "Order now",
            "disclaimer": "Offer valid while stocks last.",
        },
        language="en",
    )
    ctx = CheckContext()
    out["copy.rules_ms"] = per_call(lambda: CopyRulesCheck().run(asset, ctx), 500)
    out["copy.bias_ms"] = per_call(lambda: BiasCheck().run(asset, ctx), 500)

    im = Image.fromarray(data.astronaut()).resize((1080, 1080))
    out["phash_1080_ms"] = per_call(lambda: phash(im), 50)
    out["fingerprint_1080_ms"] = per_call(lambda: fingerprint(im), 50)

    rng = np.random.default_rng(0)
    hashes = rng.integers(0, 2**64, size=n_hashes, dtype=np.uint64)
    index = PHashIndex()
    t = time.perf_counter()
    index.add(np.arange(n_hashes), hashes)
    index.query(0, 0)
    out["index_build_s"] = time.perf_counter() - t
    out["index_hashes"] = n_hashes
    queries = []
    for i in range(200):
        flips = rng.choice(64, size=i % 9, replace=False)
        queries.append((int(hashes[i * 7]) ^ sum(1 << int(b) for b in flips), i * 7, i % 9))
    for radius in (3, 7, 8, 11):
        t = time.perf_counter()
        hits = sum(
            any(r == target for r, _ in index.query(q, radius)) for q, target, k in queries if k <= radius
        )
        want = sum(1 for _, _, k in queries if k <= radius)
        out[f"query_r{radius}_ms"] = (time.perf_counter() - t) / len(queries) * 1000
        out[f"recall_r{radius}"] = hits / want
    out["full_scan_ms"] = per_call(lambda: popcount64(hashes ^ np.uint64(12345)) <= 8, 20)

    rows = [[k, v] for k, v in out.items()]
    show(f"QC text/originality micro-benchmarks ({n_hashes:,} indexed hashes)", ["figure", "value"], rows, 3)
    return {"summary": dict(out), "rows": [{"figure": k, "value": v} for k, v in out.items()]}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--hashes", type=int, default=1_000_000)
    args = ap.parse_args()
    result = run(hashes=args.hashes)
    result["machine"] = machine()
    print(f"wrote {write_json(NAME, result)}")


if __name__ == "__main__":
    main()
