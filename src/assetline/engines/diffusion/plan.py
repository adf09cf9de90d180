"""What one diffusion request will do, decided before any model runs (pure: Pillow + numpy).

``plan_job(request, settings, model_type, count_tokens)`` returns a ``Job``: the prompt, the size generated,
the mode (``txt2img``, or ``outpaint`` when the concept is a product photo), and the images the denoising loop
and the final composite need:

- ``known_image`` / ``known_mask`` (generation size): what the latents are pinned to inside the mask while
  denoising: the calm plate in the reserved boxes (layout_guidance 'mask') and the scaled product photo
  (outpainting). None when nothing is pinned.
- ``plate`` / ``calm_mask`` (output size): composited back into the reserved boxes after decoding ('mask').
- ``photo_box`` (output size): where the exact source pixels are pasted at the end (outpainting).
- ``control`` (generation size): the ControlNet condition ('controlnet').
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import numpy as np
from PIL import Image

from assetline.engines.base import Box, VisualRequest
from assetline.engines.diffusion import layout
from assetline.engines.diffusion.prompt import FittedPrompt, fit_prompt, negative_prompt, prompt_parts
from assetline.engines.diffusion.settings import DEFAULT_RESOLUTION, DiffusionSettings
from assetline.engines.visual.photo import load_photo
from assetline.errors import EngineError

Mode = Literal["txt2img", "outpaint"]
MULTIPLE = 8
"""Generation sizes are multiples of this (the VAE downsamples by 8)."""
MULTIPLE_BY_TYPE = {"flux": 16}
"""Flux packs 2 × 2 latent patches, so its sizes are multiples of 16 (FluxPipeline would round them itself)."""


@dataclass(frozen=True)
class Job:
    request: VisualRequest
    mode: Mode
    prompt: FittedPrompt
    negative: str
    gen_size: tuple[int, int]
    reserved: tuple[Box, ...]
    """The reserved boxes this job honours (output pixels, clipped); empty for layout_guidance 'none'."""
    known_image: Image.Image | None = None
    known_mask: layout.F32 | None = None
    plate: Image.Image | None = None
    calm_mask: layout.F32 | None = None
    photo: Image.Image | None = None
    photo_box: Box | None = None
    photo_feather: int = 0
    control: Image.Image | None = None


def generation_size(width: int, height: int, long_side: int, multiple: int = MULTIPLE) -> tuple[int, int]:
    """The size generated for a width × height output: ``long_side`` on the longer side, the aspect kept,
    both sides rounded to multiples of ``multiple`` (at least one multiple)."""
    scale = long_side / max(width, height)
    return (max(multiple, round(width * scale / multiple) * multiple),
            max(multiple, round(height * scale / multiple) * multiple))


def plan_job(request: VisualRequest, settings: DiffusionSettings, model_type: str,
             count_tokens: Callable[[str], int] | None = None) -> Job:
    # 1. Prompt and negative prompt
    visual, imagery = request.concept.visual, request.brand.imagery
    prompt = fit_prompt(prompt_parts(visual, imagery, request.segment), count_tokens)
    negative = negative_prompt(imagery.negative_prompt)

    # 2. Sizes and the boxes honoured
    width, height = request.width, request.height
    gw, gh = generation_size(width, height, settings.resolution or DEFAULT_RESOLUTION[model_type],
                             MULTIPLE_BY_TYPE.get(model_type, MULTIPLE))
    sx, sy = gw / width, gh / height
    guidance = settings.layout_guidance
    reserved = tuple(layout.clip_boxes(request.reserved, width, height)) if guidance != "none" else ()
    outpaint = visual.style == "photo" and request.photo is not None
    mode: Mode = "outpaint" if outpaint else "txt2img"

    # 3. Calm plate and mask for the reserved boxes (mode 'mask')
    short = min(width, height)
    plate = calm_mask = known_image = known_mask = None
    top, bottom = layout.plate_colours(request.brand)
    if reserved and guidance == "mask":
        feather = settings.calm_feather * short
        plate = layout.calm_plate(width, height, top, bottom)
        calm_mask = layout.soft_box_mask(width, height, reserved, feather)
        known_image = layout.calm_plate(gw, gh, top, bottom)
        known_mask = layout.soft_box_mask(gw, gh, layout.scale_boxes(reserved, sx, sy), feather * sx)

    # 4. Outpainting: the photo fitted inside the canvas, pinned while denoising, pasted exactly at the end
    photo = photo_box = None
    feather_px = 0
    if outpaint:
        assert request.photo is not None
        try:
            photo = load_photo(request.photo)
        except OSError as exc:
            raise EngineError(f"cannot read photo {request.photo}: {exc}",
                              hint="use a PNG or JPEG file the brand kit lists under assets") from exc
        photo_box = layout.place_photo(photo.size, width, height, reserved, settings.photo_fill)
        feather_px = max(2, round(0.02 * short))
        gen_box = (round(photo_box[0] * sx), round(photo_box[1] * sy),
                   max(round(photo_box[0] * sx) + 1, round(photo_box[2] * sx)),
                   max(round(photo_box[1] * sy) + 1, round(photo_box[3] * sy)))
        if known_image is None:
            known_image = layout.calm_plate(gw, gh, top, bottom)
            known_mask = np.zeros((gh, gw), np.float32)
        known_image = known_image.copy()
        known_image.paste(layout.scaled_photo(photo, gen_box), gen_box[:2])
        assert known_mask is not None
        known_mask = np.maximum(known_mask, layout.soft_box_mask(gw, gh, [gen_box], 0.0))

    # 5. ControlNet condition
    control = None
    if guidance == "controlnet":
        control = layout.control_image(gw, gh, layout.scale_boxes(reserved, sx, sy))

    return Job(request=request, mode=mode, prompt=prompt, negative=negative, gen_size=(gw, gh), reserved=reserved,
               known_image=known_image, known_mask=known_mask, plate=plate, calm_mask=calm_mask, photo=photo,
               photo_box=photo_box, photo_feather=feather_px, control=control)


def finish(job: Job, generated: Image.Image, settings: DiffusionSettings) -> Image.Image:
    """The decoded image at the output size with the plate composited into the reserved boxes and the exact
    photo pasted (outpainting)."""
    width, height = job.request.width, job.request.height
    image = generated.convert("RGB")
    if image.size != (width, height):
        image = image.resize((width, height), Image.Resampling.LANCZOS)
    if job.plate is not None and job.calm_mask is not None:
        image = layout.composite(image, job.plate, job.calm_mask, settings.calm_strength)
    if job.photo is not None and job.photo_box is not None:
        image = layout.paste_photo(image, job.photo, job.photo_box, job.photo_feather)
    return image
