"""The torch side of brand LoRA training: load the base model, encode the data once, run the LoRA loop, save.

Called by train_lora.train_brand_lora (which checks every input first); import it only after
``require_peft()``. The recipe is diffusers' ``train_text_to_image_lora.py`` at its simplest::

    frozen VAE, text encoder and UNet; a peft LoRA on the UNet attention projections (to_q, to_k, to_v, to_out.0)
    latents = vae.encode(image) · scaling_factor          (encoded once per image: the VAE is frozen)
    noisy   = scheduler.add_noise(latents, noise, t)       t uniform over the training timesteps
    loss    = MSE(unet(noisy, t, text embedding), noise)   (or the velocity for v-prediction models)
    AdamW on the LoRA parameters only

Random draws (LoRA init, batch order, noise, timesteps, VAE sampling) come from generators seeded with the
run's seed on the CPU, so a CPU run is reproducible bit for bit and a GPU run draws the same numbers.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import Image, ImageOps

from assetline.errors import EngineError

LORA_TARGETS = ("to_q", "to_k", "to_v", "to_out.0")
WEIGHT_NAME = "pytorch_lora_weights.safetensors"
SINGLE_FILE_SUFFIXES = (".safetensors", ".ckpt")

StepHook = Callable[[int, int, float], None]
"""Called after every optimisation step with (step, total steps, loss)."""


@dataclass
class LoopResult:
    losses: list[float]
    unet: Any
    """The UNet with its trained LoRA adapter."""


def resolve_device(name: str) -> str:
    """'auto' → cuda, else mps, else cpu; an explicit device that is not available is an EngineError."""
    import torch

    cuda = torch.cuda.is_available()
    mps = bool(getattr(torch.backends, "mps", None) and torch.backends.mps.is_available())
    if name == "auto":
        return "cuda" if cuda else "mps" if mps else "cpu"
    if (name == "cuda" and not cuda) or (name == "mps" and not mps):
        raise EngineError(f"device '{name}' is not available on this machine",
                          hint="use --device auto (the best available) or --device cpu")
    return name


def check_base(base: Path) -> None:
    """Refuse a base that cannot be a Stable Diffusion model, before anything is loaded."""
    if base.is_dir():
        index = base / "model_index.json"
        if not index.is_file():
            raise EngineError(f"base model {base} is not a diffusers folder (no model_index.json)",
                              hint="pass a diffusers folder (save_pretrained) or a .safetensors/.ckpt checkpoint")
        try:
            cls = str(json.loads(index.read_text(encoding="utf-8")).get("_class_name", ""))
        except (OSError, ValueError) as exc:
            raise EngineError(f"base model {base}: model_index.json is not valid JSON") from exc
        if "XL" in cls or "Flux" in cls or "StableDiffusion3" in cls:
            raise EngineError(f"base model {base} is a {cls}; brand LoRA training supports Stable Diffusion "
                              "1.x/2.x pipelines", hint="pass an SD 1.5 / 2.1-class model as --base")
        if not (base / "unet").is_dir() or not (base / "vae").is_dir() or not (base / "text_encoder").is_dir():
            raise EngineError(f"base model {base} lacks unet/, vae/ or text_encoder/",
                              hint="pass a complete Stable Diffusion diffusers folder")
        return
    if base.is_file():
        if base.suffix.lower() not in SINGLE_FILE_SUFFIXES:
            raise EngineError(f"base model {base} is not a model (expected a .safetensors/.ckpt file or a "
                              "diffusers folder)", hint="pass the folder or checkpoint of a Stable Diffusion model")
        return
    raise EngineError(f"base model not found: {base}", hint="--base names a diffusers folder or a checkpoint file")


@contextmanager
def _quiet_loading() -> Iterator[None]:
    """No loading progress bars or deprecation chatter on stderr while the base model loads (restored after)."""
    import diffusers.utils.logging as diffusers_logging
    import transformers.utils.logging as transformers_logging

    restore = [m for m in (diffusers_logging, transformers_logging) if m.is_progress_bar_enabled()]
    for m in restore:
        m.disable_progress_bar()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)
            yield
    finally:
        for m in restore:
            m.enable_progress_bar()


def load_base(base: Path, device: str) -> Any:
    """The StableDiffusionPipeline of ``base`` (a diffusers folder or a single-file checkpoint), on ``device``."""
    from diffusers import StableDiffusionPipeline

    try:
        with _quiet_loading():
            pipe = _load(StableDiffusionPipeline, base)
    except Exception as exc:  # any loader failure means "not a usable model" to the user
        raise EngineError(f"could not load base model {base}: {type(exc).__name__}: {str(exc)[:300]}",
                          hint="single-file checkpoints need their diffusers config cached locally; a diffusers "
                               "folder always works") from exc
    pipe.set_progress_bar_config(disable=True)
    return pipe.to(device)


def _load(pipeline_class: Any, base: Path) -> Any:
    if base.is_dir():
        return pipeline_class.from_pretrained(base, local_files_only=True, safety_checker=None,
                                              requires_safety_checker=False)
    return pipeline_class.from_single_file(str(base), local_files_only=True)


def load_image(path: Path, resolution: int) -> Image.Image:
    """RGB image, transparency flattened on white, centre-cropped to a square and resized to ``resolution``."""
    try:
        with Image.open(path) as im:
            im.load()
            img = im.convert("RGBA")
    except OSError as exc:
        raise EngineError(f"cannot read training image {path}: {exc}", hint="use a PNG or JPEG file") from exc
    flat = Image.new("RGB", img.size, (255, 255, 255))
    flat.paste(img, mask=img.getchannel("A"))
    return ImageOps.fit(flat, (resolution, resolution), Image.Resampling.LANCZOS, centering=(0.5, 0.5))


def encode_data(pipe: Any, images: Sequence[Image.Image], captions: Sequence[str], seed: int) -> tuple[Any, Any]:
    """(latents, text embeddings) of every example, computed once with the frozen VAE and text encoder."""
    import numpy as np
    import torch

    device = pipe.unet.device
    pixels = torch.stack([torch.from_numpy(np.asarray(im, dtype=np.float32) / 127.5 - 1.0).permute(2, 0, 1)
                          for im in images]).to(device)
    generator = torch.Generator().manual_seed(seed + 1)
    with torch.no_grad():
        dist = pipe.vae.encode(pixels).latent_dist
        noise = torch.randn(dist.mean.shape, generator=generator).to(device)
        latents = (dist.mean + dist.std * noise) * pipe.vae.config.scaling_factor
        tokens = pipe.tokenizer(list(captions), padding="max_length", truncation=True,
                                max_length=pipe.tokenizer.model_max_length, return_tensors="pt")
        embeddings = pipe.text_encoder(tokens.input_ids.to(device))[0]
    return latents, embeddings


def add_lora(unet: Any, rank: int, alpha: float, seed: int) -> list[Any]:
    """Freeze ``unet`` and add a LoRA adapter (seeded init); returns the trainable parameters."""
    import torch
    from peft import LoraConfig

    unet.requires_grad_(False)
    lora_alpha: Any = alpha  # peft types it int; a float works (scaling = alpha / r)
    config = LoraConfig(r=rank, lora_alpha=lora_alpha, init_lora_weights="gaussian",
                        target_modules=list(LORA_TARGETS))
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        unet.add_adapter(config)
    params = [p for p in unet.parameters() if p.requires_grad]
    for p in params:
        p.data = p.data.float()
    return params


def train(pipe: Any, latents: Any, embeddings: Any, *, steps: int, rank: int, alpha: float, learning_rate: float,
          batch_size: int, seed: int, on_step: StepHook | None = None) -> LoopResult:
    """Run the LoRA loop on ``pipe.unet``; returns the loss of every step and the adapted UNet."""
    import torch
    import torch.nn.functional as F
    from diffusers import DDPMScheduler

    # 1. Frozen parts, the adapter and the optimiser.
    pipe.vae.requires_grad_(False)
    pipe.text_encoder.requires_grad_(False)
    unet = pipe.unet
    params = add_lora(unet, rank, alpha, seed)
    unet.train()
    optimiser = torch.optim.AdamW(params, lr=learning_rate)
    ddpm: Any = DDPMScheduler
    scheduler = ddpm.from_config(pipe.scheduler.config)
    n_timesteps = int(scheduler.config.num_train_timesteps)
    prediction = str(scheduler.config.get("prediction_type", "epsilon"))
    generator = torch.Generator().manual_seed(seed)
    device = latents.device
    order: list[int] = []
    losses: list[float] = []

    # 2. The loop: one batch per step, in a seeded shuffled order, epoch after epoch.
    for step in range(1, steps + 1):
        while len(order) < batch_size:
            order += torch.randperm(len(latents), generator=generator).tolist()
        idx, order = order[:batch_size], order[batch_size:]
        x0, text = latents[idx], embeddings[idx]
        noise = torch.randn(x0.shape, generator=generator).to(device)
        t = torch.randint(0, n_timesteps, (len(idx),), generator=generator).to(device)
        noisy = scheduler.add_noise(x0, noise, t)
        target = scheduler.get_velocity(x0, noise, t) if prediction == "v_prediction" else noise
        pred = unet(noisy, t, encoder_hidden_states=text).sample
        loss: Any = F.mse_loss(pred.float(), target.float(), reduction="mean")
        loss.backward()
        optimiser.step()
        optimiser.zero_grad(set_to_none=True)
        value = float(loss.detach().cpu())
        if value != value:  # NaN
            raise EngineError(f"training diverged at step {step} (loss is NaN)",
                              hint="lower --learning-rate, or train on the CPU with float32 weights")
        losses.append(value)
        if on_step is not None:
            on_step(step, steps, value)
    unet.eval()
    return LoopResult(losses=losses, unet=unet)


def _json_safe(value: Any) -> Any:
    if isinstance(value, set | frozenset):
        return sorted(value, key=str)
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    return value


def save_lora(unet: Any, folder: Path) -> Path:
    """Write the adapter in diffusers format (``pytorch_lora_weights.safetensors`` + its LoraConfig as metadata,
    so rank and alpha load back exactly); returns the weights file."""
    from diffusers import StableDiffusionPipeline
    from diffusers.utils.state_dict_utils import convert_state_dict_to_diffusers
    from peft.utils import get_peft_model_state_dict

    convert: Any = convert_state_dict_to_diffusers
    layers = convert(get_peft_model_state_dict(unet))
    layers = {k: v.detach().to("cpu").contiguous() for k, v in sorted(layers.items())}
    metadata = _json_safe(unet.peft_config["default"].to_dict())
    StableDiffusionPipeline.save_lora_weights(folder, unet_lora_layers=layers, unet_lora_adapter_metadata=metadata,
                                              weight_name=WEIGHT_NAME, safe_serialization=True)
    canonical_header(folder / WEIGHT_NAME)
    return folder / WEIGHT_NAME


def canonical_header(path: Path) -> None:
    """Sort the keys of a safetensors file's ``__metadata__`` in place, so the same weights give the same bytes
    (safetensors writes metadata from a hash map, in an order that changes from process to process). The header
    keeps its length: only the order of its keys changes."""
    with open(path, "r+b") as fh:
        size = int.from_bytes(fh.read(8), "little")
        raw = fh.read(size)
        header = json.loads(raw)
        meta = header.get("__metadata__")
        if not isinstance(meta, dict):
            return
        header["__metadata__"] = dict(sorted(meta.items()))
        text = json.dumps(header, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        if len(text) > size:  # a serialiser we do not know: leave the file as it is
            return
        fh.seek(8)
        fh.write(text + b" " * (size - len(text)))
