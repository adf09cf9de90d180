"""Shared provenance fixtures: a workspace with keys for two tenants, and files signed once per session."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("c2pa", reason="provenance extra not installed: pip install 'assetline[provenance]'")
pytest.importorskip("imwatermark", reason="pip install --no-deps invisible-watermark==0.2.0")

from provenance_helpers import ASSET_ID, SignedSet, demo_record, gradient, jpeg, png

from assetline.provenance.keys import init_keys, load_keys
from assetline.provenance.manifest import build_manifest
from assetline.provenance.signing import sign
from assetline.provenance.watermark import embed


@pytest.fixture(scope="session")
def key_workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    workspace = tmp_path_factory.mktemp("ws")
    init_keys(workspace, "acme", "Acme Coffee Ltd")
    init_keys(workspace, "beta", "Beta Brands Inc")
    return workspace


@pytest.fixture(scope="session")
def signed(key_workspace: Path) -> SignedSet:
    """A 1080×1080 gradient with text, watermarked, then signed as PNG and JPEG by acme and as PNG by beta."""
    acme, beta = load_keys(key_workspace, "acme"), load_keys(key_workspace, "beta")
    record = demo_record()
    manifest = build_manifest(record)
    image = gradient(1080, 1080)
    marked_png = embed(png(image), "image/png", ASSET_ID)
    marked_jpeg = embed(jpeg(image), "image/jpeg", ASSET_ID)
    assert marked_png.embedded and marked_jpeg.embedded
    return SignedSet(
        key_workspace, acme, beta, record, manifest,
        png=sign(marked_png.data, "image/png", manifest, acme, record.ingredients),
        jpeg=sign(marked_jpeg.data, "image/jpeg", manifest, acme, record.ingredients),
        beta_png=sign(marked_png.data, "image/png", manifest, beta, record.ingredients),
    )
