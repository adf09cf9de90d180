"""The planner: a campaign becomes cells and steps, each step named by its content key.

Per cell there are three steps:

    copy (per cell)  ──┐
                       ├──► compose (per cell: layout, type, logo, encode) ──► the asset
    visual (shared) ───┘

A compose step also runs the per-asset QC gates, so the installed checks' ids and versions and the
campaign's QC settings enter its key. A cell whose render fails a blocking check is planned again as
attempt n (``Plan.add_cell``): new compose seed, shifted copy draw, new keys.

A visual depends on the concept's visual direction, palette, size and variant — not on the segment —
so cells that differ only by segment share one visual step. Editing one concept's headline changes only
that concept's copy keys, hence only its compose keys: exactly its cells re-render.

Generative engines declare traits (engines/base.py) that widen their keys: ``uses_segment`` puts the segment
into the visual key (the prompt names the audience), ``uses_layout`` makes the visual step depend on the
cell's copy step (the composer's boxes for that copy become the calm areas of the generated background),
``uses_brand_voice`` puts the kit's voice into the copy key. Every engine's validated settings (minus file
paths) and the fingerprints of the models it uses enter its keys, so swapping a model or a LoRA re-renders
exactly the steps that used it; the models are recorded in the step's lineage for provenance.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from assetline.engines.base import engine_trait
from assetline.engines.registry import EngineRegistry
from assetline.engines.settings import engine_models, engine_settings
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
    attempt: int = 0
    """0 for the first render; n for the n-th regeneration after a blocking QC failure."""


@dataclass
class Plan:
    campaign_id: str
    cells: list[PlannedCell]
    """Attempt 0 of every cell."""
    steps: dict[str, Step]
    cell_planner: CellPlanner | None = field(default=None, repr=False)
    by_compose: dict[str, PlannedCell] = field(default_factory=dict, repr=False)
    """Compose key → planned cell, for every attempt planned so far."""

    def add_cell(self, cell: Cell, attempt: int) -> PlannedCell:
        """Plan ``attempt`` of ``cell`` (attempt > 0: a regeneration) and add its steps (deduplicated)."""
        assert self.cell_planner is not None, "plan built without a cell planner"
        planned, steps = self.cell_planner.steps(cell, attempt)
        for step in steps:
            self.steps.setdefault(step.key, step)
        self.by_compose[planned.compose_key] = planned
        return planned

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {"cells": len(self.cells), "steps": len(self.steps)}
        for step in self.steps.values():
            out[step.kind] = out.get(step.kind, 0) + 1
        return out


def choose_layout(concept: Concept, variant: int) -> str | None:
    """Concepts rotate through their layouts by variant; None lets the composer choose per format."""
    return concept.layouts[variant % len(concept.layouts)] if concept.layouts else None


def build_plan(loaded: LoadedCampaign, registry: EngineRegistry, max_cells: int,
               check_versions: dict[str, str] | None = None,
               directions: dict[str, dict[str, Any]] | None = None) -> Plan:
    """Cells and steps of ``loaded``. ``check_versions`` (check id → version, from
    ``CheckRegistry.versions()``) enters every compose key, since the compose step runs the QC gates;
    None discovers the installed checks. ``directions`` (cell key → a reviewer's accumulated change
    requests, see review/direction.py) steer those cells: excluded copy, a new seed, another layout."""
    # 1. Check inputs: the explosion guard runs before anything is expanded.
    guard(loaded, max_cells)
    engines = loaded.campaign.engines
    registry.get(engines.copy_, "copy")
    registry.get(engines.visual, "visual")
    registry.get(engines.compose, "compose")
    if any(f.video is not None for f in loaded.formats):
        registry.get(engines.motion, "motion")
        registry.get(engines.voice, "voice")
    if check_versions is None:
        from assetline.qc.registry import CheckRegistry  # local: entry points are read only when needed

        check_versions = CheckRegistry.discover().versions()

    # 2–3. Steps per cell (attempt 0), deduplicated by key.
    cell_planner = CellPlanner(loaded, registry, check_versions, directions)
    plan = Plan(campaign_id=loaded.campaign.id, cells=[], steps={}, cell_planner=cell_planner)
    for cell in expand(loaded):
        plan.cells.append(plan.add_cell(cell, 0))
    return plan


class CellPlanner:
    """Builds the three steps of one cell for one attempt. Attempt 0 is the first render; attempt n > 0
    is the n-th regeneration after a blocking QC failure: a new compose seed, and a copy draw shifted past
    every variant of the brief (so the retry may pick another copy alternative without copying a sibling
    variant's)."""

    def __init__(self, loaded: LoadedCampaign, registry: EngineRegistry,
                 check_versions: dict[str, str], directions: dict[str, dict[str, Any]] | None = None) -> None:
        c, kit = loaded.campaign, loaded.brand.kit
        self.loaded = loaded
        self.directions = {k: v for k, v in (directions or {}).items() if v}
        self.engines = c.engines
        engine_ids = (c.engines.copy_, c.engines.visual, c.engines.compose)
        self.versions = {eid: registry.version(eid) for eid in engine_ids}
        if any(f.video is not None for f in loaded.formats):  # motion formats: the motion and voice engines
            self.versions.update({eid: registry.version(eid) for eid in (c.engines.motion, c.engines.voice)})
        self.traits: dict[str, dict[str, Any]] = {}
        """Per engine: its trained/uses_* traits, its settings for keys (paths left out) and its models."""
        self.settings: dict[str, Any] = {}
        """Per engine: its validated settings (validated once per plan; the runner reuses them)."""
        for eid in engine_ids:
            engine_cls = registry.classes[eid]
            settings = self.settings[eid] = engine_settings(loaded, engine_cls)
            models = [asdict(m) for m in engine_models(registry.get(eid), settings, loaded)]
            fallback = c.engines.licences.get(eid)
            for m in models:  # a model without its own licence record takes the campaign's for its engine
                if m["licence"] is None and fallback is not None and m["role"] != "workflow":
                    m["licence"] = fallback.model_dump(mode="json")
            # Paths (the model fingerprints stand for them), licences and unkeyed fields change no output.
            skip = {*engine_trait(engine_cls, "path_fields"), *engine_trait(engine_cls, "unkeyed_fields")}
            keyed = {} if settings is None else {k: v for k, v in settings.model_dump(mode="json").items()
                                                if k not in skip and not k.endswith("licence")}
            self.traits[eid] = {
                **{t: bool(engine_trait(engine_cls, t)) for t in ("trained", "uses_segment", "uses_layout",
                                                                  "uses_brand_voice")},
                "key": ({"settings": keyed} if settings is not None else {})
                | ({"models": [{k: m[k] for k in ("role", "sha256", "weight")} for m in models]} if models else {}),
                "models": models}
        self.checks = {"versions": dict(check_versions), "settings": c.qc.settings}
        # Hashes of every input file (memoised) and the brand parts that shape a render.
        self.file_hashes = {ref: file_sha256(path) for ref, path in loaded.brand.files.items()}
        self.look = {"palette": [p.model_dump(mode="json") for p in kit.palette],
                     "typography": _without_licences(kit.typography.model_dump(mode="json")),
                     "logos": [lg.model_dump(mode="json", exclude={"licence"}) for lg in kit.logos],
                     "disclaimers": [d.model_dump(mode="json") for d in kit.voice.required_disclaimers]}
        self.font_inputs = {f"font:{ref}": h for ref, h in self.file_hashes.items()
                            if ref.startswith("fontpkg:") or ref.lower().endswith((".ttf", ".otf"))}
        self.logo_inputs = {f"logo:{lg.id}": self.file_hashes[lg.file] for lg in kit.logos}
        self.concepts = {x.id: x for x in c.concepts}
        self.segments = {x.id: x for x in c.segments}
        self.formats = {f.id: f for f in loaded.formats}

    def steps(self, cell: Cell, attempt: int) -> tuple[PlannedCell, list[Step]]:
        c, kit, engines, versions = self.loaded.campaign, self.loaded.brand.kit, self.engines, self.versions
        concept, segment = self.concepts[cell.concept], self.segments[cell.segment]
        fmt = self.formats[cell.format]

        # A reviewer's direction (empty for most cells) enters the keys only when present, so cells nobody
        # asked to change keep their keys.
        direction = self.directions.get(cell.key, {})
        exclude = sorted(direction.get("exclude", []))
        salt = int(direction.get("salt", 0))
        steer = {"direction": direction} if direction else {}
        copy_variant = cell.variant + attempt * c.variants
        copy_params = {"copy": concept.copy_for(segment.language).model_dump(mode="json"),
                       "segment": segment.model_dump(mode="json"), "limits": fmt.text_limits.model_dump(),
                       "variant": copy_variant, "seed": c.seed, "exclude": exclude}
        copy_traits = self.traits[engines.copy_]
        if copy_traits["uses_brand_voice"]:
            copy_params["voice"] = {"brand": kit.name, **kit.voice.model_dump(mode="json")}
        copy_params.update(copy_traits["key"])
        copy_key = content_key("copy", engines.copy_, versions[engines.copy_], copy_params, {})
        copy_step = Step(copy_key, "copy", engines.copy_, versions[engines.copy_],
                         job={"concept": concept.id, "segment": segment.id, "format": fmt.id,
                              "variant": copy_variant, "seed": c.seed, "exclude": exclude},
                         lineage={"params": copy_params, **_trained(copy_traits)})

        visual = concept.visual
        photo_inputs: dict[str, str] = {}
        if visual.photo:
            asset = kit.asset(visual.photo)
            assert asset is not None  # checked by the spec loader
            photo_inputs[f"photo:{asset.id}"] = self.file_hashes[asset.file]
        visual_seed = derive_seed(c.seed, concept.id, cell.variant, *([cell.key, "salt", salt] if salt else []))
        visual_params = {"visual": visual.model_dump(mode="json"), "palette": self.look["palette"],
                         "size": [fmt.width, fmt.height], "seed": visual_seed, **({"variation": salt} if salt else {})}
        layout = direction.get("layout") or choose_layout(concept, cell.variant)
        compose_seed = derive_seed(c.seed, cell.key, *([attempt] if attempt else []),
                                   *(["salt", salt] if salt else []))
        visual_traits = self.traits[engines.visual]
        visual_job: dict[str, Any] = {"concept": concept.id, "width": fmt.width, "height": fmt.height,
                                      "seed": visual_seed, "photo": visual.photo, "variation": salt}
        visual_inputs = dict(photo_inputs)
        visual_deps: tuple[str, ...] = ()
        if visual_traits["uses_segment"]:
            visual_params["segment"] = segment.model_dump(mode="json")
            visual_job["segment"] = segment.id
        if visual_traits["uses_layout"]:  # the composer's boxes for this cell's copy stay calm
            visual_params.update({"layout": layout, "look": self.look, "compose_seed": compose_seed,
                                  "format": fmt.id})
            visual_inputs.update({"copy": copy_key, **self.font_inputs, **self.logo_inputs})
            visual_job.update({"layout": layout, "format": fmt.id, "segment": segment.id, "copy_key": copy_key,
                               "compose_seed": compose_seed})
            visual_deps = (copy_key,)
        visual_params.update(visual_traits["key"])
        visual_key = content_key("visual", engines.visual, versions[engines.visual], visual_params,
                                 visual_inputs)
        visual_step = Step(visual_key, "visual", engines.visual, versions[engines.visual], job=visual_job,
                           deps=visual_deps,
                           lineage={"params": visual_params, "inputs": visual_inputs, **_trained(visual_traits)})

        compose_params = {"layout": layout, "format": fmt.model_dump(mode="json"), "look": self.look,
                          "seed": compose_seed, "output": c.output.model_dump(mode="json"), "qc": self.checks,
                          "attempt": attempt, **steer}
        compose_inputs = {"copy": copy_key, "visual": visual_key, **self.font_inputs, **self.logo_inputs}
        if fmt.video is not None:  # a motion format: the compose step also animates, speaks and encodes
            motion_params, motion_inputs = self._motion(fmt.id)
            compose_params["motion"] = motion_params
            compose_inputs.update(motion_inputs)
        compose_key = content_key("compose", engines.compose, versions[engines.compose], compose_params,
                                  compose_inputs)
        compose_step = Step(compose_key, "compose", engines.compose, versions[engines.compose],
                            job={"format": fmt.id, "layout": layout, "seed": compose_seed,
                                 "copy_key": copy_key, "visual_key": visual_key, "cell": cell.key,
                                 "attempt": attempt, "segment": segment.id,
                                 "notes": list(direction.get("notes", [])),
                                 **({"motion": compose_params["motion"]} if fmt.video is not None else {})},
                            deps=(copy_key, visual_key),
                            lineage={"params": compose_params, "inputs": compose_inputs})
        planned = PlannedCell(cell, copy_key, visual_key, compose_key, attempt)
        return planned, [copy_step, visual_step, compose_step]


    def _motion(self, format_id: str) -> tuple[dict[str, Any], dict[str, str]]:
        """What shapes a motion format's video beyond its still: the motion and voice engines, the length,
        the captions and voice-over options, and the music file's hash."""
        c, kit = self.loaded.campaign, self.loaded.brand.kit
        fmt = self.formats[format_id]
        assert fmt.video is not None
        motion = c.motion
        params: dict[str, Any] = {
            "engine": c.engines.motion, "version": self.versions[c.engines.motion],
            "voice_engine": c.engines.voice, "voice_version": self.versions[c.engines.voice],
            "duration": motion_duration(self.loaded, format_id), "captions": motion.captions,
            "end_card": motion.end_card, "voiceover": motion.voiceover.model_dump(mode="json")}
        inputs: dict[str, str] = {}
        if motion.voiceover.enabled and motion.voiceover.music:
            asset = kit.asset(motion.voiceover.music)
            assert asset is not None  # checked by the spec loader
            inputs[f"music:{asset.id}"] = self.file_hashes[asset.file]
        return params, inputs


def motion_duration(loaded: LoadedCampaign, format_id: str) -> float:
    """The length of a motion format's videos in this campaign (motion.durations, else the format's default)."""
    fmt = next(f for f in loaded.formats if f.id == format_id)
    assert fmt.video is not None
    return float(loaded.campaign.motion.durations.get(format_id, fmt.video.duration))


def _trained(traits: dict[str, Any]) -> dict[str, Any]:
    """Lineage entries of a step made by a trained model: the flag and the models (with licences)."""
    return {"trained": True, "models": traits["models"]} if traits["trained"] else {}


def _without_licences(value: Any) -> Any:
    """A spec dump minus licence records: a licence edit changes no pixel, so it must not re-render."""
    if isinstance(value, dict):
        return {k: _without_licences(v) for k, v in value.items() if k != "licence"}
    if isinstance(value, list):
        return [_without_licences(v) for v in value]
    return value
