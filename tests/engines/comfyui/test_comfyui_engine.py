"""The ComfyUI engine against the fake server: the happy paths."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from comfyui_kit import OUTPAINT
from PIL import Image

from assetline.engines.base import VisualRequest
from assetline.engines.comfyui import ComfyUISettings, ComfyUIVisualEngine
from comfyui_fake import FakeComfyUI

Settings = Callable[..., ComfyUISettings]
Req = Callable[..., VisualRequest]


def test_text_to_image_fills_the_slots_and_returns_the_exact_size(
        server: FakeComfyUI, engine: ComfyUIVisualEngine, settings_for: Settings, make_request: Req) -> None:
    steps: list[tuple[int, int]] = []
    request = make_request(settings_for(steps=3), width=64, height=48, seed=11,
                           progress=lambda done, total: steps.append((done, total)))
    result = engine.generate(request)

    assert result.image.mode == "RGB" and result.image.size == (64, 48)
    graph = server.prompts[-1]
    assert graph["3"]["inputs"]["seed"] == 11 and graph["3"]["inputs"]["steps"] == 3
    assert (graph["5"]["inputs"]["width"], graph["5"]["inputs"]["height"]) == (64, 48)
    text = graph["6"]["inputs"]["text"]
    assert text.startswith("a nebula over a coffee cup, warm editorial product photography")
    assert text.endswith("for commuters 25-40, in London")
    assert graph["7"]["inputs"]["text"] == "text, letters, watermark, logo, blurry, low quality"  # kit has none
    assert steps == [(1, 3), (2, 3), (3, 3)]
    meta = result.metadata
    assert meta["server"] == server.url and meta["seed"] == 11 and meta["prompt"] == text
    assert meta["prompt_id"] in server.history and meta["output"] in server.images
    assert meta["transport"] == "websocket" and meta["resized"] is False
    assert meta["workflow"] == engine.models(request.settings)[0].sha256
    # the pixels are the server's PNG, unchanged
    served = Image.open(io.BytesIO(server.images[meta["output"]])).convert("RGB")
    assert np.array_equal(np.asarray(served), np.asarray(result.image))


def test_same_seed_same_pixels_other_seed_other_pixels(
        server: FakeComfyUI, engine: ComfyUIVisualEngine, settings_for: Settings, make_request: Req) -> None:
    settings = settings_for()
    a = engine.generate(make_request(settings, seed=5)).image
    b = engine.generate(make_request(settings, seed=5)).image
    c = engine.generate(make_request(settings, seed=6)).image
    assert a.tobytes() == b.tobytes()
    assert a.tobytes() != c.tobytes()


def test_other_sizes_are_rounded_for_the_graph_and_resized_back(
        server: FakeComfyUI, engine: ComfyUIVisualEngine, settings_for: Settings, make_request: Req) -> None:
    result = engine.generate(make_request(settings_for(max_side=64), width=100, height=50))
    graph = server.prompts[-1]
    assert (graph["5"]["inputs"]["width"], graph["5"]["inputs"]["height"]) == (64, 32)
    assert result.image.size == (100, 50) and result.metadata["resized"] is True
    assert result.metadata["served_size"] == [64, 32]

    server.output_size = (80, 80)  # a workflow that upscales or crops on its own
    result = engine.generate(make_request(settings_for(), width=40, height=24))
    assert result.image.size == (40, 24) and result.metadata["served_size"] == [80, 80]


def test_outpainting_uploads_the_fitted_photo_and_its_mask(
        server: FakeComfyUI, engine: ComfyUIVisualEngine, settings_for: Settings, make_request: Req) -> None:
    settings = settings_for(workflow=OUTPAINT)
    reserved = ((0, 0, 96, 16),)  # a headline band across the top: the photo goes to the bottom
    result = engine.generate(make_request(settings, photo="coffee", width=96, height=64, reserved=reserved))

    graph = server.prompts[-1]
    canvas_name, mask_name = graph["2"]["inputs"]["image"], graph["3"]["inputs"]["image"]
    assert canvas_name in server.uploads and mask_name in server.uploads
    canvas = Image.open(io.BytesIO(server.uploads[canvas_name]))
    mask = np.asarray(Image.open(io.BytesIO(server.uploads[mask_name])))
    assert canvas.size == (96, 64)
    # skimage's coffee.png is 600 × 400: fitted to 96 × 64 it fills the canvas
    box = result.metadata["photo_box"]
    assert box is not None and (box[2] - box[0], box[3] - box[1]) == (96, 64)
    assert (mask == 0).all()  # the photo fills the canvas: nothing to paint
    assert result.image.size == (96, 64)

    # a tall format: the photo fills the width, moves off the headline block to the bottom, the rest is painted
    reserved = ((0, 0, 48, 40),)
    result = engine.generate(make_request(settings, photo="coffee", width=48, height=96, reserved=reserved))
    graph = server.prompts[-1]
    mask = np.asarray(Image.open(io.BytesIO(server.uploads[graph["3"]["inputs"]["image"]])))
    left, top, right, bottom = result.metadata["photo_box"]
    assert (left, right, bottom) == (0, 48, 96) and top == 96 - 32
    assert (mask[top:, :] == 0).all() and (mask[:top, :] == 255).all()
    # the fake keeps the canvas where the mask is black: the photo survives in the result
    photo_part = np.asarray(result.image)[top:, :]
    uploaded = np.asarray(Image.open(io.BytesIO(server.uploads[graph["2"]["inputs"]["image"]])).convert("RGB"))
    assert np.array_equal(photo_part, uploaded[top:, :])


def test_bearer_token_is_sent_on_http_and_websocket(
        server: FakeComfyUI, engine: ComfyUIVisualEngine, settings_for: Settings, make_request: Req,
        monkeypatch: pytest.MonkeyPatch) -> None:
    server.token = "s3cret"
    monkeypatch.setenv("COMFY_TEST_TOKEN", "s3cret")
    result = engine.generate(make_request(settings_for(token_env="COMFY_TEST_TOKEN")))
    assert result.metadata["transport"] == "websocket"  # the websocket was let in too
    assert server.auth_headers and set(server.auth_headers) == {"Bearer s3cret"}


def test_models_lists_the_workflow_and_the_server_model_names(settings_for: Settings,
                                                              engine: ComfyUIVisualEngine) -> None:
    import hashlib

    from comfyui_kit import WORKFLOW

    from assetline.engines.fingerprint import fingerprint

    refs = engine.models(settings_for())
    assert [(r.role, r.title) for r in refs] == [("workflow", "workflow_api.json"),
                                                 ("server-model", "v1-5-pruned-emaonly.safetensors")]
    assert refs[0].sha256 == fingerprint(WORKFLOW)
    assert refs[1].sha256 == hashlib.sha256(b"v1-5-pruned-emaonly.safetensors").hexdigest()


def test_engine_declares_its_traits() -> None:
    from assetline.engines.base import VisualEngine, engine_trait

    traits: dict[str, Any] = {name: engine_trait(ComfyUIVisualEngine, name) for name in
                              ("settings_model", "path_fields", "trained", "uses_segment", "uses_layout")}
    assert traits == {"settings_model": ComfyUISettings, "path_fields": ("workflow",), "trained": True,
                      "uses_segment": True, "uses_layout": True}
    assert ComfyUIVisualEngine.id == "comfyui" and ComfyUIVisualEngine.modality == "visual"
    assert isinstance(ComfyUIVisualEngine(), VisualEngine)


def test_outpaint_workflow_without_a_photo_paints_everything(
        server: FakeComfyUI, engine: ComfyUIVisualEngine, settings_for: Settings, make_request: Req) -> None:
    result = engine.generate(make_request(settings_for(workflow=OUTPAINT), width=40, height=32))
    graph = server.prompts[-1]
    mask = np.asarray(Image.open(io.BytesIO(server.uploads[graph["3"]["inputs"]["image"]])))
    canvas = np.asarray(Image.open(io.BytesIO(server.uploads[graph["2"]["inputs"]["image"]])).convert("RGB"))
    assert mask.shape == (32, 40) and (mask == 255).all()
    assert (canvas == (0xF7, 0xF1, 0xE5)).all()  # the kit's background colour
    assert result.metadata["photo_box"] is None and result.image.size == (40, 32)


def test_a_photo_concept_needs_an_image_workflow(server: FakeComfyUI, engine: ComfyUIVisualEngine,
                                                 settings_for: Settings, make_request: Req) -> None:
    from assetline.errors import EngineError

    with pytest.raises(EngineError, match=r"shows photo .coffee., but workflow workflow_api\.json takes no input "
                                          "image") as err:
        engine.generate(make_request(settings_for(), photo="coffee"))
    assert err.value.hint and "workflow_outpaint_api.json" in err.value.hint
    assert server.prompts == []
