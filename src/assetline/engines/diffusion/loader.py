"""Loading diffusers pipelines, warm: one load per model, then LoRA, scheduler and ControlNet switched in place.

    cache = PipelineCache(size=2)
    warm = cache.get(settings)                  # loads on first use, keyed by the model's fingerprint
    pipe = warm.pipeline(settings)              # the base pipeline, or its ControlNet variant
    apply_lora(warm, settings.lora, settings.lora_weight)

The cache key is (model fingerprint, model type, device, dtype, single-file config): editing the model's files
reloads it, a LoRA or its weight, the scheduler or the ControlNet never reload the base model. LoRAs are loaded
once with ``load_lora_weights`` and switched with ``set_adapters`` / ``disable_lora``; ControlNet pipelines are
built with ``from_pipe`` and share the base model's modules.

Every failure of diffusers/transformers to load a file becomes an EngineError naming the path. Heavy imports
happen inside functions, after ``require_diffusion()``.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assetline.engines.diffusion.imports import quiet_libraries, require_diffusion
from assetline.engines.diffusion.settings import DiffusionSettings
from assetline.engines.fingerprint import fingerprint
from assetline.errors import AssetlineError, EngineError

SINGLE_FILE_SUFFIXES = (".safetensors", ".ckpt")
SINGLE_FILE_REPOS = {"sd15": "stable-diffusion-v1-5/stable-diffusion-v1-5",
                     "sdxl": "stabilityai/stable-diffusion-xl-base-1.0"}
"""The architectures whose configs a single-file checkpoint is read with, when already in the local HF cache."""
OOM_HINT = "lower engines.settings.diffusion.resolution or batch_size, or use dtype: float16"


def resolve_device(name: str) -> str:
    """'auto' → cuda, then mps, then cpu; an explicit device that is not there is an EngineError."""
    import torch

    if name == "auto":
        if torch.cuda.is_available():
            return "cuda"
        return "mps" if torch.backends.mps.is_available() else "cpu"
    if name == "cuda" and not torch.cuda.is_available():
        raise EngineError("device 'cuda' was asked for but torch sees no CUDA GPU",
                          hint="set device: auto (or cpu), or install a CUDA build of torch")
    if name == "mps" and not torch.backends.mps.is_available():
        raise EngineError("device 'mps' was asked for but torch has no MPS support here", hint="set device: auto")
    return name


def resolve_dtype(name: str, device: str) -> Any:
    """'auto' → float16 on CUDA, float32 elsewhere; a torch.dtype."""
    import torch

    if name == "auto":
        name = "float16" if device == "cuda" else "float32"
    return {"float16": torch.float16, "bfloat16": torch.bfloat16, "float32": torch.float32}[name]


def check_model_path(model: str) -> Path:
    """The model path, checked: a diffusers folder (with model_index.json) or a single checkpoint file."""
    path = Path(model)
    if not path.exists():
        raise FileNotFoundError(f"diffusion model not found: {path}")
    if path.is_dir():
        if not (path / "model_index.json").is_file():
            raise EngineError(f"{path} is not a diffusers model folder (it has no model_index.json)",
                              hint="point model at a folder saved with save_pretrained(), or at a single "
                                   ".safetensors/.ckpt checkpoint")
    elif path.suffix.lower() not in SINGLE_FILE_SUFFIXES:
        raise EngineError(f"{path} is neither a diffusers folder nor a .safetensors/.ckpt checkpoint",
                          hint="point model at a diffusers folder or a single-file checkpoint")
    return path


def detect_model_type(path: Path, declared: str) -> str:
    """'sd15' | 'sdxl' | 'flux' for a checked model path (``declared`` unless it is 'auto')."""
    if declared != "auto":
        return declared
    if path.is_dir():
        try:
            name = str(json.loads((path / "model_index.json").read_text(encoding="utf-8"))["_class_name"])
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise EngineError(f"cannot read {path / 'model_index.json'}: {exc}",
                              hint="the folder's model_index.json must name its pipeline in _class_name") from exc
        if name.startswith("Flux"):
            return "flux"
        if name.startswith("StableDiffusionXL"):
            return "sdxl"
        if name.startswith("StableDiffusion"):
            return "sd15"
        raise EngineError(f"{path}: pipeline '{name}' is not supported by the diffusion engine",
                          hint="use a Stable Diffusion 1.x/2.x, SDXL or Flux model, or set model_type")
    keys = _checkpoint_keys(path)
    if any(k.startswith("conditioner.embedders.1") for k in keys):
        return "sdxl"
    if any("double_blocks." in k for k in keys):
        return "flux"
    if any(k.startswith("model.diffusion_model.") for k in keys):
        return "sd15"
    raise EngineError(f"cannot tell which model family the checkpoint {path} is",
                      hint="set model_type: sd15 | sdxl | flux in engines.settings.diffusion")


def _checkpoint_keys(path: Path) -> list[str]:
    require_diffusion()
    try:
        if path.suffix.lower() == ".safetensors":
            from safetensors import safe_open

            with safe_open(str(path), framework="pt") as fh:
                return list(fh.keys())
        import torch

        state = torch.load(str(path), map_location="cpu", mmap=True, weights_only=True)
        state = state.get("state_dict", state) if isinstance(state, dict) else state
        return [str(k) for k in state] if isinstance(state, dict) else []
    except Exception as exc:  # a foreign format error: translated at the boundary
        raise EngineError(f"cannot read the checkpoint {path}: {exc}",
                          hint="the file must be a .safetensors or a PyTorch .ckpt checkpoint") from exc


@dataclass
class WarmModel:
    """A loaded base pipeline and what is switched on it in place."""

    pipe: Any
    model_type: str
    device: str
    dtype: Any
    adapter: str | None = None
    """The LoRA adapter loaded on the pipeline (at most one), or None."""
    controlnets: dict[str, Any] = field(default_factory=dict)
    """ControlNet pipelines by the ControlNet's fingerprint (sharing the base modules)."""
    schedulers: dict[str, Any] = field(default_factory=dict)
    default_scheduler: Any = None

    def pipeline(self, settings: DiffusionSettings) -> Any:
        """The pipeline for ``settings``: base, or ControlNet (loaded once), with the scheduler set."""
        pipe = self.pipe
        if settings.layout_guidance == "controlnet" and settings.controlnet:
            pipe = self._controlnet_pipeline(settings.controlnet)
        pipe.scheduler = self._scheduler(settings.scheduler)
        return pipe

    def _controlnet_pipeline(self, path: str) -> Any:
        key = fingerprint(check_folder(path, "ControlNet"))
        if key not in self.controlnets:
            from diffusers import (
                ControlNetModel,
                StableDiffusionControlNetPipeline,
                StableDiffusionXLControlNetPipeline,
            )

            if self.model_type == "flux":
                raise EngineError("the diffusion engine does not support ControlNet with Flux models",
                                  hint="set layout_guidance: none")
            try:
                loader: Any = ControlNetModel
                controlnet = loader.from_pretrained(path, dtype=self.dtype, local_files_only=True)
            except Exception as exc:
                raise EngineError(f"cannot load the ControlNet {path}: {exc}",
                                  hint="point controlnet at a diffusers ControlNet folder") from exc
            sdxl = self.model_type == "sdxl"
            cls = StableDiffusionXLControlNetPipeline if sdxl else StableDiffusionControlNetPipeline
            pipe = cls.from_pipe(self.pipe, controlnet=controlnet.to(self.device))
            pipe.set_progress_bar_config(disable=True)
            self.controlnets[key] = pipe
        return self.controlnets[key]

    def _scheduler(self, name: str | None) -> Any:
        if name is None:
            return self.default_scheduler
        if name not in self.schedulers:
            self.schedulers[name] = make_scheduler(name, self.default_scheduler.config)
        return self.schedulers[name]


