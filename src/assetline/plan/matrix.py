"""Matrix expansion: concept × segment × format × variant, with an explosion guard."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from assetline.errors import Location, MatrixTooLargeError
from assetline.spec.loader import LoadedCampaign, error_location


@dataclass(frozen=True)
class Cell:
    concept: str
    segment: str
    format: str
    variant: int

    @property
    def key(self) -> str:
        return f"{self.concept}/{self.segment}/{self.format}/v{self.variant}"

    def as_row(self) -> dict[str, object]:
        return {"cell_key": self.key, "concept": self.concept, "segment": self.segment,
                "format": self.format, "variant": self.variant}


def _motion_variants(loaded: LoadedCampaign) -> int:
    c = loaded.campaign
    return min(c.motion.variants or c.variants, c.variants)


def _concepts_for(loaded: LoadedCampaign, format_id: str) -> list[str]:
    """The concepts a format is rendered for: every concept for stills; motion.concepts (or all) for videos."""
    c = loaded.campaign
    fmt = next((f for f in loaded.formats if f.id == format_id), None)
    if fmt is not None and fmt.video is not None and c.motion.concepts:
        return [x.id for x in c.concepts if x.id in c.motion.concepts]
    return [x.id for x in c.concepts]


def matrix_size(loaded: LoadedCampaign) -> int:
    c = loaded.campaign
    stills = [f for f in loaded.formats if f.video is None]
    motion = [f for f in loaded.formats if f.video is not None]
    size = len(c.concepts) * len(c.segments) * len(stills) * c.variants
    return size + sum(len(_concepts_for(loaded, f.id)) for f in motion) * len(c.segments) * _motion_variants(loaded)


def guard(loaded: LoadedCampaign, limit: int) -> None:
    """Refuse a campaign whose matrix exceeds ``limit`` (the campaign's own max_cells wins if smaller)."""
    c = loaded.campaign
    effective = min(limit, c.max_cells) if c.max_cells else limit
    size = matrix_size(loaded)
    if size > effective:
        try:
            where: Location | None = error_location(Path(loaded.path), ("concepts",))
        except Exception:
            where = Location(Path(loaded.path))
        stills = sum(1 for f in loaded.formats if f.video is None)
        videos = size - len(c.concepts) * len(c.segments) * stills * c.variants
        raise MatrixTooLargeError(
            f"campaign '{c.id}' expands to {size:,} cells ({len(c.concepts)} concepts × {len(c.segments)} "
            f"segments × {stills} formats × {c.variants} variants" + (f", plus {videos:,} videos" if videos else "")
            + f"), above the limit of {effective:,}",
            location=where,
            hint="cut concepts, segments, formats or variants, or raise the limit (campaign max_cells, "
                 "ASSETLINE_MAX_CELLS or --max-cells)")


def expand(loaded: LoadedCampaign) -> list[Cell]:
    """Every cell, in a stable order (concept, format, segment, variant). Motion formats get the concepts and
    the number of variants the campaign's ``motion`` block asks for (videos cost more than stills)."""
    c = loaded.campaign
    video = {f.id for f in loaded.formats if f.video is not None}
    concepts_for = {fid: set(_concepts_for(loaded, fid)) for fid in c.formats}
    motion_variants = _motion_variants(loaded)
    return [Cell(concept.id, segment.id, fmt, v)
            for concept in c.concepts for fmt in c.formats if concept.id in concepts_for[fmt]
            for segment in c.segments for v in range(motion_variants if fmt in video else c.variants)]
