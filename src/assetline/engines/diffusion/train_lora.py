"""Train a brand LoRA from the brand kit's licensed reference assets (`assetline brand train-lora`).

Usage::

    from assetline.spec.loader import load_brand_kit
    from assetline.engines.diffusion.train_lora import TrainingOptions, train_brand_lora

    brand = load_brand_kit("brand.yaml")
    report = train_brand_lora(brand, base="models/sd15", out="models/brand-lora",
                              options=TrainingOptions(steps=500, rank=8, resolution=512))
    report.weights           # …/brand-lora/pytorch_lora_weights.safetensors (pipe.load_lora_weights(report.out))
    report.snippet           # {"imagery": {"lora": …, "lora_licence": {…}, "lora_weight": 0.8}} for brand.yaml

Only assets of kind photo/reference whose licence allows AI training and is valid today are used
(train_data.py says exactly which and why); the others are listed as refused. The output folder holds the LoRA
weights, ``licence.yaml`` (the LoRA's licence: the intersection of its training assets' terms),
``training-card.json`` and ``TRAINING-CARD.md``; it is written to a temporary folder beside ``out`` and renamed
into place, so a failed run leaves nothing behind.
"""

from __future__ import annotations

import os
import shutil
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from assetline.engines.diffusion.imports import require_peft
from assetline.engines.diffusion.train_card import licence_data, loss_curve, write_card, write_licence, yaml_text
from assetline.engines.diffusion.train_data import (
    Refusal,
    TrainingAsset,
    derived_terms,
    select_training_assets,
    sha256_file,
    validity_window,
)
from assetline.errors import EngineError
from assetline.spec.common import Licence
from assetline.spec.loader import LoadedBrand

DEFAULT_CAPTION = "{brand}, {prompt}, {description}"
CAPTION_FIELDS = ("brand", "brand_id", "prompt", "description", "asset")
DEVICES = ("auto", "cuda", "mps", "cpu")
LIBRARIES = ("assetline", "torch", "diffusers", "transformers", "peft", "safetensors")


@dataclass(frozen=True)
class TrainingOptions:
    """Hyper-parameters and switches of one training run (the CLI options, one to one)."""

    assets: tuple[str, ...] | None = None
    """Train on these asset ids only (default: every trainable asset of the kit)."""
    steps: int = 500
    rank: int = 8
    alpha: float | None = None
    """LoRA alpha (default: the rank, i.e. scale 1)."""
    learning_rate: float = 1e-4
    resolution: int = 512
    batch_size: int = 1
    seed: int = 0
    device: str = "auto"
    caption_template: str = DEFAULT_CAPTION
    """Python format string over {brand}, {brand_id}, {prompt} (imagery.prompt), {description}, {asset}."""
    lora_weight: float = 0.8
    """The weight written into the brand.yaml snippet."""
    force: bool = False
    """Replace an existing, non-empty output folder."""
    on_step: Callable[[int, int, float], None] | None = field(default=None, compare=False)
    """Progress hook: (step, total steps, loss) after every step."""


@dataclass(frozen=True)
class TrainingReport:
    """What a training run produced (everything also written into training-card.json)."""

    out: Path
    weights: Path
    weights_sha256: str
    licence: Licence
    licence_file: Path
    card_json: Path
    card_md: Path
    used: tuple[TrainingAsset, ...]
    refused: tuple[Refusal, ...]
    base: Path
    base_fingerprint: str
    steps: int
    losses: tuple[float, ...]
    seconds: float
    device: str
    snippet: dict[str, Any]
    """Paste into brand.yaml: {"imagery": {"lora": …, "lora_licence": {…}, "lora_weight": …}}."""

    @property
    def loss_start(self) -> float:
        return self.losses[0]

    @property
    def loss_end(self) -> float:
        return self.losses[-1]

    @property
    def snippet_yaml(self) -> str:
        return yaml_text(self.snippet)

    def to_dict(self) -> dict[str, Any]:
        return {
            "out": str(self.out), "weights": str(self.weights), "weights_sha256": self.weights_sha256,
            "licence": licence_data(self.licence), "licence_file": str(self.licence_file),
            "training_card": str(self.card_json), "training_card_md": str(self.card_md),
            "used": [u.to_dict() for u in self.used], "refused": [r.to_dict() for r in self.refused],
            "base": str(self.base), "base_fingerprint": self.base_fingerprint, "steps": self.steps,
            "loss_start": self.loss_start, "loss_end": self.loss_end, "loss_curve": loss_curve(list(self.losses)),
            "seconds": round(self.seconds, 3), "device": self.device, "snippet": self.snippet,
        }


