"""Settings of the diffusion engine: the campaign's ``engines.settings.diffusion`` block.

    engines:
      visual: diffusion
      settings:
        diffusion:
          model: models/sd15            # a diffusers folder, or one .safetensors/.ckpt checkpoint
          lora: models/brand-lora.safetensors
          lora_weight: 0.8
          steps: 30
          guidance: 7.0
          scheduler: dpm++
          layout_guidance: mask         # keep the composer's text/logo areas calm (see layout.py)

The kit's ``imagery.model`` / ``imagery.lora`` / ``lora_weight`` / ``lora_licence`` fill these fields unless the
campaign sets them (engines/settings.py). Only the structure is checked here (so a mistake points at the
campaign line); whether the files exist is checked by ``DiffusionVisualEngine.models`` at plan time.
"""

from __future__ import annotations

from typing import Any, Literal, get_args

from pydantic import Field, model_validator

from assetline.spec.common import SpecModel

ModelType = Literal["auto", "sd15", "sdxl", "flux"]
SchedulerName = Literal["ddim", "euler", "euler_a", "dpm++", "dpm++_karras", "dpm++_sde", "unipc", "pndm", "lms",
                        "heun"]
SCHEDULERS: tuple[str, ...] = get_args(SchedulerName)
DEFAULT_RESOLUTION = {"sd15": 512, "sdxl": 1024, "flux": 1024}
"""Long side generated when ``resolution`` is unset: what each family was trained at."""


class DiffusionSettings(SpecModel):
    """How the diffusion engine generates. Paths (``model``, ``lora``, ``controlnet``, ``single_file_config``)
    are relative to the campaign file."""

    model: str = Field(description="A diffusers folder (model_index.json) or a single-file .safetensors/.ckpt "
                                   "checkpoint.")
    model_type: ModelType = Field(default="auto", description="'auto' reads model_index.json's _class_name, or "
                                                              "guesses from a single file's weight names.")
    model_licence: dict[str, Any] | None = Field(default=None, description="Licence of the base model.")
    single_file_config: str | None = Field(
        default=None, description="For a single-file checkpoint: a diffusers folder of the same architecture whose "
                                  "component configs (and tokenizer) are used; nothing is downloaded.")
    lora: str | None = Field(default=None, description="A LoRA file (.safetensors) or a folder holding one.")
    lora_weight: float = Field(default=0.8, ge=0, le=2)
    lora_licence: dict[str, Any] | None = None
    controlnet: str | None = Field(default=None, description="A diffusers ControlNet folder, used with "
                                                             "layout_guidance: controlnet.")
    controlnet_scale: float = Field(default=1.0, ge=0, le=2, description="ControlNet conditioning scale.")
    layout_guidance: Literal["mask", "controlnet", "none"] = Field(
        default="mask", description="How reserved areas (where the composer sets type) are kept calm.")
    steps: int = Field(default=30, ge=1, le=200)
    guidance: float = Field(default=7.0, ge=0, le=30, description="Classifier-free guidance scale.")
    scheduler: SchedulerName | None = Field(default=None, description="None keeps the model's own scheduler.")
    resolution: int | None = Field(default=None, ge=64, le=4096, description="Long side generated (px); default "
                                   "512 for SD 1.5, 1024 for SDXL/Flux. The result is resized to the format.")
    device: Literal["auto", "cuda", "mps", "cpu"] = "auto"
    dtype: Literal["auto", "float16", "bfloat16", "float32"] = "auto"
    batch_size: int = Field(default=1, ge=1, le=64, description="Images per pipeline call in generate_batch.")
    calm_strength: float = Field(default=1.0, ge=0, le=1, description="How much of the calm plate is composited "
                                 "back into reserved areas after decoding (1 = exactly the plate).")
    calm_feather: float = Field(default=0.04, ge=0, le=0.25, description="Soft edge around reserved areas, as a "
                                "fraction of the output's shorter side.")
    blend_until: float = Field(default=0.8, gt=0, le=1, description="Fraction of the denoising steps during which "
                               "masked latents are replaced (the last steps blend the seams).")
    photo_fill: float = Field(default=0.85, gt=0, le=1, description="Outpainting: the product photo's size as a "
                              "fraction of the largest size that fits (contain) the canvas.")

    @model_validator(mode="after")
    def _consistent(self) -> DiffusionSettings:
        if self.layout_guidance == "controlnet" and not self.controlnet:
            raise ValueError("layout_guidance 'controlnet' needs 'controlnet: <ControlNet folder>'")
        if self.controlnet and self.layout_guidance != "controlnet":
            raise ValueError(f"'controlnet' is set but layout_guidance is '{self.layout_guidance}': set "
                             "layout_guidance: controlnet, or remove controlnet")
        if self.model_type == "flux":
            if self.controlnet:
                raise ValueError("model_type 'flux' does not support controlnet in this engine")
            if self.layout_guidance == "mask":
                raise ValueError("model_type 'flux' cannot keep reserved areas calm with masks: set "
                                 "layout_guidance: none")
        return self

    def cache_key(self) -> str:
        """The settings as canonical JSON (settings with dict fields are not hashable)."""
        return self.model_dump_json()
