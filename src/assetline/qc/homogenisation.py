"""``batch.diversity``: does the campaign collapse onto one look (or one line of copy)?

Every pair of assets (a seeded sample of ``max_sample`` assets for big batches) gets:

- ``phash``: Hamming distance of the pHashes, 0…64 (structure; the smaller of direct and mirrored);
- ``colour``: total-variation distance of the 4×4×4 colour histograms, 0…1 (palette);
- ``visual`` = ½·min(1, phash/32) + ½·colour: 0 = same picture, ≈ 0.5–0.7 for unrelated photos;
- ``copy``: character 3-gram cosine of the asset's headline + body (when assets carry copy).

Pairs with phash ≤ ``same_look_phash`` (10) and colour ≤ ``same_look_colour`` (0.35) "look the same";
their connected components are the look clusters. The batch has collapsed — every asset gets **warn**
with the numbers — when the median visual distance is below ``min_median_visual`` (0.2), or more than
``max_same_look_share`` (50 %) of the pairs look the same, or the median copy similarity is at least
``max_median_copy_similarity`` (0.8). Otherwise every asset passes with the same numbers; the assets
of the largest cluster are named in the evidence. Fewer than ``min_assets`` (3) assets → 'na'.

Cost: O(n²) on 64-bit hashes and 64-bin histograms only (milliseconds for the default 400-asset sample).
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from assetline.qc.base import AssetUnderCheck, CheckContext, CheckResult, Status
from assetline.qc.originality import fingerprint_for
from assetline.qc.phash_index import popcount64
from assetline.qc.text_similarity import lexical_matrix

DEFAULTS: dict[str, Any] = {"min_assets": 3, "max_sample": 400, "seed": 0, "same_look_phash": 10,
                            "same_look_colour": 0.35, "min_median_visual": 0.2, "max_same_look_share": 0.5,
                            "max_median_copy_similarity": 0.8, "copy_fields": ["headline", "body"]}


def _components(n: int, pairs: np.ndarray) -> list[list[int]]:
    parent = list(range(n))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for i, j in pairs:
        ri, rj = find(int(i)), find(int(j))
        if ri != rj:
            parent[ri] = rj
    groups: dict[int, list[int]] = {}
    for i in range(n):
        groups.setdefault(find(i), []).append(i)
    return sorted(groups.values(), key=len, reverse=True)


class DiversityCheck:
    """Campaign-level homogenisation: pairwise visual and copy distances, largest look-alike cluster."""

    id: ClassVar[str] = "batch.diversity"
    version: ClassVar[str] = "1"
    description: ClassVar[str] = ("The campaign does not collapse onto one look: pairwise pHash, colour and "
                                  "copy distances, and the largest cluster of look-alike assets.")

    def run_batch(self, assets: list[AssetUnderCheck], context: CheckContext) -> list[CheckResult]:
        s = {**DEFAULTS, **context.for_check(self.id)}
        n = len(assets)
        if n < int(s["min_assets"]):
            return [CheckResult(self.id, self.version, "na",
                                f"Diversity needs at least {s['min_assets']} assets; the batch has {n}.")] * n
        # 1. Sample (seeded) so the pairwise work stays bounded
        sample = np.arange(n)
        if n > int(s["max_sample"]):
            rng = np.random.default_rng(int(s["seed"]))
            sample = np.sort(rng.choice(n, int(s["max_sample"]), replace=False))
        fps = [fingerprint_for(assets[int(i)], context) for i in sample]
        m = len(fps)
        iu = np.triu_indices(m, k=1)
        # 2. Pairwise visual distances
        h = np.array([f.phash for f in fps], dtype=np.uint64)
        hm = np.array([f.phash_mirror for f in fps], dtype=np.uint64)
        ham = np.minimum(popcount64(h[:, None] ^ h[None, :]), popcount64(hm[:, None] ^ h[None, :]))
        ham = np.minimum(ham, ham.T)[iu].astype(np.float64)  # a mirrored copy is the same look
        hist = np.stack([f.colour for f in fps])
        col = np.concatenate([0.5 * np.abs(hist[i] - hist[i + 1:]).sum(axis=1) for i in range(m - 1)])
        visual = 0.5 * np.minimum(1.0, ham / 32.0) + 0.5 * col
        same = (ham <= float(s["same_look_phash"])) & (col <= float(s["same_look_colour"]))
        clusters = _components(m, np.stack([iu[0][same], iu[1][same]], axis=1))
        largest = clusters[0]
        # 3. Pairwise copy similarity
        copy_stats = self._copy_stats(assets, sample, list(s["copy_fields"]))
        # 4. Verdict
        median_visual = round(float(np.median(visual)), 3)
        same_share = round(float(same.mean()), 3)
        stats: dict[str, Any] = {
            "assets": n, "sampled": m, "pairs": int(ham.size),
            "phash_distance": {"mean": round(float(ham.mean()), 2), "median": float(np.median(ham))},
            "colour_distance": {"mean": round(float(col.mean()), 3),
                                "median": round(float(np.median(col)), 3)},
            "visual_distance": {"mean": round(float(visual.mean()), 3),
                                "median": median_visual},
            "same_look_share": same_share,
            "largest_cluster": {"size": len(largest), "share": round(len(largest) / m, 3),
                                "members": [_name(assets[int(sample[i])], int(sample[i]))
                                            for i in largest[:30]]},
            "clusters": len(clusters),
            "copy": copy_stats,
        }
        reasons: list[str] = []
        if median_visual < float(s["min_median_visual"]):
            reasons.append(f"median visual distance {median_visual:.2f} < {s['min_median_visual']}")
        if same_share > float(s["max_same_look_share"]):
            reasons.append(f"{same_share:.0%} of asset pairs look the same")
        copy_median = copy_stats.get("median_similarity")
        if copy_median is not None and copy_median >= float(s["max_median_copy_similarity"]):
            reasons.append(f"median copy similarity {copy_median:.2f} ≥ {s['max_median_copy_similarity']}")
        status: Status = "warn" if reasons else "pass"
        if reasons:
            message = (f"The batch collapses onto one look: {'; '.join(reasons)} (largest look-alike cluster "
                       f"{len(largest)} of {m}).")
        else:
            message = (f"The batch is diverse: median visual distance {median_visual:.2f}, "
                       f"{len(clusters)} look clusters, largest {len(largest)} of {m}.")
        members = {int(sample[i]) for i in largest} if len(largest) > 1 else set()
        return [CheckResult(self.id, self.version, status, message, score=median_visual,
                            evidence={**stats, "reasons": reasons, "in_largest_cluster": k in members})
                for k in range(n)]

    @staticmethod
    def _copy_stats(assets: list[AssetUnderCheck], sample: np.ndarray, fields: list[str]) -> dict[str, Any]:
        texts = []
        for i in sample:
            copy = assets[int(i)].copy or {}
            text = " ".join(copy[f] for f in fields if isinstance(copy.get(f), str)).strip()
            if text:
                texts.append(text)
        if len(texts) < 2:
            return {"median_similarity": None, "texts": len(texts)}
        sim = lexical_matrix(texts)[np.triu_indices(len(texts), k=1)]
        return {"median_similarity": round(float(np.median(sim)), 3),
                "mean_similarity": round(float(sim.mean()), 3), "texts": len(texts),
                "method": "char-3gram-cosine"}


def _name(asset: AssetUnderCheck, index: int) -> str:
    return asset.asset_id if asset.asset_id is not None else f"#{index}"