def check_folder(path: str, what: str) -> Path:
    folder = Path(path)
    if not folder.is_dir():
        raise EngineError(f"{what} folder not found: {folder}", hint=f"point {what.lower()} at a diffusers folder")
    return folder


def make_scheduler(name: str, config: Any) -> Any:
    """A scheduler by its short name, configured like the model's own. ``pndm`` is PLMS without the Runge-Kutta
    warm-up, as SD 1.x ships it (with the warm-up, N steps cost about 3N UNet calls)."""
    import diffusers

    table: dict[str, tuple[str, dict[str, Any]]] = {
        "ddim": ("DDIMScheduler", {}), "euler": ("EulerDiscreteScheduler", {}),
        "euler_a": ("EulerAncestralDiscreteScheduler", {}), "dpm++": ("DPMSolverMultistepScheduler", {}),
        "dpm++_karras": ("DPMSolverMultistepScheduler", {"use_karras_sigmas": True}),
        "dpm++_sde": ("DPMSolverMultistepScheduler", {"algorithm_type": "sde-dpmsolver++"}),
        "unipc": ("UniPCMultistepScheduler", {}), "pndm": ("PNDMScheduler", {"skip_prk_steps": True}),
        "lms": ("LMSDiscreteScheduler", {}), "heun": ("HeunDiscreteScheduler", {})}
    cls_name, extra = table[name]
    return getattr(diffusers, cls_name).from_config(config, **extra)


