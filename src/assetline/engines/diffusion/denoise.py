"""One pipeline call for a batch of planned jobs, with blended latents (torch; imported only when generating).

Blended-latent generation (Avrahami et al., "Blended Latent Diffusion", 2023; the same step diffusers'
StableDiffusionInpaintPipeline takes for 4-channel UNets) works with any text-to-image checkpoint: the known
image (the calm plate in reserved boxes, the product photo when outpainting) is encoded once with the VAE;
after each denoising step, inside the mask (downscaled to the latent grid, feathered), the latents are replaced
by the known latents noised to the *next* timestep with ``scheduler.add_noise``. The last steps
(``1 - blend_until`` of them, at least one) run free so the model blends the seams; plan.finish then pastes the
exact pixels back.

Each job draws its initial noise from its own ``torch.Generator`` seeded with the request's seed (a CPU
generator on mps), and the noise for ``add_noise`` from a second generator seeded from it, so a job gives the
same image alone or in a batch.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
from PIL import Image

from assetline.engines.diffusion.layout import downscale_mask
from assetline.engines.diffusion.loader import OOM_HINT, WarmModel
from assetline.engines.diffusion.plan import Job
from assetline.engines.diffusion.settings import DiffusionSettings
from assetline.errors import EngineError

NOISE_SALT = 0x5EED_B1E7
"""Offsets the seed of the add_noise generator from the initial-noise generator."""


def generator_device(device: str) -> str:
    return "cpu" if device == "mps" else device


def encode_images(pipe: Any, images: Sequence[Image.Image], device: str, dtype: Any) -> Any:
    """VAE latents (mode of the posterior, scaled) of RGB images, as a (B, C, h, w) tensor in ``dtype``."""
    import torch

    vae = pipe.vae
    arr = np.stack([np.asarray(img.convert("RGB"), np.float32) / 127.5 - 1.0 for img in images])
    x = torch.from_numpy(arr).permute(0, 3, 1, 2)
    upcast = vae.dtype == torch.float16 and bool(getattr(vae.config, "force_upcast", False))
    if upcast:  # SDXL's VAE overflows in float16
        vae.to(torch.float32)
    try:
        with torch.no_grad():
            latents = vae.encode(x.to(device=device, dtype=vae.dtype)).latent_dist.mode()
    finally:
        if upcast:
            vae.to(torch.float16)
    shift = getattr(vae.config, "shift_factor", None) or 0.0
    return ((latents - shift) * vae.config.scaling_factor).to(dtype)


class Blender:
    """The ``callback_on_step_end`` of one pipeline call: progress per step, latent blending per job."""

    def __init__(self, pipe: Any, jobs: Sequence[Job], warm: WarmModel, settings: DiffusionSettings) -> None:
        import torch

        self.jobs = list(jobs)
        self.blend_until = settings.blend_until
        self.active = any(j.known_mask is not None for j in jobs)
        self.blend_steps = 0
        if not self.active:
            return
        gw, gh = jobs[0].gen_size
        scale = int(pipe.vae_scale_factor)
        lw, lh = gw // scale, gh // scale
        channels = int(pipe.vae.config.latent_channels)
        known = [j.known_image if j.known_image is not None else Image.new("RGB", (gw, gh)) for j in jobs]
        self.known = encode_images(pipe, known, warm.device, warm.dtype)
        masks = [downscale_mask(j.known_mask, lw, lh) if j.known_mask is not None else np.zeros((lh, lw), np.float32)
                 for j in jobs]
        self.mask = torch.from_numpy(np.stack(masks)[:, None]).to(device=warm.device, dtype=warm.dtype)
        gdev = generator_device(warm.device)
        noise = [torch.randn((1, channels, lh, lw), generator=torch.Generator(gdev).manual_seed(
            (j.request.seed + NOISE_SALT) % 2**63), device=gdev, dtype=torch.float32) for j in jobs]
        self.noise = torch.cat(noise).to(device=warm.device, dtype=warm.dtype)

    def __call__(self, pipe: Any, i: int, t: Any, kwargs: dict[str, Any]) -> dict[str, Any]:
        timesteps = pipe.scheduler.timesteps
        total = len(timesteps)
        for job in self.jobs:
            if job.request.progress is not None:
                job.request.progress(i + 1, total)
        if not self.active:
            return {}
        n_blend = min(total - 1, math.ceil(total * self.blend_until))
        self.blend_steps = n_blend
        if i >= n_blend:
            return {}
        latents = kwargs["latents"]
        pinned = pipe.scheduler.add_noise(self.known, self.noise, timesteps[i + 1:i + 2])
        return {"latents": self.mask * pinned.to(latents.dtype) + (1 - self.mask) * latents}


def denoise(warm: WarmModel, pipe: Any, jobs: Sequence[Job], settings: DiffusionSettings) -> tuple[
        list[Image.Image], int]:
    """The generated images (generation size) of ``jobs`` from one pipeline call, and the number of steps
    blended."""
    import torch

    gw, gh = jobs[0].gen_size
    gdev = generator_device(warm.device)
    blender = Blender(pipe, jobs, warm, settings)
    kwargs: dict[str, Any] = {
        "prompt": [j.prompt.text for j in jobs], "num_inference_steps": settings.steps,
        "guidance_scale": settings.guidance, "height": gh, "width": gw,
        "generator": [torch.Generator(gdev).manual_seed(j.request.seed) for j in jobs],
        "callback_on_step_end": blender, "output_type": "pil"}
    if warm.model_type != "flux":
        kwargs["negative_prompt"] = [j.negative for j in jobs]
    if settings.layout_guidance == "controlnet":
        kwargs["image"] = [j.control for j in jobs]
        kwargs["controlnet_conditioning_scale"] = settings.controlnet_scale
    try:
        out = pipe(**kwargs)
    except torch.cuda.OutOfMemoryError as exc:
        raise EngineError(f"out of GPU memory generating {len(jobs)} image(s) at {gw}×{gh}", hint=OOM_HINT) from exc
    except RuntimeError as exc:
        if "out of memory" in str(exc).lower():
            raise EngineError(f"out of memory generating {len(jobs)} image(s) at {gw}×{gh}",
                              hint=OOM_HINT) from exc
        raise
    return list(out.images), blender.blend_steps
