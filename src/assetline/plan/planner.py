"""The planner: a campaign becomes cells and steps, each step named by its content key.

Per cell there are three steps:

    copy (per cell)  ──┐
                       ├──► compose (per cell: layout, type, logo, encode) ──► the asset
    visual (shared) ───┘

A visual depends on the concept's visual direction, palette, size and variant — not on the segment —
so cells that differ only by segment share one visual step. Editing one concept's headline changes only
that concept's copy keys, hence only its compose keys: exactly its cells re-render.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from assetline.engines.registry import EngineRegistry
from assetline.plan.keys import content_key, derive_seed
from assetline.plan.matrix import Cell, expand, guard
from assetline.spec.campaign import Concept
from assetline.spec.files import file_sha256
from assetline.spec.loader import LoadedCampaign

StepKind = Literal["copy", "visual", "compose"]


@dataclass(frozen=True)
class Step:
    key: str
    kind: StepKind
    engine_id: str
    engine_version: str
    job: dict[str, Any]
    """What the worker needs to rebuild the request (ids and numbers; the worker holds the specs)."""
    deps: tuple[str, ...] = ()
    lineage: dict[str, Any] = field(default_factory=dict)
    """Parameters and input hashes, stored with the artifact for provenance."""


@dataclass(frozen=True)
class PlannedCell:
    cell: Cell
    copy_key: str
    visual_key: str
    compose_key: str


@dataclass
class Plan:
    campaign_id: str
    cells: list[PlannedCell]
    steps: dict[str, Step]

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {"cells": len(self.cells), "steps": len(self.steps)}
        for step in self.steps.values():
            out[step.kind] = out.get(step.kind, 0) + 1
        return out


def choose_layout(concept: Concept, variant: int) -> str | None:
    """Concepts rotate through their layouts by variant; None lets the composer choose per format."""
    return concept.layouts[variant % len(concept.layouts)] if concept.layouts else None


def build_plan(loaded: LoadedCampaign, registry: EngineRegistry, max_cells: int) -> Plan:
    # 1. Check inputs: the explosion guard runs before anything is expanded.
    guard(loaded, max_cells)
    c, kit = loaded.campaign, loaded.brand.kit
    engines = c.engines
    versions = {eid: registry.version(eid) for eid in (engines.copy_, engines.visual, engines.compose)}
    registry.get(engines.copy_, "copy")
    registry.get(engines.visual, "visual")
    registry.get(engines.compose, "compose")

    # 2. Hashes of every input file (memoised) and the brand parts that shape a render.
    file_hashes = {ref: file_sha256(path) for ref, path in loaded.brand.files.items()}
    look = {"palette": [p.model_dump(mode="json") for p in kit.palette],
            "typography": kit.typography.model_dump(mode="json", exclude={"headline": {"licence"}}),
            "logos": [lg.model_dump(mode="json", exclude={"licence"}) for lg in kit.logos]}
    font_inputs = {f"font:{ref}": h for ref, h in file_hashes.items() if ref.startswith("fontpkg:")
                   or ref.lower().endswith((".ttf", ".otf"))}
    logo_inputs = {f"logo:{lg.id}": file_hashes[lg.file] for lg in kit.logos}
    concepts = {x.id: x for x in c.concepts}
    segments = {x.id: x for x in c.segments}
    formats = {f.id: f for f in loaded.formats}

    # 3. Steps per cell, deduplicated by key.
    steps: dict[str, Step] = {}
    cells: list[PlannedCell] = []
    for cell in expand(loaded):
        concept, segment, fmt = concepts[cell.concept], segments[cell.segment], formats[cell.format]

        copy_params = {"copy": concept.copy_for(segment.language).model_dump(mode="json"),
                       "segment": segment.model_dump(mode="json"), "limits": fmt.text_limits.model_dump(),
                       "variant": cell.variant, "seed": c.seed, "exclude": []}
        copy_key = content_key("copy", engines.copy_, versions[engines.copy_], copy_params, {})
        steps.setdefault(copy_key, Step(copy_key, "copy", engines.copy_, versions[engines.copy_],
                                        job={"concept": concept.id, "segment": segment.id, "format": fmt.id,
                                             "variant": cell.variant, "seed": c.seed, "exclude": []},
                                        lineage={"params": copy_params}))

        visual = concept.visual
        photo_inputs: dict[str, str] = {}
        if visual.photo:
            asset = kit.asset(visual.photo)
            assert asset is not None  # checked by the spec loader
            photo_inputs[f"photo:{asset.id}"] = file_hashes[asset.file]
        visual_seed = derive_seed(c.seed, concept.id, cell.variant)
        visual_params = {"visual": visual.model_dump(mode="json"), "palette": look["palette"],
                         "size": [fmt.width, fmt.height], "seed": visual_seed}
        visual_key = content_key("visual", engines.visual, versions[engines.visual], visual_params, photo_inputs)
        steps.setdefault(visual_key, Step(visual_key, "visual", engines.visual, versions[engines.visual],
                                          job={"concept": concept.id, "width": fmt.width, "height": fmt.height,
                                               "seed": visual_seed, "photo": visual.photo},
                                          lineage={"params": visual_params, "inputs": photo_inputs}))

        layout = choose_layout(concept, cell.variant)
        compose_seed = derive_seed(c.seed, cell.key)
        compose_params = {"layout": layout, "format": fmt.model_dump(mode="json"), "look": look,
                          "seed": compose_seed, "output": c.output.model_dump(mode="json")}
        compose_inputs = {"copy": copy_key, "visual": visual_key, **font_inputs, **logo_inputs}
        compose_key = content_key("compose", engines.compose, versions[engines.compose], compose_params,
                                  compose_inputs)
        steps.setdefault(compose_key, Step(compose_key, "compose", engines.compose, versions[engines.compose],
                                           job={"format": fmt.id, "layout": layout, "seed": compose_seed,
                                                "copy_key": copy_key, "visual_key": visual_key,
                                                "cell": cell.key},
                                           deps=(copy_key, visual_key),
                                           lineage={"params": compose_params, "inputs": compose_inputs}))
        cells.append(PlannedCell(cell, copy_key, visual_key, compose_key))
    return Plan(campaign_id=c.id, cells=cells, steps=steps)
