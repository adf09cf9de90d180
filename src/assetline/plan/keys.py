"""Content keys: sha256 over canonical JSON of (step, engine id + version, parameters, inputs).

Inputs are named content hashes: file hashes (photo, font, logo) and the content keys of upstream steps.
Using upstream *keys* rather than upstream *output hashes* (as Bazel action keys do) lets the planner
compute every key before anything runs; engines are deterministic, so the two are equivalent.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any


def canonical_json(value: Any) -> str:
    """Deterministic JSON: sorted keys, no whitespace, UTF-8 kept, tuples as lists."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_default)


def _default(value: Any) -> Any:
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json", by_alias=True)
    if isinstance(value, set | frozenset):
        return sorted(value)
    raise TypeError(f"cannot put {type(value).__name__} into a content key")


def content_key(step: str, engine_id: str, engine_version: str, params: dict[str, Any],
                inputs: dict[str, str]) -> str:
    payload = {"step": step, "engine": {"id": engine_id, "version": engine_version},
               "params": params, "inputs": inputs}
    return hashlib.sha256(canonical_json(payload).encode("utf-8")).hexdigest()


def derive_seed(*parts: Any) -> int:
    """A 31-bit seed from any JSON-able parts (stable across processes and Python versions)."""
    digest = hashlib.sha256(canonical_json(list(parts)).encode("utf-8")).digest()
    return int.from_bytes(digest[:4], "big") & 0x7FFFFFFF
