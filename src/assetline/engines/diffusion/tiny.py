"""Tiny random SD 1.5 / SDXL / Flux models, built locally: for tests, benchmarks and trying the wiring without weights.

Nothing is downloaded (tokenizers are written from a small vocabulary). Each pipeline has the real architecture
(CLIP / T5 text encoders + tokenizers, UNet2DCondition or FluxTransformer2DModel, AutoencoderKL, a real
scheduler) at toy sizes, so every diffusers code path runs, in milliseconds per step::

    from assetline.engines.diffusion.tiny import save_tiny_sd
    folder = save_tiny_sd("models/tiny-sd", seed=0)              # a diffusers folder
    save_tiny_controlnet(folder, "models/tiny-controlnet")         # a ControlNet made from its UNet
    save_tiny_lora(folder, "models/brand.safetensors")             # a random (non-zero) UNet LoRA
    xl = save_tiny_sdxl("models/tiny-sdxl", seed=0)              # SDXL: two CLIP encoders, text_time UNet
    save_tiny_lora(xl, "models/brand-xl.safetensors")              # works for either family
    save_tiny_flux("models/tiny-flux", seed=0)                     # Flux: CLIP + T5, a FluxTransformer2DModel

The images it makes are noise-like: they exercise the engine, they are not meant to look good.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from assetline.engines.diffusion.imports import require_diffusion


def _save(pipeline: str, components: dict[str, Any], folder: Path | str) -> Path:
    """Assemble ``components`` into the diffusers ``pipeline`` class and write it as a diffusers folder."""
    folder = Path(folder)
    getattr(_diffusers(), pipeline)(**components).save_pretrained(folder, safe_serialization=True)
    return folder


def _clip_tokenizer(**kwargs: Any) -> Any:
    """A CLIP tokenizer over the tiny vocabulary (transformers 5 ignores ``vocab_file=``: it is read from a folder)."""
    import tempfile

    from transformers import CLIPTokenizer

    with tempfile.TemporaryDirectory() as tmp:
        _write_tokenizer(Path(tmp))
        return CLIPTokenizer.from_pretrained(tmp, model_max_length=77, **kwargs)


def _diffusers() -> Any:
    """The diffusers module, untyped (it ships no type hints for its model constructors)."""
    import importlib

    return importlib.import_module("diffusers")


TINY_VOCAB_WORDS = (
    "a", "an", "the", "photo", "of", "coffee", "cup", "bold", "warm", "light", "product", "studio", "brand", "blue",
    "red", "green", "orange", "yellow", "soft", "background", "calm", "clean", "modern", "poster", "shot", "on",
    "with", "and", "in", "for", "no", "text", "logo", "blurry", "low", "quality", "city", "style",
)


def _write_tokenizer(folder: Path) -> None:
    """A byte-level BPE vocabulary small enough for the toy text encoder (vocab.json + merges.txt)."""
    folder.mkdir(parents=True, exist_ok=True)
    vocab: dict[str, int] = {"<|startoftext|>": 0, "<|endoftext|>": 1, "!": 2}
    for ch in "abcdefghijklmnopqrstuvwxyz0123456789.,-'":
        vocab.setdefault(ch, len(vocab))
        vocab.setdefault(ch + "</w>", len(vocab))
    for word in TINY_VOCAB_WORDS:
        vocab.setdefault(word + "</w>", len(vocab))
    (folder / "vocab.json").write_text(json.dumps(vocab), encoding="utf-8")
    (folder / "merges.txt").write_text("#version: 0.2\n", encoding="utf-8")


def tiny_sd_components(seed: int = 0, scheduler: str = "ddim") -> dict[str, Any]:
    """The components of a tiny random StableDiffusionPipeline (torch seeded with ``seed``), with the scheduler
    ``ddim``, ``pndm`` (PLMS, as SD 1.5 folders ship it) or ``euler``."""
    require_diffusion()

    import torch
    from transformers import CLIPTextConfig, CLIPTextModel

    diffusers = _diffusers()
    AutoencoderKL, DDIMScheduler = diffusers.AutoencoderKL, diffusers.DDIMScheduler
    UNet2DConditionModel = diffusers.UNet2DConditionModel

    torch.manual_seed(seed)
    unet = UNet2DConditionModel(
        block_out_channels=(4, 8), layers_per_block=1, sample_size=8, in_channels=4, out_channels=4,
        down_block_types=("CrossAttnDownBlock2D", "DownBlock2D"), up_block_types=("UpBlock2D", "CrossAttnUpBlock2D"),
        cross_attention_dim=32, norm_num_groups=2, attention_head_dim=2)
    torch.manual_seed(seed)
    vae = AutoencoderKL(
        block_out_channels=(4, 8), in_channels=3, out_channels=3, down_block_types=("DownEncoderBlock2D",) * 2,
        up_block_types=("UpDecoderBlock2D",) * 2, latent_channels=4, norm_num_groups=2, sample_size=32)
    torch.manual_seed(seed)
    text_encoder = CLIPTextModel(CLIPTextConfig(
        bos_token_id=0, eos_token_id=1, pad_token_id=1, hidden_size=32, intermediate_size=37, layer_norm_eps=1e-05,
        num_attention_heads=4, num_hidden_layers=2, vocab_size=256, max_position_embeddings=77))
    tokenizer = _clip_tokenizer()
    betas: dict[str, Any] = {"beta_start": 0.00085, "beta_end": 0.012, "beta_schedule": "scaled_linear",
                             "steps_offset": 1}
    schedulers = {"ddim": lambda: DDIMScheduler(**betas, clip_sample=False, set_alpha_to_one=False),
                  "pndm": lambda: diffusers.PNDMScheduler(**betas, skip_prk_steps=True, set_alpha_to_one=False),
                  "euler": lambda: diffusers.EulerDiscreteScheduler(**betas)}
    return {"unet": unet, "vae": vae, "text_encoder": text_encoder, "tokenizer": tokenizer,
            "scheduler": schedulers[scheduler](), "safety_checker": None, "feature_extractor": None,
            "requires_safety_checker": False}


def save_tiny_sd(folder: Path | str, seed: int = 0, scheduler: str = "ddim") -> Path:
    """Write a tiny random Stable Diffusion model as a diffusers folder; returns the folder."""
    return _save("StableDiffusionPipeline", tiny_sd_components(seed, scheduler), folder)


def tiny_sdxl_components(seed: int = 0) -> dict[str, Any]:
    """The components of a tiny random StableDiffusionXLPipeline (torch seeded with ``seed``): diffusers' own
    test config (a ``text_time`` UNet conditioned on both encoders' hidden states, 32 + 32 = 64, and on the
    pooled projection plus six time ids, 32 + 6 × 8 = 80), at toy widths, with an EulerDiscreteScheduler as
    SDXL ships."""
    require_diffusion()

    import torch
    from transformers import CLIPTextConfig, CLIPTextModel, CLIPTextModelWithProjection

    diffusers = _diffusers()
    torch.manual_seed(seed)
    unet = diffusers.UNet2DConditionModel(
        block_out_channels=(4, 8), layers_per_block=1, sample_size=8, in_channels=4, out_channels=4,
        down_block_types=("DownBlock2D", "CrossAttnDownBlock2D"), up_block_types=("CrossAttnUpBlock2D", "UpBlock2D"),
        attention_head_dim=(2, 4), use_linear_projection=True, addition_embed_type="text_time",
        addition_time_embed_dim=8, transformer_layers_per_block=(1, 2), projection_class_embeddings_input_dim=80,
        cross_attention_dim=64, norm_num_groups=2)
    torch.manual_seed(seed)
    vae = diffusers.AutoencoderKL(
        block_out_channels=(4, 8), in_channels=3, out_channels=3, down_block_types=("DownEncoderBlock2D",) * 2,
        up_block_types=("UpDecoderBlock2D",) * 2, latent_channels=4, norm_num_groups=2, sample_size=32,
        scaling_factor=0.13025, force_upcast=True)
    config = CLIPTextConfig(
        bos_token_id=0, eos_token_id=1, pad_token_id=1, hidden_size=32, intermediate_size=37, layer_norm_eps=1e-05,
        num_attention_heads=4, num_hidden_layers=2, vocab_size=256, max_position_embeddings=77, hidden_act="gelu",
        projection_dim=32)
    torch.manual_seed(seed)
    text_encoder = CLIPTextModel(config)
    torch.manual_seed(seed + 1)
    text_encoder_2 = CLIPTextModelWithProjection(config)
    tokenizer, tokenizer_2 = _clip_tokenizer(), _clip_tokenizer(pad_token="!")
    scheduler = diffusers.EulerDiscreteScheduler(beta_start=0.00085, beta_end=0.012, beta_schedule="scaled_linear",
                                                 steps_offset=1, timestep_spacing="leading")
    return {"unet": unet, "vae": vae, "text_encoder": text_encoder, "tokenizer": tokenizer,
            "text_encoder_2": text_encoder_2, "tokenizer_2": tokenizer_2, "scheduler": scheduler,
            "image_encoder": None, "feature_extractor": None}


def save_tiny_sdxl(folder: Path | str, seed: int = 0) -> Path:
    """Write a tiny random SDXL model as a diffusers folder (``_class_name: StableDiffusionXLPipeline``)."""
    return _save("StableDiffusionXLPipeline", tiny_sdxl_components(seed), folder)


def _t5_tokenizer() -> Any:
    """A T5 (SentencePiece Unigram) tokenizer over the tiny vocabulary, built in memory: pad 0, eos 1, unk 2."""
    from transformers import T5Tokenizer

    pieces = [("<pad>", 0.0), ("</s>", 0.0), ("<unk>", 0.0)]
    pieces += [("\u2581" + word, -1.0) for word in TINY_VOCAB_WORDS]
    pieces += [(ch, -5.0) for ch in "abcdefghijklmnopqrstuvwxyz0123456789.,-'\u2581"]
    return T5Tokenizer(vocab=pieces, extra_ids=0, model_max_length=512)


def tiny_flux_components(seed: int = 0) -> dict[str, Any]:
    """The components of a tiny random FluxPipeline (diffusers' own test config at toy widths): a one-layer
    FluxTransformer2DModel, a one-channel VAE with Flux's shift and scaling factors, CLIP + T5 encoders."""
    require_diffusion()

    import torch
    from transformers import CLIPTextConfig, CLIPTextModel, T5Config, T5EncoderModel

    diffusers = _diffusers()
    torch.manual_seed(seed)
    transformer = diffusers.FluxTransformer2DModel(
        patch_size=1, in_channels=4, num_layers=1, num_single_layers=1, attention_head_dim=16, num_attention_heads=2,
        joint_attention_dim=32, pooled_projection_dim=32, axes_dims_rope=[4, 4, 8])
    torch.manual_seed(seed)
    text_encoder = CLIPTextModel(CLIPTextConfig(
        bos_token_id=0, eos_token_id=1, pad_token_id=1, hidden_size=32, intermediate_size=37, layer_norm_eps=1e-05,
        num_attention_heads=4, num_hidden_layers=2, vocab_size=256, max_position_embeddings=77, hidden_act="gelu",
        projection_dim=32))
    torch.manual_seed(seed)
    text_encoder_2 = T5EncoderModel(T5Config(
        vocab_size=128, d_model=32, d_kv=8, d_ff=37, num_layers=2, num_heads=4, relative_attention_num_buckets=8,
        pad_token_id=0, eos_token_id=1))
    torch.manual_seed(seed)
    vae = diffusers.AutoencoderKL(
        sample_size=32, in_channels=3, out_channels=3, block_out_channels=(4, 8), layers_per_block=1,
        down_block_types=("DownEncoderBlock2D",) * 2, up_block_types=("UpDecoderBlock2D",) * 2, latent_channels=1,
        norm_num_groups=1, use_quant_conv=False, use_post_quant_conv=False, shift_factor=0.0609,
        scaling_factor=1.5035)
    tokenizer = _clip_tokenizer()
    return {"transformer": transformer, "vae": vae, "text_encoder": text_encoder, "tokenizer": tokenizer,
            "text_encoder_2": text_encoder_2, "tokenizer_2": _t5_tokenizer(),
            "scheduler": diffusers.FlowMatchEulerDiscreteScheduler()}


def save_tiny_flux(folder: Path | str, seed: int = 0) -> Path:
    """Write a tiny random Flux model as a diffusers folder (``_class_name: FluxPipeline``)."""
    return _save("FluxPipeline", tiny_flux_components(seed), folder)


def save_tiny_controlnet(sd_folder: Path | str, folder: Path | str, seed: int = 1) -> Path:
    """A ControlNet built from the tiny model's UNet, with its zero-initialised output layers randomised (a fresh
    ControlNet would change nothing until trained); written as a diffusers folder."""
    require_diffusion()
    import torch

    diffusers = _diffusers()
    unet = diffusers.UNet2DConditionModel.from_pretrained(Path(sd_folder) / "unet")
    controlnet = diffusers.ControlNetModel.from_unet(unet, conditioning_embedding_out_channels=(16, 32))
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for block in [*controlnet.controlnet_down_blocks, controlnet.controlnet_mid_block]:
            block.weight.copy_(torch.randn(block.weight.shape, generator=generator) * 0.5)
    folder = Path(folder)
    controlnet.save_pretrained(folder, safe_serialization=True)
    return folder


LORA_TARGETS = ("to_q", "to_k", "to_v", "to_out.0")


def save_tiny_lora(sd_folder: Path | str, out: Path | str, seed: int = 1) -> Path:
    """A random (non-zero) LoRA for the tiny model's UNet (SD 1.5 or SDXL: both load ``unet.*`` keys), saved as
    one .safetensors file at ``out``."""
    require_diffusion()
    import shutil

    import torch
    from peft import LoraConfig
    from peft.utils import get_peft_model_state_dict

    diffusers = _diffusers()
    StableDiffusionPipeline = diffusers.StableDiffusionPipeline
    out = Path(out)
    unet = diffusers.UNet2DConditionModel.from_pretrained(Path(sd_folder) / "unet")
    torch.manual_seed(seed)
    unet.add_adapter(LoraConfig(r=4, lora_alpha=4, init_lora_weights=False, target_modules=list(LORA_TARGETS)))
    folder = out.parent / f"{out.stem}-dir"
    StableDiffusionPipeline.save_lora_weights(folder, unet_lora_layers=get_peft_model_state_dict(unet))
    (folder / "pytorch_lora_weights.safetensors").replace(out)
    shutil.rmtree(folder)
    return out
