"""Engine settings: the campaign's ``engines.settings.<engine id>`` block, merged with the brand kit's imagery
defaults and validated with the engine's ``settings_model``, once, before anything runs.

    engines:
      visual: diffusion
      settings:
        diffusion: {model: models/sd15, steps: 30, guidance: 7.0}

Precedence: the campaign's block wins over the kit. From the kit, a settings model that has the field gets
``model`` and ``lora`` (``imagery.model`` / ``imagery.lora``, resolved next to the kit), ``lora_weight``,
``lora_licence`` and ``model_licence``. Fields named in the engine's ``path_fields`` are resolved relative to the
campaign file (URLs are left alone). A bad value is a SpecError pointing at the campaign line.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import ValidationError

from assetline.engines.base import ModelRef, engine_trait
from assetline.errors import AssetlineError, SpecError
from assetline.spec.loader import LoadedCampaign, error_location


def engine_settings(loaded: LoadedCampaign, engine_cls: Any) -> Any:
    """The validated settings object for ``engine_cls`` in this campaign (None if it takes no settings)."""
    engine_id = str(engine_cls.id)
    block: dict[str, Any] = dict(loaded.campaign.engines.settings.get(engine_id, {}))
    where = ("engines", "settings", engine_id)
    model_cls = engine_trait(engine_cls, "settings_model")
    if model_cls is None:
        if block:
            raise SpecError(f"engine '{engine_id}' takes no settings",
                            location=error_location(loaded.path, where),
                            hint="remove this block; see docs/engines.md for the engines that take settings")
        return None
    fields = model_cls.model_fields
    raw: dict[str, Any] = {}
    imagery, models = loaded.brand.kit.imagery, loaded.brand.models
    for role in ("model", "lora"):
        if role in fields and role in models:
            raw[role] = str(models[role])
    if "lora_weight" in fields and "lora" in models:
        raw["lora_weight"] = imagery.lora_weight
    if "lora_licence" in fields and imagery.lora_licence is not None:
        raw["lora_licence"] = imagery.lora_licence.model_dump(mode="json")
    if "model_licence" in fields and imagery.model_licence is not None and "model" in models:
        raw["model_licence"] = imagery.model_licence.model_dump(mode="json")
    base = loaded.path.parent
    path_fields = set(engine_trait(engine_cls, "path_fields"))
    for key, value in block.items():
        raw[key] = resolve_path(value, base) if key in path_fields else value
    try:
        return model_cls.model_validate(raw)
    except ValidationError as exc:
        err = exc.errors(include_url=False)[0]
        loc = tuple(err["loc"])
        name = ".".join(str(p) for p in loc) or "(block)"
        if err["type"] == "extra_forbidden":
            msg = f"engine '{engine_id}' has no setting '{name}'"
            hint = f"its settings: {', '.join(fields)}"
        else:
            msg = f"engines.settings.{engine_id}.{name}: {err['msg']}"
            hint = "see docs/engines.md"
        raise SpecError(msg, location=error_location(loaded.path, (*where, *loc)), hint=hint) from None


def resolve_path(value: Any, base: Path) -> Any:
    """A relative path string → absolute under ``base``; URLs, absolute paths and non-strings unchanged."""
    if not isinstance(value, str) or not value or "://" in value:
        return value
    path = Path(value).expanduser()
    return str(path if path.is_absolute() else (base / path).resolve())


def engine_models(engine: Any, settings: Any, loaded: LoadedCampaign | None = None) -> list[ModelRef]:
    """The trained models ``engine`` uses with ``settings`` (empty for procedural engines). A missing model or
    a broken model folder is an error raised here, at plan time, before anything is written; with ``loaded`` it
    points at the campaign's settings block for the engine."""
    models = getattr(engine, "models", None)
    if models is None or settings is None:
        return []
    try:
        return list(models(settings))
    except AssetlineError:
        raise
    except FileNotFoundError as exc:
        block = ("engines", "settings", str(engine.id))
        where = None
        if loaded is not None:
            inner = loaded.campaign.engines.settings.get(str(engine.id), {})
            where = error_location(loaded.path, (*block, "model") if "model" in inner else block)
        raise SpecError(f"engine '{engine.id}': {exc}", location=where,
                        hint=f"set the path in engines.settings.{engine.id} (or imagery.model in the brand kit): a "
                             "diffusers folder (model_index.json) or a .safetensors/.ckpt file; nothing is "
                             "downloaded. To try the wiring without a model: assetline engines tiny-sd DIR") from None
