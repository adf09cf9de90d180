"""Step functions: what a worker does for one planned step. They run in worker processes (or inline).

A step reads its inputs (specs held by the worker, upstream blobs), calls its engine, writes its output
blob atomically and returns a StepOutput; the runner — never the worker — writes the database rows.
"""

from __future__ import annotations

import io
import json
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from PIL import Image

from assetline.engines.base import ComposeRequest, CopyRequest, CopyResult, VisualRequest
from assetline.engines.registry import EngineRegistry
from assetline.errors import AssetlineError
from assetline.plan.planner import Step
from assetline.qc.base import AssetUnderCheck, CheckContext
from assetline.qc.registry import CheckRegistry
from assetline.run.encode import encode_for_channel, lossless_intermediate
from assetline.spec.loader import LoadedCampaign
from assetline.store.blobs import BlobStore


@dataclass
class WorkerContext:
    """Everything a worker needs, built once per process."""

    loaded: LoadedCampaign
    blobs: BlobStore
    registry: EngineRegistry = field(default_factory=EngineRegistry.discover)
    checks: CheckRegistry = field(default_factory=CheckRegistry.discover)

    def __post_init__(self) -> None:
        c = self.loaded.campaign
        self.concepts = {x.id: x for x in c.concepts}
        self.segments = {x.id: x for x in c.segments}
        self.formats = {f.id: f for f in self.loaded.formats}
        self._check_context: CheckContext | None = None

    @property
    def check_context(self) -> CheckContext:
        """Settings from the campaign's QC policy and the kit's logo templates (built on first use)."""
        if self._check_context is None:
            from assetline.qc.standalone import logo_templates  # local: only compose steps need it

            brand = self.loaded.brand
            self._check_context = CheckContext(
                settings=dict(self.loaded.campaign.qc.settings),
                resources={"logo_templates": logo_templates(brand), "brand_path": brand.path})
        return self._check_context


@dataclass(frozen=True)
class StepOutput:
    key: str
    kind: str
    engine_id: str
    engine_version: str
    ok: bool
    blob_sha: str = ""
    media_type: str = ""
    size: int = 0
    meta: dict[str, Any] = field(default_factory=dict)
    error: str = ""
    seconds: float = 0.0


def execute(step: Step, ctx: WorkerContext) -> StepOutput:
    """Run one step; engine and input errors become a failed StepOutput (the run goes on)."""
    start = time.perf_counter()
    try:
        if step.kind == "copy":
            data, media, meta = _copy(step, ctx)
        elif step.kind == "visual":
            data, media, meta = _visual(step, ctx)
        else:
            data, media, meta = _compose(step, ctx)
        sha = ctx.blobs.put(data)
    except AssetlineError as exc:
        return StepOutput(step.key, step.kind, step.engine_id, step.engine_version, ok=False,
                          error=str(exc), seconds=time.perf_counter() - start)
    except Exception as exc:  # an engine bug: report it with its type, keep the run going
        return StepOutput(step.key, step.kind, step.engine_id, step.engine_version, ok=False,
                          error=f"{type(exc).__name__} in engine {step.engine_id}: {exc}",
                          seconds=time.perf_counter() - start)
    return StepOutput(step.key, step.kind, step.engine_id, step.engine_version, ok=True, blob_sha=sha,
                      media_type=media, size=len(data), meta=meta, seconds=time.perf_counter() - start)


def _copy(step: Step, ctx: WorkerContext) -> tuple[bytes, str, dict[str, Any]]:
    job = step.job
    engine = ctx.registry.get(step.engine_id, "copy")
    result: CopyResult = engine.generate(CopyRequest(
        concept=ctx.concepts[job["concept"]], segment=ctx.segments[job["segment"]],
        format=ctx.formats[job["format"]], variant=job["variant"], seed=job["seed"],
        exclude=tuple(job["exclude"])))
    payload = asdict(result)
    data = json.dumps(payload, ensure_ascii=False, sort_keys=True, indent=1).encode("utf-8")
    return data, "application/json", {"fields": result.fields, "language": result.language}


def _visual(step: Step, ctx: WorkerContext) -> tuple[bytes, str, dict[str, Any]]:
    job = step.job
    engine = ctx.registry.get(step.engine_id, "visual")
    photo: Path | None = None
    if job["photo"]:
        asset = ctx.loaded.brand.kit.asset(job["photo"])
        assert asset is not None
        photo = ctx.loaded.brand.file(asset.file)
    result = engine.generate(VisualRequest(brand=ctx.loaded.brand.kit, concept=ctx.concepts[job["concept"]],
                                           width=job["width"], height=job["height"], seed=job["seed"],
                                           photo=photo, variation=job.get("variation", 0)))
    meta = _jsonable(result.metadata)
    return lossless_intermediate(result.image, meta), "image/png", {"visual": meta}


def _compose(step: Step, ctx: WorkerContext) -> tuple[bytes, str, dict[str, Any]]:
    job = step.job
    kit, brand = ctx.loaded.brand.kit, ctx.loaded.brand
    fmt = ctx.formats[job["format"]]
    engine = ctx.registry.get(step.engine_id, "compose")
    copy_blob, visual_blob = job["copy_blob"], job["visual_blob"]
    copy = CopyResult(**json.loads(ctx.blobs.get(copy_blob)))
    background = Image.open(io.BytesIO(ctx.blobs.get(visual_blob)))
    background.load()
    typo = kit.typography
    fonts = {"headline": brand.file(typo.headline.file), "body": brand.file(typo.body.file)}
    fonts["cta"] = brand.file(typo.cta.file) if typo.cta else fonts["body"]
    fonts.update({script: brand.file(font.file) for script, font in typo.scripts.items()})
    logos = {lg.id: brand.file(lg.file) for lg in kit.logos}
    # The legal line: the kit's required disclaimers for this segment and the copy's language.
    legal = tuple(kit.voice.disclaimers_for(job.get("segment"), copy.language))
    result = engine.compose(ComposeRequest(
        brand=kit, format=fmt, copy=copy, background=background.convert("RGB"),
        background_meta=json.loads(background.info.get("assetline", "{}")), layout=job["layout"], fonts=fonts,
        logos=logos, seed=job["seed"], legal=legal))
    data, media, encoding = encode_for_channel(result.image, fmt, ctx.loaded.campaign.output)
    meta = {"layout": result.layout, "elements": [_jsonable(asdict(e)) for e in result.elements],
            "warnings": list(result.warnings), "copy": copy.fields, "language": copy.language,
            "direction": copy.direction, "encoding": encoding, "width": result.image.width,
            "height": result.image.height}
    # The per-asset QC gates run here, on the pixels and bytes as delivered; the runner applies the policy.
    asset = AssetUnderCheck(
        image=result.image, data=data, file_type=media.split("/")[-1], brand=kit, format=fmt,
        copy=dict(copy.fields), language=copy.language, segment=ctx.segments.get(job.get("segment", "")),
        elements=tuple(result.elements), asset_id=job.get("cell"))
    meta["qc"] = [_jsonable(r.to_dict()) for r in ctx.checks.run_asset(asset, ctx.check_context)]
    return data, media, meta


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, Path):
        return str(value)
    if hasattr(value, "item") and callable(value.item):  # numpy scalars
        return value.item()
    if hasattr(value, "tolist"):
        return value.tolist()
    return value