def apply_lora(warm: WarmModel, lora: str | None, weight: float) -> str | None:
    """Switch the LoRA on ``warm`` to ``lora`` at ``weight`` (off for None or weight 0) without reloading the
    base model; returns the adapter name in use, or None."""
    pipe = warm.pipe
    if lora is None or weight == 0:
        if warm.adapter is not None:
            pipe.disable_lora()
        return None
    path = Path(lora)
    if not path.exists():
        raise EngineError(f"LoRA not found: {path}", hint="check lora in the brand kit or engines.settings.diffusion")
    name = "lora_" + fingerprint(path)[:16]
    if warm.adapter != name:
        if warm.adapter is not None:
            pipe.delete_adapters(warm.adapter)
            warm.adapter = None
        folder, weight_name = (path, None) if path.is_dir() else (path.parent, path.name)
        try:
            pipe.load_lora_weights(str(folder), weight_name=weight_name, adapter_name=name, local_files_only=True)
        except Exception as exc:
            raise EngineError(f"cannot apply the LoRA {path} to this model: {exc}",
                              hint="use a LoRA trained for this base model family (SD 1.5 / SDXL / Flux)") from exc
        warm.adapter = name
    pipe.enable_lora()
    pipe.set_adapters([name], adapter_weights=[weight])
    return name


class PipelineCache:
    """Warm pipelines by (model fingerprint, model type, device, dtype, config), least recently used dropped."""

    def __init__(self, size: int = 2) -> None:
        self.size = max(1, size)
        self._warm: OrderedDict[tuple[str, ...], WarmModel] = OrderedDict()

    def get(self, settings: DiffusionSettings) -> WarmModel:
        require_diffusion()
        path = check_model_path(settings.model)
        model_type = detect_model_type(path, settings.model_type)
        device = resolve_device(settings.device)
        dtype = resolve_dtype(settings.dtype, device)
        key = (fingerprint(path), model_type, device, str(dtype), settings.single_file_config or "")
        if key in self._warm:
            self._warm.move_to_end(key)
            return self._warm[key]
        while len(self._warm) >= self.size:
            self._warm.popitem(last=False)
        pipe = load_pipeline(path, model_type, device, dtype, settings.single_file_config)
        warm = WarmModel(pipe=pipe, model_type=model_type, device=device, dtype=dtype,
                         default_scheduler=pipe.scheduler)
        self._warm[key] = warm
        return warm


def load_pipeline(path: Path, model_type: str, device: str, dtype: Any, config: str | None) -> Any:
    """The text-to-image pipeline for a checked model path, on ``device``, progress bar off."""
    import torch
    from diffusers import FluxPipeline, StableDiffusionPipeline, StableDiffusionXLPipeline

    quiet_libraries()  # the run's own progress and errors are the user's output, not the libraries' bars

    cls: Any = {"sd15": StableDiffusionPipeline, "sdxl": StableDiffusionXLPipeline, "flux": FluxPipeline}[model_type]
    extra: dict[str, Any] = {"safety_checker": None, "requires_safety_checker": False} if model_type == "sd15" else {}
    try:
        if path.is_dir():
            pipe = cls.from_pretrained(str(path), dtype=dtype, local_files_only=True, **extra)
        else:
            if model_type == "flux":
                raise EngineError(f"{path}: single-file Flux checkpoints are not supported",
                                  hint="use a Flux diffusers folder")
            pipe = cls.from_single_file(str(path), dtype=dtype, local_files_only=True,
                                        config=single_file_config(path, model_type, config), **extra)
        pipe = pipe.to(device)
    except AssetlineError:
        raise
    except torch.cuda.OutOfMemoryError as exc:
        raise EngineError(f"out of GPU memory loading {path}", hint=OOM_HINT) from exc
    except Exception as exc:  # diffusers/transformers raise OSError, ValueError, KeyError…: translated here
        raise EngineError(f"cannot load the diffusion model {path}: {type(exc).__name__}: {exc}",
                          hint="check that the folder or file is a complete Stable Diffusion / SDXL / Flux model "
                               "of the model_type set") from exc
    unet = getattr(pipe, "unet", None)
    if unet is not None and unet.config.in_channels != 4:
        raise EngineError(f"{path} is an inpainting checkpoint ({unet.config.in_channels}-channel UNet)",
                          hint="use a text-to-image checkpoint: the engine outpaints with blended latents")
    pipe.set_progress_bar_config(disable=True)
    return pipe


def single_file_config(path: Path, model_type: str, config: str | None) -> str:
    """The diffusers folder whose configs a single-file checkpoint is read with: ``single_file_config`` if set,
    else the family's reference repo when it is already in the local Hugging Face cache (nothing is fetched)."""
    if config:
        check_folder(config, "single_file_config")
        return config
    from huggingface_hub import snapshot_download
    from huggingface_hub.errors import LocalEntryNotFoundError

    repo = SINGLE_FILE_REPOS[model_type]
    try:
        return str(snapshot_download(repo, local_files_only=True))
    except (LocalEntryNotFoundError, OSError, ValueError) as exc:
        raise EngineError(
            f"the single-file checkpoint {path} needs the component configs of a {model_type} model, and "
            f"{repo} is not in the local Hugging Face cache (Assetline never downloads)",
            hint="set single_file_config: <a diffusers folder of the same architecture> in "
                 "engines.settings.diffusion, or use a diffusers folder as model") from exc
