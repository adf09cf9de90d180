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


def matrix_size(loaded: LoadedCampaign) -> int:
    c = loaded.campaign
    return len(c.concepts) * len(c.segments) * len(c.formats) * c.variants


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
        raise MatrixTooLargeError(
            f"campaign '{c.id}' expands to {size:,} cells ({len(c.concepts)} concepts × {len(c.segments)} "
            f"segments × {len(c.formats)} formats × {c.variants} variants), above the limit of {effective:,}",
            location=where,
            hint="cut concepts, segments, formats or variants, or raise the limit (campaign max_cells, "
                 "ASSETLINE_MAX_CELLS or --max-cells)")


def expand(loaded: LoadedCampaign) -> list[Cell]:
    """Every cell, in a stable order (concept, format, segment, variant)."""
    c = loaded.campaign
    return [Cell(concept.id, segment.id, fmt, v)
            for concept in c.concepts for fmt in c.formats for segment in c.segments for v in range(c.variants)]
