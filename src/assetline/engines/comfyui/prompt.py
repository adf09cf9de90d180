"""The text prompt the ComfyUI engine writes into the workflow's prompt slot.

    build_prompt(concept, kit, segment)
    # 'a cup of coffee on a desk, warm editorial product photography, for commuters 25-40, in London'

Parts, in order, empty ones left out: the concept's ``visual.prompt``, the kit's ``imagery.prompt``, then the
segment's audience and city. Pure: the same inputs give the same text (it enters the content key via the
request, and the asset's metadata).
"""

from __future__ import annotations

from assetline.spec.brand import BrandKit
from assetline.spec.campaign import Concept, Segment


def build_prompt(concept: Concept, kit: BrandKit, segment: Segment | None) -> str:
    """The positive prompt for ``concept`` in ``kit``'s style, for ``segment`` (None: shared visual)."""
    parts = [concept.visual.prompt, kit.imagery.prompt]
    if segment is not None:
        if segment.audience:
            parts.append(f"for {segment.audience}")
        if segment.city:
            parts.append(f"in {segment.city}")
    return ", ".join(p.strip().rstrip(",") for p in parts if p and p.strip())


def negative_prompt(kit: BrandKit) -> str:
    """The kit's ``imagery.negative_prompt`` (empty: the workflow keeps its own)."""
    return kit.imagery.negative_prompt.strip()
