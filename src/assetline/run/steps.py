"""Step functions: what a worker does for one planned step. They run in worker processes (or inline).

A step reads its inputs (specs held by the worker, upstream blobs), calls its engine, writes its output
blob atomically and returns a StepOutput; the runner — never the worker — writes the database rows.
"""

from __future__ import annotations

import io
import json
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from PIL import Image

from assetline.engines.base import (
    Box,
    ComposeRequest,
    CopyRequest,
    CopyResult,
    ProgressHook,
    VisualRequest,
    VisualResult,
    engine_trait,
)
from assetline.engines.registry import EngineRegistry
from assetline.engines.settings import engine_settings
from assetline.errors import AssetlineError
from assetline.plan.planner import Step
from assetline.qc.base import AssetUnderCheck, CheckContext, MotionUnderCheck
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
    progress: Callable[[str, int, int], None] | None = None
    """progress(step key, done, total) for engines that report steps (denoising); None: not reported."""

    def __post_init__(self) -> None:
        c = self.loaded.campaign
        self.concepts = {x.id: x for x in c.concepts}
        self.segments = {x.id: x for x in c.segments}
        self.formats = {f.id: f for f in self.loaded.formats}
        self._check_context: CheckContext | None = None
        self._settings: dict[str, Any] = {}

    def settings(self, engine_id: str) -> Any:
        """The engine's validated settings for this campaign (validated once per worker)."""
        if engine_id not in self._settings:
            self._settings[engine_id] = engine_settings(self.loaded, self.registry.classes[engine_id])
        return self._settings[engine_id]

    def progress_hook(self, step: Step) -> ProgressHook | None:
        report = self.progress
        if report is None:
            return None
        return lambda done, total: report(step.key, done, total)

    def fonts(self) -> dict[str, Path]:
        """The kit's resolved font files by role (and by script)."""
        typo, brand = self.loaded.brand.kit.typography, self.loaded.brand
        fonts = {"headline": brand.file(typo.headline.file), "body": brand.file(typo.body.file)}
        fonts["cta"] = brand.file(typo.cta.file) if typo.cta else fonts["body"]
        fonts.update({script: brand.file(font.file) for script, font in typo.scripts.items()})
        return fonts

    def logos(self) -> dict[str, Path]:
        return {lg.id: self.loaded.brand.file(lg.file) for lg in self.loaded.brand.kit.logos}

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
        exclude=tuple(job["exclude"]), brand=ctx.loaded.brand.kit, settings=ctx.settings(step.engine_id)))
    payload = asdict(result)
    data = json.dumps(payload, ensure_ascii=False, sort_keys=True, indent=1).encode("utf-8")
    return data, "application/json", {"fields": result.fields, "language": result.language}


def _visual(step: Step, ctx: WorkerContext) -> tuple[bytes, str, dict[str, Any]]:
    engine = ctx.registry.get(step.engine_id, "visual")
    request = _visual_request(step, ctx, engine)
    return _visual_output(step, request, engine.generate(request), _reserves(step, engine))


def _reserves(step: Step, engine: Any) -> bool:
    return bool(engine_trait(engine, "uses_layout") and step.job.get("copy_key"))


def _visual_request(step: Step, ctx: WorkerContext, engine: Any) -> VisualRequest:
    job = step.job
    photo: Path | None = None
    if job["photo"]:
        asset = ctx.loaded.brand.kit.asset(job["photo"])
        assert asset is not None
        photo = ctx.loaded.brand.file(asset.file)
    reserved: tuple[Box, ...] = ()
    layout = job.get("layout")
    if _reserves(step, engine):
        layout, reserved = _reserve(step, ctx)
    segment = ctx.segments.get(job["segment"]) if job.get("segment") else None
    return VisualRequest(
        brand=ctx.loaded.brand.kit, concept=ctx.concepts[job["concept"]], width=job["width"], height=job["height"],
        seed=job["seed"], photo=photo, variation=job.get("variation", 0), segment=segment, layout=layout,
        reserved=reserved, settings=ctx.settings(step.engine_id), progress=ctx.progress_hook(step))


def _visual_output(step: Step, request: VisualRequest, result: VisualResult,
                   reservation: bool) -> tuple[bytes, str, dict[str, Any]]:
    """The visual as a lossless PNG with its metadata; ``reservation``: the engine was told where the copy goes
    (the layout is recorded so the compose step uses the one the background was made for)."""
    meta = _jsonable(result.metadata)
    if reservation:
        meta["reservation"] = {"layout": request.layout, "boxes": [list(b) for b in request.reserved]}
    if result.image.size != (request.width, request.height):
        raise AssetlineError(f"engine {step.engine_id} returned {result.image.width}×{result.image.height}, "
                             f"not the requested {request.width}×{request.height}")
    return lossless_intermediate(result.image, meta), "image/png", {"visual": meta}


def batch_size(engine: Any, settings: Any) -> int:
    """How many visual steps ``engine`` takes in one call (1: no batching)."""
    if not hasattr(engine, "generate_batch"):
        return 1
    return max(1, int(getattr(settings, "batch_size", 1) or 1))


