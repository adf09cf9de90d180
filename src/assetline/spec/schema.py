"""JSON Schema export so editors (VS Code YAML, JetBrains) can autocomplete and validate spec files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from assetline.spec.brand import BrandKit
from assetline.spec.campaign import Campaign
from assetline.spec.formats import FormatCatalogue

SCHEMAS = {"brand": BrandKit, "campaign": Campaign, "formats": FormatCatalogue}


def json_schemas() -> dict[str, dict[str, Any]]:
    out = {}
    for name, model in SCHEMAS.items():
        schema = model.model_json_schema(by_alias=True)
        schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
        schema.setdefault("title", model.__name__)
        out[name] = schema
    return out


def write_schemas(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, schema in json_schemas().items():
        path = folder / f"{name}.schema.json"
        path.write_text(json.dumps(schema, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        paths.append(path)
    return paths
