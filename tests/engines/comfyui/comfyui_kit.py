"""Paths and a segment shared by the ComfyUI tests (a plain module: conftest names clash across test folders)."""

from __future__ import annotations

from pathlib import Path

from assetline.spec.campaign import Segment

EXAMPLES = Path(__file__).resolve().parents[3] / "src" / "assetline" / "examples"
KIT = EXAMPLES / "orbit-coffee" / "brand.yaml"
WORKFLOW = EXAMPLES / "orbit-coffee" / "engines" / "comfyui" / "workflow_api.json"
OUTPAINT = EXAMPLES / "orbit-coffee" / "engines" / "comfyui" / "workflow_outpaint_api.json"
SEGMENT = Segment(id="london", language="en", city="London", audience="commuters 25-40")
