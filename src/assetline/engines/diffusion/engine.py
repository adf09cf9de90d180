"""The diffusion visual engine: on-brand backgrounds and outpainted product shots from a local SD/SDXL/Flux model.

Usage::

    from assetline.engines.base import VisualRequest
    from assetline.engines.diffusion.engine import DiffusionVisualEngine
    from assetline.engines.diffusion.settings import DiffusionSettings

    engine = DiffusionVisualEngine()
    settings = DiffusionSettings(model="models/sd15", lora="models/brand.safetensors", steps=30)
    result = engine.generate(VisualRequest(brand=kit, concept=concept, width=1080, height=1350, seed=7,
                                           reserved=((80, 900, 1000, 1250),), settings=settings))
    result.image                    # RGB, exactly 1080 × 1350; the reserved box holds a calm brand plate
    result.metadata["mode"]         # 'txt2img' | 'outpaint'
    engine.generate_batch([r1, r2]) # the same images, batched through one pipeline call where they match

What it does, per request (see plan.py, denoise.py, layout.py):
- prompt: the concept's prompt, the brand's imagery prompt, style/treatment words, the segment (prompt.py);
- generates at ``resolution`` on the long side (multiples of 8) and resizes to the format with Lanczos;
- ``layout_guidance: mask`` keeps the reserved boxes calm with blended latents and a calm plate;
  ``controlnet`` conditions a ControlNet on an image of the boxes; ``none`` ignores them;
- style 'photo' with a photo: outpaints around the product photo (fitted whole, never cropped) and pastes its
  exact pixels back.

Pipelines stay warm per engine instance (loader.py); nothing is downloaded; importing this module does not
import torch.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar

from assetline.engines.base import Modality, ModelRef, VisualRequest, VisualResult
from assetline.engines.diffusion.denoise import denoise
from assetline.engines.diffusion.imports import require_diffusion
from assetline.engines.diffusion.layout import plate_colours
from assetline.engines.diffusion.loader import PipelineCache, WarmModel, apply_lora, check_model_path
from assetline.engines.diffusion.plan import Job, finish, plan_job
from assetline.engines.diffusion.settings import DiffusionSettings
from assetline.engines.fingerprint import fingerprint
from assetline.errors import EngineError

MAX_SIDE = 8192
CLIP_WINDOW = 77
"""Tokens a CLIP text encoder reads (with the start and end tokens); longer tokenizers (T5) are not the limit."""
SETTINGS_HINT = "set engines.settings.diffusion.model in the campaign, or imagery.model in the brand kit"


class DiffusionVisualEngine:
    """Text-to-image and outpainting with diffusers, layout-aware.

    Components:
        cache_size: base models kept loaded per engine instance (least recently used dropped). LoRAs,
            schedulers and ControlNets are switched on a loaded model without reloading it.
    """

    id: ClassVar[str] = "diffusion"
    version: ClassVar[str] = "2"
    """2: ``scheduler: pndm`` skips the Runge-Kutta warm-up; Flux generates in multiples of 16."""
    modality: ClassVar[Modality] = "visual"
    settings_model: ClassVar[type[DiffusionSettings]] = DiffusionSettings
    path_fields: ClassVar[tuple[str, ...]] = ("model", "lora", "controlnet", "single_file_config")
    unkeyed_fields: ClassVar[tuple[str, ...]] = ("batch_size",)
    """Batching changes throughput, not the picture (within 1/255 on CPU): it must not re-render anything."""
    trained: ClassVar[bool] = True
    uses_segment: ClassVar[bool] = True
    uses_layout: ClassVar[bool] = True

    def __init__(self, *, cache_size: int = 2) -> None:
        self._cache = PipelineCache(cache_size)

    def check_ready(self, settings: DiffusionSettings) -> None:
        """Before a run writes anything: the diffusion extra is installed (else one clear EngineError)."""
        require_diffusion()

    # ------------------------------------------------------------ models (plan time; no torch needed)
    def models(self, settings: DiffusionSettings) -> list[ModelRef]:
        """The base model, the LoRA (licence, weight) and the ControlNet the settings use, fingerprinted.
        Raises FileNotFoundError for a missing file, EngineError for a folder that is not a diffusers model."""
        settings = _settings(settings)
        base = check_model_path(settings.model)
        refs = [ModelRef(role="base", title=base.name, sha256=fingerprint(base), licence=settings.model_licence)]
        if settings.lora:
            lora = _existing(settings.lora, "LoRA")
            refs.append(ModelRef(role="lora", title=lora.name, sha256=fingerprint(lora),
                                 licence=settings.lora_licence, weight=settings.lora_weight))
        if settings.controlnet:
            controlnet = _existing(settings.controlnet, "ControlNet")
            refs.append(ModelRef(role="controlnet", title=controlnet.name, sha256=fingerprint(controlnet),
                                 weight=settings.controlnet_scale))
        return refs

    # ------------------------------------------------------------ generation
    def check_inputs(self, request: VisualRequest) -> DiffusionSettings:
        settings = _settings(request.settings)
        w, h = request.width, request.height
        if not (isinstance(w, int) and isinstance(h, int)) or w < 1 or h < 1:
            raise EngineError(f"visual size must be two positive integers, got {w!r} × {h!r}")
        if max(w, h) > MAX_SIDE:
            raise EngineError(f"visual size {w} × {h} exceeds the {MAX_SIDE} px limit per side",
                              hint="pick a smaller format")
        if not isinstance(request.seed, int) or request.seed < 0:
            raise EngineError(f"seed must be a non-negative integer, got {request.seed!r}")
        if request.photo is not None and request.concept.visual.style == "photo" and not Path(request.photo).is_file():
            raise EngineError(f"photo file not found: {request.photo}", hint="check the asset's file in the brand kit")
        return settings

    def generate(self, request: VisualRequest) -> VisualResult:
        return self.generate_batch([request])[0]

    def generate_batch(self, requests: list[VisualRequest]) -> list[VisualResult]:
        """One result per request, in order; the same images as ``generate`` one by one. Requests with the same
        settings, generation size and mode share pipeline calls of up to ``batch_size`` images."""
        # 1. Check inputs
        checked = [(request, self.check_inputs(request)) for request in requests]
        if not checked:
            return []
        require_diffusion()

        # 2. Load (warm) pipelines and plan every job
        planned: list[tuple[Job, DiffusionSettings, WarmModel]] = []
        for request, settings in checked:
            warm = self._cache.get(settings)
            job = plan_job(request, settings, warm.model_type, token_counter(warm.pipe))
            if warm.model_type == "flux" and job.known_mask is not None:
                raise EngineError("Flux models cannot keep reserved areas calm or outpaint a photo in this engine",
                                  hint="set layout_guidance: none and use a generated style, or an SD/SDXL model")
            planned.append((job, settings, warm))

        # 3. Group compatible jobs into batches
        groups: dict[tuple[Any, ...], list[int]] = {}
        for index, (job, settings, _) in enumerate(planned):
            groups.setdefault((settings.cache_key(), job.gen_size, job.mode), []).append(index)
        results: list[VisualResult | None] = [None] * len(planned)
        for indices in groups.values():
            settings, warm = planned[indices[0]][1], planned[indices[0]][2]
            for start in range(0, len(indices), settings.batch_size):
                chunk = indices[start:start + settings.batch_size]
                jobs = [planned[i][0] for i in chunk]

                # 4. Denoise the batch in one pipeline call (LoRA and scheduler switched in place)
                adapter = apply_lora(warm, settings.lora, settings.lora_weight)
                pipe = warm.pipeline(settings)
                images, blend_steps = denoise(warm, pipe, jobs, settings)

                # 5. Finish each image: output size, calm plate, exact photo; metadata
                for i, job, image in zip(chunk, jobs, images, strict=True):
                    results[i] = VisualResult(image=finish(job, image, settings),
                                              metadata=_metadata(job, settings, warm, pipe, adapter, blend_steps))
        return [r for r in results if r is not None]


def token_counter(pipe: Any) -> Callable[[str], int] | None:
    """Counts a prompt's tokens for the CLIP text encoders that read it (77-token windows): ``tokenizer`` and,
    on SDXL, ``tokenizer_2`` (the most of the two); Flux's T5 ``tokenizer_2`` reads 512 and is not the limit.
    None when the pipeline has no CLIP tokenizer (nothing is dropped then)."""
    tokenizers = [tok for tok in (getattr(pipe, "tokenizer", None), getattr(pipe, "tokenizer_2", None))
                  if tok is not None and getattr(tok, "model_max_length", 0) <= CLIP_WINDOW]
    if not tokenizers:
        return None
    return lambda text: max(len(tok.tokenize(text)) for tok in tokenizers)


def _settings(settings: Any) -> DiffusionSettings:
    if settings is None:
        raise EngineError("the diffusion engine needs settings naming a model", hint=SETTINGS_HINT)
    if not isinstance(settings, DiffusionSettings):
        raise EngineError(f"the diffusion engine's settings must be DiffusionSettings, got {type(settings).__name__}",
                          hint="validate the block with DiffusionSettings.model_validate(...)")
    return settings


def _existing(path: str, what: str) -> Path:
    p = Path(path)
    if not p.exists():
        raise FileNotFoundError(f"{what} not found: {p}")
    return p


def _metadata(job: Job, settings: DiffusionSettings, warm: WarmModel, pipe: Any, adapter: str | None,
              blend_steps: int) -> dict[str, Any]:
    request = job.request
    gw, gh = job.gen_size
    meta: dict[str, Any] = {
        "engine": "diffusion", "mode": job.mode, "style": request.concept.visual.style, "seed": request.seed,
        "prompt": job.prompt.text, "prompt_tokens": job.prompt.tokens, "prompt_dropped": list(job.prompt.dropped),
        "negative_prompt": job.negative if warm.model_type != "flux" else None,
        "steps": settings.steps, "guidance": settings.guidance,
        "scheduler": settings.scheduler or type(pipe.scheduler).__name__, "size_generated": [gw, gh],
        "model": Path(settings.model).name, "model_type": warm.model_type, "device": warm.device,
        "dtype": str(warm.dtype).removeprefix("torch."),
        "lora": Path(settings.lora).name if settings.lora else None,
        "lora_weight": settings.lora_weight if adapter else None,
        "controlnet": Path(settings.controlnet).name if settings.controlnet else None,
        "controlnet_scale": settings.controlnet_scale if settings.controlnet else None,
        "layout_guidance": settings.layout_guidance, "reserved": [list(b) for b in job.reserved],
    }
    if job.plate is not None:
        top, bottom = plate_colours(request.brand)
        meta["calm"] = {"plate": [_hex(top), _hex(bottom)],
                        "strength": settings.calm_strength, "feather": settings.calm_feather,
                        "blend_steps": blend_steps}
    if job.photo_box is not None and job.photo is not None:
        meta["photo_box"] = list(job.photo_box)
        meta["subject_box"] = list(job.photo_box)
        meta["source_size"] = list(job.photo.size)
        meta["photo_blend_steps"] = blend_steps
    return meta


def _hex(rgb: tuple[int, int, int]) -> str:
    return "#{:02X}{:02X}{:02X}".format(*rgb)