def execute_batch(steps: list[Step], ctx: WorkerContext) -> list[StepOutput]:
    """Run visual steps of one engine in one ``generate_batch`` call (warm pipeline, one batched forward pass);
    other steps, or an engine without batching, run one by one. A failed batch fails each of its steps."""
    engine_ids = {st.engine_id for st in steps}
    if len(steps) < 2 or len(engine_ids) != 1 or any(st.kind != "visual" for st in steps):
        return [execute(st, ctx) for st in steps]
    engine = ctx.registry.get(steps[0].engine_id, "visual")
    if not hasattr(engine, "generate_batch"):
        return [execute(st, ctx) for st in steps]
    start = time.perf_counter()
    try:
        requests = [_visual_request(st, ctx, engine) for st in steps]
        results = engine.generate_batch(requests)
        if len(results) != len(requests):
            raise AssetlineError(f"engine {steps[0].engine_id} returned {len(results)} images for a batch of "
                                 f"{len(requests)}")
        encoded = [_visual_output(st, rq, rs, _reserves(st, engine))
                   for st, rq, rs in zip(steps, requests, results, strict=True)]
        shas = [ctx.blobs.put(data) for data, _, _ in encoded]
    except Exception as exc:
        error = str(exc) if isinstance(exc, AssetlineError) else f"{type(exc).__name__} in engine " \
                                                                 f"{steps[0].engine_id}: {exc}"
        each = (time.perf_counter() - start) / len(steps)
        return [StepOutput(st.key, st.kind, st.engine_id, st.engine_version, ok=False, error=error, seconds=each)
                for st in steps]
    each = (time.perf_counter() - start) / len(steps)
    return [StepOutput(st.key, st.kind, st.engine_id, st.engine_version, ok=True, blob_sha=sha, media_type=media,
                       size=len(data), meta=meta, seconds=each)
            for st, sha, (data, media, meta) in zip(steps, shas, encoded, strict=True)]


def _reserve(step: Step, ctx: WorkerContext) -> tuple[str, tuple[Box, ...]]:
    """The layout and the boxes where the composer will put this cell's copy, CTA, legal line and logo
    (see compose/reserve.py)."""
    from assetline.engines.compose.reserve import reserve  # local: only layout-aware engines need it

    job, kit = step.job, ctx.loaded.brand.kit
    copy = CopyResult(**json.loads(ctx.blobs.get(job["blobs"][job["copy_key"]])))
    fmt = ctx.formats[job["format"]]
    compose = ctx.registry.get(ctx.loaded.campaign.engines.compose, "compose")
    found = reserve(compose, kit, fmt, copy, job.get("layout"), ctx.fonts(), ctx.logos(),
                    tuple(kit.voice.disclaimers_for(job.get("segment"), copy.language)), job.get("compose_seed", 0))
    return found.layout, found.boxes


def _compose(step: Step, ctx: WorkerContext) -> tuple[bytes, str, dict[str, Any]]:
    job = step.job
    kit = ctx.loaded.brand.kit
    fmt = ctx.formats[job["format"]]
    engine = ctx.registry.get(step.engine_id, "compose")
    copy_blob, visual_blob = job["copy_blob"], job["visual_blob"]
    copy = CopyResult(**json.loads(ctx.blobs.get(copy_blob)))
    background = Image.open(io.BytesIO(ctx.blobs.get(visual_blob)))
    background.load()
    fonts, logos = ctx.fonts(), ctx.logos()
    # The legal line: the kit's required disclaimers for this segment and the copy's language.
    legal = tuple(kit.voice.disclaimers_for(job.get("segment"), copy.language))
    background_meta = json.loads(background.info.get("assetline", "{}"))
    # A background generated around reserved areas is composed with the layout it was generated for.
    layout = job["layout"] or (background_meta.get("reservation") or {}).get("layout")
    result = engine.compose(ComposeRequest(
        brand=kit, format=fmt, copy=copy, background=background.convert("RGB"),
        background_meta=background_meta, layout=layout, fonts=fonts,
        logos=logos, seed=job["seed"], legal=legal))
    motion: MotionUnderCheck | None = None
    checked_image = result.image
    if fmt.video is not None:  # a motion format: the still is the end card; the asset is the video
        from assetline.run.motion_step import animate  # local: only motion formats need the video stack

        animated = animate(job, ctx, fmt, copy, background.convert("RGB"), result, background_meta)
        data, media, motion, checked_image = (animated.data, animated.media_type, animated.under_check,
                                              animated.poster)
        encoding: dict[str, Any] = {"container": media.split("/")[-1], **animated.meta.get("encoding", {})}
    else:
        data, media, encoding = encode_for_channel(result.image, fmt, ctx.loaded.campaign.output)
    meta = {"layout": result.layout, "elements": [_jsonable(asdict(e)) for e in result.elements],
            "warnings": list(result.warnings), "copy": copy.fields, "language": copy.language,
            "direction": copy.direction, "encoding": encoding, "width": result.image.width,
            "height": result.image.height}
    if fmt.video is not None:
        meta["motion"] = _jsonable(animated.meta)
    # The per-asset QC gates run here, on the pixels and bytes as delivered; the runner applies the policy.
    asset = AssetUnderCheck(
        image=checked_image, data=data, file_type=media.split("/")[-1], brand=kit, format=fmt,
        copy=dict(copy.fields), language=copy.language, segment=ctx.segments.get(job.get("segment", "")),
        elements=tuple(result.elements), asset_id=job.get("cell"), motion=motion)
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
