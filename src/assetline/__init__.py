"""Assetline: an open production line for AI-assisted creative work.

The plain-Python entry points (the CLI only calls these) are re-exported lazily so that
``import assetline`` stays cheap and free of side effects.
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"

_API = {
    "init_workspace": "assetline.api",
    "plan_campaign": "assetline.api",
    "run_campaign": "assetline.api",
    "campaign_status": "assetline.api",
    "doctor": "assetline.api",
    "run_demo": "assetline.api",
    "load_campaign": "assetline.spec",
    "load_brand_kit": "assetline.spec",
}

__all__ = ["__version__", *_API]


def __getattr__(name: str) -> Any:
    if name in _API:
        import importlib

        return getattr(importlib.import_module(_API[name]), name)
    raise AttributeError(f"module 'assetline' has no attribute {name!r}")
