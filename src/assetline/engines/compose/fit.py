"""Auto-fit: the largest type that fits, then shorter copy, then fewer fields — never overflow.

A layout supplies ``arrange(texts, sizes)``, which returns a placement or None when the texts do not fit at
those sizes. ``fit`` searches, in order of preference:

1. the chosen copy, at the largest scale ``s`` in [s_min, 1] (binary search; every role's size is
   ``max(min_px, round(target × s))``, so the hierarchy holds until the minimum legible sizes);
2. the same with shorter alternatives (``CopyResult.alternatives``): body first, then headline, then CTA;
3. without the body (warning), then without the CTA (warning);
4. the shortest headline cut at a word boundary with an ellipsis (warning), then smaller than legible.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Generic, TypeVar

from assetline.engines.base import CopyResult

T = TypeVar("T")
Texts = dict[str, str]
Sizes = dict[str, int]
Arrange = Callable[[Texts, Sizes], "T | None"]

OPTIONAL = ("body", "cta")


ELASTICITY: dict[str, float] = {"headline": 1.0, "body": 0.5, "cta": 0.5}
"""How hard each role shrinks with the scale: size = target × s^e. The headline gives way first, so a long
headline does not drag body and button down to footnote size with it."""


@dataclass(frozen=True)
class TypeScale:
    targets: Sizes
    minimums: Sizes
    ratio: float = 1.25
    """Body and CTA stay at most headline / ratio, so the hierarchy holds at every scale."""

    def sizes(self, s: float) -> Sizes:
        out = {
            r: max(self.minimums[r], round(t * s ** ELASTICITY.get(r, 1.0))) for r, t in self.targets.items()
        }
        if "headline" in out:
            cap = out["headline"] / self.ratio
            for role in ("body", "cta"):
                if role in out:
                    out[role] = max(self.minimums[role], min(out[role], round(cap)))
        return out

    @property
    def s_min(self) -> float:
        lowest = min(
            float((self.minimums[r] / t) ** (1 / ELASTICITY.get(r, 1.0))) for r, t in self.targets.items()
        )
        return min(1.0, lowest)


@dataclass(frozen=True)
class Fitted(Generic[T]):
    placement: T
    texts: Texts
    sizes: Sizes
    warnings: tuple[str, ...]


def candidates(copy: CopyResult, role: str) -> list[str]:
    """The chosen text, then every shorter alternative, longest first."""
    chosen = copy.fields.get(role, "").strip()
    if not chosen:
        return []
    alts = sorted(
        {a.strip() for a in copy.alternatives.get(role, []) if a.strip()}, key=lambda a: (-len(a), a)
    )
    return [chosen, *(a for a in alts if len(a) < len(chosen))]


def _search(arrange: Arrange[T], texts: Texts, scale: TypeScale) -> tuple[T, Sizes] | None:
    """Largest scale at which ``texts`` fit."""
    top = scale.sizes(1.0)
    got = arrange(texts, top)
    if got is not None:
        return got, top
    low = scale.sizes(scale.s_min)
    best = arrange(texts, low)
    if best is None:
        return None
    best_sizes = low
    lo, hi = scale.s_min, 1.0
    for _ in range(8):
        mid = (lo + hi) / 2
        sizes = scale.sizes(mid)
        got = arrange(texts, sizes)
        if got is not None:
            lo, best, best_sizes = mid, got, sizes
        else:
            hi = mid
    return best, best_sizes


def _plans(options: dict[str, list[str]], keep: tuple[str, ...]) -> Iterator[Texts]:
    """Combinations of candidates: body varies fastest, then headline, then CTA."""
    order = [r for r in ("cta", "headline", "body") if r in keep and options.get(r)]
    for combo in itertools.product(*(options[r] for r in order)):
        yield dict(zip(order, combo, strict=True))


def _ellipsised(text: str) -> Iterator[str]:
    words = text.split()
    for n in range(len(words) - 1, 0, -1):
        yield " ".join(words[:n]).rstrip(",;:—–-") + "…"


def fit(
    arrange: Arrange[T],
    copy: CopyResult,
    scale: TypeScale,
    where: str,
    protect: tuple[str, ...] = (),
    last_resorts: bool = True,
) -> Fitted[T] | None:
    """Fit the copy; ``where`` names the format and layout in warnings ('320×50, banner layout').

    Roles in ``protect`` are never dropped (None instead), so a layout can first try giving up something
    else — a thumbnail, a wider logo — before it lets the CTA go. Without ``last_resorts`` the search stops
    before step 4 (None instead of a cut or illegible headline)."""
    options = {r: candidates(copy, r) for r in ("headline", *OPTIONAL)}
    present = tuple(r for r in ("headline", *OPTIONAL) if options[r])
    if "headline" not in present:
        return None
    dropped: list[str] = []
    keep_sets = [present]
    for role in OPTIONAL:
        if role in keep_sets[-1]:
            keep_sets.append(tuple(r for r in keep_sets[-1] if r != role))
    keep_sets = [k for k in keep_sets if all(r in k for r in protect if r in present)]
    for keep in keep_sets:
        dropped = [r for r in present if r not in keep]
        for texts in _plans(options, keep):
            sub = TypeScale(
                {r: scale.targets[r] for r in keep}, {r: scale.minimums[r] for r in keep}, scale.ratio
            )
            found = _search(arrange, texts, sub)
            if found is None:
                continue
            warnings = [
                f"{role} dropped: no room at {where}, even at the smallest legible size with its "
                "shortest alternative"
                for role in dropped
            ]
            warnings += [
                f"{role}: used a shorter alternative to fit {where}"
                for role, text in texts.items()
                if text != options[role][0]
            ]
            return Fitted(found[0], texts, found[1], tuple(warnings))
    if not last_resorts or any(r in present for r in protect if r != "headline"):
        return None
    # Last resorts: a cut headline, then type below the legible minimum.
    shortest = options["headline"][-1]
    only = TypeScale(
        {"headline": scale.targets["headline"]}, {"headline": scale.minimums["headline"]}, scale.ratio
    )
    for cut in _ellipsised(shortest):
        found = _search(arrange, {"headline": cut}, only)
        if found is not None:
            warnings = [f"{role} dropped: no room at {where}" for role in present if role != "headline"]
            warnings.append(f"headline cut to '{cut}' to fit {where}")
            return Fitted(found[0], {"headline": cut}, found[1], tuple(warnings))
    for px in range(scale.minimums["headline"] - 1, 5, -1):
        got = arrange({"headline": shortest}, {"headline": px})
        if got is not None:
            warnings = [f"{role} dropped: no room at {where}" for role in present if role != "headline"]
            warnings.append(f"headline set at {px} px, below the legible minimum, to fit {where}")
            return Fitted(got, {"headline": shortest}, {"headline": px}, tuple(warnings))
    return None