def caption(template: str, brand: LoadedBrand, asset: TrainingAsset) -> str:
    """The asset's caption; empty parts between commas are dropped ('Orbit, , x' → 'Orbit, x')."""
    kit = brand.kit
    text = template.format(brand=kit.name, brand_id=kit.id, prompt=kit.imagery.prompt,
                           description=asset.description, asset=asset.id)
    parts = [p.strip() for p in text.split(",")]
    return ", ".join(p for p in parts if p)


def check_inputs(brand: LoadedBrand, base: Path | str | None, out: Path | str, options: TrainingOptions) -> Path:
    """Refuse bad options, a missing base model and an occupied output folder; returns the base path."""
    o = options
    for name, value in (("steps", o.steps), ("rank", o.rank), ("batch size", o.batch_size)):
        if value < 1:
            raise EngineError(f"{name} must be at least 1 (got {value})",
                              hint=f"pass a positive --{name.replace(' ', '-')}")
    if o.resolution < 8 or o.resolution % 8:
        raise EngineError(f"resolution must be a positive multiple of 8 (got {o.resolution})",
                          hint="e.g. --resolution 512 (SD 1.5) or 768 (SD 2.x)")
    if o.alpha is not None and o.alpha <= 0:
        raise EngineError(f"alpha must be positive (got {o.alpha})", hint="leave --alpha out to use the rank")
    if not o.learning_rate > 0:
        raise EngineError(f"learning rate must be positive (got {o.learning_rate})", hint="e.g. --learning-rate 1e-4")
    if o.device not in DEVICES:
        raise EngineError(f"unknown device '{o.device}'", hint=f"choose one of: {', '.join(DEVICES)}")
    try:
        caption(o.caption_template, brand, TrainingAsset("x", Path("x"), "", "", Licence(owner="x", name="x")))
    except (KeyError, IndexError, ValueError) as exc:
        raise EngineError(f"bad caption template {o.caption_template!r}: {exc}",
                          hint=f"use {{…}} fields among: {', '.join(CAPTION_FIELDS)}") from None
    if base is None:
        if "model" not in brand.models:
            raise EngineError("no base model: pass --base, or set imagery.model in the brand kit",
                              hint="--base names a Stable Diffusion diffusers folder or .safetensors checkpoint")
        base = brand.models["model"]
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise EngineError(f"output path {out} is a file", hint="--out names a folder to create")
    if out.is_dir() and any(out.iterdir()) and not o.force:
        raise EngineError(f"output folder {out} exists and is not empty",
                          hint="choose a new --out folder, or pass --force to replace it")
    return Path(base).expanduser()


def _versions() -> dict[str, str]:
    out: dict[str, str] = {}
    for name in LIBRARIES:
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = "not installed"
    return out


def _umask() -> int:
    """The process umask (read from /proc where possible: setting it to read it is not thread-safe)."""
    try:
        for line in Path("/proc/self/status").read_text(encoding="ascii").splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except OSError:
        pass
    return 0o022


def _install(tmp: Path, out: Path) -> None:
    """Move the finished folder ``tmp`` to ``out``, replacing an existing ``out`` (checked earlier)."""
    aside: Path | None = None
    if out.exists():
        aside = out.with_name(f".{out.name}.old-{os.getpid()}-{time.time_ns()}")
        os.replace(out, aside)
    os.replace(tmp, out)
    if aside is not None:
        shutil.rmtree(aside, ignore_errors=True)


