"""Deterministic, weighted choice of one text per field, under a length limit and a reject list.

The random number comes from sha256 over (seed, concept, segment, field), never from ``hash()`` or a
global ``random``, so it is the same in every process. Variants step through the unit interval by the
golden ratio (a Weyl sequence): each variant's draw is still uniform, so weights hold per variant,
but consecutive variants land far apart and so tend to pick different texts.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass

from assetline.engines.copy.expand import Candidate

_GOLDEN = (math.sqrt(5.0) - 1.0) / 2.0


def draw(seed: int, variant: int, concept_id: str, segment_id: str, field: str) -> float:
    """A number in [0, 1) fixed by its arguments."""
    key = json.dumps(["assetline.copy", seed, concept_id, segment_id, field], separators=(",", ":"))
    base = int.from_bytes(hashlib.sha256(key.encode("utf-8")).digest()[:8], "big") / 2.0**64
    return math.fmod(base + variant * _GOLDEN, 1.0)


def weighted_index(weights: Sequence[float], u: float) -> int:
    """Index i with probability weights[i] / sum(weights), for u uniform in [0, 1)."""
    total = math.fsum(weights)
    if not total > 0:
        return min(int(u * len(weights)), len(weights) - 1)
    target = u * total
    acc = 0.0
    for i, w in enumerate(weights):
        acc += w
        if target < acc:
            return i
    return max(i for i, w in enumerate(weights) if w > 0)  # float round-off at u → 1


def normalise(text: str) -> str:
    """How texts are compared with the reject list: whitespace runs collapsed."""
    return " ".join(text.split())


@dataclass(frozen=True)
class Choice:
    candidate: Candidate
    index: int
    """Index of the chosen text among all the field's candidates."""
    over_limit: bool
    fitting: tuple[Candidate, ...]
    """Candidates within the limit and not rejected, in expansion order."""
    excluded: int


class AllExcluded(Exception):
    """Every candidate of the field is on the reject list."""


def choose(candidates: Sequence[Candidate], limit: int | None, exclude: Sequence[str], u: float) -> Choice:
    """Pick among non-rejected candidates within ``limit`` (by weight); none fits → the shortest."""
    rejected = {normalise(t) for t in exclude}
    allowed = [c for c in candidates if normalise(c.text) not in rejected]
    if not allowed:
        raise AllExcluded
    fitting = [c for c in allowed if limit is None or len(c.text) <= limit]
    if fitting:
        pool, over = fitting, False
    else:
        shortest = min(len(c.text) for c in allowed)
        pool, over = [c for c in allowed if len(c.text) == shortest], True
    picked = pool[weighted_index([c.probability for c in pool], u)]
    return Choice(candidate=picked, index=candidates.index(picked), over_limit=over,
                  fitting=tuple(fitting), excluded=len(candidates) - len(allowed))
