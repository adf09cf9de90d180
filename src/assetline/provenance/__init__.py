"""Provenance: who made an asset, from what, and proof that the delivered file is the one that was approved.

Pure library code: the caller passes data in and stores what comes out; nothing here touches the database.

    keys.py       per-tenant signing keys under <workspace>/keys/<tenant>/ (init, import, load, trust anchors)
    manifest.py   ProvenanceRecord → the C2PA manifest definition (actions, ingredients, training-mining, QC,
                  review, licences, lineage); choose_source_type() for the IPTC digital source type
    watermark.py  soft binding: the asset id in the pixels (embed / extract), survives a stripped manifest
    wmcore.py     the watermark's signal processing on pixel arrays (payload, working grid, quantiser)
    media.py      file type from magic bytes
    signing.py    sign(): embed the signed manifest; must be the last write to the file
    verify.py     verify_bytes() / verify_file(): trusted | valid | invalid | none, plus the watermark

The order for one asset: render → ``watermark.embed`` on the lossless render → encode for the channel →
``signing.sign`` (last) → store and deliver. ``verify_file`` answers "is this ours, and unchanged?".

Heavy dependencies (c2pa-python, cryptography, OpenCV, PyWavelets, invisible-watermark) are imported on first
use; importing this package never needs them.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "KeyInfo": "keys", "TenantKeys": "keys", "init_keys": "keys", "import_keys": "keys", "load_keys": "keys",
    "trust_anchors": "keys",
    "ProvenanceRecord": "manifest", "Ingredient": "manifest", "EngineInfo": "manifest",
    "build_manifest": "manifest", "choose_source_type": "manifest", "has_human_made": "manifest",
    "TRAINED_ALGORITHMIC_MEDIA": "manifest", "COMPOSITE_WITH_TRAINED": "manifest", "ALGORITHMIC_MEDIA": "manifest",
    "COMPOSITE": "manifest",
    "sign": "signing",
    "WatermarkResult": "watermark", "WatermarkReading": "watermark", "embed": "watermark", "extract": "watermark",
    "read": "watermark",
    "VerifyReport": "verify", "verify_bytes": "verify", "verify_file": "verify",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(f"assetline.provenance.{_EXPORTS[name]}"), name)
    raise AttributeError(f"module 'assetline.provenance' has no attribute {name!r}")