def train_brand_lora(brand: LoadedBrand, base: Path | str | None, out: Path | str,
                     options: TrainingOptions | None = None) -> TrainingReport:
    """Train a LoRA on the brand's licensed assets and write it with its licence and training card into ``out``.
    Raises EngineError (bad options, bad base model, occupied ``out``, missing extra), LicenceError (no trainable
    asset, a refused asset named in ``options.assets``) or NotFoundError (an unknown asset id)."""
    from assetline.engines.fingerprint import fingerprint

    options = options or TrainingOptions()
    started = time.perf_counter()

    # 1. Check inputs and select the training data (cheap, before anything heavy is imported).
    base_path = check_inputs(brand, base, out, options)
    out_path = Path(out).expanduser().absolute()
    selection = select_training_assets(brand, options.assets)
    terms = derived_terms(selection.used)
    require_peft("brand LoRA training")
    from assetline.engines.diffusion import train_loop

    train_loop.check_base(base_path)
    base_path = base_path.resolve()
    captions = [caption(options.caption_template, brand, a) for a in selection.used]
    alpha = float(options.alpha if options.alpha is not None else options.rank)

    # 2. Load the base model and encode the data once.
    device = train_loop.resolve_device(options.device)
    images = [train_loop.load_image(a.file, options.resolution) for a in selection.used]
    pipe = train_loop.load_base(base_path, device)
    latents, embeddings = train_loop.encode_data(pipe, images, captions, options.seed)

    # 3. Train.
    result = train_loop.train(pipe, latents, embeddings, steps=options.steps, rank=options.rank, alpha=alpha,
                              learning_rate=options.learning_rate, batch_size=options.batch_size,
                              seed=options.seed, on_step=options.on_step)

    # 4. Write everything into a temporary folder beside `out`, then rename it into place.
    out_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = out_path.with_name(f".{out_path.name}.tmp-{uuid.uuid4().hex[:12]}")
    tmp.mkdir()  # (not mkdtemp: the folder gets the umask's usual permissions)
    try:
        weights_tmp = train_loop.save_lora(result.unet, tmp)
        os.chmod(weights_tmp, 0o666 & ~_umask())
        weights_sha = sha256_file(weights_tmp)
        valid_from, valid_until = validity_window(selection.used)
        licence = Licence(owner=brand.kit.name, name="derived brand LoRA", terms=terms, valid_from=valid_from,
                          valid_until=valid_until, evidence=str(out_path / "training-card.json"))
        licence_file = write_licence(tmp, licence)
        base_fp = fingerprint(base_path)
        seconds = time.perf_counter() - started
        weights = out_path / weights_tmp.name
        card = _card(brand, selection.used, selection.refused, captions, base_path, base_fp, options, alpha,
                     result.losses, weights, weights_sha, licence, seconds, device)
        card_json, card_md = write_card(tmp, card)
        _install(tmp, out_path)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise

    # 5. The report, with the snippet for brand.yaml.
    try:
        lora_ref = os.path.relpath(weights, brand.path.parent)
    except ValueError:  # another drive (Windows)
        lora_ref = str(weights)
    snippet = {"imagery": {"lora": lora_ref, "lora_licence": licence_data(licence),
                           "lora_weight": options.lora_weight}}
    return TrainingReport(
        out=out_path, weights=weights, weights_sha256=weights_sha, licence=licence,
        licence_file=out_path / licence_file.name, card_json=out_path / card_json.name,
        card_md=out_path / card_md.name, used=selection.used, refused=selection.refused, base=base_path,
        base_fingerprint=base_fp, steps=options.steps, losses=tuple(result.losses), seconds=seconds, device=device,
        snippet=snippet)


def _card(brand: LoadedBrand, used: tuple[TrainingAsset, ...], refused: tuple[Refusal, ...], captions: list[str],
          base: Path, base_fp: str, o: TrainingOptions, alpha: float, losses: list[float], weights: Path,
          weights_sha: str, licence: Licence, seconds: float, device: str) -> dict[str, Any]:
    return {
        "kind": "assetline.brand-lora.training-card/v1",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "brand": {"id": brand.kit.id, "name": brand.kit.name, "path": str(brand.path)},
        "data": {
            "used": [u.to_dict() for u in used],
            "refused": [r.to_dict() for r in refused],
            "captions": [{"id": u.id, "caption": c} for u, c in zip(used, captions, strict=True)],
            "licences_checked_on": date.today().isoformat(),
        },
        "base_model": {"path": str(base), "fingerprint": base_fp},
        "hyper_parameters": {
            "steps": o.steps, "rank": o.rank, "alpha": alpha, "learning_rate": o.learning_rate,
            "resolution": o.resolution, "batch_size": o.batch_size, "seed": o.seed,
            "caption_template": o.caption_template, "target_modules": ["to_q", "to_k", "to_v", "to_out.0"],
            "optimizer": "AdamW", "loss": "MSE on the scheduler's prediction target",
        },
        "result": {"steps": len(losses), "loss_start": losses[0], "loss_end": losses[-1],
                   "loss_curve": loss_curve(losses), "seconds": round(seconds, 3), "device": device},
        "output": {"weights": weights.name, "sha256": weights_sha},
        "licence": licence_data(licence),
        "libraries": _versions(),
    }
