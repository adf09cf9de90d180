"""The diffusion engine through the runner, on the shipped example campaign and a tiny random model (CPU): every
cell renders, backgrounds keep the composer's boxes calm and keep the product photo, the model and LoRA are in
the lineage with their licences, and swapping the LoRA or its weight re-renders exactly the visuals and renders."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image
from ruamel.yaml import YAML

from assetline import api
from assetline.store.blobs import BlobStore
from assetline.store.models import Artifact

pytest.importorskip("diffusers", reason="the diffusion extra is not installed (make test installs it)")

from assetline.engines.diffusion.tiny import save_tiny_lora, save_tiny_sd

REVIEWER = "rev@studio.example"


def _edit(path: Path, **diffusion: Any) -> None:
    yaml = YAML()
    data = yaml.load(path.read_text(encoding="utf-8"))
    block = data["engines"]["settings"]["diffusion"]
    for key, value in diffusion.items():
        if value is None:
            block.pop(key, None)
        else:
            block[key] = value
    with path.open("w", encoding="utf-8") as fh:
        yaml.dump(data, fh)


def _visuals(ws: Path) -> list[tuple[dict[str, Any], np.ndarray]]:
    settings, db = api.open_store(ws)
    blobs = BlobStore(settings.blob_dir)
    with db.session() as s:
        rows = s.query(Artifact).filter(Artifact.step == "visual").all()
        out = []
        for art in rows:
            image = Image.open(io.BytesIO(blobs.get(art.blob_sha)))
            out.append((dict(art.meta), np.asarray(image.convert("RGB"), dtype=np.float64)))
    db.dispose()
    return out


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    ws = tmp_path_factory.mktemp("diffusion") / "ws"
    api.init_workspace(ws)
    save_tiny_sd(ws / "brief" / "models" / "sd15")
    campaign = ws / "brief" / "engines" / "diffusion" / "campaign.yaml"
    _edit(campaign, steps=2, resolution=64, scheduler=None)
    summary = api.run_campaign(campaign, ws, workers=2)
    return {"ws": ws, "campaign": campaign, "summary": summary}


def test_every_cell_renders_with_generated_backgrounds(workspace: dict[str, Any]) -> None:
    summary = workspace["summary"]
    assert summary.status == "finished", summary.failures
    assert summary.cells == 6 and summary.rendered == 6
    assert summary.steps["visual"]["executed"] == 6  # layout-aware: one background per cell's copy
    assert api.run_campaign(workspace["campaign"], workspace["ws"]).rendered == 0


def test_reserved_boxes_are_calm_and_the_photo_is_kept(workspace: dict[str, Any]) -> None:
    visuals = _visuals(workspace["ws"])
    assert len(visuals) == 6
    modes, calm = set(), 0
    for meta, pixels in visuals:
        visual = meta["visual"]
        modes.add(visual["mode"])
        if visual["mode"] == "txt2img":  # 'split': the copy sits on a solid panel beside the picture
            assert visual["reservation"] == {"layout": "split", "boxes": []}
            continue
        boxes = visual["reservation"]["boxes"]  # 'hero': type over the picture
        assert boxes and visual["reservation"]["layout"] == "hero"
        mask = np.zeros(pixels.shape[:2], dtype=bool)
        for left, top, right, bottom in boxes:
            mask[top:bottom, left:right] = True
        x0, y0, x1, y1 = visual["photo_box"]
        mask[y0:y1, x0:x1] = False  # the product photo may sit under type (the composer adds scrims)
        # Busyness = mean absolute difference between horizontal neighbours (the calm plate is a soft gradient).
        detail = np.abs(np.diff(pixels, axis=1)).mean(axis=2)
        inside, outside = detail[mask[:, 1:]].mean(), detail[~mask[:, 1:]].mean()
        assert inside < 0.2 * outside, (inside, outside)
        calm += 1
    assert modes == {"outpaint", "txt2img"} and calm == 3


def test_lineage_carries_the_model_and_its_licence(workspace: dict[str, Any]) -> None:
    ws = workspace["ws"]
    api.add_user(REVIEWER, "reviewer", password="a-long-password-1", workspace=ws)
    asset = api.review_assets("diffusion-backgrounds", REVIEWER, workspace=ws)[0]
    record = api.lineage(asset["id"], workspace=ws)
    visual = next(s for s in record["steps"] if s["step"] == "visual")
    assert visual["engine"] == "diffusion" and visual["trained"]
    assert [m["role"] for m in visual["models"]] == ["base"]
    model_inputs = [i for i in record["inputs"] if i["role"] == "model"]
    assert model_inputs and model_inputs[0]["licence"]["name"] == "CreativeML-OpenRAIL-M"
    assert record["uses_trained_model"] is True


def test_a_lora_change_rerenders_exactly_what_it_touches(workspace: dict[str, Any]) -> None:
    ws, campaign = workspace["ws"], workspace["campaign"]
    save_tiny_lora(ws / "brief" / "models" / "sd15", ws / "brief" / "models" / "brand-lora.safetensors")
    _edit(campaign, lora="../../models/brand-lora.safetensors", lora_weight=0.8,
          lora_licence={"owner": "Orbit Coffee", "name": "derived brand LoRA"})
    with_lora = api.run_campaign(campaign, ws)
    assert with_lora.steps["visual"]["executed"] == 6 and with_lora.rendered == 6
    assert with_lora.steps["copy"].get("executed", 0) == 0  # copy is untouched by the visual model
    _edit(campaign, batch_size=1)  # batching changes no picture: nothing re-renders
    assert api.run_campaign(campaign, ws).rendered == 0
    _edit(campaign, lora_weight=0.4)
    assert api.run_campaign(campaign, ws).steps["visual"]["executed"] == 6


def test_a_missing_model_is_a_clear_error_before_anything_runs(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    api.init_workspace(ws)
    campaign = ws / "brief" / "engines" / "diffusion" / "campaign.yaml"
    from assetline.errors import AssetlineError

    with pytest.raises(AssetlineError, match="sd15") as err:
        api.run_campaign(campaign, ws)
    assert "campaign.yaml:" in str(err.value) and "assetline engines tiny-sd" in str(err.value)
    assert not (ws / "output").exists()
